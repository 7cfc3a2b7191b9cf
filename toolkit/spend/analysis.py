"""Where a council's money goes: the CLES spend analysis of payments files.

The method follows the Centre for Local Economic Strategies (CLES) spend analysis used in
Preston and Manchester (METHODS.md §2):

1. Read the payments files (:mod:`toolkit.spend.read`): every record after the header, money
   in integer pence so that totals reconcile exactly.
2. Find where each supplier is based. The rule that placed each supplier is shown:

   - ``supplier list``: the user's own list (name, postcode, type), matched on the supplier ID
     when the list has one, else on the normalised name ("Ltd" = "Limited", case and
     punctuation ignored, a leading "The" dropped);
   - ``postcode column``: the file's own supplier postcode column;
   - ``postcode in supplier name (low confidence)``: only when the user asks for it
     (``use_name_postcodes``). A postcode written inside a supplier's name is often the
     council's own premises, so by default it is reported as a hint, never a placement;
   - ``not placed``: the supplier stays unknown. Nothing is guessed.

3. Classify spend: inside the boundary ("local"), in the wider area(s) when nested boundaries
   are given, elsewhere in the UK, outside the UK, or unknown. A supplier whose location is not
   known is neither local nor non-local; the local share is a range:
   low = local / total (unknown counted non-local), high = (local + unknown) / total (unknown
   counted local). ``local + non_local + unknown == total`` always, to the penny.
4. Mark, without removing, payments that are not procurement: redacted personal data,
   purchase-card payments, personal budgets (direct payments), payments to public bodies, to
   HMRC and to pension funds. They stay in the total and are reported; the share of
   procurement spending (without them) is given beside the share of all payments.
5. Voluntary and community sector (VCSE): spend counted from expense types ("Voluntary
   Associations") and from the supplier list's type. Name signs (charity, community interest
   company, association, trust and the like) are reported separately as "probable", never for
   a public body (NHS trusts, academy trusts, councils, universities).
6. Report totals, the top suppliers (CLES looks at the top 300; the Greater Manchester
   benchmark the top 30), spend by month and by category.

All shares here are spend-weighted (a sum of pounds over a sum of pounds). Where an average of
percentages is shown (such as the mean of monthly shares) it is labelled as an unweighted mean.

References
----------
METHODS.md §2: CLES spend analysis (Preston, Manchester), Preston City Council's spend analysis
guide, URBACT "Making Spend Matter".
METHODS.md §1: "local" is the user's choice and results state it; nested boundaries.
"""

from __future__ import annotations

import copy
import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.cell_safety import restore_text
from toolkit.inputs.errors import InputError, Report
from toolkit.inputs.geography import (
    Boundary,
    NestedBoundaries,
    find_postcodes_in_text,
    is_placeholder,
    normalise_postcode,
    outside_uk_reason,
)
from toolkit.inputs.names import supplier_key
from toolkit.spend import DEFAULT_TOP
from toolkit.spend.checks import exact_total, int64_sums_are_exact, per_distinct, sums_by_code
from toolkit.spend.periods import (
    Basis,
    grouped_rows,
    headline,
    money,
    parse_basis,
    period_changes,
    period_warnings,
    periods_table,
    share,
)
from toolkit.spend.read import (
    Payments,
    detect_encoding,
    match_values,
    read_payments,
)

UNKNOWN = "unknown"
MARKS = ("redacted", "purchase_card", "personal_budget", "public_body", "hmrc", "pension_fund")
RULE_LIST = "supplier list"
RULE_COLUMN = "postcode column"
RULE_NAME = "postcode in supplier name (low confidence)"
RULE_NONE = "not placed"
RULE_NO_BOUNDARY = "no boundary given"

@dataclass
class SupplierList:
    """Suppliers the user keeps: name, postcode, type (and optionally a supplier ID).

    Attributes
    ----------
    frame : DataFrame
        Columns ``name``, ``key``, ``postcode``, ``type``, ``supplier_id``, ``line``.
    source : str
        The file's name.
    """

    frame: pd.DataFrame
    source: str = "supplier list"

    def by_key(self) -> pd.DataFrame:
        """Return the list indexed by normalised name (first entry of each name wins)."""
        return self.frame.drop_duplicates("key").set_index("key")

    def by_id(self) -> pd.DataFrame:
        """Return the entries with a supplier ID, indexed by it (first wins)."""
        with_id = self.frame[self.frame["supplier_id"] != ""]
        return with_id.drop_duplicates("supplier_id").set_index("supplier_id")


_LIST_COLUMNS = {
    "name": ("name", "supplier", "supplier name", "supplier_name", "payee", "vendor"),
    "postcode": ("postcode", "post code", "supplier postcode", "postal code"),
    "type": ("type", "supplier type", "business type", "kind", "organisation type", "sector"),
    "supplier_id": ("supplier id", "supplier_id", "id", "supplier number", "vendor id"),
    "size": ("size", "supplier size", "business size", "company size", "sme", "sme status"),
}

#: A supplier list's size words: SME (micro, small or medium) or large; others are unknown.
SME_WORDS = ("sme", "micro", "small", "medium", "small or medium", "small and medium")
LARGE_WORDS = ("large", "big", "non-sme", "non sme", "not sme")


def read_supplier_list(path, report: Report | None = None) -> SupplierList:
    """Read a supplier list CSV: name, postcode, type (supplier ID optional).

    The file written by :meth:`SpendResult.write_unplaced` is such a list once its postcode
    (and type) cells are filled in. Rows without a name are skipped with a notice; names
    listed twice with different postcodes are reported (the first is used).

    Parameters
    ----------
    path : path-like
        The CSV file.
    report : Report, optional
        Collects notices and warnings.

    Returns
    -------
    SupplierList

    Raises
    ------
    InputError
        When the file has no name column.
    """
    path = Path(path)
    report = report if report is not None else Report()
    if not path.exists():
        raise InputError(f"{path}: supplier list not found.")
    raw = path.read_bytes()
    encoding, _ = detect_encoding(raw)
    text = raw.decode(encoding, errors="replace").lstrip("\ufeff").replace("ï»¿", "", 1)
    rows = list(csv.reader(text.splitlines()))
    if not rows:
        raise InputError(f"{path.name}: the supplier list is empty.")
    header = [" ".join(h.strip().lower().replace("_", " ").split()) for h in rows[0]]
    index = {}
    for role, names in _LIST_COLUMNS.items():
        names = tuple(n.replace("_", " ") for n in names)
        index[role] = next((header.index(n) for n in names if n in header), None)
    if index["name"] is None:
        raise InputError(f"{path.name}: the supplier list needs a 'name' column (and "
                         f"'postcode', 'type'). Found: {', '.join(rows[0])}.")
    records = []
    for line, cells in enumerate(rows[1:], start=2):
        values = {role: restore_text(cells[i].strip() if i is not None and i < len(cells)
                                     else "")
                  for role, i in index.items()}
        if not values["name"]:
            if any(c.strip() for c in cells):
                report.notice("Row without a supplier name skipped.", file=path.name, row=line)
            continue
        if is_placeholder(values["supplier_id"]):
            values["supplier_id"] = ""
        records.append({**values, "key": supplier_key(values["name"]), "line": line})
    frame = pd.DataFrame(records, columns=["name", "postcode", "type", "supplier_id", "size",
                                           "key", "line"])
    _report_list_conflicts(frame, path.name, report)
    return SupplierList(frame, path.name)


