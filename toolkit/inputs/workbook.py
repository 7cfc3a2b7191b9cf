"""Read, check and write the organisation workbook (Excel) and its CSV-folder twin.

One function, :func:`read_workbook`, reads a workbook into typed, validated tables. Every
problem is collected (not just the first), each naming the file, sheet, row and column,
the value found and what was expected. Later steps take the tables it returns and never
read the file again, so every figure in a pack traces back to rows shown here.
"""

from __future__ import annotations

import codecs
import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.cell_safety import starts_formula
from toolkit.inputs import cells
from toolkit.inputs.errors import InputError, Report
from toolkit.inputs.names import supplier_key
from toolkit.inputs.personal import REDACTED_TEXT, personal_details, redacted
from toolkit.inputs.schema import INSTRUCTIONS_SHEET, TABLES, Column, Table, table

LISTS_SHEET = "Lists"
KNOWN_EXTRA_SHEETS = {INSTRUCTIONS_SHEET.casefold(), LISTS_SHEET.casefold()}


@dataclass
class Workbook:
    """An organisation's workbook, read into typed tables.

    Attributes
    ----------
    path : Path
        The file (or CSV folder) it was read from.
    tables : dict of str to DataFrame
        Each table by key, with the schema's column keys plus ``row`` (the Excel row or
        CSV line each record came from).
    present : set of str
        Keys of the tables that were in the file.
    report : Report
        Every problem and correction found while reading and checking.
    """

    path: Path
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    present: set[str] = field(default_factory=set)
    report: Report = field(default_factory=Report)

    def table(self, key: str) -> pd.DataFrame:
        """Return a table; an absent optional table is an empty frame with its columns."""
        if key in self.tables:
            return self.tables[key]
        return pd.DataFrame(columns=[*table(key).keys, "row"])

    def has(self, key: str) -> bool:
        """Return whether the table's sheet was in the workbook."""
        return key in self.present

    def _single(self, key: str) -> dict:
        frame = self.table(key)
        if frame.empty:
            return {col: None for col in table(key).keys}
        return frame.iloc[0].to_dict()

    @property
    def about(self) -> dict:
        """The about table's one row, as a dictionary."""
        return self._single("about")

    @property
    def balance(self) -> dict:
        """The balance table's one row, as a dictionary."""
        return self._single("balance")

    @property
    def name(self) -> str:
        """The organisation's name."""
        return self.about.get("name") or self.path.stem

    @property
    def org_id(self) -> str:
        """The organisation's id."""
        return self.about.get("org_id") or self.path.stem

    @property
    def la_code(self) -> str | None:
        """The ONS code of the organisation's local authority."""
        return self.about.get("la_code")

    @property
    def financial_year(self) -> str | None:
        """The financial year the workbook covers, such as "2024-25"."""
        return self.about.get("financial_year")

    @property
    def fictional(self) -> bool:
        """Whether the workbook is marked as fictional sample data."""
        return bool(self.about.get("fictional"))


# --------------------------------------------------------------------------- reading


def _header_key(text: Any) -> str:
    return " ".join(str(text or "").replace("\n", " ").split()).casefold()


def _match_columns(spec: Table, headers: list[Any]) -> dict[int, Column]:
    """Map sheet column positions to schema columns by header text, alias or key."""
    by_text: dict[str, Column] = {}
    for col in spec.columns:
        for name in (col.header, col.key, *col.aliases):
            by_text[_header_key(name)] = col
    # also accept a header without its unit in brackets, such as "Amount" for "Amount (£)"
    for col in spec.columns:
        by_text.setdefault(_header_key(col.header.split(" (")[0]), col)
    matched: dict[int, Column] = {}
    for position, header in enumerate(headers):
        col = by_text.get(_header_key(header))
        if col is not None and col not in matched.values():
            matched[position] = col
    return matched


