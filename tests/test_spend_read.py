"""Reading council payments files: the real files, and synthetic files with each kind of mess."""

import csv
import json
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.inputs.errors import InputError
from toolkit.spend.read import (
    detect_encoding,
    map_columns,
    parse_dates,
    parse_money_pence,
    read_payments,
)

REAL = Path(__file__).resolve().parents[1].parent / "shared" / "real-data"
REAL_FILES = {
    "calderdale_2014-10.csv": ("Amount", 4270),
    "leeds_2010-12.csv": ("Net amount", 10303),
    "manchester_2010-12.csv": ("Amount", 4096),
}
needs_real = pytest.mark.skipif(not REAL.exists(),
                                reason=f"real council files not found at {REAL}")


def hand_count(path: Path, amount_column: str) -> tuple[int, int]:
    """Count records and total pence with a plain csv-module loop (independent of pandas)."""
    rows, pence = 0, 0
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        for record in reader:
            if not any(v.strip() for v in record.values() if v):
                continue
            rows += 1
            pence += int(Decimal(record[amount_column].replace(",", "")) * 100)
    return rows, pence


@needs_real
@pytest.mark.parametrize("name", sorted(REAL_FILES))
def test_real_files_rows_and_totals_match_a_hand_count(name):
    amount_column, expected_rows = REAL_FILES[name]
    path = REAL / name
    rows, pence = hand_count(path, amount_column)
    assert rows == expected_rows
    payments = read_payments(path)
    assert payments.records == expected_rows
    assert len(payments.frame) + len(payments.rejected) == expected_rows
    assert int(payments.frame["amount_pence"].sum()) + _rejected_pence(payments) == pence


def _rejected_pence(payments) -> int:
    values = payments.rejected["value"]
    return int(sum(Decimal(v.replace(",", "")) * 100 for v in values if v.strip()))


@needs_real
def test_calderdale_exact_known_values():
    payments = read_payments(REAL / "calderdale_2014-10.csv")
    assert payments.records == 4270
    assert len(payments.rejected) == 0  # "Total Hygiene Ltd" is a supplier, not a total line
    assert int(payments.frame["amount_pence"].sum()) == 2_028_572_741
    cmap = payments.files[0].columns
    assert (cmap.amount, cmap.supplier, cmap.supplier_id) == ("Amount", "Supplier Name",
                                                              "Supplier ID")
    assert cmap.category == "Expense Type"
    assert "Definition" in cmap.scanned
    frame = payments.frame
    assert int(frame["cat_vcse_category"].sum()) == 89  # "Voluntary Associations"
    assert int(frame["cat_personal_budget"].sum()) == 16  # Definition "Personal Budgets"
    assert int(frame["cat_purchase_card"].sum()) == 13  # Definition "Credit Cards"
    assert frame["line"].iloc[0] == 2 and frame["line"].iloc[-1] == 4271
    assert frame["date"].notna().all()
    assert (frame["supplier"] == "REDACTED PERSONAL DATA").sum() == 1372


@needs_real
def test_leeds_and_manchester_columns():
    leeds = read_payments(REAL / "leeds_2010-12.csv")
    assert leeds.files[0].columns.amount == "Net amount"
    assert leeds.files[0].columns.date == "Date paid"
    assert len(leeds.rejected) == 0  # "Total Parking" is a supplier
    manchester = read_payments(REAL / "manchester_2010-12.csv")
    assert manchester.files[0].columns.date == "Invoice Payment Date"
    assert manchester.files[0].columns.category == "Expenses Type"


@needs_real
def test_three_real_files_read_as_one():
    payments = read_payments([REAL / n for n in sorted(REAL_FILES)])
    assert payments.records == 4270 + 10303 + 4096
    assert set(payments.frame["file"].cat.categories) == set(REAL_FILES)


# ---- synthetic files with each kind of mess -------------------------------------------------

