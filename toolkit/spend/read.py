"""Read council payments files ("payments over £500") into one tidy table.

Councils publish these files under the Local Government Transparency Code, and each does it
its own way. This module takes the usual mess in its stride:

- the header row may sit below titles, notes or even SQL: it is found by its column names;
- the encoding is detected: UTF-8, UTF-8 with a byte-order mark, a byte-order mark garbled into
  "ï»¿", UTF-16, or Windows-1252;
- columns are mapped by their many names ("Net Amount", "Amount Paid", "Invoice Line Value (net
  of VAT)"), and the user can name any of them (overrides);
- money written as text ("£1,680.00", "(250.00)", "250.00 CR") is read exactly, in integer pence;
- dates are read in all common styles (DD/MM/YYYY, ISO, "31 March 2019", Excel serial numbers);
  a file written month-first (MM/DD/YYYY) is recognised when its dates show it;
- credit notes (negative amounts) are kept;
- every expense-type and category column is scanned for markers (purchase cards, personal
  budgets, voluntary organisations, pension funds, redacted rows);
- a record that cannot be used (no amount, no supplier, a total line) is rejected with its file,
  line and reason: no row is dropped silently.

Title rows and blank lines are not records. Line numbers are the file's physical lines (1 = the
first line), so a user can find each record in a text editor or spreadsheet.

References
----------
METHODS.md §2 (spend analysis of councils' procurement ledgers; the files are messy).
Department for Communities and Local Government, Local Government Transparency Code 2015
(payments over £500).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.inputs import yaml_files
from toolkit.inputs.errors import InputError, Report
from toolkit.inputs.geography import is_placeholder
from toolkit.resources import data_file
from toolkit.spend import checks, fast_read

HEAD_LINES = 200  # how far down a file to look for its header row
ROLES = ("amount", "supplier", "date", "supplier_id", "postcode", "category")
#: Columns of the LGA's recommended layout that say a supplier is a charity or a VCSE.
VCSE_ROLES = ("charity_number", "vcse_flag")

_AMOUNT_NAMES = (
    "amount", "net amount", "amount paid", "invoice line value net of vat", "net value",
    "amount excluding vat", "amount excl vat", "amount ex vat", "net amount gbp", "amount gbp",
    "value", "payment amount", "paid amount", "transaction amount", "line amount",
    "invoice amount", "total amount", "net", "value gbp", "total", "gross amount",
)
_SUPPLIER_NAMES = (
    "supplier name", "supplier", "payee name", "payee", "vendor name", "vendor",
    "creditor name", "creditor", "beneficiary name", "beneficiary", "merchant name", "merchant",
    "recipient name", "recipient", "name of supplier", "supplier payee name", "paid to",
    "company name", "organisation name", "supplier s name", "name", "payee s name",
    "beneficiary s name",
)
_DATE_NAMES = (
    "payment date", "date paid", "paid date", "invoice payment date", "date of payment",
    "transaction date", "date", "payment run date", "posting date", "effective date",
    "cheque date", "clearing date", "invoice date", "date of transaction",
)
_CATEGORY_NAMES = (
    "expense type", "expenses type", "expenditure type", "detailed expenditure type",
    "expense category", "expenditure category", "category", "purchase category",
    "service category", "subjective description", "account description", "type of expenditure",
    "cost element", "proclass", "expense description", "description", "expense area",
    "service area", "service",
)
_CATEGORY_WORDS = ("expense", "expenditure", "category", "type", "definition", "description",
                   "proclass", "bvacop", "subjective", "purpose", "service", "account",
                   "cost", "narrative", "merchant category")
_SUPPLIER_ID_RE = re.compile(r"\b(supplier|vendor|creditor|payee)\b.*\b(id|number|no|code|ref|"
                             r"reference|account|num)\b")
_NOT_SUPPLIER_RE = re.compile(r"\b(id|number|no|code|ref|reference|postcode|post code|type|"
                              r"category|vat|address|account|num|town|city|county|country)\b")
_CHARITY_RE = re.compile(r"\bcharity\b.*\b(registration|number|no|reg)\b")
_POSTCODE_RE = re.compile(r"\b(post ?code|postal code|zip)\b")


def _norm_header(name) -> str:
    """Return a column name normalised for matching: lower case, letters and digits only."""
    text = str(name).replace("\ufeff", "").replace("ï»¿", "")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _clean_header(name) -> str:
    """Return a column name as shown to users: BOMs (real or garbled) removed, trimmed."""
    return str(name).replace("\ufeff", "").replace("ï»¿", "").strip()


@lru_cache(maxsize=1)
def markers() -> dict[str, re.Pattern]:
    """Return the marker patterns of ``toolkit/data/spend_markers.yml``, one regex per kind."""
    path = data_file("spend_markers.yml")
    data = yaml_files.safe_load(path.read_text(encoding="utf-8"))
    return {kind: re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)
            for kind, patterns in data.items()}


def match_values(values, kind: str) -> np.ndarray:
    """Return a boolean array: which of ``values`` match the markers of ``kind``."""
    pattern = markers()[kind]
    return np.fromiter((bool(pattern.search(str(v))) for v in values), dtype=bool,
                       count=len(values))


@dataclass
class ColumnMap:
    """Which column of a file plays each role (None when the file has none).

    Attributes
    ----------
    amount, supplier, date, supplier_id, postcode, category : str or None
        Column names as written in the file (BOM removed).
    scanned : list of str
        Every expense-type or category-like column scanned for markers.
    """

    amount: str | None = None
    supplier: str | None = None
    date: str | None = None
    supplier_id: str | None = None
    postcode: str | None = None
    category: str | None = None
    charity_number: str | None = None
    vcse_flag: str | None = None
    scanned: list[str] = field(default_factory=list)

    def used(self) -> list[str]:
        """Return every column needed, each once, in file order of roles."""
        names = [getattr(self, role) for role in (*ROLES, *VCSE_ROLES)] + self.scanned
        return list(dict.fromkeys(n for n in names if n))


def _pick(headers: list[str], names: tuple[str, ...], accept=None) -> str | None:
    """Return the header matching the earliest of ``names``; else the first ``accept``-ed one."""
    normal = {_norm_header(h): h for h in reversed(headers)}
    for name in names:
        if name in normal:
            return normal[name]
    if accept is not None:
        for header in headers:
            if accept(_norm_header(header)):
                return header
    return None


def _accept_amount(name: str) -> bool:
    """Whether a column name not in the known list still reads as the payment amount."""
    if re.search(r"\bvat\b", name) and not re.search(r"\b(net of|excl|excluding|ex) vat\b", name):
        return False
    return bool(re.search(r"\b(amount|value|net)\b", name)) and "number" not in name


def _accept_supplier(name: str) -> bool:
    """Whether a column name not in the known list still reads as the supplier's name."""
    return bool(re.search(r"\b(supplier|payee|vendor|creditor|beneficiary|merchant)\b", name)) \
        and not _NOT_SUPPLIER_RE.search(name)


def _resolve_override(headers: list[str], wanted: str, role: str, source: str) -> str:
    """Return the header the user named for ``role``, matched forgivingly, or raise."""
    for header in headers:
        if header == wanted or _norm_header(header) == _norm_header(wanted):
            return header
    raise InputError(
        f"{source}: no column named {wanted!r} for the {role.replace('_', ' ')}. "
        f"Columns found: {', '.join(repr(h) for h in headers)}."
    )


