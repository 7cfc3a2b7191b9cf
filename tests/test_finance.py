"""Financial resilience (METHODS §5): reserves, concentration, margins, years side by side."""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from toolkit.inputs.errors import InputError
from toolkit.inputs.settings import load_settings
from toolkit.measures.finance import (
    CC19_NOTE,
    Thresholds,
    finance,
    finance_from_workbook,
    finance_years,
    free_reserves,
    hhi,
    income_mix_chart,
    months_of_reserves,
    payer_table,
)

matplotlib.use("Agg")

BALANCE = {"total_income": 100_000.0, "total_expenditure": 96_000.0, "staff_costs": 60_000.0,
           "unrestricted_funds": 50_000.0, "designated_funds": 10_000.0,
           "fixed_assets_own_use": 16_000.0, "restricted_funds": 5_000.0,
           "net_assets": 55_000.0}


def income_rows(*rows) -> pd.DataFrame:
    return pd.DataFrame([{"row": i + 2, "source": f"s{i}", "payer": payer, "type": kind,
                          "amount": amount, "in_lm3": True}
                         for i, (payer, kind, amount) in enumerate(rows)])


INCOME = income_rows(("Bradford Council", "public contract", 30_000.0),
                     ("bradford  council", "public grant", 20_000.0),
                     ("NHS ICB", "public contract", 20_000.0),
                     ("Cafe customers", "trading", 20_000.0),
                     ("Individual donors", "donations", 10_000.0))


class FakeWorkbook:
    def __init__(self, income, balance, year, name="Test Trust"):
        self._income, self.balance, self.financial_year = income, balance, year
        self.name, self.path = name, Path(f"test_{year}.xlsx")

    def table(self, key):
        assert key == "income"
        return self._income

    def has(self, key):
        return key in {"income", "balance"}


def test_free_reserves_leave_out_designated_funds_and_the_building():
    # CC19: £50,000 unrestricted - £10,000 designated - £16,000 building = £24,000
    assert free_reserves(50_000, 10_000, 16_000) == 24_000
    # £24,000 / (£96,000 / 12 = £8,000 a month) = 3 months
    assert months_of_reserves(24_000, 96_000) == 3.0
    assert months_of_reserves(24_000, 0) is None


def test_worked_example_of_every_measure():
    result = finance(INCOME, BALANCE)
    v = result.values
    assert v["free_reserves"] == 24_000 and v["months_of_reserves"] == 3.0
    # Bradford Council holds a contract and a grant (names differ in case and spacing):
    # one payer with £50,000. NHS ICB £20,000. Trading and donations are not payers: HHI is
    # over the named payers' £70,000, (5/7)^2 + (2/7)^2 = 29/49; effective payers 49/29.
    assert v["hhi_payers"] == pytest.approx(29 / 49)
    assert v["effective_payers"] == pytest.approx(49 / 29)
    assert v["named_payers"] == 2
    assert v["named_payer_share"] == pytest.approx(0.7)
    assert v["many_payer_share"] == pytest.approx(0.3)
    assert v["unnamed_payer_share"] == 0.0
    # the largest payer's share is of all income
    assert v["largest_payer"] == "Bradford Council" and v["largest_payer_share"] == 0.5
    # over types: contracts 0.5, public grant 0.2, trading 0.2, donations 0.1
    assert v["hhi_types"] == pytest.approx(0.25 + 0.04 + 0.04 + 0.01)
    assert v["earned_share"] == pytest.approx(0.7)
    assert v["public_contract_share"] == pytest.approx(0.5)
    assert v["grant_share"] == pytest.approx(0.2)
    assert v["donations_share"] == pytest.approx(0.1)
    assert v["operating_margin"] == pytest.approx(0.04)
    assert v["equity_ratio"] == pytest.approx(0.55)
    payers = result.payers.set_index("payer")
    assert payers.loc["Bradford Council", "rows"] == 2
    assert payers.loc["many payers: trading", "counted_as"] == "many payers"


def test_hhi_labels_say_which_is_which():
    measures = finance(INCOME, BALANCE).measures.set_index("key")
    assert "over named payers" in measures.loc["hhi_payers", "measure"]
    assert "over income types" in measures.loc["hhi_types", "measure"]


def test_thresholds_are_read_as_settings_not_verdicts():
    result = finance(INCOME, BALANCE, Thresholds(reserves_months_low=4, concentration_high=0.2))
    text = " ".join(result.readings)
    assert "below the 4-month setting (a setting, not a rule)" in text
    assert "finance.concentration_high" in text
    assert CC19_NOTE in result.readings
    assert "no single right level" in CC19_NOTE


def test_thresholds_come_from_the_settings():
    settings = load_settings(overrides={"finance": {"reserves_months_low": 1}})
    assert Thresholds.from_settings(settings).reserves_months_low == 1


def test_negative_free_reserves_are_explained_not_hidden():
    balance = {**BALANCE, "unrestricted_funds": 20_000.0}
    result = finance(INCOME, balance)
    assert result.values["free_reserves"] == -6_000
    assert result.values["months_of_reserves"] == pytest.approx(-0.75)
    assert any("no free reserves to draw on" in line for line in result.readings)


