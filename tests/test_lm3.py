"""LM3: published cases, rounds, surveys, thin groups, intervals and bad input (METHODS §1)."""

from __future__ import annotations

import json
from dataclasses import replace

import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from toolkit.inputs.errors import InputError
from toolkit.inputs.geography import Boundary
from toolkit.inputs.schema import PAY_BANDS
from toolkit.inputs.settings import load_settings
from toolkit.inputs.workbook import load_workbook, write_workbook
from toolkit.measures.lm3 import (
    Lm3Inputs,
    compute_lm3,
    constant_share_lm3,
    lm3_for_boundaries,
    lm3_from_rounds,
    lm3_from_workbook,
    lm3_inputs,
    northumberland_values,
    prior_spread,
    student_t_quantile,
    weighted_share,
)

SETTINGS = load_settings()
FAST = load_settings(overrides={"lm3": {"bootstrap_samples": 200}})


# --------------------------------------------------------------------------- helpers


def gross_only(inputs):
    """The inputs with no employer costs: nef's published cases count gross pay only."""
    return replace(inputs, employer_costs=0.0)


def spending(rows):
    """rows: (supplier, amount, local)."""
    return pd.DataFrame(
        [{"supplier": s, "category": "other", "amount": a, "local": loc, "row": i + 2}
         for i, (s, a, loc) in enumerate(rows)],
        columns=["supplier", "category", "amount", "local", "row"])


def staff(rows):
    """rows: (gross_pay, local)."""
    return pd.DataFrame(
        [{"role": "worker", "fte": 1.0, "gross_pay": p, "local": loc, "row": i + 2}
         for i, (p, loc) in enumerate(rows)],
        columns=["role", "fte", "gross_pay", "local", "row"])


def staff_survey(shares, band=PAY_BANDS[2]):
    return pd.DataFrame([{"pay_band": band, "local_share": s, "row": i + 2}
                         for i, s in enumerate(shares)], columns=["pay_band", "local_share", "row"])


def supplier_survey(pairs):
    return pd.DataFrame([{"supplier": n, "local_share": s, "row": i + 2}
                         for i, (n, s) in enumerate(pairs)],
                        columns=["supplier", "local_share", "row"])


def suppliers_only(r1, local_share, rho, n=5, nonlocal_rho=None):
    """Inputs with n local suppliers answering rho, the rest of spending non-local."""
    local_each = local_share * 100.0 / n
    rows = [(f"Local {i}", local_each, True) for i in range(n)]
    rows += [(f"Away {i}", (1 - local_share) * 100.0 / n, False) for i in range(n)]
    answers = [(f"Local {i}", rho) for i in range(n)]
    if nonlocal_rho is not None:
        answers += [(f"Away {i}", nonlocal_rho) for i in range(n)]
    return Lm3Inputs(r1, spending(rows), staff([]), staff_survey([]),
                     supplier_survey(answers), "Test area")


ABOUT = [{"name": "Test Trust", "org_id": "test-trust", "la_code": "E08000032",
          "financial_year": "2024-25", "fictional": True}]
BALANCE = [{"total_income": 10.0, "total_expenditure": 10.0, "staff_costs": 0.0,
            "unrestricted_funds": 1.0, "designated_funds": 0.0, "fixed_assets_own_use": 0.0,
            "restricted_funds": 0.0, "net_assets": 1.0}]
BD = load_settings(overrides={"boundary": {"name": "Bradford centre", "postcodes": ["BD1"]}})


def book(tmp_path, name="book.xlsx", **tables):
    tables = {"about": ABOUT, "balance": BALANCE, **tables}
    return load_workbook(write_workbook(tmp_path / name, tables))