def map_columns(headers: list[str], overrides: dict | None = None, source: str = "file"
                ) -> ColumnMap:
    """Return which column plays each role, given a file's header row.

    Parameters
    ----------
    headers : list of str
        The header row (BOMs removed).
    overrides : dict, optional
        Role -> column name given by the user ("amount", "supplier", "date", "supplier_id",
        "postcode", "category"). An override naming a column the file lacks raises.
    source : str
        The file's name, for messages.

    Returns
    -------
    ColumnMap
    """
    overrides = {k: v for k, v in (overrides or {}).items() if v}
    cmap = ColumnMap()
    for role, wanted in overrides.items():
        if role not in ROLES:
            raise ValueError(f"unknown column role {role!r}")
        setattr(cmap, role, _resolve_override(headers, wanted, role, source))
    if cmap.amount is None:
        cmap.amount = _pick(headers, _AMOUNT_NAMES, _accept_amount)
    if cmap.supplier is None:
        cmap.supplier = _pick([h for h in headers if h != cmap.amount], _SUPPLIER_NAMES,
                              _accept_supplier)
    if cmap.date is None:
        cmap.date = _pick(headers, _DATE_NAMES, lambda n: bool(re.search(r"\bdate\b", n)))
    if cmap.supplier_id is None:
        cmap.supplier_id = _pick(headers, (), lambda n: bool(_SUPPLIER_ID_RE.search(n)))
    if cmap.postcode is None:
        cmap.postcode = _pick(headers, (), lambda n: bool(_POSTCODE_RE.search(n)))
    cmap.charity_number = _pick(headers, (), lambda n: bool(_CHARITY_RE.search(n)))
    cmap.vcse_flag = _pick(headers, (), lambda n: bool(re.search(r"\bvcse\b", n)))
    taken = {cmap.amount, cmap.supplier, cmap.date, cmap.supplier_id, cmap.postcode,
             cmap.charity_number, cmap.vcse_flag}
    scanned = [h for h in headers if h not in taken and
               any(word in _norm_header(h) for word in _CATEGORY_WORDS)]
    if cmap.category is None:
        cmap.category = _pick(scanned, _CATEGORY_NAMES) or (scanned[0] if scanned else None)
    cmap.scanned = list(dict.fromkeys([c for c in [cmap.category, *scanned] if c]))
    return cmap


_SQL_RE = re.compile(r"^\s*(select|from|where|insert|update|with|order by|group by)\b",
                     re.IGNORECASE)


def _header_score(cells: list[str]) -> int:
    """Score a row as a header: how many of its cells name a known column.

    A header names the amount and the supplier in two different, short cells; a title
    ("Payments to suppliers over £500") or a line of SQL is not a header.
    """
    if any(_SQL_RE.match(c) for c in cells):
        return 0
    headers = [_clean_header(c) for c in cells]
    cmap = map_columns(headers)
    if cmap.amount is None or cmap.supplier is None or cmap.amount == cmap.supplier:
        return 0
    if any(len(_norm_header(c).split()) > 6 for c in (cmap.amount, cmap.supplier)):
        return 0
    roles = [cmap.amount, cmap.supplier, cmap.date, cmap.supplier_id, cmap.postcode]
    return sum(r is not None for r in roles) + (cmap.category is not None)


def _safe_rows(reader):
    """Yield (cells, lines consumed) from a csv reader, stopping quietly at a csv error."""
    try:
        for cells in reader:
            yield cells, reader.line_num
    except csv.Error:
        return


def find_header(text_head: str, overrides: dict | None = None) -> tuple[int, list[str]]:
    """Return the 0-based physical line index of the header row and its cells.

    The header is the first row (within :data:`HEAD_LINES`) naming both an amount and a
    supplier column (or the columns the user named).

    Raises
    ------
    InputError
        When no such row is found.
    """
    reader = _safe_rows(csv.reader(io.StringIO(text_head)))
    start = 0
    wanted = {_norm_header(v) for v in (overrides or {}).values() if v}
    named, scored = None, None
    for cells, end in reader:
        if any(c.strip() for c in cells):
            normal = {_norm_header(c) for c in cells}
            found = (start, [_clean_header(c) for c in cells])
            has_wanted = bool(wanted) and wanted <= normal
            good = _header_score(cells) >= 2
            if good and (not wanted or has_wanted):
                return found
            if has_wanted and named is None:
                named = found
            if good and scored is None:
                scored = found
        start = end
        if start >= HEAD_LINES:
            break
    if named is not None or scored is not None:
        return named or scored
    raise InputError(
        "no header row found in the first "
        f"{HEAD_LINES} lines: expected a row naming an amount column (such as 'Amount' or "
        "'Net Amount') and a supplier column (such as 'Supplier Name'). Name them with "
        "--amount-column and --supplier-column if they are called something else."
    )


def detect_encoding(raw: bytes, checked_utf8: bool | None = None) -> tuple[str, str | None]:
    """Return the encoding of a file's bytes and a note for the user (None if plain UTF-8).

    Order: a UTF-8 byte-order mark; a UTF-16 byte-order mark; valid UTF-8 (noting a garbled
    byte-order mark "ï»¿"); otherwise Windows-1252 (bytes it does not define are replaced and
    noted).

    Parameters
    ----------
    raw : bytes
        The file's bytes (or its start, with ``checked_utf8`` given).
    checked_utf8 : bool, optional
        Whether the whole file is already known to be valid UTF-8.

    Returns
    -------
    (encoding, note) : tuple of str and str or None
    """
    if raw.startswith(codecs.BOM_UTF8):
        return "utf-8-sig", "UTF-8 with a byte-order mark"
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16", "UTF-16"
    if not (_is_utf8(raw) if checked_utf8 is None else checked_utf8):
        return "cp1252", "Windows-1252 (not UTF-8)"
    if raw.startswith("ï»¿".encode()):
        return "utf-8", "UTF-8 with a byte-order mark garbled into 'ï»¿' (removed)"
    return "utf-8", None


def _scan_file(path: Path, chunk: int = 1 << 24
               ) -> tuple[str, str | None, str, bytes, np.ndarray]:
    """Return a file's encoding, a note on it, a digest, its first megabyte and empty lines.

    The file is streamed in chunks, so a large file is never held in memory whole. While
    this thread checks that the bytes are UTF-8, a helper thread hashes them and finds the
    empty lines (:class:`toolkit.spend.fast_read.EmptyLines`; both release the GIL), one
    chunk behind.

    Raises
    ------
    InputError
        When the file is empty (or only white space).
    """
    digest = hashlib.sha1()
    empty = fast_read.EmptyLines()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, blank, head = True, True, b""

    def hash_and_count(block: bytes) -> None:
        digest.update(block)
        empty.feed(block)

    with open(path, "rb") as handle, ThreadPoolExecutor(max_workers=1) as helper:
        pending = None
        while block := handle.read(chunk):
            if pending is not None:
                pending.result()  # in order, and at most two chunks held
            pending = helper.submit(hash_and_count, block)
            if len(head) < (1 << 20):
                head += block[: (1 << 20) - len(head)]
            blank = blank and not block.strip()
            if utf8:
                try:
                    decoder.decode(block, final=False)
                except UnicodeDecodeError:
                    utf8 = False
        if pending is not None:
            pending.result()
    if blank:
        raise InputError(f"{path.name}: the file is empty.")
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    if utf8 or head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding, note = detect_encoding(head, checked_utf8=utf8)
    else:
        encoding, note = "cp1252", "Windows-1252 (not UTF-8)"
    return encoding, note, digest.hexdigest(), head, empty.flags()