def _report_list_conflicts(frame: pd.DataFrame, source: str, report: Report) -> None:
    """Warn about a name listed twice with different postcodes."""
    if frame.empty:
        return
    counts = frame.groupby("key")["postcode"].nunique()
    for key in counts[counts > 1].index:
        rows = frame[frame["key"] == key]
        report.warning(
            f"Supplier listed {len(rows)} times with different postcodes "
            f"({', '.join(rows['postcode'])}); the first (line {rows['line'].iloc[0]}) is used.",
            file=source, row=int(rows["line"].iloc[1]), value=rows["name"].iloc[0])


def _as_nested(boundary) -> NestedBoundaries | None:
    """Return ``boundary`` as nested boundaries (one level for a single Boundary)."""
    if boundary is None or isinstance(boundary, NestedBoundaries):
        return boundary
    if isinstance(boundary, Boundary):
        return NestedBoundaries([boundary], labels=["local"])
    if isinstance(boundary, (list, tuple)):
        return NestedBoundaries(boundary)
    raise TypeError("boundary must be a Boundary, NestedBoundaries, a list of them, or None")


def _classify_texts(values, nested: NestedBoundaries | None) -> np.ndarray:
    """Classify each postcode text (object array); unknown where no boundary is given."""
    if nested is None:
        return np.full(len(values), UNKNOWN, dtype=object)
    nested.prepare(values)
    return np.array([nested.classify(v) for v in values], dtype=object)


def _readable(text) -> bool:
    """Whether ``text`` is a postcode that can say where a supplier is (UK or outside UK)."""
    return normalise_postcode(text) is not None or outside_uk_reason(text) is not None