@dataclass
class _RawSheet:
    """A sheet's cells as read: header row, data rows with their row numbers and formats."""

    name: str
    header_row: int
    headers: list[Any]
    rows: list[tuple[int, list[Any], list[bool]]]
    merged: list[str] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)  # "the sheet", "rows 3, 4", "column C"


def _parse_cell(col: Column, raw: Any) -> cells.Parsed:
    kind = col.kind
    if kind == "money":
        return cells.parse_money(raw)
    if kind == "number":
        return cells.parse_number(raw)
    if kind == "integer":
        return cells.parse_integer(raw)
    if kind == "year":
        return cells.parse_year(raw)
    if kind == "fyear":
        return cells.parse_financial_year(raw)
    if kind == "yesno":
        return cells.parse_yesno(raw)
    if kind == "choice":
        return cells.parse_choice(raw, col.choices)
    if kind == "district":
        return cells.parse_district(raw)
    if kind == "postcode":
        return cells.parse_postcode(raw)
    return cells.parse_text(raw)


def _expected(col: Column) -> str:
    kinds = {
        "money": "an amount in pounds, such as 1234.50",
        "number": "a number",
        "integer": "a whole number",
        "year": "a year such as 2024",
        "fyear": "a financial year such as 2024-25",
        "yesno": "yes or no",
        "district": "a postcode district such as BD8",
        "percent": "a percentage from 0% to 100%",
        "choice": "one of: " + ", ".join(col.choices),
    }
    return kinds.get(col.kind, "text")


def _check_bounds(col: Column, value: Any) -> str | None:
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    if col.kind == "percent":
        if value < 0 or value > 1:
            return "a percentage outside 0% to 100%"
        return None
    if col.minimum is not None and value < col.minimum:
        return "a negative amount, which this column cannot hold" if col.minimum == 0 else (
            f"below the smallest allowed value {col.minimum}")
    if col.maximum is not None and value > col.maximum:
        return f"above the largest allowed value {col.maximum:g}"
    return None


def _parse_table(spec: Table, raw: _RawSheet, file: str, report: Report) -> pd.DataFrame:
    """Turn a raw sheet into a typed table, reporting every problem with its place."""
    where = {"file": file, "sheet": raw.name}
    for merged in raw.merged:
        report.error(f"Merged cells {merged}: unmerge them so each row has its own values.",
                     **where)
    matched = _match_columns(spec, raw.headers)
    positions = {col.key: pos for pos, col in matched.items()}
    for col in spec.columns:
        if col.key not in positions and col.required:
            report.error(
                f"The column '{col.header}' is missing.", **where, row=raw.header_row,
                expected=f"a header '{col.header}' in row {raw.header_row}; found: "
                + ", ".join(str(h) for h in raw.headers if h not in (None, "")),
            )
    for hidden in raw.hidden:
        report.notice(f"Hidden in Excel, and read like the rest: {hidden}. Unhide to check.",
                      **where)
    _report_unused_columns(spec, raw, matched, where, report)
    records: list[dict] = []
    blank_rows: list[int] = []
    for row_number, values, _ in raw.rows:
        if all(cells.is_blank(v) for v in values):
            blank_rows.append(row_number)
            continue
        records.append({"row": row_number})
    if blank_rows:
        report.notice(f"{len(blank_rows)} blank row(s) skipped: rows "
                      + ", ".join(map(str, blank_rows[:20]))
                      + (" ..." if len(blank_rows) > 20 else "") + ".", **where)
    data_rows = [r for r in raw.rows if r[0] not in set(blank_rows)]
    for col in spec.columns:
        pos = positions.get(col.key)
        column_cells = [
            (vals[pos] if pos is not None and pos < len(vals) else None,
             fmts[pos] if pos is not None and pos < len(fmts) else False)
            for _, vals, fmts in data_rows
        ]
        if col.kind == "percent":
            parsed_cells, ambiguous = cells.parse_percent_column(column_cells)
            for index in ambiguous:
                report.warning(
                    "This share was read as a percent because other numbers in the column "
                    "are over 1; check it (type it with a % sign to be sure).",
                    **where, row=data_rows[index][0], column=col.header,
                    value=_quoted(spec, column_cells[index][0]),
                    expected=None if spec.personal else f"{parsed_cells[index].value:.2%}")
        else:
            parsed_cells = [_parse_cell(col, raw_value) for raw_value, _ in column_cells]
        for record, parsed, (raw_value, _) in zip(records, parsed_cells, column_cells,
                                                  strict=True):
            place = {**where, "row": record["row"], "column": col.header}
            if parsed.error:
                report.error(f"This cell holds {parsed.error}.{_unquoted_note(spec)}", **place,
                             value=_quoted(spec, raw_value), expected=_expected(col))
            elif parsed.value is None and col.required and pos is not None:
                report.error("This cell is empty but must be filled in.", **place,
                             expected=_expected(col))
            elif (bound := _check_bounds(col, parsed.value)) is not None:
                report.error(f"This cell holds {bound}.{_unquoted_note(spec)}", **place,
                             value=_quoted(spec, raw_value), expected=_expected(col))
            if parsed.note:
                shown = None if col.kind == "district" else _quoted(spec, raw_value)
                report.notice(parsed.note[0].upper() + parsed.note[1:] + ".", **place,
                              value=shown)
            record[col.key] = parsed.value if parsed.ok else None
            if col.free_text and record[col.key]:
                record[col.key] = _without_personal_details(record[col.key], place, report)
    frame = pd.DataFrame(records, columns=["row", *spec.keys])
    frame = frame[[*spec.keys, "row"]]
    _report_duplicates(frame, spec, where, report)
    if spec.single_row and len(frame) != 1:
        report.error(f"This sheet must have exactly one row of figures, not {len(frame)}.",
                     **where, row=raw.header_row + 1)
    return frame


