"""The organisation workbook template: instructions, one sheet per table, drop-down lists.

``keepitlocal template BOOK.xlsx`` writes it. The layout comes from ``toolkit.inputs.schema``,
so the template, the reader and the checks always agree.
"""

from __future__ import annotations

from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from toolkit.inputs.schema import INSTRUCTIONS_SHEET, TABLES, Column, Table

LISTS_SHEET = "Lists"
#: Rows of each sheet that carry drop-downs, formats and cell checks.
TEMPLATE_ROWS = 1000

NUMBER_FORMATS = {
    "money": "£#,##0.00",
    "percent": "0%",
    "number": "0.00",
    "integer": "0",
    "year": "0",
}

#: Excel's own limits on a cell check's texts, which the file format itself does not set:
#: past them Excel says it found a problem with the workbook and removes the checks.
#: [MS-OI29500] 2.1.613 (Office's implementation notes on ECMA-376 Part 1, 18.3.1.32
#: dataValidation): promptTitle and errorTitle at most 32 characters, prompt at most 255,
#: error at most 224.
EXCEL_TITLE_LIMIT = 32
EXCEL_PROMPT_LIMIT = 255
EXCEL_ERROR_LIMIT = 224

HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")

INTRODUCTION = [
    "Keep It Local: organisation workbook",
    "",
    "This workbook collects the figures about one year of your organisation that the Keep It "
    "Local toolkit needs to show how much of the money you receive stays and circulates in "
    "your local economy, and your social value and financial resilience.",
    "",
    "How to fill it in",
    "1. Use one workbook for each financial year.",
    "2. Fill in each sheet from row 2 down. Row 1 holds the column names: do not change them.",
    "3. Where a cell has a drop-down list, pick from it.",
    "4. Amounts are in pounds. You may type 1234.50 or £1,234.50.",
    "5. Percentages: type 45% (with the % sign) to be sure. A number from 0 to 1 is read as "
    "a fraction; if any number in a column is over 1, the numbers are read as percents.",
    "6. Do not type anyone's name or full home postcode. For staff, give only the first half "
    "of the home postcode (such as BD8). A full postcode is cut to that half when read.",
    "7. Sheets marked optional can be left empty; the measures that need them are then shown "
    "as 'not evidenced'.",
    "8. When you have finished, run:  keepitlocal check THIS-FILE.xlsx",
    "   It lists anything it cannot read, with the sheet, row and column, so you can fix it.",
    "",
    "The sheets",
]


def _instructions(book: OpenpyxlWorkbook) -> None:
    sheet = book.active
    sheet.title = INSTRUCTIONS_SHEET
    lines: list[tuple[str, bool]] = [(text, i == 0 or text in {"How to fill it in", "The sheets"})
                                     for i, text in enumerate(INTRODUCTION)]
    for spec in TABLES:
        status = "required" if spec.required else "optional"
        lines.append((f"{spec.sheet} ({status}): {spec.help}", True))
        for col in spec.columns:
            need = "" if col.required else " (may be blank)"
            lines.append((f"    {col.header}{need}: {col.help}", False))
        lines.append(("", False))
    for row, (text, bold) in enumerate(lines, start=1):
        cell = sheet.cell(row=row, column=1, value=text)
        cell.font = Font(bold=bold, size=14 if row == 1 else 11)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions["A"].width = 110


def _lists(book: OpenpyxlWorkbook) -> dict[tuple[str, str], str]:
    """Write every drop-down's choices to a hidden sheet; return a range per column."""
    sheet = book.create_sheet(LISTS_SHEET)
    ranges: dict[tuple[str, str], str] = {}
    column = 1
    for spec in TABLES:
        for col in spec.columns:
            choices = col.choices or (("yes", "no") if col.kind == "yesno" else ())
            if not choices:
                continue
            letter = get_column_letter(column)
            sheet.cell(row=1, column=column, value=f"{spec.key}.{col.key}")
            for row, choice in enumerate(choices, start=2):
                sheet.cell(row=row, column=column, value=choice)
            last = len(choices) + 1
            sheet_name = quote_sheetname(LISTS_SHEET)
            ranges[(spec.key, col.key)] = f"{sheet_name}!${letter}$2:${letter}${last}"
            column += 1
    sheet.sheet_state = "hidden"
    return ranges