@dataclass
class SpendResult:
    """The result of a spend analysis; see :func:`analyse_spending` and the module docstring.

    Attributes
    ----------
    payments : DataFrame
        One row per used record: ``file``, ``line``, ``date``, ``month``, ``supplier``,
        ``supplier_key``, ``amount_pence``, ``category``, ``location``, ``rule``, ``postcode_used``,
        a boolean per mark (``redacted``, ``purchase_card``, ``personal_budget``,
        ``public_body``, ``hmrc``, ``pension_fund``), ``procurement``, ``vcse``,
        ``vcse_probable``, ``name_postcode_only``.
    suppliers : DataFrame
        One row per supplier (by normalised name), largest first.
    rejected : DataFrame
        Records not used: ``file``, ``line``, ``reason``, ``value``.
    records : int
        Data records after the header rows (used plus rejected).
    nested : NestedBoundaries or None
        The boundary (or boundaries) used.
    report : Report
        Notices and warnings from reading and analysis.
    files : list
        Per file: name, encoding, header line, records and the columns used.
    use_name_postcodes : bool
    top_n : int
        How many top suppliers to report (CLES: 300).
    basis : Basis
        What the headline shares are computed over (all spending, or the top N suppliers).
    spender : str or None
        Who spent the money, as packs name it ("Calderdale Council", or "Preston's anchor
        institutions" where the registry says so).
    """

    payments: pd.DataFrame
    suppliers: pd.DataFrame
    rejected: pd.DataFrame
    records: int
    nested: NestedBoundaries | None
    report: Report
    files: list = field(default_factory=list)
    use_name_postcodes: bool = False
    top_n: int = DEFAULT_TOP
    basis: Basis = field(default_factory=Basis)
    spender: str | None = None
    _summary: dict | None = field(default=None, repr=False, compare=False)

    # ---- totals -------------------------------------------------------------------------
    def _sum(self, mask=None) -> int:
        """Sum of ``amount_pence`` over ``mask`` (all rows when None), as a Python int."""
        amounts = self.payments["amount_pence"].to_numpy()
        return exact_total(amounts if mask is None else amounts[mask])

    def location_totals(self, mask=None) -> dict[str, int]:
        """Return pence by location (every category, zeros included) over ``mask``."""
        frame = self.payments if mask is None else self.payments[mask]
        if not int64_sums_are_exact(frame["amount_pence"].to_numpy()):
            where = frame["location"].to_numpy()
            pence = frame["amount_pence"].to_numpy()
            return {label: exact_total(pence[where == label]) for label in self.categories}
        sums = frame.groupby("location", observed=False)["amount_pence"].sum()
        return {label: int(sums.get(label, 0)) for label in self.categories}

    @property
    def categories(self) -> list[str]:
        """Every location label, innermost first, ending with "unknown"."""
        if self.nested is None:
            return ["local", "rest_of_uk", "outside_uk", UNKNOWN]
        return self.nested.categories

    def summary(self) -> dict:
        """Return the headline results as a JSON-ready dict.

        Money is given twice: in pounds as numbers rounded to 2 dp (``total``, ``local`` ...)
        and exactly in integer pence (``total_pence``, ``local_pence`` ...). Shares are
        fractions of 1, spend-weighted; ``None`` when the total is not above zero.
        ``local + non_local + unknown == total`` always (exactly, in pence).

        Returns
        -------
        dict
            ``rows``: data records after the header rows over all files (title rows and
            blank lines are not records); ``used_rows``; ``rejected_count``;
            ``rejected_rows``: each record not used, as ``{file, line, reason, value}``
            (marked rows are used, not rejected);
            ``total``, ``local``, ``non_local``, ``unknown`` (and ``*_pence``);
            ``local_share_low`` (unknown counted non-local), ``local_share_high`` (unknown
            counted local); ``by_location``: money for each location (local, wider, ...,
            rest_of_uk, outside_uk, unknown); ``cumulative_shares``: within each boundary
            (local; local + wider ...), low and high;
            ``procurement_total``, ``procurement_local_share_low/high``: without marked
            payments; ``non_procurement_total``; ``marks``: rows and money per mark
            (redacted, purchase_card, personal_budget, public_body, hmrc, pension_fund; a row
            may carry several); ``redacted_rows``, ``redacted_total``;
            ``vcse_total`` (expense type or supplier list), ``vcse_probable_total`` (name
            signs only, never public bodies); ``name_postcode_total``: spending whose only
            postcode is one inside the supplier's name; ``use_name_postcodes``;
            ``suppliers``, ``suppliers_placed``, ``placement_rules`` (money by rule);
            ``top_suppliers_n``, ``top_suppliers_total``,
            ``top_suppliers_local_share_low/high`` (CLES: top 300);
            ``boundary_given``, ``boundary`` (in words); ``files`` (encoding, header line,
            records, columns used); ``notes``; ``problems``; ``share_kind``; ``units``.
        """
        if self._summary is None:
            self._summary = self._compute_summary()
        return copy.deepcopy(self._summary)

    def _compute_summary(self) -> dict:
        """Compute :meth:`summary` (cached there: the result does not change)."""
        by_location = self.location_totals()
        total = self._sum()
        local = by_location.get("local", 0)
        unknown = by_location[UNKNOWN]
        non_local = total - local - unknown
        procurement = self.payments["procurement"].to_numpy()
        proc_loc = self.location_totals(procurement)
        proc_total = self._sum(procurement)
        marked = {mark: self._mark_summary(mark) for mark in MARKS}
        out = {
            "rows": int(self.records),
            "used_rows": int(len(self.payments)),
            "rejected_count": int(len(self.rejected)),
            **_money("total", total),
            **_money("local", local),
            **_money("non_local", non_local),
            **_money("unknown", unknown),
            "local_share_low": _share(local, total),
            "local_share_high": _share(local + unknown, total),
            "share_kind": "spend-weighted: pounds over pounds, not an average of percentages",
            "by_location": {label: _money_pair(p) for label, p in by_location.items()},
            "cumulative_shares": self._cumulative_shares(by_location, total),
            "boundaries": self.boundary_results(by_location, total),
            **_money("procurement_total", proc_total),
            "procurement_local_share_low": _share(proc_loc.get("local", 0), proc_total),
            "procurement_local_share_high": _share(
                proc_loc.get("local", 0) + proc_loc[UNKNOWN], proc_total),
            **_money("non_procurement_total", total - proc_total),
            "marks": marked,
            "redacted_rows": marked["redacted"]["rows"],
            **_money("redacted_total", marked["redacted"]["total_pence"]),
            **_money("vcse_total", self._sum(self.payments["vcse"].to_numpy())),
            **_money("vcse_probable_total", self._sum(self.payments["vcse_probable"].to_numpy())),
            **_money("name_postcode_total",
                     self._sum(self.payments["name_postcode_only"].to_numpy())),
            "use_name_postcodes": self.use_name_postcodes,
            "suppliers": int(len(self.suppliers)),
            "suppliers_placed": int((self.suppliers["location"] != UNKNOWN).sum()),
            "placement_rules": self._rule_totals(),
            "top_suppliers_n": self.top_n,
            **self._top_shares(),
            "basis": self.basis.key,
            "headline": self._with_kinds(headline(self.payments, self._labels(), self.basis,
                                                   self._names())),
            "periods": (periods := periods_table(self.payments, self._labels(), self.basis,
                                                 self._names())),
            "period_changes": period_changes(periods),
            "by_month": self.by_month_rows(),
            "by_category": self.by_category_rows(),
            "vcse_sources": self._vcse_sources(),
            "sme": self._sme_summary(),
            "boundary_given": self.nested is not None,
            "boundary": self.boundary_text(),
            "rejected_rows": self._rejected_list(),
            "not_used": self._not_used_totals(),
            "unattributed_rows": int((self.rejected.get("kind", pd.Series(dtype=object))
                                      == "unattributed").sum()),
            **_money("unattributed_total", self._rejected_sum("unattributed")),
            "files": self.files,
            "notes": self.notes(total, unknown) + period_warnings(periods),
            "problems": [p.text() for p in self.report.problems],
            "units": "Money: pounds as numbers with 2 decimal places (total, local, ...) and "
                     "exact integer pence (*_pence). Shares: fractions of 1 (0.25 = 25%).",
        }
        return out

    def _with_kinds(self, figures: dict) -> dict:
        """Add each boundary's ``codes``, ``level`` and ``kind`` to the headline's entries."""
        if self.nested is not None:
            for entry, boundary in zip(figures.get("boundaries", []), self.nested.boundaries,
                                       strict=False):
                entry.update({"codes": boundary.official_codes,
                              "level": boundary.level or "as given", "kind": boundary.kind})
        return figures

    def _labels(self) -> list[str]:
        """Boundary labels, innermost first (``["local"]`` when none was given)."""
        return self.nested.labels if self.nested is not None else ["local"]

    def _names(self) -> list[str]:
        """Boundary names as the user gave them, innermost first."""
        if self.nested is None:
            return ["no boundary given"]
        return [b.name for b in self.nested.boundaries]

    def _vcse_sources(self) -> dict:
        """Spend with VCSE suppliers by source, each counted apart (a row may be in several).

        Sources: the supplier list's type; the file's own charity registration and VCSE
        columns (the LGA's recommended layout); the expense type ("Voluntary Associations");
        name signs (charity, CIC, trust, association...) on their own, low confidence and
        never for public bodies, NHS or academy trusts or housing associations.
        """
        sources = {"supplier_list_type": "vcse_list", "file_columns": "vcse_file",
                   "expense_type": "vcse_expense", "name_signs_low_confidence": "vcse_probable"}
        out = {}
        for name, column in sources.items():
            mask = self.payments[column].to_numpy()
            out[name] = {**money("total", self._sum(mask)),
                         "suppliers": int(self.payments.loc[mask, "supplier_key"].nunique())}
        return out

    def _sme_summary(self) -> dict:
        """Spend with SMEs and large suppliers, from the supplier list's size; else unknown."""
        size = self.payments["size_class"].astype(object).to_numpy()
        total = self._sum()
        sme, large = self._sum(size == "sme"), self._sum(size == "large")
        return {**money("sme_total", sme), **money("large_total", large),
                **money("size_unknown_total", total - sme - large),
                "sme_share_of_known": share(sme, sme + large),
                "sme_share_low": share(sme, total),
                "sme_share_high": share(total - large, total),
                "source": "the supplier list's size column (SME: micro, small or medium)"}

    def by_month_rows(self) -> list[dict]:
        """Spend by month as JSON rows (£, local £, unknown £, shares), summing to the total."""
        rows = grouped_rows(self.payments, "month", self._labels())
        return sorted(rows, key=lambda r: (r["month"] == "unknown date", r["month"]))

    def by_category_rows(self) -> list[dict]:
        """Spend by expense type or category as JSON rows, largest first, summing to the total."""
        rows = grouped_rows(self.payments, "category", self._labels())
        return sorted(rows, key=lambda r: -r["total_pence"])

    def _mark_summary(self, mark: str) -> dict:
        """Rows and money of one mark (such as redacted)."""
        mask = self.payments[mark].to_numpy()
        return {"rows": int(mask.sum()), **_money("total", self._sum(mask))}

    def _cumulative_shares(self, by_location: dict[str, int], total: int) -> dict:
        """Share within each boundary counting everything inside it (local, local+wider...)."""
        out, inside = {}, 0
        labels = self.nested.labels if self.nested is not None else ["local"]
        for label in labels:
            inside += by_location.get(label, 0)
            out[label] = {"low": _share(inside, total),
                          "high": _share(inside + by_location[UNKNOWN], total)}
        return out

    def boundary_results(self, by_location: dict[str, int] | None = None,
                         total: int | None = None) -> list[dict]:
        """Return one entry per boundary, innermost first, in the shared shape.

        Each gives ``name``, ``codes``, ``level``, ``kind``, ``inside`` (pounds, central,
        cumulative: a county's includes its districts) and ``share_low`` (unknown and
        partly-local counted not local), ``share_central`` (a partly-local district counted
        by its share of postcodes inside: the share of the district's postcodes, not of its
        people) and ``share_high`` (both counted local).

        References
        ----------
        METHODS.md §1 (nested boundaries) and §2 (unknown shown as a range).
        """
        if self.nested is None:
            return []
        by_location = self.location_totals() if by_location is None else by_location
        total = self._sum() if total is None else total
        out, inside = [], 0
        for label, boundary in zip(self.nested.labels, self.nested.boundaries, strict=True):
            inside += by_location.get(label, 0)
            partial = self._partly_inside(boundary)
            entry = boundary.result(round((inside + partial) / 100, 2),
                                    (_share(inside, total), _share(inside + partial, total),
                                     _share(inside + by_location[UNKNOWN], total)),
                                    round(total / 100, 2))
            entry["label"] = label
            entry["partly_local"] = round(partial / 100, 2)
            out.append(entry)
        return out

    def _partly_inside(self, boundary) -> float:
        """Pence of unknown rows counted inside by their district's share of postcodes."""
        unknown = self.payments[self.payments["location"] == UNKNOWN]
        if not len(unknown) or not hasattr(boundary, "share"):
            return 0.0
        sums = unknown.groupby("postcode_used", observed=True)["amount_pence"].sum()
        pence = 0.0
        for text, amount in sums.items():
            share = boundary.share(str(text)) if str(text) else None
            if share is not None and 0.0 < share < 1.0:
                pence += share * int(amount)
        return pence

    def _rule_totals(self) -> dict:
        """Money and suppliers by the rule that placed them."""
        sums = self.payments.groupby("rule", observed=True)["amount_pence"].sum()
        return {rule: _money_pair(int(p)) for rule, p in sums.items()}

    def _top_shares(self) -> dict:
        """Local share (low, high) within the top ``top_n`` suppliers, as CLES reports it."""
        top = self.suppliers.head(self.top_n)
        total = int(top["total_pence"].sum())
        local = int(top.loc[top["location"] == "local", "total_pence"].sum())
        unknown = int(top.loc[top["location"] == UNKNOWN, "total_pence"].sum())
        return {**_money("top_suppliers_total", total),
                **_money("top_suppliers_local", local),
                "top_suppliers_local_share_low": _share(local, total),
                "top_suppliers_local_share_high": _share(local + unknown, total)}

    def _rejected_list(self) -> list[dict]:
        """Rejected records as plain dicts (``kind`` and ``amount_pence`` when known)."""
        out = []
        for r in self.rejected.itertuples(index=False):
            row = {"file": r.file, "line": int(r.line), "reason": r.reason, "value": r.value}
            if hasattr(r, "kind"):
                row.update(kind=r.kind, amount_pence=int(r.amount_pence))
            out.append(row)
        return out

    def _rejected_sum(self, kind: str) -> int:
        """Pence of the records not used for one reason (0 when the frame has no kinds)."""
        if "kind" not in self.rejected:
            return 0
        mask = (self.rejected["kind"] == kind).to_numpy()
        return exact_total(self.rejected["amount_pence"].to_numpy()[mask])

    def _not_used_totals(self) -> dict:
        """Rows and money (where readable) of the records not used, by kind of reason."""
        if "kind" not in self.rejected or self.rejected.empty:
            return {}
        counts = self.rejected["kind"].value_counts()
        return {kind: {"rows": int(counts[kind]), **_money("total", self._rejected_sum(kind))}
                for kind in counts.index}

    def boundary_text(self) -> str | None:
        """Return the boundary (or boundaries) in words, or None when none was given."""
        if self.nested is None:
            return None
        return "; ".join(f"{label}: {b.describe()}"
                         for label, b in zip(self.nested.labels, self.nested.boundaries,
                                             strict=True))

    def notes(self, total: int | None = None, unknown: int | None = None) -> list[str]:
        """Return plain-English notes a reader of the results needs."""
        total = self._sum() if total is None else total
        unknown = self.location_totals()[UNKNOWN] if unknown is None else unknown
        notes = [] if self.nested is None else [
            note for b in self.nested.boundaries for note in getattr(b, "notes", [])]
        if self.nested is None:
            notes.append("No boundary was given, so every supplier is unknown: give local "
                         "postcodes to place suppliers.")
        if total <= 0:
            notes.append("The total is not above zero, so no share can be given.")
        elif unknown:
            notes.append(unknown_words(unknown, total))
        if self.use_name_postcodes:
            notes.append("Postcodes found inside supplier names were used to place suppliers "
                         "(low confidence: they are often the council's own premises).")
        if len(self.rejected):
            notes.append(f"{len(self.rejected)} record(s) were not used: see rejected_rows.")
        if unattributed := self._rejected_sum("unattributed"):
            notes.append(f"£{unattributed / 100:,.2f} on lines with an amount but no supplier "
                         "and no date (not sums of the rows above) is not in the total: decide "
                         "whether they are payments (see unattributed_total).")
        return notes

    # ---- tables -------------------------------------------------------------------------
    def top_suppliers(self, n: int | None = None) -> pd.DataFrame:
        """Return the ``n`` largest suppliers (default :attr:`top_n`, CLES: 300) by spend.

        Columns: ``rank``, ``supplier``, ``supplier_id``, ``rows``, ``total`` (pounds),
        ``total_pence``, ``share`` (of all spend), ``location``, ``rule``, ``postcode``,
        ``type``, ``vcse``, ``vcse_probable``, ``marks``, ``postcode_in_name``.
        """
        top = self.suppliers.head(self.top_n if n is None else n).copy()
        total = self._sum()
        top.insert(0, "rank", np.arange(1, len(top) + 1))
        top["share"] = top["total_pence"] / total if total > 0 else np.nan
        return top.reset_index(drop=True)

    def _grouped(self, by: str) -> pd.DataFrame:
        """Spend by ``by`` (a payments column) and location, in pounds, with shares."""
        pivot = self.payments.pivot_table(index=by, columns="location", values="amount_pence",
                                          aggfunc="sum", fill_value=0, observed=False)
        pivot = pivot.reindex(columns=self.categories, fill_value=0).astype("int64")
        out = pd.DataFrame(index=pivot.index)
        out["rows"] = self.payments.groupby(by, observed=False).size().reindex(pivot.index)
        out["total_pence"] = pivot.sum(axis=1)
        out["local_pence"] = pivot.get("local", 0)
        out["unknown_pence"] = pivot[UNKNOWN]
        out["non_local_pence"] = out["total_pence"] - out["local_pence"] - out["unknown_pence"]
        for name in ("total", "local", "non_local", "unknown"):
            out[name] = out[f"{name}_pence"] / 100
        positive = out["total_pence"] > 0
        out["local_share_low"] = np.where(positive, out["local_pence"] / out["total_pence"]
                                          .where(positive, 1), np.nan)
        out["local_share_high"] = np.where(
            positive, (out["local_pence"] + out["unknown_pence"]) / out["total_pence"]
            .where(positive, 1), np.nan)
        return out

    def by_month(self) -> pd.DataFrame:
        """Return spend by month ("YYYY-MM"; "unknown date" for unreadable dates).

        Each month's shares are spend-weighted within the month. ``attrs["mean_share_low"]``
        and ``attrs["mean_share_high"]`` hold the unweighted mean of the monthly shares,
        labelled as such: it is not the year's share.
        """
        out = self._grouped("month")
        out.attrs["mean_share_low"] = float(out["local_share_low"].mean())
        out.attrs["mean_share_high"] = float(out["local_share_high"].mean())
        out.attrs["note"] = ("mean_share_* are unweighted means of monthly shares, not the "
                             "spend-weighted share of the whole period")
        return out

    def by_category(self) -> pd.DataFrame:
        """Return spend by the file's main expense type or category column, largest first.

        Payments with no category are shown as "(not given)".
        """
        out = self._grouped("category").sort_values("total_pence", ascending=False)
        return out.rename(index={"": "(not given)"})

    def by_file(self) -> pd.DataFrame:
        """Return spend by payments file."""
        return self._grouped("file")

    def unplaced(self) -> pd.DataFrame:
        """Return suppliers not placed, largest first, as a supplier list to fill in.

        Columns ``name``, ``postcode`` (blank, for the user), ``type``, ``supplier_id``,
        ``total`` (pounds), ``rows``, ``postcode_in_name`` (a hint only). Left out, as they
        cannot or need not be placed: redacted names, placeholders such as "VARIOUS",
        personal budgets and HMRC.
        """
        sup = self.suppliers
        keep = ((sup["location"] == UNKNOWN) & ~sup["redacted"] & ~sup["placeholder"]
                & ~sup["personal_budget"] & ~sup["hmrc"])
        rows = sup[keep]
        return pd.DataFrame({
            "name": rows["supplier"].to_numpy(),
            "postcode": "",
            "type": rows["type"].to_numpy(),
            "supplier_id": rows["supplier_id"].to_numpy(),
            "total": (rows["total_pence"] / 100).round(2).to_numpy(),
            "rows": rows["rows"].to_numpy(),
            "postcode_in_name": rows["postcode_in_name"].to_numpy(),
        })

    def charts(self, top: int = 20) -> dict:
        """Return the standard charts as matplotlib Figures, each with ``fig.alt_text``.

        Keys: ``locations`` (spend by supplier location), ``by_month``, ``top_suppliers``
        (the ``top`` largest), and ``periods`` when there are several periods. See
        :mod:`toolkit.spend.charts`.
        """
        from toolkit.spend.charts import (
            chart_by_month,
            chart_locations,
            chart_periods,
            chart_top_suppliers,
        )

        charts = {"locations": chart_locations(self), "by_month": chart_by_month(self),
                  "top_suppliers": chart_top_suppliers(self, top)}
        if len(self.summary()["periods"]) > 1:
            charts["periods"] = chart_periods(self)
        return charts

    def write_unplaced(self, path) -> Path:
        """Write :meth:`unplaced` as CSV (UTF-8); fill in ``postcode`` and pass it back.

        Names that a spreadsheet could run as a formula are written with a quote in front
        (:mod:`toolkit.cell_safety`); :func:`read_supplier_list` takes it off again.
        """
        from toolkit.cell_safety import write_csv

        return write_csv(self.unplaced(), path)


