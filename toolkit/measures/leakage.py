"""Leakage: where the money leaves the local economy, and how many pence of each £1 it costs.

nef's *Plugging the Leaks* asks where money entering an area leaves it. With LM3's rounds
(METHODS §1) there are two places:

- **Round 2**, the organisation's own spending: every £ paid to a supplier that is not local
  (or whose location is unknown, which LM3 counts as not local) and every £ of pay to staff who
  live outside the area. Because round 2 applies the year's spending pattern to the income
  studied, the pence of each £1 of income lost through one supplier is
  ``100 * amount / total spending`` (total spending = non-staff spending plus staff costs:
  gross pay and the employer's costs, which all leave the area).
- **Round 3**, the re-spending of what stayed: tax and National Insurance on local staff pay
  (take-home share ``t``), the part of take-home pay local staff spend outside the area, and
  the part of their income local suppliers spend outside it.

This module ranks the largest non-local spending by supplier and by category, draws it, and
splits each £1 into the pence kept and lost in each round. It never recomputes LM3: the
rounds come from :func:`toolkit.measures.lm3.compute_lm3`.

References
----------
nef, *Plugging the Leaks* (B. Ward and J. Lewis, 2002) (METHODS §1).
nef, *The Money Trail* (J. Sacks, 2002): LM3 rounds (METHODS §1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

from toolkit.inputs.directory import PARTIAL_LABEL
from toolkit.inputs.errors import InputError
from toolkit.measures.lm3 import (
    Lm3Inputs,
    Lm3Result,
    as_boundary,
    compute_lm3,
    lm3_inputs,
    partial_rows,
)

NOT_LOCAL = "not local"
UNKNOWN = "location unknown (counted as not local)"
STAFF_OUTSIDE = "staff pay: staff living outside the area"
STAFF_UNKNOWN = "staff pay: home unknown (counted as not local)"


def local_flag(value) -> bool | None:
    """Return a ``local`` cell as True, False or None (blank, NaN and NA are unknown)."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    return bool(value)


def _with_flags(frame: pd.DataFrame, amount_column: str) -> pd.DataFrame:
    """Return a copy with ``local`` as True/False/None and the amount as float."""
    out = frame.copy()
    out["local"] = out["local"].map(local_flag).astype(object)
    out[amount_column] = pd.to_numeric(out[amount_column], errors="coerce").astype(float)
    if "row" not in out.columns:
        out["row"] = range(1, len(out) + 1)
    return out


def total_spending(inputs: Lm3Inputs, result: Lm3Result | None = None) -> float:
    """Return non-staff spending plus staff costs: the base of round 2's local share.

    Parameters
    ----------
    inputs : Lm3Inputs
        Spending and staff tables.
    result : Lm3Result, optional
        LM3 computed from ``inputs``: its total (with employer costs, given or assumed) is
        used. Without it, employer costs count only as the inputs give them.

    Returns
    -------
    float

    Raises
    ------
    InputError
        When it is £0 or less (no pence per £1 can be worked out).

    References
    ----------
    METHODS §1 (R2 = R1 * local spending / total spending).
    """
    if result is not None:
        return float(result.spending_total)
    spending = pd.to_numeric(inputs.spending["amount"], errors="coerce").fillna(0.0).sum()
    pay = pd.to_numeric(inputs.staff["gross_pay"], errors="coerce").fillna(0.0).sum()
    employer = inputs.employer_costs if inputs.employer_costs is not None else 0.0
    total = float(spending + pay + employer + (inputs.unlisted_staff_costs or 0.0))
    if not total > 0:
        raise InputError("Spending plus staff pay adds up to £0 or less, so leakage cannot be "
                         "worked out. Fill in the Spending and Staff sheets.")
    return total


def _rows_text(rows) -> str:
    values = sorted({int(r) for r in rows if r is not None and not pd.isna(r)})
    return ", ".join(str(v) for v in values)


