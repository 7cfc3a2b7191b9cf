"""Resilience profile against Locality's seven characteristics (METHODS §6), and volunteering
(METHODS §4), including the value and finance commands on a real workbook file."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd
import pytest

from toolkit.cli import main
from toolkit.inputs.errors import InputError
from toolkit.inputs.settings import load_settings
from toolkit.inputs.workbook import load_workbook, write_workbook
from toolkit.measures.resilience import (
    CHARACTERISTICS,
    NOT_EVIDENCED,
    resilience_indicators,
    resilience_profile,
)
from toolkit.measures.volunteering import (
    volunteering_summary,
    volunteering_table,
    volunteering_value,
)

INCOME = [{"source": "Contract", "payer": "Council", "type": "public contract",
           "amount": 60_000.0, "in_lm3": True},
          {"source": "Gifts", "payer": "Donors", "type": "donations", "amount": 10_000.0,
           "in_lm3": True}]
SPENDING = [{"supplier": "Printers Ltd", "supplier_postcode": "BD1 1AA",
             "category": "marketing and printing", "amount": 5_000.0},
            {"supplier": "Cafe Supplies", "supplier_postcode": "LS1 1AA",
             "category": "food and catering", "amount": 7_000.0}]
STAFF = [{"role": f"Worker {i}", "fte": 1.0, "gross_pay": 24_000.0, "home_district": "BD1",
          "living_wage": i != 0} for i in range(6)]
VOLUNTEERS = [{"activity": "Befriending", "hours": 1000.0, "hourly_wage": None},
              {"activity": "Cafe", "hours": 500.0, "hourly_wage": 13.0}]
BALANCE = [{"total_income": 70_000.0, "total_expenditure": 68_000.0, "staff_costs": 50_000.0,
            "unrestricted_funds": 40_000.0, "designated_funds": 5_000.0,
            "fixed_assets_own_use": 12_000.0, "restricted_funds": 3_000.0,
            "net_assets": 43_000.0}]
OUTCOMES = [{"outcome": "Less lonely", "stakeholder": "Older people", "quantity": 20.0,
             "proxy_id": "wellby", "deadweight": 0.2, "displacement": 0.0,
             "attribution": 0.3, "drop_off": 0.5, "benefit_period": 2},
            {"outcome": "Into work", "stakeholder": "Young people", "quantity": 5.0,
             "value": 4000.0, "price_year": 2023, "deadweight": 0.3, "displacement": 0.1,
             "attribution": 0.2, "drop_off": 0.3, "benefit_period": 3}]


def about(year="2024-25"):
    return [{"name": "Test Trust (fictional)", "org_id": "test-trust", "la_code": "E08000032",
             "financial_year": year, "fictional": True}]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    path = write_workbook(tmp_path_factory.mktemp("book") / "test-trust_2024-25.xlsx", {
        "about": about(), "income": INCOME, "spending": SPENDING, "staff": STAFF,
        "volunteers": VOLUNTEERS, "outcomes": OUTCOMES, "balance": BALANCE})
    return path


def test_profile_lists_all_seven_characteristics_in_order(book):
    profile = resilience_profile(load_workbook(book), load_settings())
    assert list(dict.fromkeys(profile["characteristic"])) == list(CHARACTERISTICS)


def test_what_nothing_evidences_is_said_plainly(book):
    profile = resilience_profile(load_workbook(book), load_settings())
    for name in ("An inclusive finance system", "A clean and sustainable environment"):
        rows = profile[profile["characteristic"] == name]
        assert len(rows) == 1
        assert rows.iloc[0]["indicator"] == NOT_EVIDENCED and not rows.iloc[0]["evidenced"]


def test_volunteers_evidence_active_citizens(book):
    profile = resilience_profile(load_workbook(book), load_settings()).set_index("indicator")
    assert profile.loc["Volunteer hours a year", "value"] == 1500
    # 1,000 hours at the setting's £12.60 plus 500 hours at the workbook's £13.00
    assert profile.loc["Volunteer time at replacement cost", "value"] == pytest.approx(
        1000 * 12.60 + 500 * 13.0)
    assert profile.loc["Volunteer time at replacement cost", "characteristic"] == (
        "Active and connected citizens")


def test_lm3_results_evidence_the_flow_of_money(book):
    lm3 = {"lm3": 1.8, "lm3_low": 1.6, "lm3_high": 1.95, "local_share_of_spending": 0.55,
           "local_supplier_share": 0.4}
    profile = resilience_profile(load_workbook(book), load_settings(), lm3=lm3)
    flow = profile[profile["characteristic"] == CHARACTERISTICS[0]].set_index("indicator")
    assert flow.loc["Local multiplier (LM3)", "value"] == 1.8
    assert "1.60 to 1.95" in flow.loc["Local multiplier (LM3)", "shown"]
    business = profile[profile["characteristic"] == CHARACTERISTICS[1]].set_index("indicator")
    assert business.loc["Share of non-staff spending with local suppliers", "value"] == 0.4


def test_lm3_result_objects_are_accepted():
    @dataclass
    class Result:
        lm3: float = 2.1
        lm3_low: float = 2.0
        lm3_high: float = 2.2
        local_share_of_spending: float = 0.6

    profile = resilience_indicators({}, {}, Result())
    assert profile.iloc[0]["value"] == 2.1 and profile.iloc[0]["evidenced"]


def test_without_lm3_the_flow_of_money_is_not_given_not_zero(book):
    profile = resilience_profile(load_workbook(book), load_settings())
    flow = profile[profile["characteristic"] == CHARACTERISTICS[0]]
    assert len(flow) == 1 and pd.isna(flow.iloc[0]["value"])
    assert flow.iloc[0]["shown"] == "not given here" and not flow.iloc[0]["evidenced"]


def test_an_empty_workbook_evidences_nothing():
    profile = resilience_indicators({}, {})
    assert len(profile) == 7
    assert (profile["indicator"] == NOT_EVIDENCED).all()


def test_living_wage_share_is_suppressed_for_small_staff_groups():
    staff = pd.DataFrame(STAFF[:3])
    profile = resilience_indicators({"staff": staff}, {}, small_group=5).set_index("indicator")
    row = profile.loc["Staff paid at least the real Living Wage"]
    assert pd.isna(row["value"]) and "privacy" in row["shown"]
    big = resilience_indicators({"staff": pd.DataFrame(STAFF)}, {}, small_group=5)
    share = big.set_index("indicator").loc["Staff paid at least the real Living Wage", "value"]
    assert share == pytest.approx(5 / 6)


# ----------------------------------------------------------------- volunteering


def test_volunteering_uses_the_workbook_wage_or_the_setting_and_shows_it():
    table = volunteering_table(pd.DataFrame(VOLUNTEERS), 12.60)
    assert list(table["hourly_wage"]) == [12.60, 13.0]
    assert list(table["wage_source"]) == ["setting volunteering.default_hourly_wage",
                                          "workbook"]
    assert table["value"].sum() == pytest.approx(12_600 + 6_500)


def test_no_volunteers_is_not_evidenced_rather_than_a_silent_zero():
    result = volunteering_summary(None, 12.60)
    assert result.total_value == 0 and not result.evidenced
    assert any("Not evidenced" in note for note in result.notes)


@pytest.mark.parametrize("row", [{"activity": "a", "hours": -1.0, "hourly_wage": None},
                                 {"activity": "a", "hours": 5.0, "hourly_wage": -2.0},
                                 {"activity": "a", "hours": None, "hourly_wage": None}])
def test_bad_volunteer_rows_are_errors(row):
    with pytest.raises(InputError, match="Volunteers"):
        volunteering_table(pd.DataFrame([row]), 12.60)


def test_volunteering_compares_other_rates_including_the_years_living_wage(book):
    result = volunteering_value(load_workbook(book), load_settings())
    rates = list(result.comparison["rate"])
    assert any("Living Wage 2024-25" in r for r in rates)
    assert any("ONS" in r for r in rates) and any("ASHE" in r for r in rates)
    assert result.to_dict()["role_in_sroi"].startswith("an input")


# ----------------------------------------------------------------- commands on a real file


def test_value_command_prints_json_with_workings(book, capsys):
    assert main(["value", str(book), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    sroi = data["sroi"]
    assert sroi["ratio"] == pytest.approx(sroi["present_value"] / sroi["inputs_value"])
    assert {o["proxy_id"] for o in sroi["outcomes"]} == {"wellby", None}
    assert "ILLUSTRATIVE" in sroi["price_index"]
    assert data["volunteering"]["total_hours"] == 1500


def test_value_command_text_shows_ratio_sensitivity_and_volunteering(book, capsys):
    assert main(["value", str(book)]) == 0
    out = capsys.readouterr().out
    assert "Ratio" in out and "Sensitivity" in out and "Volunteering" in out
    assert "never a benefit" in out


def test_value_command_with_a_bad_proxy_id_is_a_plain_error(tmp_path, capsys):
    bad = [{**OUTCOMES[0], "proxy_id": "no-such-value"}]
    path = write_workbook(tmp_path / "bad.xlsx", {
        "about": about(), "income": INCOME, "spending": SPENDING, "staff": STAFF,
        "outcomes": bad, "balance": BALANCE})
    assert main(["value", str(path)]) == 2
    assert "no-such-value" in capsys.readouterr().err


def test_finance_command_sets_years_side_by_side(tmp_path, capsys):
    paths = []
    for year, unrestricted in (("2024-25", 40_000.0), ("2023-24", 30_000.0)):
        paths.append(str(write_workbook(tmp_path / f"t_{year}.xlsx", {
            "about": about(year), "income": INCOME, "spending": SPENDING, "staff": STAFF,
            "balance": [{**BALANCE[0], "unrestricted_funds": unrestricted}]})))
    assert main(["finance", *paths, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [y["financial_year"] for y in data["years"]] == ["2023-24", "2024-25"]
    free = data["side_by_side"][0]
    assert (free["2023-24"], free["2024-25"]) == (13_000, 23_000)
    assert main(["finance", paths[0]]) == 0
    assert "no single right level" in capsys.readouterr().out


def test_value_command_without_outcomes_says_not_evidenced(tmp_path, capsys):
    path = write_workbook(tmp_path / "no-outcomes.xlsx", {
        "about": about(), "income": INCOME, "spending": SPENDING, "staff": STAFF,
        "volunteers": VOLUNTEERS, "balance": BALANCE})
    assert main(["value", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["sroi"] is None and "not evidenced" in data["sroi_note"]
    assert data["volunteering"]["evidenced"]