def _is_utf8(raw: bytes, chunk: int = 1 << 24) -> bool:
    """Whether ``raw`` is valid UTF-8 (checked in chunks, so the text is never held whole)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(raw)
    try:
        for start in range(0, len(raw), chunk):
            decoder.decode(view[start:start + chunk], final=False)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


@dataclass
class PaymentsFile:
    """One payments file read: its records, its rejections and what was noticed.

    Attributes
    ----------
    path : Path
    encoding : str
    header_line : int
        1-based line number of the header row.
    columns : ColumnMap
    records : int
        Data records after the header (blank lines excluded), used or rejected.
    frame : DataFrame
        The used records (see :func:`read_payments`).
    rejected : DataFrame
        Columns ``file``, ``line``, ``reason``, ``value``.
    digest : str
        SHA-1 of the file's bytes (the same file given twice is refused).
    reader : str
        Which reader read the rows: "arrow" (the fast path), "pandas" or "csv" (see
        :func:`_read_table`).
    """

    path: Path
    encoding: str
    header_line: int
    columns: ColumnMap
    records: int
    frame: pd.DataFrame
    rejected: pd.DataFrame
    digest: str = ""
    reader: str = ""


def _read_table(path: Path, encoding: str, header_idx: int, headers: list[str],
                cmap: ColumnMap, report: Report, ragged: bool = False, head: bytes = b"",
                empty: np.ndarray | None = None) -> tuple[pd.DataFrame, np.ndarray, str]:
    """Read the used columns below the header; return them, each row's line, and the reader.

    Three readers, the fastest that is sure first: Arrow's CSV reader
    (:func:`toolkit.spend.fast_read.read_body`: every record on one line, every row as wide
    as the first); pandas' C parser (the used columns by position, when its rows match the
    file's lines); and the csv module, when rows with more cells than the header were seen
    (``ragged``, checked on the file's first and last megabyte) or a cell holds a line break
    (so physical lines and records differ): exact line numbers and a warning for extra cells.
    The reader used is returned ("arrow", "pandas" or "csv") and kept in
    ``PaymentsFile.reader``.
    """
    usecols = cmap.used()
    positions = [headers.index(c) for c in usecols]
    if not ragged:
        fast = fast_read.read_body(path, encoding, head, header_idx, positions, usecols,
                                   plain=cmap.amount, empty=empty)
        if fast is not None:
            return fast[0], fast[1], "arrow"
        frame = _read_table_with_pandas(path, encoding, header_idx, headers, cmap)
        if frame is not None:
            lines = np.arange(len(frame), dtype=np.int64) + header_idx + 2
            return frame, lines, "pandas"
    frame, lines, extra_cells = _read_table_slowly(path, encoding, header_idx, usecols)
    if extra_cells:
        _warn_extra_cells(report, path)
    for column in usecols:
        if column != cmap.amount:
            frame[column] = frame[column].astype("category")
    return frame, lines, "csv"


def _read_table_with_pandas(path: Path, encoding: str, header_idx: int, headers: list[str],
                            cmap: ColumnMap) -> pd.DataFrame | None:
    """Read the used columns with pandas' C parser; None when its rows are not the lines."""
    usecols = cmap.used()
    positions = [headers.index(c) for c in usecols]
    dtypes = {p: ("str" if c == cmap.amount else "category")
              for p, c in zip(positions, usecols, strict=True)}
    try:
        frame = pd.read_csv(
            path, skiprows=header_idx + 1, header=None, names=list(range(len(headers))),
            usecols=positions, dtype=dtypes, keep_default_na=False, na_filter=False,
            index_col=False, encoding=encoding, encoding_errors="replace",
            skip_blank_lines=False, low_memory=False)
    except (pd.errors.ParserError, ValueError):
        return None
    if _count_lines(path) != header_idx + 1 + len(frame):
        return None
    return frame[positions].set_axis(usecols, axis=1)


def _has_extra_cells(text: str, width: int, skip_first: bool = False) -> bool:
    """Whether any row of ``text`` has non-blank cells beyond ``width`` columns."""
    lines = text.splitlines()[1 if skip_first else 0:]
    try:
        for cells in csv.reader(lines):
            if len(cells) > width and any(c.strip() for c in cells[width:]):
                return True
    except csv.Error:  # a huge or broken cell: let the careful reader look at every row
        return True
    return False


def _tail_text(path: Path, encoding: str, size: int = 1 << 20) -> str:
    """Return the last ``size`` bytes of a file as text (its first, partial line dropped)."""
    with open(path, "rb") as handle:
        handle.seek(0, 2)
        length = handle.tell()
        handle.seek(max(0, length - size))
        data = handle.read()
    text = data.decode(encoding.replace("-sig", ""), errors="replace")
    return text if length <= size else text.split("\n", 1)[-1]


def _warn_extra_cells(report: Report, path: Path) -> None:
    """Warn that some rows have more cells than the header."""
    report.warning("Some rows have more cells than the header; the extra cells were ignored. "
                   "Check that no column has slipped (a comma in a name without quotes).",
                   file=path.name)


def _count_lines(path: Path) -> int:
    """Return the number of physical lines in a file (a last line without newline counts)."""
    count, last = 0, b"\n"
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 24):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


def _read_table_slowly(path: Path, encoding: str, header_idx: int, usecols: list[str]
                       ) -> tuple[pd.DataFrame, np.ndarray, bool]:
    """Read with the csv module: exact line numbers, ragged rows and line breaks in cells."""
    with open(path, encoding=encoding, errors="replace", newline="") as handle:
        for _ in range(header_idx):
            handle.readline()
        reader = csv.reader(handle)
        try:
            return _collect_rows(reader, header_idx, usecols)
        except csv.Error as exc:
            raise InputError(f"{path.name}: line {header_idx + reader.line_num}: the file "
                             f"cannot be read as CSV ({exc}).") from None


def _collect_rows(reader, header_idx: int, usecols: list[str]
                  ) -> tuple[pd.DataFrame, np.ndarray, bool]:
    """Collect the used columns of every record, with line numbers (see _read_table_slowly)."""
    header = [_clean_header(c) for c in next(reader)]
    index = [header.index(c) for c in usecols]
    columns: list[list[str]] = [[] for _ in usecols]
    lines = []
    ragged = False
    start = header_idx + reader.line_num  # lines consumed before the next record
    for cells in reader:
        lines.append(start + 1)
        start = header_idx + reader.line_num
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            ragged = True
        for out, i in zip(columns, index, strict=True):
            out.append(cells[i] if i < len(cells) else "")
    frame = pd.DataFrame(dict(zip(usecols, columns, strict=True)))
    return frame, np.asarray(lines, dtype=np.int64), ragged


_MONEY_JUNK = re.compile(r"[£,\s]|GBP|\u00a3")  # never $ or €: other currencies are refused
#: Amounts at or past this many pounds are beyond exact float pence (2**53 pence).
EXACT_POUNDS_LIMIT = 2**53 / 100