def leakage_by_supplier(inputs: Lm3Inputs, result: Lm3Result | None = None) -> pd.DataFrame:
    """Rank suppliers by the spending with them that leaves the area (round 2).

    Parameters
    ----------
    inputs : Lm3Inputs
        Spending classified as local (True), not local (False) or unknown (None).
    result : Lm3Result, optional
        LM3 of the same inputs, whose total spending (with employer costs) is the base.

    Returns
    -------
    pandas.DataFrame
        One row per supplier not known to be local, largest first: ``rank``, ``supplier``,
        ``categories``, ``status`` ("not local", or "location unknown (counted as not
        local)"), ``amount`` (£ a year, net of refunds), ``share_of_spending`` (of total
        spending, staff pay included), ``pence_per_pound`` (pence of each £1 of income
        studied lost through this supplier in round 2), ``rows`` (the Spending sheet's rows).

    References
    ----------
    nef, *Plugging the Leaks* (Ward and Lewis 2002); METHODS §1.
    """
    total = total_spending(inputs, result)
    spending = _with_flags(inputs.spending, "amount")
    leaving = spending[spending["local"].map(lambda v: v is not True)].copy()
    leaving["status"] = leaving["local"].map(lambda v: NOT_LOCAL if v is False else UNKNOWN)
    grouped = leaving.groupby(["supplier", "status"], sort=False).agg(
        amount=("amount", "sum"),
        categories=("category", lambda c: ", ".join(dict.fromkeys(map(str, c)))),
        rows=("row", _rows_text),
    ).reset_index()
    return _ranked(grouped, total, ["supplier", "categories", "status"])


def _ranked(frame: pd.DataFrame, total: float, keys: list[str]) -> pd.DataFrame:
    frame = frame.sort_values("amount", ascending=False, kind="stable").reset_index(drop=True)
    frame["share_of_spending"] = frame["amount"] / total
    frame["pence_per_pound"] = 100.0 * frame["amount"] / total
    frame.insert(0, "rank", range(1, len(frame) + 1))
    return frame[["rank", *keys, "amount", "share_of_spending", "pence_per_pound", "rows"]]


def leakage_by_category(inputs: Lm3Inputs, small_group: int = 5,
                        result: Lm3Result | None = None) -> pd.DataFrame:
    """Rank spending categories (and staff pay) by the money that leaves the area (round 2).

    Parameters
    ----------
    inputs : Lm3Inputs
        Spending and staff classified as local, not local or unknown.
    small_group : int
        Staff pay to fewer people than this is not shown in pounds (it would show a
        person's pay); its pence per £1 is still shown.
    result : Lm3Result, optional
        LM3 of the same inputs: its total is the base, and its employer costs (none local)
        are a line of their own.

    Returns
    -------
    pandas.DataFrame
        Largest first: ``rank``, ``category`` (a spending category, or one of the two staff
        pay lines), ``kind`` ("suppliers" or "staff"), ``amount`` (£ leaving: not local plus
        unknown), ``unknown`` (£ of it with unknown location), ``local`` (£ staying),
        ``local_share`` (local over the category's total; blank when the total is £0 or
        less), ``share_of_spending``, ``pence_per_pound``, ``people`` (staff lines only),
        ``note``, ``rows``.

    References
    ----------
    nef, *Plugging the Leaks* (Ward and Lewis 2002); METHODS §1.
    """
    total = total_spending(inputs, result)
    spending = _with_flags(inputs.spending, "amount")
    rows = []
    for category, part in spending.groupby("category", sort=False):
        rows.append(_category_row(str(category), "suppliers", part, "amount"))
    staff = _with_flags(inputs.staff, "gross_pay")
    if len(staff):
        rows.append(_category_row("staff pay", "staff", staff, "gross_pay"))
    rows.extend(_staff_cost_rows(result, len(staff)))
    columns = ["category", "kind", "amount", "unknown", "local", "local_share", "people",
               "note", "rows"]
    frame = pd.DataFrame(rows, columns=columns)
    frame = frame[frame["amount"] != 0].copy() if len(frame) else frame
    ranked = _ranked(frame, total, ["category", "kind", "unknown", "local", "local_share",
                                    "people", "note"])
    return _suppress_staff_pounds(ranked, small_group)


