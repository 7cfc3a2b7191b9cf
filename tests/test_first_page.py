"""Each pack's first page takes its figures from the toolkit's own headline functions."""

from __future__ import annotations

import pytest

from conftest import REGISTRY, SAMPLES
from toolkit import present
from toolkit.inputs.settings import load_settings
from toolkit.packs import combined, first_page, sections
from toolkit.packs import inputs as packs_inputs
from toolkit.present import Headline


def test_boundary_text_names_the_postcodes_and_says_how_many_more():
    codes = [f"HX{i}" for i in range(1, first_page.POSTCODES_SHOWN + 4)]
    text = first_page.boundary_text("Calderdale", codes)
    assert text.startswith("Calderdale (postcodes HX1, HX2")
    assert text.endswith(" and 3 more)")
    assert first_page.boundary_text("Anywhere", []) == "Anywhere"


def test_pick_keeps_the_order_asked_and_never_makes_a_figure():
    heads = [Headline("Income studied", 1.0, "money"), Headline("LM3, weighted", 2.0, "ratio")]
    assert first_page.pick(heads, "LM3", "Income", "Nothing") == [heads[1], heads[0]]


def test_non_local_comparison_comes_from_its_setting_and_is_assumed(tmp_path):
    own = tmp_path / "own.yml"
    own.write_text("comparison:\n  non_local_lm3: {value: 1.5, low: 1.4, high: 1.7}\n")
    compared = first_page.non_local_comparison(load_settings(own))
    assert (compared.figure.value, compared.figure.low, compared.figure.high) == (1.5, 1.4, 1.7)
    assert compared.figure.basis == "assumed"
    assert first_page.NON_LOCAL_SETTING in compared.source


def test_a_range_setting_out_of_order_is_refused(tmp_path):
    own = tmp_path / "own.yml"
    own.write_text("comparison:\n  non_local_lm3: {value: 1.2, low: 1.4, high: 1.7}\n")
    with pytest.raises(Exception, match="comparison.non_local_lm3"):
        load_settings(own)


def test_local_share_chart_describes_every_bar_in_its_alt_text():
    figure = first_page.local_share_chart([("A", 0.5, 0.5), ("B council", 0.33, 0.53)], "Share")
    assert figure.alt_text == "Horizontal bar chart. Share: A 50%; B council 33% to 53%."


@pytest.fixture(scope="module")
def halifax():
    from toolkit.measures.jobs import jobs_from_workbook
    from toolkit.measures.lm3 import lm3_for_boundaries

    pack = packs_inputs.open_organisation(REGISTRY, "halifax-northgate-centre")
    lm3 = lm3_for_boundaries(pack.workbook, pack.settings, pack.boundaries)
    jobs = packs_inputs.attempt(jobs_from_workbook, pack.workbook, pack.settings, pack.local)
    return pack, lm3, jobs, first_page.organisation_first_page(pack, lm3, jobs)


def test_organisation_first_page_uses_the_packs_own_headlines(halifax):
    pack, lm3, jobs, page = halifax
    assert 3 <= len(page.figures) <= 5
    assert page.figures[0] == sections.lm3_headline(lm3[0])
    assert page.figures[1].value == pytest.approx(100 * lm3[0].r2 / lm3[0].r1)
    assert sections.income_headline(pack.workbook) in page.figures
    assert page.chart is not None and page.chart.alt_text.startswith("Stacked bar chart")
    assert present.ratio(lm3[0].lm3) in page.meaning
    # official boundaries: the council by name and code, from the ONS Postcode Directory
    assert lm3[0].boundary_name in page.boundary and "E08000033" in page.boundary


def test_organisation_with_two_years_is_compared_with_its_year_before(halifax):
    from toolkit.measures.lm3 import lm3_from_workbook

    pack, _, _, page = halifax
    assert len(pack.workbooks) == 2
    earlier = lm3_from_workbook(pack.workbooks[0], pack.settings, pack.local)
    year = [c for c in page.comparisons if "year before" in c.label]
    assert len(year) == 1
    assert year[0].figure.value == pytest.approx(earlier.lm3)
    assert pack.workbooks[0].path.name in year[0].source
    assert any(c.source.startswith(f"setting {first_page.NON_LOCAL_SETTING}")
               for c in page.comparisons)


def test_authority_first_page_shows_the_councils_range(tmp_path):
    area = packs_inputs.open_authority(REGISTRY, "calderdale")
    figures = combined.organisation_figures(area)
    spending = combined.council_spending(area)
    headlines = combined.authority_headlines(figures, spending, area.name)
    page = first_page.authority_first_page(area, figures, spending, headlines)
    assert 3 <= len(page.figures) <= 5
    assert all(f in headlines for f in page.figures)
    council = combined.spending_headline(spending, area.name)
    assert council in page.figures
    assert f"{present.share(council.low, 1)} to {present.share(council.high, 1)}" in page.meaning
    assert page.chart.alt_text.count(";") == len(figures)  # each organisation and the council


def test_a_councils_spending_alone_shows_no_empty_organisation_figures():
    area = packs_inputs.open_authority(REGISTRY, "calderdale")
    spending = combined.council_spending(area)
    headlines = combined.authority_headlines([], spending, area.name)
    assert not any(h.label.startswith(("Organisations included", "Income studied", "LM3"))
                   for h in headlines)
    head = spending.summary()["headline"]
    by_label = {h.label: h.value for h in headlines}
    assert by_label["Suppliers paid"] == head["suppliers"]
    assert by_label["Payments analysed (all spending)"] == pytest.approx(head["total"])
    page = first_page.authority_first_page(area, [], spending, headlines)
    assert 3 <= len(page.figures) <= 5 and not page.comparisons
    assert "0 organisations" not in page.meaning
    assert present.share(head["local_share_low"], 1) in page.meaning
    # the title and summary speak of the council's spending, not of anchors it has none of
    assert "anchor" not in combined.authority_subtitle([])
    assert "anchor" not in combined.summary_words([])
    assert "no community organisations' workbooks" in combined.summary_words([])
    assert "anchors together" in combined.authority_subtitle(["an organisation"])


def test_appraisal_first_page_takes_the_appraisals_figures():
    from toolkit.appraisal.appraise import appraise, gather_evidence, load_scenario

    settings = load_settings(None)
    scenario = load_scenario(SAMPLES / "calderdale_youth_scenario.yml")
    result = appraise(scenario, settings, evidence=gather_evidence(scenario, settings))
    page = first_page.appraisal_first_page(result, settings)
    row = result.options.set_index("name").loc[result.appraised]
    assert 3 <= len(page.figures) <= 5
    assert page.figures[0].value == row["lm3"] and page.figures[0].basis == "evidenced"
    assert page.meaning == result.headline["value_ratio_words"]
    assert page.comparisons[0].label.startswith(result.comparator)
    assert page.chart.alt_text.startswith("Bar chart of price and local")
