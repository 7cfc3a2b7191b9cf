"""Cell parsers: turn what people type into spreadsheets into typed values.

Each parser takes one raw cell (a number, text, a date or ``None``) and returns a
:class:`Parsed` holding the value, or a plain-English reason why the cell could not be
read. Parsers never raise on bad input and never guess: what they cannot read is
reported by the caller with the file, sheet, row and column.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from typing import Any

BLANK_TEXTS = {"", "-", "n/a", "na", "none", "nil"}


@dataclass(frozen=True)
class Parsed:
    """The result of parsing one cell.

    Parameters
    ----------
    value : Any
        The typed value, or ``None`` for a blank cell or one that could not be read.
    error : str or None
        Why the cell could not be read (``value`` is then ``None``).
    note : str or None
        A correction made while reading, to be reported as a notice.
    """

    value: Any = None
    error: str | None = None
    note: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the cell was read without error."""
        return self.error is None


BLANK = Parsed()


def is_blank(raw: Any) -> bool:
    """Return whether a cell is empty (``None``, NaN, or blank-like text such as "n/a")."""
    if raw is None:
        return True
    if isinstance(raw, float) and math.isnan(raw):
        return True
    return isinstance(raw, str) and raw.strip().casefold() in BLANK_TEXTS


_MONEY_TEXT = re.compile(r"^[+-]?\d+(\.\d+)?$")
_GROUPED = re.compile(r"^[+-]?\d{1,3}([, ]\d{3})+(\.\d+)?$")  # 1,234,567.89 or 1 234 567
_FOREIGN_CURRENCY = re.compile(r"[$€¥₹]|\b(usd|eur|euros?|dollars?|us\$|chf|jpy)\b",
                               re.IGNORECASE)
AMBIGUOUS_SEPARATORS = ("separators that can be read two ways (such as 1.234,56, 12,50 or "
                        "1,2345); write the amount with a full stop for pence and commas only "
                        "between thousands, as 1234.56 or 1,234.56")


def foreign_currency(text: str) -> str | None:
    """Return the sign or code of a currency other than pounds in ``text``, or ``None``.

    ``$100`` and ``€100`` are never read as pounds: they are refused, so that a user converts
    them at a rate they state (METHODS §2: amounts are in pounds as paid).
    """
    match = _FOREIGN_CURRENCY.search(text)
    return match.group(0) if match else None


def _clean_number_text(text: str) -> tuple[str, bool]:
    """Strip the pound sign, thousands separators and accounting brackets from text.

    Returns the cleaned text and whether brackets or a trailing ``CR`` marked it negative.
    Separators that are not thousands separators (``1.234,56``, ``12,50``, ``1,2345``) make
    the cleaned text ``"?,"``, which no caller reads as a number.
    """
    cleaned = text.strip().replace("\u00a0", " ")
    negative = False
    if cleaned.startswith("(") and cleaned.endswith(")"):
        negative, cleaned = True, cleaned[1:-1]
    if cleaned.upper().endswith("CR"):
        negative, cleaned = True, cleaned[:-2]
    cleaned = cleaned.replace("£", "").replace("\u2212", "-").strip()  # a typographic minus
    digits = cleaned.lstrip("+-").strip()
    if ("," in digits or re.search(r"\d\s+\d", digits)) and not _GROUPED.match(digits):
        return "?,", negative
    sign = "-" if cleaned.startswith("-") else ""
    return sign + digits.replace(",", "").replace(" ", ""), negative


def parse_number(raw: Any) -> Parsed:
    """Parse a plain number such as ``2.5``, ``"1,200"`` or ``"3 "``.

    Commas (and spaces) are read only as thousands separators: ``"1.234,56"``, ``"12,50"``
    and ``"1,2345"`` are refused as ambiguous, never guessed. Another currency's sign
    (``"$100"``, ``"€100"``) is refused.

    Returns
    -------
    Parsed
        A float, ``None`` for a blank cell, or an error for text that is not a number.
    """
    if is_blank(raw):
        return BLANK
    if isinstance(raw, bool):
        return Parsed(error="a yes/no value where a number was expected")
    if isinstance(raw, int | float):
        if math.isinf(raw):
            return Parsed(error="an infinite number")
        return Parsed(float(raw))
    if isinstance(raw, dt.date | dt.datetime):
        return Parsed(error="a date where a number was expected")
    if (currency := foreign_currency(str(raw))) is not None:
        return Parsed(error=f"an amount in another currency ({currency}), not pounds; convert "
                            "it to pounds at a rate you state")
    cleaned, negative = _clean_number_text(str(raw))
    if cleaned == "?,":
        return Parsed(error=AMBIGUOUS_SEPARATORS)
    if cleaned.endswith("%"):
        return Parsed(error="a percentage where a plain number was expected")
    if not _MONEY_TEXT.match(cleaned):
        return Parsed(error="text where a number was expected")
    value = float(cleaned)
    if math.isinf(value):
        return Parsed(error="an infinite number")
    return Parsed(-abs(value) if negative else value)