def _category_row(category: str, kind: str, part: pd.DataFrame, column: str) -> dict:
    leaving = part[part["local"].map(lambda v: v is not True)]
    unknown = part[part["local"].map(lambda v: v is None)]
    local = float(part.loc[part["local"].map(lambda v: v is True), column].sum())
    category_total = float(part[column].sum())
    note = ""
    if kind == "staff":
        note = "pay of staff living outside the area or whose home is unknown"
    return {
        "category": category, "kind": kind, "amount": float(leaving[column].sum()),
        "unknown": float(unknown[column].sum()), "local": local,
        "local_share": local / category_total if category_total > 0 else math.nan,
        "people": len(leaving) if kind == "staff" else None, "note": note,
        "rows": _rows_text(leaving["row"]),
    }


def _staff_cost_rows(result: Lm3Result | None, people: int) -> list[dict]:
    """Return the category lines for employer costs and staff costs with no Staff rows."""
    if result is None:
        return []
    rows = []
    basis = "assumed (setting lm3.employer_on_cost_rate)" if result.employer_costs_assumed \
        else "from the accounts"
    if result.employer_costs:
        rows.append({"category": "employer costs (National Insurance, pension)", "kind": "staff",
                     "amount": result.employer_costs, "unknown": 0.0, "local": 0.0,
                     "local_share": 0.0, "people": people,
                     "note": f"none of it local; {basis}", "rows": ""})
    if result.unlisted_staff_costs:
        rows.append({"category": "staff costs with no Staff sheet rows", "kind": "staff",
                     "amount": result.unlisted_staff_costs,
                     "unknown": result.unlisted_staff_costs, "local": 0.0, "local_share": 0.0,
                     "people": None, "note": "homes unknown: counted as not local",
                     "rows": ""})
    return rows


def _suppress_staff_pounds(frame: pd.DataFrame, small_group: int) -> pd.DataFrame:
    frame = frame.copy()
    small = (frame["kind"] == "staff") & (frame["people"].fillna(0) < small_group)
    for column in ("amount", "unknown", "local"):
        frame[column] = frame[column].astype(object)
        frame.loc[small, column] = None
    frame.loc[small, "note"] = (f"£ not shown: fewer than {small_group} people (it could show "
                                "a person's pay); pence per £1 shown")
    frame.loc[small, "rows"] = ""
    return frame


# --------------------------------------------------------------------------- rounds


