"""Tests of the options appraisal (METHODS §8): hand-worked cases, properties, bad input."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from toolkit.appraisal import maths
from toolkit.appraisal.appraise import (
    Pattern,
    _evaluate,
    appraise,
    checklist,
    contract_discount_factors,
    load_scenario,
    local_value_chart,
    scores_chart,
    sensitivity_chart,
)
from toolkit.appraisal.report import LAWFUL_ROUTE, PRINCIPLES, TO_COMPLETE
from toolkit.appraisal.scenario import resolve_setting_assumptions
from toolkit.cli import main
from toolkit.inputs.errors import InputError
from toolkit.inputs.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "data" / "samples"
SETTINGS = load_settings()
FIXTURE_OK = [HealthCheck.function_scoped_fixture]


def assumed(staff, suppliers, head=0.0, take_home=0.8, rho_staff=0.5, rho_suppliers=0.4,
            cost=30000):
    return {"local_staff_share": staff, "local_supplier_share": suppliers,
            "head_office_share": head, "take_home_share": take_home,
            "respend_staff": rho_staff, "respend_suppliers": rho_suppliers,
            "cost_per_fte": cost}


def two_options(local_price=1432.0, other_price=1000.0, weight=0.2, years=1, rate="0%"):
    """The hand-worked two-option case: LM3 1.80 (local) against 1.36 (not local)."""
    return {
        "service": "Hand-worked case",
        "years": years,
        "discount_rate": rate,
        "weights": {"price": 60, "quality": 30, "social_value": 10},
        "local_value_weight": weight,
        "options": [
            {"name": "Local", "price": local_price, "quality": 70, "local_provider": True,
             "assumed": assumed(0.5, 0.1, 0.05, 0.8, 0.35, 0.6)},
            {"name": "National", "price": other_price, "quality": 70, "local_provider": False,
             "assumed": assumed(0.3, 0.0, 0.2, 0.8, 0.25, 0.4)},
        ],
    }


def write(tmp_path: Path, data: dict, name: str = "scenario.yml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def run(tmp_path, data):
    return appraise(load_scenario(write(tmp_path, data)), SETTINGS)


# --------------------------------------------------------------------- hand-worked numbers


def test_methods_illustration_ratio():
    # METHODS §8: lambda 0.2, v = LM3 - 1 for both: v_L 0.76, v_N 0.36.
    v_local = maths.local_income_per_pound(1.76)
    v_national = maths.local_income_per_pound(1.36)
    assert (v_local, v_national) == (pytest.approx(0.76), pytest.approx(0.36))
    ratio = maths.break_even_ratio_by_weight(0.2, v_local, v_national)
    assert ratio == pytest.approx((1 - 0.2 * 0.36) / (1 - 0.2 * 0.76))
    assert round(ratio, 4) == 1.0943
    with_v0 = maths.break_even_ratio_by_weight(0.2, v_local, v_national, 0.36)
    assert with_v0 == pytest.approx(1 / (1 - 0.2 * (0.76 - 0.36)))
    assert round(with_v0, 4) == 1.0870


def test_switching_value_of_lambda_at_the_illustrations_prices():
    # METHODS §8: £100,000 local (v 0.76) against £90,000 national (v 0.36).
    extra_cost, extra_income = 100_000 - 90_000, 100_000 * 0.76 - 90_000 * 0.36
    assert round(maths.switching_weight(extra_cost, extra_income), 3) == 0.229
    assert maths.switching_weight(extra_cost, extra_income) == pytest.approx(10_000 / 43_600)
    assert round(maths.switching_weight(extra_cost, extra_income, 0.36), 3) == 0.250
    assert maths.switching_weight(0.0, 5.0) is None          # not dearer: no weight needed
    assert maths.switching_weight(10.0, 3.0, 0.36) is None   # 3 - 3.6 < 0: no weight justifies


def _illustration(tmp_path, v_zero=None):
    data = yaml.safe_load((SAMPLES / "illustration_scenario.yml").read_text(encoding="utf-8"))
    if v_zero is not None:
        data["other_spending_local_income"] = v_zero
    return appraise(load_scenario(write(tmp_path, data)), SETTINGS)


def test_methods_illustration_scenario_file(tmp_path):
    result = appraise(load_scenario(SAMPLES / "illustration_scenario.yml"), SETTINGS)
    rows = result.options.set_index("name")
    assert rows.loc["Local provider", "lm3"] == pytest.approx(1.76)
    assert rows.loc["National provider", "lm3"] == pytest.approx(1.36)
    out = result.to_dict()
    assert out["break_even_premium"] == pytest.approx(0.928 / 0.848 - 1)
    assert round(1 + out["break_even_premium"], 4) == 1.0943
    assert out["lambda"] == 0.2
    # the break-even price is the premium on the cheapest other option's price
    assert out["break_even_price"] == pytest.approx(90000 * 0.928 / 0.848)
    assert round(out["switching_lambda"], 3) == 0.229
    assert out["other_spending_local_income"] == 0
    assert "ignores what the premium would otherwise buy" in out[
        "other_spending_local_income_source"]
    other = _illustration(tmp_path, 0.36).to_dict()
    assert round(1 + other["break_even_premium"], 4) == 1.0870
    assert other["break_even_premium"] == pytest.approx(1 / 0.92 - 1)
    assert round(other["switching_lambda"], 3) == 0.250
    assert other["other_spending_local_income"] == pytest.approx(0.36)


def test_local_income_is_lm3_minus_one_for_every_provider(tmp_path):
    # identical spending patterns: no premium by weight, whatever the address
    data = two_options(local_price=1100.0, other_price=1000.0)
    data["options"][1]["assumed"] = data["options"][0]["assumed"]
    result = run(tmp_path, data)
    rows = result.options.set_index("name")
    assert rows.loc["Local", "local_value_per_pound"] == pytest.approx(
        rows.loc["National", "local_value_per_pound"])
    assert rows.loc["Local", "local_value_per_pound"] == pytest.approx(
        rows.loc["Local", "lm3"] - 1)
    h = result.headline
    assert h["break_even_premium"] == pytest.approx(0.0, abs=1e-12)
    # equal quality and equal commitments (same pattern): no scoring premium either
    assert rows.loc["Local", "commitment"] == rows.loc["National", "commitment"]
    assert h["break_even_premium_scoring"] == pytest.approx(0.0, abs=1e-12)


def test_calderdale_premium_from_the_scenario_files_and_the_formula():
    from toolkit.appraisal.appraise import assumed_pattern, gather_evidence

    scenario = resolve_setting_assumptions(
        load_scenario(SAMPLES / "calderdale_youth_scenario.yml"), SETTINGS)
    national = scenario.option("National provider").assumptions
    take_home, rho_staff, rho_suppliers = (SETTINGS.central("lm3.take_home_share"),
                                           SETTINGS.central("lm3.assumed_respend_staff"),
                                           SETTINGS.central("lm3.assumed_respend_suppliers"))
    staff, suppliers = national["local_staff_share"].value, national["local_supplier_share"].value
    v_national = staff + suppliers + staff * take_home * rho_staff + suppliers * rho_suppliers
    consortium = gather_evidence(scenario, SETTINGS)["Local consortium"]
    v_local = consortium.lm3 - 1 + consortium.surplus_per_pound
    v_zero = assumed_pattern(scenario.option("In-house")).lm3 - 1
    result = appraise(scenario, SETTINGS, with_sensitivity=False)
    h = result.headline
    assert h["other_spending_local_income"] == pytest.approx(v_zero)
    expected = (1 - 0.2 * (v_national - v_zero)) / (1 - 0.2 * (v_local - v_zero))
    assert 1 + h["break_even_premium"] == pytest.approx(expected)
    # the old rule credited the local consortium its whole price (V = P x LM3)
    old = (1 - 0.2 * v_national) / (1 - 0.2 * consortium.lm3)
    assert h["break_even_premium"] < old - 1 - 0.3


def test_no_break_even_when_weight_times_local_income_reaches_one():
    assert maths.break_even_ratio_by_weight(1.5, 0.76, 0.36) is None       # 1.14 >= 1
    assert maths.break_even_ratio_by_weight(1 / 0.76, 0.76, 0.36) is None  # exactly 1
    assert maths.break_even_ratio_by_weight(1.2, 0.5, 0.9) is None         # other pays for itself
    # v_0 counts against both: lambda (v - v_0) is what matters
    assert maths.break_even_ratio_by_weight(2.0, 0.76, 0.36, 0.36) == pytest.approx(5.0)
    assert maths.break_even_ratio_by_weight(3.0, 0.76, 0.36, 0.36) is None


def test_no_break_even_is_null_in_json_and_said_in_words(tmp_path):
    result = run(tmp_path, two_options(weight=1.3))   # 1.3 x 0.8 >= 1
    out = result.to_dict()
    text = json.dumps(out, allow_nan=False)  # never NaN or Infinity
    assert json.loads(text)["break_even_premium"] is None
    assert out["break_even_price"] is None
    assert out["lambda"] == 1.3
    assert "no break-even premium" in out["break_even_words"]
    assert "preferred at any price" in out["break_even_words"]
    # the extra local income, the extra cost and their ratio are shown all the same
    assert out["extra_cost"] == pytest.approx(432)
    assert out["extra_local_income"] == pytest.approx(1432 * 0.8 - 1000 * 0.36)
    assert out["extra_local_income_per_extra_pound"] == pytest.approx((1145.6 - 360) / 432)
    # the other condition: the cheaper option's own lambda (v - v_0) reaches 1
    data = two_options(weight=1.3)
    data["options"][0]["assumed"] = assumed(0.3, 0.0, 0.2, 0.8, 0.25, 0.4)
    data["options"][1]["assumed"] = assumed(0.5, 0.1, 0.05, 0.8, 0.35, 0.6)
    out = json.loads(json.dumps(run(tmp_path, data).to_dict(), allow_nan=False))
    assert out["break_even_premium"] is None and out["break_even_price"] is None
    assert "does not match it at any price" in out["break_even_words"]
    assert out["switching_lambda"] is None
    assert "Switching value of lambda: none" in out["switching_lambda_words"]
    assert out["extra_cost"] == pytest.approx(432)


def test_hand_worked_two_options(tmp_path):
    result = run(tmp_path, two_options())
    rows = result.options.set_index("name")
    # Local: R2 = 0.5 + 0.1 = 0.6; R3 = 0.5 * 0.8 * 0.35 + 0.1 * 0.6 = 0.2; LM3 = 1.8
    assert rows.loc["Local", "lm3"] == pytest.approx(1.8)
    assert rows.loc["Local", "local_value"] == pytest.approx(1432 * 0.8)  # V = P (LM3 - 1)
    # National: R2 = 0.3; R3 = 0.3 * 0.8 * 0.25 = 0.06; LM3 = 1.36; V = P (LM3 - 1)
    assert rows.loc["National", "lm3"] == pytest.approx(1.36)
    assert rows.loc["National", "local_value"] == pytest.approx(360.0)
    # local jobs: 0.5 * 1432 / 30000 FTE
    assert rows.loc["Local", "local_jobs_fte"] == pytest.approx(0.5 * 1432 / 30000)
    # net values with lambda 0.2
    assert rows.loc["Local", "net_value"] == pytest.approx(0.2 * 1145.6 - 1432)
    assert rows.loc["National", "net_value"] == pytest.approx(0.2 * 360 - 1000)
    # scores: price 60 * 1000 / 1432 and 60; quality 21 each; social value 10 * s / max s
    assert rows.loc["Local", "price_score"] == pytest.approx(60 * 1000 / 1432)
    assert rows.loc["National", "social_value_score"] == pytest.approx(10 * 0.3 / 0.6)
    assert rows.loc["National", "total_score"] == pytest.approx(60 + 21 + 5)
    h = result.headline
    assert h["name"] == "Local" and h["comparator"] == "National"
    # break-even by weight: (1 - 0.2 * 0.36) / (1 - 0.2 * 0.8) = 0.928 / 0.84
    assert h["break_even_premium"] == pytest.approx(0.928 / 0.84 - 1)
    assert h["break_even_price"] == pytest.approx(1000 * 0.928 / 0.84)
    # switching value: 432 / (1145.6 - 360)
    assert h["switching_lambda"] == pytest.approx(432 / (1145.6 - 360))
    # scoring: local non-price 21 + 10 = 31; best other 86; 60 * 1000 / (86 - 31)
    assert h["break_even_price_scoring"] == pytest.approx(60000 / 55)
    assert h["break_even_premium_scoring"] == pytest.approx(60 / 55 - 1)
    # extra local value per £ of extra cost
    assert h["value_per_extra_pound"] == pytest.approx((1145.6 - 360) / 432)


def test_ratio_undefined_when_local_option_not_dearer(tmp_path):
    result = run(tmp_path, two_options(local_price=900))
    h = result.headline
    assert h["value_per_extra_pound"] is None
    assert "undefined" in h["value_ratio_words"]
    assert maths.extra_value_per_extra_pound(100.0, 0.0) is None


def test_discount_factors_green_book_cumulative(tmp_path):
    scenario = load_scenario(write(tmp_path, {**two_options(years=3), "discount_rate":
                                              "green book"}))
    factors = contract_discount_factors(scenario, SETTINGS)
    # year 1 not discounted by default; then 1 / 1.035 ** (t - 1)
    assert factors == pytest.approx([1, 1 / 1.035, 1 / 1.035 ** 2])
    discounted = contract_discount_factors(scenario, load_settings(
        overrides={"social_value": {"discount_year_one": True}}))
    assert discounted == pytest.approx([1 / 1.035 ** t for t in (1, 2, 3)])
    result = appraise(scenario, SETTINGS)
    local = result.options.set_index("name").loc["Local"]
    real = _real_factors_from_the_deflator_file(SETTINGS.value("analysis_year"), 3)
    assert local["price_pv"] == pytest.approx(1432 / 3 * float(np.dot(real, factors)))
    assert local["local_value"] == pytest.approx(0.8 * local["price_pv"])


def _real_factors_from_the_deflator_file(first_year, years):
    """D(first) / D(first + t) from the shipped HM Treasury CSV, growth carried forward."""
    import csv

    from toolkit.resources import data_file

    with data_file("gdp_deflator_hmt_2025-12.csv").open(encoding="utf-8") as handle:
        levels = {int(r["year"]): float(r["gdp_deflator_2024_eq_100"])
                  for r in csv.DictReader(handle)}
    last = max(levels)
    growth = levels[last] / levels[last - 1] - 1

    def level(year):
        return levels.get(year, levels[last] * (1 + growth) ** (year - last))
    return np.array([level(first_year) / level(first_year + t) for t in range(years)])


def test_cash_prices_are_made_real_before_the_real_discount_rate(tmp_path):
    data = two_options(years=2, rate="3.5%")
    data["options"][0]["price_profile"] = [432, 1000]
    data["first_year"] = 2022   # outturn years: 2022 and 2023 deflators, no forecast
    local = run(tmp_path, data).options.set_index("name").loc["Local"]
    real_2023 = 1000 * 90.5005 / 96.2507
    assert local["price_real"] == pytest.approx(432 + real_2023)
    assert local["price_pv"] == pytest.approx(432 + real_2023 / 1.035)
    # already real: no deflation, as before
    as_real = run(tmp_path, {**data, "prices": "real"}).options.set_index("name").loc["Local"]
    assert as_real["price_pv"] == pytest.approx(432 + 1000 / 1.035)
    # after the outturn: the inflation the scenario gives, labelled assumed
    later = run(tmp_path, {**data, "first_year": 2026, "inflation": 0.02})
    assert later.options.set_index("name").loc["Local", "price_pv"] == pytest.approx(
        432 + 1000 / 1.02 / 1.035)
    table = later.assumptions.set_index("assumption")
    assert table.loc["inflation", "value"] == 0.02
    assert "assumed" in table.loc["inflation", "source"]
    assert "HM Treasury GDP deflator" in later.to_dict()["prices"]


def test_price_profile_is_discounted_year_by_year(tmp_path):
    data = two_options(years=2, rate="10%")
    data["options"][0]["price_profile"] = [432, 1000]
    data["prices"] = "real"
    local = run(tmp_path, data).options.set_index("name").loc["Local"]
    assert local["price_pv"] == pytest.approx(432 + 1000 / 1.1)


def test_scoring_break_even_when_local_bid_becomes_cheapest():
    # others: 100 (non-price 35) and 120 (40); the bid's own non-price score is 20.
    result = maths.scoring_break_even(0, [999, 100, 120], [20, 35, 40], 60)
    assert result.regime == "cheapest"
    assert result.price == pytest.approx(75)
    scores = maths.tender_scores([75, 100, 120], [0, 0, 0], [0, 0, 0],
                                 {"price": 0.6, "quality": 0.4, "social_value": 0.0}, 100)
    totals = scores["total"] + np.array([20, 35, 40])
    assert totals[0] == pytest.approx(totals[1:].max())


def test_scoring_no_break_even_in_words():
    assert maths.scoring_break_even(0, [1, 100], [90, 30], 10).reason == "wins at any price"
    assert maths.scoring_break_even(0, [1, 100], [10, 80], 60).reason == "loses at any price"
    assert maths.scoring_break_even(0, [1, 100], [10, 80], 0).price is None


def test_consortium_lm3_weighted_by_shares():
    scenario = load_scenario(SAMPLES / "calderdale_youth_scenario.yml")
    result = appraise(scenario, SETTINGS, with_sensitivity=False)
    members = scenario.option("Local consortium").members
    from toolkit.appraisal.evidence import workbook_pattern

    singles = [workbook_pattern(m.workbook, SETTINGS, scenario.boundary) for m in members]
    expected = sum(m.share * p.lm3 for m, p in zip(members, singles, strict=True))
    row = result.options.set_index("name").loc["Local consortium"]
    assert row["lm3"] == pytest.approx(expected)
    assert row["lm3_low"] <= row["lm3"] <= row["lm3_high"]
    assert row["local_jobs_fte"] > 0
    assert row["local_value"] == pytest.approx(
        (row["lm3"] - 1 + row["surplus_per_pound"]) * row["price_pv"])
    assert "consortium" in row["behaviour"]
    assert result.options.set_index("name").loc["In-house", "local_provider"]


# ------------------------------------------------------------------------------- properties

share = st.floats(0.0, 0.45)
rate = st.floats(0.0, 1.0)


@settings(max_examples=60, deadline=None)
@given(staff=share, suppliers=share, rho_s=rate, rho_p=rate, take=rate, step=st.floats(0, 0.1))
def test_more_local_staff_never_lowers_local_value(staff, suppliers, rho_s, rho_p, take, step):
    low = maths.assumed_rounds(staff, suppliers, take, rho_s, rho_p)
    high = maths.assumed_rounds(staff + step, suppliers, take, rho_s, rho_p)
    assert (maths.local_income_per_pound(high.lm3)
            >= maths.local_income_per_pound(low.lm3) - 1e-12)
    assert 1 <= low.lm3 <= 3


def _pattern(lm3, commitment):
    return Pattern(lm3, lm3, lm3, 0.0, lm3 - 1, 0.0, commitment, None, "test")


def _scenario_with(tmp_path, prices, quality, local_flags, weight=0.2):
    data = two_options(weight=weight)
    data["options"] = [
        {"name": f"O{i}", "price": p, "quality": q, "local_provider": flag,
         "assumed": assumed(0.3, 0.1)}
        for i, (p, q, flag) in enumerate(zip(prices, quality, local_flags, strict=True))]
    return resolve_setting_assumptions(load_scenario(write(tmp_path, data)), SETTINGS)


@settings(max_examples=40, deadline=None, suppress_health_check=FIXTURE_OK)
@given(weight=st.floats(0.01, 0.5), lm3_local=st.floats(1.0, 3.0), lm3_other=st.floats(1.0, 3.0),
       price_local=st.floats(500, 5000), price_other=st.floats(500, 5000))
def test_net_values_equal_at_break_even_premium(tmp_path, weight, lm3_local, lm3_other,
                                                price_local, price_other):
    scenario = _scenario_with(tmp_path, [price_local, price_other], [60, 60], [True, False],
                              weight)
    evidence = {"O0": _pattern(lm3_local, 0.5), "O1": _pattern(lm3_other, 0.4)}
    scenario = _as_evidenced(scenario)
    factors = np.array([1.0])
    _, comparisons = _evaluate(scenario, evidence, factors)
    price = comparisons.loc[0, "break_even_price"]
    assume(price is not None and not (isinstance(price, float) and math.isnan(price)))
    at = scenario.with_assumption("O0", "price", price)
    options, _ = _evaluate(at, evidence, factors)
    assert options.loc[0, "net_value"] == pytest.approx(options.loc[1, "net_value"],
                                                        rel=1e-9, abs=1e-6)


def _as_evidenced(scenario):
    import dataclasses
    return dataclasses.replace(scenario, options=tuple(
        dataclasses.replace(o, kind="evidenced", assumptions={}) for o in scenario.options))


@settings(max_examples=60, deadline=None)
@given(prices=st.lists(st.floats(100, 10000), min_size=3, max_size=4),
       non_price=st.lists(st.floats(0, 40), min_size=4, max_size=4),
       w=st.floats(10, 80))
def test_total_scores_equal_at_scoring_break_even(prices, non_price, w):
    n = len(prices)
    non_price = non_price[:n]
    result = maths.scoring_break_even(0, prices, non_price, w)
    assume(result.price is not None)
    moved = [result.price, *prices[1:]]
    p = np.array(moved)
    totals = w * p.min() / p + np.array(non_price)
    assert totals[0] == pytest.approx(totals[1:].max(), rel=1e-9, abs=1e-9)
    # a little cheaper, it scores at least as high; a little dearer, lower
    for factor, better in ((0.99, True), (1.01, False)):
        q = np.array([result.price * factor, *prices[1:]])
        t = w * q.min() / q + np.array(non_price)
        assert (t[0] >= t[1:].max() - 1e-9) == better or math.isclose(t[0], t[1:].max())


@settings(max_examples=30, deadline=None, suppress_health_check=FIXTURE_OK)
@given(price=st.floats(500, 3000), quality=st.floats(0, 100))
def test_scenario_scoring_break_even_gives_equal_totals(tmp_path, price, quality):
    scenario = _scenario_with(tmp_path, [price, 1000, 1100], [quality, 70, 60],
                              [True, False, False])
    evidence = {"O0": _pattern(1.9, 0.7), "O1": _pattern(1.4, 0.3), "O2": _pattern(1.5, 0.5)}
    scenario = _as_evidenced(scenario)
    factors = np.array([1.0])
    _, comparisons = _evaluate(scenario, evidence, factors)
    found = comparisons.loc[0, "break_even_price_scoring"]
    assume(found is not None and not (isinstance(found, float) and math.isnan(found)))
    options, _ = _evaluate(scenario.with_assumption("O0", "price", found), evidence, factors)
    best_other = options.loc[1:, "total_score"].max()
    assert options.loc[0, "total_score"] == pytest.approx(best_other, rel=1e-9)


# ------------------------------------------------------------------------- sensitivity, etc.


def test_sensitivity_table_and_chart(tmp_path):
    result = run(tmp_path, two_options())
    table = result.sensitivity
    assert {"assumption", "option", "low", "high", "premium_low", "premium_high"} <= set(table)
    # lambda moves the premium most here; the head-office share moves it too
    assert table.iloc[0]["assumption"] == "local_value_weight"
    head = table.set_index(["assumption", "option"]).loc[("head_office_share", "National")]
    assert head["premium_high"] > head["premium_central"] > head["premium_low"]
    assert "head_office_share" in set(result.assumptions["assumption"])
    swings = table["premium_swing"].fillna(math.inf).to_numpy()
    assert (np.diff(swings) <= 1e-12).all()
    fig = sensitivity_chart(result)
    ax = fig.axes[0]
    assert ax.get_title() and "%" in ax.get_xlabel() and ax.get_ylabel()
    assert "Tornado" in fig.alt_text and "lambda" in fig.alt_text
    for chart in (local_value_chart(result), scores_chart(result)):
        assert chart.axes[0].get_title() and chart.alt_text
        assert "£" in chart.axes[0].get_ylabel() or "points" in chart.axes[0].get_xlabel()


def test_sensitivity_chart_draws_a_missing_break_even(tmp_path):
    # lambda's high end 1.3 makes 1.3 * (1.8 - 1) >= 1: no break-even there
    data = two_options(weight={"value": 0.3, "low": 0.1, "high": 1.3})
    result = run(tmp_path, data)
    row = result.sensitivity.set_index("assumption").loc["local_value_weight"]
    assert row["premium_high"] is None or math.isnan(row["premium_high"])
    fig = sensitivity_chart(result)
    assert any(t.get_text().strip() == "none" for t in fig.axes[0].texts)


def test_checklist_and_lawful_route():
    scenario = load_scenario(SAMPLES / "calderdale_youth_scenario.yml")
    table = checklist(scenario)
    assert len(table) == len(PRINCIPLES) == 6
    assert list(table.columns[:2]) == ["Principle", "Question"]
    assert {o.name for o in scenario.options} <= set(table.columns)
    local_spend = table.set_index("Principle").loc[
        "Increase local spend to invest in the local economy"]
    assert local_spend["Local consortium"].startswith("Committed")
    assert local_spend["In-house"] == TO_COMPLETE
    assert "not legal advice" in LAWFUL_ROUTE
    assert "not discriminate" in LAWFUL_ROUTE


# ------------------------------------------------------------------------------ bad input


def _message(tmp_path, data) -> str:
    with pytest.raises(InputError) as info:
        load_scenario(write(tmp_path, data))
    return str(info.value)


def test_missing_workbook_names_file_and_key(tmp_path):
    data = two_options()
    data["options"][1] = {"name": "Consortium", "price": 1000, "quality": 60,
                          "local_provider": True,
                          "evidenced": {"members": [{"workbook": "nowhere.xlsx", "share": 0.5},
                                                    {"workbook": "gone.xlsx", "share": 0.5}]}}
    text = _message(tmp_path, data)
    assert "scenario.yml" in text and "does not exist" in text
    assert "options[2] (Consortium).evidenced.members[1].workbook" in text
    assert "nowhere.xlsx" in text and "gone.xlsx" in text


def test_weights_must_sum_to_100(tmp_path):
    data = two_options()
    data["weights"] = {"price": 60, "quality": 30, "social_value": 5}
    text = _message(tmp_path, data)
    assert "scenario.yml" in text and "'weights'" in text and "100%" in text and "95.0%" in text


def test_one_option_only(tmp_path):
    data = two_options()
    data["options"] = data["options"][:1]
    text = _message(tmp_path, data)
    assert "'options'" in text and "two or more options" in text and "scenario.yml" in text


def test_negative_price(tmp_path):
    data = two_options(other_price=-5)
    text = _message(tmp_path, data)
    assert "options[2] (National).price" in text and "negative" in text


def test_missing_lambda(tmp_path):
    data = two_options()
    del data["local_value_weight"]
    text = _message(tmp_path, data)
    assert "'local_value_weight'" in text and "no default" in text and "scenario.yml" in text


def test_problems_are_reported_together(tmp_path):
    data = two_options(other_price=-5)
    del data["local_value_weight"]
    data["weights"]["price"] = 10
    text = _message(tmp_path, data)
    assert "3 error(s)" in text


def test_low_social_value_weight_is_a_warning_not_an_error(tmp_path):
    data = two_options()
    data["weights"] = {"price": "65%", "quality": "30%", "social_value": "5%"}
    scenario = load_scenario(write(tmp_path, data))
    assert scenario.weights["social_value"] == pytest.approx(0.05)
    assert any("10%" in w for w in scenario.warnings)


def test_shares_over_100_percent(tmp_path):
    data = two_options()
    data["options"][0]["assumed"]["head_office_share"] = 0.5
    assert "exceed" in _message(tmp_path, data)


# ----------------------------------------------------------------------------- command line


def test_command_json(tmp_path, capsys):
    path = write(tmp_path, two_options())
    assert main(["appraise", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [o["name"] for o in out["options"]] == ["Local", "National"]
    for option in out["options"]:
        assert {"name", "price", "lm3", "local_value"} <= set(option)
    assert out["break_even_premium"] == pytest.approx(0.928 / 0.84 - 1)
    assert out["lambda"] == 0.2
    assert out["break_even_premium_scoring"] == pytest.approx(60 / 55 - 1)
    assert out["extra_cost"] == pytest.approx(432)
    assert out["extra_local_income"] == pytest.approx(1145.6 - 360)
    assert out["extra_local_income_per_extra_pound"] == pytest.approx((1145.6 - 360) / 432)
    assert out["switching_lambda"] == pytest.approx(432 / (1145.6 - 360))


def test_command_bad_input_exit_code(tmp_path, capsys):
    data = two_options()
    del data["local_value_weight"]
    assert main(["appraise", str(write(tmp_path, data))]) == 2
    err = capsys.readouterr().err
    assert "local_value_weight" in err and "scenario.yml" in err


def test_command_text_on_sample(capsys):
    assert main(["appraise", str(SAMPLES / "illustration_scenario.yml")]) == 0
    out = capsys.readouterr().out
    assert "9.4%" in out and "not legal advice" in out
    assert "Switching value of lambda: 0.229" in out
    assert "Extra cost £10,000" in out and "extra local income £43,600" in out
    assert "ratio £4.36 per £1" in out


@pytest.mark.parametrize("path", sorted(SAMPLES.glob("*scenario*.yml")), ids=lambda p: p.name)
def test_sample_scenarios_appraise(path):
    result = appraise(load_scenario(path), SETTINGS)
    out = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert len(out["options"]) >= 2
    assert all(o["lm3"] >= 1 for o in out["options"])
    assert len(result.sensitivity) > 0


# -------------------------------------------------------------------------------- notebook


@pytest.mark.slow
def test_notebook_runs_headless(tmp_path):
    jupytext = ROOT / ".venv" / "bin" / "jupytext"
    if not jupytext.exists():
        pytest.skip("jupytext is not installed in .venv")
    import papermill

    notebook = tmp_path / "appraisal.ipynb"
    subprocess.run([str(jupytext), "--to", "ipynb", "-o", str(notebook),
                    str(ROOT / "notebooks" / "appraisal.md")], check=True)
    out = tmp_path / "out.ipynb"
    scenario = tmp_path / "illustration_scenario.yml"
    shutil.copy(SAMPLES / "illustration_scenario.yml", scenario)
    papermill.execute_notebook(str(notebook), str(out), cwd=str(ROOT), kernel_name="python3",
                               parameters={"scenario_path": str(scenario)},
                               progress_bar=False)
    text = out.read_text(encoding="utf-8")
    assert "9.4%" in text                       # (1 - 0.2 x 0.36) / (1 - 0.2 x 0.76) - 1
    assert "Switching value of lambda: 0.229" in text
    assert "other_spending_local_income" in text   # v_0 in the assumptions table
    assert "head_office_share" in text             # and in the sensitivity table
    assert "not legal advice" in text


# ------------------------------------------------------------------- more input checks


def test_quality_above_maximum(tmp_path):
    data = two_options()
    data["quality_max"] = 50
    text = _message(tmp_path, data)
    assert "options[1] (Local).quality" in text and "quality_max" in text


def test_unknown_organisation_in_registry(tmp_path):
    data = two_options()
    data["authority"] = "calderdale"
    data["registry"] = str(SAMPLES / "authorities.yml")
    data["options"][1] = {"name": "Anchor", "price": 1000, "quality": 60,
                          "local_provider": True,
                          "evidenced": {"organisation": "no-such-trust"}}
    text = _message(tmp_path, data)
    assert "options[2] (Anchor).evidenced.organisation" in text and "no-such-trust" in text


def test_organisation_without_registry(tmp_path):
    data = two_options()
    data["options"][1] = {"name": "Anchor", "price": 1000, "quality": 60,
                          "local_provider": True, "evidenced": {"organisation": "x"}}
    assert "authority" in _message(tmp_path, data)


def test_unknown_key_and_both_behaviours(tmp_path):
    data = two_options()
    data["lamda"] = 0.2
    data["options"][0]["evidenced"] = {"workbook": "x.xlsx"}
    text = _message(tmp_path, data)
    assert "'lamda'" in text and "Unknown key" in text
    assert "exactly one of 'evidenced'" in text


def test_consortium_shares_must_add_up(tmp_path):
    book = SAMPLES / "calderdale" / "sowerby-bridge-hub_2024-25.xlsx"
    data = two_options()
    data["options"][1] = {"name": "Consortium", "price": 1000, "quality": 60,
                          "local_provider": True,
                          "evidenced": {"members": [{"workbook": str(book), "share": 0.5},
                                                    {"workbook": str(book), "share": 0.4}]}}
    text = _message(tmp_path, data)
    assert "add up to 100%" in text and "90.0%" in text


# --------------------------------------------------------------------------- live sliders


def test_sliders_recompute_like_the_scenario(tmp_path):
    from toolkit.appraisal.widgets import appraise_with, live_table, sliders

    scenario = load_scenario(write(tmp_path, two_options()))
    specs = sliders(scenario, SETTINGS, {})
    names = {(s.option, s.name) for s in specs}
    assert (None, "local_value_weight") in names and ("Local", "local_staff_share") in names
    assert ("National", "price") in names
    moved = appraise_with(scenario, SETTINGS, {}, {(None, "local_value_weight"): 0.1,
                                                   ("Local", "respend_staff"): 0.5})
    direct = run(tmp_path, {**two_options(weight=0.1), "options": [
        {**two_options()["options"][0],
         "assumed": assumed(0.5, 0.1, 0.05, 0.8, 0.5, 0.6)},
        two_options()["options"][1]]})
    assert moved.headline["break_even_premium"] == pytest.approx(
        direct.headline["break_even_premium"])
    assert len(live_table(moved)) == 2


def test_sliders_refuse_shares_over_100_percent(tmp_path):
    from toolkit.appraisal.widgets import appraise_with

    scenario = load_scenario(write(tmp_path, two_options()))
    with pytest.raises(InputError, match="at most 100%"):
        appraise_with(scenario, SETTINGS, {}, {("Local", "local_staff_share"): 0.95})


def test_explorer_builds_headless(tmp_path):
    pytest.importorskip("ipywidgets")
    from toolkit.appraisal.widgets import explorer

    box = explorer(load_scenario(write(tmp_path, two_options())), SETTINGS, {})
    sliders_ = [c for c in box.children if hasattr(c, "min")]
    assert len(sliders_) == 2 + 2 * 6  # lambda, v_0; each option's price and five shares
    lam = sliders_[0]
    lam.value = 0.6  # no break-even: the view recomputes without error
    assert lam.value == 0.6


def test_broken_workbook_names_scenario_and_key(tmp_path):
    data = two_options()
    data["boundary"] = {"name": "Calderdale", "postcodes": ["HX1", "HX2"]}
    data["options"][1] = {"name": "Anchor", "price": 1000, "quality": 60,
                          "local_provider": True, "evidenced": {
                              "workbook": str(SAMPLES / "broken" / "negative-income.xlsx")}}
    scenario = load_scenario(write(tmp_path, data))
    with pytest.raises(InputError) as info:
        appraise(scenario, SETTINGS)
    text = str(info.value)
    assert "scenario.yml" in text and "options[2] (Anchor).evidenced" in text
    assert "negative-income.xlsx" in text


def test_evidenced_option_needs_a_boundary(tmp_path):
    data = two_options()
    data["options"][1] = {"name": "Anchor", "price": 1000, "quality": 60,
                          "local_provider": True, "evidenced": {
                              "workbook": str(SAMPLES / "calderdale"
                                              / "sowerby-bridge-hub_2024-25.xlsx")}}
    with pytest.raises(InputError, match="key 'boundary'"):
        appraise(load_scenario(write(tmp_path, data)), SETTINGS)


@settings(max_examples=25, deadline=None, suppress_health_check=FIXTURE_OK)
@given(start=st.floats(0.0, 0.5), step=st.floats(0.0, 0.3), years=st.integers(1, 5))
def test_appraisal_local_value_rises_with_local_staff_share(tmp_path, start, step, years):
    data = two_options(years=years, rate="green book")
    data["options"][0]["assumed"]["local_staff_share"] = start
    scenario = resolve_setting_assumptions(load_scenario(write(tmp_path, data)), SETTINGS)
    factors = contract_discount_factors(scenario, SETTINGS)
    before, _ = _evaluate(scenario, {}, factors)
    after, _ = _evaluate(scenario.with_assumption("Local", "local_staff_share", start + step),
                         {}, factors)
    assert after.loc[0, "local_value"] >= before.loc[0, "local_value"] - 1e-9
    assert after.loc[1, "local_value"] == pytest.approx(before.loc[1, "local_value"])


def test_in_house_supplier_share_from_council_spending():
    from toolkit.inputs.registry import load_registry
    from toolkit.measures.lm3 import as_boundary
    from toolkit.spend.analysis import analyse_spending

    scenario = load_scenario(SAMPLES / "calderdale_youth_scenario.yml")
    a = scenario.option("In-house").assumptions["local_supplier_share"]
    authority = load_registry(SAMPLES / "authorities.yml").authority("calderdale")
    summary = analyse_spending(list(authority.spending_files), as_boundary(authority.local),
                               authority.supplier_list).summary()
    assert a.value == pytest.approx(0.2 * summary["procurement_local_share_low"])
    assert a.high == pytest.approx(0.2 * summary["procurement_local_share_high"])
    assert "council spending" in a.source


def test_council_spending_needs_an_authority(tmp_path):
    data = two_options()
    data["options"][0]["assumed"]["local_supplier_share"] = "council spending"
    data["options"][0]["assumed"]["non_staff_share"] = 0.2
    assert "needs the scenario's 'authority'" in _message(tmp_path, data)


# ------------------------------------------------- METHODS §8: S, v_0, head office, nef, range


def test_surplus_kept_locally_only_from_accounts():
    from toolkit.appraisal.evidence import surplus_per_pound

    value, source = surplus_per_pound({"total_income": 1000.0, "total_expenditure": 900.0},
                                      "x.xlsx")
    assert value == pytest.approx(0.1) and "x.xlsx's accounts" in source
    assert surplus_per_pound({"total_income": 1000.0, "total_expenditure": 1100.0})[0] == 0
    assert surplus_per_pound({})[0] == 0
    scenario = load_scenario(SAMPLES / "bradford_advice_scenario.yml")
    result = appraise(scenario, SETTINGS, with_sensitivity=False)
    rows = result.options.set_index("name")
    trust = scenario.option("Manningham Community Trust").members[0].workbook
    from toolkit.inputs.workbook import load_workbook

    balance = load_workbook(trust).balance
    expected = (balance["total_income"] - balance["total_expenditure"]) / balance["total_income"]
    assert rows.loc["Manningham Community Trust", "surplus_per_pound"] == pytest.approx(
        max(expected, 0.0))
    assert rows.loc["National advice charity", "surplus_per_pound"] == 0  # assumed: never
    row = rows.loc["Manningham Community Trust"]
    assert row["local_value"] == pytest.approx(
        (row["lm3"] - 1 + row["surplus_per_pound"]) * row["price_pv"])


def test_a_surplus_cannot_be_assumed(tmp_path):
    data = two_options()
    data["options"][0]["assumed"]["surplus_per_pound"] = 0.1
    assert "Unknown assumption" in _message(tmp_path, data)


def test_other_spending_local_income_from_in_house_option():
    scenario = load_scenario(SAMPLES / "calderdale_youth_scenario.yml")
    assert scenario.other_spending_mode == "in house"
    result = appraise(scenario, SETTINGS, with_sensitivity=False)
    in_house = result.options.set_index("name").loc["In-house"]
    table = result.assumptions.set_index("assumption")
    assert table.loc["other_spending_local_income", "value"] == pytest.approx(
        in_house["lm3"] - 1)
    assert "in-house option" in table.loc["other_spending_local_income", "source"]


def test_other_spending_local_income_from_payments_is_a_lower_bound(tmp_path):
    from toolkit.inputs.registry import load_registry
    from toolkit.measures.lm3 import as_boundary
    from toolkit.spend.analysis import analyse_spending

    scenario = load_scenario(SAMPLES / "bradford_advice_scenario.yml")
    assert scenario.other_spending_mode == "council spending"
    authority = load_registry(SAMPLES / "authorities.yml").authority("bradford")
    summary = analyse_spending(list(authority.spending_files), as_boundary(authority.local),
                               authority.supplier_list).summary()
    v0 = scenario.other_spending
    assert v0.value == pytest.approx(summary["local_share_low"])
    assert v0.high == pytest.approx(summary["local_share_high"])
    assert "lower bound" in v0.source
    result = appraise(scenario, SETTINGS, with_sensitivity=False)
    assert result.to_dict()["other_spending_local_income"] == pytest.approx(v0.value)
    assert any("lower bound" in n for n in result.notes)


def test_other_spending_local_income_given_or_none(tmp_path):
    given_ = load_scenario(write(tmp_path, {**two_options(), "other_spending_local_income":
                                            0.3}))
    assert given_.other_spending.value == 0.3 and "assumed" in given_.other_spending.source
    plain = load_scenario(write(tmp_path, two_options()))
    assert plain.other_spending.value == 0
    assert "ignores what the premium would otherwise buy" in plain.other_spending.source
    result = appraise(given_, SETTINGS)
    assert "other_spending_local_income" in set(result.assumptions["assumption"])
    assert "other_spending_local_income" in set(result.sensitivity["assumption"])
    bad = {**two_options(), "other_spending_local_income": "in house"}
    assert "needs an in-house option" in _message(tmp_path, bad)
    assert "other_spending_local_income" in _message(
        tmp_path, {**two_options(), "other_spending_local_income": "lots"})


def test_head_office_share_changes_the_figures(tmp_path):
    from toolkit.appraisal.widgets import appraise_with

    scenario = load_scenario(write(tmp_path, two_options()))
    before = appraise(scenario, SETTINGS, with_sensitivity=False)
    after = appraise_with(scenario, SETTINGS, {}, {("National", "head_office_share"): 0.4})
    # the national's local shares were of the contract at 20% head office: (1 - 0.4) / 0.8
    scale = 0.6 / 0.8
    r2, r3 = 0.3 * scale, 0.3 * scale * 0.8 * 0.25
    national = after.options.set_index("name").loc["National"]
    assert national["lm3"] == pytest.approx(1 + r2 + r3)
    assert national["local_value_per_pound"] < before.options.set_index("name").loc[
        "National", "local_value_per_pound"]
    assert after.headline["break_even_premium"] > before.headline["break_even_premium"]


def test_nef_northumberland_convention_only_reproduces_nefs_figures():
    assert maths.nef_convention_value_per_pound(0.76, True) == pytest.approx(1.76)
    assert maths.nef_convention_value_per_pound(0.36, False) == pytest.approx(0.36)
    assert maths.NEF_CONVENTION_LABEL.startswith("nef convention: counts the local supplier's "
                                                 "own £1 as local")
    assert "never the basis of a premium" in maths.NEF_CONVENTION_LABEL


def test_evidenced_options_use_the_full_lm3_range():
    from types import SimpleNamespace

    from toolkit.appraisal.evidence import lm3_range

    full = SimpleNamespace(lm3_low=1.88, lm3_high=1.93, full_low=1.70, full_high=2.01)
    assert lm3_range(full) == (1.70, 2.01)
