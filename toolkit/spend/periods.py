"""Spending by period: financial years compared, the basis of the shares, monthly tables.

A council's story is often a change: Preston's anchor institutions went from 5% to 18.2% of
spending in Preston, and from 39% to 79.2% in Lancashire (CLES). Adding two years' files into
one total hides that. Here payments are grouped by English financial year (1 April to 31
March) from their dates, or by file where a file's dates do not say; each period gets its own
figures within every boundary, and the change between periods is given in £ and in points.

The functions take the per-row payments table of a spend analysis (columns ``file``,
``date``, ``month``, ``supplier_key``, ``amount_pence``, ``location``) and the boundary
labels, innermost first, so that the same arithmetic serves the whole file and each period.

References
----------
METHODS.md §2: CLES spend analysis (Preston, Manchester); shares spend-weighted; the top 300
(or top 30, Greater Manchester benchmark) suppliers as CLES's basis.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

UNKNOWN = "unknown"


@dataclass(frozen=True)
class Basis:
    """Which payments the headline shares are computed over.

    Attributes
    ----------
    top : int or None
        None: all spending (the default). N: the payments to the N largest suppliers by
        value, as CLES analyses the top 300 (the Greater Manchester benchmark the top 30).
    """

    top: int | None = None

    @property
    def words(self) -> str:
        """The basis in words, for headlines and tables."""
        if self.top is None:
            return "all spending"
        return f"the top {self.top:,} suppliers by value (CLES basis)"

    @property
    def key(self) -> str:
        """The basis as the option writes it: ``all`` or ``top:N``."""
        return "all" if self.top is None else f"top:{self.top}"


def parse_basis(text) -> Basis:
    """Read a basis as written in ``--basis`` or the ``spend.basis`` setting.

    Parameters
    ----------
    text : str, int, Basis or None
        ``"all"`` (or None/blank) for all spending; ``"top:300"`` (or ``"top300"``,
        ``"top 300"``) for the payments to the 300 largest suppliers.

    Returns
    -------
    Basis

    Raises
    ------
    ValueError
        With a plain message when the text is neither form or N is not a positive whole number.
    """
    if isinstance(text, Basis):
        return text
    raw = "" if text is None else str(text).strip().lower()
    if raw in ("", "all", "all spending"):
        return Basis()
    if raw.startswith("top"):
        number = raw[3:].strip(" :=")
        if number.isdigit() and int(number) > 0:
            return Basis(int(number))
    raise ValueError(f"basis {text!r} is not 'all' or 'top:N' with N a whole number above 0 "
                     "(for example top:300, as CLES, or top:30)")


def basis_mask(payments: pd.DataFrame, basis: Basis) -> np.ndarray:
    """Return which payment rows count under ``basis`` (top suppliers ranked within ``payments``).

    Suppliers are ranked by their total over the rows given (ties: by key), so the top N of a
    period are that period's own top N, as CLES ranks each year.
    """
    if basis.top is None or payments.empty:
        return np.ones(len(payments), dtype=bool)
    totals = payments.groupby("supplier_key", observed=True)["amount_pence"].sum()
    ranked = totals.reset_index().sort_values(["amount_pence", "supplier_key"],
                                              ascending=[False, True], kind="stable")
    top = set(ranked["supplier_key"].head(basis.top))
    return payments["supplier_key"].isin(top).to_numpy()


def money(name: str, pence: int) -> dict:
    """Return ``{name: pounds (2 dp), name_pence: pence}``."""
    return {name: round(pence / 100, 2), f"{name}_pence": int(pence)}


def share(part: int, whole: int) -> float | None:
    """Return ``part / whole`` or None when ``whole`` is not above zero."""
    return part / whole if whole > 0 else None


def boundary_shares(payments: pd.DataFrame, labels: Sequence[str],
                    names: Sequence[str] | None = None) -> list[dict]:
    """Return, per boundary (innermost first), the £ inside it and its low and high shares.

    Cumulative, as CLES reports it: "39% in Lancashire" includes Preston. Low counts
    suppliers of unknown location as outside, high as inside. Totals are Python ints.
    ``names`` are the boundaries' names as the user gave them (default: the labels).
    """
    names = list(names) if names is not None else list(labels)
    sums = payments.groupby("location", observed=False)["amount_pence"].sum()
    total = int(payments["amount_pence"].sum())
    unknown = int(sums.get(UNKNOWN, 0))
    rows, inside = [], 0
    for label in labels:
        inside += int(sums.get(label, 0))
        rows.append({"label": label, "name": names[len(rows)], **money("inside", inside),
                     "share_low": share(inside, total),
                     "share_high": share(inside + unknown, total)})
    return rows


def headline(payments: pd.DataFrame, labels: Sequence[str], basis: Basis,
             names: Sequence[str] | None = None) -> dict:
    """Return the headline figures over ``basis``: totals, local £, shares by boundary.

    Parameters
    ----------
    payments : DataFrame
        Per-row payments (``supplier_key``, ``amount_pence``, ``location``).
    labels : sequence of str
        Boundary labels, innermost first (``["local"]`` when one boundary).
    basis : Basis
    names : sequence of str, optional
        The boundaries' names, as the user gave them.

    Returns
    -------
    dict
        ``basis`` (``all`` or ``top:N``), ``basis_words``, ``total`` (and ``_pence``),
        ``local``, ``unknown``, ``local_share_low``, ``local_share_high``, ``boundaries``
        (cumulative £ inside and shares per boundary), ``suppliers``.
    """
    used = payments[basis_mask(payments, basis)]
    total = int(used["amount_pence"].sum())
    by_boundary = boundary_shares(used, labels, names)
    unknown = int(used.loc[used["location"] == UNKNOWN, "amount_pence"].sum())
    local = by_boundary[0]["inside_pence"] if by_boundary else 0
    return {"basis": basis.key, "basis_words": basis.words, **money("total", total),
            **money("local", local), **money("unknown", unknown),
            "local_share_low": share(local, total),
            "local_share_high": share(local + unknown, total),
            "boundaries": by_boundary,
            "suppliers": int(used["supplier_key"].nunique())}


def financial_year(dates: pd.Series) -> pd.Series:
    """Return the English financial year ("2023-24", 1 April to 31 March) of each date.

    Missing dates give None. Each distinct date is worked out once.
    """
    codes, uniques = pd.factorize(pd.to_datetime(pd.Series(dates), errors="coerce"))
    stamps = pd.DatetimeIndex(uniques)
    start = stamps.year - (stamps.month < 4)
    labels = [f"{y}-{(y + 1) % 100:02d}" for y in start]
    per_row = np.append(np.array(labels, dtype=object), None)[codes]
    return pd.Series(per_row, index=getattr(dates, "index", None), dtype=object)


def period_labels(payments: pd.DataFrame) -> pd.Series:
    """Return each row's period: its financial year, or its file where its date is missing.

    A row without a date in a file whose other rows have dates takes that file's most common
    financial year (so a few unreadable dates do not make a period of their own).
    """
    years = financial_year(payments["date"]).to_numpy(dtype=object)
    missing = pd.isna(years)
    if not missing.any():
        return pd.Series(years, index=payments.index, dtype=object)
    files = payments["file"].astype(object).to_numpy()
    known = pd.DataFrame({"file": files[~missing], "year": years[~missing]})
    main_year = known.groupby("file")["year"].agg(lambda s: s.value_counts().index[0]).to_dict()
    labels = years.copy()
    labels[missing] = [main_year.get(f, f"file {f}") for f in files[missing]]
    return pd.Series(labels, index=payments.index, dtype=object)


def periods_table(payments: pd.DataFrame, labels: Sequence[str], basis: Basis,
                  names: Sequence[str] | None = None) -> list[dict]:
    """Return one entry per period, in order, with its headline figures and its months.

    Each entry: ``period``, ``kind`` ("financial year" or "file"), ``first_date`` and
    ``last_date`` (ISO, None when undated), ``months`` (distinct calendar months with
    payments), ``rows``, ``files``, and the :func:`headline` figures over ``basis``.
    """
    if payments.empty:
        return []
    period = period_labels(payments)
    out = []
    for label in sorted(period.unique(), key=_period_order):
        inside = (period == label).to_numpy()
        rows = payments if inside.all() else payments[inside]  # one year: no copy
        dates = pd.to_datetime(rows["date"], errors="coerce").dropna()
        out.append({
            "period": label,
            "kind": "file" if label.startswith("file ") else "financial year",
            "first_date": dates.min().date().isoformat() if len(dates) else None,
            "last_date": dates.max().date().isoformat() if len(dates) else None,
            "months": len(np.unique(dates.to_numpy().astype("datetime64[M]"))),
            "rows": int(len(rows)),
            "files": sorted(_distinct_text(rows["file"])),
            **headline(rows, labels, basis, names),
        })
    return out


def _distinct_text(values: pd.Series) -> list[str]:
    """Return the distinct values of a column as text (a categorical's used categories)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        return [str(v) for v in values.cat.categories[np.unique(codes[codes >= 0])]]
    return [str(v) for v in values.astype(object).unique()]


def _period_order(label: str) -> tuple[int, str]:
    """Financial years in order, then file periods by name."""
    return (1, label) if label.startswith("file ") else (0, label)


def period_changes(periods: Sequence[dict]) -> list[dict]:
    """Return the change from each period to the next, per boundary, in £ and in points.

    Each entry: ``from``, ``to``, and ``boundaries``: per boundary ``label``, the £ inside
    before and after, ``inside_change`` (£, and ``_pence``), ``points_low`` and
    ``points_high`` (percentage points: the change in the low and in the high share).
    """
    changes = []
    for before, after in zip(periods, periods[1:], strict=False):
        rows = []
        for old, new in zip(before["boundaries"], after["boundaries"], strict=True):
            rows.append({"label": old["label"], "name": old["name"],
                         **money("inside_before", old["inside_pence"]),
                         **money("inside_after", new["inside_pence"]),
                         **money("inside_change", new["inside_pence"] - old["inside_pence"]),
                         "points_low": _points(old["share_low"], new["share_low"]),
                         "points_high": _points(old["share_high"], new["share_high"])})
        changes.append({"from": before["period"], "to": after["period"],
                        **money("total_change", after["total_pence"] - before["total_pence"]),
                        "boundaries": rows})
    return changes


def _points(old: float | None, new: float | None) -> float | None:
    """Change in percentage points, or None when either share is undefined."""
    return None if old is None or new is None else (new - old) * 100


def period_warnings(periods: Sequence[dict]) -> list[str]:
    """Return warnings a comparison of ``periods`` needs: overlaps and unequal lengths."""
    warnings = []
    lengths = {p["period"]: p["months"] for p in periods if p["months"]}
    if len(set(lengths.values())) > 1:
        listed = ", ".join(f"{name} {months} month(s)" for name, months in lengths.items())
        warnings.append(f"The periods compared are of different lengths ({listed}): compare "
                        "their shares, not their pounds, or give whole years.")
    dated = [p for p in periods if p["first_date"]]
    for i, first in enumerate(dated):
        for second in dated[i + 1:]:
            if first["first_date"] <= second["last_date"] and \
                    second["first_date"] <= first["last_date"]:
                warnings.append(f"Periods {first['period']} and {second['period']} overlap "
                                f"({first['first_date']} to {first['last_date']} against "
                                f"{second['first_date']} to {second['last_date']}): a payment "
                                "may be counted in both.")
    return warnings


def grouped_rows(payments: pd.DataFrame, by: str, labels: Sequence[str]) -> list[dict]:
    """Return spend grouped by a column as JSON-ready rows: £, local £, unknown £, shares.

    The rows' totals add up to the whole, to the penny (every row has a group; missing values
    are grouped as "(not given)"). Groups come in the order of their first row; each
    distinct value is named once.
    """
    if payments.empty:
        return []
    values = payments[by]
    values = values if isinstance(values.dtype, pd.CategoricalDtype) else \
        values.astype(object).astype("category")
    names = pd.Series(values.cat.categories, dtype=object)
    names = names.where(names != "", "(not given)")
    name_codes, group_names = pd.factorize(pd.concat([names, pd.Series(["(not given)"])],
                                                     ignore_index=True))
    codes = values.cat.codes.to_numpy()
    keys = name_codes[np.where(codes < 0, len(names), codes)]
    local_label = labels[0] if labels else "local"
    frame = pd.DataFrame({"key": keys, "pence": payments["amount_pence"].to_numpy(),
                          "local": (payments["location"] == local_label).to_numpy(),
                          "unknown": (payments["location"] == UNKNOWN).to_numpy()})
    frame["local_pence"] = np.where(frame["local"], frame["pence"], 0)
    frame["unknown_pence"] = np.where(frame["unknown"], frame["pence"], 0)
    sums = frame.groupby("key", sort=False)[["pence", "local_pence", "unknown_pence"]].sum()
    counts = frame.groupby("key", sort=False).size()
    out = []
    for key, row in sums.iterrows():
        total, local, unknown = (int(row["pence"]), int(row["local_pence"]),
                                 int(row["unknown_pence"]))
        out.append({by: group_names[key], "rows": int(counts[key]), **money("total", total),
                    **money("local", local), **money("unknown", unknown),
                    **money("non_local", total - local - unknown),
                    "local_share_low": share(local, total),
                    "local_share_high": share(local + unknown, total)})
    return out


def combine_councils(headlines: dict[str, dict]) -> dict:
    """Combine councils' headline figures: spend-weighted, and as an average of shares.

    Parameters
    ----------
    headlines : dict
        Council name -> its :func:`headline` (each over the same basis).

    Returns
    -------
    dict
        ``councils``: per council its £ total, £ local and local share (low, high);
        ``total`` and ``local`` (the combined £); ``share_weighted_low/high``, labelled
        "spend-weighted: all councils' local £ over all their spending"; and
        ``share_average_low/high``, labelled "average of councils' shares (each council
        counts the same)". The two differ whenever councils differ in size (CLES's Greater
        Manchester table: 61.7% spend-weighted against an average of 53.8%).

    References
    ----------
    METHODS.md §2: "Be exact about averages: the mean of several councils' percentages is not
    the spend-weighted share. Label which one a figure is."
    """
    rows = [{"council": name, **money("total", h["total_pence"]),
             **money("local", h["local_pence"]),
             "local_share_low": h["local_share_low"], "local_share_high": h["local_share_high"]}
            for name, h in headlines.items()]
    total = sum(r["total_pence"] for r in rows)
    local = sum(r["local_pence"] for r in rows)
    unknown = sum(h["unknown_pence"] for h in headlines.values())
    lows = [r["local_share_low"] for r in rows if r["local_share_low"] is not None]
    highs = [r["local_share_high"] for r in rows if r["local_share_high"] is not None]
    return {"councils": rows, **money("total", total), **money("local", local),
            "share_weighted_low": share(local, total),
            "share_weighted_high": share(local + unknown, total),
            "share_weighted_label": "spend-weighted: all councils' local £ over all their "
                                    "spending",
            "share_average_low": sum(lows) / len(lows) if lows else None,
            "share_average_high": sum(highs) / len(highs) if highs else None,
            "share_average_label": "average of councils' shares (each council counts the "
                                   "same)"}