def pence_by_round(inputs: Lm3Inputs, result: Lm3Result) -> pd.DataFrame:
    """Split each £1 of income studied into pence kept and lost, round by round.

    Parameters
    ----------
    inputs : Lm3Inputs
        The inputs ``result`` was computed from (for the split of what leaves in round 2).
    result : Lm3Result
        From :func:`toolkit.measures.lm3.compute_lm3`.

    Returns
    -------
    pandas.DataFrame
        Columns ``round`` (2 or 3), ``kept`` (bool), ``line`` (what), ``pence`` (of each £1
        of income studied), ``basis`` ("evidenced", or "assumed" where an assumed rate or the
        take-home share sets it). In round 2 the lines add up to 100p; in round 3 they add up
        to round 2's kept pence.

    References
    ----------
    nef, *Plugging the Leaks* (Ward and Lewis 2002); METHODS §1 (R3 = R2_staff * t *
    rho_staff + R2_suppliers * rho_suppliers).
    """
    total = total_spending(inputs, result)
    spending = _with_flags(inputs.spending, "amount")
    staff = _with_flags(inputs.staff, "gross_pay")

    def pence_of(frame, column, flag):
        chosen = frame["local"].map(lambda v: v is flag).to_numpy() & ~partial_rows(frame)[0]
        return 100.0 * float(frame.loc[chosen, column].sum()) / total

    def partly(frame, column, kept):
        mask, share = partial_rows(frame)
        part = share if kept else 1.0 - share
        return 100.0 * float((frame[column].to_numpy() * part)[mask].sum()) / total

    t = float(result.take_home.get("value", math.nan))
    r1 = result.r1
    staff_basis = _basis(result, "lm3.assumed_respend_staff")
    supplier_basis = _basis(result, "lm3.assumed_respend_suppliers")
    lines = [
        (2, True, "local suppliers", pence_of(spending, "amount", True), "evidenced"),
        (2, True, "staff living locally", pence_of(staff, "gross_pay", True), "evidenced"),
        (2, False, "non-local suppliers", pence_of(spending, "amount", False), "evidenced"),
        (2, False, f"suppliers, {UNKNOWN}", pence_of(spending, "amount", None), "evidenced"),
        (2, False, "staff living outside the area", pence_of(staff, "gross_pay", False),
         "evidenced"),
        (2, False, "staff, home unknown (counted as not local)",
         pence_of(staff, "gross_pay", None) + 100.0 * result.unlisted_staff_costs / total,
         "evidenced"),
        (2, False, "employer costs (National Insurance, pension)",
         100.0 * result.employer_costs / total,
         "assumed" if result.employer_costs_assumed else "evidenced"),
        (3, True, "re-spent locally by local staff", 100.0 * result.r3_staff / r1,
         _both(staff_basis)),
        (3, True, "re-spent locally by local suppliers", 100.0 * result.r3_suppliers / r1,
         supplier_basis),
        (3, False, "tax and National Insurance on local staff pay",
         100.0 * result.r2_staff * (1.0 - t) / r1, "assumed"),
        (3, False, "spent outside the area by local staff",
         100.0 * result.r2_staff * t * (1.0 - result.rho_staff) / r1, _both(staff_basis)),
        (3, False, "spent outside the area by local suppliers",
         100.0 * result.r2_suppliers * (1.0 - result.rho_suppliers) / r1, supplier_basis),
    ]
    if partial_rows(spending)[0].any() or partial_rows(staff)[0].any():
        lines[6:6] = [
            (2, True, f"suppliers and staff in straddling districts, local part "
                      f"({PARTIAL_LABEL})",
             partly(spending, "amount", True) + partly(staff, "gross_pay", True), "evidenced"),
            (2, False, "suppliers and staff in straddling districts, the rest",
             partly(spending, "amount", False) + partly(staff, "gross_pay", False),
             "evidenced")]
    frame = pd.DataFrame(lines, columns=["round", "kept", "line", "pence", "basis"])
    return _check_round2(frame, result)


def _basis(result: Lm3Result, setting: str) -> str:
    return "assumed" if any(setting in text for text in result.assumed) else "evidenced"


def _both(staff_basis: str) -> str:
    """Staff lines rest on the take-home share, which is always a setting (assumed)."""
    return "assumed" if staff_basis == "assumed" else "partly assumed (take-home share)"


def _check_round2(frame: pd.DataFrame, result: Lm3Result) -> pd.DataFrame:
    """Round 2's kept pence equal LM3's R2/R1 by construction; check, never silently differ."""
    kept = frame.loc[(frame["round"] == 2) & frame["kept"], "pence"].sum()
    if not math.isclose(kept, 100.0 * result.r2 / result.r1, rel_tol=1e-9, abs_tol=1e-9):
        raise InputError("The leakage split does not match the LM3 result it was given: "
                         "pass the same inputs that result was computed from.")
    return frame


def pence_lost_summary(rounds: pd.DataFrame) -> pd.DataFrame:
    """Return pence kept and lost in each round, per £1 of income studied.

    Parameters
    ----------
    rounds : pandas.DataFrame
        From :func:`pence_by_round`.

    Returns
    -------
    pandas.DataFrame
        Columns ``round``, ``entering`` (pence reaching that round: 100 for round 2, round 2's
        kept pence for round 3), ``kept``, ``lost`` (pence).
    """
    out = []
    entering = 100.0
    for number in (2, 3):
        part = rounds[rounds["round"] == number]
        kept = float(part.loc[part["kept"], "pence"].sum())
        lost = float(part.loc[~part["kept"], "pence"].sum())
        out.append({"round": number, "entering": entering, "kept": kept, "lost": lost})
        entering = kept
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- one call