def _report_unused_columns(spec: Table, raw: _RawSheet, matched: dict[int, Column],
                           where: dict, report: Report) -> None:
    """Give a notice for each column not read: unknown, a repeated header, or no header."""
    again = _match_columns(spec, [None if pos in matched else h
                                  for pos, h in enumerate(raw.headers)])
    for pos, header in enumerate(raw.headers):
        if pos in matched:
            continue
        letter = column_letter(pos + 1)
        if pos in again:
            first = next(p for p, c in matched.items() if c == again[pos])
            report.notice(f"Two columns are headed '{again[pos].header}' (columns "
                          f"{column_letter(first + 1)} and {letter}): the first was read "
                          "and this one was ignored.", **where, row=raw.header_row,
                          column=str(header))
        elif not cells.is_blank(header):
            report.notice(f"The column '{header}' is not one the toolkit uses; it was ignored.",
                          **where, row=raw.header_row)
        elif filled := [n for n, vals, _ in raw.rows
                        if pos < len(vals) and not cells.is_blank(vals[pos])]:
            report.notice(f"Column {letter} has no header but holds data (rows "
                          f"{_row_list(filled)}): it was ignored. Give it a header if it "
                          "should be read.", **where, row=raw.header_row)


def column_letter(number: int) -> str:
    """Return the Excel letter of a 1-based column number (1 -> A, 28 -> AB)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _row_list(rows: list[int], limit: int = 20) -> str:
    """Return row numbers as "3, 4, 9" (the first ``limit``, then "...")."""
    return ", ".join(map(str, rows[:limit])) + (" ..." if len(rows) > limit else "")


def _hidden_parts(worksheet, header_row: int) -> list[str]:
    """Return what is hidden in a sheet: the sheet itself, rows, columns (for notices)."""
    parts = [] if worksheet.sheet_state == "visible" else ["the sheet itself"]
    rows = sorted(r for r, dim in worksheet.row_dimensions.items()
                  if dim.hidden and r <= worksheet.max_row)
    if rows:
        parts.append(f"rows {_row_list(rows)}")
    columns = [column_letter(n) for dim in worksheet.column_dimensions.values() if dim.hidden
               for n in range(dim.min or 1, (dim.max or dim.min or 1) + 1)]
    if columns:
        parts.append(f"column(s) {', '.join(columns)}")
    return parts


def _without_personal_details(text: str, place: dict, report: Report) -> str:
    """Return free text with full postcodes, emails and phone numbers taken out, and say so.

    The warning names the cell, not its content (:mod:`toolkit.inputs.personal`).
    """
    kinds = personal_details(text)
    if not kinds:
        return text
    report.warning(f"This text looks like it holds {' and '.join(kinds)}, so it was taken "
                   f"out: packs and tables show {REDACTED_TEXT!r} instead. Keep people's "
                   "contact details out of the workbook.", **place)
    return redacted(text)


def _quoted(spec: Table, raw_value: Any) -> str | None:
    """Return a cell's content to quote in a message, or None on a sheet about people.

    A sheet whose rows are people (staff, the staff survey) may hold personal data typed in
    the wrong place, such as a home address in the postcode district column; messages name
    the cell (sheet, row, column) and never repeat it, so it reaches no log or manifest.
    """
    return None if spec.personal else str(raw_value)


def _unquoted_note(spec: Table) -> str:
    """Return the words saying a cell's content is not repeated (sheets about people)."""
    return (" Its content is not repeated here, as this sheet is about people."
            if spec.personal else "")


