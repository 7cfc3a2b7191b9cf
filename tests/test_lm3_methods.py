"""LM3 brought to the corrected METHODS §1 (issue 14): employer costs, residence, nef's
supplier questions, an interval with close to nominal coverage, the full range, an empty
Staff sheet, and what LM3 measures. Expected values come from the inputs and the formulas."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from toolkit import present
from toolkit.inputs.errors import InputError
from toolkit.inputs.geography import Boundary
from toolkit.inputs.schema import PAY_BAND_MIDPOINTS, PAY_BANDS
from toolkit.inputs.settings import load_settings
from toolkit.inputs.workbook import check_workbook, load_workbook, write_workbook
from toolkit.measures.lm3 import (
    Lm3Inputs,
    compute_lm3,
    lm3_from_workbook,
    lm3_inputs,
    prior_spread,
    share_interval,
    student_t_quantile,
    supplier_answer,
    weighted_share,
)
from toolkit.packs import sections
from toolkit.resources import package_folder

SETTINGS = load_settings()
HALIFAX = "data/samples/calderdale/halifax-northgate-centre_2024-25.xlsx"
CALDERDALE = Boundary.from_codes("Calderdale", ["HX", "HD6", "OL14"])


def _repo_file(name: str):
    return package_folder().parent / name


@pytest.fixture(scope="module")
def halifax():
    wb = load_workbook(_repo_file(HALIFAX))
    return wb, lm3_inputs(wb, SETTINGS, CALDERDALE)


def spending(rows):
    return pd.DataFrame([{"supplier": s, "category": "other", "amount": a, "local": loc,
                          "row": i + 2} for i, (s, a, loc) in enumerate(rows)],
                        columns=["supplier", "category", "amount", "local", "row"])


def staff(rows):
    return pd.DataFrame([{"role": "worker", "fte": 1.0, "gross_pay": p, "local": loc,
                          "row": i + 2} for i, (p, loc) in enumerate(rows)],
                        columns=["role", "fte", "gross_pay", "local", "row"])


BALANCE = [{"total_income": 100.0, "total_expenditure": 100.0, "staff_costs": 0.0,
            "unrestricted_funds": 1.0, "designated_funds": 0.0, "fixed_assets_own_use": 0.0,
            "restricted_funds": 0.0, "net_assets": 1.0}]


def empty_survey(*columns):
    return pd.DataFrame(columns=[*columns, "row"])


# ------------------------------------------------------------------ 1. employer costs


def test_halifax_employer_costs_come_from_the_balance_sheet(halifax):
    wb, inputs = halifax
    gross = float(wb.table("staff")["gross_pay"].sum())
    on_costs = float(wb.balance["staff_costs"]) - gross
    new = compute_lm3(inputs, SETTINGS)
    old = compute_lm3(replace(inputs, employer_costs=0.0), SETTINGS)
    assert new.employer_costs == pytest.approx(on_costs)
    assert new.employer_costs_assumed is False
    assert new.spending_total == pytest.approx(old.spending_total + on_costs)
    # None of the on-costs is local: every local pound is the same, the denominator grows.
    assert new.spending_local == pytest.approx(old.spending_local)
    assert new.lm3 - 1 == pytest.approx((old.lm3 - 1) * old.spending_total / new.spending_total)
    assert round(old.lm3, 3) == 1.914 and round(new.lm3, 3) == 1.856
    assert any("Employer costs of £" in n for n in new.notes)


def test_without_staff_costs_the_on_cost_setting_is_used_and_labelled():
    inputs = Lm3Inputs(100.0, spending([("A", 50.0, True)]), staff([(50.0, True)]),
                       empty_survey("local_share"), empty_survey("supplier"), "Test")
    result = compute_lm3(inputs, SETTINGS)
    rate = SETTINGS.value("lm3.employer_on_cost_rate")
    assert result.employer_costs == pytest.approx(50.0 * rate)
    assert result.employer_costs_assumed is True
    assert result.spending_total == pytest.approx(100.0 + 50.0 * rate)
    assert result.r2 == pytest.approx(100.0 * 100.0 / (100.0 + 50.0 * rate))
    assert any("lm3.employer_on_cost_rate, assumed" in n for n in result.notes)


def test_local_jobs_per_pound_use_the_denominator_with_employer_costs():
    from toolkit.appraisal.evidence import workbook_pattern

    wb = load_workbook(_repo_file(HALIFAX))
    pattern = workbook_pattern(_repo_file(HALIFAX), SETTINGS,
                               {"name": "Calderdale", "postcodes": ["HX", "HD6", "OL14"]})
    inputs = lm3_inputs(wb, SETTINGS, CALDERDALE)
    local_fte = float(inputs.staff.loc[inputs.staff["local"].map(lambda v: v is True),
                                       "fte"].sum())
    total = float(wb.table("spending")["amount"].sum()) + float(wb.balance["staff_costs"])
    assert pattern.jobs_per_pound == pytest.approx(local_fte / total)


# ------------------------------------------------------------------ 2. staff survey


def test_non_resident_staff_answers_are_set_aside(halifax):
    _, inputs = halifax
    extra = pd.DataFrame([{"pay_band": PAY_BANDS[2], "local_share": 0.05, "resident": False,
                           "row": 100 + i} for i in range(4)])
    survey = pd.concat([inputs.staff_survey, extra], ignore_index=True)
    result = compute_lm3(replace(inputs, staff_survey=survey), SETTINGS)
    residents = inputs.staff_survey
    weights = residents["pay_band"].map(PAY_BAND_MIDPOINTS)
    assert result.rho_staff == pytest.approx(weighted_share(residents["local_share"], weights))
    assert round(result.rho_staff, 3) == 0.644
    # Counting the four outsiders, as the toolkit used to, would give 0.544.
    every = survey["pay_band"].map(PAY_BAND_MIDPOINTS)
    assert round(weighted_share(survey["local_share"], every), 3) == 0.544
    assert result.staff_answers_set_aside == 4
    assert result.respondents_staff == len(residents)
    assert any("4 staff survey answer(s) come from people who live outside" in n
               for n in result.notes)


def test_residence_from_district_or_yes_no_through_the_workbook(tmp_path):
    about = [{"name": "T", "org_id": "t", "la_code": "E08000032", "financial_year": "2024-25"}]
    answers = [{"pay_band": PAY_BANDS[2], "local_share": 0.9, "home_district": "BD1"},
               {"pay_band": PAY_BANDS[2], "local_share": 0.1, "home_district": "LS6"},
               {"pay_band": PAY_BANDS[2], "local_share": 0.8, "lives_locally": True},
               {"pay_band": PAY_BANDS[2], "local_share": 0.2, "lives_locally": False},
               {"pay_band": PAY_BANDS[2], "local_share": 0.7}]
    path = write_workbook(tmp_path / "w.xlsx", {
        "about": about, "balance": BALANCE,
        "income": [{"source": "c", "payer": "p", "type": "trading", "amount": 100.0}],
        "spending": [{"supplier": "A", "supplier_postcode": "LS1 1AA", "category": "other",
                      "amount": 50.0}],
        "staff": [{"role": "r", "fte": 1.0, "gross_pay": 50.0, "home_district": "BD1"}] * 5,
        "staff_survey": answers})
    wb = load_workbook(path)
    settings = load_settings(overrides={"checks": {"thin_survey_threshold": 2}})
    result = lm3_from_workbook(wb, settings, Boundary.from_codes("BD1", ["BD1"]))
    assert result.staff_answers_set_aside == 2
    assert result.staff_answers_residence_unknown == 1
    assert result.rho_staff == pytest.approx((0.9 + 0.8 + 0.7) / 3)


def test_pay_band_is_optional_and_answers_are_then_weighted_equally():
    survey = pd.DataFrame([{"pay_band": None, "local_share": s, "row": i + 2}
                           for i, s in enumerate([0.2, 0.4, 0.6, 0.8, 0.9])])
    inputs = Lm3Inputs(100.0, spending([]), staff([(100.0, True)]), survey,
                       empty_survey("supplier"), "Test", employer_costs=0.0)
    result = compute_lm3(inputs, SETTINGS)
    assert result.rho_staff == pytest.approx(np.mean([0.2, 0.4, 0.6, 0.8, 0.9]))
    assert result.staff_weighting == "equal"
    assert any("weighted equally" in n for n in result.notes)
    assert "weighted equally" in sections.lm3_headline(result).note


# ------------------------------------------------------------------ 3. supplier survey


def test_nefs_two_supplier_questions_are_combined_with_the_staff_cost_share():
    answer = {"spending_local": 0.3, "wages_local": 0.9, "staff_cost_share": 0.6, "row": 2}
    assert supplier_answer(answer, 0.4) == (pytest.approx(0.6 * 0.9 + 0.4 * 0.3), False)
    assumed = {"spending_local": 0.3, "wages_local": 0.9, "row": 3}
    assert supplier_answer(assumed, 0.4) == (pytest.approx(0.4 * 0.9 + 0.6 * 0.3), True)
    assert supplier_answer({"local_share": 0.55, "row": 4}, 0.4) == (0.55, False)
    with pytest.raises(InputError, match="row 5: give both nef answers"):
        supplier_answer({"spending_local": 0.3, "row": 5}, 0.4)


def test_round3_uses_both_kinds_of_supplier_answer_weighted_by_spending():
    names = [f"L{i}" for i in range(5)]
    survey = pd.DataFrame(
        [{"supplier": "L0", "spending_local": 0.2, "wages_local": 1.0, "staff_cost_share": 0.5},
         {"supplier": "L1", "spending_local": 0.5, "wages_local": 0.5},
         {"supplier": "L2", "local_share": 0.7},
         {"supplier": "L3", "local_share": 0.4},
         {"supplier": "L4", "local_share": 0.3}]).assign(row=range(2, 7))
    inputs = Lm3Inputs(100.0, spending([(n, 10.0 * (i + 1), True) for i, n in
                                        enumerate(names)]), staff([]),
                       empty_survey("local_share"), survey, "Test")
    result = compute_lm3(inputs, SETTINGS)
    s = SETTINGS.central("lm3.supplier_staff_cost_share")
    rho = [0.5 * 1.0 + 0.5 * 0.2, s * 0.5 + (1 - s) * 0.5, 0.7, 0.4, 0.3]
    assert result.rho_suppliers == pytest.approx(weighted_share(rho, [10, 20, 30, 40, 50]))
    assert any("lm3.supplier_staff_cost_share" in n for n in result.notes)


def test_supplier_answers_through_the_workbook(tmp_path):
    about = [{"name": "T", "org_id": "t", "la_code": "E08000032", "financial_year": "2024-25"}]
    rows = [{"supplier": f"L{i}", "supplier_postcode": f"BD1 {i}AA", "category": "other",
             "amount": 100.0} for i in range(5)]
    answers = [{"supplier": f"L{i}", "spending_local": 0.4, "wages_local": 0.8,
                "staff_cost_share": 0.5} for i in range(5)]
    path = write_workbook(tmp_path / "s.xlsx", {
        "about": about, "balance": BALANCE, "spending": rows, "staff": [],
        "supplier_survey": answers,
        "income": [{"source": "c", "payer": "p", "type": "trading", "amount": 500.0}]})
    wb = load_workbook(path)
    assert not wb.report.errors
    result = lm3_from_workbook(wb, SETTINGS, Boundary.from_codes("BD1", ["BD1"]))
    assert result.rho_suppliers == pytest.approx(0.5 * 0.8 + 0.5 * 0.4)
    assert result.respondents_suppliers == 5


# ------------------------------------------------------------------ 4. the interval


def test_t_quantiles_match_the_published_table():
    # Student's t, upper 5% points (any statistics table).
    for df, value in ((1, 6.314), (4, 2.132), (10, 1.812), (30, 1.697)):
        assert student_t_quantile(0.95, df) == pytest.approx(value, abs=5e-4)


def test_survey_interval_has_close_to_nominal_coverage_at_small_samples():
    """Seeded simulation: 3,000 surveys per population and size, weights by pay band."""
    rng = np.random.default_rng(14)
    level = float(SETTINGS.value("lm3.confidence"))
    spread = prior_spread(SETTINGS.span("lm3.assumed_respend_staff"), level)
    midpoints = np.asarray(list(PAY_BAND_MIDPOINTS.values()))
    bounds = {5: (0.85, 0.95), 8: (0.87, 0.93), 12: (0.87, 0.93), 20: (0.87, 0.93)}
    coverage = {}
    for a, b in ((2, 2), (5, 2), (1, 3)):
        for n, (lowest, highest) in bounds.items():
            shares = rng.beta(a, b, size=(3000, n))
            weights = midpoints[rng.integers(0, midpoints.size, size=(3000, n))]
            low, high = share_interval(shares, weights, spread, level)
            true = a / (a + b)
            coverage[(a, b, n)] = float(np.mean((low <= true) & (true <= high)))
            assert lowest <= coverage[(a, b, n)] <= highest, coverage


def test_one_answer_moved_by_a_point_moves_neither_end_by_more_than_two_points():
    def result(shares):
        names = [f"L{i}" for i in range(len(shares))]
        survey = pd.DataFrame({"supplier": names, "local_share": shares,
                               "row": range(2, 2 + len(shares))})
        inputs = Lm3Inputs(100.0, spending([(n, 20.0, True) for n in names]
                                           + [("Away", 100.0, False)]), staff([]),
                           empty_survey("local_share"), survey, "Test")
        return compute_lm3(inputs, SETTINGS)

    same = result([0.5] * 5)
    moved = result([0.5] * 4 + [0.51])
    assert same.lm3_high - same.lm3_low > 0
    assert abs(moved.lm3_low - same.lm3_low) <= 0.02
    assert abs(moved.lm3_high - same.lm3_high) <= 0.02
    assert abs(moved.full_low - same.full_low) <= 0.02
    assert abs(moved.full_high - same.full_high) <= 0.02


# ------------------------------------------------------------------ 5. two ranges


def test_full_range_spans_unknown_locations_and_thin_groups():
    inputs = Lm3Inputs(100.0, spending([("A", 50.0, True), ("B", 50.0, None)]), staff([]),
                       empty_survey("local_share"), empty_survey("supplier"), "Test")
    result = compute_lm3(inputs, SETTINGS)
    low, high = SETTINGS.span("lm3.assumed_respend_suppliers")
    # Survey interval: the thin suppliers' span, unknown counted not local.
    assert (result.lm3_low, result.lm3_high) == pytest.approx((1.5 + 0.5 * low,
                                                               1.5 + 0.5 * high))
    # Full range: unknown not local at the low end, local at the high end.
    assert result.full_low == pytest.approx(1 + 0.5 + 0.5 * low)
    assert result.full_high == pytest.approx(1 + 1.0 + 1.0 * high)
    data = result.to_dict()
    assert data["full_range_low"] == result.full_low
    assert data["full_range_high"] == result.full_high
    assert "location is unknown" in data["full_range_covers"]


def test_halifax_full_range_covers_the_unknown_and_take_home(halifax):
    _, inputs = halifax
    result = compute_lm3(inputs, SETTINGS)
    assert result.unknown_spending == pytest.approx(175_368.62)
    assert result.full_low <= min(result.lm3_low, result.take_home["lm3_low"])
    assert result.full_high >= max(result.lm3_high, result.lm3_unknown_as_local,
                                   result.take_home["lm3_high"])
    headline = sections.lm3_headline(result)
    assert (headline.low, headline.high) == (result.full_low, result.full_high)
    assert "Full range" in headline.note and "Survey 90% interval" in headline.note
    assert f"(full range {headline.range_text})" in headline.sentence()


# ------------------------------------------------------------------ 6. empty Staff sheet


def test_empty_staff_sheet_with_staff_costs_warns_and_counts_them(tmp_path):
    about = [{"name": "T", "org_id": "t", "la_code": "E08000032", "financial_year": "2024-25"}]
    balance = [{"total_income": 200.0, "total_expenditure": 200.0, "staff_costs": 100.0,
                "unrestricted_funds": 1.0, "designated_funds": 0.0, "fixed_assets_own_use": 0.0,
                "restricted_funds": 0.0, "net_assets": 1.0}]
    path = write_workbook(tmp_path / "e.xlsx", {
        "about": about, "balance": balance, "staff": [],
        "income": [{"source": "c", "payer": "p", "type": "trading", "amount": 200.0}],
        "spending": [{"supplier": "A", "supplier_postcode": "BD1 1AA", "category": "other",
                      "amount": 100.0}]})
    wb = load_workbook(path)
    result = lm3_from_workbook(wb, SETTINGS, Boundary.from_codes("BD1", ["BD1"]))
    assert result.spending_total == pytest.approx(200.0)
    assert result.r2 == pytest.approx(200.0 * 100.0 / 200.0)
    assert any(n.startswith("Warning: the Staff sheet is empty") for n in result.notes)
    check_workbook(wb)
    assert any("Staff sheet is empty" in w.message for w in wb.report.warnings)


# ------------------------------------------------------------------ 7. what LM3 measures


def test_the_pack_says_once_what_lm3_measures(halifax, monkeypatch):
    _, inputs = halifax
    shown = []
    monkeypatch.setattr(present, "_display_html", shown.append)
    monkeypatch.setattr(present, "write_table_csv", lambda *a, **k: None, raising=False)
    result = compute_lm3(inputs, SETTINGS)
    sections.show_lm3([result, result])
    html = "".join(str(h) for h in shown)
    assert html.count("do not add LM3 pounds to SROI pounds or to GVA") == 1
    notebook = (package_folder().parent / "notebooks" / "organisation.md").read_text()
    assert notebook.count("sections.show_lm3(") == 1


def test_leakage_counts_employer_costs_as_leaving_in_round_two(halifax):
    from toolkit.measures.leakage import leakage

    _, inputs = halifax
    found = leakage(inputs, SETTINGS)
    rounds = found.rounds[found.rounds["round"] == 2]
    assert rounds["pence"].sum() == pytest.approx(100.0)
    employer = rounds.loc[rounds["line"].str.startswith("employer costs"), "pence"].item()
    assert employer == pytest.approx(100.0 * found.lm3.employer_costs / found.lm3.spending_total)
    categories = found.by_category.set_index("category")
    assert categories.loc["employer costs (National Insurance, pension)", "pence_per_pound"] == \
        pytest.approx(employer)


def test_a_tiny_group_does_not_break_the_interval():
    # Found by the property test: pay of 1e-119 made each variance part underflow when
    # squared, and the Welch-Satterthwaite degrees of freedom divided by zero.
    from toolkit.measures.lm3 import _GroupRate, _lm3_interval

    rates = {"staff": _GroupRate("staff", 0.0, False, 5, (0.3, 0.7), se=0.024, df=4),
             "suppliers": _GroupRate("suppliers", 0.4, True, 0, (0.2, 0.6),
                                     corners=(0.2, 0.6))}
    low, high = _lm3_interval(2.0, {"staff": 3e-119, "suppliers": 1.0}, rates, 0.9)
    assert low == pytest.approx(2.2) and high == pytest.approx(2.6)
