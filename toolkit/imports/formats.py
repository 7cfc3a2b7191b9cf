"""Read exports from accounting, payroll and form tools into the workbook's tables.

A small charity keeps its figures in an accounting package (Xero, QuickBooks Online, Sage),
a payroll summary and a form tool's spreadsheet of survey replies. This module reads those
files as they come out of the tools (title rows above the header, debit and credit
columns, section headings and total rows, "£1,234.50", "(1,234.50)", "1,234.50 CR",
"12 Apr 2024") and turns them into rows of the workbook's ``spending``, ``staff``,
``staff_survey`` and ``supplier_survey`` tables, with a summary a person can check:
what went where, totals that reconcile to the export's own total rows, every excluded line
with its reason, every survey answer that could not be read, and every supplier with no
postcode. Nothing is dropped silently and nothing is guessed.

The readers for each kind of file live in :mod:`toolkit.imports.ledger` (supplier
transactions and contacts) and :mod:`toolkit.imports.people` (payroll and surveys);
this module holds what they share: reading a file into rows of text, finding the header
row, the column mapping a user can give for a file from any package, money and date
parsing, and the :class:`ImportResult` that collects everything for the summary.

References
----------
docs/importing.md (the user guide, with the public help pages each layout rests on).
METHODS.md §1 (LM3 rounds 2 and 3: spending by supplier, staff pay and surveys) and §2
(spend analysis by supplier postcode).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from toolkit.inputs import yaml_files
from toolkit.inputs.errors import InputError, Report

#: How many rows at the top of a file are searched for the header row.
HEADER_SEARCH_ROWS = 40

#: The kinds of file this module imports, and the workbook table each one fills.
KINDS = {
    "transactions": "spending",
    "contacts": "spending",
    "payroll": "staff",
    "staff_survey": "staff_survey",
    "supplier_survey": "supplier_survey",
}


# ------------------------------------------------------------------------- reading files


def read_rows(path: str | Path) -> list[list[str]]:
    """Return every row of a CSV or Excel file as a list of text cells.

    Parameters
    ----------
    path : path-like
        A ``.csv`` (UTF-8, UTF-8 with a byte-order mark, or Windows-1252, as Excel saves
        it), ``.xlsx`` or ``.xlsm`` file. Of an Excel file, the first sheet is read.

    Returns
    -------
    list of list of str
        The cells as text, stripped; an Excel date becomes ``YYYY-MM-DD``; a blank cell
        is ``""``. Row ``i`` of the list is row ``i + 1`` of the file.

    Raises
    ------
    InputError
        When the file does not exist or is of a kind that cannot be read.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file.")
    suffix = path.suffix.casefold()
    if suffix in {".xlsx", ".xlsm"}:
        return _read_excel_rows(path)
    if suffix in {".xls", ".ods", ".numbers"}:
        raise InputError(f"{path.name}: this is a {suffix} file. Open it in Excel or "
                         "LibreOffice and save it as CSV or as 'Excel Workbook (.xlsx)'.")
    return _read_csv_rows(path)


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _read_csv_rows(path: Path) -> list[list[str]]:
    text = _decode(path.read_bytes())
    top = text.splitlines()[:50]
    delimiter = max((",", ";", "\t"), key=lambda d: (sum(line.count(d) for line in top),
                                                     d == ","))
    return [[cell.strip() for cell in row]
            for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_excel_rows(path: Path) -> list[list[str]]:
    import openpyxl

    from toolkit.inputs.workbook import refuse_unreadable_excel

    refuse_unreadable_excel(path)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(f"{path.name}: could not be opened as an Excel file ({exc}).") from None
    try:
        sheet = book.worksheets[0]
        return [[_cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


# ------------------------------------------------------------------------ header finding


def fold_header(text: str) -> str:
    """Return a header cell in a form for matching: lower case, no '*', single spaces."""
    return " ".join(str(text).replace("*", " ").replace("\u00a0", " ").casefold().split())


@dataclass(frozen=True)
class Header:
    """Where a file's header row is and which column holds each role.

    Parameters
    ----------
    row : int
        The header's row number as the user sees it (1 for the first row).
    columns : dict of str to int
        Role name to 0-based column index.
    names : dict of str to str
        Role name to the header text as written in the file.
    """

    row: int
    columns: dict[str, int]
    names: dict[str, str]

    def get(self, cells: list[str], role: str) -> str:
        """Return the cell of ``role`` in a data row, or ``""`` when absent."""
        index = self.columns.get(role)
        if index is None or index >= len(cells):
            return ""
        return cells[index]


def match_roles(cells: list[str], aliases: dict[str, tuple[str, ...]]) -> dict[str, int]:
    """Return the column index of each role whose header (or one of its aliases) is in ``cells``.

    Parameters
    ----------
    cells : list of str
        One row of the file.
    aliases : dict of str to tuple of str
        Role name to the header texts that mean it, in order of preference.
    """
    folded = [fold_header(c) for c in cells]
    found: dict[str, int] = {}
    taken: set[int] = set()
    for role, names in aliases.items():
        for name in names:
            target = fold_header(name)
            hits = [i for i, f in enumerate(folded) if f == target and i not in taken]
            if hits:
                found[role] = hits[0]
                taken.add(hits[0])
                break
    return found


def find_header(rows: list[list[str]], aliases: dict[str, tuple[str, ...]],
                required: tuple[tuple[str, ...], ...]) -> Header | None:
    """Find the first row, among the top rows, that names every required role.

    Parameters
    ----------
    rows : list of list of str
    aliases : dict of str to tuple of str
        Role name to the header texts that mean it.
    required : tuple of tuple of str
        Each inner tuple is a set of alternatives, one of which must be found (such as
        ``("amount",), ("debit", "net")``).

    Returns
    -------
    Header or None
    """
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        found = match_roles(cells, aliases)
        if all(any(role in found for role in group) for group in required):
            return Header(index + 1, found, {r: cells[i] for r, i in found.items()})
    return None


def describe_top_rows(rows: list[list[str]], count: int = 8) -> str:
    """Return the first non-blank rows of a file as text, to show a user what was found."""
    shown = [", ".join(c for c in row if c) for row in rows if any(row)][:count]
    return "\n".join(f"    {line[:120]}" for line in shown) or "    (the file is empty)"


# ------------------------------------------------------------------------ column mapping


def parse_map_text(text: str) -> dict[str, dict[str, str]]:
    """Read a ``--map`` option such as ``"date=Txn date,amount=Net"`` or ``"payroll: pay=Salary"``.

    Parameters
    ----------
    text : str
        Comma-separated ``role=Header`` pairs. A leading ``kind:`` (one of
        ``transactions``, ``contacts``, ``payroll``, ``staff_survey``, ``supplier_survey``)
        says which kind of file the mapping is for; without it the mapping is for
        transactions.

    Returns
    -------
    dict
        Kind to a dict of role to header text.

    Raises
    ------
    InputError
        When a pair has no ``=`` or the kind is unknown.
    """
    kind = "transactions"
    body = text.strip()
    head, sep, rest = body.partition(":")
    if sep and "=" not in head:
        kind = head.strip().replace(" ", "_").replace("-", "_").casefold()
        body = rest
    if kind not in KINDS:
        raise InputError(f"--map: '{kind}' is not a kind of file; use one of "
                         f"{', '.join(KINDS)}, such as 'payroll: pay=Annual salary'.")
    mapping: dict[str, str] = {}
    for pair in (p for p in body.split(",") if p.strip()):
        role, eq, header = pair.partition("=")
        if not eq or not role.strip() or not header.strip():
            raise InputError(f"--map: '{pair.strip()}' is not of the form role=Header, "
                             "such as 'date=Txn date'.")
        mapping[role.strip().casefold()] = header.strip()
    return {kind: mapping}


def read_map_file(path: str | Path) -> dict[str, dict[str, str]]:
    """Read a YAML mapping file: one section per kind of file, each ``role: Header text``.

    Example::

        transactions:
          date: Txn date
          supplier: Payee
          amount: Net
        payroll:
          pay: Annual salary

    Raises
    ------
    InputError
        When the file is not YAML of that shape.
    """
    path = Path(path)
    try:
        data = yaml_files.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"{path.name}: could not read the mapping file ({exc}).") from None
    if not isinstance(data, dict):
        raise InputError(f"{path.name}: a mapping file holds sections such as "
                         "'transactions:' with 'role: Header' lines under them.")
    result: dict[str, dict[str, str]] = {}
    for kind, section in data.items():
        kind_key = str(kind).replace(" ", "_").replace("-", "_").casefold()
        if kind_key not in KINDS or not isinstance(section, dict):
            raise InputError(f"{path.name}: '{kind}' is not a kind of file with a mapping; "
                             f"use {', '.join(KINDS)}, each with 'role: Header' lines.")
        result[kind_key] = {str(k).casefold(): str(v) for k, v in section.items()}
    return result


def merge_maps(*maps: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """Merge mappings kind by kind; later ones win."""
    merged: dict[str, dict[str, str]] = {}
    for one in maps:
        for kind, roles in one.items():
            merged.setdefault(kind, {}).update(roles)
    return merged


def mapped_header(rows: list[list[str]], mapping: dict[str, str], roles: tuple[str, ...],
                  file: str, kind: str) -> Header:
    """Find the header row named by a user's mapping, checking the roles it names.

    Raises
    ------
    InputError
        When a role is unknown or no row holds every mapped header.
    """
    unknown = sorted(set(mapping) - set(roles))
    if unknown:
        raise InputError(f"{file}: the mapping names {', '.join(unknown)}, which "
                         f"{'is' if len(unknown) == 1 else 'are'} not a column role for "
                         f"{kind}. Roles are: {', '.join(roles)}.")
    aliases = {role: (header,) for role, header in mapping.items()}
    required = tuple((role,) for role in mapping)
    header = find_header(rows, aliases, required)
    if header is None:
        wanted = ", ".join(f"'{h}'" for h in mapping.values())
        raise InputError(f"{file}: no row in the first {HEADER_SEARCH_ROWS} holds all the "
                         f"mapped headers ({wanted}). The file starts:\n"
                         f"{describe_top_rows(rows)}")
    return header


# ------------------------------------------------------------------------- money and dates

_MONEY_RE = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def parse_money(text: Any) -> float | None:
    """Read an amount of money as accounting packages write it.

    Accepts ``1234.5``, ``"£1,234.50"``, ``"-£12.00"``, ``"£-12.00"``, ``"(1,234.50)"``
    (negative), ``"1,234.50 CR"`` (negative), ``"1,234.50 DR"`` (positive) and ``"GBP 12"``.

    Parameters
    ----------
    text : str, float or None

    Returns
    -------
    float or None
        Pounds; ``None`` for a blank cell or a lone dash.

    Raises
    ------
    ValueError
        When the text is not an amount of money.

    Examples
    --------
    >>> parse_money("(1,234.50)")
    -1234.5
    >>> parse_money("1,234.50 CR")
    -1234.5
    """
    if text is None:
        return None
    if isinstance(text, (int, float)):
        if text != text:  # NaN
            return None
        return float(text)
    raw = str(text).strip().replace("\u00a0", " ")
    if raw in {"", "-", "–", "—"}:
        return None
    clean = raw.upper().replace(" ", "")
    sign = 1.0
    if clean.startswith("(") and clean.endswith(")"):
        sign, clean = -1.0, clean[1:-1]
    if clean.endswith("CR"):
        sign, clean = -sign, clean[:-2]
    elif clean.endswith("DR"):
        clean = clean[:-2]
    for mark in ("GBP", "£"):
        clean = clean.replace(mark, "")
    if clean.startswith("-"):
        sign, clean = -sign, clean[1:]
    elif clean.startswith("+"):
        clean = clean[1:]
    if not _MONEY_RE.match(clean):
        raise ValueError(f"'{raw}' is not an amount of money")
    return sign * float(clean.replace(",", ""))


_DATE_FORMATS = (
    "%Y-%m-%d", "%d %b %Y", "%d %B %Y", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d-%b-%Y",
    "%d-%b-%y", "%d %b %y", "%d/%m/%y", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S",
    "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M",
)


def parse_date(text: Any) -> dt.date | None:
    """Read a date written the British way: "12 Apr 2024", "12/04/2024", "2024-04-12".

    Day comes before month ("03/04/2024" is 3 April). Sage's "120424" (ddmmyy) is read too.

    Returns
    -------
    datetime.date or None
        ``None`` for a blank cell.

    Raises
    ------
    ValueError
        When the text is not a date in one of those forms.
    """
    if text is None:
        return None
    if isinstance(text, dt.datetime):
        return text.date()
    if isinstance(text, dt.date):
        return text
    raw = " ".join(str(text).split())
    if not raw:
        return None
    formats = _DATE_FORMATS
    if raw.isdigit():
        formats = {6: ("%d%m%y",), 8: ("%d%m%Y",)}.get(len(raw), ())
    for fmt in formats:
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"'{raw}' is not a date such as 12 Apr 2024 or 12/04/2024")


def financial_year_span(text: str) -> tuple[dt.date, dt.date]:
    """Return the first and last day of a UK financial year such as "2024-25" (April to March).

    Raises
    ------
    InputError
        When the text is not of the form ``2024-25``.
    """
    match = re.fullmatch(r"\s*(\d{4})\s*[-/–]\s*(\d{2}|\d{4})\s*", str(text))
    if not match:
        raise InputError(f"'{text}' is not a financial year such as 2024-25.")
    start = int(match.group(1))
    end = int(match.group(2)) % 100
    if end != (start + 1) % 100:
        raise InputError(f"'{text}' is not a financial year: the second year must follow "
                         "the first, as in 2024-25.")
    return dt.date(start, 4, 1), dt.date(start + 1, 3, 31)


# --------------------------------------------------------------------------- the result


@dataclass
class Excluded:
    """One line of an export left out of the spending table, with its reason."""

    file: str
    row: int
    supplier: str
    account: str
    amount: float
    reason: str


@dataclass
class Unsettled:
    """One survey answer (or payroll line) the importer could not read: the user settles it."""

    file: str
    row: int
    column: str
    answer: str
    reason: str


@dataclass
class FileSummary:
    """What happened to one file: its layout, where its header was, its totals."""

    file: str
    kind: str
    layout: str
    layout_note: str
    header_row: int
    lines: int = 0
    used: int = 0
    left_out: int = 0
    skipped_rows: dict[str, int] = field(default_factory=dict)
    export_total: float | None = None
    lines_total: float | None = None
    included_total: float | None = None
    excluded_total: float | None = None
    reconciles: bool | None = None
    reconcile_note: str = ""
    subtotals_checked: int = 0
    subtotal_mismatches: list[str] = field(default_factory=list)


@dataclass
class ImportResult:
    """Everything an import read and decided, for the workbook and for the summary.

    Attributes
    ----------
    tables : dict of str to DataFrame
        Workbook tables by key, in the schema's column keys.
    report : Report
        Problems found, each naming file, row and column.
    files : list of FileSummary
    excluded : list of Excluded
        Transaction lines left out of spending, each with its reason.
    unsettled : list of Unsettled
        Survey answers that could not be read, for the user to settle.
    category_rules : list of dict
        Account name to category, the rule that placed it and where the rule came from.
    suppliers_without_postcode : list of str
    notes : list of str
        Assumptions used (full-time hours, weeks a year), labelled assumed.
    """

    tables: dict[str, Any] = field(default_factory=dict)
    report: Report = field(default_factory=Report)
    files: list[FileSummary] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)
    unsettled: list[Unsettled] = field(default_factory=list)
    category_rules: list[dict] = field(default_factory=list)
    suppliers_without_postcode: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def format_money(value: float | None) -> str:
    """Return pounds as text such as ``£1,234.50`` or ``-£12.00``; ``-`` for None."""
    if value is None:
        return "-"
    sign = "-" if value < -0.004 else ""
    return f"{sign}£{abs(value):,.2f}"
