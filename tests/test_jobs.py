"""Local jobs and pay: FTE, FTE-years (published case 5), local pay, real Living Wage."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.cli import main
from toolkit.inputs.errors import InputError
from toolkit.inputs.geography import Boundary
from toolkit.inputs.settings import load_settings
from toolkit.inputs.workbook import load_workbook, write_workbook
from toolkit.measures.jobs import fte_years, is_london, jobs_from_workbook, jobs_summary

SETTINGS = load_settings()
ABOUT = [{"name": "Test Trust", "org_id": "test-trust", "la_code": "E08000032",
          "financial_year": "2024-25", "fictional": True}]
BALANCE = [{"total_income": 10.0, "total_expenditure": 10.0, "staff_costs": 0.0,
            "unrestricted_funds": 1.0, "designated_funds": 0.0, "fixed_assets_own_use": 0.0,
            "restricted_funds": 0.0, "net_assets": 1.0}]


def staff_rows(full=10, half=5, district="BD1", living_wage=True):
    rows = [{"role": "Worker", "fte": 1.0, "gross_pay": 25_000.0, "home_district": district,
             "living_wage": living_wage} for _ in range(full)]
    rows += [{"role": "Part-timer", "fte": 0.5, "gross_pay": 12_500.0,
              "home_district": district, "living_wage": living_wage} for _ in range(half)]
    return rows


def workbook(tmp_path, staff, about=ABOUT):
    path = write_workbook(tmp_path / "b.xlsx", {
        "about": about, "balance": BALANCE, "staff": staff, "spending": [],
        "income": [{"source": "c", "payer": "p", "type": "trading", "amount": 10.0}]})
    return load_workbook(path)


def test_published_case_fte_years():
    assert fte_years([1.0] * 10 + [0.5] * 5, 2) == pytest.approx(25.0)


def test_published_case_through_workbook(tmp_path):
    wb = workbook(tmp_path, staff_rows())
    result = jobs_from_workbook(wb, SETTINGS, Boundary.from_codes("BD1", ["BD1"]), years=2)
    assert result.fte_local == pytest.approx(12.5)
    assert result.fte_years_local == pytest.approx(25.0)
    assert result.fte_years == pytest.approx(25.0)
    assert result.local_pay_share == pytest.approx(1.0)
    assert result.living_wage_share == pytest.approx(1.0)
    assert result.living_wage_rate == pytest.approx(12.60)
    assert result.living_wage_area == "UK"


def test_published_case_through_command(tmp_path, capsys):
    wb = workbook(tmp_path, staff_rows())
    code = main(["jobs", str(wb.path), "--years", "2", "--local-postcodes", "BD1", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0
    assert data["fte_years_local"] == pytest.approx(25.0)


def test_local_pay_share_and_unknown_districts():
    staff = pd.DataFrame([
        {"fte": 1.0, "gross_pay": 30_000.0, "local": True, "living_wage": True, "row": 2},
        {"fte": 1.0, "gross_pay": 10_000.0, "local": False, "living_wage": False, "row": 3},
        {"fte": 0.5, "gross_pay": 10_000.0, "local": None, "living_wage": None, "row": 4}])
    result = jobs_summary(staff, boundary_name="Here")
    assert result.local_pay_share == pytest.approx(0.6)
    assert result.fte_unknown == pytest.approx(0.5)
    assert result.pay_unknown == pytest.approx(10_000.0)
    assert result.living_wage_share == pytest.approx(0.5)
    assert result.living_wage_unknown == 1
    assert any("unknown" in n for n in result.notes)
    assert result.small_group is True


def test_london_rate_in_london_boroughs(tmp_path):
    about = [{**ABOUT[0], "la_code": "E09000012"}]  # Hackney
    wb = workbook(tmp_path, staff_rows(2, 0), about=about)
    result = jobs_from_workbook(wb, SETTINGS)
    assert is_london("E09000012") and not is_london("E08000032") and is_london(None) is None
    assert result.living_wage_area == "London"
    assert result.living_wage_rate == pytest.approx(13.85)


def test_no_boundary_leaves_local_figures_out(tmp_path):
    wb = workbook(tmp_path, staff_rows(3, 0))
    result = jobs_from_workbook(wb, SETTINGS)
    assert result.fte == pytest.approx(3.0)
    assert result.fte_local is None and result.local_pay_share is None
    assert any("No local boundary" in n for n in result.notes)


def test_no_staff_gives_defined_result():
    empty = pd.DataFrame(columns=["fte", "gross_pay", "local", "living_wage", "row"])
    result = jobs_summary(empty, 2, boundary_name="Here")
    assert result.fte == 0 and result.fte_years == 0
    assert result.local_pay_share is None
    assert result.living_wage_share is None
    assert any("not evidenced" in n for n in result.notes)


def test_below_rate_check_only_with_hours():
    staff = pd.DataFrame([{"fte": 1.0, "gross_pay": 15_000.0, "living_wage": True, "row": 2}])
    assert jobs_summary(staff, living_wage_rate=12.60).below_rate_rows == []
    flagged = jobs_summary(staff, living_wage_rate=12.60, full_time_hours=37.5)
    assert flagged.below_rate_rows == [2]


def test_bad_years_and_fte_are_refused():
    with pytest.raises(InputError, match="years"):
        fte_years([1.0], 0)
    with pytest.raises(InputError, match="FTE"):
        fte_years([-1.0], 1)
    staff = pd.DataFrame([{"fte": "lots", "gross_pay": 1.0, "row": 7}])
    with pytest.raises(InputError, match="row\\(s\\) 7"):
        jobs_summary(staff)


@given(st.lists(st.floats(min_value=0, max_value=1.5), max_size=30),
       st.floats(min_value=0.1, max_value=50))
def test_property_fte_years_scale_with_years(fte, years):
    assert fte_years(fte, years) == pytest.approx(sum(fte) * years)
    assert fte_years(fte, years) >= 0


HALIFAX = "data/samples/calderdale/halifax-northgate-centre_2024-25.xlsx"


def test_yes_answers_below_the_rate_are_flagged_from_the_settings():
    wb = load_workbook(HALIFAX)
    result = jobs_from_workbook(wb, SETTINGS)
    hours = SETTINGS.value("jobs.full_time_hours_a_week")
    rate = SETTINGS.value("living_wage")[wb.financial_year]["uk"]
    staff = wb.table("staff")
    per_hour = staff["gross_pay"] / (staff["fte"] * hours * 52)
    expected = staff.loc[(staff["living_wage"] == True) & (per_hour < rate), "row"]  # noqa: E712
    assert result.full_time_hours == hours and result.living_wage_rate == rate
    assert result.below_rate_rows == [int(r) for r in expected]
    assert len(result.below_rate_rows) == 5
    worked = {item["row"]: item["hourly_pay"] for item in result.below_rate_pay}
    assert all(worked[int(r)] < rate for r in expected)
    yes, known = result.living_wage_yes, result.living_wage_yes + result.living_wage_no
    assert result.living_wage_share_checked == pytest.approx((yes - len(expected)) / known)
    assert any("below £12.60 an hour" in note for note in result.notes)


@pytest.mark.parametrize(("year", "la_code", "rate"), [
    ("2024-25", "E08000032", 12.60), ("2024-25", "E09000012", 13.85),
    ("2025-26", "E08000032", 13.45), ("2025-26", "E09000012", 14.80)])
def test_rate_follows_the_financial_year_and_london(tmp_path, year, la_code, rate):
    about = [{**ABOUT[0], "financial_year": year, "la_code": la_code}]
    # £13 an hour at 37.5 hours and 52 weeks: above 12.60 only
    staff = [{"role": "Worker", "fte": 1.0, "gross_pay": 13.0 * 37.5 * 52,
              "home_district": "BD1", "living_wage": True}]
    result = jobs_from_workbook(workbook(tmp_path, staff, about=about), SETTINGS)
    assert result.living_wage_rate == pytest.approx(rate)
    assert result.below_rate_rows == ([] if rate < 13.0 else [2])


def test_hours_a_week_is_a_setting(tmp_path):
    staff = [{"role": "Worker", "fte": 1.0, "gross_pay": 12.0 * 37.5 * 52,
              "home_district": "BD1", "living_wage": True}]
    wb = workbook(tmp_path, staff)
    assert jobs_from_workbook(wb, SETTINGS).below_rate_rows == [2]
    shorter = load_settings(overrides={"jobs": {"full_time_hours_a_week": 35}})
    # £12 x 37.5 / 35 = £12.86 an hour at 35 hours: above £12.60
    assert jobs_from_workbook(wb, shorter).below_rate_rows == []