def _report_duplicates(frame: pd.DataFrame, spec: Table, where: dict, report: Report) -> None:
    if frame.empty or spec.single_row:
        return
    values = frame[spec.keys].astype(str)
    duplicated = values.duplicated(keep="first")
    for index in frame.index[duplicated]:
        first = frame.index[(values == values.loc[index]).all(axis=1)][0]
        report.warning(
            f"This row repeats row {frame.at[first, 'row']} exactly. It was kept; delete it "
            "if it was entered twice.", **where, row=int(frame.at[index, "row"]))


# ------------------------------------------------------------------ Excel and CSV input


def _first_filled_row(rows: list[tuple[int, list[Any], list[bool]]]) -> int:
    for index, (_, values, _) in enumerate(rows[:10]):
        if any(not cells.is_blank(v) for v in values):
            return index
    return 0


def _sheet_rows(worksheet) -> list[tuple[int, list[Any], list[bool]]]:
    rows = []
    for excel_row in worksheet.iter_rows():
        values = [c.value for c in excel_row]
        formats = ["%" in str(c.number_format or "") for c in excel_row]
        rows.append((excel_row[0].row, values, formats))
    while rows and all(cells.is_blank(v) for v in rows[-1][1]):
        rows.pop()
    return rows


def _raw_from_rows(name: str, rows, file: str, report: Report) -> _RawSheet:
    start = _first_filled_row(rows)
    if not rows:
        return _RawSheet(name, 1, [], [])
    header_number, headers, _ = rows[start]
    if header_number != 1:
        report.notice(f"The header was found in row {header_number}, not row 1.",
                      file=file, sheet=name, row=header_number)
    return _RawSheet(name, header_number, headers, rows[start + 1:])


#: First bytes of an OLE2 compound file (CFB): an encrypted .xlsx, or an old .xls.
CFB_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")