def fit_text(text: str, limit: int) -> str:
    """Return `text` cut to at most `limit` characters at a word break, marked with "…".

    Parameters
    ----------
    text : str
    limit : int
        The most characters Excel accepts in the place the text goes (see
        :data:`EXCEL_TITLE_LIMIT` and its neighbours).

    Returns
    -------
    str
        `text` itself when it fits; otherwise its longest run of whole words that fits with
        the closing "…" (a single over-long word is cut).
    """
    text = " ".join(str(text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and text[limit - 1] != " ":
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:(") + "…"


def _validation(col: Column, list_range: str | None) -> DataValidation | None:
    """Return the cell check for a column, within Excel's limits on its texts."""
    kind = _validation_kind(col, list_range)
    if kind is None:
        return None
    error = fit_text(kind.pop("error"), EXCEL_ERROR_LIMIT)
    title = fit_text(col.header, EXCEL_TITLE_LIMIT)
    return DataValidation(**kind, allow_blank=True, showErrorMessage=True, error=error,
                          showInputMessage=True, errorTitle=title, promptTitle=title,
                          prompt=fit_text(col.help, EXCEL_PROMPT_LIMIT))


def _validation_kind(col: Column, list_range: str | None) -> dict | None:
    """Return what a column's cell check allows, and its error message, or None."""
    if list_range:
        return {"type": "list", "formula1": list_range, "error": "Pick a value from the list."}
    if col.kind == "percent":
        return {"type": "decimal", "operator": "between", "formula1": "0", "formula2": "1",
                "error": "A percentage from 0% to 100%."}
    if col.kind in {"money", "number"} and col.minimum is not None:
        top = col.maximum if col.maximum is not None else 10**12
        return {"type": "decimal", "operator": "between", "formula1": str(col.minimum),
                "formula2": str(top), "error": f"A number from {col.minimum:g} to {top:g}."}
    if col.kind in {"year", "integer"}:
        low, high = ("1900", "2200") if col.kind == "year" else ("0", "1000")
        return {"type": "whole", "operator": "between", "formula1": low, "formula2": high,
                "error": "A whole number."}
    return None


def _table_sheet(book: OpenpyxlWorkbook, spec: Table, ranges: dict) -> None:
    sheet = book.create_sheet(spec.sheet)
    for position, col in enumerate(spec.columns, start=1):
        cell = sheet.cell(row=1, column=position, value=col.header)
        cell.fill, cell.font = HEADER_FILL, HEADER_FONT
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.comment = Comment(col.help, "Keep It Local")
        letter = get_column_letter(position)
        sheet.column_dimensions[letter].width = max(14, min(40, len(col.header) + 4))
        last_row = 2 if spec.single_row else TEMPLATE_ROWS
        number_format = NUMBER_FORMATS.get(col.kind)
        if number_format:  # a column style: what people type below the header takes it
            sheet.column_dimensions[letter].number_format = number_format
        validation = _validation(col, ranges.get((spec.key, col.key)))
        if validation is not None:
            sheet.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{last_row}")
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 45


def build_template() -> OpenpyxlWorkbook:
    """Return the empty workbook template as an openpyxl workbook (not yet saved).

    Returns
    -------
    openpyxl.Workbook
        An instructions sheet, one sheet per table of ``toolkit.inputs.schema.TABLES`` with its
        header in row 1, drop-down lists and cell checks, and a hidden sheet of lists.
    """
    book = OpenpyxlWorkbook()
    _instructions(book)
    ranges = _lists(book)
    for spec in TABLES:
        _table_sheet(book, spec, ranges)
    book.move_sheet(LISTS_SHEET, offset=len(TABLES))
    return book