@dataclass
class LeakageResult:
    """Where the money leaves: by supplier, by category and by round.

    Attributes
    ----------
    by_supplier, by_category, rounds, summary : pandas.DataFrame
        See :func:`leakage_by_supplier`, :func:`leakage_by_category`,
        :func:`pence_by_round` and :func:`pence_lost_summary`.
    lm3 : Lm3Result
        The LM3 result the rounds come from.
    inputs : Lm3Inputs
    boundary_name : str
        The area called local.
    notes : list of str
    """

    by_supplier: pd.DataFrame
    by_category: pd.DataFrame
    rounds: pd.DataFrame
    summary: pd.DataFrame
    lm3: Lm3Result
    inputs: Lm3Inputs
    boundary_name: str
    notes: list[str] = field(default_factory=list)

    def to_dict(self, n: int | None = None) -> dict:
        """Return the result as JSON-ready data (``n`` limits the supplier list)."""
        suppliers = self.by_supplier if n is None else self.by_supplier.head(n)
        return {
            "boundary_name": self.boundary_name,
            "lm3": {"value": self.lm3.lm3, "low": self.lm3.lm3_low, "high": self.lm3.lm3_high},
            "by_supplier": _records(suppliers),
            "suppliers_listed": len(suppliers),
            "suppliers_leaking": len(self.by_supplier),
            "by_category": _records(self.by_category),
            "rounds": _records(self.rounds),
            "summary": _records(self.summary),
            "notes": list(self.notes),
        }


def _records(frame: pd.DataFrame) -> list[dict]:
    out = []
    for record in frame.to_dict("records"):
        clean = {}
        for key, value in record.items():
            if isinstance(value, float) and not math.isfinite(value):
                value = None
            elif hasattr(value, "item"):
                value = value.item()
            clean[key] = value
        out.append(clean)
    return out


def leakage(source, settings, boundary=None, result: Lm3Result | None = None
            ) -> LeakageResult:
    """Return leakage by supplier, by category and by round in one call.

    Parameters
    ----------
    source : Workbook or Lm3Inputs
        A workbook (classified with :func:`toolkit.measures.lm3.lm3_inputs`) or ready inputs.
    settings : Settings
        LM3 settings and ``checks.small_group_threshold``.
    boundary : Boundary or registry boundary spec, optional
        The area called local, for a workbook; default from the settings.
    result : Lm3Result, optional
        LM3 already computed from the same inputs (saves computing it again).

    Returns
    -------
    LeakageResult

    References
    ----------
    nef, *Plugging the Leaks* (Ward and Lewis 2002); METHODS §1.
    """
    if not isinstance(source, Lm3Inputs) and boundary is not None:
        boundary = as_boundary(boundary)
    inputs = source if isinstance(source, Lm3Inputs) else lm3_inputs(source, settings, boundary)
    result = result if result is not None else compute_lm3(inputs, settings)
    small = int(settings.value("checks.small_group_threshold"))
    rounds = pence_by_round(inputs, result)
    notes = []
    if result.unknown_spending or result.unknown_staff_pay:
        notes.append("Spending or pay whose location is unknown is counted as leaving the "
                     "area, as LM3 counts it; adding postcodes may show it stays.")
    return LeakageResult(
        by_supplier=leakage_by_supplier(inputs, result),
        by_category=leakage_by_category(inputs, small_group=small, result=result),
        rounds=rounds, summary=pence_lost_summary(rounds), lm3=result, inputs=inputs,
        boundary_name=inputs.boundary_name, notes=notes,
    )


def leakage_table(source, n: int = 10, by: str = "supplier", settings=None) -> pd.DataFrame:
    """Return the ranked leakage list a pack shows: the top ``n`` by supplier or category.

    Parameters
    ----------
    source : LeakageResult or Lm3Inputs
        From :func:`leakage`, or inputs to rank directly.
    n : int
        How many rows (the rest are left off; the full list is in the result).
    by : {"supplier", "category"}
        Rank suppliers, or spending categories (with staff pay).
    settings : Settings, optional
        For the small-group threshold when ``source`` is inputs (default 5).

    Returns
    -------
    pandas.DataFrame
        With headers for readers: "Rank", "Supplier" or "Category", ..., "Leaving (£ a
        year)", "Pence of each £1 lost".
    """
    if by not in {"supplier", "category"}:
        raise InputError(f"leakage_table: 'by' must be 'supplier' or 'category', not {by!r}.")
    if isinstance(source, LeakageResult):
        frame = source.by_supplier if by == "supplier" else source.by_category
    elif isinstance(source, Lm3Inputs):
        small = int(settings.value("checks.small_group_threshold")) if settings else 5
        frame = (leakage_by_supplier(source) if by == "supplier"
                 else leakage_by_category(source, small_group=small))
    else:
        raise InputError("leakage_table needs a LeakageResult or Lm3Inputs.")
    return _readable(frame.head(n), by)


