"""What-if: moving spending to local suppliers and pay to local staff, through compute_lm3.

Hand-worked on the case in ``test_leakage.py`` (LM3 today 1.588, total spending £100,000,
R1 £100,000, assumed rates: suppliers 40%, staff 50% of take-home 80%):

- all £18,000 of non-local food and catering moved local: R2 42p -> 60p, R3 16.8p -> 24p,
  LM3 1.84 (a rise of 0.18 x 1.4 = 0.252);
- 50% of it (£9,000): LM3 1.588 + 0.09 x 1.4 = 1.714;
- +10 points of staff pay (£5,000 of £50,000) to staff living locally: R2 +5p, R3 + 5,000 x
  0.8 x 0.5 = +2p, LM3 1.658.
Per £10,000 moved every change raises LM3 by 0.14: suppliers' 40% equals staff 80% x 50%.
"""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from test_leakage import hand_inputs

from toolkit.inputs.errors import InputError
from toolkit.inputs.settings import load_settings
from toolkit.measures.lm3 import compute_lm3
from toolkit.measures.whatif import (
    MOVED_SUFFIX,
    preset_whatifs,
    run_whatif,
    shift_spending,
    shift_staff,
    staff_pay_shares,
    whatif_html,
    whatif_ranking,
    whatif_widget,
)


@pytest.fixture(scope="module")
def settings():
    return load_settings(overrides={"lm3": {"bootstrap_samples": 200}})


@pytest.fixture(scope="module")
def today(settings):
    return compute_lm3(hand_inputs(), settings)


def test_moving_all_of_a_category_raises_local_spending_by_exactly_that(settings, today):
    result = run_whatif(hand_inputs(), settings, ["food and catering"], 1.0, today=today)
    assert result.moved_spending == pytest.approx(18_000.0)
    assert result.new.spending_local - today.spending_local == pytest.approx(18_000.0)
    assert result.new.spending_total == pytest.approx(today.spending_total)
    assert result.new.pence_per_pound["round_2"] == pytest.approx(60.0)
    assert result.new.pence_per_pound["round_3"] == pytest.approx(24.0)
    assert result.new.lm3 == pytest.approx(1.84)
    assert result.rise == pytest.approx(0.252)
    assert result.rise_per_10k == pytest.approx(0.14)


def test_half_of_a_category(settings, today):
    result = run_whatif(hand_inputs(), settings, "Food and Catering ", 0.5, today=today)
    assert result.categories == ("food and catering",)
    assert result.moved == pytest.approx(9_000.0)
    assert result.new.lm3 == pytest.approx(1.714)
    assert result.new.lm3_low <= result.new.lm3 <= result.new.lm3_high


def test_unknown_location_is_not_moved_but_shown_apart_if_local_already(settings, today):
    # equipment and supplies: £5,000 of unknown location, nothing known to be non-local
    result = run_whatif(hand_inputs(), settings, ["equipment and supplies"], 1.0, today=today)
    assert result.moved == 0.0 and result.new.lm3 == pytest.approx(today.lm3)
    assert result.unknown_spending == pytest.approx(5_000.0)
    # if local already: R2 +5p, R3 + 5,000 x 40% = +2p, LM3 + 0.05 x 1.4 = +0.07
    assert result.if_unknown_local.lm3 == pytest.approx(today.lm3 + 0.07)
    assert result.if_unknown_local_rise == pytest.approx(0.07)
    table = result.table()
    assert len(table) == 3 and "local already" in table.loc[2, "scenario"]
    data = json.loads(json.dumps(result.to_dict()))
    assert data["unknown_spending"] == pytest.approx(5_000.0)
    assert data["if_unknown_local"]["lm3"] == pytest.approx(today.lm3 + 0.07)
    assert any("may be local already" in note for note in result.notes)


HALIFAX = "data/samples/calderdale/halifax-northgate-centre_2024-25.xlsx"


def test_halifax_premises_moves_only_known_non_local_spending():
    from toolkit.inputs.registry import load_registry
    from toolkit.inputs.workbook import load_workbook
    from toolkit.measures.lm3 import choose_boundaries, lm3_inputs

    wb, settings = load_workbook(HALIFAX), load_settings()
    boundary = choose_boundaries(wb, settings, None,
                                 load_registry("data/samples/authorities.yml"))[0]
    inputs = lm3_inputs(wb, settings, boundary)
    premises = inputs.spending[inputs.spending["category"] == "premises"]
    known = premises.loc[premises["local"].map(lambda v: v is False), "amount"].sum()
    unknown = premises.loc[premises["local"].isna(), "amount"].sum()
    assert unknown > 0 and known > 0
    result = run_whatif(inputs, settings, ["premises"], 0.5)
    assert result.moved_spending == pytest.approx(0.5 * known)
    assert result.unknown_spending == pytest.approx(unknown)
    assert result.if_unknown_local is not None
    assert result.if_unknown_local.spending_local == pytest.approx(
        result.today.spending_local + unknown)