def supplier_book(tmp_path, income, local_share, rho, nonlocal_rho=None, n=5, name="b.xlsx"):
    """A workbook whose spending is local_share in BD1, with n local supplier answers."""
    rows = [{"supplier": f"Local {i}", "supplier_postcode": f"BD1 {i}AA", "category": "other",
             "amount": round(local_share * 1000 / n, 6)} for i in range(n)]
    rows += [{"supplier": f"Away {i}", "supplier_postcode": f"LS1 {i}AA", "category": "other",
              "amount": round((1 - local_share) * 1000 / n, 6)} for i in range(n)]
    answers = [{"supplier": f"Local {i}", "local_share": rho} for i in range(n)]
    if nonlocal_rho is not None:
        answers += [{"supplier": f"Away {i}", "local_share": nonlocal_rho} for i in range(n)]
    income_rows = [{"source": "Contract", "payer": "Council", "type": "public contract",
                    "amount": income}]
    return book(tmp_path, name, income=income_rows, spending=rows, staff=[],
                supplier_survey=answers)


# --------------------------------------------------------------------------- published cases


def test_constant_share_published_cases():
    assert constant_share_lm3(0.8) == pytest.approx(2.44)
    assert constant_share_lm3(0.2) == pytest.approx(1.24)
    assert lm3_from_rounds(10, 8, 6.40) == pytest.approx(2.44)
    assert lm3_from_rounds(10, 2, 0.40) == pytest.approx(1.24)


@pytest.mark.parametrize("p, expected", [(0.8, 2.44), (0.2, 1.24)])
def test_constant_share_through_compute(p, expected):
    result = compute_lm3(suppliers_only(10.0, p, p), SETTINGS)
    assert result.r2 == pytest.approx(10 * p)
    assert result.r3 == pytest.approx(10 * p * p)
    assert result.lm3 == pytest.approx(expected)
    assert result.assumed == []


def test_constant_share_through_staff_take_home():
    # £10 -> £8 to local staff -> take-home 80% of it, all spent locally: £6.40.
    inputs = Lm3Inputs(10.0, spending([("Away", 20.0, False)]), staff([(80.0, True)]),
                       staff_survey([1.0] * 5), supplier_survey([]), "Test")
    result = compute_lm3(gross_only(inputs), SETTINGS)
    assert (result.r1, result.r2, result.r3) == pytest.approx((10, 8, 6.4))
    assert result.lm3 == pytest.approx(2.44)


@pytest.mark.parametrize("p, expected", [(0.8, 2.44), (0.2, 1.24)])
def test_constant_share_through_workbook(tmp_path, p, expected):
    result = lm3_from_workbook(supplier_book(tmp_path, 10.0, p, p), BD)
    assert result.r2 == pytest.approx(10 * p)
    assert result.lm3 == pytest.approx(expected)
    assert result.respondents_suppliers == 5
    assert result.boundary_name == "Bradford centre"


def test_northumberland_published_case():
    assert northumberland_values(0.76, 0.36) == pytest.approx((1.76, 0.36))


def test_northumberland_through_workbook(tmp_path):
    result = lm3_from_workbook(supplier_book(tmp_path, 10.0, 0.5, 0.76, nonlocal_rho=0.36), BD)
    north = result.northumberland
    assert north["local_per_pound"] == pytest.approx(1.76)
    assert north["nonlocal_per_pound"] == pytest.approx(0.36)
    assert north["respondents_local"] == 5 and north["respondents_nonlocal"] == 5
    # Non-local suppliers' answers never enter round 3.
    assert result.rho_suppliers == pytest.approx(0.76)


def test_northumberland_nonlocal_thin_is_not_invented():
    result = compute_lm3(suppliers_only(10.0, 0.5, 0.76, nonlocal_rho=None), SETTINGS)
    assert result.northumberland["nonlocal_per_pound"] is None
    assert "not evidenced" in result.northumberland["note"]


def test_nef_local_food_published_case(tmp_path):
    # £10 with a local food business is worth £25 to the area; in a supermarket £14.
    assert 10 * lm3_from_rounds(10, 8, 7) == pytest.approx(25)
    assert 10 * lm3_from_rounds(10, 2.5, 1.5) == pytest.approx(14)
    local = lm3_from_workbook(supplier_book(tmp_path, 10.0, 0.8, 0.875, name="l.xlsx"), BD)
    chain = lm3_from_workbook(supplier_book(tmp_path, 10.0, 0.25, 0.6, name="s.xlsx"), BD)
    assert local.lm3 == pytest.approx(2.5)
    assert chain.lm3 == pytest.approx(1.4)
    assert local.r1 + local.r2 + local.r3 == pytest.approx(25)
    assert chain.r1 + chain.r2 + chain.r3 == pytest.approx(14)