def test_negative_unrestricted_funds_are_a_warning():
    result = finance(INCOME, {**BALANCE, "unrestricted_funds": -1_000.0})
    assert any("deficit" in p.message for p in result.report.warnings)


def test_a_single_payer_gives_hhi_one_and_says_so():
    result = finance(income_rows(("Council", "public contract", 80_000.0),
                                 ("Council", "public grant", 20_000.0)), BALANCE)
    assert result.values["hhi_payers"] == 1.0
    assert result.values["effective_payers"] == 1.0
    assert any("one payer (Council, 100% of all income)" in line for line in result.readings)


def test_only_many_payer_income_has_no_largest_payer():
    result = finance(income_rows(("Cafe", "trading", 60_000.0),
                                 ("Donors", "donations", 40_000.0)), BALANCE)
    assert result.values["hhi_payers"] == 0.0
    assert result.values["effective_payers"] is None
    assert result.values["largest_payer_share"] is None
    assert any("No payer is named" in line for line in result.readings)


def test_income_sheet_and_accounts_that_disagree_give_a_warning():
    result = finance(INCOME, {**BALANCE, "total_income": 150_000.0})
    assert any("adds up to £100,000" in p.message for p in result.report.warnings)


@pytest.mark.parametrize(("income", "balance", "message"), [
    (income_rows(), BALANCE, "no rows"),
    (income_rows(("A", "trading", -5.0)), BALANCE, "£0 or more"),
    (income_rows(("A", "trading", 0.0)), BALANCE, "adds up to £0"),
    (INCOME, {**BALANCE, "net_assets": None}, "net_assets"),
    (INCOME, {**BALANCE, "designated_funds": -1.0}, "Must not be negative"),
])
def test_bad_input_is_a_clear_error(income, balance, message):
    with pytest.raises(InputError, match=message):
        finance(income, balance)


def test_zero_expenditure_and_income_give_defined_results():
    result = finance(INCOME, {**BALANCE, "total_expenditure": 0.0, "total_income": 0.0})
    assert result.values["months_of_reserves"] is None
    assert result.values["operating_margin"] is None
    reading = result.measures.set_index("key").loc["months_of_reserves", "reading"]
    assert "expenditure is £0" in reading


def test_years_side_by_side_earliest_first():
    later = FakeWorkbook(INCOME, {**BALANCE, "unrestricted_funds": 60_000.0}, "2024-25")
    earlier = FakeWorkbook(INCOME, BALANCE, "2023-24")
    table = finance_years([later, earlier], load_settings())
    assert list(table.columns) == ["measure", "unit", "2023-24", "2024-25"]
    free = table.set_index("measure").loc["Free reserves"]
    assert (free["2023-24"], free["2024-25"]) == (24_000, 34_000)


def test_the_same_year_twice_is_an_error():
    books = [FakeWorkbook(INCOME, BALANCE, "2024-25"), FakeWorkbook(INCOME, BALANCE, "2024-25")]
    with pytest.raises(InputError, match="2024-25"):
        finance_years(books, load_settings())


def test_result_is_json_ready_and_chart_has_alt_text():
    result = finance_from_workbook(FakeWorkbook(INCOME, BALANCE, "2024-25"), load_settings())
    data = json.loads(json.dumps(result.to_dict()))
    assert data["values"]["free_reserves"] == 24_000
    fig = income_mix_chart(result)
    assert "%" in fig.axes[0].get_xlabel() and "2024-25" in fig.axes[0].get_title()
    assert "public contract 50%" in fig.alt_text
    matplotlib.pyplot.close(fig)


# ----------------------------------------------------------------- properties


def test_hhi_is_one_for_one_payer():
    assert hhi([1.0]) == 1.0


@hsettings(max_examples=50, deadline=None)
@given(n=st.integers(1, 200), amount=st.floats(1.0, 1e7))
def test_hhi_is_one_over_n_for_n_equal_payers(n, amount):
    income = income_rows(*[(f"Payer {i}", "public grant", amount) for i in range(n)])
    payers = payer_table(income)
    assert hhi(payers["share"]) == pytest.approx(1 / n)
    result = finance(income, BALANCE)
    assert result.values["effective_payers"] == pytest.approx(n)


@hsettings(max_examples=50, deadline=None)
@given(amounts=st.lists(st.floats(0.01, 1e7), min_size=1, max_size=30))
def test_hhi_lies_between_one_over_n_and_one(amounts):
    total = sum(amounts)
    value = hhi(a / total for a in amounts)
    assert 1 / len(amounts) - 1e-9 <= value <= 1 + 1e-9


SAMPLES = Path(__file__).resolve().parents[1] / "data" / "samples" / "authorities.yml"