_money = money
_share = share


def _money_pair(pence: int) -> dict:
    """Return ``{"total": pounds, "total_pence": pence}``."""
    return money("total", pence)


def unknown_words(unknown: int, total: int) -> str:
    """Say how much spending is with suppliers of unknown location, and what that does.

    Less than 0.1% is said as such, with its pounds, and the share is then one figure.
    """
    part = unknown / total
    if part < 0.0005:
        return (f"Less than 0.1% of spending (£{unknown / 100:,.2f}) is with suppliers whose "
                "location is not known: too little to move the local share at 0.1 point.")
    return (f"{part:.1%} of spending (£{unknown / 100:,.0f}) is with suppliers whose location "
            "is not known: the local share is given as a range (low: unknown counted "
            "non-local; high: unknown counted local).")


def share_range_words(low: float | None, high: float | None) -> str:
    """Return a share range to 0.1 point, as one figure when both ends round alike."""
    if low is None or high is None:
        return "n/a"
    if f"{low:.1%}" == f"{high:.1%}":
        return f"{low:.1%}"
    return f"{low:.1%} to {high:.1%}"


def analyse_spending(files, boundary=None, supplier_list=None, use_name_postcodes: bool = False,
                     columns: dict | None = None, top_n: int | None = None,
                     basis=None, max_payment: float | None = None) -> SpendResult:
    """Analyse council payments files: where the money goes (CLES spend analysis).

    Parameters
    ----------
    files : path-like, list of path-like, or Payments
        One or more payments CSV files (a year of months reads as one), or payments already
        read with :func:`toolkit.spend.read.read_payments`.
    boundary : Boundary, NestedBoundaries, list of Boundary, or None
        What "local" means (innermost first when nested). None: every supplier is unknown and
        the results say so.
    supplier_list : path-like or SupplierList, optional
        The user's list of suppliers (name, postcode, type, optional supplier ID).
    use_name_postcodes : bool, default False
        Place suppliers by a postcode written inside their name (low confidence).
    columns : dict, optional
        Column names by role: ``amount``, ``supplier``, ``date``, ``supplier_id``,
        ``postcode``, ``category``.
    top_n : int, optional
        Number of top suppliers to report; default the setting ``spend.top_suppliers`` (300,
        as CLES).
    basis : str or Basis, optional
        What the headline shares are computed over: ``"all"`` spending, or ``"top:N"``, the
        payments to the N largest suppliers (CLES: top 300; the Greater Manchester benchmark
        top 30). Default: the setting ``spend.basis`` ("all").
    max_payment : float, optional
        Plausibility cap in pounds: a payment above it is not used and is listed. Default:
        the setting ``spend.max_payment`` (£10 billion).

    Returns
    -------
    SpendResult

    References
    ----------
    METHODS.md §2 (CLES spend analysis; unknown shown as unknown; local share as a range;
    weighted shares versus averages of percentages).
    """
    payments = (files if isinstance(files, Payments)
                else read_payments(files, columns, max_payment))
    report = Report()
    report.extend(payments.report)
    if supplier_list is not None and not isinstance(supplier_list, SupplierList):
        supplier_list = read_supplier_list(supplier_list, report)
    nested = _as_nested(boundary)
    frame = payments.frame
    table = _supplier_attributes(frame, supplier_list)
    out = _row_results(frame, table, nested, use_name_postcodes, supplier_list)
    suppliers = _supplier_table(out, table)
    files_info = [{"file": f.path.name, "encoding": f.encoding, "header_line": f.header_line,
                   "records": f.records, "reader": f.reader,
                   "columns": {k: v for k, v in vars(f.columns).items() if v}}
                  for f in payments.files]
    _report_name_postcodes(out, use_name_postcodes, report)
    chosen = parse_basis(basis if basis is not None else _setting("spend.basis", "all"))
    return SpendResult(out, suppliers, payments.rejected, payments.records, nested, report,
                       files_info, use_name_postcodes, top_n or _default_top(), chosen)