def test_staff_points(settings, today):
    result = run_whatif(hand_inputs(), settings, staff_points=0.10, today=today)
    assert result.moved_pay == pytest.approx(5_000.0)
    assert result.new.lm3 == pytest.approx(1.658)
    shares = staff_pay_shares(hand_inputs())
    assert shares["local_share"] == pytest.approx(0.6) and shares["room"] == pytest.approx(0.4)


def test_split_rows_keep_their_row_numbers_and_originals_are_unchanged():
    inputs = hand_inputs()
    before = inputs.spending.copy()
    changed, moved = shift_spending(inputs, ["food and catering"], 0.25)
    pd.testing.assert_frame_equal(inputs.spending, before)
    new_rows = changed.spending[changed.spending["supplier"].str.endswith(MOVED_SUFFIX)]
    assert sorted(new_rows["row"]) == [3, 4]
    assert (new_rows["local"] == True).all()  # noqa: E712
    assert moved == pytest.approx(4_500.0)
    assert changed.spending["amount"].sum() == pytest.approx(before["amount"].sum())
    staff, pay = shift_staff(inputs, 0.2)
    assert pay == pytest.approx(10_000.0)
    assert staff.staff["gross_pay"].sum() == pytest.approx(50_000.0)
    assert staff.staff["fte"].sum() == pytest.approx(3.0)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"categories": ["food and catering"], "share": 1.2}, "from 0% to 100%; got 120%"),
    ({"categories": ["food and catering"], "share": -0.1}, "from 0% to 100%"),
    ({"categories": ["sweets"], "share": 0.5}, "no spending category 'sweets'"),
    ({"staff_points": 0.5}, "at most 40.0 points"),
    ({"categories": ["food and catering"], "share": "half"}, "must be a number"),
])
def test_bad_what_ifs_are_refused_plainly(settings, today, kwargs, message):
    with pytest.raises(InputError, match=message):
        run_whatif(hand_inputs(), settings, today=today, **kwargs)


def test_category_with_nothing_leaving_moves_nothing_and_says_so(settings, today):
    result = run_whatif(hand_inputs(), settings, ["premises"], 0.5, today=today)
    assert result.moved == 0 and result.rise == pytest.approx(0.0)
    assert result.rise_per_10k is None
    assert "nothing moves" in result.notes[0]


def test_no_staff_pay_cannot_be_raised(settings):
    inputs = hand_inputs(staff=[])
    with pytest.raises(InputError, match="no staff pay"):
        shift_staff(inputs, 0.1)


def test_ranking_says_when_one_assumed_rate_makes_changes_equal(settings, today):
    ranking = whatif_ranking(hand_inputs(), settings, today=today)
    # two categories with spending known to be non-local (equipment's £5,000 is of unknown
    # location, so there is nothing to move) and staff pay
    assert len(ranking) == 3
    assert not ranking["change"].str.contains("equipment").any()
    assert ranking["rise_per_10k"].tolist() == pytest.approx([0.14] * 3)
    assert ranking["equal_group"].tolist() == [1, 1, 1]
    assert all("Equal per £ moved" in n for n in ranking["note"])
    assert "40%, assumed" in ranking["note"][0]
    staff = ranking[ranking["kind"] == "staff"].iloc[0]
    assert staff["moved"] is None  # two people: pay not shown
    food = ranking[ranking["change"].str.contains("food")].iloc[0]
    assert food["lm3_new"] == pytest.approx(1.84)


def test_ranking_orders_by_rise_per_pound_when_rates_differ():
    own = load_settings(overrides={"lm3": {"bootstrap_samples": 200,
                                           "assumed_respend_staff": {"value": 0.7}}})
    ranking = whatif_ranking(hand_inputs(), own)
    assert ranking["kind"][0] == "staff"  # 0.8 x 0.7 = 0.56 beats suppliers' 0.40
    assert ranking["rise_per_10k"][0] == pytest.approx(0.156)
    assert ranking["equal_group"][0] is None or pd.isna(ranking["equal_group"][0])
    suppliers = ranking[ranking["kind"] == "suppliers"]
    assert suppliers["note"].str.contains("every new local supplier").all()


