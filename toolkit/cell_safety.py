"""Cells the toolkit writes to CSV files and workbooks never start a formula.

A spreadsheet opening a CSV file runs any cell that starts with ``=``, ``+``, ``-`` or
``@`` (and, in some programs, a tab or carriage return) as a formula: a supplier named
``=HYPERLINK("http://...")`` in a council's payments file would become a live link in
the table beside a pack. Following OWASP's advice on CSV injection, such a text cell is
written with a single quote in front (``'=HYPERLINK(...)``), which every spreadsheet shows
as text; the ``csv`` module quotes the cell when it holds a separator or a quote. True
numbers (and text that is only a number or an amount, such as ``-12.50`` or ``-£1,946.71``)
are written as they are.

A CSV file the toolkit writes for the user to fill in and give back (``spend
--unplaced-out``, read again by ``--suppliers``) goes through :func:`restore_text` when it
is read, so the round trip gives back the original text.

This module is on the ground floor (it imports only the standard library) so that every
wing that writes files can use it.

References
----------
OWASP, "CSV Injection" (https://owasp.org/www-community/attacks/CSV_Injection).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

#: First characters that make a spreadsheet read a cell as a formula (OWASP), with their
#: full-width forms, which some spreadsheets also accept.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")

#: The prefix that makes a spreadsheet show a cell as text.
TEXT_PREFIX = "'"

#: Text that is only a number or an amount of money (``-12.50``, ``-£1,946.71``, ``-5%``):
#: a spreadsheet reads it as a number, never as a formula, so it is written as it is.
_PLAIN_NUMBER = re.compile(
    r"[+-]?[£$€]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")


def starts_formula(value: Any) -> bool:
    """Return whether ``value`` is text a spreadsheet could run as a formula.

    Parameters
    ----------
    value : object
        A cell's value.

    Returns
    -------
    bool
        True for text starting with one of :data:`FORMULA_STARTS` that is not just a
        number or amount (``-12.50`` and ``-£1,946.71`` are numbers, ``-1+2`` is not).
    """
    return (isinstance(value, str) and value.startswith(FORMULA_STARTS)
            and not _PLAIN_NUMBER.fullmatch(value))


def neutral_text(value: Any) -> Any:
    """Return ``value`` safe for a spreadsheet cell: text that could start a formula quoted.

    Parameters
    ----------
    value : object
        A cell's value; anything but text is returned as it is.

    Returns
    -------
    object
        ``"'" + value`` for formula-like text, else ``value``.

    References
    ----------
    OWASP, "CSV Injection".
    """
    return TEXT_PREFIX + value if starts_formula(value) else value


def restore_text(value: Any) -> Any:
    """Undo :func:`neutral_text` on a cell read back from a file the toolkit wrote.

    Parameters
    ----------
    value : object
        A cell's value as read.

    Returns
    -------
    object
        The text without the quote the toolkit put in front; anything else unchanged.
    """
    if isinstance(value, str) and value.startswith(TEXT_PREFIX) and starts_formula(value[1:]):
        return value[1:]
    return value


def neutral_frame(frame: Any) -> Any:
    """Return a copy of a pandas DataFrame whose text cells (and headers) are neutralised.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table to write.

    Returns
    -------
    pandas.DataFrame
        Numeric columns untouched; text cells through :func:`neutral_text`, with a lone
        carriage return inside a cell made a line feed (so the cell is quoted).
    """
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or str(safe[column].dtype) in {"string", "category"}:
            safe[column] = safe[column].astype(object).map(_one_line_ending).map(neutral_text)
    safe.columns = [neutral_text(str(c)) if isinstance(c, str) else c for c in safe.columns]
    return safe


def _one_line_ending(value: Any) -> Any:
    """Return text with a lone carriage return made a line feed.

    pandas ends lines with a line feed and quotes only cells holding one, so a carriage
    return left in a cell would split the row for a reader.
    """
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def write_csv(frame: Any, path: str | Path, **options: Any) -> Path:
    """Write a pandas DataFrame as UTF-8 CSV with no cell able to start a formula.

    Parameters
    ----------
    frame : pandas.DataFrame
        The table.
    path : path-like
        Where to write it.
    **options
        Passed to ``DataFrame.to_csv`` (``index`` defaults to False).

    Returns
    -------
    pathlib.Path
    """
    path = Path(path)
    options.setdefault("index", False)
    options.setdefault("encoding", "utf-8")
    neutral_frame(frame).to_csv(path, **options)
    return path


def neutral_row(values: Any) -> list:
    """Return a row of cells for ``csv.writer`` with formula-like text neutralised.

    Parameters
    ----------
    values : iterable
        The row's cells.

    Returns
    -------
    list
    """
    return [neutral_text(v) for v in values]