def refuse_unreadable_excel(path: Path) -> None:
    """Refuse, in plain words, an Excel file that is password-protected or an old .xls.

    Excel saves a workbook with a password to open as an OLE2 compound file holding an
    ``EncryptionInfo`` stream (MS-OFFCRYPTO), not as the zip file an .xlsx is; the same
    container without that stream is an Excel 97-2003 workbook.

    Parameters
    ----------
    path : pathlib.Path
        The Excel file.

    Raises
    ------
    InputError
        Saying what to do.

    References
    ----------
    Microsoft, [MS-OFFCRYPTO] Office Document Cryptography Structure, 2.3.4 (EncryptionInfo
    stream); [MS-CFB] Compound File Binary File Format, 2.2 (header signature).
    """
    try:
        with open(path, "rb") as handle:
            if handle.read(len(CFB_SIGNATURE)) != CFB_SIGNATURE:
                return
            data = handle.read()
    except OSError:
        return  # the reader says why it cannot open it
    if "EncryptionInfo".encode("utf-16-le") in data:
        raise InputError(f"{path.name}: this workbook is password-protected, so it cannot be "
                         "read. Open it in Excel, remove the password (File, Info, Protect "
                         "Workbook, Encrypt with Password: clear it), save it, and try again.")
    raise InputError(f"{path.name}: this is an Excel 97-2003 workbook (.xls) with an .xlsx "
                     "name. Open it in Excel or LibreOffice and save it as 'Excel Workbook "
                     "(.xlsx)'.")


def _read_excel(path: Path, report: Report) -> dict[str, _RawSheet]:
    import openpyxl

    file = path.name
    refuse_unreadable_excel(path)
    try:
        book = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise InputError(
            f"{file}: this file could not be opened as an Excel workbook (.xlsx): {exc}. "
            "Save it from Excel or LibreOffice as 'Excel Workbook (.xlsx)'.") from exc
    sheets = {}
    for worksheet in book.worksheets:
        rows = _sheet_rows(worksheet)
        raw = _raw_from_rows(worksheet.title, rows, file, report)
        raw.merged = [str(r) for r in worksheet.merged_cells.ranges if r.max_row > raw.header_row]
        raw.hidden = _hidden_parts(worksheet, raw.header_row)
        sheets[worksheet.title] = raw
    return sheets


