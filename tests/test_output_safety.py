"""No cell of a CSV file or workbook the toolkit writes can start a formula (OWASP).

Bad inputs are built the way a hostile supplier name would arrive: in a council's payments
file, in an accounting export, in a pack table. The property test at the end generates
text and checks every writer.
"""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import present
from toolkit.cell_safety import FORMULA_STARTS, neutral_text, restore_text, starts_formula
from toolkit.inputs.geography import Boundary
from toolkit.spend.analysis import analyse_spending, read_supplier_list

HOSTILE = ['=HYPERLINK("http://evil.example","Click")', "+44 1422 000000", "-2+3",
           "@SUM(A1:A9)", "\tTabbed Ltd", "\rReturn Ltd", "=1+1", "\uff1dFULLWIDTH"]


def formula_cells(rows) -> list[str]:
    """Return every cell of ``rows`` that a spreadsheet would run as a formula."""
    return [c for row in rows for c in row if isinstance(c, str) and starts_formula(c)]


def csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def workbook_formulas(path: Path) -> list:
    """Return the cells of every sheet stored as a formula (openpyxl: data type 'f')."""
    book = openpyxl.load_workbook(path)
    return [c.coordinate for ws in book.worksheets for row in ws.iter_rows() for c in row
            if c.data_type == "f"]


