"""Tests for toolkit.present: formatting, escaping, suppression, tables and charts."""

from __future__ import annotations

import math
import re

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit import present
from toolkit.present import Headline


@pytest.fixture(autouse=True)
def _reset_state():
    present.start_pack(None, None, present.SMALL_GROUP_THRESHOLD)
    yield
    present.start_pack(None, None, present.SMALL_GROUP_THRESHOLD)


def test_money_formats_pounds_with_separators_and_sign():
    assert present.money(1234567.4) == "£1,234,567"
    assert present.money(56.7) == "£56.70"
    assert present.money(-56.7) == "-£56.70"
    assert present.money(None) == "not available"
    assert present.money(float("nan")) == "not available"


def test_share_ratio_number_and_pence():
    assert present.share(0.425) == "42%"
    assert present.share(0.425, 1) == "42.5%"
    assert present.ratio(1.7449) == "£1.74"
    assert present.number(1250.4) == "1,250"
    assert present.pence(11.07) == "11.1p"
    with pytest.raises(ValueError, match="unknown kind"):
        present.format_value(1, "furlongs")


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_money_round_trips_to_the_nearest_pound(value):
    text = present.money(value, 0)
    back = float(text.replace("£", "").replace(",", ""))
    assert math.isclose(back, round(value), abs_tol=1.0)


@given(st.text())
def test_escape_never_leaves_markup(text):
    escaped = present.escape(text)
    assert "<" not in escaped and ">" not in escaped and '"' not in escaped


def test_headline_sentence_gives_range_and_basis():
    h = Headline("Local multiplier (LM3)", 1.74, "ratio", 1.6, 1.9, "mixed", "note here")
    assert h.sentence() == "Local multiplier (LM3): £1.74 (range £1.60 to £1.90), partly assumed."
    assert "note here" in h.sentence(with_note=True)
    missing = Headline("SROI", None, "ratio", basis="not evidenced", note="No outcomes sheet")
    assert "No outcomes sheet" in missing.sentence()


def test_a_missing_figure_is_never_called_evidenced():
    assert Headline("LM3", None, "ratio", basis="evidenced").basis == "not evidenced"
    assert Headline("LM3", float("nan"), "ratio", basis="assumed").basis == "not evidenced"


def test_headline_rejects_unknown_basis_and_kind():
    with pytest.raises(ValueError, match="basis"):
        Headline("x", 1.0, basis="guessed")
    with pytest.raises(ValueError, match="kind"):
        Headline("x", 1.0, kind="furlongs")


def test_small_groups_are_suppressed_with_a_reason():
    pay = Headline("Share of pay to local residents", 0.63, "share")
    hidden = present.suppress_small(pay, 4, "staff")
    assert hidden.basis == "suppressed" and hidden.value is None
    assert "fewer than 5 staff" in hidden.note
    assert "63" not in hidden.sentence()
    assert present.suppress_small(pay, 5, "staff") is pay
    assert present.suppress_small(pay, None).basis == "suppressed"
    assert present.count_or_suppressed(3, "staff") == "fewer than 5 staff"
    assert present.count_or_suppressed(12, "staff") == "12 staff"


def test_threshold_follows_the_settings():
    present.set_small_group_threshold(10)
    assert present.is_small_group(9) and not present.is_small_group(10)
    with pytest.raises(ValueError):
        present.set_small_group_threshold(0)


def test_headline_html_escapes_text_from_inputs():
    markup = present.headlines_html([Headline("<script>alert(1)</script>", 1.0, "ratio")])
    assert "<script>" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in markup
    assert "basis-evidenced" in markup


def test_frame_html_escapes_and_formats():
    frame = pd.DataFrame({"name": ["<b>Trust</b>"], "amount": [1234.0], "flag": [True]})
    markup = present.frame_html(frame, "Caption <i>", {"amount": "money"})
    assert "&lt;b&gt;Trust&lt;/b&gt;" in markup and "<b>" not in markup
    assert "£1,234" in markup and ">yes<" in markup
    assert "<caption>Caption &lt;i&gt;</caption>" in markup


