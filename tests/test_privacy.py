"""Personal data stays out of messages, logs, manifests and packs.

The bad inputs are the ones people make: a full home address typed into the staff sheet's
postcode district column, a volunteer's name, address and phone number typed as the
activity, a workbook kept in a folder under the user's home.
"""

from __future__ import annotations

import random

import pytest

from toolkit.inputs.errors import InputError
from toolkit.inputs.personal import REDACTED_TEXT, personal_details, redacted
from toolkit.inputs.workbook import load_workbook, read_workbook, write_workbook
from toolkit.samples.organisations import AUTHORITIES, organisation_tables

ADDRESS = "12 Acacia Avenue, Halifax HX1 4RT"
VOLUNTEER = "Mary Brown, 12 Acacia Ave, HX1 4RT, 07700 900123, mary.brown@example.org"


def tables(seed: int = 3) -> dict:
    profile = {"size": 60_000.0, "thin_reserves": False, "thin_survey": False,
               "tenants": False}
    return organisation_tables(random.Random(seed), AUTHORITIES[0], "Private Trust",
                               "private-trust", "2024-25", profile)


def workbook_with(tmp_path, table: str, column: str, value: str):
    data = tables()
    data[table][0][column] = value
    return write_workbook(tmp_path / "our-year.xlsx", data)


# ------------------------------------------------------------------ messages name the cell

def test_an_address_in_the_staff_postcode_column_is_never_quoted(tmp_path):
    path = workbook_with(tmp_path, "staff", "home_district", ADDRESS)
    report = read_workbook(path).report
    (error,) = [p for p in report.errors if p.sheet == "Staff"]
    assert error.row == 2 and error.column == "Home postcode district"
    assert error.value is None
    assert "not repeated here" in error.message
    with pytest.raises(InputError) as caught:
        load_workbook(path)
    for part in ("Acacia", "HX1 4RT", "12 Acacia"):
        assert part not in str(caught.value) and part not in report.text()
        assert part not in str(report.to_list())


def test_a_bad_cell_on_a_sheet_not_about_people_is_still_quoted(tmp_path):
    path = workbook_with(tmp_path, "income", "amount", "twelve thousand")
    (error,) = read_workbook(path).report.errors
    assert error.value == "twelve thousand"


# ------------------------------------------------------------------ free text redacted

@pytest.mark.parametrize("text, kinds", [
    ("Mary Brown, 12 Acacia Ave, HX1 4RT", ["a full postcode"]),
    ("ring 01422 352000 after six", ["a phone number"]),
    ("ring +44 (0)1422 352000", ["a phone number"]),
    ("email mary.brown@example.org", ["an email address"]),
    (VOLUNTEER, ["an email address", "a phone number", "a full postcode"]),
])
def test_personal_details_are_found(text, kinds):
    assert personal_details(text) == kinds
    assert redacted(text) == REDACTED_TEXT


@pytest.mark.parametrize("text", ["Youth club 2024-25, 120 hours a week", "Ages 16-25",
                                  "Room 3, sessions 10-12", "HX1 and HX2 food bank rounds",
                                  "1000 meals, 52 weeks", "Café in BD8"])
def test_ordinary_free_text_is_kept(text):
    assert personal_details(text) == []
    assert redacted(text) == text


def test_a_volunteers_details_in_the_activity_are_taken_out_with_a_warning(tmp_path):
    path = workbook_with(tmp_path, "volunteers", "activity", VOLUNTEER)
    workbook = read_workbook(path)
    assert workbook.table("volunteers")["activity"].iloc[0] == REDACTED_TEXT
    (warning,) = [p for p in workbook.report.warnings if p.sheet == "Volunteers"]
    assert warning.row == 2 and warning.column == "Activity" and warning.value is None
    assert "a full postcode" in warning.message and "phone number" in warning.message
    assert "Mary" not in workbook.report.text() and "Acacia" not in workbook.report.text()
    hours = sum(r["hours"] for r in tables()["volunteers"])
    assert workbook.table("volunteers")["hours"].sum() == pytest.approx(hours)  # still counted


def test_supplier_postcodes_are_not_free_text(tmp_path):
    path = workbook_with(tmp_path, "spending", "supplier_postcode", "HX1 4RT")
    workbook = read_workbook(path)
    assert workbook.table("spending")["supplier_postcode"].iloc[0] == "HX1 4RT"
    assert not [p for p in workbook.report.warnings if "contact details" in p.message]