def payments_file(path: Path, names: list[str]) -> Path:
    rows = [["Payment Date", "Net Amount", "Supplier Name"]]
    rows += [[f"2024-04-0{1 + i % 9}", f"{100 + i}.00", name] for i, name in enumerate(names)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


# ------------------------------------------------------------------------- the helper

@pytest.mark.parametrize("text", HOSTILE)
def test_formula_like_text_is_quoted_and_restored(text):
    safe = neutral_text(text)
    assert safe == "'" + text and not starts_formula(safe)
    assert restore_text(safe) == text


@pytest.mark.parametrize("value", [-12.5, -3, 0, "-12.50", "+7", "Oak Lane Bakery", None,
                                   "'quoted by the user"])
def test_numbers_and_plain_text_are_left_alone(value):
    assert neutral_text(value) == value
    assert restore_text(value) == value


def test_true_negative_numbers_stay_numeric_in_a_written_csv(tmp_path):
    present.start_pack("safe", tmp_path)
    try:
        path = present.write_table_csv(pd.DataFrame({"supplier": HOSTILE,
                                                     "net": [-5.25] * len(HOSTILE)}), "t")
    finally:
        present.start_pack(None, None)
    rows = csv_rows(path)
    assert not formula_cells(rows)
    assert [r[1] for r in rows[1:]] == ["-5.25"] * len(HOSTILE)
    assert pd.read_csv(path)["net"].dtype.kind == "f"


# ---------------------------------------------------------------- spend --unplaced-out

def test_unplaced_suppliers_file_is_safe_and_survives_the_round_trip(tmp_path):
    payments = payments_file(tmp_path / "payments.csv", HOSTILE[:6] + ["Plain Supplier Ltd"])
    result = analyse_spending([payments], Boundary.from_codes("local", ["HX1"]))
    out = result.write_unplaced(tmp_path / "unplaced.csv")
    rows = csv_rows(out)
    assert not formula_cells(rows)
    written = {r[0] for r in rows[1:]}
    assert "'" + HOSTILE[0] in written
    for row in rows[1:]:  # the user fills in the postcodes and gives the file back
        row[1] = "HX1 1AA"
    with out.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    listed = read_supplier_list(out)
    expected = {n.strip() for n in HOSTILE[:6]} | {"Plain Supplier Ltd"}
    assert set(listed.frame["name"]) == expected
    again = analyse_spending([payments], Boundary.from_codes("local", ["HX1"]),
                             supplier_list=listed)
    assert again.summary()["local_pence"] == again.summary()["total_pence"]


# ------------------------------------------------------------------- workbooks written

def test_import_keeps_a_hyperlink_payee_as_text(tmp_path):
    from toolkit.imports.formats import financial_year_span, parse_map_text
    from toolkit.imports.run import ImportOptions, import_exports, merge_into_workbook
    from toolkit.inputs.workbook import read_workbook

    export = tmp_path / "other.csv"
    with export.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([
            ["Date", "Payee", "Amount", "Account"],
            ["03/05/2024", HOSTILE[0], "400.00", "Food and catering"],
            ["04/05/2024", "Oak Lane Bakery", "100.00", "Food and catering"]])
    options = ImportOptions(period=financial_year_span("2024-25"), transactions=[export],
                            mapping=parse_map_text("date=Date,supplier=Payee,amount=Amount,"
                                                   "account=Account"))
    result = import_exports(options)
    book = tmp_path / "book.xlsx"
    merge_into_workbook(book, result)
    assert not workbook_formulas(book)
    suppliers = set(read_workbook(book).table("spending")["supplier"])
    assert HOSTILE[0] in suppliers


def test_write_workbook_stores_every_text_cell_as_text(tmp_path):
    from toolkit.inputs.workbook import read_workbook, write_workbook

    rows = [{"supplier": name, "category": "other", "amount": -12.5} for name in HOSTILE]
    path = write_workbook(tmp_path / "w.xlsx", {"spending": rows})
    assert not workbook_formulas(path)
    table = read_workbook(path).table("spending")
    assert list(table["supplier"]) == [n.strip() for n in HOSTILE]
    assert list(table["amount"]) == [-12.5] * len(HOSTILE)


# ------------------------------------------------------------------- property test

#: Text a workbook can hold (XML forbids most control characters).
LETTERS = st.characters(codec="utf-8", exclude_characters=[
    chr(i) for i in range(32) if chr(i) not in "\t\r\n"])
CELL_TEXT = st.one_of(
    st.text(LETTERS, max_size=12),
    st.builds(lambda start, rest: start + rest, st.sampled_from(FORMULA_STARTS),
              st.text(LETTERS, max_size=10)))


@settings(max_examples=200)
@given(names=st.lists(CELL_TEXT, min_size=1, max_size=6), amount=st.floats(-1e6, 1e6))
def test_no_cell_the_toolkit_writes_can_start_a_formula(tmp_path_factory, names, amount):
    folder = tmp_path_factory.mktemp("out")
    frame = pd.DataFrame({"name": names, "amount": [amount] * len(names)})
    present.start_pack("p", folder)
    try:
        table = present.write_table_csv(frame, "names")
    finally:
        present.start_pack(None, None)
    assert not formula_cells(csv_rows(table))
    from toolkit.cell_safety import write_csv

    plain = write_csv(frame, folder / "plain.csv")
    read_back = csv_rows(plain)
    assert not formula_cells(read_back)
    assert [restore_text(neutral_text(n)) for n in names] == names


@settings(max_examples=200)
@given(names=st.lists(CELL_TEXT, min_size=1, max_size=6), amount=st.floats(-1e6, 1e6))
def test_no_cell_of_a_written_workbook_is_a_formula(names, amount):
    # The sheet-filling step of write_workbook, on a bare workbook saved to memory: the
    # whole template (about 0.2 s to build) is tested once, above.
    import io

    from toolkit.inputs.schema import table
    from toolkit.inputs.workbook import _fill_sheet

    book = openpyxl.Workbook()
    rows = [{"supplier": n or "x", "category": "other", "amount": amount} for n in names]
    _fill_sheet(book.active, table("spending"), rows)
    saved = io.BytesIO()
    book.save(saved)
    saved.seek(0)
    cells = [c for row in openpyxl.load_workbook(saved).active.iter_rows() for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    # XML parsers may turn a carriage return into a line feed on reading (XML's end-of-line
    # rule; it depends on the parser installed): not a formula, and not the toolkit's to
    # control. Compare with line ends made alike on both sides.
    def lines(text):
        return text.replace("\r\n", "\n").replace("\r", "\n")

    read = [lines(c.value) for c in cells if c.column == 1 and c.row > 1]
    assert read == [lines(n or "x") for n in names]
