"""Reading and checking organisation workbooks, the template, and the CSV-folder twin."""

from __future__ import annotations

import shutil
import subprocess
import sys

import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import SAMPLES
from toolkit.cli import main
from toolkit.inputs.errors import InputError
from toolkit.inputs.schema import TABLES
from toolkit.inputs.workbook import load_workbook, read_workbook, write_workbook

GOOD = {
    "about": [{"name": "Test Trust", "org_id": "test-trust", "la_code": "E08000032",
               "financial_year": "2024-25", "fictional": True}],
    "income": [{"source": "Youth contract", "payer": "Bradford Council",
                "type": "public contract", "amount": 100000.0}],
    "spending": [{"supplier": "Acme", "supplier_postcode": "BD7 1DP", "category": "premises",
                  "amount": 20000.0}],
    "staff": [{"role": "Worker", "fte": 1.0, "gross_pay": 25000.0, "home_district": "BD8",
               "living_wage": True}],
    "balance": [{"total_income": 100000.0, "total_expenditure": 48000.0, "staff_costs": 28000.0,
                 "unrestricted_funds": 40000.0, "designated_funds": 5000.0,
                 "fixed_assets_own_use": 10000.0, "restricted_funds": 0.0,
                 "net_assets": 40000.0}],
}


def errors_of(workbook):
    return [p for p in workbook.report.errors]


def test_template_has_instructions_then_every_sheet(tmp_path):
    path = tmp_path / "t.xlsx"
    assert main(["template", str(path)]) == 0
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "Instructions"
    for spec in TABLES:
        sheet = book[spec.sheet]
        assert [c.value for c in sheet[1]] == [c.header for c in spec.columns]
    income = book["Income"]
    assert any("Lists" in str(dv.formula1) for dv in income.data_validations.dataValidation)


