"""Tests of `keepitlocal import`: exports written here in each supported layout, and a messy one."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.cli import main
from toolkit.imports.formats import financial_year_span, parse_date, parse_map_text, parse_money
from toolkit.imports.ledger import CategoryMap, read_category_map
from toolkit.imports.people import parse_pay_band, parse_share_answer
from toolkit.imports.run import ImportOptions, import_exports, merge_into_workbook
from toolkit.inputs.errors import InputError
from toolkit.inputs.names import supplier_key

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "data" / "samples" / "exports"
YEAR = financial_year_span("2024-25")


def write_csv(path: Path, rows: list[list]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


# ------------------------------------------------------------------ example exports

def xero_rows(credit_note: float = 150.0) -> list[list]:
    """A Xero Account Transactions export: title rows, account headings, subtotals, total."""
    return [
        ["Account Transactions"], ["Fictional Trust"],
        ["For the period 1 April 2024 to 31 March 2025"],
        [],
        ["Date", "Source", "Contact", "Description", "Reference", "Debit", "Credit"],
        ["Rent"],
        ["12 Apr 2024", "Payable Invoice", "Mill Landlords Ltd", "Rent", "INV-1", "1,000.00", ""],
        ["12 Oct 2024", "Payable Invoice", "Mill Landlords Ltd", "Rent", "INV-2", "1,000.00", ""],
        ["Total Rent", "", "", "", "", "2,000.00", "0.00"],
        ["Food and Catering"],
        ["03 May 2024", "Spend Money", "Oak Lane Bakery", "Bread", "", "400.00", ""],
        ["20 May 2024", "Payable Credit Note", "Oak Lane Bakery", "Stale bread", "CN-1", "",
         f"{credit_note:,.2f}"],
        ["Total Food and Catering", "", "", "", "", "400.00", f"{credit_note:,.2f}"],
        ["Wages and Salaries"],
        ["30 Apr 2024", "Manual Journal", "", "Payroll journal", "", "5,000.00", ""],
        ["Total Wages and Salaries", "", "", "", "", "5,000.00", "0.00"],
        ["VAT"],
        ["03 May 2024", "Spend Money", "Oak Lane Bakery", "VAT", "", "80.00", ""],
        ["Total VAT", "", "", "", "", "80.00", "0.00"],
        ["Savings Account"],
        ["01 Aug 2024", "Bank Transfer", "", "To savings", "", "2,500.00", ""],
        ["Total Savings Account", "", "", "", "", "2,500.00", "0.00"],
        ["Total", "", "", "", "", "9,980.00", f"{credit_note:,.2f}"],
    ]


def quickbooks_rows() -> list[list]:
    """A QuickBooks Online Transaction Detail by Supplier export, grouped by supplier."""
    return [
        ["Fictional Trust"], ["Transaction Detail by Supplier"], ["1 April 2024 - 31 March 2025"],
        [],
        ["", "Date", "Transaction Type", "No.", "Memo/Description", "Account", "Amount", "Balance"],
        ["Mill Landlords Ltd"],
        ["", "01/04/2024", "Bill", "INV-1", "Rent", "Rent or lease payments", "1,000.00",
         "1,000.00"],
        ["", "15/04/2024", "Bill Payment (Cheque)", "101", "", "Current Account", "1,000.00", ""],
        ["Total for Mill Landlords Ltd", "", "", "", "", "", "£2,000.00", ""],
        ["Oak Lane Bakery"],
        ["", "03/05/2024", "Expense", "", "Bread", "Food and catering", "£400.00", ""],
        ["", "20/05/2024", "Supplier Credit", "CR-1", "Refund", "Food and catering", "-150.00", ""],
        ["Total for Oak Lane Bakery", "", "", "", "", "", "250.00", ""],
        ["TOTAL", "", "", "", "", "", "2,250.00", ""],
    ]


def sage_rows() -> list[list]:
    """Sage 50 audit trail transactions (import template headers)."""
    return [
        ["Type", "Account Reference", "Nominal A/C Ref", "Department Code", "Date", "Reference",
         "Details", "Net Amount", "Tax Code", "Tax Amount"],
        ["PI", "MILL01", "7100", "0", "01/04/2024", "INV-1", "Rent", "1000.00", "T2", "0.00"],
        ["PI", "OAK01", "7400", "0", "03/05/2024", "B-1", "Minibus fuel", "400.00", "T1", "80.00"],
        ["PC", "OAK01", "7400", "0", "20/05/2024", "CN-1", "Refund", "150.00", "T1", "30.00"],
        ["PP", "MILL01", "1200", "0", "15/04/2024", "101", "Payment", "1000.00", "T9", "0.00"],
        ["JD", "", "7000", "0", "30/04/2024", "PAY", "Payroll journal", "5000.00", "T9", "0.00"],
        ["SI", "COUNCIL", "4000", "0", "01/05/2024", "S-1", "Contract", "9000.00", "T0", "0.00"],
    ]


def contacts_rows() -> list[list]:
    return [
        ["ContactName", "AccountNumber", "POAddressLine1", "POPostalCode", "SAPostalCode"],
        ["Mill Landlords Limited", "MILL01", "Canal Road", "bd1 4ab", ""],
        ["Oak Lane Bakery", "OAK01", "", "", ""],
    ]


def run_import(tmp_path: Path, **files) -> tuple:
    options = ImportOptions(period=YEAR, **files)
    return import_exports(options)


# ---------------------------------------------------------------------- money, dates

@pytest.mark.parametrize("text, value", [
    ("£1,234.50", 1234.5), ("(1,234.50)", -1234.5), ("1,234.50 CR", -1234.5),
    ("1,234.50 DR", 1234.5), ("-£12.00", -12.0), ("£-12.00", -12.0), ("GBP 12", 12.0),
    ("(£24.00)", -24.0), ("", None), ("-", None), (7, 7.0),
])
def test_parse_money_reads_accounting_forms(text, value):
    assert parse_money(text) == value


@pytest.mark.parametrize("text", ["twelve", "1.2.3", "£1,23", "12 apples"])
def test_parse_money_refuses_what_is_not_money(text):
    with pytest.raises(ValueError, match="not an amount of money"):
        parse_money(text)


@given(st.integers(min_value=-10**9, max_value=10**9))
def test_parse_money_reads_back_pounds_written_with_commas_and_brackets(pence):
    pounds = pence / 100
    text = f"£{abs(pounds):,.2f}"
    written = f"({text})" if pounds < 0 else text
    assert parse_money(written) == pytest.approx(pounds)


@pytest.mark.parametrize("text", ["12 Apr 2024", "12 April 2024", "12/04/2024", "2024-04-12",
                                  "12-Apr-24", "120424"])
def test_parse_date_reads_british_dates(text):
    assert parse_date(text) == dt.date(2024, 4, 12)


def test_parse_date_refuses_an_american_date_it_cannot_read():
    with pytest.raises(ValueError):
        parse_date("04/13/2024")


def test_financial_year_span_and_bad_year():
    assert financial_year_span("2024-25") == (dt.date(2024, 4, 1), dt.date(2025, 3, 31))
    with pytest.raises(InputError):
        financial_year_span("2024-26")


# ------------------------------------------------------------------ survey answers

@pytest.mark.parametrize("answer, share", [
    ("About 60%", 0.6), ("70", 0.7), ("most of it - maybe 90%", 0.9), ("3/4", 0.75),
    ("half", 0.5), ("All of it", 1.0), ("0%", 0.0), ("100", 1.0), (55.0, 0.55),
])
def test_parse_share_answer_reads_plain_answers(answer, share):
    value, reason = parse_share_answer(answer)
    assert value == pytest.approx(share)
    assert reason.startswith(("read", "a number without"))


@pytest.mark.parametrize("answer, why", [
    ("not sure", "not a figure"), ("120%", "over 100%"), ("60-70%", "a range"),
    ("0.7", "could be a share"), ("1", "could be a share"), ("most of it", "no figure"),
    ("£50 a week", "money"), ("", "no answer"), (None, "no answer"), ("-5%", "negative"),
    ("50/50", "more than one figure"), ("40 or 50", "more than one figure"),
])
def test_parse_share_answer_never_guesses(answer, why):
    value, reason = parse_share_answer(answer)
    assert value is None
    assert why in reason


@given(st.integers(min_value=0, max_value=100), st.sampled_from(["", "about ", "maybe ", "~"]))
def test_parse_share_answer_percent_sign_is_read_exactly(number, hedge):
    value, _ = parse_share_answer(f"{hedge}{number}%")
    assert value == pytest.approx(number / 100)


@given(st.text(max_size=30))
def test_parse_share_answer_is_a_share_or_nothing(text):
    value, reason = parse_share_answer(text)
    assert reason
    assert value is None or 0.0 <= value <= 1.0


@pytest.mark.parametrize("answer, band", [
    ("£20,000 to £29,999", "£20,000 to £29,999"), ("£20k - £29,999", "£20,000 to £29,999"),
    ("Under £10,000", "under £10,000"), ("£50k+", "£50,000 or more"),
    ("£24,000", "£20,000 to £29,999"), ("Prefer not to say", None), ("£12.60 per hour", None),
    ("£25k-£45k", None),
])
def test_parse_pay_band(answer, band):
    assert parse_pay_band(answer)[0] == band


# --------------------------------------------------------------- each layout

def test_xero_export_reconciles_and_keeps_credit_notes_negative(tmp_path):
    path = write_csv(tmp_path / "xero.csv", xero_rows())
    contacts = write_csv(tmp_path / "contacts.csv", contacts_rows())
    result = run_import(tmp_path, transactions=[path], contacts=[contacts])
    spending = result.tables["spending"].set_index("supplier")
    assert spending.loc["Mill Landlords Limited", "amount"] == 2000.0
    assert spending.loc["Mill Landlords Limited", "supplier_postcode"] == "BD1 4AB"
    assert spending.loc["Oak Lane Bakery", "amount"] == 250.0  # 400 less the 150 credit note
    assert spending.loc["Oak Lane Bakery", "category"] == "food and catering"
    summary = result.files[0]
    assert summary.layout == "xero" and summary.header_row == 5
    assert summary.reconciles and summary.subtotals_checked == 5
    assert summary.export_total == pytest.approx(9980 - 150)
    reasons = {e.reason.split(":")[0] for e in result.excluded}
    assert reasons == {"staff pay", "VAT", "transfer between your own accounts"}
    assert summary.included_total + summary.excluded_total == pytest.approx(summary.export_total)
    assert result.suppliers_without_postcode == ["Oak Lane Bakery"]


def test_xero_wage_payment_to_payroll_employee_is_staff_pay_not_a_supplier(tmp_path):
    # Xero shows "Payroll Employee" in place of a person's name for wage payments; such a
    # line, on whatever account and with whatever source, is pay, not spending.
    rows = xero_rows()
    rows[-1:-1] = [["Sessional Workers"],
                   ["31 Jul 2024", "Spend Money", "Payroll Employee", "July sessions", "",
                    "600.00", ""],
                   ["Total Sessional Workers", "", "", "", "", "600.00", "0.00"]]
    rows[-1] = ["Total", "", "", "", "", "10,580.00", "150.00"]
    result = run_import(tmp_path, transactions=[write_csv(tmp_path / "xero.csv", rows)])
    assert "Payroll Employee" not in set(result.tables["spending"]["supplier"])
    wages = [e for e in result.excluded if e.supplier == "Payroll Employee"]
    assert [(e.amount, e.reason.split(" (")[0]) for e in wages] == [(600.0, "staff pay")]
    assert result.files[0].reconciles


def test_xero_export_saved_as_excel_with_real_dates(tmp_path):
    book = openpyxl.Workbook()
    for row in xero_rows():
        cells = list(row)
        if cells and cells[0] and cells[0][:2].isdigit():
            cells[0] = dt.datetime.strptime(cells[0], "%d %b %Y")
        book.active.append(cells)
    path = tmp_path / "xero.xlsx"
    book.save(path)
    result = run_import(tmp_path, transactions=[path])
    assert result.files[0].reconciles
    assert result.tables["spending"]["amount"].sum() == pytest.approx(2250.0)


def test_quickbooks_export_groups_by_supplier_and_leaves_out_bill_payments(tmp_path):
    path = write_csv(tmp_path / "qbo.csv", quickbooks_rows())
    result = run_import(tmp_path, transactions=[path])
    spending = result.tables["spending"].set_index("supplier")
    assert result.files[0].layout == "quickbooks"
    assert spending.loc["Mill Landlords Ltd", "amount"] == 1000.0
    assert spending.loc["Mill Landlords Ltd", "category"] == "premises"
    assert spending.loc["Oak Lane Bakery", "amount"] == 250.0
    assert [e.reason for e in result.excluded] == [
        "payment of a bill or invoice already counted when it was entered"]
    assert result.files[0].reconciles and result.files[0].subtotals_checked == 2


def test_sage_audit_trail_uses_net_splits_vat_and_reads_type_codes(tmp_path):
    path = write_csv(tmp_path / "sage.csv", sage_rows())
    contacts = write_csv(tmp_path / "contacts.csv", contacts_rows())
    result = run_import(tmp_path, transactions=[path], contacts=[contacts])
    spending = result.tables["spending"].set_index("supplier")
    assert spending.loc["Mill Landlords Limited", "amount"] == 1000.0  # by account reference
    assert spending.loc["Oak Lane Bakery", "amount"] == 250.0  # PC credit note negative
    assert spending.loc["Oak Lane Bakery", "category"] == "transport"
    by_reason = {}
    for e in result.excluded:
        by_reason[e.reason.split(":")[0]] = by_reason.get(e.reason.split(":")[0], 0) + e.amount
    assert by_reason["VAT on this line"] == pytest.approx(80 - 30)
    assert by_reason["journal"] == 5000 and by_reason["income"] == 9000
    assert result.files[0].reconciles


def test_mapped_columns_read_a_file_from_another_package(tmp_path):
    path = write_csv(tmp_path / "other.csv", [
        ["Txn date", "Payee", "Category", "Net"],
        ["2024-05-01", "Oak Lane Bakery", "Food", "£400.00"],
        ["2024-05-02", "Oak Lane Bakery", "Food", "(150.00)"],
        ["2023-05-02", "Oak Lane Bakery", "Food", "99.00"],
    ])
    mapping = parse_map_text("date=Txn date,supplier=Payee,account=Category,amount=Net")
    result = run_import(tmp_path, transactions=[path], mapping=mapping)
    assert result.tables["spending"]["amount"].tolist() == [250.0]
    assert "outside the year" in result.excluded[0].reason


def test_map_file_in_yaml(tmp_path):
    from toolkit.imports.formats import read_map_file

    path = tmp_path / "map.yml"
    path.write_text("transactions:\n  date: Txn date\n  amount: Net\npayroll:\n  pay: Salary\n")
    assert read_map_file(path) == {"transactions": {"date": "Txn date", "amount": "Net"},
                                   "payroll": {"pay": "Salary"}}
    assert parse_map_text("payroll: pay=Salary") == {"payroll": {"pay": "Salary"}}
    with pytest.raises(InputError, match="role=Header"):
        parse_map_text("date")


# ---------------------------------------------------------------- the category map

def test_a_users_category_map_wins_and_is_shown(tmp_path):
    mine = tmp_path / "mine.csv"
    mine.write_text("account,category,reason,note\nfood and catering,other,,ours\n")
    categories = CategoryMap(user_rules=read_category_map(mine))
    assert categories.place("Food and Catering")[0] == "other"
    assert categories.place("Rent")[0] == "premises"
    assert categories.place("Mystery costs")[0] == "other"
    sources = {r["account"]: r["source"] for r in categories.used.values()}
    assert sources == {"Food and Catering": "mine.csv", "Rent": "shipped map",
                       "Mystery costs": "default"}


def test_a_category_map_with_a_bad_category_is_refused(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("account,category,reason,note\nrent,housing,,\n")
    with pytest.raises(InputError, match="row 2.*not a spending category"):
        read_category_map(bad)


def test_every_shipped_rule_gives_a_schema_category():
    categories = CategoryMap()
    assert categories.shipped_rules
    assert categories.place("Code only", "7100")[0] == "premises"
    assert categories.place("Light, Power, Heating")[0] == "utilities"
    assert categories.place("Sales Tax Control")[0] == "exclude"


def test_supplier_key_forgives_ltd_and_ampersands():
    assert supplier_key("The Mill & Co Ltd") == supplier_key("mill and co limited")
    assert supplier_key("Oak Lane Bakery") != supplier_key("Oak Lane Butchers")


# --------------------------------------------------------------------- the mess

def test_unknown_package_says_so_and_shows_how_to_map(tmp_path):
    path = write_csv(tmp_path / "mystery.csv", [["When", "Who", "How much"],
                                                ["1/5/24", "Bakery", "10"]])
    with pytest.raises(InputError) as info:
        run_import(tmp_path, transactions=[path])
    message = str(info.value)
    assert "does not look like an export" in message and "--map" in message
    assert "When, Who, How much" in message


def test_edited_export_does_not_reconcile(tmp_path):
    rows = xero_rows()
    rows[7][5] = "900.00"  # one rent line edited after export
    path = write_csv(tmp_path / "xero.csv", rows)
    result = run_import(tmp_path, transactions=[path])
    assert not result.files[0].reconciles
    assert result.files[0].subtotal_mismatches
    assert any("do not add up" in p.message for p in result.report.errors)


def test_unreadable_amount_is_an_error_and_listed(tmp_path):
    rows = xero_rows()
    rows[6][5] = "one thousand"
    path = write_csv(tmp_path / "xero.csv", rows)
    result = run_import(tmp_path, transactions=[path])
    assert [e.reason for e in result.excluded if e.row == 7] == ["amount could not be read"]
    assert any(p.row == 7 and p.column == "Debit" for p in result.report.errors)


def messy_payroll(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "payroll.csv", [
        ["Payroll summary"], [],
        ["Employee", "Job title", "Hours per week", "Pay", "Home postcode"],
        ["Alice Example", "Manager", "37.5", "£24,100", "BD8 7DS"],
        ["Bob Example", "Cook", "20", "£12.60 per hour", "bd3"],
        ["Cara Example", "Cleaner", "", "£12.60 per hour", ""],
        ["Dev Example", "Finance officer", "15", "", "LS28 6AB"],
    ])


def test_payroll_cuts_postcodes_converts_hourly_pay_and_lists_lines_without_pay(tmp_path):
    result = run_import(tmp_path, payroll=[messy_payroll(tmp_path)])
    staff = result.tables["staff"]
    assert staff["role"].tolist() == ["Manager", "Cook"]
    assert staff["gross_pay"].tolist() == [24100.0, round(12.6 * 20 * 52, 2)]
    assert staff["fte"].tolist() == [1.0, round(20 / 37.5, 4)]
    assert staff["home_district"].tolist() == ["BD8", "BD3"]
    errors = {p.row: p.message for p in result.report.errors}
    assert set(errors) == {6, 7}
    assert "hourly rate" in errors[6] and "no pay" in errors[7]
    assert any("cut to their district" in p.message for p in result.report.notices)
    assert any("assumed" in note for note in result.notes)


def test_payroll_stated_gross_pay_wins_over_hourly_rate_and_a_difference_is_warned(tmp_path):
    rate, hours, gross = 12.61, 37.5, 24580.00  # the rate gives 12.61 x 37.5 x 52 = 24,589.50
    path = write_csv(tmp_path / "payroll.csv", [
        ["Job title", "Hours per week", "Hourly rate", "Gross pay"],
        ["Cook", str(hours), f"£{rate}", f"£{gross:,.2f}"],
        ["Cleaner", "20", "£12.50", "£13,000.00"],  # 12.50 x 20 x 52 = 13,000: no warning
    ])
    result = run_import(tmp_path, payroll=[path])
    assert result.tables["staff"]["gross_pay"].tolist() == [gross, 13000.0]
    worked = round(rate * hours * 52, 2)
    warned = [p for p in result.report.warnings if "stated gross pay" in p.message]
    assert [(p.row, p.column) for p in warned] == [(2, "Gross pay")]
    assert f"£{gross:,.2f}" in warned[0].message and f"£{worked:,.2f}" in warned[0].message


def messy_survey(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "survey.csv", [
        ["Timestamp", "What is your pay band?",
         "What share of your take-home pay do you spend locally?"],
        ["2025/04/01", "£20,000 to £29,999", "About 60%"],
        ["2025/04/01", "£10,000 to £19,999", "70"],
        ["2025/04/02", "£30,000 to £39,999", "most of it - maybe 90%"],
        ["2025/04/02", "£20,000 to £29,999", "not sure"],
        ["2025/04/03", "Under £10,000", "120%"],
        ["2025/04/03", "Prefer not to say", "50%"],
    ])


def test_survey_unsettled_answers_are_listed_and_never_written(tmp_path):
    result = run_import(tmp_path, staff_survey=[messy_survey(tmp_path)])
    table = result.tables["staff_survey"]
    assert table["local_share"].tolist() == [0.6, 0.7, 0.9]
    unsettled = {(u.row, u.answer): u.reason for u in result.unsettled}
    assert set(unsettled) == {(5, "not sure"), (6, "120%"), (7, "Prefer not to say")}
    assert "over 100%" in unsettled[(6, "120%")]


def test_supplier_survey(tmp_path):
    path = write_csv(tmp_path / "suppliers.csv", [
        ["Timestamp", "Your business name", "What share of our payments do you spend locally?"],
        ["x", "Oak Lane Bakery", "About 80%"], ["x", "", "50"]])
    result = run_import(tmp_path, supplier_survey=[path])
    table = result.tables["supplier_survey"]
    assert table[["supplier", "local_share"]].to_dict("records") == [
        {"supplier": "Oak Lane Bakery", "local_share": 0.8}]
    assert table[["spending_local", "wages_local"]].isna().all().all()
    assert result.unsettled[0].reason == "no supplier named"


def test_supplier_survey_with_nefs_two_questions_keeps_both(tmp_path):
    path = write_csv(tmp_path / "suppliers.csv", [
        ["Your business name", "What share of your spending goes to local businesses?",
         "What share of your wage bill is paid to staff who live locally?",
         "Staff costs as a share of your costs (%)"],
        ["Oak Lane Bakery", "30%", "90%", "60%"],
        ["Canal Mill Ltd", "20", "not sure", ""]])
    result = run_import(tmp_path, supplier_survey=[path])
    table = result.tables["supplier_survey"]
    assert table[["supplier", "spending_local", "wages_local", "staff_cost_share"]].to_dict(
        "records") == [{"supplier": "Oak Lane Bakery", "spending_local": 0.3,
                        "wages_local": 0.9, "staff_cost_share": 0.6}]
    assert [(u.row, u.answer) for u in result.unsettled] == [(3, "not sure")]


def test_staff_survey_keeps_where_respondents_live_and_needs_no_pay_band(tmp_path):
    path = write_csv(tmp_path / "staff.csv", [
        ["What share of your take-home pay do you spend locally?", "Do you live in Bradford?",
         "First half of your home postcode"],
        ["60%", "yes", "BD8"], ["40", "no", ""], ["70%", "", "BD1 1AA"]])
    result = run_import(tmp_path, staff_survey=[path])
    table = result.tables["staff_survey"]
    assert table["local_share"].tolist() == [0.6, 0.4, 0.7]
    assert table["lives_locally"].tolist()[:2] == [True, False]
    assert table["home_district"].tolist() == ["BD8", None, "BD1"]
    assert table["pay_band"].isna().all()


# --------------------------------------------------------- workbook round trips

def complete_tables(spending: pd.DataFrame, staff: pd.DataFrame) -> dict:
    """About, income and balance rows consistent with the imported spending and staff."""
    expenditure = float(spending["amount"].sum() + staff["gross_pay"].sum())
    return {
        "about": [{"name": "Fictional Trust", "org_id": "fictional-trust",
                   "la_code": "E08000032", "financial_year": "2024-25", "fictional": True}],
        "income": [{"source": "Youth contract", "payer": "Council", "type": "public contract",
                    "amount": expenditure}],
        "balance": [{"total_income": expenditure, "total_expenditure": expenditure,
                     "staff_costs": float(staff["gross_pay"].sum()),
                     "unrestricted_funds": 20000.0, "designated_funds": 0.0,
                     "fixed_assets_own_use": 0.0, "restricted_funds": 0.0,
                     "net_assets": 20000.0}],
    }


def check_passes(path: Path) -> None:
    from toolkit.inputs.workbook import read_workbook

    report = read_workbook(path).report
    assert report.ok, report.text()
    commands = {c.NAME for c in __import__("toolkit.cli", fromlist=["x"])._command_modules()}
    if "check" in commands:
        assert main(["check", str(path)]) == 0


@pytest.mark.parametrize("layout", ["xero", "quickbooks", "sage"])
def test_round_trip_into_an_existing_workbook_passes_check(tmp_path, layout):
    from toolkit.inputs.workbook import read_workbook, write_workbook

    rows = {"xero": xero_rows, "quickbooks": quickbooks_rows, "sage": sage_rows}[layout]()
    export = write_csv(tmp_path / f"{layout}.csv", rows)
    contacts = write_csv(tmp_path / "contacts.csv", contacts_rows())
    result = run_import(tmp_path, transactions=[export], contacts=[contacts],
                        payroll=[messy_payroll(tmp_path)], staff_survey=[messy_survey(tmp_path)])
    book = tmp_path / "book.xlsx"
    tables = complete_tables(result.tables["spending"], result.tables["staff"])
    tables["spending"] = [{"supplier": "Old supplier", "category": "other", "amount": 1.0}]
    write_workbook(book, tables)
    with pytest.raises(InputError, match="--replace"):
        merge_into_workbook(book, result)
    actions = merge_into_workbook(book, result, mode="replace")
    assert actions["spending"] == {"rows": len(result.tables["spending"]), "action": "replaced",
                                   "before": 1}
    assert (tmp_path / "book.before-import.xlsx").exists()
    check_passes(book)
    wb = read_workbook(book)
    assert wb.table("spending")["amount"].sum() == pytest.approx(
        result.tables["spending"]["amount"].sum())
    assert wb.about["org_id"] == "fictional-trust"
    assert len(wb.table("staff_survey")) == 3


def test_names_and_full_postcodes_never_reach_the_workbook(tmp_path):
    result = run_import(tmp_path, payroll=[messy_payroll(tmp_path)])
    book = tmp_path / "book.xlsx"
    merge_into_workbook(book, result)
    text = " ".join(str(c.value) for ws in openpyxl.load_workbook(book).worksheets
                    for row in ws.iter_rows() for c in row if c.value is not None)
    assert "Manager" in text
    for secret in ("Alice", "Bob Example", "BD8 7DS", "7DS"):
        assert secret not in text


def test_append_adds_rows(tmp_path):
    path = write_csv(tmp_path / "qbo.csv", quickbooks_rows())
    result = run_import(tmp_path, transactions=[path])
    book = tmp_path / "book.xlsx"
    merge_into_workbook(book, result)
    actions = merge_into_workbook(book, result, mode="append")
    assert actions["spending"]["action"] == "appended"
    from toolkit.inputs.workbook import read_workbook

    assert len(read_workbook(book).table("spending")) == 2 * len(result.tables["spending"])


# ------------------------------------------------------------------- the command

def test_command_json_summary_and_refusal_on_errors(tmp_path, capsys):
    xero = write_csv(tmp_path / "xero.csv", xero_rows())
    book = tmp_path / "book.xlsx"
    code = main(["import", str(book), "--transactions", str(xero), "--payroll",
                 str(messy_payroll(tmp_path)), "--year", "2024-25", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 2 and not book.exists()
    assert out["written"] is False
    assert out["files"][0]["reconciles"] is True
    assert {e["reason"].split(":")[0] for e in out["excluded"]} >= {"staff pay", "VAT"}
    code = main(["import", str(book), "--transactions", str(xero), "--payroll",
                 str(messy_payroll(tmp_path)), "--year", "2024-25", "--partial"])
    text = capsys.readouterr().out
    assert code == 0 and book.exists()
    assert "Reconciles: yes" in text and "To settle (2)" in text


def test_command_unknown_layout_exit_code_and_message(tmp_path, capsys):
    path = write_csv(tmp_path / "mystery.csv", [["When", "Who", "How much"]])
    code = main(["import", str(tmp_path / "b.xlsx"), "--transactions", str(path)])
    assert code == 2
    assert "--map" in capsys.readouterr().err


# ----------------------------------------------------------- the shipped samples

def test_shipped_samples_import_as_the_guide_says(tmp_path):
    result = import_exports(ImportOptions(
        transactions=[SAMPLES / "xero_account_transactions.csv"],
        contacts=[SAMPLES / "xero_contacts.csv"],
        payroll=[SAMPLES / "payroll_summary.csv"],
        staff_survey=[SAMPLES / "staff_survey_responses.csv"],
        supplier_survey=[SAMPLES / "supplier_survey_responses.csv"], period=YEAR))
    assert result.files[0].reconciles
    assert result.tables["spending"]["amount"].sum() == pytest.approx(21857.90)
    assert result.suppliers_without_postcode == ["Manningham Print Shop"]
    assert len(result.tables["staff"]) == 5 and len(result.unsettled) == 6
    for name, layout in [("quickbooks_transaction_detail_by_supplier.csv", "quickbooks"),
                         ("sage50_audit_trail.csv", "sage50")]:
        other = import_exports(ImportOptions(transactions=[SAMPLES / name], period=YEAR))
        assert other.files[0].layout == layout and other.files[0].reconciles


def test_sage_audit_trail_with_the_help_pages_column_names(tmp_path):
    path = write_csv(tmp_path / "sage.csv", [
        ["No", "Type", "Account", "Nominal", "Dept", "Details", "Date", "Ref", "Net", "Tax", "T/C"],
        ["1", "PI", "MILL01", "7100", "0", "Rent", "01/04/2024", "INV-1", "1000.00", "0.00", "T2"],
        ["2", "PC", "MILL01", "7100", "0", "Refund", "01/05/2024", "CN-1", "100.00", "0.00", "T2"],
    ])
    result = run_import(tmp_path, transactions=[path])
    assert result.files[0].layout == "sage50"
    assert result.tables["spending"].to_dict("records") == [
        {"supplier": "MILL01", "supplier_postcode": None, "category": "premises",
         "amount": 900.0}]


def test_contacts_without_a_postcode_column_find_one_in_the_address(tmp_path):
    contacts = write_csv(tmp_path / "sage50_suppliers.csv", [
        ["A/C", "Name", "Address Line 1", "Address Line 2", "Address Line 5"],
        ["MILL01", "Mill Landlords Ltd", "Canal Road", "Bradford", "BD1 4AB"],
    ])
    path = write_csv(tmp_path / "sage.csv", sage_rows())
    result = run_import(tmp_path, transactions=[path], contacts=[contacts])
    spending = result.tables["spending"].set_index("supplier")
    assert spending.loc["Mill Landlords Ltd", "supplier_postcode"] == "BD1 4AB"


def test_a_supplier_whose_name_starts_with_total_is_a_heading_not_a_total(tmp_path):
    rows = quickbooks_rows()
    rows[9:13] = [
        ["Total Fitness Ltd"],
        ["", "03/05/2024", "Expense", "", "Gym sessions", "Training", "300.00", ""],
        ["Total for Total Fitness Ltd", "", "", "", "", "", "300.00", ""],
    ]
    rows[-1] = ["TOTAL", "", "", "", "", "", "2,300.00", ""]
    result = run_import(tmp_path, transactions=[write_csv(tmp_path / "q.csv", rows)])
    spending = result.tables["spending"].set_index("supplier")
    assert spending.loc["Total Fitness Ltd", "amount"] == 300.0
    assert spending.loc["Total Fitness Ltd", "category"] == "training"
    assert result.files[0].reconciles and not result.files[0].subtotal_mismatches


def test_supplier_survey_names_are_checked_against_spending(tmp_path):
    survey = write_csv(tmp_path / "suppliers.csv", [
        ["Timestamp", "Your business name", "What share do you spend locally?"],
        ["x", "Oak Lane Bakery Ltd", "80%"], ["x", "Nobody We Paid", "50%"]])
    result = run_import(tmp_path, transactions=[write_csv(tmp_path / "q.csv",
                                                          quickbooks_rows())],
                        supplier_survey=[survey])
    flagged = [p.value for p in result.report.warnings if p.sheet == "Supplier survey"]
    assert flagged == ["Nobody We Paid"]


ACCOUNTS = ["Rent", "Food and Catering", "Wages and Salaries", "VAT", "Mystery Costs"]


@given(st.lists(st.tuples(st.sampled_from(ACCOUNTS), st.sampled_from(["A Ltd", "B", ""]),
                          st.integers(min_value=-50_000, max_value=500_000)),
                min_size=1, max_size=25))
def test_every_line_is_included_or_excluded_and_totals_reconcile(tmp_path_factory, lines):
    rows = [["Account Transactions"], [], ["Date", "Source", "Contact", "Description",
                                           "Reference", "Debit", "Credit"]]
    grand_debit = grand_credit = 0.0
    for account in ACCOUNTS:
        mine = [line for line in lines if line[0] == account]
        if not mine:
            continue
        rows.append([account])
        debit = credit = 0.0
        for _, contact, pence in mine:
            value = pence / 100
            cells = [f"{value:,.2f}", ""] if value >= 0 else ["", f"{-value:,.2f}"]
            rows.append(["01 May 2024", "Spend Money", contact, "", "", *cells])
            debit += max(value, 0)
            credit += max(-value, 0)
        rows.append([f"Total {account}", "", "", "", "", f"{debit:,.2f}", f"{credit:,.2f}"])
        grand_debit += debit
        grand_credit += credit
    rows.append(["Total", "", "", "", "", f"{grand_debit:,.2f}", f"{grand_credit:,.2f}"])
    path = write_csv(tmp_path_factory.mktemp("x") / "xero.csv", rows)
    result = import_exports(ImportOptions(transactions=[path], period=YEAR))
    summary = result.files[0]
    assert summary.reconciles and not summary.subtotal_mismatches
    assert summary.lines == len(lines) == summary.used + summary.left_out
    included = result.tables["spending"]["amount"].sum()
    excluded = sum(e.amount for e in result.excluded)
    assert included + excluded == pytest.approx(sum(p for *_, p in lines) / 100, abs=0.01)


def test_payroll_assumptions_must_be_positive(tmp_path):
    with pytest.raises(InputError, match="more than 0"):
        import_exports(ImportOptions(payroll=[messy_payroll(tmp_path)], full_time_hours=0))