def write(tmp_path, text, name="pay.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


MESSY = (
    "Calderdale Council payments over £500,,,,\n"
    "Notes: figures exclude VAT,,,,\n"
    "SELECT * FROM payments WHERE amount > 500;\n"
    "\n"
    "Date,Supplier Name,Amount Paid,Expense Type,Supplier ID\n"
    "01/04/2019,Acme Ltd,\"£1,680.00\",Private Contractors,S1\n"
    "2019-04-02,ACME LIMITED,\"2,940.00\",Private Contractors,S1\n"
    "31 March 2019,Friends of the Park,500.5,Voluntary Associations,S2\n"
    "\n"
    "03/04/2019,Acme Ltd,-250.00,Private Contractors,S1\n"
    "04/04/2019,REDACTED PERSONAL DATA,750.00,Foster Payments,#N/A\n"
    "05/04/2019,VARIOUS,600.00,Miscellaneous,ONETIME\n"
    "06/04/2019,,100.00,Private Contractors,\n"
    "07/04/2019,Bad Amount Co,about £500,Services,S9\n"
    "08/04/2019,No Amount Co,,Services,S8\n"
    ",,,,\n"
    ",Total,\"6,530.50\",,\n"
)


def test_messy_file(tmp_path):
    path = write(tmp_path, MESSY)
    payments = read_payments(path)
    assert payments.files[0].header_line == 5
    assert payments.records == 10  # title rows and blank lines are not records
    frame = payments.frame
    assert frame["amount_pence"].tolist() == [168000, 294000, 50050, -25000, 75000, 60000]
    assert frame["line"].tolist() == [6, 7, 8, 10, 11, 12]
    assert frame["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2019-04-01", "2019-04-02", "2019-03-31", "2019-04-03", "2019-04-04", "2019-04-05"]
    rejected = payments.rejected.set_index("line")["reason"].to_dict()
    assert rejected == {13: "no supplier name", 14: "amount is not a number", 15: "no amount",
                        17: "a total or subtotal line, not a payment"}
    assert frame["cat_vcse_category"].tolist() == [False, False, True, False, False, False]
    notices = " ".join(p.message for p in payments.report.notices)
    assert "line 5" in notices


@pytest.mark.parametrize("name", ["Net Amount", "Amount Paid", "Invoice Line Value (net of VAT)",
                                  "Amount (£)", "Value"])
def test_amount_column_names(name):
    cmap = map_columns(["Date", "Supplier", "VAT Registration Number", name, "Expense Type"])
    assert cmap.amount == name
    assert cmap.supplier == "Supplier"


def test_column_names_not_confused():
    cmap = map_columns(["Supplier ID", "Supplier Name", "Supplier Postcode", "Supplier Type",
                        "Net Amount", "VAT Amount", "Payment Date", "Invoice Date",
                        "Service Area", "Expenditure Category"])
    assert cmap.supplier == "Supplier Name"
    assert cmap.supplier_id == "Supplier ID"
    assert cmap.postcode == "Supplier Postcode"
    assert cmap.amount == "Net Amount"
    assert cmap.date == "Payment Date"
    assert cmap.category == "Expenditure Category"
    assert "Supplier Type" in cmap.scanned and "Service Area" in cmap.scanned


def test_overrides(tmp_path):
    path = write(tmp_path, "Payee,Gross,Net,Kind\nAcme,120,100,Services\n")
    payments = read_payments(path, {"amount": "gross", "category": "Kind"})
    assert payments.frame["amount_pence"].tolist() == [12000]
    assert payments.files[0].columns.category == "Kind"
    with pytest.raises(InputError, match="no column named 'Missing'"):
        read_payments(path, {"amount": "Missing"})


def test_no_header_found(tmp_path):
    path = write(tmp_path, "a,b,c\n1,2,3\n")
    with pytest.raises(InputError, match="pay.csv: no header row"):
        read_payments(path)


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(InputError, match="not found"):
        read_payments(tmp_path / "nope.csv")
    with pytest.raises(InputError, match="empty"):
        read_payments(write(tmp_path, "\n\n"))


@pytest.mark.parametrize("prefix, encoding, note", [
    ("\ufeff", "utf-8", "byte-order mark"),
    ("ï»¿", "utf-8", "garbled"),
    ("", "cp1252", "Windows-1252"),
])
def test_encodings(tmp_path, prefix, encoding, note):
    text = prefix + "Supplier Name,Amount\nCafé Rouge – Ltd,£1,234.50\n"
    text = text.replace("£1,234.50", '"£1,234.50"')
    path = write(tmp_path, text, encoding=encoding)
    payments = read_payments(path)
    assert payments.files[0].columns.supplier == "Supplier Name"
    assert payments.frame["supplier"].tolist() == ["Café Rouge – Ltd"]
    assert payments.frame["amount_pence"].tolist() == [123450]
    assert note in " ".join(p.message for p in payments.report.notices)


def test_detect_encoding_plain_utf8():
    assert detect_encoding(b"a,b\n") == ("utf-8", None)
    assert detect_encoding("é".encode("cp1252"))[0] == "cp1252"


@pytest.mark.parametrize("text, pence", [
    ("1234.5", 123450), ("£1,234.50", 123450), ("-12.00", -1200), ("(12.00)", -1200),
    ("12.00-", -1200), ("12.00 CR", -1200), ("−12", -1200), ("1.005", 101), ("2.675", 268),
    (" 7 ", 700), ("1.2E+03", 120000), ("0.005", 1), ("-0.005", -1), ("£ 5", 500),
    ("-£12.34", -1234), ("1,2", None), ("12,34.00", None), ("abc", None), ("", None),
])
def test_money(text, pence):
    values, readable = parse_money_pence(pd.Series([text], dtype=object))
    if pence is None:
        assert not readable.iloc[0]
    else:
        assert readable.iloc[0] and values.iloc[0] == pence


@given(st.integers(-10**11, 10**11), st.sampled_from(["plain", "pound", "commas", "brackets"]))
def test_money_exact_in_pence(pence, style):
    pounds = f"{abs(pence) // 100}.{abs(pence) % 100:02d}"
    if style == "commas" or style == "pound":
        pounds = f"{abs(pence) // 100:,}.{abs(pence) % 100:02d}"
    if style == "pound":
        pounds = "£" + pounds
    text = (f"({pounds})" if style == "brackets" else f"-{pounds}") if pence < 0 else pounds
    values, readable = parse_money_pence(pd.Series([text], dtype=object))
    assert readable.iloc[0]
    assert values.iloc[0] == pence


@pytest.mark.parametrize("text, iso", [
    ("31/03/2019", "2019-03-31"), ("2019-03-31", "2019-03-31"), ("31 March 2019", "2019-03-31"),
    ("31st March 2019", "2019-03-31"), ("31-Mar-2019", "2019-03-31"), ("31/03/19", "2019-03-31"),
    ("2019-03-31 00:00:00", "2019-03-31"), ("31/03/2019 14:05", "2019-03-31"),
    ("43555", "2019-03-31"), ("31.03.2019", "2019-03-31"), ("04/03/2019", "2019-03-04"),
])
def test_dates(text, iso):
    dates, month_first = parse_dates(pd.Series([text, "01/01/2019"]))
    assert dates.iloc[0].strftime("%Y-%m-%d") == iso
    assert not month_first


def test_month_first_file_recognised():
    dates, month_first = parse_dates(pd.Series(["03/31/2019", "04/01/2019"]))
    assert month_first
    assert dates.dt.strftime("%Y-%m-%d").tolist() == ["2019-03-31", "2019-04-01"]


def test_unreadable_date_kept_and_warned(tmp_path):
    path = write(tmp_path, "Date,Supplier,Amount\nsoon,Acme,10\n01/02/2020,Acme,5\n")
    payments = read_payments(path)
    assert len(payments.frame) == 2 and payments.frame["date"].isna().sum() == 1
    assert any("could not be read" in p.message for p in payments.report.warnings)


def test_quoted_line_breaks_keep_line_numbers(tmp_path):
    text = ("Supplier,Amount,Description\nAcme,10,\"two\nlines\"\nBeta,20,one\n"
            "Gamma,x,bad\n")
    payments = read_payments(write(tmp_path, text))
    assert payments.frame["line"].tolist() == [2, 4]
    assert payments.rejected["line"].tolist() == [5]


def test_ragged_rows_read(tmp_path):
    text = "Supplier,Amount,Type\nAcme,10,Services,extra,cells\nBeta,20\n"
    payments = read_payments(write(tmp_path, text))
    assert payments.frame["amount_pence"].tolist() == [1000, 2000]
    assert payments.frame["line"].tolist() == [2, 3]
    assert any("more cells" in p.message for p in payments.report.warnings)


def test_invoice_split_over_lines_all_kept(tmp_path):
    text = "Supplier,Amount,Invoice\nAcme,100.10,INV1\nAcme,100.10,INV1\nAcme,0.80,INV1\n"
    payments = read_payments(write(tmp_path, text))
    assert int(payments.frame["amount_pence"].sum()) == 20100


def test_several_files_with_different_layouts(tmp_path):
    one = write(tmp_path, "Supplier Name,Amount\nAcme,1.00\n", "april.csv")
    two = write(tmp_path, "Title\nPayee,Net Amount,Date Paid\nAcme,2.00,01/05/2020\n",
                "may.csv", encoding="cp1252")
    payments = read_payments([one, two])
    assert payments.records == 2
    assert payments.frame["amount_pence"].tolist() == [100, 200]
    assert payments.frame["file"].tolist() == ["april.csv", "may.csv"]
    assert payments.frame["line"].tolist() == [2, 3]


def test_titles_and_sql_are_not_headers(tmp_path):
    text = ("Supplier payments: amount over £500\n"
            "SELECT supplier_name, amount FROM payments WHERE amount > 500;\n"
            "Payments to suppliers, amounts in pounds\n"
            "Supplier,Amount\nAcme,5\n")
    payments = read_payments(write(tmp_path, text))
    assert payments.files[0].header_line == 4
    assert payments.frame["amount_pence"].tolist() == [500]


def test_same_file_twice_refused(tmp_path):
    one = write(tmp_path, "Supplier,Amount\nAcme,5\n", "a.csv")
    two = write(tmp_path, "Supplier,Amount\nAcme,5\n", "b.csv")
    with pytest.raises(InputError, match="b.csv has the same content as a.csv"):
        read_payments([one, two])


def test_a_payment_in_two_overlapping_files_is_warned_and_kept(tmp_path):
    quarter = write(tmp_path, "Date,Supplier,Amount\n01/04/2024,Acme,500\n"
                              "02/05/2024,Bolt,700\n02/05/2024,Bolt,700\n", "q1.csv")
    may = write(tmp_path, "Date,Supplier,Amount\n02/05/2024,Bolt,700\n"
                          "03/05/2024,Acme,900\n", "may.csv")
    payments = read_payments([quarter, may])
    assert payments.frame["amount_pence"].sum() == 350_000  # nothing dropped
    warned = [p.message for p in payments.report.warnings if "more than one file" in p.message]
    assert len(warned) == 1
    assert "1 payment(s)" in warned[0] and "may.csv line 2" in warned[0]
    assert "q1.csv line 3" in warned[0] and "£1,400.00 extra" in warned[0]


def test_repeats_within_one_file_or_in_separate_periods_are_not_warned(tmp_path):
    april = write(tmp_path, "Date,Supplier,Amount\n01/04/2024,Acme,500\n"
                            "01/04/2024,Acme,500\n", "april.csv")
    may = write(tmp_path, "Date,Supplier,Amount\n01/05/2024,Acme,500\n", "may.csv")
    payments = read_payments([april, may])
    assert not [p for p in payments.report.warnings if "more than one file" in p.message]


def test_utf8_check_in_chunks():
    from toolkit.spend.read import _is_utf8
    text = ("é" * 10).encode()
    assert _is_utf8(text, chunk=3)  # a character split across chunks is still valid
    assert not _is_utf8(b"abc\xe9", chunk=2)


def test_excel_payments(tmp_path):
    from datetime import datetime

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Payments over £500 (test)"])
    sheet.append([])
    sheet.append(["Date", "Supplier Name", "Net Amount"])
    sheet.append([datetime(2020, 4, 1), "Acme Ltd", 1028.66])
    sheet.append([datetime(2020, 4, 2), "Beta", -5])
    sheet.append([datetime(2020, 4, 3), "Gamma", "about £5"])
    path = tmp_path / "april.xlsx"
    book.save(path)
    payments = read_payments(path)
    assert payments.files[0].header_line == 3
    assert payments.frame["amount_pence"].tolist() == [102866, -500]
    assert payments.frame["line"].tolist() == [4, 5]  # the sheet's row numbers
    assert payments.frame["file"].tolist() == ["april.xlsx", "april.xlsx"]
    assert payments.rejected[["file", "line"]].values.tolist() == [["april.xlsx", 6]]
    assert payments.frame["date"].dt.strftime("%Y-%m-%d").tolist() == ["2020-04-01",
                                                                      "2020-04-02"]
    (tmp_path / "fake.xlsx").write_text("not a workbook")
    with pytest.raises(InputError, match="fake.xlsx"):
        read_payments(tmp_path / "fake.xlsx")


def test_multibyte_character_across_the_first_megabyte(tmp_path):
    header = "Supplier,Amount,Note\n"
    row = "Acme,1.00," + "x" * 88 + "\n"  # 100 bytes
    rows = ((1 << 20) - len(header)) // len(row)
    pad = (1 << 20) - len(header) - rows * len(row) - 1
    text = header + row * rows + "B" * pad + "é,2.00,ok\n"  # é straddles the first megabyte
    path = write(tmp_path, text)
    payments = read_payments(path)
    assert payments.files[0].encoding == "utf-8"
    assert payments.frame["supplier"].iloc[-1] == "B" * pad + "é"
    assert payments.records == rows + 1


# ---- silent wrong money (issue 16): each built the way the bad input was ------------------

PAYMENTS_350 = [("01/04/2024", "Acme Ltd", "100.00"), ("02/04/2024", "Bravo Care", "150.00"),
                ("03/05/2024", "Total Gym Ltd", "100.00")]  # a real supplier named "Total ..."


def footer_file(tmp_path):
    """£350 of payments under subtotal, total and sum lines of every common shape."""
    rows = ["Payment Date,Supplier Name,Expense Type,Amount"]
    rows += [f"{d},{s},Services,{a}" for d, s, a in PAYMENTS_350[:2]]
    rows += ["Sub-total,,,250.00"]  # label in the date column
    rows += [f"{d},{s},Services,{a}" for d, s, a in PAYMENTS_350[2:]]
    rows += [",Total for April,,250.00", ",TOTAL PAYMENTS,,350.00", ",,Sum,350.00",
             "Period total,,,350.00", ",,,350.00",  # no label at all: a sum by shape
             ",,,42.00"]  # an amount with no supplier and no date that is no sum
    return write(tmp_path, "\n".join(rows) + "\n")


def test_total_and_subtotal_lines_are_found_by_shape_and_listed(tmp_path):
    payments = read_payments(footer_file(tmp_path))
    true_total = sum(int(Decimal(a) * 100) for _, _, a in PAYMENTS_350)
    assert int(payments.frame["amount_pence"].sum()) == true_total == 35000
    assert payments.frame["supplier"].tolist() == [s for _, s, _ in PAYMENTS_350]
    rejected = payments.rejected.set_index("line")
    # a label makes a total line; with no supplier, no date and a sum, it is a "total_sum"
    assert rejected["kind"].to_dict() == {4: "total_line", 6: "total_line", 7: "total_line",
                                          8: "total_sum", 9: "total_line", 10: "total_sum",
                                          11: "unattributed"}
    assert "sum of lines 2-9" in rejected.loc[10, "reason"]
    assert "not a sum" in rejected.loc[11, "reason"]
    assert rejected.loc[11, "amount_pence"] == 4200
    assert len(payments.frame) + len(payments.rejected) == payments.records == 10
    assert any("line(s) 11" in p.message for p in payments.report.warnings)


def test_money_not_counted_is_shown_apart_in_text_and_json(tmp_path, capsys):
    from toolkit.cli import main

    path = footer_file(tmp_path)
    assert main(["spend", str(path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["total_pence"] == 35000
    assert (summary["unattributed_rows"], summary["unattributed_total_pence"]) == (1, 4200)
    assert summary["not_used"]["unattributed"] == {"rows": 1, "total": 42.0, "total_pence": 4200}
    not_used = summary["not_used"]
    footers = not_used["total_line"]["rows"] + not_used["total_sum"]["rows"]
    assert footers == 6
    assert {r["line"] for r in summary["rejected_rows"]} == {4, 6, 7, 8, 9, 10, 11}
    assert main(["spend", str(path)]) == 0
    text = capsys.readouterr().out
    assert "Not counted: £42.00 on 1 line(s)" in text and "Total            £350.00" in text


def test_a_supplier_named_like_a_total_is_a_payment_unless_it_sums_the_rows_above(tmp_path):
    text = ("Date,Supplier,Amount\n01/04/2024,Acme,10.00\n02/04/2024,Total Gym Ltd,10.00\n"
            "03/04/2024,Beta,5.00\n04/04/2024,Total Gym Ltd,25.00\n")
    payments = read_payments(write(tmp_path, text))
    # line 3 equals only one row above (kept); line 5 equals the three rows above (a total)
    assert payments.frame["line"].tolist() == [2, 3, 4]
    assert payments.rejected["line"].tolist() == [5]


def test_a_period_total_equal_to_one_months_rows_is_a_total(tmp_path):
    text = ("Date,Supplier,Amount\n01/04/2024,Acme,10.00\n01/05/2024,Beta,7.00\n"
            "02/04/2024,Gamma,5.00\n,,15.00\n")  # April's rows (not a run above) sum to 15
    payments = read_payments(write(tmp_path, text))
    assert payments.rejected["kind"].tolist() == ["total_line"]
    assert int(payments.frame["amount_pence"].sum()) == 2200


def test_an_unclosed_quote_that_swallows_lines_is_reported_with_them(tmp_path):
    text = ('Payment Date,Supplier Name,Amount\n01/04/2024,Zed,5.00\n'
            '02/04/2024,"Acme Ltd,100.00\n03/04/2024,Bravo Care,50.00\n'
            '04/04/2024,"Charlie Co",200.00\n05/04/2024,Delta,10.00\n')
    payments = read_payments(write(tmp_path, text))
    assert payments.frame["supplier"].tolist() == ["Zed", "Delta"]
    assert int(payments.frame["amount_pence"].sum()) == 1500
    (reason,) = payments.rejected["reason"]
    assert "lines 3-5" in reason and "unclosed quote" in reason
    assert any("line(s) 3-5 " in p.message for p in payments.report.warnings)


def test_a_postal_address_on_two_lines_is_not_a_swallowed_record(tmp_path):
    text = ('Date,Supplier Name,Supplier Address,Amount\n'
            '01/04/2024,"Acme Ltd\nUnit 2",2 Low St,5.00\n02/04/2024,Beta,x,7.00\n')
    payments = read_payments(write(tmp_path, text))
    assert int(payments.frame["amount_pence"].sum()) == 1200 and payments.rejected.empty


def test_amounts_past_the_plausibility_cap_are_refused_not_overflowed(tmp_path):
    text = "Date,Supplier,Amount\n01/04/2024,Acme,1e17\n02/04/2024,Beta,-2e10\n" \
           "03/04/2024,Gamma,9999999999.99\n04/04/2024,Delta,5.00\n"
    payments = read_payments(write(tmp_path, text))
    assert payments.rejected.set_index("line")["kind"].to_dict() == {2: "above_cap",
                                                                      3: "above_cap"}
    assert int(payments.frame["amount_pence"].sum()) == 999999999999 + 500
    assert "£10,000,000,000" in payments.rejected["reason"].iloc[0]
    lower = read_payments(write(tmp_path, text, name="low.csv"), max_payment=1000)
    assert lower.frame["supplier"].tolist() == ["Delta"]


def test_the_cap_is_a_setting_the_spend_command_applies(tmp_path, capsys):
    from toolkit.cli import main

    path = write(tmp_path, "Date,Supplier,Amount\n01/04/2024,Acme,5000.00\n"
                           "02/04/2024,Beta,20.00\n")
    mine = tmp_path / "mine.yml"
    mine.write_text("spend:\n  max_payment: 1000\n", encoding="utf-8")
    assert main(["spend", str(path), "--json", "--settings", str(mine)]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["total_pence"] == 2000
    assert [r["kind"] for r in summary["rejected_rows"]] == ["above_cap"]
    assert "£1,000" in summary["rejected_rows"][0]["reason"]


def test_totals_of_many_large_payments_cannot_overflow():
    import numpy as np

    from toolkit.spend.checks import exact_total, int64_sums_are_exact

    pence = np.full(10 * (1 << 20), 10**12 - 1, dtype=np.int64)  # £10bn less a penny each
    assert exact_total(pence) == len(pence) * (10**12 - 1) > 2**63  # past int64
    assert not int64_sums_are_exact(pence) and int64_sums_are_exact(pence[:1000])
    huge = np.array([2**53, 2**53, -5], dtype=np.int64)  # rows at the exact-float limit
    assert exact_total(np.tile(huge, 2000)) == 2000 * (2**54 - 5)


@pytest.mark.parametrize("text", ["$100", "€100", "100 USD", "EUR 100.00", "US$ 5"])
def test_amounts_in_another_currency_are_refused(tmp_path, text):
    path = write(tmp_path, f"Date,Supplier,Amount\n01/04/2024,Acme,\"{text}\"\n"
                           "02/04/2024,Beta,£5.00\n")
    payments = read_payments(path)
    assert payments.rejected["kind"].tolist() == ["foreign_currency"]
    assert "another currency" in payments.rejected["reason"].iloc[0]
    assert int(payments.frame["amount_pence"].sum()) == 500


def test_repeated_amount_columns_and_data_under_a_blank_header_get_notices(tmp_path):
    text = "Date,Supplier,Amount,,Amount\n01/04/2024,Acme,5.00,note,7.00\n"
    payments = read_payments(write(tmp_path, text))
    assert payments.frame["amount_pence"].tolist() == [500]
    problems = " ".join(p.message for p in payments.report.problems)
    assert "2 columns are headed 'Amount' (columns 3, 5)" in problems
    assert "Column(s) 4 have no header but hold data" in problems


def test_hidden_rows_and_sheets_in_excel_payments_get_notices(tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["Date", "Supplier Name", "Net Amount"])
    for day in range(1, 5):
        sheet.append([f"0{day}/04/2024", f"Supplier {day}", 10 * day])
    sheet.row_dimensions[3].hidden = True
    sheet.row_dimensions[5].hidden = True
    sheet.sheet_state = "hidden"
    book.create_sheet("Visible")
    book.active = 1
    path = tmp_path / "hidden.xlsx"
    book.save(path)
    payments = read_payments(path)
    assert int(payments.frame["amount_pence"].sum()) == 10000
    notices = " ".join(p.message for p in payments.report.notices)
    assert "2 row(s) are hidden in Excel (rows 3, 5)" in notices
    assert "is hidden in Excel; it was read" in notices