def test_presets_table(settings):
    presets = preset_whatifs(hand_inputs(), settings)
    assert presets["scenario"][0] == "Today"
    assert presets["lm3"][0] == pytest.approx(1.588)
    # today + 2 categories with known non-local spending x 2 shares + equipment's "if it is
    # local already" line (its £5,000 is of unknown location) + staff.
    assert len(presets) == 7
    food_half = presets[presets["scenario"].str.startswith("50% of known non-local food")]
    assert food_half.iloc[0]["lm3"] == pytest.approx(1.714)
    already = presets[presets["scenario"].str.contains("local already")]
    assert len(already) == 1 and "£5,000 of equipment and supplies" in already.iloc[0]["scenario"]
    # R2 +5p and R3 + 5,000 x 40% = +2p: LM3 1.588 + 0.07
    assert already.iloc[0]["lm3"] == pytest.approx(1.658) and already.iloc[0]["moved"] == 0
    staff = presets.iloc[-1]
    assert staff["lm3"] == pytest.approx(1.658) and pd.isna(staff["moved"])
    assert "£ not shown: fewer than 5 people" in staff["note"]
    assert (presets["lm3_low"] <= presets["lm3"]).all()
    assert (presets["rise"] >= -1e-12).all()


def test_staff_preset_when_less_room_is_left(settings):
    staff = [("A", 1.0, 95_000.0, True), ("B", 1.0, 5_000.0, False)]
    presets = preset_whatifs(hand_inputs(staff=staff), settings)
    assert "only 5.0 points were left" in presets["note"].iloc[-1]
    staff = [("A", 1.0, 50_000.0, True)]
    presets = preset_whatifs(hand_inputs(staff=staff), settings)
    assert "already goes to staff living locally" in presets["note"].iloc[-1]


def test_widget_runs_headless_and_updates(settings):
    box = whatif_widget(hand_inputs(), settings)
    pick, share, staff, out = box.children
    assert box.last.categories == ("food and catering",)  # the largest leaking category
    assert box.last.new.lm3 == pytest.approx(1.714)
    share.value = 100.0
    assert box.last.new.lm3 == pytest.approx(1.84)
    assert "1.840" in out.value
    staff.value = 10.0
    assert box.last.new.lm3 == pytest.approx(1.84 + 0.07)
    assert staff.max == pytest.approx(40.0)


def test_html_escapes_text(settings, today):
    result = run_whatif(hand_inputs(), settings, ["food and catering"], 0.5, today=today)
    result.label = "<script>x</script>"
    assert "<script>" not in whatif_html(result)


def test_to_dict_json(settings, today):
    data = run_whatif(hand_inputs(), settings, ["food and catering"], 1.0, today=today).to_dict()
    json.dumps(data, allow_nan=False)
    assert data["new"]["lm3"] == pytest.approx(1.84)


@hsettings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["food and catering", "IT and telecoms", "premises",
                                 "equipment and supplies"]), max_size=3),
       st.floats(0, 1), st.floats(0, 0.4))
def test_zero_shift_changes_nothing(categories, share, points):
    own = load_settings(overrides={"lm3": {"bootstrap_samples": 50}})
    inputs = hand_inputs()
    base = compute_lm3(inputs, own)
    result = run_whatif(inputs, own, categories, 0.0, 0.0, today=base)
    assert result.new.lm3 == base.lm3
    assert (result.new.lm3_low, result.new.lm3_high) == (base.lm3_low, base.lm3_high)
    assert result.moved == 0


@hsettings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(["food and catering", "IT and telecoms",
                                 "equipment and supplies"]), min_size=1, max_size=3),
       st.floats(0, 1), st.floats(0, 1), st.floats(0, 0.4), st.floats(0, 0.4))
def test_more_local_shifting_never_lowers_lm3(categories, a, b, p, q):
    own = load_settings(overrides={"lm3": {"bootstrap_samples": 50}})
    inputs = hand_inputs()
    base = compute_lm3(inputs, own)
    low_share, high_share = sorted((a, b))
    low_points, high_points = sorted((p, q))
    less = run_whatif(inputs, own, categories, low_share, low_points, today=base)
    more = run_whatif(inputs, own, categories, high_share, high_points, today=base)
    assert more.new.lm3 >= less.new.lm3 - 1e-12
    assert less.new.lm3 >= base.lm3 - 1e-12