def _utf16(data: bytes) -> str | None:
    """Return the name of the UTF-16 encoding ``data`` is in, or None (by BOM or NUL bytes)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    sample = data[:4096]
    if len(sample) >= 2 and sample.count(b"\x00") * 3 > len(sample):
        return "utf-16-le" if sample[1::2].count(0) > sample[0::2].count(0) else "utf-16-be"
    return None


def _decode(data: bytes, name: str, report: Report) -> str:
    """Return a CSV file's text: UTF-8, UTF-16 (as Excel's "Unicode text") or Windows-1252."""
    wide = _utf16(data)
    if wide:
        try:
            text = data.decode(wide).lstrip("\ufeff")
        except UnicodeDecodeError:
            raise InputError(f"{name}: this file looks like UTF-16 text but cannot be read as "
                             "it. Save it from Excel or LibreOffice as 'CSV UTF-8'.") from None
        report.notice("Read as UTF-16 text (Excel's 'Unicode text').", file=name)
        return text
    if b"\x00" in data:
        raise InputError(f"{name}: this file holds NUL bytes, so it is not a CSV text file. "
                         "Save it from Excel or LibreOffice as 'CSV UTF-8'.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding).replace("\u00ef\u00bb\u00bf", "")
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _read_csv_folder(path: Path, report: Report) -> dict[str, _RawSheet]:
    sheets = {}
    for csv_path in sorted(path.glob("*.csv")):
        text = _decode(csv_path.read_bytes(), f"{path.name}/{csv_path.name}", report)
        rows = [(number, values, [False] * len(values))
                for number, values in enumerate(csv.reader(io.StringIO(text)), start=1)]
        rows = [(n, [None if v.strip() == "" else v for v in vals], f) for n, vals, f in rows]
        while rows and all(cells.is_blank(v) for v in rows[-1][1]):
            rows.pop()
        sheets[csv_path.stem] = _raw_from_rows(csv_path.name, rows, path.name, report)
    return sheets


def _find_sheet(spec: Table, sheets: dict[str, _RawSheet]) -> str | None:
    """Return the name of the sheet (or CSV file stem) holding a table, or ``None``."""
    wanted = {spec.sheet.casefold(), spec.key.casefold(), spec.key.replace("_", " ").casefold()}
    for name in sheets:
        if name.strip().casefold() in wanted:
            return name
    return None


def read_workbook(path: str | Path) -> Workbook:
    """Read and check an organisation workbook (.xlsx) or a folder of CSV files.

    Parameters
    ----------
    path : path-like
        An Excel workbook made from ``keepitlocal template``, or a folder holding one CSV
        file per table (``income.csv``, ``staff_survey.csv``, ...).

    Returns
    -------
    Workbook
        The typed tables and a report of every problem. Content problems never raise;
        a file that cannot be opened at all raises :class:`InputError`.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(f"{path}: no such file or folder.")
    report = Report()
    if path.is_dir():
        sheets = _read_csv_folder(path, report)
        if not sheets:
            raise InputError(f"{path}: this folder holds no CSV files.")
    elif path.suffix.casefold() in {".xlsx", ".xlsm"}:
        sheets = _read_excel(path, report)
    elif path.suffix.casefold() in {".xls", ".ods", ".numbers"}:
        raise InputError(f"{path.name}: this is a {path.suffix} file. Open it in Excel or "
                         "LibreOffice and save it as 'Excel Workbook (.xlsx)'.")
    else:
        raise InputError(f"{path.name}: not an Excel workbook (.xlsx) or a folder of CSV "
                         "files. Make a workbook with 'keepitlocal template BOOK.xlsx'.")
    workbook = Workbook(path=path, report=report)
    used = set()
    for spec in TABLES:
        name = _find_sheet(spec, sheets)
        if name is None:
            if spec.required:
                report.error(f"The sheet '{spec.sheet}' is missing.", file=path.name,
                             expected=f"a sheet named '{spec.sheet}'")
            continue
        used.add(name)
        workbook.present.add(spec.key)
        workbook.tables[spec.key] = _parse_table(spec, sheets[name], path.name, report)
    for name in sheets:
        if name not in used and name.casefold() not in KNOWN_EXTRA_SHEETS:
            report.notice(f"The sheet '{name}' is not one the toolkit uses; it was ignored.",
                          file=path.name, sheet=name)
    check_workbook(workbook)
    return workbook


def load_workbook(path: str | Path) -> Workbook:
    """Read a workbook and raise :class:`InputError` listing every error, if any."""
    workbook = read_workbook(path)
    workbook.report.raise_if_errors(Path(path).name)
    return workbook


# ------------------------------------------------------------------- cross-table checks


def check_workbook(workbook: Workbook, tolerance: float | None = None,
                   thin_threshold: int | None = None) -> None:
    """Add to the workbook's report the checks that look across tables.

    Parameters
    ----------
    workbook : Workbook
    tolerance : float, optional
        Largest relative gap between spending plus staff costs and reported expenditure;
        defaults to the setting ``checks.expenditure_tolerance``.
    thin_threshold : int, optional
        Fewest survey responses before a warning; defaults to ``checks.thin_survey_threshold``.
    """
    from toolkit.inputs.settings import load_settings

    settings = load_settings()
    tolerance = settings.value("checks.expenditure_tolerance") if tolerance is None else tolerance
    thin = settings.value("checks.thin_survey_threshold") if thin_threshold is None else (
        thin_threshold)
    _check_about(workbook)
    _check_expenditure(workbook, tolerance)
    _check_staff_costs(workbook)
    _check_surveys(workbook, thin)
    _check_outcomes(workbook)
    _check_balance(workbook)


def _check_about(workbook: Workbook) -> None:
    import re

    code = workbook.about.get("la_code")
    if code and not re.fullmatch(r"[EWSN]\d{8}", str(code)):
        workbook.report.error("Not an ONS local authority code.", file=workbook.path.name,
                              sheet="About", row=2, column="Local authority code",
                              value=str(code), expected="a code such as E08000032")