def test_format_by_unit_uses_each_rows_unit():
    frame = pd.DataFrame({"measure": ["Reserves", "Share", "Months"],
                          "value": [1087616.0, 0.573, 6.2534], "unit": ["£", "share", "months"]})
    shown = present.format_by_unit(frame)
    assert list(shown["value"]) == ["£1,087,616", "57%", "6.25"]


def test_show_table_writes_csv_beside_the_pack(tmp_path):
    present.start_pack("my-trust", tmp_path)
    frame = pd.DataFrame({"a": [1, 2]})
    path = present.write_table_csv(frame, "Top suppliers!")
    assert path == tmp_path / "my-trust__top-suppliers.csv"
    assert pd.read_csv(path)["a"].tolist() == [1, 2]


def test_no_tables_folder_writes_nothing(tmp_path):
    assert present.write_table_csv(pd.DataFrame({"a": [1]}), "x") is None
    assert list(tmp_path.iterdir()) == []


def test_chart_html_embeds_png_with_alt_text():
    fig, ax = plt.subplots()
    ax.plot([1, 2], [3, 4])
    markup = present.chart_html(fig, "A line <rising>")
    assert markup.startswith("<figure class='chart'><img src='data:image/png;base64,")
    assert "alt='A line &lt;rising&gt;'" in markup
    with pytest.raises(ValueError, match="alt text"):
        present.chart_html(fig, "  ")
    plt.close(fig)


def test_summary_html_lists_each_figure_once():
    markup = present.summary_html([Headline("A", 1.0), Headline("B", 2.0)], "Intro & more")
    assert markup.count("<li>") == 2
    assert "Intro &amp; more" in markup


# ---------------------------------------------------------------------------- bidi, first page

RLO, PDF_MARK, RLI = "\u202e", "\u202c", "\u2067"


def test_right_to_left_override_cannot_reverse_a_pack():
    name = f"Acme {RLO}dtL gnidloH{PDF_MARK} & Sons"
    shown = present.escape(name)
    assert not present.BIDI_CONTROLS.search(shown)
    assert "[U+202E]" in shown and "[U+202C]" in shown and "&amp; Sons" in shown
    assert "dtL gnidloH" in shown  # the letters stay in the order they were typed


@given(st.text(alphabet=st.sampled_from(["a", " ", "<", RLO, RLI, "\u2069", "\u202a"])))
def test_no_bidi_control_survives_escape(text):
    assert not present.BIDI_CONTROLS.search(present.escape(text))


def test_tables_and_titles_neutralise_bidi_controls():
    frame = pd.DataFrame({f"Supplier{RLO}": [f"{RLO}evil", "plain"], "amount": [1.0, 2.0]})
    markup = present.frame_html(frame, f"Cap{RLI}tion")
    assert not present.BIDI_CONTROLS.search(markup)
    assert markup.count("[U+202E]") == 2 and "[U+2067]" in markup


def test_short_tables_are_kept_whole_and_long_ones_may_break():
    short = present.frame_html(pd.DataFrame({"a": range(present.SHORT_TABLE_ROWS)}))
    long = present.frame_html(pd.DataFrame({"a": range(present.SHORT_TABLE_ROWS + 1)}))
    assert "short" in short.split(">", 1)[0] and "short" not in long.split(">", 1)[0]
    assert "<thead>" in long


def _page(**changes) -> present.FirstPage:
    figures = [Headline("LM3 <b>", 1.91, "ratio", 1.89, 1.94, "evidenced",
                        range_label="full range"),
               Headline("Income", 1000.0, "money"),
               Headline("Jobs", None, "number", note="none")]
    compared = [present.Comparison("Typical non-local provider",
                                   Headline("LM3", 1.36, "ratio", 1.24, 1.56, "assumed"),
                                   "setting comparison.non_local_lm3")]
    fields = {"figures": figures, "chart": None, "meaning": "It means this.",
              "not_claimed": "Not value added.", "boundary": "Calderdale (HX1)",
              "comparisons": compared, **changes}
    return present.FirstPage(**fields)