# --------------------------------------------------------------------------- rounds


def test_round2_uses_local_share_of_all_spending_including_pay():
    inputs = Lm3Inputs(
        1000.0,
        spending([("A", 300.0, True), ("B", 100.0, False)]),
        staff([(400.0, True), (200.0, False)]),
        staff_survey([]), supplier_survey([]), "Test")
    result = compute_lm3(gross_only(inputs), SETTINGS)
    assert result.local_share_of_spending == pytest.approx(0.7)
    assert result.r2_staff == pytest.approx(400.0)
    assert result.r2_suppliers == pytest.approx(300.0)
    assert result.r2 == pytest.approx(700.0)
    # Both surveys absent: assumed rates, and both listed as assumed.
    assert result.r3_staff == pytest.approx(400 * 0.8 * 0.5)
    assert result.r3_suppliers == pytest.approx(300 * 0.4)
    assert len(result.assumed) == 2
    assert result.pence_per_pound["round_2"] == pytest.approx(70.0)
    assert result.pence_per_pound["round_3"] == pytest.approx((160 + 120) / 10)


def test_income_lines_marked_no_are_left_out_of_round1(tmp_path):
    wb = book(tmp_path, income=[
        {"source": "Contract", "payer": "Council", "type": "public contract", "amount": 10.0},
        {"source": "Cafe", "payer": "Customers", "type": "trading", "amount": 90.0,
         "in_lm3": False},
        {"source": "Grant", "payer": "Fund", "type": "other grant", "amount": 5.0,
         "in_lm3": True}],
        spending=[{"supplier": "A", "supplier_postcode": "BD1 1AA", "category": "other",
                   "amount": 10.0}], staff=[])
    inputs = lm3_inputs(wb, BD)
    assert inputs.r1 == pytest.approx(15.0)
    assert any("marked not to be included" in n for n in inputs.notes)


def test_staff_weights_are_pay_band_midpoints_with_top_band_setting():
    survey = pd.DataFrame([
        {"pay_band": PAY_BANDS[0], "local_share": 1.0, "row": 2},
        {"pay_band": PAY_BANDS[-1], "local_share": 0.0, "row": 3}])
    expected_default = 5_000 / (5_000 + 60_000)
    top = load_settings(overrides={"lm3": {"top_pay_band_midpoint": 95_000}})
    from toolkit.measures.lm3 import staff_survey_weights
    got = staff_survey_weights(survey, SETTINGS)
    assert weighted_share(got.shares, got.weights) == pytest.approx(expected_default)
    got = staff_survey_weights(survey, top)
    assert weighted_share(got.shares, got.weights) == pytest.approx(5_000 / 100_000)


def test_supplier_weights_are_spending_joined_by_name():
    inputs = Lm3Inputs(
        100.0,
        spending([("Acme Ltd", 900.0, True), ("Bolt", 100.0, True)]),
        staff([]), staff_survey([]),
        supplier_survey([("  ACME  ltd", 0.5), ("Bolt", 1.0), ("Nobody", 0.9)]), "Test")
    low = load_settings(overrides={"checks": {"thin_survey_threshold": 2}})
    result = compute_lm3(inputs, low)
    assert result.rho_suppliers == pytest.approx((900 * 0.5 + 100 * 1.0) / 1000)
    assert result.respondents_suppliers == 2
    assert result.unmatched_survey_suppliers == ["Nobody"]
    assert any("match no supplier" in n for n in result.notes)


def test_supplier_survey_matches_names_as_the_spend_analysis_does():
    # The same supplier written three ways: one key (toolkit.inputs.names), so one respondent.
    inputs = Lm3Inputs(
        100.0,
        spending([("The Mill & Co Limited", 600.0, True), ("Oak Lane Bakery", 400.0, True)]),
        staff([]), staff_survey([]),
        supplier_survey([("mill and co ltd", 0.2), ("OAK LANE BAKERY CIC", 0.6),
                         ("Oak Lane Butchers", 0.9)]), "Test")
    result = compute_lm3(inputs, load_settings(overrides={"checks": {"thin_survey_threshold": 2}}))
    assert result.rho_suppliers == pytest.approx((600 * 0.2 + 400 * 0.6) / 1000)
    assert result.unmatched_survey_suppliers == ["Oak Lane Butchers"]