def _default_top() -> int:
    """Return the setting ``spend.top_suppliers`` (CLES: 300)."""
    try:
        return int(_setting("spend.top_suppliers", DEFAULT_TOP))
    except (TypeError, ValueError):
        return DEFAULT_TOP


def _setting(key: str, default):
    """Return a default setting's value (the shipped defaults), or ``default``."""
    try:
        return _default_settings().value(key)
    except (ImportError, KeyError, TypeError, ValueError):
        return default


@lru_cache(maxsize=1)
def _default_settings():
    """Return the shipped default settings, read once per process."""
    from toolkit.inputs.settings import load_settings

    return load_settings()


def _supplier_attributes(frame: pd.DataFrame, supplier_list: SupplierList | None
                         ) -> pd.DataFrame:
    """One row per distinct supplier name as written: key, marks, list match, name postcode."""
    names = pd.Series(frame["supplier"].cat.categories, dtype=object)
    table = pd.DataFrame({"name": names})
    table["key"] = names.map(supplier_key)
    for mark in ("redacted", "purchase_card", "personal_budget", "hmrc", "pension_fund",
                 "placeholder_supplier"):
        table[f"name_{mark}"] = match_values(names, mark)
    public = match_values(names, "public_body") & ~match_values(names, "public_body_not")
    table["name_public_body"] = public
    table["name_vcse"] = match_values(names, "vcse_name") & ~match_values(names, "vcse_name_not")
    name_postcodes = [find_postcodes_in_text(n) for n in names]
    table["postcode_in_name"] = [pcs[0].full if pcs else "" for pcs in name_postcodes]
    table["list_postcode"], table["list_type"], table["list_size"] = "", "", ""
    if supplier_list is not None and not supplier_list.frame.empty:
        listed = supplier_list.by_key()
        table["list_postcode"] = table["key"].map(listed["postcode"]).fillna("")
        table["list_type"] = table["key"].map(listed["type"]).fillna("")
        # a size in the type column ("SME", "large") counts when no size column says
        size = listed["size"].where(listed["size"] != "", listed["type"])
        table["list_size"] = table["key"].map(size).fillna("")
    return table