def _check_expenditure(workbook: Workbook, tolerance: float) -> None:
    balance = workbook.balance
    reported = balance.get("total_expenditure")
    if not reported or "spending" not in workbook.tables:
        return
    spending = float(workbook.table("spending")["amount"].dropna().sum())
    staff = balance.get("staff_costs")
    if staff is None:
        staff = float(workbook.table("staff")["gross_pay"].dropna().sum())
    gap = spending + staff - reported
    if abs(gap) > tolerance * reported:
        workbook.report.warning(
            f"Spending (£{spending:,.2f}) plus staff costs (£{staff:,.2f}) differ from the "
            f"reported expenditure (£{reported:,.2f}) by £{gap:,.2f} ({gap / reported:+.1%}), "
            f"more than the {tolerance:.0%} tolerance. Check for missing spending lines.",
            file=workbook.path.name, sheet="Balance", row=2, column="Total expenditure (£)")


def _check_staff_costs(workbook: Workbook) -> None:
    """Warn when the accounts give staff costs but the Staff sheet lists nobody (METHODS §1)."""
    costs = workbook.balance.get("staff_costs")
    if costs is None or pd.isna(costs) or not costs > 0 or len(workbook.table("staff")):
        return
    workbook.report.warning(
        f"The Staff sheet is empty but the Balance sheet gives staff costs of £{costs:,.2f}: "
        f"LM3 counts them as pay to people whose home is unknown (not local), so staff add "
        f"nothing to rounds 2 and 3. Fill in the Staff sheet.",
        file=workbook.path.name, sheet="Staff", row=2)


def _survey_answers(workbook: Workbook, key: str) -> int:
    """Return the number of survey rows giving an answer (combined, or nef's two parts)."""
    frame = workbook.table(key)
    answered = frame["local_share"].notna()
    if key == "supplier_survey":
        answered |= frame["spending_local"].notna() & frame["wages_local"].notna()
    return int(answered.sum())


def _check_supplier_answers(workbook: Workbook) -> None:
    """Report supplier survey rows with no usable answer, naming the row and column."""
    for _, rec in workbook.table("supplier_survey").iterrows():
        parts = [rec["spending_local"], rec["wages_local"]]
        given = [p is not None and not pd.isna(p) for p in parts]
        if any(given) and not all(given) and (rec["local_share"] is None
                                              or pd.isna(rec["local_share"])):
            workbook.report.error(
                "Give both nef answers (spending with local businesses and wage bill to local "
                "staff), or the combined share spent locally.", file=workbook.path.name,
                sheet="Supplier survey", row=int(rec["row"]),
                column=table("supplier_survey").column(
                    "wages_local" if given[0] else "spending_local").header)
        elif not any(given) and (rec["local_share"] is None or pd.isna(rec["local_share"])):
            workbook.report.error(
                "This answer is empty: give nef's two shares or the combined share.",
                file=workbook.path.name, sheet="Supplier survey", row=int(rec["row"]),
                column=table("supplier_survey").column("local_share").header)


def _check_surveys(workbook: Workbook, thin: int) -> None:
    if workbook.has("supplier_survey"):
        _check_supplier_answers(workbook)
    for key, group in (("staff_survey", "staff"), ("supplier_survey", "supplier")):
        if not workbook.has(key):
            continue
        count = _survey_answers(workbook, key)
        if count == 0:
            workbook.report.notice(
                f"The {group} survey sheet has no answers, so an assumed re-spending rate "
                "(a setting) will be used and shown as assumed.",
                file=workbook.path.name, sheet=table(key).sheet)
        elif count < thin:
            workbook.report.warning(
                f"The {group} survey has {count} response(s), fewer than {thin}: it is thin, "
                f"so an assumed re-spending rate (a setting) will be used and shown as assumed.",
                file=workbook.path.name, sheet=table(key).sheet)
    if workbook.has("supplier_survey") and "spending" in workbook.tables:
        known = {supplier_key(s) for s in workbook.table("spending")["supplier"].dropna()}
        for _, rec in workbook.table("supplier_survey").iterrows():
            if rec["supplier"] and supplier_key(rec["supplier"]) not in known:
                workbook.report.warning(
                    "This supplier is not named in the Spending sheet, so its answer cannot "
                    "be weighted by what you paid it.", file=workbook.path.name,
                    sheet="Supplier survey", row=int(rec["row"]), column="Supplier",
                    value=str(rec["supplier"]))


