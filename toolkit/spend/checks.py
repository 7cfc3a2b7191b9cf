"""Checks on the rows of a payments file that guard against a silently wrong total.

Each check is one vectorised function of whole columns (NumPy arrays or pandas Series), so
that any reader (the pandas reader of :mod:`toolkit.spend.read`, or a faster one) can run
the same checks on what it read:

- :func:`total_labels` and :func:`total_like_labels`: footers such as "Sub-total",
  "Total for April", "TOTAL PAYMENTS", "Sum", "Period total" (whole-cell labels), and
  names that merely start like one ("Total Gym Ltd"), which need more evidence;
- :func:`sums_of_rows_above`: a row whose amount equals the sum of a run of rows just above
  it (a period's subtotal, or the file's total), or of one month's rows;
- :func:`foreign_currency`: amounts written in dollars, euros and so on, never taken as
  pounds;
- :func:`above_cap`: amounts past a plausibility cap (the setting ``spend.max_payment``);
- :func:`swallowed_lines`: records that hold line breaks and cells of other records, the sign
  of an unclosed quote that swallowed the lines after it;
- :func:`exact_total`: a sum of int64 pence that cannot overflow.

References
----------
METHODS.md §2 (spend analysis of councils' procurement ledgers; the files are messy, and
every row is either used or listed with its reason).
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd

from toolkit.inputs import yaml_files
from toolkit.inputs.cells import foreign_currency as _currency_in
from toolkit.resources import data_file

#: Largest payment believed when no setting is given: £10 billion (the setting
#: ``spend.max_payment`` in toolkit/data/settings_defaults.yml says the same).
DEFAULT_MAX_PAYMENT_POUNDS = 10_000_000_000
#: At most this many int64 pence are added in int64 before the sums go on as Python ints.
SUM_CHUNK = 1 << 20



@lru_cache(maxsize=1)
def _label_patterns() -> dict[str, re.Pattern]:
    """Return the ``total_row`` and ``total_like`` patterns of spend_markers.yml."""
    data = yaml_files.safe_load(data_file("spend_markers.yml").read_text(encoding="utf-8"))
    return {kind: re.compile("|".join(f"(?:{p})" for p in data[kind]), re.IGNORECASE)
            for kind in ("total_row", "total_like")}


def _per_unique(values, test, missing: bool = False) -> np.ndarray:
    """Apply ``test`` (text -> bool) once per distinct value; return one bool per value.

    A categorical column is tested through its categories (no copy of its values); a
    missing value gives ``missing``.
    """
    values = values if isinstance(values, pd.Series) else pd.Series(values, dtype=object)
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes, uniques = values.cat.codes.to_numpy(), values.cat.categories
    else:
        codes, uniques = pd.factorize(values)
    hits = np.fromiter((bool(test(str(u))) for u in uniques), dtype=bool, count=len(uniques))
    return np.append(hits, missing)[codes]


def per_distinct(values, test, missing: bool = False) -> np.ndarray:
    """Return ``test`` (text -> bool) applied to each row's value, testing each value once.

    Parameters
    ----------
    values : Series, Categorical or array of str
    test : callable
    missing : bool
        The result for a missing value.
    """
    if isinstance(values, pd.Categorical):
        values = pd.Series(values)
    return _per_unique(values, test, missing)


def cells_equal(values, text: str) -> np.ndarray:
    """Return which cells hold ``text`` (ignoring case and white space at the ends)."""
    wanted = text.strip().casefold()
    return _per_unique(values, lambda cell: cell.strip().casefold() == wanted)


def blank_cells(values) -> np.ndarray:
    """Return which cells are blank or only white space."""
    return _per_unique(values, lambda text: not text.strip(), missing=True)


def total_labels(values) -> np.ndarray:
    """Return which cells are a whole total label: "Sub-total", "Total for April", "Sum".

    A label is the whole cell: a total word, perhaps a period ("Period total", "Grand total")
    and perhaps what or when ("TOTAL PAYMENTS", "Total for April", "Totals: £1,200"), as the
    ``total_row`` patterns of ``toolkit/data/spend_markers.yml`` say. A supplier such as
    "Total Gym Ltd" is not a label (see :func:`total_like_labels`).
    """
    return _per_unique(values, _label_patterns()["total_row"].search)


def total_like_labels(values) -> np.ndarray:
    """Return which cells start like a total ("Total Gym Ltd"): a label only with evidence."""
    return _per_unique(values, _label_patterns()["total_like"].search)


def sums_of_rows_above(pence: np.ndarray, candidate: np.ndarray, months=None,
                       min_rows: int = 1, zeroed: np.ndarray | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Return which candidate rows hold the sum of a run of rows just above them.

    A run is the rows from some row ``j`` to the row just above the candidate; ``zeroed``
    rows (possible totals; by default every candidate) count as zero in every run, so a
    grand total under subtotals is found too. With ``months``, a candidate equal to the sum
    of one month's rows (in the whole file) is a sum as well (a period total in a file not
    sorted by date).

    Parameters
    ----------
    pence : ndarray of int64
        Every row's amount (0 where unreadable).
    candidate : ndarray of bool
        Rows that might be totals (no date and no supplier, or a total-like label).
    months : array of period-like, optional
        Each row's month (NaT or None where unknown).
    min_rows : int
        Fewest rows other than zeroed ones the run must hold.
    zeroed : ndarray of bool, optional
        Rows counted as zero in runs and months (default ``candidate``); a candidate that is
        likely a payment ("Total Gym Ltd") is tested but still counted.

    Returns
    -------
    is_sum : ndarray of bool
    run_start : ndarray of int64
        Index of the first row of the longest such run (-1 when not a run sum, or a month).
    """
    n = len(pence)
    is_sum = np.zeros(n, dtype=bool)
    run_start = np.full(n, -1, dtype=np.int64)
    if not candidate.any():
        return is_sum, run_start
    zeroed = candidate if zeroed is None else zeroed
    counted = np.where(zeroed, 0, pence).astype(np.int64)
    if n and int(np.abs(counted).max()) * n >= 2**62:  # int64 could overflow: Python ints
        counted = counted.astype(object)
    prefix = np.concatenate([np.zeros(1, dtype=counted.dtype), np.cumsum(counted)])
    rows_before = np.concatenate([[0], np.cumsum(~zeroed)])
    first_at = pd.Series(np.arange(n + 1), index=prefix)
    first_at = first_at[~first_at.index.duplicated()]
    for i in np.flatnonzero(candidate & (pence != 0)):
        j = first_at.get(prefix[i] - int(pence[i]), n + 1)
        if j < i and rows_before[i] - rows_before[j] >= min_rows:
            is_sum[i], run_start[i] = True, j
    if months is not None:
        is_sum |= candidate & _equals_a_month(pence, zeroed, months)
    return is_sum, run_start