def test_unknown_location_is_not_local_and_reported():
    inputs = Lm3Inputs(100.0, spending([("A", 50.0, True), ("B", 50.0, None)]),
                       staff([(100.0, None)]), staff_survey([]), supplier_survey([]), "Test")
    result = compute_lm3(gross_only(inputs), SETTINGS)
    assert result.r2 == pytest.approx(25.0)
    assert result.unknown_spending == pytest.approx(50.0)
    assert result.unknown_staff_pay == pytest.approx(100.0)
    assert sum("unknown" in n for n in result.notes) == 2
    assert result.lm3_unknown_as_local > result.lm3


def test_blank_postcode_is_unknown_through_workbook(tmp_path):
    wb = book(tmp_path, income=[{"source": "c", "payer": "p", "type": "trading",
                                 "amount": 10.0}],
              spending=[{"supplier": "A", "category": "other", "amount": 6.0},
                        {"supplier": "B", "supplier_postcode": "BD1 1AA", "category": "other",
                         "amount": 4.0}], staff=[])
    result = lm3_from_workbook(wb, BD)
    assert result.unknown_spending == pytest.approx(6.0)
    assert result.r2 == pytest.approx(4.0)


def test_postcode_outside_the_uk_is_not_local_rather_than_unknown():
    from toolkit.measures.lm3 import classify_local
    bd1 = Boundary.from_codes("BD1", ["BD1"])
    assert classify_local(["BD1 1AA", "LS1 1AA", "D02 X285", "", None, "VARIOUS"], bd1) == [
        True, False, False, None, None, None]


# --------------------------------------------------------------------------- thin and intervals


def test_thin_group_uses_assumed_rate_and_its_span():
    inputs = suppliers_only(100.0, 0.5, 0.9, n=1)
    result = compute_lm3(inputs, SETTINGS)
    assert result.respondents_suppliers == 1
    assert result.rho_suppliers == pytest.approx(0.4)
    assert "lm3.assumed_respend_suppliers" in result.assumed[0]
    # Only suppliers matter and they are thin: interval from the span alone.
    assert result.lm3_low == pytest.approx(1 + 0.5 + 0.5 * 0.2)
    assert result.lm3_high == pytest.approx(1 + 0.5 + 0.5 * 0.6)
    assert result.lm3_low < result.lm3 < result.lm3_high


def test_thin_staff_with_surveyed_suppliers_takes_outer_bounds():
    answers = [(f"L{i}", s) for i, s in enumerate([0.2, 0.4, 0.6, 0.8, 0.5, 0.7])]
    inputs = Lm3Inputs(100.0, spending([(f"L{i}", 10.0, True) for i in range(6)]),
                       staff([(40.0, True)]), staff_survey([0.9]),
                       supplier_survey(answers), "Test")
    result = compute_lm3(inputs, SETTINGS)
    assert len(result.assumed) == 1 and "staff" in result.assumed[0]
    # Outer bounds: at least as wide as the staff span alone would move the score.
    t = 0.8
    swing = 40.0 * t * (0.7 - 0.3) / 100.0
    assert result.lm3_high - result.lm3_low > swing
    assert result.lm3_low <= result.lm3 <= result.lm3_high


def test_single_respondent_below_lowered_threshold_is_never_zero_width():
    one = load_settings(overrides={"checks": {"thin_survey_threshold": 1}})
    result = compute_lm3(suppliers_only(100.0, 0.5, 0.9, n=1), one)
    assert result.assumed == []
    assert result.rho_suppliers == pytest.approx(0.9)
    # One answer: the pseudo-answer's spread alone, t with 1 degree of freedom, clipped at 1.
    spread = prior_spread(SETTINGS.span("lm3.assumed_respend_suppliers"), 0.90)
    half = student_t_quantile(0.95, 1) * spread
    assert result.lm3_low == pytest.approx(1 + 0.5 + 0.5 * max(0.0, 0.9 - half))
    assert result.lm3_high == pytest.approx(1 + 0.5 + 0.5 * min(1.0, 0.9 + half))
    assert result.lm3_high > result.lm3_low


