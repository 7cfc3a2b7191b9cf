"""A slow, plain reference reader of payments CSV files, written for the tests (issue 18).

It shares nothing with the toolkit's readers in how it reads: the csv module reads every
record with its exact first line, and money is read with :class:`decimal.Decimal`, rounding
half away from zero to the penny. It then applies the row rules that every reader must run
(``toolkit.spend.read.row_reasons``: blank amounts, other currencies, the cap, repeated
headers, swallowed lines, totals by shape), so that the fast reader can be held to exactly
the same totals, rows used and rows not used.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.spend import checks
from toolkit.spend.read import find_header, map_columns, parse_dates, row_reasons

_NUMBER = re.compile(r"\d+(\.\d*)?|\.\d+|\d+(\.\d*)?[eE][+-]?\d+")
_THOUSANDS = re.compile(r"\d{1,3}(,\d{3})+(\.\d*)?")


@dataclass
class Reference:
    """What the reference read: the total of used rows, their lines, and the rows not used."""

    total_pence: int
    used_lines: list[int]
    not_used: list[tuple[int, str]]  # (line, kind)


def decode(raw: bytes) -> str:
    """Return a file's text: UTF-8 (with or without BOM), UTF-16, else Windows-1252."""
    if raw.startswith(codecs.BOM_UTF8):
        return raw[3:].decode("utf-8")
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8").replace("ï»¿", "", 1)
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def pence(text: str) -> int | None:
    """Return money text as pence (Decimal, half away from zero), or None if not money."""
    s = text.strip().replace("\u2212", "-").replace("\u2013", "-")
    negative = False
    if s.startswith("(") and s.endswith(")"):
        negative, s = True, s[1:-1]
    if s.upper().endswith("CR"):
        negative, s = True, s[:-2]
    elif s.upper().endswith("DR"):
        s = s[:-2]
    if "," in s and not any(_THOUSANDS.fullmatch(p) for p in re.findall(r"[\d,.]+", s)):
        return None
    s = re.sub(r"[£,\s]|GBP", "", s)
    if s.endswith("-") and not s.startswith("-"):
        negative, s = True, s[:-1]
    if s.startswith("-") and s.count("-") == 1:
        negative, s = not negative, s[1:]
    if not _NUMBER.fullmatch(s):
        return None
    try:
        value = Decimal(s)
    except InvalidOperation:
        return None
    exact = int(value.scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return -exact if negative else exact


def read_reference(path: Path, cap_pounds: float | None = None) -> Reference:
    """Read one payments CSV file slowly; see the module docstring."""
    text = decode(Path(path).read_bytes())
    header_idx, headers = find_header(text[: 1 << 20])
    cmap = map_columns(headers)
    used = cmap.used()
    where = [headers.index(c) for c in used]
    rows, lines = [], []
    reader = csv.reader(io.StringIO(text[_offset(text, header_idx + 1):], newline=""))
    start = header_idx + 1
    for cells in reader:
        first = start + 1
        start = header_idx + 1 + reader.line_num
        values = [cells[i] if i < len(cells) else "" for i in where]
        if all(not v.strip() for v in values):
            continue  # a blank record, not a row
        rows.append(values)
        lines.append(first)
    table = pd.DataFrame(rows, columns=used, dtype=object) if rows else \
        pd.DataFrame({c: pd.Series(dtype=object) for c in used})
    for column in used:
        if column != cmap.amount:
            table[column] = table[column].str.strip().astype("category")
    cap = cap_pounds if cap_pounds is not None else checks.default_max_payment()
    read = [pence(v) for v in table[cmap.amount]]
    amounts = np.array([p if p is not None else 0 for p in read], dtype=object)
    too_big = np.array([p is not None and abs(p) > cap * 100 for p in read], dtype=bool)
    readable = np.array([p is not None for p in read], dtype=bool) & ~too_big
    amounts[~readable] = 0
    dates = parse_dates(table[cmap.date])[0] if cmap.date else pd.Series(pd.NaT,
                                                                          index=table.index)
    line_array = np.asarray(lines, dtype=np.int64)
    kinds, _ = row_reasons(table, cmap, len(headers), line_array, amounts.astype(np.int64),
                           readable, too_big, dates, cap)
    kept = kinds == ""
    return Reference(sum(int(a) for a in amounts[kept]), [int(x) for x in line_array[kept]],
                     sorted(zip(line_array[~kept].tolist(), kinds[~kept].tolist(),
                                strict=True)))


def _offset(text: str, lines: int) -> int:
    """Return the character offset after the first ``lines`` physical lines of ``text``."""
    offset = 0
    for _ in range(lines):
        found = text.find("\n", offset)
        if found < 0:
            return len(text)
        offset = found + 1
    return offset