def test_first_page_shows_each_figure_with_range_and_basis():
    page = _page()
    markup = present.first_page_html(page)
    items = re.findall(r"<li class='key-figure'>(.*?)</li>", markup)
    assert len(items) == len(page.figures)
    for item, figure in zip(items, page.figures, strict=True):
        assert present.escape(figure.value_text) in item
        assert present.escape(figure.basis_text) in item
        wanted = f"{figure.range_label} {figure.range_text}" if figure.range_text else "no range"
        assert present.escape(wanted) in item
    assert "LM3 &lt;b&gt;" in markup and "<b>" not in markup


def test_first_page_says_what_it_means_claims_not_boundary_and_sources():
    markup = present.first_page_html(_page())
    assert "What it means:</strong> It means this." in markup
    assert "What it does not claim:</strong> Not value added." in markup
    assert "Local means:</strong> Calderdale (HX1)" in markup
    row = re.search(r"<tbody><tr>(.*?)</tr>", markup).group(1)
    assert "Typical non-local provider" in row and "£1.36 (range £1.24 to £1.56)" in row
    assert "assumed" in row and "setting comparison.non_local_lm3" in row
    # The first page ends the page and asks for the contents list after it.
    assert markup.endswith("<div class='summary-end'></div><div class='contents-here'></div>")


def test_first_page_chart_keeps_its_alt_text():
    figure, axes = plt.subplots()
    axes.plot([1, 2])
    figure.alt_text = "Line from 1 to 2"
    markup = present.first_page_html(_page(chart=figure))
    plt.close(figure)
    assert "alt='Line from 1 to 2'" in markup and "data:image/png;base64," in markup


def test_only_very_long_words_get_break_opportunities():
    long = "x" * (present.LONGEST_UNBROKEN + 15)
    text = f"Acme Holdings {long}"
    shown = present.wrappable(text)
    assert shown.replace("\u200b", "") == text
    assert shown.startswith("Acme Holdings ") and "\u200b" in shown
    assert all(len(part) <= 20 for part in shown.split(" ")[-1].split("\u200b"))
    assert present.wrappable("a" * present.LONGEST_UNBROKEN) == "a" * present.LONGEST_UNBROKEN


def test_yes_no_says_not_known_for_a_missing_answer():
    assert [present.yes_no(v) for v in [True, False, None, float("nan")]] == [
        "yes", "no", "not known", "not known"]


def test_plain_table_renames_chooses_and_formats_columns():
    frame = pd.DataFrame({"supplier": ["A", "B"], "amount": [2.4400000000000004, 12345.0],
                          "local": [True, None], "in_lm3": [True, False]})
    markup = present.plain_table_html(
        frame, {"supplier": "Supplier", "amount": "Spent in the year", "local": "Local?"},
        {"amount": "money", "local": "yes_no"}, caption="Suppliers")
    assert present.format_value(7.3000000001, "one_decimal") == "7.3"
    assert present.format_value(85.2166666, "two_decimals") == "85.22"
    assert present.format_value(0.0, "pounds") == "£0" and present.money(0.0) == "£0.00"
    assert "Spent in the year" in markup and "£12,345" in markup and "£2.44" in markup
    assert "not known" in markup and ">yes<" in markup
    assert "in_lm3" not in markup and "None" not in markup and "0000" not in markup
    assert "<caption>Suppliers</caption>" in markup


def test_methods_citations_are_said_in_words():
    assert present.methods_in_words("METHODS §1 (toolkit rule)") == (
        "the Methods chapter, section 1: LM3 (toolkit rule)")
    assert present.methods_in_words("see METHODS §3 and METHODS §42") == (
        "see the Methods chapter, section 3: social value and SROI and "
        "the Methods chapter, section 42")