def _readable(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    if by == "supplier":
        columns = {"rank": "Rank", "supplier": "Supplier", "categories": "Category",
                   "status": "Status", "amount": "Leaving (£ a year)",
                   "pence_per_pound": "Pence of each £1 lost", "rows": "Spending rows"}
    else:
        columns = {"rank": "Rank", "category": "Category", "amount": "Leaving (£ a year)",
                   "unknown": "of which location unknown (£)",
                   "local_share": "Share kept local", "pence_per_pound": "Pence of each £1 lost",
                   "note": "Note"}
    return frame[list(columns)].rename(columns=columns).reset_index(drop=True)


# --------------------------------------------------------------------------- charts


def leakage_chart(source, n: int = 10, by: str = "supplier"):
    """Draw the largest non-local spending as horizontal bars, largest at the top.

    Parameters
    ----------
    source : LeakageResult
        From :func:`leakage`.
    n : int
        How many bars.
    by : {"supplier", "category"}
        Bars per supplier or per spending category (with staff pay).

    Returns
    -------
    matplotlib.figure.Figure
        With a title, axis labels with units, and ``figure.alt_text`` describing it.
        Bars of spending whose location is unknown are hatched and say so in the legend.
    """
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    frame = source.by_supplier if by == "supplier" else source.by_category
    frame = frame[frame["pence_per_pound"] > 0].head(n)
    label_column = "supplier" if by == "supplier" else "category"
    figure = Figure(figsize=(8, 0.45 * max(len(frame), 2) + 1.6))
    axes = figure.subplots()
    if frame.empty:
        axes.text(0.5, 0.5, "No spending leaves the area", ha="center", va="center",
                  transform=axes.transAxes)
        axes.set_axis_off()
    else:
        labels = [_short(str(v)) for v in frame[label_column]][::-1]
        values = list(frame["pence_per_pound"])[::-1]
        unknown = _unknown_flags(frame, by)[::-1]
        positions = list(range(len(labels)))  # numbers, so equal names keep their own bars
        bars = axes.barh(positions, values, color="#b2432f")
        axes.set_yticks(positions, labels)
        for bar, is_unknown in zip(bars, unknown, strict=True):
            if is_unknown:
                bar.set_hatch("//")
                bar.set_facecolor("#e8a598")
        axes.set_xlabel("Pence of each £1 of income studied lost in round 2 (p)")
        axes.set_ylabel("Supplier" if by == "supplier" else "Spending category")
        if any(unknown):
            axes.legend(handles=[Patch(color="#b2432f", label="not local"),
                                 Patch(facecolor="#e8a598", hatch="//",
                                       label="location unknown (counted as not local)")],
                        loc="lower right", fontsize="small")
    noun = "suppliers" if by == "supplier" else "spending categories"
    axes.set_title(f"Largest non-local spending by {'supplier' if by == 'supplier' else 'category'}"
                   f" ({source.boundary_name})")
    figure.tight_layout()
    figure.alt_text = _chart_alt(frame, label_column, noun, source.boundary_name)
    return figure


def _unknown_flags(frame: pd.DataFrame, by: str) -> list[bool]:
    if by == "supplier":
        return list(frame["status"] == UNKNOWN)
    return [bool(u is not None and a is not None and u >= a > 0)
            for u, a in zip(frame["unknown"], frame["amount"], strict=True)]


def _short(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _chart_alt(frame: pd.DataFrame, label_column: str, noun: str, boundary: str) -> str:
    if frame.empty:
        return f"Bar chart: no spending leaves {boundary}."
    parts = [f"{row[label_column]} {row['pence_per_pound']:.1f}p"
             for row in frame.head(5).to_dict("records")]
    return (f"Horizontal bar chart of the {len(frame)} {noun} through which most money leaves "
            f"{boundary}, in pence of each £1 of income studied. Largest first: "
            + "; ".join(parts) + ".")


#: Colours of :func:`spending_by_place_chart`, in the order the bars are stacked.
PLACE_COLOURS = {"local": "#1e8449", "not local": "#b03a2e", "location unknown": "#7f8c8d"}


def spending_by_place_chart(spending: pd.DataFrame, organisation: str, year: str = ""):
    """Draw each spending category's total as a bar split into local, not local and unknown.

    Parameters
    ----------
    spending : pandas.DataFrame
        Spending rows with ``category``, ``amount`` and ``local`` (True, False, or None
        when the location is unknown).
    organisation : str
        For the title.
    year : str
        For the axis label, such as ``"2024-25"``.

    Returns
    -------
    matplotlib.figure.Figure
        Largest category at the top; the £ axis reaches past the largest total, so no bar
        runs off the frame; ``figure.alt_text`` gives each category's total.
    """
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    where = spending["local"].map({True: "local", False: "not local"}).fillna("location unknown")
    table = spending.assign(where=where).pivot_table(
        index="category", columns="where", values="amount", aggfunc="sum", fill_value=0)
    totals = table.sum(axis=1).sort_values()
    table = table.loc[totals.index]
    figure = Figure(figsize=(7, 0.3 * len(table) + 1.6))
    axes = figure.subplots()
    left = pd.Series(0.0, index=table.index)
    for column in [c for c in PLACE_COLOURS if c in table]:
        axes.barh(list(table.index), list(table[column]), left=list(left),
                  color=PLACE_COLOURS[column], label=column)
        left = left + table[column]
    axes.set_xlim(0, float(totals.max()) * 1.08 if len(totals) else 1)
    axes.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"£{v:,.0f}"))
    axes.set_xlabel(f"Spending in {year} (£)" if year else "Spending (£)")
    axes.set_title(f"{organisation}: where the spending goes")
    axes.legend(frameon=False, loc="lower right")
    figure.tight_layout()
    largest = "; ".join(f"{c} £{v:,.0f}" for c, v in totals[::-1].items())
    figure.alt_text = (f"Horizontal bar chart of {organisation}'s spending by category, split "
                       f"into local, not local and location unknown. Largest first: {largest}.")
    return figure