def _list_by_id(frame: pd.DataFrame, supplier_list: SupplierList | None,
                postcodes: pd.Categorical, types: pd.Categorical
                ) -> tuple[pd.Categorical, pd.Categorical]:
    """Per row: the list's postcode and type, matched by supplier ID where the list has one.

    A match by ID wins over a match by name.
    """
    if supplier_list is None or supplier_list.frame.empty:
        return postcodes, types
    listed = supplier_list.by_id()
    if listed.empty:
        return postcodes, types
    id_codes, id_uniques = pd.factorize(frame["supplier_id"])
    ids = pd.Series(id_uniques, dtype=object)
    found = np.append(ids.isin(listed.index).to_numpy(), False)[id_codes]
    id_postcode = np.append(ids.map(listed["postcode"]).fillna("").to_numpy(), "")[id_codes]
    id_type = np.append(ids.map(listed["type"]).fillna("").to_numpy(), "")[id_codes]
    return (pd.Categorical(np.where(found, id_postcode, np.asarray(postcodes, dtype=object))),
            pd.Categorical(np.where(found, id_type, np.asarray(types, dtype=object))))


def _per_supplier(table: pd.DataFrame, column: str, codes: np.ndarray) -> pd.Categorical:
    """Return a per-supplier text column of ``table`` for every row, as a Categorical.

    The distinct values are found among the suppliers (not the rows), and each row takes
    its supplier's code: no text is copied per row.
    """
    value_codes, uniques = pd.factorize(table[column].astype(object).to_numpy())
    return pd.Categorical.from_codes(value_codes[codes], pd.Index(uniques, dtype=object))


def _postcodes_placed(values, nested: NestedBoundaries | None, categories: list[str]
                      ) -> tuple[np.ndarray, np.ndarray, pd.Categorical]:
    """Per row: its location (a code into ``categories``), whether readable, and its text.

    Each distinct value is classified once.
    """
    values = values if isinstance(values, pd.Categorical) else pd.Categorical(
        np.asarray(values, dtype=object))
    codes = values.codes
    uniques = np.asarray(values.categories, dtype=object)
    place = pd.Index(categories).get_indexer(_classify_texts(uniques, nested))
    unknown = categories.index(UNKNOWN)
    location = np.append(place, unknown).astype(np.int8)[codes]
    readable = np.append(np.array([_readable(v) for v in uniques], dtype=bool), False)[codes]
    return location, readable, values


def _row_results(frame: pd.DataFrame, table: pd.DataFrame, nested: NestedBoundaries | None,
                 use_name_postcodes: bool, supplier_list: SupplierList | None = None
                 ) -> pd.DataFrame:
    """Place each row and mark it; vectorised over rows, classifying distinct values only.

    Each distinct supplier is placed once: its attributes (``table``) reach its rows through
    the supplier's categorical code. Order of rules: the supplier list (a readable postcode)
    wins; then the file's postcode column; then, only if asked, a postcode inside the
    supplier's name; else not placed.
    """
    codes = frame["supplier"].cat.codes.to_numpy()

    def per_row(column):
        return table[column].to_numpy()[codes]

    out = frame[["file", "line", "date", "supplier", "supplier_id", "category",
                 "amount_pence"]].copy()
    out["supplier_key"] = _per_supplier(table, "key", codes)
    out["month"] = _months(frame["date"])
    list_postcode, list_type = _list_by_id(frame, supplier_list,
                                           _per_supplier(table, "list_postcode", codes),
                                           _per_supplier(table, "list_type", codes))
    categories = nested.categories if nested is not None else [
        "local", "rest_of_uk", "outside_uk", UNKNOWN]
    sources = [(RULE_LIST, _postcodes_placed(list_postcode, nested, categories)),
               (RULE_COLUMN, _postcodes_placed(frame["postcode"].array, nested, categories))]
    name_place = _postcodes_placed(_per_supplier(table, "postcode_in_name", codes), nested,
                                   categories)
    by_name = name_place[1] & ~sources[0][1][1] & ~sources[1][1][1]
    if use_name_postcodes:
        sources.append((RULE_NAME, name_place))
    _choose_place(out, sources, categories,
                  RULE_NONE if nested is not None else RULE_NO_BOUNDARY)
    out["name_postcode_only"] = by_name
    sizes = pd.Categorical(_size_classes(table["list_size"].to_numpy()),
                           categories=["sme", "large", UNKNOWN])
    _mark_rows(out, frame, per_row, list_type,
               pd.Categorical.from_codes(sizes.codes[codes], sizes.categories))
    return out