def test_identical_answers_are_widened_not_certain():
    result = compute_lm3(suppliers_only(100.0, 0.5, 0.8), SETTINGS)
    # Five equal answers, equal weights: se = spread / 5 (one pseudo-answer pooled in).
    spread = prior_spread(SETTINGS.span("lm3.assumed_respend_suppliers"), 0.90)
    half = student_t_quantile(0.95, 4) * spread / 5
    assert result.lm3_low == pytest.approx(1 + 0.5 + 0.5 * (0.8 - half))
    assert result.lm3_high == pytest.approx(1 + 0.5 + 0.5 * (0.8 + half))
    assert result.lm3_low < result.lm3 < result.lm3_high


def test_interval_is_reproducible_and_draws_no_random_numbers():
    shares = [0.1, 0.9, 0.5, 0.3, 0.7, 0.65, 0.2, 0.45, 0.8, 0.35, 0.55, 0.15]
    rows = [(f"L{i}", 10.0 + 7.0 * i, True) for i in range(12)] + [("Away", 500.0, False)]
    inputs = Lm3Inputs(100.0, spending(rows), staff([]), staff_survey([]),
                       supplier_survey([(f"L{i}", s) for i, s in enumerate(shares)]), "Test")
    first, second = compute_lm3(inputs, SETTINGS), compute_lm3(inputs, SETTINGS)
    assert (first.lm3_low, first.lm3_high) == (second.lm3_low, second.lm3_high)
    other = compute_lm3(inputs, load_settings(overrides={"lm3": {"seed": 7}}))
    assert (other.lm3_low, other.lm3_high) == (first.lm3_low, first.lm3_high)
    low, high = first.rho_suppliers_interval
    assert low < first.rho_suppliers < high
    assert first.to_dict()["bootstrap"]["used"] is False


def test_take_home_share_span_effect_is_shown():
    inputs = Lm3Inputs(10.0, spending([]), staff([(10.0, True)]), staff_survey([1.0] * 5),
                       supplier_survey([]), "Test")
    result = compute_lm3(gross_only(inputs), SETTINGS)
    assert result.take_home["assumed"] is True
    assert result.take_home["lm3_low"] == pytest.approx(1 + 1 + 0.75)
    assert result.take_home["lm3_high"] == pytest.approx(1 + 1 + 0.85)
    assert any("lm3.take_home_share" in n for n in result.notes)


def test_result_is_json_ready_with_required_keys():
    result = compute_lm3(suppliers_only(10.0, 0.8, 0.8), SETTINGS)
    data = json.loads(json.dumps(result.to_dict()))
    for key in ("r1", "r2", "r3", "lm3", "lm3_low", "lm3_high", "respondents_staff",
                "respondents_suppliers", "assumed"):
        assert key in data
    assert data["assumed"] == []
    assert data["lm3"] == pytest.approx(2.44)


def test_several_boundaries_each_with_its_own_score(tmp_path):
    wb = book(tmp_path, income=[{"source": "c", "payer": "p", "type": "trading",
                                 "amount": 100.0}],
              spending=[{"supplier": "A", "supplier_postcode": "BD1 1AA", "category": "other",
                         "amount": 50.0},
                        {"supplier": "B", "supplier_postcode": "BD7 2AA", "category": "other",
                         "amount": 30.0},
                        {"supplier": "C", "supplier_postcode": "M1 1AA", "category": "other",
                         "amount": 20.0}], staff=[])
    district = Boundary.from_codes("BD1 only", ["BD1"])
    wider = {"name": "Bradford postcode area", "postcodes": ["BD"]}
    narrow, wide = lm3_for_boundaries(wb, SETTINGS, [district, wider])
    assert narrow.boundary_name == "BD1 only" and wide.boundary_name == "Bradford postcode area"
    assert narrow.r2 == pytest.approx(50.0)
    assert wide.r2 == pytest.approx(80.0)
    assert wide.lm3 > narrow.lm3


# --------------------------------------------------------------------------- bad input