def rounds_chart(source):
    """Draw each £1 as pence kept and lost in rounds 2 and 3, as stacked bars.

    Parameters
    ----------
    source : LeakageResult
        From :func:`leakage`.

    Returns
    -------
    matplotlib.figure.Figure
        With title, axis labels with units and ``figure.alt_text``.
    """
    from matplotlib.figure import Figure

    summary = source.summary
    figure = Figure(figsize=(7, 3))
    axes = figure.subplots()
    names = [f"Round {r}" for r in summary["round"]][::-1]
    kept, lost = list(summary["kept"])[::-1], list(summary["lost"])[::-1]
    gone = [100.0 - e for e in summary["entering"]][::-1]
    axes.barh(names, kept, color="#2f6f5e", label="kept in the area")
    axes.barh(names, lost, left=kept, color="#b2432f", label="lost to the area")
    axes.barh(names, gone, left=[k + x for k, x in zip(kept, lost, strict=True)],
              color="#d9d9d9", label="already lost in an earlier round")
    axes.set_xlabel("Pence of each £1 of income studied (p)")
    axes.set_ylabel("Round")
    axes.set_xlim(0, 100)
    axes.set_title(f"Where each £1 goes, round by round ({source.boundary_name})")
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=3, fontsize="small")
    figure.tight_layout()
    r2, r3 = summary.to_dict("records")
    figure.alt_text = (f"Stacked bar chart. Round 2: of 100p, {r2['kept']:.1f}p is spent locally "
                       f"and {r2['lost']:.1f}p leaves. Round 3: of those {r3['entering']:.1f}p, "
                       f"{r3['kept']:.1f}p is re-spent locally and {r3['lost']:.1f}p leaves.")
    return figure


__all__ = [
    "LeakageResult",
    "leakage",
    "leakage_by_category",
    "leakage_by_supplier",
    "leakage_chart",
    "leakage_table",
    "pence_by_round",
    "pence_lost_summary",
    "rounds_chart",
    "total_spending",
]