def _choose_place(out: pd.DataFrame, sources: list, categories: list[str], no_rule: str
                  ) -> None:
    """Add ``location``, ``rule`` and ``postcode_used``: the first source readable wins.

    Works on integer codes: each source's texts are numbered after the previous sources'.
    """
    rows = len(out)
    location = np.full(rows, categories.index(UNKNOWN), dtype=np.int8)
    rule = np.zeros(rows, dtype=np.int8)  # 0: no rule; i + 1: source i
    text = np.full(rows, -1, dtype=np.int64)
    offsets, texts = [], []
    for _, (_, _, values) in sources:
        offsets.append(sum(len(t) for t in texts))
        texts.append(np.asarray(values.categories, dtype=object))
    for i in reversed(range(len(sources))):  # the first source wins
        _, (where, readable, values) = sources[i]
        location = np.where(readable, where, location)
        rule = np.where(readable, i + 1, rule)
        text = np.where(readable, values.codes + offsets[i], text)
    out["location"] = pd.Categorical.from_codes(location, categories)
    names = np.array([no_rule, *(n for n, _ in sources)], dtype=object)
    present = sorted(set(names[np.flatnonzero(np.bincount(rule, minlength=len(names)))]))
    out["rule"] = _recoded(rule, names, present)  # as pd.Categorical(names[rule])
    all_texts = np.concatenate([*texts, np.array([""], dtype=object)])
    text_codes, text_uniques = pd.factorize(all_texts)
    out["postcode_used"] = pd.Categorical.from_codes(
        text_codes[np.where(text < 0, len(all_texts) - 1, text)],
        pd.Index(text_uniques, dtype=object))


def _mark_rows(out: pd.DataFrame, frame: pd.DataFrame, per_row, list_type: pd.Categorical,
               size_class: pd.Categorical) -> None:
    """Add the non-procurement marks, procurement, and VCSE columns to ``out``."""
    type_codes, type_uniques = list_type.codes, np.asarray(list_type.categories, dtype=object)
    list_vcse = np.append(match_values(type_uniques, "vcse_type"), False)[type_codes]
    list_public = np.append(match_values(type_uniques, "public_type"), False)[type_codes]
    out["redacted"] = per_row("name_redacted") | frame["cat_redacted"].to_numpy()
    out["purchase_card"] = per_row("name_purchase_card") | frame["cat_purchase_card"].to_numpy()
    out["personal_budget"] = (per_row("name_personal_budget")
                              | frame["cat_personal_budget"].to_numpy())
    out["public_body"] = (per_row("name_public_body") & ~list_vcse) | list_public
    out["hmrc"] = per_row("name_hmrc")
    out["pension_fund"] = per_row("name_pension_fund") | frame["cat_pension_fund"].to_numpy()
    marks = np.zeros(len(out), dtype=bool)
    for mark in MARKS:
        marks |= out[mark].to_numpy()
    out["procurement"] = ~marks
    out["vcse_list"] = list_vcse & ~list_public
    out["vcse_file"] = _file_says_vcse(frame) & ~list_public
    out["vcse_expense"] = frame["cat_vcse_category"].to_numpy() & ~list_public
    out["vcse"] = out["vcse_list"] | out["vcse_file"] | out["vcse_expense"]
    out["vcse_probable"] = (~out["vcse"].to_numpy() & per_row("name_vcse")
                            & ~out["public_body"].to_numpy() & ~out["redacted"].to_numpy()
                            & ~list_public)
    out["size_class"] = size_class
    out["placeholder"] = per_row("name_placeholder_supplier")
    out["type"] = list_type


def _file_says_vcse(frame: pd.DataFrame) -> np.ndarray:
    """Per row: whether the file's own columns say the supplier is a charity or a VCSE.

    A charity registration holding a number (England and Wales' are digits; Scotland's
    ``SC`` and digits), or a VCSE column saying yes. "Not yet available", "N/A" and blanks
    say nothing. A company number alone never makes a supplier a VCSE. Each distinct value
    is tested once.
    """
    says = np.zeros(len(frame), dtype=bool)
    if "charity_number" in frame:
        says |= per_distinct(frame["charity_number"],
                             lambda text: bool(_CHARITY_NUMBER_RE.fullmatch(text.strip())))
    if "vcse_flag" in frame:
        says |= per_distinct(frame["vcse_flag"],
                             lambda text: text.strip().lower() in _VCSE_YES)
    return says


_CHARITY_NUMBER_RE = re.compile(r"(?i)(sc|nic?)?\s*0*\d{4,8}(-\d+)?")
_VCSE_YES = ("y", "yes", "true", "1", "vcse")


def _size_classes(sizes: np.ndarray) -> np.ndarray:
    """Per row: "sme", "large" or "unknown", from the supplier list's size words."""
    text = pd.Series(sizes, dtype=object).fillna("").str.strip().str.lower()
    return np.where(text.isin(SME_WORDS), "sme",
                    np.where(text.isin(LARGE_WORDS), "large", UNKNOWN))


def _months(dates: pd.Series) -> pd.Categorical:
    """Return "YYYY-MM" per date, "unknown date" where the date is missing."""
    codes, uniques = pd.factorize(pd.Series(dates))
    labels = pd.Series(pd.DatetimeIndex(uniques).strftime("%Y-%m"), dtype=object)
    missing = codes < 0
    labels = pd.concat([labels, pd.Series(["unknown date"])], ignore_index=True)
    order = sorted(set(labels[:-1])) + (["unknown date"] if missing.any() else [])
    month_codes, month_uniques = pd.factorize(labels)
    per_row = month_codes[np.where(missing, len(labels) - 1, codes)]
    text = pd.Categorical.from_codes(per_row, month_uniques)
    if set(order) == set(month_uniques):
        return text.reorder_categories(order)
    return _recoded(per_row, np.asarray(month_uniques, dtype=object), order)


def _recoded(codes: np.ndarray, values: np.ndarray, categories: list) -> pd.Categorical:
    """Return ``pd.Categorical(values[codes], categories=categories)``, made on the codes.

    A value not among ``categories`` is missing, as pandas makes it; no text is copied
    per row.
    """
    position = {value: i for i, value in enumerate(categories)}
    remap = np.array([position.get(value, -1) for value in values], dtype=np.int64)
    return pd.Categorical.from_codes(remap[codes], categories)