def test_whatif_command(tmp_path, capsys):
    from test_leakage import write_hand_workbook

    from toolkit.cli import main

    path = write_hand_workbook(tmp_path)
    args = ["whatif", path, "--local-postcodes", "BD1"]
    assert main([*args, "--category", "food and catering", "--share", "50",
                 "--staff-local-share", "+10", "--rank"]) == 0
    out = capsys.readouterr().out
    assert "Today    LM3 1.588" in out
    assert "What-if  LM3 1.784" in out  # 1.588 + 0.126 + 0.07
    assert "£14,000 moved" in out
    assert "[tied set 1]" in out and "Equal per £ moved" in out
    assert main([*args, "--category", "food and catering", "--share", "100", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["new"]["lm3"] == pytest.approx(1.84)
    assert data["moved_spending"] == pytest.approx(18_000.0)


@pytest.mark.parametrize(("extra", "message"), [
    (["--category", "food and catering", "--share", "120"], "from 0 to 100"),
    (["--category", "sweets", "--share", "50"], "no spending category 'sweets'"),
    (["--category", "food and catering"], "Give --share"),
    (["--share", "50"], "Give --category"),
    ([], "Nothing to change"),
    (["--staff-local-share", "60"], "at most 40.0 points"),
])
def test_whatif_command_bad_input(tmp_path, capsys, extra, message):
    from test_leakage import write_hand_workbook

    from toolkit.cli import main

    path = write_hand_workbook(tmp_path)
    assert main(["whatif", path, "--local-postcodes", "BD1", *extra]) == 2
    assert message in capsys.readouterr().err


def test_strengthening_section_tables_and_display(tmp_path, settings, monkeypatch):
    from test_leakage import write_hand_workbook

    from toolkit import present
    from toolkit.inputs.workbook import read_workbook
    from toolkit.measures.lm3 import boundary_from_settings
    from toolkit.measures.whatif import show_strengthening, strengthening_tables

    wb = read_workbook(write_hand_workbook(tmp_path))
    boundary = boundary_from_settings(settings, "BD1")
    tables = strengthening_tables(wb, settings, boundary, n=2)
    assert tables["leakage"].lm3.lm3 == pytest.approx(1.588)
    assert len(tables["suppliers"]) == 2
    assert tables["presets"]["lm3"][0] == pytest.approx(1.588)
    assert tables["enabled"].status == "not evidenced"  # no tenants in this workbook
    assert tables["assets"].attrs["status"] == "not evidenced"
    assert all(fig.alt_text for fig in tables["charts"].values())
    assert len(tables["ranking_notes"]) == 1

    shown = []
    monkeypatch.setattr(present, "_display_html", lambda markup, metadata=None:
                        shown.append(markup))
    assert show_strengthening(wb, settings, boundary) is not None
    html = "\n".join(shown)
    assert "National Foods" in html and "alt=" in html
    assert "Enabled jobs and GVA: not evidenced" in html
    assert "What if more were spent locally" in html


def test_strengthening_section_not_evidenced_without_spending(settings, monkeypatch):
    from toolkit import present
    from toolkit.measures.whatif import show_strengthening

    shown = []
    monkeypatch.setattr(present, "_display_html", lambda markup, metadata=None:
                        shown.append(markup))
    assert show_strengthening(hand_inputs(spending=[], staff=[]), settings) is None
    assert "Not evidenced" in shown[0]


@pytest.mark.slow
def test_strengthening_notebook_runs_headless(tmp_path):
    import subprocess
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    jupytext = root / ".venv" / "bin" / "jupytext"
    if not jupytext.exists():
        pytest.skip("jupytext is not installed in .venv")
    import papermill

    notebook = tmp_path / "strengthening.ipynb"
    subprocess.run([str(jupytext), "--to", "ipynb", "-o", str(notebook),
                    str(root / "notebooks" / "strengthening.md")], check=True,
                   capture_output=True)
    out = tmp_path / "out.ipynb"
    papermill.execute_notebook(
        str(notebook), str(out), cwd=str(root / "notebooks"), kernel_name="python3",
        parameters={"registry_path": str(root / "data" / "samples" / "authorities.yml")},
        progress_bar=False)
    text = out.read_text(encoding="utf-8")
    assert "Starting values: 50% of known non-local" in text
    assert "With retail at 25% instead: enabled GVA (gross)" in text
    assert "application/vnd.jupyter.widget-view" in text
    assert "Largest spending leaving the area" in text