def _check_outcomes(workbook: Workbook) -> None:
    for _, rec in workbook.table("outcomes").iterrows():
        if rec["proxy_id"] is None and rec["value"] is None:
            workbook.report.error(
                "Give a proxy value id, or your own value and its price year.",
                file=workbook.path.name, sheet="Outcomes", row=int(rec["row"]),
                column="Proxy value id")
        if rec["value"] is not None and rec["price_year"] is None:
            workbook.report.error("Your own value needs its price year.",
                                  file=workbook.path.name, sheet="Outcomes",
                                  row=int(rec["row"]), column="Price year")


def _check_balance(workbook: Workbook) -> None:
    balance = workbook.balance
    unrestricted, designated = balance.get("unrestricted_funds"), balance.get("designated_funds")
    if unrestricted is not None and designated is not None and designated > unrestricted > 0:
        workbook.report.warning(
            "Designated funds are larger than unrestricted funds; designated funds are part of "
            "unrestricted funds.", file=workbook.path.name, sheet="Balance", row=2,
            column="Designated funds (£)")
    if unrestricted is not None and unrestricted < 0:
        workbook.report.warning("Unrestricted funds are negative: the organisation has a "
                                "deficit on its free funds.", file=workbook.path.name,
                                sheet="Balance", row=2, column="Unrestricted funds (£)")


# -------------------------------------------------------------------------- writing


def write_workbook(path: str | Path, tables: dict[str, Any] | None = None) -> Path:
    """Write a workbook in the template's layout, with the given rows.

    Parameters
    ----------
    path : path-like
        Where to write the ``.xlsx`` file.
    tables : dict, optional
        Rows for each table by key: a DataFrame with the schema's column keys, or a list of
        dictionaries. Tables not given are written with their header only. Percent columns
        take fractions (0.45 for 45%).

    Returns
    -------
    Path
        The written file.
    """
    from toolkit.inputs.template import build_template

    book = build_template()
    for key, rows in (tables or {}).items():
        _fill_sheet(book[table(key).sheet], table(key), rows)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def _fill_sheet(worksheet, spec: Table, rows: Any) -> None:
    from toolkit.inputs.template import NUMBER_FORMATS

    records = rows.to_dict("records") if isinstance(rows, pd.DataFrame) else list(rows)
    unknown = {k for rec in records for k in rec} - set(spec.keys) - {"row"}
    if unknown:
        raise ValueError(f"table {spec.key!r} has no column(s) {sorted(unknown)}")
    for offset, record in enumerate(records):
        for position, col in enumerate(spec.columns, start=1):
            value = record.get(col.key)
            if value is not None and not (isinstance(value, float) and pd.isna(value)):
                if col.kind == "yesno" and isinstance(value, bool):
                    value = "yes" if value else "no"
                cell = worksheet.cell(row=2 + offset, column=position, value=value)
                if isinstance(value, str):
                    _as_text(cell)
                if col.kind in NUMBER_FORMATS:
                    cell.number_format = NUMBER_FORMATS[col.kind]


def _as_text(cell) -> None:
    """Keep a text cell text: ``=HYPERLINK(...)`` typed as a payee is never a live formula.

    openpyxl takes text starting with ``=`` as a formula; the cell is stored as a string
    instead, shown with Excel's quote prefix (OWASP, "CSV Injection").
    """
    cell.data_type = "s"
    if starts_formula(cell.value):
        cell.quotePrefix = True