def test_zero_income_is_a_clear_error():
    with pytest.raises(InputError, match="more than £0"):
        compute_lm3(suppliers_only(0.0, 0.5, 0.5), SETTINGS)


def test_all_income_left_out_is_a_clear_error(tmp_path):
    wb = book(tmp_path, income=[{"source": "c", "payer": "p", "type": "trading",
                                 "amount": 10.0, "in_lm3": False}],
              spending=[{"supplier": "A", "supplier_postcode": "BD1 1AA", "category": "other",
                         "amount": 10.0}], staff=[])
    with pytest.raises(InputError, match="Include in LM3"):
        lm3_from_workbook(wb, BD)


def test_no_spending_and_no_staff_is_a_clear_error():
    with pytest.raises(InputError, match="Spending plus staff pay"):
        compute_lm3(Lm3Inputs(10.0, spending([]), staff([]), staff_survey([]),
                              supplier_survey([]), "Test"), SETTINGS)


def test_no_local_staff_gives_defined_result():
    inputs = Lm3Inputs(10.0, spending([("A", 5.0, True)]), staff([(5.0, False)]),
                       staff_survey([0.5]), supplier_survey([]), "Test")
    result = compute_lm3(gross_only(inputs), SETTINGS)
    assert result.r2_staff == 0 and result.r3_staff == 0
    assert result.lm3 == pytest.approx(1 + 0.5 + 0.5 * 0.4)
    assert all("staff" not in a for a in result.assumed)
    assert any("No staff pay goes to staff who live locally" in n for n in result.notes)


def test_no_suppliers_gives_defined_result():
    inputs = Lm3Inputs(10.0, spending([]), staff([(5.0, True), (5.0, False)]),
                       staff_survey([]), supplier_survey([]), "Test")
    result = compute_lm3(gross_only(inputs), SETTINGS)
    assert result.r2 == pytest.approx(5.0) and result.r2_suppliers == 0
    assert any("spending table is empty" in n for n in result.notes)


def test_more_staff_answers_than_staff_is_noted():
    inputs = Lm3Inputs(10.0, spending([]), staff([(5.0, True)]), staff_survey([0.5] * 6),
                       supplier_survey([]), "Test")
    result = compute_lm3(inputs, SETTINGS)
    assert any("6 answers but the Staff sheet has 1 rows" in n for n in result.notes)


def test_nothing_local_gives_lm3_of_one_with_a_note():
    inputs = Lm3Inputs(10.0, spending([("A", 5.0, False)]), staff([]), staff_survey([]),
                       supplier_survey([]), "Test")
    result = compute_lm3(inputs, SETTINGS)
    assert result.lm3 == 1.0 and result.assumed == []
    assert any("Nothing is spent locally" in n for n in result.notes)


def test_share_given_as_percent_is_refused_with_hint():
    inputs = suppliers_only(10.0, 0.5, 80)
    with pytest.raises(InputError, match="0.8 for 80%"):
        compute_lm3(inputs, SETTINGS)


def test_shares_that_do_not_add_up_are_refused():
    # A refund larger than the other non-local spending makes local exceed the total.
    inputs = Lm3Inputs(10.0, spending([("A", 10.0, True), ("B", -5.0, False)]), staff([]),
                       staff_survey([]), supplier_survey([]), "Test")
    with pytest.raises(InputError, match="do not add up"):
        compute_lm3(inputs, SETTINGS)


def test_local_refunds_larger_than_local_spending_are_refused():
    inputs = Lm3Inputs(10.0, spending([("A", -3.0, True), ("B", 5.0, False)]),
                       staff([(10.0, True)]), staff_survey([]), supplier_survey([]), "Test")
    with pytest.raises(InputError, match="local suppliers nets to"):
        compute_lm3(inputs, SETTINGS)


def test_unknown_pay_band_is_refused():
    inputs = Lm3Inputs(10.0, spending([]), staff([(5.0, True)]),
                       staff_survey([0.5], band="lots"), supplier_survey([]), "Test")
    with pytest.raises(InputError, match="pay band 'lots'"):
        compute_lm3(inputs, SETTINGS)