def test_template_refuses_to_overwrite(tmp_path, capsys):
    path = tmp_path / "t.xlsx"
    path.write_text("x")
    assert main(["template", str(path)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_good_workbook_reads_into_typed_tables(tmp_path):
    wb = load_workbook(write_workbook(tmp_path / "good.xlsx", GOOD))
    assert wb.name == "Test Trust" and wb.la_code == "E08000032" and wb.fictional
    income = wb.table("income")
    assert income.loc[0, "amount"] == 100000.0 and income.loc[0, "row"] == 2
    assert wb.table("tenants").empty and list(wb.table("tenants").columns)[-1] == "row"


def test_every_problem_is_collected_with_its_place(tmp_path):
    path = write_workbook(tmp_path / "bad.xlsx", GOOD)
    book = openpyxl.load_workbook(path)
    book["Income"]["D2"] = "lots"
    book["Staff"]["B2"] = -1
    book["Staff survey"]["B2"] = "150%"
    book["Staff survey"]["A2"] = "£20,000 to £29,999"
    book.save(path)
    wb = read_workbook(path)
    places = {(p.sheet, p.row, p.column) for p in errors_of(wb)}
    assert ("Income", 2, "Amount (£)") in places
    assert ("Staff", 2, "FTE") in places
    assert ("Staff survey", 2, "Share of take-home pay spent locally (%)") in places
    problem = next(p for p in errors_of(wb) if p.sheet == "Income")
    assert problem.value == "lots" and "pounds" in problem.expected
    with pytest.raises(InputError, match="3 error"):
        load_workbook(path)


def test_blank_rows_and_unknown_columns_are_reported_not_silently_dropped(tmp_path):
    path = write_workbook(tmp_path / "b.xlsx", {**GOOD, "spending": GOOD["spending"] * 1})
    book = openpyxl.load_workbook(path)
    sheet = book["Spending"]
    sheet["A4"], sheet["C4"], sheet["D4"] = "Beta Ltd", "premises", 10
    sheet["F1"] = "My notes"
    book.save(path)
    wb = read_workbook(path)
    notices = " ".join(p.message for p in wb.report.notices)
    assert "blank row" in notices and "rows 3" in notices
    assert "My notes" in notices
    assert len(wb.table("spending")) == 2


@pytest.mark.parametrize(("text", "naive"), [("1.234,56", 1.23), ("12,50", 1250.0),
                                              ("1,2345", 12345.0), ("$100", 100.0),
                                              ("€100", 100.0)])
def test_ambiguous_or_foreign_money_is_refused_with_its_cell(tmp_path, text, naive):
    path = write_workbook(tmp_path / "bad.xlsx", GOOD)
    book = openpyxl.load_workbook(path)
    book["Spending"]["D2"] = text
    book.save(path)
    wb = read_workbook(path)
    problem = next(p for p in errors_of(wb) if p.sheet == "Spending")
    assert (problem.row, problem.column, problem.value) == (2, "Amount (£)", text)
    assert wb.table("spending").loc[0, "amount"] != naive
    assert main(["check", str(path)]) != 0


def test_hidden_rows_sheets_repeated_and_headerless_columns_get_notices(tmp_path):
    path = write_workbook(tmp_path / "h.xlsx", {**GOOD, "spending": GOOD["spending"] * 3})
    book = openpyxl.load_workbook(path)
    sheet = book["Spending"]
    sheet.row_dimensions[3].hidden = True
    sheet["F1"], sheet["F2"] = "Amount (£)", 999  # a second amount column
    sheet["H3"] = "data under no header"
    book["Income"].sheet_state = "hidden"
    book.save(path)
    wb = read_workbook(path)
    notices = {(p.sheet, p.message) for p in wb.report.notices}
    text = " ".join(m for _, m in notices)
    assert any(s == "Spending" and "rows 3" in m and "Hidden" in m for s, m in notices)
    assert any(s == "Income" and "the sheet itself" in m for s, m in notices)
    assert "(columns D and F): the first was read" in text
    assert "Column H has no header but holds data (rows 3)" in text
    assert wb.table("spending")["amount"].tolist() == [20000.0] * 3


def test_duplicated_rows_are_kept_and_warned(tmp_path):
    tables = {**GOOD, "spending": GOOD["spending"] * 2}
    wb = read_workbook(write_workbook(tmp_path / "d.xlsx", tables))
    assert len(wb.table("spending")) == 2
    assert any("repeats row 2" in p.message for p in wb.report.warnings)


def test_expenditure_gap_is_warned_with_the_gap_shown(tmp_path):
    tables = {**GOOD, "balance": [{**GOOD["balance"][0], "total_expenditure": 90000.0}]}
    wb = read_workbook(write_workbook(tmp_path / "g.xlsx", tables))
    warning = next(p for p in wb.report.warnings if "tolerance" in p.message)
    assert "£-42,000.00" in warning.message


def test_reordered_columns_read_and_renamed_ones_fail(tmp_path):
    path = write_workbook(tmp_path / "r.xlsx", GOOD)
    book = openpyxl.load_workbook(path)
    sheet = book["Income"]
    sheet.move_range("A1:A3", cols=6)
    sheet.delete_cols(1)
    book.save(path)
    assert read_workbook(path).table("income").loc[0, "source"] == "Youth contract"
    book["Income"]["C1"] = "Money"
    book.save(path)
    assert any("'Amount (£)' is missing" in p.message for p in read_workbook(path).report.errors)


def test_wrong_file_types_get_clear_messages(tmp_path):
    for name in ("x.xls", "x.ods", "x.pdf"):
        (tmp_path / name).write_text("not a workbook")
        with pytest.raises(InputError, match=name):
            read_workbook(tmp_path / name)
    with pytest.raises(InputError, match="no such file"):
        read_workbook(tmp_path / "missing.xlsx")


def test_csv_folder_twin_reads_like_the_workbook(tmp_path):
    folder = tmp_path / "csv"
    folder.mkdir()
    from toolkit.inputs.schema import table

    for key, rows in GOOD.items():
        frame = pd.DataFrame(rows)
        frame.columns = [table(key).column(c).header for c in frame.columns]
        frame.to_csv(folder / f"{key}.csv", index=False, encoding="utf-8-sig")
    survey = folder / "staff_survey.csv"
    survey.write_text("Pay band,Share of take-home pay spent locally (%)\n"
                      '"£20,000 to £29,999",60\n"£10,000 to £19,999",45%\n', encoding="cp1252")
    wb = load_workbook(folder)
    assert wb.table("income").loc[0, "amount"] == 100000.0
    assert list(wb.table("staff_survey")["local_share"]) == [0.6, 0.45]
    assert wb.table("staff_survey").loc[0, "row"] == 2


def test_every_sample_workbook_passes_check():
    registry = SAMPLES / "authorities.yml"
    assert registry.exists()
    books = sorted(p for p in SAMPLES.glob("*/*.xlsx") if p.parent.name != "broken")
    assert len(books) >= 18
    assert main(["check", *map(str, books)]) == 0


@pytest.mark.parametrize("name", sorted(p.name for p in (SAMPLES / "broken").glob("*.xlsx")))
def test_every_broken_sample_fails_with_places(name, capsys):
    path = SAMPLES / "broken" / name
    code = main(["check", str(path)])
    assert code != 0
    out = capsys.readouterr()
    text = out.out + out.err
    if name != "not-a-workbook.xlsx" and name != "missing-sheet.xlsx":
        assert "sheet '" in text and ("row " in text)


def test_check_command_runs_as_python_module(tmp_path):
    path = write_workbook(tmp_path / "good.xlsx", GOOD)
    result = subprocess.run([sys.executable, "-m", "toolkit", "check", str(path), "--json"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert '"ok": true' in result.stdout


def test_libreoffice_round_trip_if_available(tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed here; the reader uses only openpyxl's "
                    "standard .xlsx reading, which LibreOffice files follow")
    src = write_workbook(tmp_path / "good.xlsx", GOOD)
    out = tmp_path / "lo"
    subprocess.run([soffice, "--headless", "--convert-to", "xlsx", "--outdir", str(out),
                    str(src)], check=True, capture_output=True, timeout=120)
    assert load_workbook(out / "good.xlsx").table("income").loc[0, "amount"] == 100000.0


EXCEL_SHEET_NAME_FORBIDDEN = set('[]:*?/\\')


def excel_limit_breaches(path) -> list[str]:
    """What in a workbook goes past a limit Excel enforces and LibreOffice does not.

    Sheet names: at most 31 characters, none of ``[]:*?/\\`` (Microsoft support, "Rename a
    worksheet"). Cell checks: titles at most 32 characters, input message 255, error
    message 224 ([MS-OI29500] 2.1.613), a list's formula 255. Cell text: 32,767 characters.
    """
    from toolkit.inputs.template import EXCEL_ERROR_LIMIT, EXCEL_PROMPT_LIMIT, EXCEL_TITLE_LIMIT

    book = openpyxl.load_workbook(path)
    found = []
    for sheet in book.worksheets:
        where = f"{path.name} sheet {sheet.title!r}"
        if len(sheet.title) > 31 or EXCEL_SHEET_NAME_FORBIDDEN & set(sheet.title):
            found.append(f"{where}: sheet name")
        for check in sheet.data_validations.dataValidation:
            for name, limit in (("promptTitle", EXCEL_TITLE_LIMIT),
                                ("errorTitle", EXCEL_TITLE_LIMIT),
                                ("prompt", EXCEL_PROMPT_LIMIT), ("error", EXCEL_ERROR_LIMIT),
                                ("formula1", 255)):
                text = getattr(check, name) or ""
                if len(text) > limit:
                    found.append(f"{where} {check.sqref}: {name} has {len(text)} characters")
        for row in sheet.iter_rows():
            found += [f"{where} {c.coordinate}: text over 32,767" for c in row
                      if isinstance(c.value, str) and len(c.value) > 32_767]
    return found


def test_template_keeps_within_excels_limits(tmp_path):
    path = tmp_path / "template.xlsx"
    assert main(["template", str(path)]) == 0
    assert excel_limit_breaches(path) == []


def test_sample_workbooks_keep_within_excels_limits():
    books = sorted(p for p in SAMPLES.glob("*/*.xlsx") if p.name != "not-a-workbook.xlsx")
    assert len(books) > 30
    assert [b for p in books for b in excel_limit_breaches(p)] == []


def test_fit_text_cuts_at_a_word_and_says_so():
    from toolkit.inputs.template import fit_text

    assert fit_text("Paid at least the real Living Wage (yes/no)", 32) == \
        "Paid at least the real Living…"
    assert fit_text("Short title", 32) == "Short title"
    assert fit_text("x" * 40, 32) == "x" * 31 + "…"


@given(st.text(alphabet=st.characters(codec="utf-8", categories=["L", "N", "Zs", "P"]),
               max_size=300),
       st.integers(min_value=2, max_value=255))
def test_fit_text_always_fits_and_keeps_what_fits(text, limit):
    from toolkit.inputs.template import fit_text

    fitted = fit_text(text, limit)
    assert len(fitted) <= limit
    if len(" ".join(text.split())) <= limit:
        assert fitted == " ".join(text.split())
    else:
        assert fitted.endswith("…")


def test_take_home_share_given_in_about_is_evidenced_not_assumed(tmp_path):
    from toolkit.inputs.settings import load_settings
    from toolkit.measures.lm3 import lm3_from_workbook

    settings = load_settings(overrides={"boundary": {"postcodes": ["BD"]}})
    about = [{**GOOD["about"][0], "take_home_share": 0.9}]
    given = lm3_from_workbook(load_workbook(write_workbook(tmp_path / "g.xlsx",
                                                           {**GOOD, "about": about})), settings)
    assumed = lm3_from_workbook(load_workbook(write_workbook(tmp_path / "a.xlsx", GOOD)),
                                settings)
    assert given.take_home["assumed"] is False and given.take_home["value"] == 0.9
    assert assumed.take_home["assumed"] is True and assumed.take_home["value"] == 0.8
    assert given.r3_staff == pytest.approx(assumed.r3_staff * 0.9 / 0.8)


def test_sroi_inputs_and_fixed_asset_fund_columns_are_read_and_optional(tmp_path):
    wb = load_workbook(write_workbook(tmp_path / "good.xlsx", GOOD))
    assert wb.table("income")["in_sroi"].isna().all()
    assert wb.balance["designated_hold_fixed_assets"] is None
    marked = {**GOOD,
              "income": [{**GOOD["income"][0], "in_sroi": "yes"},
                         {"source": "Cafe", "payer": "Customers", "type": "trading",
                          "amount": 5.0, "in_sroi": "no"}],
              "balance": [{**GOOD["balance"][0], "designated_hold_fixed_assets": "yes"}]}
    wb = load_workbook(write_workbook(tmp_path / "marked.xlsx", marked))
    assert wb.table("income")["in_sroi"].tolist() == [True, False]
    assert wb.balance["designated_hold_fixed_assets"] is True
    bad = {**marked, "income": [{**GOOD["income"][0], "in_sroi": "perhaps"}]}
    wb = read_workbook(write_workbook(tmp_path / "bad.xlsx", bad))
    assert any(p.sheet == "Income" and "SROI" in str(p.column) for p in wb.report.errors)