def _supplier_table(out: pd.DataFrame, table: pd.DataFrame) -> pd.DataFrame:
    """Aggregate rows to suppliers (by normalised name), largest first.

    Rows are summed on integer codes (one pass per figure), so that the work per row is
    small; the choices per supplier are then made on the small tables of sums.
    """
    key_codes = out["supplier_key"].cat.codes.to_numpy().astype(np.int64)
    keys = out["supplier_key"].cat.categories
    pence = out["amount_pence"].to_numpy()
    counts = np.bincount(key_codes, minlength=len(keys))
    seen = np.flatnonzero(counts)
    index = pd.CategoricalIndex(pd.Categorical.from_codes(seen, keys), name="supplier_key")
    sup = pd.DataFrame({
        "rows": counts[seen],
        "total_pence": sums_by_code(key_codes, pence, len(keys))[seen],
    }, index=index)
    display = _most_money(_pair_sums(out, "supplier"), absolute=False)
    sup["supplier"] = display.set_index("supplier_key")["supplier"].reindex(
        sup.index).astype(object)
    sup["supplier_id"] = _first_nonblank(out, "supplier_id")
    for column in ("location", "rule", "postcode_used", "type"):
        sup[column] = _by_most_money(out, column)
    for column in ("vcse", "vcse_probable", "placeholder", *MARKS):
        hits = np.bincount(key_codes, weights=out[column].to_numpy(dtype=float),
                           minlength=len(keys))
        sup[column] = hits[seen] > 0
    marks = pd.Series("", index=sup.index, dtype=object)
    for mark in MARKS:
        marks = marks.where(~sup[mark], marks + np.where(marks == "", "", ", ") + mark)
    sup["marks"] = marks
    hints = table.drop_duplicates("key").set_index("key")["postcode_in_name"]
    sup["postcode_in_name"] = hints.reindex(sup.index).fillna("")
    sup = sup.rename(columns={"postcode_used": "postcode"})
    sup["total"] = sup["total_pence"] / 100
    sup = sup.sort_values(["total_pence", "supplier"], ascending=[False, True])
    columns = ["supplier", "supplier_id", "rows", "total", "total_pence", "location", "rule",
               "postcode", "type", "vcse", "vcse_probable", "marks", "postcode_in_name",
               "placeholder", *MARKS]
    return sup[columns].rename_axis("key").reset_index()


def _pair_sums(out: pd.DataFrame, column: str) -> pd.DataFrame:
    """Return £ per (supplier key, value of a categorical ``column``) seen, in code order.

    The same rows, in the same order, as ``out.groupby(["supplier_key", column],
    observed=True)["amount_pence"].sum().reset_index()``, summed on one integer code.
    """
    values = out[column].cat
    width = max(len(values.categories), 1)
    keys = out["supplier_key"].cat.categories
    key = out["supplier_key"].cat.codes.to_numpy().astype(np.int64)
    code = values.codes.to_numpy().astype(np.int64)
    known = code >= 0
    pairs, sums = _pairs_and_sums(key[known], code[known],
                                  out["amount_pence"].to_numpy()[known], width, len(keys))
    return pd.DataFrame({
        "supplier_key": pd.Categorical.from_codes(pairs // width, keys),
        column: pd.Categorical.from_codes(pairs % width, values.categories),
        "amount_pence": sums})


def _pairs_and_sums(key: np.ndarray, code: np.ndarray, pence: np.ndarray, width: int,
                    keys: int) -> tuple[np.ndarray, np.ndarray]:
    """Return each (key, value) pair seen, as ``key * width + code`` in order, and its pence.

    When each value belongs to one key (a name as written, to its supplier), the sums are
    per value; when the pairs are few enough to count directly, per pair; otherwise by a
    group sum. Every way gives the same pairs, in the same order, and exact sums.
    """
    owner = np.full(width, -1, dtype=np.int64)
    owner[code] = key
    if (owner[code] == key).all():
        seen = np.flatnonzero(np.bincount(code, minlength=width))
        pairs = owner[seen] * width + seen
        order = np.argsort(pairs, kind="stable")
        return pairs[order], sums_by_code(code, pence, width)[seen][order]
    combined = key * width + code
    if keys * width <= max(4 * len(combined), 1 << 16):
        pairs = np.flatnonzero(np.bincount(combined, minlength=keys * width))
        return pairs, sums_by_code(combined, pence, keys * width)[pairs]
    sums = pd.Series(pence).groupby(combined).sum()
    return sums.index.to_numpy(), sums.to_numpy()


def _by_most_money(out: pd.DataFrame, column: str) -> pd.Series:
    """Per supplier, the value of ``column`` carrying the most money (ties: first)."""
    picked = _most_money(_pair_sums(out, column), absolute=True)
    return picked.set_index("supplier_key")[column].astype(object)


def _most_money(sums: pd.DataFrame, absolute: bool) -> pd.DataFrame:
    """Return, per supplier key, the row of ``sums`` with the most money (ties: the first).

    As sorting by ``amount_pence`` (largest first, ``abs`` when ``absolute``; a stable sort)
    and keeping each key's first row, done with one stable ``lexsort`` of the codes.
    """
    key = sums["supplier_key"].cat.codes.to_numpy()
    money = sums["amount_pence"].to_numpy()
    money = np.abs(money) if absolute else money
    order = np.lexsort((-money, key))  # by key, then most money; equal sums keep their order
    first = np.ones(len(order), dtype=bool)
    first[1:] = key[order][1:] != key[order][:-1]
    return sums.iloc[order[first]]


def _first_nonblank(out: pd.DataFrame, column: str) -> pd.Series:
    """Per supplier, the first non-blank value of ``column`` ("" when none)."""
    values = out[column].cat
    blank = np.append(np.asarray(values.categories, dtype=object) == "", False)
    codes = values.codes.to_numpy()
    filled = np.flatnonzero(~blank[codes])
    key = out["supplier_key"].cat.codes.to_numpy()[filled]
    seen, first = np.unique(key, return_index=True)
    keys = out["supplier_key"].cat.categories
    rows = filled[first]
    text = np.append(np.asarray(values.categories, dtype=object), np.nan)[codes[rows]]
    found = pd.Series(text, index=keys[seen], dtype=object)
    return found.reindex(keys).fillna("")


def _report_name_postcodes(out: pd.DataFrame, used: bool, report: Report) -> None:
    """Tell the user about postcodes found in supplier names (hints, or used if asked)."""
    mask = out["name_postcode_only"].to_numpy()
    if not mask.any():
        return
    count = out.loc[mask, "supplier_key"].nunique()
    pounds = out.loc[mask, "amount_pence"].sum() / 100
    if used:
        report.notice(f"{count} supplier(s) (£{pounds:,.2f}) placed by a postcode inside their "
                      "name: low confidence, it is often the council's own premises.")
    else:
        report.notice(f"{count} supplier(s) (£{pounds:,.2f}) have a postcode inside their name, "
                      "not used to place them (often the council's own premises). Use "
                      "--use-name-postcodes to place them by it, with low confidence.")