def _equals_a_month(pence: np.ndarray, zeroed: np.ndarray, months) -> np.ndarray:
    """Return which rows equal the sum of one month's rows (other than ``zeroed`` ones)."""
    months = pd.Series(months)
    dated = ~zeroed & months.notna().to_numpy()
    if not dated.any():
        return np.zeros(len(pence), dtype=bool)
    sums = {int(v) for v in pd.Series(pence[dated]).groupby(months[dated].to_numpy()).sum()}
    return np.isin(pence, list(sums)) & (pence != 0)


def foreign_currency(amount_text) -> np.ndarray:
    """Return which amount cells are written in another currency ($, €, USD, EUR ...)."""
    return _per_unique(amount_text, lambda text: _currency_in(text) is not None)


def foreign_currency_sign(text: str) -> str | None:
    """Return the sign or code of another currency in one amount cell ("$", "EUR"), or None."""
    return _currency_in(text)


def above_cap(pounds: np.ndarray, cap_pounds: float) -> np.ndarray:
    """Return which amounts (in pounds, as floats) are above the plausibility cap either way."""
    with np.errstate(invalid="ignore"):
        return np.isfinite(pounds) & (np.abs(pounds) > cap_pounds)


def swallowed_lines(cells: dict[str, pd.Series], width: int, long_cell: int = 250
                    ) -> np.ndarray:
    """Return which records hold cells of other records: the sign of an unclosed quote.

    A cell with a line break is out of character when the text after a break reads like a
    row of its own (as many commas as the header has columns less one) or when the cell is
    longer than ``long_cell`` characters; a postal address on two lines is neither.

    Parameters
    ----------
    cells : dict of column name to Series of str
        The text columns read.
    width : int
        Number of columns in the header.
    long_cell : int
        Length past which a cell with a line break is out of character.
    """
    commas = max(width - 1, 1)

    def swallowed(text: str) -> bool:
        if "\n" not in text and "\r" not in text:
            return False
        rest = re.split(r"\r\n|\r|\n", text)[1:]
        return len(text) > long_cell or any(line.count(",") >= commas for line in rest)

    flags = None
    for values in cells.values():
        hits = _per_unique(values, swallowed)
        flags = hits if flags is None else flags | hits
    return flags if flags is not None else np.zeros(0, dtype=bool)