def parse_money_pence(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Read money text as integer pence.

    Accepts "1234.5", "£1,234.50", "-12.00", "(12.00)", "12.00-", "12.00 CR", "−12" and
    "1.2E+03". Amounts are rounded to the nearest penny (half away from zero). Amounts in
    another currency ("$100", "€100") and amounts too large to hold in exact pence are not
    readable (see :func:`read_money` for the plausibility cap).

    Parameters
    ----------
    values : Series of str
        Money as written in the file.

    Returns
    -------
    pence : Series of int64 (0 where unreadable)
    readable : Series of bool
    """
    pence, readable, _ = read_money(values)
    return pence, readable


def read_money(values: pd.Series, cap_pounds: float | None = None,
               plain: tuple[np.ndarray, np.ndarray] | None = None
               ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Read money text as integer pence, with amounts above a plausibility cap set apart.

    Parameters
    ----------
    values : Series of str
        Money as written in the file.
    cap_pounds : float, optional
        Largest amount believed, either way (the setting ``spend.max_payment``); default the
        largest amount exact in float pence (about £90 trillion).
    plain : (ndarray, ndarray), optional
        :func:`toolkit.spend.fast_read.plain_pounds` of ``values``, when already found.

    Returns
    -------
    pence : Series of int64 (0 where unreadable or above the cap)
    readable : Series of bool (False above the cap too)
    above_cap : Series of bool
    """
    cap = EXACT_POUNDS_LIMIT if cap_pounds is None else min(cap_pounds, EXACT_POUNDS_LIMIT)
    plain = fast_read.plain_pounds(values) if plain is None else plain
    if plain is not None:
        return _read_plain_money(values, *plain, cap)
    codes, uniques = pd.factorize(values)
    text = pd.Series(uniques, dtype=object)
    number = pd.to_numeric(text, errors="coerce")  # spaces around a number are accepted
    failed = number.isna().to_numpy()
    if failed.any():
        number[failed] = _parse_pound_text(text[failed]).to_numpy()
        failed = number.isna().to_numpy()
    if failed.any():
        number[failed] = _parse_messy_money(text[failed].str.strip()).to_numpy()
    number = number.to_numpy(dtype=float)
    too_big = checks.above_cap(number, cap)
    ok = np.isfinite(number) & ~too_big
    scaled = np.where(ok, number, 0.0) * 100.0
    pence = np.round(scaled)
    finer = np.abs(scaled - pence) > 1e-6  # more than 2 decimal places: round exactly
    if finer.any():
        pence[finer] = [_exact_pence(t) for t in text[finer]]
    pence = pence.astype(np.int64)
    index = values.index
    return (pd.Series(np.append(pence, 0)[codes], index=index),
            pd.Series(np.append(ok, False)[codes], index=index),
            pd.Series(np.append(too_big, False)[codes], index=index))


def _read_plain_money(values: pd.Series, pounds: np.ndarray, plain: np.ndarray, cap: float
                      ) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Finish :func:`read_money` for Arrow text: plain money read in Arrow, the rest here."""
    too_big = plain & checks.above_cap(pounds, cap)
    readable = plain & ~too_big
    pence = np.round(np.where(readable, pounds, 0.0) * 100.0).astype(np.int64)
    rest = np.flatnonzero(~plain)
    if len(rest):
        other = pd.Series(values.iloc[rest].astype(object).to_numpy(), dtype=object)
        rest_pence, rest_readable, rest_big = read_money(other, cap)
        pence[rest] = rest_pence.to_numpy()
        readable[rest] = rest_readable.to_numpy()
        too_big[rest] = rest_big.to_numpy()
    index = values.index
    return (pd.Series(pence, index=index), pd.Series(readable, index=index),
            pd.Series(too_big, index=index))


_THOUSANDS_RE = r"^-?£?\d{1,3}(,\d{3})+(\.\d*)?$"
_COMMAS_RE = re.compile(r"\d{1,3}(,\d{3})+(\.\d*)?")


def _commas_ok(text: str) -> bool:
    """Whether commas in money text are thousands separators ("1,234.5"), or absent."""
    if "," not in text:
        return True
    return any(_COMMAS_RE.fullmatch(part) for part in re.findall(r"[\d,.]+", text))


def _parse_pound_text(text: pd.Series) -> pd.Series:
    """Parse the common "£1,234.56" and "-£12.00" quickly; NaN where that is not the form."""
    cleaned = text.str.replace("£", "", regex=False)
    has_comma = pd.Series([("," in t) if isinstance(t, str) else False for t in cleaned],
                          index=cleaned.index)
    if has_comma.any():
        good = text[has_comma].str.match(_THOUSANDS_RE)
        cleaned[has_comma] = cleaned[has_comma].str.replace(",", "", regex=False).where(good)
    return pd.to_numeric(cleaned, errors="coerce")


def _parse_messy_money(text: pd.Series) -> pd.Series:
    """Parse money text the fast path could not: symbols, commas, brackets, CR, trailing -."""
    uniques = pd.Series(pd.unique(text))
    parsed = {}
    for raw in uniques:
        parsed[raw] = _money_value(raw)
    return text.map(parsed).astype(float)


def _exact_pence(raw: str) -> int:
    """Return money text with more than 2 decimal places as pence, rounded half away from 0."""
    value = Decimal(repr(_money_value(str(raw))))
    return int(value.scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _money_value(raw: str) -> float:
    """Return one money text as a float, or NaN."""
    s = raw.strip().replace("\u2212", "-").replace("\u2013", "-")
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    upper = s.upper()
    if upper.endswith("CR"):
        negative, s = True, s[:-2]
    elif upper.endswith("DR"):
        s = s[:-2]
    s = _MONEY_JUNK.sub("", s.replace(",", "")) if _commas_ok(s) else "x"
    if s.endswith("-") and not s.startswith("-"):
        negative, s = True, s[:-1]
    if s.startswith("-"):
        negative, s = not negative if s.count("-") == 1 else negative, s[1:]
    if not re.fullmatch(r"\d+(\.\d*)?|\.\d+|\d+(\.\d*)?[eE][+-]?\d+", s):
        return float("nan")
    value = float(s)
    return -value if negative else value


_DATE_FORMATS = (
    "%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%d %B %Y", "%d %b %Y",
    "%d-%b-%Y", "%d-%b-%y", "%d %b %y", "%d-%B-%Y", "%B %d %Y", "%b %d %Y", "%Y/%m/%d",
    "%d/%b/%Y", "%Y%m%d",
)
_TIME_RE = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2})?(\.\d+)?( ?[AP]M)?$", re.IGNORECASE)
_ORDINAL_RE = re.compile(r"(?<=\d)(st|nd|rd|th)\b", re.IGNORECASE)


def parse_dates(values: pd.Series) -> tuple[pd.Series, bool]:
    """Read dates in all common styles; return them and whether the file is month-first.

    Day-first (DD/MM/YYYY) is assumed, as UK councils write; a file is read month-first only
    when some of its dates cannot be day-first (13/25/2019 would be month 25) and none need
    day-first. Each distinct text is parsed once.

    Returns
    -------
    dates : Series of datetime64 (NaT where unreadable or blank)
    month_first : bool
    """
    codes, uniques = pd.factorize(values)
    texts = pd.Series(uniques, dtype=object).astype(str).str.strip()
    month_first = _looks_month_first(texts)
    parsed = _parse_date_texts(texts, month_first)
    out = parsed.to_numpy()[codes] if len(parsed) else np.array([], dtype="datetime64[ns]")
    out = np.where(codes < 0, np.datetime64("NaT"), out)
    return pd.Series(pd.to_datetime(out), index=values.index), month_first


def _looks_month_first(texts: pd.Series) -> bool:
    """Whether slashed dates show month-first writing (second part over 12, first never)."""
    parts = texts.str.extract(r"^(\d{1,2})[/.-](\d{1,2})[/.-]\d{2,4}\b")
    if parts.empty:
        return False
    first = pd.to_numeric(parts[0], errors="coerce")
    second = pd.to_numeric(parts[1], errors="coerce")
    return bool((second > 12).any() and not (first > 12).any())


def _parse_date_texts(texts: pd.Series, month_first: bool) -> pd.Series:
    """Parse distinct date texts by trying each known format in turn."""
    clean = texts.str.replace(_TIME_RE, "", regex=True).str.replace(_ORDINAL_RE, "", regex=True)
    clean = clean.str.replace(",", " ").str.split().str.join(" ")
    result = pd.Series(pd.NaT, index=texts.index, dtype="datetime64[ns]")
    formats = list(_DATE_FORMATS)
    if month_first:
        formats = [f.replace("%d/%m", "%m/%d").replace("%d-%m", "%m-%d") for f in formats]
    for fmt in formats:
        todo = result.isna() & clean.ne("")
        if not todo.any():
            break
        result[todo] = pd.to_datetime(clean[todo], format=fmt, errors="coerce")
    serial = result.isna() & clean.str.fullmatch(r"\d{5}(\.0+)?")
    if serial.any():
        days = pd.to_numeric(clean[serial], errors="coerce")
        ok = days.between(20000, 80000)
        result[serial & ok.reindex(result.index, fill_value=False)] = (
            pd.Timestamp("1899-12-30") + pd.to_timedelta(days[ok], unit="D")
        )
    return result


def _scan_markers(table: pd.DataFrame, columns: list[str], kinds: tuple[str, ...]
                  ) -> dict[str, np.ndarray]:
    """Scan each of ``columns`` (distinct values only) for each marker kind."""
    flags = {kind: np.zeros(len(table), dtype=bool) for kind in kinds}
    for column in columns:
        values = table[column]
        if isinstance(values.dtype, pd.CategoricalDtype):  # its own codes: no copy
            codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
        else:
            codes, uniques = pd.factorize(values)
        for kind in kinds:
            hits = match_values(uniques, kind)
            if hits.any():
                flags[kind] |= np.append(hits, False)[codes]
    return flags


CATEGORY_MARKS = ("purchase_card", "personal_budget", "vcse_category", "pension_fund",
                  "redacted")


def read_payments_file(path, overrides: dict | None = None, report: Report | None = None,
                       max_payment: float | None = None) -> PaymentsFile:
    """Read one payments file (CSV, or the first sheet of an Excel .xlsx) into records.

    Parameters
    ----------
    path : path-like
        The CSV file, or an Excel workbook (.xlsx: its first sheet is read).
    overrides : dict, optional
        Column names given by the user, by role (see :func:`map_columns`).
    report : Report, optional
        Collects notices (encoding, header line, month-first dates) and warnings.
    max_payment : float, optional
        Plausibility cap in pounds: a record above it (either way) is not used and is
        listed; default the setting ``spend.max_payment`` (£10 billion).

    Returns
    -------
    PaymentsFile
        Its ``frame`` has columns ``file``, ``line``, ``amount_pence`` (int64), ``supplier``,
        ``supplier_id``, ``date``, ``category``, ``postcode`` and one boolean per marker found
        in expense-type and category columns: ``cat_purchase_card``, ``cat_personal_budget``,
        ``cat_vcse_category``, ``cat_pension_fund``, ``cat_redacted``.

    Raises
    ------
    InputError
        When the file is missing, empty, or has no recognisable header row.
    """
    path = Path(path)
    report = report if report is not None else Report()
    if not path.exists():
        raise InputError(f"{path}: file not found.")
    if path.is_dir():
        raise InputError(f"{path.name}: this is a folder, not a payments file. Give the files "
                         f"in it, such as {path / '*.csv'}.")
    if path.suffix.lower() in EXCEL_SUFFIXES:
        one = _read_excel_payments(path, overrides, report, max_payment)
    else:
        one = _read_csv_payments(path, overrides, report, max_payment)
    if one.records == 0:
        report.warning(f"The header is on line {one.header_line}, but no payment rows follow "
                       "it.", file=path.name)
    return one


def _read_csv_payments(path: Path, overrides: dict | None, report: Report,
                       max_payment: float | None = None) -> PaymentsFile:
    """Read one CSV payments file (see :func:`read_payments_file`)."""
    encoding, note, digest, head_bytes, empty = _scan_file(path)
    head = head_bytes.decode(encoding, errors="replace").lstrip("\ufeff")
    try:
        header_idx, headers = find_header(head, overrides)
    except InputError as exc:
        raise InputError(f"{path.name}: {exc}") from None
    if note:
        report.notice(f"Read as {note}.", file=path.name)
    if header_idx:
        report.notice(f"Header row found on line {header_idx + 1}; the {header_idx} line(s) "
                      f"above it are titles or notes, not records.", file=path.name)
    cmap = map_columns(headers, overrides, path.name)
    for role in ("amount", "supplier"):
        if getattr(cmap, role) is None:
            raise InputError(f"{path.name}: no {role} column found in the header on line "
                             f"{header_idx + 1}: {', '.join(repr(h) for h in headers)}. Name it "
                             f"with --{role}-column.")
    below = head.splitlines()[header_idx + 1:]
    if not (overrides or {}).get("supplier"):
        _choose_supplier_by_content(headers, cmap, below, path.name, report)
    _report_unread_columns(headers, cmap, below, path.name, report)
    ragged = _has_extra_cells("\n".join(below), len(headers)) or (
        not encoding.startswith("utf-16")
        and _has_extra_cells(_tail_text(path, encoding), len(headers), skip_first=True))
    table, lines, reader = _read_table(path, encoding, header_idx, headers, cmap, report,
                                       ragged, head_bytes, empty)
    one = _tidy(path, encoding, header_idx, cmap, table, lines, report, len(headers),
                max_payment)
    one.digest = digest
    one.reader = reader
    return one


def supplier_candidates(headers: list[str], cmap: ColumnMap) -> list[str]:
    """Return every column that could hold the supplier's name, the mapped one first."""
    others = [h for h in headers if h not in (cmap.amount, cmap.supplier_id, cmap.supplier)
              and (_norm_header(h) in _SUPPLIER_NAMES or _accept_supplier(_norm_header(h)))]
    return [cmap.supplier, *others] if cmap.supplier else others


def name_likeness(values: list[str]) -> float:
    """Return the share of non-blank ``values`` that read as names (letters, not codes).

    A code is a value of one word made of capitals, digits and separators with at least one
    digit (``"S0042"``, ``"100234"``); a name has letters and is not such a code.
    """
    filled = [v.strip() for v in values if v and v.strip()]
    if not filled:
        return 0.0
    names = [v for v in filled if re.search(r"[A-Za-z]", v) and not _CODE_RE.fullmatch(v)]
    return len(names) / len(filled)


_CODE_RE = re.compile(r"[A-Z0-9][A-Z0-9\-/._]*\d[A-Z0-9\-/._]*")


def _choose_supplier_by_content(headers: list[str], cmap: ColumnMap, below: list[str],
                                source: str, report: Report) -> None:
    """Where two columns could be the supplier, take the one holding names, and say so."""
    candidates = supplier_candidates(headers, cmap)
    if len(candidates) < 2:
        return
    rows = [cells for cells, _ in _safe_rows(csv.reader(below[:500]))]
    index = {h: i for i, h in enumerate(headers)}

    def column(name: str) -> list[str]:
        return [r[index[name]] for r in rows if index[name] < len(r)]

    # one value all the way down is the publisher's own name, not its suppliers'
    candidates = [c for c in candidates if c == cmap.supplier or len(set(column(c))) > 1]
    if len(candidates) < 2:
        return
    scores = {c: name_likeness(column(c)) for c in candidates}
    best = max(candidates, key=lambda c: (scores[c], -candidates.index(c)))
    if best != cmap.supplier:
        cmap.supplier = best
    listed = ", ".join(f"{c!r} ({scores[c]:.0%} names)" for c in candidates)
    report.notice(f"Columns that could be the supplier: {listed}. {best!r} was taken, since it "
                  "holds names rather than codes; name another with --supplier-column.",
                  file=source, column=best)


EXCEL_SUFFIXES = (".xlsx", ".xlsm")


def _report_unread_columns(headers: list[str], cmap: ColumnMap, below: list[str], file: str,
                           report: Report) -> None:
    """Give notices for a repeated amount column and for data under a blank header.

    ``below`` is the text of the lines under the header in the file's first megabyte.
    """
    same = [i + 1 for i, h in enumerate(headers) if _norm_header(h) == _norm_header(cmap.amount)]
    if len(same) > 1:
        report.warning(f"{len(same)} columns are headed {cmap.amount!r} (columns "
                       f"{', '.join(map(str, same))}): the first was read as the amount and "
                       "the others were not. Rename the one to use and name it with "
                       "--amount-column.", file=file, column=cmap.amount)
    others = [h for h in headers if h != cmap.amount and h not in cmap.used()
              and _accept_amount(_norm_header(h))]
    if others:
        report.notice(f"The amount was read from {cmap.amount!r}; "
                      f"{', '.join(repr(h) for h in others)} also look like amounts and were "
                      "not read (name another with --amount-column).", file=file)
    blank = [i for i, h in enumerate(headers) if not h.strip()]
    if blank:
        filled = _filled_positions(below, blank)
        if filled:
            report.notice(f"Column(s) {', '.join(str(i + 1) for i in filled)} have no header "
                          "but hold data: they were not read. Give them a header if they "
                          "matter.", file=file)


def _filled_positions(lines: list[str], positions: list[int]) -> list[int]:
    """Return which of ``positions`` hold a non-blank cell in any of the CSV ``lines``."""
    filled: set[int] = set()
    for cells, _ in _safe_rows(csv.reader(lines)):
        filled.update(p for p in positions if p < len(cells) and cells[p].strip())
    return sorted(filled)


def _read_excel_payments(path: Path, overrides: dict | None, report: Report,
                         max_payment: float | None = None) -> PaymentsFile:
    """Read the first sheet of an Excel payments file as if it were a CSV file.

    The sheet is written to a temporary CSV of the same name (so messages name the
    workbook); line numbers are then the sheet's row numbers. Dates become ISO text.
    """
    import tempfile

    from openpyxl import load_workbook

    from toolkit.inputs.workbook import refuse_unreadable_excel

    refuse_unreadable_excel(path)
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InputError(f"{path.name}: not a readable Excel workbook ({exc}).") from None
    sheet = book.worksheets[0]
    if len(book.worksheets) > 1:
        report.notice(f"Only the first sheet ({sheet.title!r}) was read.", file=path.name)
    _report_hidden_excel(path, sheet, report)
    with tempfile.TemporaryDirectory() as folder:
        twin = Path(folder) / path.name
        with open(twin, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            for row in sheet.iter_rows(values_only=True):
                writer.writerow(["" if v is None else _excel_text(v) for v in row])
        book.close()
        one = _read_csv_payments(twin, overrides, report, max_payment)
    one.path = path
    return one


_HIDDEN_ROW_RE = re.compile(rb'<row\b[^>]*?\br="(\d+)"[^>]*?\bhidden="(?:1|true)"'
                            rb'|<row\b[^>]*?\bhidden="(?:1|true)"[^>]*?\br="(\d+)"')


def hidden_excel_rows(path: Path, sheet_xml: str, chunk: int = 1 << 22) -> list[int]:
    """Return the hidden rows of one sheet of an .xlsx file, streaming its XML.

    openpyxl's read-only mode (used for speed on large files) does not say which rows are
    hidden, so the sheet's ``<row ... hidden="1">`` elements are read directly.
    """
    import zipfile

    rows, tail = [], b""
    with zipfile.ZipFile(path) as archive, archive.open(sheet_xml) as handle:
        while block := handle.read(chunk):
            data = tail + block
            cut = data.rfind(b"<row")
            cut = cut if cut > 0 else len(data)
            rows += [int(a or b) for a, b in _HIDDEN_ROW_RE.findall(data[:cut])]
            tail = data[cut:]
        rows += [int(a or b) for a, b in _HIDDEN_ROW_RE.findall(tail)]
    return rows


def _report_hidden_excel(path: Path, sheet, report: Report) -> None:
    """Give a notice when the sheet read, or some of its rows, are hidden in Excel."""
    if sheet.sheet_state != "visible":
        report.notice(f"The sheet {sheet.title!r} is hidden in Excel; it was read.",
                      file=path.name, sheet=sheet.title)
    try:
        rows = hidden_excel_rows(path, sheet._worksheet_path)
    except (KeyError, AttributeError, OSError):
        return
    if rows:
        shown = ", ".join(map(str, rows[:20])) + (" ..." if len(rows) > 20 else "")
        report.notice(f"{len(rows)} row(s) are hidden in Excel (rows {shown}); they were read "
                      "like the others. Unhide them to check.", file=path.name,
                      sheet=sheet.title)


def _excel_text(value) -> str:
    """Write an Excel cell value as text: dates as ISO, whole numbers without ".0"."""
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _tidy(path: Path, encoding: str, header_idx: int, cmap: ColumnMap, table: pd.DataFrame,
          lines: np.ndarray, report: Report, width: int = 0,
          max_payment: float | None = None) -> PaymentsFile:
    """Turn the raw text table of one file into used and rejected records."""
    used = cmap.used()
    table[cmap.amount] = table[cmap.amount].fillna("")
    with ThreadPoolExecutor(max_workers=2) as helpers:
        # Plain money is read in Arrow, which releases the GIL, in two halves at once, while
        # this thread tidies the text columns (every core at work, as in Arrow's read).
        early = _plain_pounds_in_halves(helpers, table[cmap.amount])
        for column in used:
            if column != cmap.amount:
                table[column] = _strip_categories(table[column])
        blank = np.ones(len(table), dtype=bool)
        for column in used:
            if column != cmap.amount:
                blank &= (table[column] == "").to_numpy()
        if blank.any():  # only rows blank elsewhere need their amount checked
            blank[blank] = (table[cmap.amount][blank].str.strip() == "").to_numpy()
        plain = _joined(part.result() for part in early)
    if blank.any():
        table, lines = table[~blank].reset_index(drop=True), lines[~blank]
        plain = None if plain is None else (plain[0][~blank], plain[1][~blank])
    supplier = table[cmap.supplier]
    cap = max_payment if max_payment is not None else checks.default_max_payment()
    pence, readable, too_big = read_money(table[cmap.amount], cap, plain)
    dates, month_first = (parse_dates(table[cmap.date]) if cmap.date
                          else (pd.Series(pd.NaT, index=table.index), False))
    kinds, reasons = row_reasons(table, cmap, width, lines, pence.to_numpy(),
                                 readable.to_numpy(), too_big.to_numpy(), dates, cap)
    _report_row_checks(kinds, lines, table, path.name, report)
    rejected_mask = kinds != ""
    value = table[cmap.amount].iloc[np.flatnonzero(rejected_mask)].astype(object).to_numpy()
    rejected = pd.DataFrame({"file": path.name, "line": lines[rejected_mask],
                             "reason": reasons[rejected_mask],
                             "value": value,
                             "kind": kinds[rejected_mask],
                             "amount_pence": pence.to_numpy()[rejected_mask]})
    keep = ~rejected_mask
    frame = pd.DataFrame({
        "file": path.name,
        "line": lines[keep],
        "amount_pence": pence.to_numpy()[keep],
        "supplier": _without_unused(supplier.array[keep]),
    })
    frame["supplier_id"] = _blank_placeholders(_text_or_blank(table, cmap.supplier_id, keep))
    frame["category"] = _text_or_blank(table, cmap.category, keep)
    frame["postcode"] = _text_or_blank(table, cmap.postcode, keep)
    for role in VCSE_ROLES:
        frame[role] = _text_or_blank(table, getattr(cmap, role), keep)
    if cmap.date:
        kept_dates, date_text = dates.to_numpy()[keep], table[cmap.date].array[keep]
        frame["date"] = kept_dates
        written = np.append(np.asarray(date_text.categories, dtype=object) != "",
                            True)[date_text.codes]
        unreadable = int((np.isnat(kept_dates) & written).sum())
        if month_first:
            report.notice("Dates read month-first (MM/DD/YYYY): some cannot be day-first.",
                          file=path.name, column=cmap.date)
        if unreadable:
            report.warning(f"{unreadable} date(s) could not be read; those payments count in "
                           f"the totals but not in any month.", file=path.name, column=cmap.date)
    else:
        frame["date"] = pd.NaT
        report.warning("No date column found: spending cannot be shown by month.",
                       file=path.name)
    flags = _scan_markers(table, [*cmap.scanned, *([cmap.supplier_id] if cmap.supplier_id
                                                    else [])], CATEGORY_MARKS)
    for kind, hits in flags.items():
        frame[f"cat_{kind}"] = hits[keep]
    for column in ("file", "supplier", "supplier_id", "category", "postcode"):
        frame[column] = frame[column].astype("category")
    return PaymentsFile(path, encoding, header_idx + 1, cmap, len(table), frame, rejected)


def _plain_pounds_in_halves(helpers: ThreadPoolExecutor, amounts: pd.Series) -> list:
    """Start :func:`toolkit.spend.fast_read.plain_pounds` on each half of ``amounts``."""
    half = len(amounts) // 2
    return [helpers.submit(fast_read.plain_pounds, part)
            for part in (amounts.iloc[:half], amounts.iloc[half:])]


def _joined(parts) -> tuple[np.ndarray, np.ndarray] | None:
    """Join the halves' (pounds, plain) in order; None if either half was not Arrow text."""
    found = list(parts)
    if any(part is None for part in found):
        return None
    return (np.concatenate([pounds for pounds, _ in found]),
            np.concatenate([plain for _, plain in found]))


#: Why a record is not used, by kind (the ``kind`` column of rejected records).
REJECTION_KINDS = {
    "no_amount": "no amount",
    "not_a_number": "amount is not a number",
    "foreign_currency": "an amount in another currency ({value}), not pounds: convert it to "
                        "pounds at a rate you state",
    "above_cap": "an amount above the plausibility cap of £{cap:,.0f} (setting "
                 "spend.max_payment): check it",
    "unclosed_quote": "lines {first}-{last} were read as one record: an unclosed quote seems "
                      "to have swallowed the lines after it; fix the quote",
    "total_line": "a total or subtotal line, not a payment",
    "total_sum": "a total line: no supplier and no date, and its amount is the sum of lines "
                 "{first}-{last} above it",
    "unattributed": "an amount with no supplier and no date that is not a sum of the rows "
                    "above: not counted; check whether it is a payment",
    "no_supplier": "no supplier name",
    "repeated_header": "the header row again (files joined together?), not a payment",
}


def row_reasons(table: pd.DataFrame, cmap: ColumnMap, width: int, lines: np.ndarray,
                pence: np.ndarray, readable: np.ndarray, too_big: np.ndarray,
                dates: pd.Series, cap: float) -> tuple[np.ndarray, np.ndarray]:
    """Return why each record is not used: a kind (``""`` when used) and a reason in words.

    In order: the amount (blank, not a number, another currency, above the cap); the header
    row repeated; an unclosed quote that swallowed other records
    (:func:`toolkit.spend.checks.swallowed_lines`); a total line, found by shape
    (:func:`total_rows`); no supplier name.

    Parameters
    ----------
    table : DataFrame
        The text columns read (names as in ``cmap``).
    cmap : ColumnMap
    width : int
        Number of columns in the header row.
    lines : ndarray of int64
        Each record's first line in the file.
    pence, readable, too_big : ndarray
        From :func:`read_money`.
    dates : Series of datetime64
        Each record's date (NaT when blank or unreadable).
    cap : float
        The plausibility cap in pounds.

    Returns
    -------
    kinds, reasons : ndarray of str
    """
    amount_text = table[cmap.amount]
    kinds = np.full(len(table), "", dtype=object)
    # a readable amount is a number: no currency, no header text, no line break in it
    unread = np.flatnonzero(~readable)
    unread_text = pd.Series(amount_text.iloc[unread].astype(object).to_numpy(), dtype=object)
    kinds[unread] = np.where(unread_text.str.strip() == "", "no_amount", "not_a_number")
    foreign = checks.foreign_currency(unread_text) & (kinds[unread] == "not_a_number")
    kinds[unread[foreign]] = "foreign_currency"
    kinds[too_big] = "above_cap"
    repeated = np.zeros(len(table), dtype=bool)
    repeated[unread] = checks.cells_equal(unread_text, cmap.amount)
    repeated &= checks.cells_equal(table[cmap.supplier], cmap.supplier)
    kinds[repeated] = "repeated_header"
    text_columns = {c: table[c] for c in cmap.used() if c != cmap.amount}
    swallowed = checks.swallowed_lines(text_columns, max(width, 2))
    if len(unread):
        swallowed[unread] |= checks.swallowed_lines({cmap.amount: unread_text}, max(width, 2))
    kinds[swallowed] = "unclosed_quote"  # the amount read, if any, is another record's
    counted = np.where(kinds == "", pence, 0)
    footer, sum_start = total_rows(text_columns, cmap, counted, dates)
    no_supplier = checks.blank_cells(table[cmap.supplier])
    no_date = _blank_dates(table, cmap)
    open_rows = kinds == ""
    kinds[open_rows & footer & (sum_start >= 0) & no_supplier & no_date] = "total_sum"
    kinds[open_rows & footer & (kinds == "")] = "total_line"
    kinds[(kinds == "") & no_supplier & no_date] = "unattributed"
    kinds[(kinds == "") & no_supplier] = "no_supplier"
    reasons = _reason_texts(kinds, lines, amount_text, table, sum_start, cap)
    return kinds, reasons


def _blank_dates(table: pd.DataFrame, cmap: ColumnMap) -> np.ndarray:
    """Return which records have no date written (all, when the file has no date column)."""
    if cmap.date is None:
        return np.ones(len(table), dtype=bool)
    return checks.blank_cells(table[cmap.date])


def total_rows(text_columns: dict[str, pd.Series], cmap: ColumnMap, pence: np.ndarray,
               dates: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Return which records are totals or subtotals, found by shape, and where each run starts.

    A record is a total when (i) any text column holds a whole total label ("Sub-total",
    "Total for April", "TOTAL PAYMENTS", "Sum", "Period total"); or (ii) it has no supplier
    and no date and its amount is the sum of a run of rows just above it or of one month's
    rows; or (iii) its supplier only starts like a total ("Total Gym Ltd") and its amount is
    such a sum over at least two rows. A supplier that starts like a total but is not a sum
    is a payment.

    Parameters
    ----------
    text_columns : dict of column name to Series of str
    cmap : ColumnMap
    pence : ndarray of int64
        Amounts, 0 for records already not used.
    dates : Series of datetime64

    Returns
    -------
    is_total : ndarray of bool
    run_start : ndarray of int64
        Index of the first record of the run a total sums (-1 when none, or a month's rows).
    """
    n = len(pence)
    labelled = np.zeros(n, dtype=bool)
    for values in text_columns.values():
        labelled |= checks.total_labels(values)
    supplier = text_columns[cmap.supplier]
    no_supplier = checks.blank_cells(supplier)
    no_date = (dates.isna().to_numpy() if cmap.date is None else
               checks.blank_cells(text_columns[cmap.date]))
    like = checks.total_like_labels(supplier) & ~labelled
    zeroed = labelled | (no_supplier & no_date)
    tested = zeroed | like
    months = dates.dt.to_period("M") if cmap.date and tested.any() else None
    is_sum, start = checks.sums_of_rows_above(pence, tested, months, zeroed=zeroed)
    longer, _ = checks.sums_of_rows_above(pence, tested, min_rows=2, zeroed=zeroed)
    is_total = labelled | (no_supplier & no_date & is_sum) | (like & longer)
    return is_total, np.where(is_total, start, -1)


def _reason_texts(kinds: np.ndarray, lines: np.ndarray, amount_text: pd.Series,
                  table: pd.DataFrame, sum_start: np.ndarray, cap: float) -> np.ndarray:
    """Return each record's reason in words (``""`` for used records)."""
    reasons = np.full(len(kinds), "", dtype=object)
    for i in np.flatnonzero(kinds != ""):
        kind = kinds[i]
        first, last = int(lines[i]), int(lines[i])
        if kind == "unclosed_quote":
            first, _, end = _line_span(table, i, first).partition("-")
            first, last = int(first), int(end or first)
        elif kind == "total_sum" and sum_start[i] >= 0:
            first, last = int(lines[sum_start[i]]), int(lines[i - 1])
        elif kind == "total_sum":
            kind = "total_line"
        if kind == "total_line" and sum_start[i] >= 0:
            reasons[i] = (f"{REJECTION_KINDS[kind]} (its amount is the sum of lines "
                          f"{int(lines[sum_start[i]])}-{int(lines[i - 1])})")
            continue
        currency = checks.foreign_currency_sign(str(amount_text.iloc[i]))
        reasons[i] = REJECTION_KINDS[kind].format(value=currency, cap=cap, first=first,
                                                  last=last)
    return reasons


def _report_row_checks(kinds: np.ndarray, lines: np.ndarray, table: pd.DataFrame, file: str,
                       report: Report) -> None:
    """Warn, naming lines, about swallowed lines and amounts with no supplier or date."""
    for kind, what in (("unclosed_quote", "hold line breaks and other records' cells (an "
                        "unclosed quote?): their payments are not counted until it is fixed"),
                       ("unattributed", "have an amount but no supplier and no date, and are "
                        "not sums of the rows above: they are not counted, and their total is "
                        "shown apart"),
                       ("above_cap", "have an amount above the plausibility cap: not counted")):
        where = np.flatnonzero(kinds == kind)
        if len(where):
            spans = [_line_span(table, i, int(lines[i])) for i in where[:20]]
            shown = ", ".join(spans) + (" ..." if len(where) > 20 else "")
            report.warning(f"{len(where)} record(s) on line(s) {shown} {what}.", file=file)


def _line_span(table: pd.DataFrame, index: int, first: int) -> str:
    """Return the physical lines of one record, "7" or "7-9" (line breaks inside cells)."""
    last = first + sum(str(v).count("\n") for v in table.iloc[index])
    return str(first) if last == first else f"{first}-{last}"


def _text_or_blank(table: pd.DataFrame, column: str | None, keep: np.ndarray) -> np.ndarray:
    """Return a column's trimmed text for the kept rows, or blanks when the file lacks it."""
    if column is None:
        return pd.Categorical(np.full(int(keep.sum()), "", dtype=object))
    return table[column].array[keep]


def _without_unused(values: pd.Categorical) -> pd.Categorical:
    """Return a Categorical without the categories no row uses, in the same order.

    As ``remove_unused_categories``, on the integer codes (one count per category).
    """
    codes = values.codes
    used = np.bincount(codes[codes >= 0], minlength=len(values.categories)) > 0
    if used.all():
        return values
    renumbered = np.append(np.cumsum(used) - 1, -1)  # code -1 (missing) stays -1
    return pd.Categorical.from_codes(renumbered[codes], values.categories[used])


def _blank_placeholders(values) -> pd.Categorical:
    """Return categorical codes with placeholders ("#N/A", "ONETIME", "VARIOUS") as blank."""
    values = pd.Categorical(values)
    cats = pd.Series(values.categories, dtype=object)
    fixed = cats.where(~cats.map(is_placeholder), "")
    if fixed.equals(cats):
        return values
    return pd.Categorical(np.asarray(fixed, dtype=object)[values.codes])


def _strip_categories(values: pd.Series) -> pd.Series:
    """Return a categorical column with its categories trimmed and blanks as ""."""
    values = values.astype("category") if values.dtype != "category" else values
    codes = values.cat.codes.to_numpy()
    cats = pd.Series(values.cat.categories, dtype=object).astype(str).str.strip()
    new_codes, uniques = pd.factorize(pd.concat([cats, pd.Series([""])], ignore_index=True))
    blank_code = new_codes[-1]
    mapped = np.where(codes >= 0, new_codes[:-1][codes] if len(cats) else blank_code,
                      blank_code)
    return pd.Series(pd.Categorical.from_codes(mapped, uniques), index=values.index)



@dataclass
class Payments:
    """Payments read from one or more files, as one table.

    Attributes
    ----------
    frame : DataFrame
        Used records from every file (columns as in :func:`read_payments_file`).
    rejected : DataFrame
        Rejected records: ``file``, ``line``, ``reason``, ``value``.
    files : list of PaymentsFile
        Each file's details (encoding, header line, columns mapped) without its frame.
    report : Report
        Notices and warnings from reading.
    """

    frame: pd.DataFrame
    rejected: pd.DataFrame
    files: list[PaymentsFile]
    report: Report

    @property
    def records(self) -> int:
        """Data records after the header rows, over all files (used plus rejected)."""
        return sum(f.records for f in self.files)


def read_payments(paths, overrides: dict | None = None, max_payment: float | None = None
                  ) -> Payments:
    """Read several payments files (a year of months, say) as one table.

    Each file is read on its own terms (its own header row, encoding and column names), so
    files whose layout changed during the year still combine.

    Parameters
    ----------
    paths : path-like or list of path-like
        The payments CSV files.
    overrides : dict, optional
        Column names given by the user, by role; applied to every file.
    max_payment : float, optional
        Plausibility cap in pounds (default the setting ``spend.max_payment``).

    Returns
    -------
    Payments
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = [Path(p) for p in paths]
    if not paths:
        raise InputError("No payments files given.")
    report = Report()
    files, frames, rejected = [], [], []
    seen: dict[str, str] = {}
    for path in paths:
        one = read_payments_file(path, overrides, report, max_payment)
        if one.digest in seen:
            raise InputError(f"{path.name} has the same content as {seen[one.digest]}: give each "
                             "payments file once, or its payments would be counted twice.")
        seen[one.digest] = path.name
        frames.append(one.frame)
        rejected.append(one.rejected)
        one.frame = one.frame.iloc[0:0]
        files.append(one)
    if not any(one.records for one in files):
        raise InputError(_no_rows_message(files))
    frames = [f for f in frames if len(f)] or frames[:1]  # a month with no rows adds nothing
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    for column in ("file", "supplier", "supplier_id", "category", "postcode"):
        frame[column] = frame[column].astype("category")
    if len(files) > 1:
        _warn_repeats_across_files(frame, report)
    return Payments(frame, pd.concat(rejected, ignore_index=True), files, report)


def _no_rows_message(files: list[PaymentsFile]) -> str:
    """Say that the payments files hold headers only, and what to do."""
    names = ", ".join(f"{one.path.name} (header on line {one.header_line})" for one in files)
    return (f"No payment rows: {names} hold(s) column headings but no payments below them. "
            "Export the payments themselves (not only the headings), or check that the right "
            "file was given.")


def repeats_across_files(frame: pd.DataFrame) -> pd.DataFrame:
    """Return payments whose date, supplier and amount appear in more than one file.

    Within one file the same supplier is often paid the same amount on the same day; across
    files that is the sign of files that overlap in time (a quarter and one of its months,
    say), whose payments would be counted twice. Payments without a date are not compared.

    Parameters
    ----------
    frame : DataFrame
        Used records from several files (``file``, ``line``, ``date``, ``supplier``,
        ``amount_pence``).

    Returns
    -------
    DataFrame
        The records concerned, every copy, sorted by date, supplier and file.
    """
    key = ["date", "supplier", "amount_pence"]
    dated = frame.loc[frame["date"].notna(), ["file", "line", *key]]
    files_per_key = dated.groupby(key, observed=True)["file"].transform("nunique")
    return dated[files_per_key > 1].sort_values([*key, "file", "line"])


def _warn_repeats_across_files(frame: pd.DataFrame, report: Report) -> None:
    """Warn (never drop) when the same payment seems to stand in two files."""
    repeats = repeats_across_files(frame)
    if repeats.empty:
        return
    amounts = repeats.groupby(["date", "supplier", "amount_pence"], observed=True)[
        "amount_pence"]
    groups = amounts.ngroups
    extra = int(((amounts.size() - 1) * amounts.first().abs()).sum())
    first_copies = repeats.drop_duplicates(["date", "supplier", "amount_pence", "file"])
    example = " and ".join(f"{r.file} line {r.line}" for r in first_copies.head(2).itertuples())
    report.warning(
        f"{groups:,} payment(s) have the same date, supplier and amount in more than one "
        f"file (for example {example}). If the files overlap in time these are counted "
        f"twice: up to £{extra / 100:,.2f} extra. They are kept in the totals; check that "
        "the files cover separate periods.")