def parse_money(raw: Any) -> Parsed:
    """Parse an amount of money in pounds: ``1234.5``, ``"£1,234.50"``, ``"(12.00)"``.

    Brackets and a trailing "CR" mean a negative amount (a refund or credit note).
    The result is rounded to whole pence.
    """
    parsed = parse_number(raw)
    if parsed.value is None:
        if parsed.error == "text where a number was expected":
            return Parsed(error="text where an amount in pounds was expected")
        return parsed
    if isinstance(raw, str) and _THOUSANDS_OR_PENCE.match(_clean_number_text(raw)[0]):
        return Parsed(error=AMBIGUOUS_SEPARATORS)
    return Parsed(round(parsed.value, 2))


_THOUSANDS_OR_PENCE = re.compile(r"^[+-]?\d{1,3}\.\d{3}$")  # "1.234": £1,234 or £1.234?


def parse_integer(raw: Any) -> Parsed:
    """Parse a whole number such as ``5`` or ``"5"``; ``5.5`` is an error."""
    parsed = parse_number(raw)
    if parsed.value is None:
        return parsed
    if parsed.value != int(parsed.value):
        return Parsed(error="a fraction where a whole number was expected")
    return Parsed(int(parsed.value))


def parse_year(raw: Any) -> Parsed:
    """Parse a calendar year from 1900 to 2200, such as ``2024``."""
    if isinstance(raw, dt.date | dt.datetime):
        return Parsed(raw.year, note="a date was given; its year was used")
    parsed = parse_integer(raw)
    if parsed.value is None:
        return parsed
    if not 1900 <= parsed.value <= 2200:
        return Parsed(error="not a year between 1900 and 2200")
    return parsed


_FYEAR = re.compile(r"^(\d{4})\s*[-/\u2013]\s*(\d{2}|\d{4})$")


def parse_financial_year(raw: Any) -> Parsed:
    """Parse a financial year into the form ``"2024-25"``.

    Accepts ``"2024-25"``, ``"2024/25"``, ``"2024-2025"`` and a plain starting year ``2024``
    (reported as a correction).
    """
    if is_blank(raw):
        return BLANK
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        year = parse_year(raw)
        if year.value is None:
            return year
        text = f"{year.value}-{(year.value + 1) % 100:02d}"
        return Parsed(text, note=f"read the year {year.value} as the financial year {text}")
    match = _FYEAR.match(str(raw).strip())
    if not match:
        return Parsed(error="not a financial year like 2024-25")
    start, end = int(match.group(1)), int(match.group(2)[-2:])
    if end != (start + 1) % 100:
        return Parsed(error="the second year must follow the first, as in 2024-25")
    return Parsed(f"{start}-{end:02d}")


YES = {"yes", "y", "true", "1", "t"}
NO = {"no", "n", "false", "0", "f"}


def parse_yesno(raw: Any) -> Parsed:
    """Parse yes or no (also y/n, true/false, 1/0) into ``True``/``False``."""
    if is_blank(raw):
        return BLANK
    if isinstance(raw, bool):
        return Parsed(raw)
    text = str(int(raw)) if isinstance(raw, int | float) and raw in (0, 1) else str(raw)
    text = text.strip().casefold()
    if text in YES:
        return Parsed(True)
    if text in NO:
        return Parsed(False)
    return Parsed(error="not yes or no")


def _fold(text: str) -> str:
    text = text.replace("\u2013", "-").replace("\u2014", "-")
    return re.sub(r"\s+", " ", text).strip().casefold()


def parse_choice(raw: Any, choices: tuple[str, ...]) -> Parsed:
    """Match a cell to one of ``choices`` regardless of case, spacing and dash style."""
    if is_blank(raw):
        return BLANK
    wanted = _fold(str(raw))
    for choice in choices:
        if _fold(choice) == wanted:
            return Parsed(choice)
    return Parsed(error="not one of the choices in the drop-down list")