@pytest.mark.skipif(not SAMPLES.exists(), reason="sample registry not made (keepitlocal samples)")
def test_years_the_registry_lists_for_an_organisation_are_side_by_side():
    from toolkit.inputs.registry import load_registry
    from toolkit.measures.finance import finance_years_for_organisation

    registry = load_registry(SAMPLES)
    several = [o for _, o in registry.organisations() if len(o.workbooks) > 1]
    assert several, "the samples include organisations with two financial years"
    table = finance_years_for_organisation(registry, several[0].id, load_settings())
    years = list(table.columns[2:])
    assert len(years) == len(several[0].workbooks) and years == sorted(years)


def test_assumptions_of_a_workbook_result_list_the_threshold_settings():
    result = finance_from_workbook(FakeWorkbook(INCOME, BALANCE, "2024-25"), load_settings())
    assert "finance.reserves_months_low" in set(result.assumptions["setting"])


def test_named_payers_only_count_and_unnamed_income_is_its_own_share():
    # Halifax-like: £321k council, £194k lottery, £67k bank interest, £463k trading.
    income = income_rows(("Council", "public contract", 321_000.0),
                         ("Lottery", "other grant", 194_000.0),
                         ("Bank", "investment", 67_000.0),
                         ("Cafe customers", "trading", 463_000.0),
                         ("", "public grant", 55_000.0))
    result = finance(income, BALANCE)
    v = result.values
    named = [321_000.0, 194_000.0, 67_000.0]
    expected = sum((a / sum(named)) ** 2 for a in named)
    assert v["hhi_payers"] == pytest.approx(expected)
    assert v["effective_payers"] == pytest.approx(1 / expected)
    assert v["effective_payers"] < 3  # at most the number of named payers
    total = sum(named) + 463_000.0 + 55_000.0
    assert v["named_payer_share"] == pytest.approx(sum(named) / total)
    assert v["many_payer_share"] == pytest.approx(463_000.0 / total)
    assert v["unnamed_payer_share"] == pytest.approx(55_000.0 / total)
    payers = result.payers.set_index("payer")
    assert payers.loc["payer not named: public grant", "counted_as"] == "payer not named"
    assert payers.loc["Council", "share_of_named"] == pytest.approx(321_000.0 / sum(named))
    assert pd.isna(payers.loc["many payers: trading", "share_of_named"])


def test_halifax_named_payers_read_as_at_most_three():
    from toolkit.inputs.workbook import load_workbook

    wb = load_workbook("data/samples/calderdale/halifax-northgate-centre_2024-25.xlsx")
    result = finance_from_workbook(wb, load_settings())
    income = wb.table("income")
    named = income[~income["type"].isin(["trading", "donations"])].groupby("payer")["amount"]
    shares = named.sum() / named.sum().sum()
    assert result.values["named_payers"] == len(shares) == 3
    assert result.values["effective_payers"] == pytest.approx(1 / (shares ** 2).sum())
    assert result.values["effective_payers"] < 3


def test_largest_payer_at_exactly_the_setting_is_flagged():
    income = income_rows(("Council", "public contract", 50_000.0),
                         ("Cafe", "trading", 50_000.0))
    result = finance(income, BALANCE, Thresholds(largest_payer_high=0.5))
    assert result.values["largest_payer_share"] == 0.5
    assert any("at or above the setting finance.largest_payer_high" in line
               for line in result.readings)
    reading = result.measures.set_index("key").loc["largest_payer_share", "reading"]
    assert reading.startswith("at or above")


def test_designated_funds_holding_the_fixed_assets_are_not_taken_off_twice():
    # £50,000 unrestricted, of which £20,000 designated as the building fund; building £16,000
    assert free_reserves(50_000, 20_000, 16_000) == 14_000
    assert free_reserves(50_000, 20_000, 16_000, designated_hold_fixed_assets=True) == 30_000
    # a fixed-asset fund smaller than the assets: the rest of the assets is still not free
    assert free_reserves(50_000, 10_000, 16_000, designated_hold_fixed_assets=True) == 34_000
    balance = {**BALANCE, "designated_funds": 20_000.0, "designated_hold_fixed_assets": True}
    assert finance(INCOME, balance).values["free_reserves"] == 30_000


def test_designated_funds_that_may_hold_the_assets_give_a_warning_when_not_said():
    balance = {**BALANCE, "designated_funds": 20_000.0}
    result = finance(INCOME, balance)
    assert result.values["free_reserves"] == 14_000
    warning = [p for p in result.report.warnings if "counted twice" in p.message]
    assert warning and warning[0].column == "Designated funds hold the fixed assets (yes/no)"
    said = finance(INCOME, {**balance, "designated_hold_fixed_assets": False})
    assert not any("counted twice" in p.message for p in said.report.warnings)


def test_negative_unrestricted_funds_are_worded_as_a_deficit():
    result = finance(INCOME, {**BALANCE, "unrestricted_funds": -5_000.0})
    line = next(r for r in result.readings if r.startswith("Unrestricted funds"))
    assert "in deficit (-£5,000)" in line and "no free reserves at all" in line
    assert "£-" not in " ".join(result.readings)