def test_missing_boundary_is_a_clear_error(tmp_path):
    wb = book(tmp_path, income=[{"source": "c", "payer": "p", "type": "trading",
                                 "amount": 10.0}], spending=[], staff=[])
    with pytest.raises(InputError, match="--local-postcodes"):
        lm3_inputs(wb, SETTINGS)


# --------------------------------------------------------------------------- properties

money = st.floats(min_value=0.0, max_value=1e6, allow_nan=False)
share = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
flag = st.sampled_from([True, False, None])


@st.composite
def lm3_cases(draw):
    rows = draw(st.lists(st.tuples(money, flag), min_size=0, max_size=8))
    pay = draw(st.lists(st.tuples(money, flag), min_size=0, max_size=6))
    if sum(a for a, _ in rows) + sum(p for p, _ in pay) <= 1.0:
        pay.append((1000.0, draw(flag)))
    sp = spending([(f"S{i}", a, loc) for i, (a, loc) in enumerate(rows)])
    answers = draw(st.lists(st.tuples(st.integers(0, 7), share), max_size=8))
    staff_answers = draw(st.lists(share, max_size=8))
    return Lm3Inputs(draw(st.floats(min_value=1.0, max_value=1e7)), sp, staff(pay),
                     staff_survey(staff_answers),
                     supplier_survey([(f"S{i}", s) for i, s in answers]), "Test")


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lm3_cases())
def test_properties_bounds_round2_and_interval(inputs):
    result = compute_lm3(inputs, FAST)
    assert 1.0 - 1e-9 <= result.lm3 <= 3.0 + 1e-9
    assert result.r2 <= result.r1 * (1 + 1e-9)
    assert result.r3 <= result.r2 * (1 + 1e-9) + 1e-9
    assert result.lm3_low <= result.lm3 <= result.lm3_high
    assert result.lm3_low >= 1.0 - 1e-9 and result.lm3_high <= 3.0 + 1e-9


def append(frame, more):
    frames = [f for f in (frame, more) if len(f)]
    return pd.concat(frames, ignore_index=True).astype({"local": object})


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lm3_cases(), st.floats(min_value=0.01, max_value=1e6), st.booleans())
def test_property_more_local_spending_never_lowers_the_score(inputs, extra, to_staff):
    before = compute_lm3(inputs, FAST)
    # Move money from a non-local line to a local one (a supplier no one surveyed, or a
    # local member of staff), keeping total spending the same.
    inputs.spending = append(inputs.spending, spending([("Far", extra, False)]))
    base = compute_lm3(inputs, FAST)
    if to_staff:
        inputs.staff = append(inputs.staff, staff([(extra, True)]))
    else:
        inputs.spending = append(inputs.spending, spending([("Near", extra, True)]))
    inputs.spending = inputs.spending[inputs.spending["supplier"] != "Far"]
    after = compute_lm3(inputs, FAST)
    assert after.lm3 >= base.lm3 - 1e-12
    assert before.r1 == after.r1


@st.composite
def messy_cases(draw):
    amount = st.floats(min_value=-1e5, max_value=1e6, allow_nan=False)
    rows = draw(st.lists(st.tuples(amount, flag), max_size=6))
    pay = draw(st.lists(st.tuples(st.floats(min_value=0, max_value=1e5), flag), max_size=4))
    answers = draw(st.lists(st.tuples(st.integers(0, 5),
                                      st.floats(min_value=-1, max_value=120)), max_size=7))
    return Lm3Inputs(draw(st.floats(min_value=-10, max_value=1e6)),
                     spending([(f"S{i}", a, loc) for i, (a, loc) in enumerate(rows)]),
                     staff(pay), staff_survey(draw(st.lists(share, max_size=6))),
                     supplier_survey([(f"S{i}", s) for i, s in answers]), "Test")


@hsettings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messy_cases())
def test_property_bad_input_is_a_result_or_a_clear_message(inputs):
    try:
        result = compute_lm3(inputs, FAST)
    except InputError as exc:
        assert str(exc)  # a message for the user, never a bare division error
        return
    assert 1.0 - 1e-9 <= result.lm3_low <= result.lm3 <= result.lm3_high <= 3.0 + 1e-9
    assert result.r2 <= result.r1 * (1 + 1e-9)
