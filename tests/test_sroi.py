"""SROI: published cases, a hand-worked case, bad input and properties (METHODS §3, §4)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from toolkit.inputs.errors import InputError
from toolkit.inputs.settings import load_settings
from toolkit.measures.proxies import proxy_library, read_price_index
from toolkit.measures.sroi import (
    COMPARISON_NOTE,
    SroiAssumptions,
    discount_factors,
    inputs_table,
    rates_by_year,
    sroi,
    sroi_from_workbook,
    sroi_income_lines,
    sroi_income_note,
    tornado_chart,
    yearly_impacts,
)
from toolkit.measures.volunteering import volunteering_summary

matplotlib.use("Agg")

GREEN_BOOK = ((1, 30, 0.035), (31, 75, 0.030), (76, 125, 0.025), (126, 200, 0.020),
              (201, 300, 0.015), (301, None, 0.010))


class FakeWorkbook:
    """Just enough of toolkit.inputs.workbook.Workbook for these tests."""

    def __init__(self, tables: dict, path: str = "fake.xlsx", year: str = "2024-25"):
        self.tables, self.path, self.financial_year = tables, Path(path), year

    def has(self, key):
        return key in self.tables

    def table(self, key):
        return self.tables.get(key, pd.DataFrame())


def outcome(**changes) -> dict:
    row = {"row": 2, "outcome": "Into work", "stakeholder": "Young people", "quantity": 10.0,
           "proxy_id": None, "value": 1000.0, "price_year": 2020, "deadweight": 0.0,
           "displacement": 0.0, "attribution": 0.0, "drop_off": 0.0, "benefit_period": 1,
           "start_year": None}
    row.update(changes)
    return row


def assumptions(**changes) -> SroiAssumptions:
    base = SroiAssumptions(analysis_year=2025, schedule=GREEN_BOOK, wellbeing_rate=0.015,
                           discount_year_one=False)
    return SroiAssumptions(**{**base.__dict__, **changes})


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    path = tmp_path_factory.mktemp("index") / "index.csv"
    path.write_text("year,index\n2019,95\n2020,100\n2025,110\n2026,112\n")
    return read_price_index(path)


@pytest.fixture(scope="module")
def library():
    return proxy_library(wellby={"value": 13000, "low": 10000, "high": 16000},
                         wellby_price_year=2019)


def money_inputs(amount: float) -> pd.DataFrame:
    return pd.DataFrame([{"item": "Income studied", "amount": amount, "source": "test",
                          "status": "evidenced"}])


def run(rows, index, library, inputs=4000.0, **changes):
    return sroi(pd.DataFrame(rows), money_inputs(inputs), assumptions(**changes), library,
                index)


# ----------------------------------------------------------------- published cases


def test_green_book_factors_are_one_over_1_035_to_the_t_up_to_year_30():
    factors = discount_factors(30, GREEN_BOOK, discount_year_one=True)
    for t in range(1, 31):
        assert factors[t - 1] == pytest.approx(1 / 1.035**t, rel=1e-12)


def test_year_31_step_is_cumulative_not_restarted_at_3_percent():
    factors = discount_factors(32, GREEN_BOOK, discount_year_one=True)
    assert factors[30] == pytest.approx(factors[29] / 1.03, rel=1e-12)
    assert factors[31] == pytest.approx(factors[29] / 1.03**2, rel=1e-12)
    # applying 3.0% from year 0 would wrongly value year 31 above year 30
    assert 1 / 1.03**31 > factors[29] > factors[30]


def test_year_one_not_discounted_shifts_the_factors_by_one_year():
    factors = discount_factors(31, GREEN_BOOK, discount_year_one=False)
    assert factors[0] == 1.0
    assert factors[1] == pytest.approx(1 / 1.035)
    assert factors[30] == pytest.approx(1 / 1.035**30)


def test_wellby_case_0_2_points_for_one_person_is_2600(library, tmp_path):
    # METHODS case 6: 0.2 * £13,000 = £2,600 (2019 prices, analysis year 2019, one year,
    # no adjustments, year 1 not discounted).
    index = read_price_index()  # illustrative; factor 2019 -> 2019 is exactly 1
    result = sroi(pd.DataFrame([outcome(proxy_id="wellby", value=None, price_year=None,
                                        quantity=0.2)]),
                  money_inputs(1000.0), assumptions(analysis_year=2019), library, index)
    assert result.present_value == pytest.approx(2600.0)
    assert result.outcomes.loc[0, "discounting"].startswith("wellbeing rate")


def test_wellby_value_is_the_users_setting():
    settings = load_settings(overrides={"analysis_year": 2019,
                                        "social_value": {"wellby": 15000}})
    wb = FakeWorkbook({"outcomes": pd.DataFrame([outcome(proxy_id="wellby", value=None,
                                                         price_year=None, quantity=0.2)]),
                       "income": pd.DataFrame([{"amount": 1000.0, "in_lm3": True}])})
    assert sroi_from_workbook(wb, settings).present_value == pytest.approx(3000.0)


# ----------------------------------------------------------------- hand-worked case


def test_hand_worked_case_with_every_adjustment(index, library):
    # Own value £1,000 priced 2020; index 2020 = 100, 2025 = 110, so uprated to £1,100.
    # gross        = 10 people * £1,100                           = £11,000
    # year 1       = 11,000 * (1 - 0.20) * (1 - 0.10) * (1 - 0.25) = 11,000 * 0.54 = £5,940
    # year 2       = 5,940 * (1 - 0.50)                            = £2,970
    # year 3       = 2,970 * (1 - 0.50)                            = £1,485
    # year 1 not discounted (the default convention): DF = 1, 1/1.035, 1/1.035^2
    # PV           = 5,940 + 2,970/1.035 + 1,485/1.071225
    #              = 5,940 + 2,869.5652 + 1,386.2634            = £10,195.83
    # inputs       = £4,000 income + 100 volunteer hours * £10   = £5,000
    # ratio        = 10,195.83 / 5,000 = 2.039;  NPV = £5,195.83
    row = outcome(deadweight=0.20, displacement=0.10, attribution=0.25, drop_off=0.50,
                  benefit_period=3)
    volunteers = volunteering_summary(
        pd.DataFrame([{"activity": "befriending", "hours": 100.0, "hourly_wage": 10.0}]), 12.6)
    income = pd.DataFrame([{"amount": 4000.0, "in_lm3": True, "in_sroi": True},
                           {"amount": 999.0, "in_lm3": True, "in_sroi": False}])
    inputs = inputs_table(income, None, volunteers)
    result = sroi(pd.DataFrame([row]), inputs, assumptions(), library, index)
    first = result.outcomes.iloc[0]
    assert first["unit_value"] == pytest.approx(1100.0)
    assert first["uprating_factor"] == pytest.approx(1.1)
    assert first["gross_value"] == pytest.approx(11000.0)
    assert first["year1_impact"] == pytest.approx(5940.0)
    assert result.yearly["impact"].tolist() == pytest.approx([5940.0, 2970.0, 1485.0])
    assert result.present_value == pytest.approx(10195.83, abs=0.01)
    assert result.inputs_value == pytest.approx(5000.0)
    assert result.ratio == pytest.approx(2.0392, abs=1e-4)
    assert result.net_present_value == pytest.approx(5195.83, abs=0.01)


def test_volunteer_time_is_an_input_never_a_benefit(index, library):
    rows = [outcome()]
    without = sroi(pd.DataFrame(rows), money_inputs(4000.0), assumptions(), library, index)
    volunteers = volunteering_summary(pd.DataFrame([{"activity": "a", "hours": 100.0,
                                                     "hourly_wage": None}]), 12.0)
    inputs = inputs_table(pd.DataFrame([{"amount": 4000.0, "in_lm3": None}]), None, volunteers)
    with_vol = sroi(pd.DataFrame(rows), inputs, assumptions(), library, index)
    assert with_vol.present_value == without.present_value
    assert with_vol.inputs_value == pytest.approx(4000.0 + 1200.0)
    assert with_vol.ratio < without.ratio


def test_inputs_setting_replaces_income():
    table = inputs_table(pd.DataFrame([{"amount": 4000.0, "in_lm3": True}]), 2500.0, None)
    assert table["amount"].sum() == 2500.0
    assert "social_value.inputs_value" in table.loc[0, "source"]


def test_outcome_starting_later_is_discounted_from_its_start(index, library):
    now = run([outcome()], index, library)
    later = run([outcome(start_year=2027)], index, library)
    assert later.present_value == pytest.approx(now.present_value / 1.035**2)


def test_workings_show_every_column_a_reader_needs(index, library):
    result = run([outcome(deadweight=0.1)], index, library)
    for column in ("quantity", "proxy_id", "value_source", "unit_value", "deadweight",
                   "displacement", "attribution", "drop_off", "year1_impact",
                   "present_value", "price_year", "uprating_factor"):
        assert column in result.outcomes.columns
    data = json.loads(json.dumps(result.to_dict()))
    assert data["ratio"] == pytest.approx(result.ratio)
    assert data["outcomes"][0]["deadweight"] == 0.1


def test_illustrative_index_is_named_in_the_result(library):
    result = sroi(pd.DataFrame([outcome()]), money_inputs(100.0), assumptions(), library,
                  read_price_index())
    assert "ILLUSTRATIVE" in result.price_index
    assert any("ILLUSTRATIVE" in note for note in result.notes)
    assert result.evidence["status"].str.contains("ILLUSTRATIVE").any()


# ----------------------------------------------------------------- bad input


def test_unknown_proxy_id_is_a_clear_error(index, library):
    with pytest.raises(InputError, match="wellbey.*Did you mean wellby"):
        run([outcome(proxy_id="wellbey", value=None)], index, library)


def test_proxy_and_own_value_together_is_an_error(index, library):
    with pytest.raises(InputError, match="not both"):
        run([outcome(proxy_id="wellby")], index, library)


def test_no_value_at_all_is_an_error(index, library):
    with pytest.raises(InputError, match="proxy value id or your own value"):
        run([outcome(value=None)], index, library)


@pytest.mark.parametrize("years", [0, -2])
def test_benefit_period_of_zero_or_less_is_an_error(index, library, years):
    with pytest.raises(InputError, match="at least 1 year"):
        run([outcome(benefit_period=years)], index, library)


def test_benefit_period_over_30_years_is_a_warning(index, library):
    result = run([outcome(benefit_period=31)], index, library)
    assert any("over 30 years" in p.message for p in result.report.warnings)


def test_benefit_period_over_75_years_is_an_error_unless_allowed(index, library):
    with pytest.raises(InputError, match="over 75 years"):
        run([outcome(benefit_period=76)], index, library)
    allowed = run([outcome(benefit_period=76)], index, library, allow_long=True)
    assert len(allowed.yearly) == 76


@pytest.mark.parametrize("column", ["deadweight", "displacement", "attribution", "drop_off"])
@pytest.mark.parametrize("share", [-0.1, 1.2, None])
def test_adjustment_outside_0_to_100_percent_is_an_error(index, library, column, share):
    with pytest.raises(InputError, match="must be from 0% to 100%"):
        run([outcome(**{column: share})], index, library)


def test_every_error_is_listed_with_its_row(index, library):
    rows = [outcome(row=2, deadweight=1.5), outcome(row=5, benefit_period=0)]
    with pytest.raises(InputError) as caught:
        run(rows, index, library)
    text = str(caught.value)
    assert "2 error(s)" in text and "row 2" in text and "row 5" in text


def test_price_year_missing_from_index_is_an_error(index, library):
    with pytest.raises(InputError, match="no figure for 2001"):
        run([outcome(price_year=2001)], index, library)


def test_zero_inputs_give_no_ratio_and_say_why(index, library):
    result = run([outcome()], index, library, inputs=0.0)
    assert result.ratio is None
    assert result.present_value > 0
    assert any("not defined" in p.message for p in result.report.warnings)
    assert result.sensitivity["ratio_up"].isna().all()


def test_no_outcomes_is_an_error(index, library):
    with pytest.raises(InputError, match="no rows"):
        sroi(pd.DataFrame(), money_inputs(1.0), assumptions(), library, index)


def test_workbook_without_outcomes_sheet_is_not_evidenced():
    with pytest.raises(InputError, match="not evidenced"):
        sroi_from_workbook(FakeWorkbook({}), load_settings())


# ----------------------------------------------------------------- sensitivity and chart


def test_sensitivity_moves_the_ratio_the_right_way(index, library):
    result = run([outcome(deadweight=0.3, drop_off=0.2, benefit_period=3)], index, library)
    table = result.sensitivity.set_index("assumption")
    dead = table.loc["Deadweight (every outcome)"]
    assert dead["ratio_down"] > result.ratio > dead["ratio_up"]
    period = table.loc["Benefit period (every outcome)"]
    assert period["ratio_down"] < result.ratio < period["ratio_up"]
    assert list(result.sensitivity["swing"]) == sorted(result.sensitivity["swing"],
                                                        reverse=True)


def test_tornado_chart_has_title_units_and_alt_text(index, library):
    result = run([outcome(deadweight=0.3, benefit_period=2)], index, library)
    fig = tornado_chart(result)
    ax = fig.axes[0]
    assert "SROI ratio" in ax.get_title()
    assert "£" in ax.get_xlabel()
    assert ax.get_ylabel()
    assert "central case" in fig.alt_text and f"£{result.ratio:,.2f}" in fig.alt_text
    matplotlib.pyplot.close(fig)


def test_tornado_chart_draws_present_value_when_there_is_no_ratio(index, library):
    result = run([outcome()], index, library, inputs=0.0)
    fig = tornado_chart(result)
    assert "Present value" in fig.axes[0].get_xlabel()
    matplotlib.pyplot.close(fig)


def test_sroi_from_workbook_reads_income_volunteers_and_settings():
    settings = load_settings(overrides={"analysis_year": 2025})
    wb = FakeWorkbook({
        "outcomes": pd.DataFrame([outcome(price_year=2025)]),
        "income": pd.DataFrame([{"amount": 8000.0, "in_lm3": True}]),
        "volunteers": pd.DataFrame([{"activity": "a", "hours": 10.0, "hourly_wage": None}]),
    })
    result = sroi_from_workbook(wb, settings)
    assert result.present_value == pytest.approx(10000.0)
    assert result.inputs_value == pytest.approx(8000.0 + 10 * 12.60)
    assert "social_value.discount_year_one" in set(result.assumptions["setting"])


# ----------------------------------------------------------------- properties

shares = st.floats(0.0, 1.0, allow_nan=False)
SHIPPED = (read_price_index(), proxy_library())


@hsettings(max_examples=50, deadline=None)
@given(dead=shares, extra=st.floats(0.0, 1.0), disp=shares, attr=shares, drop=shares,
       years=st.integers(1, 40), quantity=st.floats(0.0, 1e4), value=st.floats(0.0, 1e5))
def test_raising_deadweight_never_raises_the_ratio(dead, extra, disp, attr, drop, years,
                                                   quantity, value):
    index, library = SHIPPED
    base = dict(deadweight=dead, displacement=disp, attribution=attr, drop_off=drop,
                benefit_period=years, quantity=quantity, value=value, price_year=2025)
    low = run([outcome(**base)], index, library)
    high = run([outcome(**{**base, "deadweight": min(1.0, dead + extra)})], index, library)
    assert high.ratio <= low.ratio + 1e-9 * max(1.0, low.ratio)


rate_steps = st.lists(st.floats(0.0, 0.2, allow_nan=False), min_size=1, max_size=5)


@hsettings(max_examples=100, deadline=None)
@given(rates=rate_steps, lengths=st.lists(st.integers(1, 40), min_size=5, max_size=5),
       years=st.integers(1, 400), year_one=st.booleans())
def test_discount_factors_never_rise_with_the_year(rates, lengths, years, year_one):
    schedule, start = [], 1
    for i, rate in enumerate(rates):
        end = None if i == len(rates) - 1 else start + lengths[i] - 1
        schedule.append((start, end, rate))
        start = (end or 0) + 1
    factors = discount_factors(years, schedule, year_one)
    assert len(factors) == years
    assert all(b <= a for a, b in zip(factors, factors[1:], strict=False))
    assert all(0 < f <= 1 for f in factors)


def test_rates_follow_the_schedule():
    rates = rates_by_year(GREEN_BOOK, 302)
    assert rates[0] == rates[29] == 0.035 and rates[30] == 0.030
    assert rates[75] == 0.025 and rates[299] == 0.015 and rates[300] == 0.010


def test_impacts_fall_by_the_drop_off():
    assert list(yearly_impacts(100.0, 0.25, 3)) == [100.0, 75.0, 56.25]
    assert math.isclose(yearly_impacts(100.0, 1.0, 2)[1], 0.0)


def test_income_without_types_or_marks_is_all_taken_and_labelled_assumed():
    table = inputs_table(pd.DataFrame({"amount": [5.0, 6.0]}), None, None)
    assert table["amount"].sum() == 11.0 and table["status"].str.startswith("assumed").all()


def test_outcomes_chart_has_title_units_and_alt_text(index, library):
    from toolkit.measures.sroi import outcomes_chart

    result = run([outcome(), outcome(row=3, outcome="Fitter", value=500.0)], index, library)
    fig = outcomes_chart(result)
    assert "£" in fig.axes[0].get_xlabel() and "Present value" in fig.axes[0].get_title()
    assert fig.alt_text.startswith("Bar chart") and "Into work: £11,000" in fig.alt_text
    matplotlib.pyplot.close(fig)


# ----------------------------------------------------------------- inputs and switching

HALIFAX = "data/samples/calderdale/halifax-northgate-centre_2024-25.xlsx"


def test_inputs_are_the_lines_marked_for_sroi_not_lm3s_income():
    income = pd.DataFrame([
        {"row": 2, "source": "Cafe sales", "payer": "Cafe", "type": "trading",
         "amount": 9000.0, "in_lm3": True, "in_sroi": False},
        {"row": 3, "source": "Interest", "payer": "Bank", "type": "investment",
         "amount": 500.0, "in_lm3": True, "in_sroi": None},
        {"row": 4, "source": "Youth contract", "payer": "Council", "type": "public contract",
         "amount": 4000.0, "in_lm3": True, "in_sroi": True}])
    table = inputs_table(income, None, None)
    assert table["amount"].sum() == 4000.0
    assert table.loc[0, "status"].startswith("evidenced") and "row 4" in table.loc[0, "item"]
    note = sroi_income_note(income)
    assert "Cafe sales" in note and "Interest" in note and "Youth contract" not in note


def test_with_no_line_marked_contracts_and_grants_are_taken_labelled_assumed():
    income = pd.DataFrame([
        {"row": 2, "source": "Cafe", "payer": "Cafe", "type": "trading", "amount": 9000.0},
        {"row": 3, "source": "Interest", "payer": "Bank", "type": "investment", "amount": 50.0},
        {"row": 4, "source": "Grant", "payer": "Lottery", "type": "other grant",
         "amount": 3000.0},
        {"row": 5, "source": "Contract", "payer": "Council", "type": "public contract",
         "amount": 1000.0}])
    taken, left, basis = sroi_income_lines(income)
    assert basis == "types" and taken["amount"].sum() == 4000.0 and len(left) == 2
    table = inputs_table(income, None, None)
    assert table["status"].str.startswith("assumed").all()


def test_halifax_ratio_leaves_out_cafe_takings_and_bank_interest():
    from toolkit.inputs.workbook import load_workbook

    wb = load_workbook(HALIFAX)
    settings = load_settings()
    result = sroi_from_workbook(wb, settings)
    income = wb.table("income")
    funding = income.loc[income["type"].isin(["public contract", "public grant",
                                              "other grant"]), "amount"].sum()
    volunteers = result.inputs.loc[result.inputs["item"].str.startswith("Volunteers"),
                                   "amount"].sum()
    assert result.inputs_value == pytest.approx(funding + volunteers)
    assert result.ratio == pytest.approx(result.present_value / (funding + volunteers))
    assert result.ratio > result.present_value / (income["amount"].sum() + volunteers)
    assert not result.inputs["item"].str.contains("Cafe|Interest").any()


def test_switching_values_bring_the_ratio_to_one(index, library):
    rows = [outcome(deadweight=0.2, drop_off=0.3, benefit_period=3),
            outcome(row=3, outcome="Fitter", value=500.0, deadweight=0.4)]
    result = run(rows, index, library, inputs=4000.0)
    switching = result.switching
    dead, factor = switching["ratio_one_deadweight"], switching["ratio_one_value_factor"]
    assert factor == pytest.approx(4000.0 / result.present_value)
    at_dead = run([{**r, "deadweight": dead} for r in rows], index, library, inputs=4000.0)
    assert at_dead.ratio == pytest.approx(1.0)
    scaled = run([{**r, "value": r["value"] * factor} for r in rows], index, library,
                 inputs=4000.0)
    assert scaled.ratio == pytest.approx(1.0)
    assert COMPARISON_NOTE in result.notes
    assert json.loads(json.dumps(result.to_dict()))["switching_values"]["ratio_one_deadweight"] \
        == pytest.approx(dead)


def test_no_switching_deadweight_when_the_ratio_is_below_one_anyway(index, library):
    result = run([outcome()], index, library, inputs=1_000_000.0)
    assert result.switching["ratio_one_deadweight"] is None
    assert "Even with no deadweight" in result.switching["deadweight_text"]
    assert result.switching["ratio_one_value_factor"] > 1