def parse_text(raw: Any) -> Parsed:
    """Return the cell as stripped text (numbers become their text, ``5.0`` becomes "5")."""
    if is_blank(raw):
        return BLANK
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return Parsed(re.sub(r"\s+", " ", str(raw)).strip())


_OUTWARD = re.compile(r"^([A-Z]{1,2})([0-9][0-9A-Z]?)$")
_FULL = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?)\s*([0-9])([A-Z]{2})$")


def parse_district(raw: Any) -> Parsed:
    """Parse a home postcode district (outward code) such as ``"BD8"``.

    A full postcode is cut to its district with a note, so that no person's full
    postcode is ever kept (DESIGN: personal data).
    """
    if is_blank(raw):
        return BLANK
    text = re.sub(r"\s+", " ", str(raw).strip().upper())
    if _OUTWARD.match(text):
        return Parsed(text)
    full = _FULL.match(text.replace(" ", "")) or _FULL.match(text)
    if full:
        return Parsed(full.group(1), note="a full postcode was cut to its district for privacy")
    return Parsed(error="not a UK postcode district such as BD8")


def parse_postcode(raw: Any) -> Parsed:
    """Normalise a UK postcode (``"bd7 1dp"`` to ``"BD7 1DP"``); keep other text as written.

    Text that is not a UK postcode (an Irish Eircode, "VARIOUS") is kept as written so
    that the geography step can report it as not placeable.
    """
    if is_blank(raw):
        return BLANK
    text = re.sub(r"\s+", " ", str(raw).strip().upper())
    full = _FULL.match(text.replace(" ", ""))
    if full:
        return Parsed(f"{full.group(1)} {full.group(2)}{full.group(3)}")
    if _OUTWARD.match(text):
        return Parsed(text)
    return Parsed(text, note="not a UK postcode; the supplier is counted as outside the area")


def percent_from_text(raw: str) -> Parsed | None:
    """Parse text with a percent sign ("45%", "12.5 %") as a fraction; ``None`` if no sign."""
    text = raw.strip()
    if not text.endswith("%"):
        return None
    number = parse_number(text[:-1])
    if number.value is None:
        return Parsed(error="not a percentage")
    return Parsed(number.value / 100.0)


def parse_percent_column(cells: list[tuple[Any, bool]]) -> tuple[list[Parsed], list[int]]:
    """Parse a column of shares, deciding per column whether numbers are fractions or percents.

    Rule (issue 2, foundation): a cell formatted as a percentage in Excel holds its stored
    fraction; text with a percent sign is a percent; for the other numbers, a column whose
    numbers are all between 0 and 1 holds fractions, and a column with any number over 1
    holds percents (45 means 45%). In a column of percents, a number between 0 and 1 other
    than 0 is ambiguous (0.5 could be half a percent or a half): it is read as a percent and
    its index returned so that the caller can warn.

    Parameters
    ----------
    cells : list of (raw value, formatted as percent)
        The column's cells in order.

    Returns
    -------
    parsed : list of Parsed
        Fractions (a share of 1), or errors.
    ambiguous : list of int
        Indexes of cells read under the rule but open to another reading.
    """
    numbers: list[Parsed | None] = []
    plain_values = []
    for raw, formatted in cells:
        if is_blank(raw):
            numbers.append(BLANK)
        elif isinstance(raw, str) and (as_text := percent_from_text(raw)) is not None:
            numbers.append(as_text)
        elif formatted and isinstance(raw, int | float) and not isinstance(raw, bool):
            numbers.append(Parsed(float(raw)))
        else:
            parsed = parse_number(raw)
            if parsed.error:
                numbers.append(Parsed(error="text where a percentage was expected"))
            else:
                numbers.append(None)  # decided below, by the column rule
                plain_values.append(parsed.value)
    column_is_percents = any(v > 1 for v in plain_values)
    parsed_cells: list[Parsed] = []
    ambiguous: list[int] = []
    for index, (cell, (raw, _)) in enumerate(zip(numbers, cells, strict=True)):
        if cell is None:
            value = parse_number(raw).value
            if column_is_percents:
                if 0 < value <= 1:
                    ambiguous.append(index)
                value = value / 100.0
            parsed_cells.append(Parsed(value))
        else:
            parsed_cells.append(cell)
    return parsed_cells, ambiguous