def exact_total(pence) -> int:
    """Return the exact sum of int64 pence as a Python int (int64 chunks, then Python ints).

    Each chunk is short enough that its int64 sum cannot overflow, given the largest amount
    in it; the chunk sums are added as Python integers, which cannot overflow.
    """
    values = np.asarray(pence, dtype=np.int64)
    if not len(values):
        return 0
    largest = max(int(np.abs(values).max()), 1)
    chunk = max(1, min(SUM_CHUNK, (2**63 - 1) // largest))
    return sum(int(values[i:i + chunk].sum()) for i in range(0, len(values), chunk))


def sums_by_code(codes: np.ndarray, pence, length: int) -> np.ndarray:
    """Return the exact int64 sum of the pence of each code ``0 .. length - 1``.

    Two ``np.bincount`` passes, one over each amount's low 24 bits and one over the rest:
    every float sum is then a whole number below 2**53, so exact, when there are fewer
    than 2**29 rows and the largest amount over 2**24, times the rows, stays below 2**53.
    Otherwise pandas' integer group sum does it. Either way the sums are int64, as a
    group sum of int64 pence is.

    Parameters
    ----------
    codes : ndarray of int
        Each row's code, from 0 (no missing codes).
    pence : array of int64
    length : int
        How many codes there are (a sum of 0 for a code no row has).
    """
    pence = np.asarray(pence, dtype=np.int64)
    rows = len(pence)
    largest = int(np.abs(pence).max()) if rows else 0
    if rows >= 1 << 29 or rows * ((largest >> 24) + 1) >= 1 << 53:
        sums = pd.Series(pence).groupby(codes).sum()
        out = np.zeros(length, dtype=np.int64)
        out[sums.index.to_numpy()] = sums.to_numpy()
        return out
    low = np.bincount(codes, weights=pence & 0xFFFFFF, minlength=length)
    high = np.bincount(codes, weights=pence >> 24, minlength=length)
    return high.astype(np.int64) * (1 << 24) + low.astype(np.int64)


def int64_sums_are_exact(pence) -> bool:
    """Whether any int64 sum of these pence (a group's, a mask's) is sure not to overflow."""
    values = np.asarray(pence, dtype=np.int64)
    if not len(values):
        return True
    return int(np.abs(values).max()) * len(values) < 2**63


@lru_cache(maxsize=1)
def default_max_payment() -> float:
    """Return the setting ``spend.max_payment`` (pounds), or £10 billion without settings."""
    try:
        from toolkit.inputs.settings import load_settings

        return float(load_settings().value("spend.max_payment"))
    except (ImportError, KeyError, TypeError, ValueError):
        return float(DEFAULT_MAX_PAYMENT_POUNDS)
