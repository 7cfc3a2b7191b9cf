"""What-if: move spending to local suppliers, or pay to staff living locally, and see LM3 move.

Each what-if transforms :class:`toolkit.measures.lm3.Lm3Inputs` and calls
:func:`toolkit.measures.lm3.compute_lm3` again; LM3 is never re-implemented here.

- **Spending**: a chosen share of the spending in chosen categories that is known to be
  non-local (a supplier placed outside the area) is moved to local suppliers. Each affected
  row is split: the moved part becomes a new local supplier (named "<supplier> -> local
  supplier (what-if)"), the rest stays as it was. A new supplier has not answered the
  supplier survey, so it is given the local suppliers' re-spending rate, as LM3 gives every
  supplier that did not reply (METHODS §1). Spending of unknown location (LM3 counts it as
  not local) is never moved: it may be local already. It is shown apart, with its own line:
  LM3 if that spending is local already, nothing moved.
- **Staff**: the share of staff pay going to staff who live locally is raised by a number of
  percentage points (as if posts were filled by local people). Pay is moved, in proportion,
  from staff living outside the area or whose home is unknown. Pay, not headcount, is what
  LM3 counts.

Total spending (and so round 1's spending pattern base) is unchanged by either move. Moving
£x therefore raises round 2 by ``R1 * x / total`` and LM3 by ``x / total * (1 + rho)`` for
suppliers or ``x / total * (1 + t * rho_staff)`` for staff. Where one assumed rate sets the
gain, several changes rank equal per £ moved, and :func:`whatif_ranking` says so.

References
----------
nef, *Plugging the Leaks* (B. Ward and J. Lewis, 2002); nef, *The Money Trail* (J. Sacks,
2002) (METHODS §1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import pandas as pd

from toolkit.inputs.errors import InputError
from toolkit.inputs.schema import SPENDING_CATEGORIES
from toolkit.measures.leakage import leakage_by_category, local_flag
from toolkit.measures.lm3 import Lm3Inputs, Lm3Result, as_boundary, compute_lm3, lm3_inputs

MOVED_SUFFIX = " -> local supplier (what-if)"
PER = 10_000.0  # rises are shown per £10,000 moved


# --------------------------------------------------------------------------- checks


def check_categories(categories, inputs: Lm3Inputs | None = None) -> tuple[str, ...]:
    """Return categories in the schema's spelling, refusing any that does not exist.

    Parameters
    ----------
    categories : str or iterable of str
        Spending categories, matched without regard to case or surrounding spaces.
    inputs : Lm3Inputs, optional
        Not used to refuse (a category with no spending moves £0, with a note).

    Returns
    -------
    tuple of str

    Raises
    ------
    InputError
        Naming the category and listing the ones that exist.
    """
    if isinstance(categories, str):
        categories = [categories]
    known = {c.casefold(): c for c in SPENDING_CATEGORIES}
    out = []
    for category in categories or ():
        match = known.get(str(category).strip().casefold())
        if match is None:
            raise InputError(f"There is no spending category {category!r}. The categories "
                             f"are: {', '.join(SPENDING_CATEGORIES)}.")
        if match not in out:
            out.append(match)
    return tuple(out)


def check_share(share: float, what: str = "share") -> float:
    """Return a share from 0 to 1, refusing anything else with a plain message.

    Parameters
    ----------
    share : float
        A fraction (0.5 for 50%).
    what : str
        How to name it in the message.

    Returns
    -------
    float

    Raises
    ------
    InputError
        When not a number from 0 to 1 (over 100%, or below 0%).
    """
    try:
        value = float(share)
    except (TypeError, ValueError):
        raise InputError(f"The what-if {what} must be a number; got {share!r}.") from None
    if not math.isfinite(value) or not 0.0 <= value <= 1.0:
        raise InputError(f"The what-if {what} must be from 0% to 100%; got {value:.0%}. "
                         "(In code, give a fraction: 0.5 for 50%.)")
    return value


# --------------------------------------------------------------------------- transforms


def _not_known_local(frame: pd.DataFrame) -> pd.Series:
    """Rows not known to be local (not local, or unknown: LM3 counts both as not local)."""
    return frame["local"].map(lambda v: local_flag(v) is not True).astype(bool)


def _known_not_local(frame: pd.DataFrame) -> pd.Series:
    """Rows placed outside the area (not the rows whose location is unknown)."""
    return frame["local"].map(lambda v: local_flag(v) is False).astype(bool)


def _unknown_location(frame: pd.DataFrame) -> pd.Series:
    """Rows whose location could not be placed."""
    return frame["local"].map(lambda v: local_flag(v) is None).astype(bool)


def spending_by_location(inputs: Lm3Inputs, categories) -> dict:
    """Return the spending in ``categories`` known non-local and of unknown location (£).

    Parameters
    ----------
    inputs : Lm3Inputs
    categories : str or iterable of str

    Returns
    -------
    dict
        ``known_not_local`` (what a what-if may move), ``unknown`` (never moved) and
        ``unknown_rows`` (the Spending sheet rows of unknown location).
    """
    categories = check_categories(categories)
    spending = inputs.spending
    if spending.empty or not categories:
        return {"known_not_local": 0.0, "unknown": 0.0, "unknown_rows": []}
    amount = pd.to_numeric(spending["amount"], errors="coerce").fillna(0.0)
    chosen = spending["category"].isin(categories)
    unknown = chosen & _unknown_location(spending)
    rows = [int(r) for r in spending.loc[unknown, "row"]] if "row" in spending else []
    return {"known_not_local": float(amount[chosen & _known_not_local(spending)].sum()),
            "unknown": float(amount[unknown].sum()), "unknown_rows": rows}


def count_unknown_as_local(inputs: Lm3Inputs, categories) -> Lm3Inputs:
    """Return inputs with the unknown-location spending in ``categories`` counted local.

    Nothing is moved: this is the line "if it is local already", to read beside a what-if,
    since LM3 counts spending of unknown location as not local (METHODS §1).

    Parameters
    ----------
    inputs : Lm3Inputs
    categories : str or iterable of str

    Returns
    -------
    Lm3Inputs
        New inputs (the originals are not changed).
    """
    categories = check_categories(categories)
    spending = inputs.spending.copy()
    if spending.empty or not categories:
        return replace(inputs, spending=spending, notes=list(inputs.notes))
    unknown = spending["category"].isin(categories) & _unknown_location(spending)
    spending["local"] = spending["local"].astype(object)
    spending.loc[unknown, "local"] = True
    note = (f"If it is local already: the spending of unknown location in "
            f"{', '.join(categories)} counted as local (nothing moved).")
    return replace(inputs, spending=spending, notes=[*inputs.notes, note])


def shift_spending(inputs: Lm3Inputs, categories, share: float) -> tuple[Lm3Inputs, float]:
    """Move ``share`` of the known non-local spending in ``categories`` to local suppliers.

    Spending whose location is unknown is not moved (it may be local already); see
    :func:`count_unknown_as_local`.

    Parameters
    ----------
    inputs : Lm3Inputs
    categories : str or iterable of str
        Spending categories (see :func:`check_categories`).
    share : float
        Fraction of that spending to move, 0 to 1.

    Returns
    -------
    (Lm3Inputs, float)
        New inputs (the originals are not changed) and the pounds moved. Each affected
        row keeps its ``row`` number in both parts, so the move traces back to the sheet.

    References
    ----------
    METHODS §1 (people who did not reply are given their group's rate).
    """
    categories = check_categories(categories)
    share = check_share(share)
    spending = inputs.spending.copy()
    if share == 0 or not categories or spending.empty:
        return replace(inputs, spending=spending, notes=list(inputs.notes)), 0.0
    amount = pd.to_numeric(spending["amount"], errors="coerce").fillna(0.0)
    chosen = spending["category"].isin(categories) & _known_not_local(spending)
    moved_part = spending[chosen].copy()
    moved_part["amount"] = amount[chosen] * share
    moved_part["supplier"] = moved_part["supplier"].astype(str) + MOVED_SUFFIX
    moved_part["local"] = pd.Series(True, index=moved_part.index, dtype=object)
    spending.loc[chosen, "amount"] = amount[chosen] * (1.0 - share)
    new = pd.concat([spending, moved_part], ignore_index=True)
    new["local"] = new["local"].astype(object)
    moved = float(moved_part["amount"].sum())
    note = (f"What-if: {share:.0%} of the spending known to be non-local in "
            f"{', '.join(categories)} (£{moved:,.0f}) moved to local suppliers; spending of "
            "unknown location is not moved.")
    return replace(inputs, spending=new, notes=[*inputs.notes, note]), moved


def staff_pay_shares(inputs: Lm3Inputs) -> dict:
    """Return staff pay living locally and not, as pounds and as shares of staff pay.

    Parameters
    ----------
    inputs : Lm3Inputs

    Returns
    -------
    dict
        ``total``, ``local``, ``other`` (£: not local or home unknown), ``local_share`` and
        ``room`` (the most the local share can rise, as a fraction), ``people_other``.
        Shares are ``None`` when there is no staff pay.
    """
    staff = inputs.staff
    pay = pd.to_numeric(staff["gross_pay"], errors="coerce").fillna(0.0)
    other_mask = _not_known_local(staff)
    total, other = float(pay.sum()), float(pay[other_mask].sum())
    local = total - other
    return {"total": total, "local": local, "other": other,
            "local_share": local / total if total > 0 else None,
            "room": other / total if total > 0 else None,
            "people_other": int(other_mask.sum())}


def shift_staff(inputs: Lm3Inputs, points: float) -> tuple[Lm3Inputs, float]:
    """Raise the share of staff pay going to staff living locally by ``points``.

    Parameters
    ----------
    inputs : Lm3Inputs
    points : float
        Percentage points as a fraction (0.10 for +10 points), 0 to 1.

    Returns
    -------
    (Lm3Inputs, float)
        New inputs and the pounds of pay moved. Pay (and FTE, in proportion) is moved from
        each row of staff not known to live locally, in proportion to their pay; each split
        row keeps its ``row`` number.

    Raises
    ------
    InputError
        When ``points`` is more than the pay not going to local staff allows, or there is
        no staff pay to move.
    """
    points = check_share(points, "rise in the share of staff living locally")
    staff = inputs.staff.copy()
    if points == 0:
        return replace(inputs, staff=staff, notes=list(inputs.notes)), 0.0
    shares = staff_pay_shares(inputs)
    if not shares["total"] > 0:
        raise InputError("There is no staff pay in the Staff sheet, so the share of staff "
                         "living locally cannot be raised.")
    if not shares["room"]:
        raise InputError("All staff pay already goes to staff living locally, so that share "
                         "cannot rise.")
    if points > shares["room"] + 1e-12:
        raise InputError(
            f"The share of staff pay going to staff living locally is {shares['local_share']:.0%}"
            f", so it can rise by at most {shares['room'] * 100:.1f} points; "
            f"+{points * 100:.1f} points is more than that.")
    # a share computed in floating point can pass 1 by a hair; never leave negative pay behind
    fraction = min(1.0, points * shares["total"] / shares["other"])
    pay = pd.to_numeric(staff["gross_pay"], errors="coerce").fillna(0.0)
    fte = pd.to_numeric(staff["fte"], errors="coerce")
    chosen = _not_known_local(staff)
    moved_part = staff[chosen].copy()
    moved_part["gross_pay"] = pay[chosen] * fraction
    moved_part["fte"] = fte[chosen] * fraction
    moved_part["local"] = pd.Series(True, index=moved_part.index, dtype=object)
    staff.loc[chosen, "gross_pay"] = pay[chosen] * (1.0 - fraction)
    staff.loc[chosen, "fte"] = fte[chosen] * (1.0 - fraction)
    new = pd.concat([staff, moved_part], ignore_index=True)
    new["local"] = new["local"].astype(object)
    moved = float(moved_part["gross_pay"].sum())
    note = (f"What-if: the share of staff pay going to staff living locally raised by "
            f"{points * 100:.1f} points.")
    return replace(inputs, staff=new, notes=[*inputs.notes, note]), moved


# --------------------------------------------------------------------------- results


@dataclass
class WhatIfResult:
    """Today's LM3 and the what-if's, side by side.

    Attributes
    ----------
    label : str
        The change, in words.
    categories : tuple of str
    share : float
        Fraction of the chosen categories' not-local spending moved.
    staff_points : float
        Rise in the share of staff pay to staff living locally (fraction: 0.1 is 10 points).
    moved_spending, moved_pay : float
        Pounds moved.
    today, new : Lm3Result
    notes : list of str
    unknown_spending : float
        Spending in the chosen categories whose location is unknown (£): never moved.
    if_unknown_local : Lm3Result or None
        Today's LM3 with that spending counted local, nothing moved ("if it is local
        already"); None when there is none.
    """

    label: str
    categories: tuple[str, ...]
    share: float
    staff_points: float
    moved_spending: float
    moved_pay: float
    today: Lm3Result
    new: Lm3Result
    notes: list[str] = field(default_factory=list)
    unknown_spending: float = 0.0
    if_unknown_local: Lm3Result | None = None

    @property
    def unknown_local_label(self) -> str:
        """The "if it is local already" line, in words."""
        return (f"If the £{self.unknown_spending:,.0f} of {', '.join(self.categories)} "
                "spending of unknown location is local already (nothing moved)")

    @property
    def if_unknown_local_rise(self) -> float | None:
        """LM3 if the unknown-location spending is local already, minus today's."""
        if self.if_unknown_local is None:
            return None
        return self.if_unknown_local.lm3 - self.today.lm3

    @property
    def moved(self) -> float:
        """Pounds moved in all."""
        return self.moved_spending + self.moved_pay

    @property
    def rise(self) -> float:
        """New LM3 minus today's."""
        return self.new.lm3 - self.today.lm3

    @property
    def rise_per_10k(self) -> float | None:
        """Rise in LM3 per £10,000 moved; ``None`` when nothing is moved."""
        return self.rise / self.moved * PER if self.moved > 0 else None

    def table(self) -> pd.DataFrame:
        """Return today and the what-if as two rows: LM3 with its interval, pence per £1."""
        rows = []
        scenarios = [("Today", self.today), (self.label, self.new)]
        if self.if_unknown_local is not None:
            scenarios.append((self.unknown_local_label, self.if_unknown_local))
        for name, result in scenarios:
            rows.append({"scenario": name, "lm3": result.lm3, "lm3_low": result.lm3_low,
                         "lm3_high": result.lm3_high,
                         "round_2_pence": result.pence_per_pound["round_2"],
                         "round_3_pence": result.pence_per_pound["round_3"]})
        return pd.DataFrame(rows)

    def to_dict(self) -> dict:
        """Return the what-if as JSON-ready data."""
        def short(result):
            return {"lm3": result.lm3, "low": result.lm3_low, "high": result.lm3_high,
                    "round_2_pence": result.pence_per_pound["round_2"],
                    "round_3_pence": result.pence_per_pound["round_3"],
                    "assumed": list(result.assumed)}
        return {"label": self.label, "categories": list(self.categories), "share": self.share,
                "staff_points": self.staff_points, "moved_spending": self.moved_spending,
                "moved_pay": self.moved_pay, "today": short(self.today),
                "new": short(self.new), "rise": self.rise, "rise_per_10k": self.rise_per_10k,
                "boundary_name": self.today.boundary_name, "notes": list(self.notes),
                "unknown_spending": self.unknown_spending,
                "if_unknown_local": (None if self.if_unknown_local is None
                                     else short(self.if_unknown_local)),
                "if_unknown_local_rise": self.if_unknown_local_rise}


def describe(categories, share: float, staff_points: float) -> str:
    """Return a what-if in words, such as "50% of food and catering moved local"."""
    parts = []
    if categories and share:
        parts.append(f"{share:.0%} of known non-local {', '.join(categories)} moved to local "
                     "suppliers")
    if staff_points:
        parts.append(f"+{staff_points * 100:.0f} points of staff pay to staff living locally")
    return "; ".join(parts) or "no change"


def run_whatif(inputs: Lm3Inputs, settings, categories=(), share: float = 0.0,
               staff_points: float = 0.0, today: Lm3Result | None = None) -> WhatIfResult:
    """Apply a what-if to the inputs and compute LM3 again, beside today's.

    Parameters
    ----------
    inputs : Lm3Inputs
    settings : Settings
    categories : str or iterable of str
        Spending categories whose not-local spending is partly moved to local suppliers.
    share : float
        Fraction moved (0.5 for 50%).
    staff_points : float
        Rise in the share of staff pay going to staff living locally (0.1 for +10 points).
    today : Lm3Result, optional
        Today's LM3 from the same inputs, if already computed.

    Returns
    -------
    WhatIfResult

    Raises
    ------
    InputError
        A share over 100% (or below 0%), a category that does not exist, or more staff
        points than there is pay to move.

    References
    ----------
    METHODS §1; nef, *Plugging the Leaks* (Ward and Lewis 2002).
    """
    categories = check_categories(categories)
    share = check_share(share)
    today = today if today is not None else compute_lm3(inputs, settings)
    changed, moved_spending = shift_spending(inputs, categories, share)
    changed, moved_pay = shift_staff(changed, staff_points)
    located = spending_by_location(inputs, categories)
    notes = []
    if categories and share > 0 and moved_spending == 0:
        notes.append(f"No spending in {', '.join(categories)} is known to be outside the area "
                     "(or it nets to £0), so nothing moves.")
    if_local = None
    if located["unknown"] > 0:
        if_local = compute_lm3(count_unknown_as_local(inputs, categories), settings)
        notes.append(unknown_note(located, categories, if_local, today))
    return WhatIfResult(describe(categories, share, staff_points), categories, share,
                        float(staff_points), moved_spending, moved_pay, today,
                        compute_lm3(changed, settings), notes, located["unknown"], if_local)


def unknown_note(located: dict, categories, if_local: Lm3Result, today: Lm3Result) -> str:
    """Return the note on spending of unknown location, shown apart from a what-if.

    Parameters
    ----------
    located : dict
        From :func:`spending_by_location`.
    categories : tuple of str
    if_local, today : Lm3Result
        LM3 with that spending counted local (nothing moved), and today's.

    Returns
    -------
    str
    """
    rows = ", ".join(map(str, located["unknown_rows"]))
    return (f"£{located['unknown']:,.0f} of {', '.join(categories)} spending has no location "
            f"that can be placed (Spending sheet row(s) {rows}); it is not moved, because it "
            f"may be local already. If it is: LM3 {if_local.lm3:.3f} today, nothing moved "
            f"(+{if_local.lm3 - today.lm3:.3f}). Find the suppliers' postcodes to know.")


def _inputs(source, settings, boundary=None) -> Lm3Inputs:
    """Return inputs as given, or classified from a workbook (boundary or registry spec)."""
    if isinstance(source, Lm3Inputs):
        return source
    return lm3_inputs(source, settings, None if boundary is None else as_boundary(boundary))


# --------------------------------------------------------------------------- ranking


def whatif_ranking(source, settings, boundary=None, today: Lm3Result | None = None
                   ) -> pd.DataFrame:
    """Rank the changes that would raise LM3 most per £ moved, and say where they tie.

    Each candidate moves all of one category's spending known to be non-local to local
    suppliers, or all pay of staff not known to live locally to staff living locally.
    Spending of unknown location is not moved; ``unknown_location`` shows it apart.

    Parameters
    ----------
    source : Workbook or Lm3Inputs
    settings : Settings
    boundary : Boundary, optional
    today : Lm3Result, optional

    Returns
    -------
    pandas.DataFrame
        Largest rise per £ first: ``rank``, ``change``, ``moved`` (£; blank for staff pay to
        fewer people than the small-group threshold), ``lm3_today``, ``lm3_new``,
        ``lm3_new_low``, ``lm3_new_high``, ``rise``, ``rise_per_10k`` (LM3 points per
        £10,000 moved), ``equal_group`` (changes with the same number are equal per £
        moved), ``note`` (why they are equal, when they are), ``unknown_location`` (£ of
        the category's spending of unknown location, not moved; blank for staff).

    References
    ----------
    METHODS §1; nef, *Plugging the Leaks* (Ward and Lewis 2002).
    """
    inputs = _inputs(source, settings, boundary)
    today = today if today is not None else compute_lm3(inputs, settings)
    small = int(settings.value("checks.small_group_threshold"))
    rows = []
    for category in _leaking_categories(inputs):
        result = run_whatif(inputs, settings, [category], 1.0, today=today)
        row = _ranking_row(f"all known non-local {category} to local suppliers", "suppliers",
                           result)
        rows.append({**row, "unknown_location": result.unknown_spending})
    pay = staff_pay_shares(inputs)
    if pay["room"]:
        result = run_whatif(inputs, settings, staff_points=pay["room"], today=today)
        rows.append(_ranking_row("all staff pay to staff living locally", "staff", result))
    columns = ["change", "kind", "moved", "lm3_today", "lm3_new", "lm3_new_low",
               "lm3_new_high", "rise", "rise_per_10k", "unknown_location"]
    frame = pd.DataFrame(rows, columns=columns)
    frame["_key"] = [_tie_key(v) for v in frame["rise_per_10k"]]
    frame = frame.sort_values(["_key", "rise"], ascending=False, kind="stable")
    frame = frame.drop(columns="_key").reset_index(drop=True)
    frame.insert(0, "rank", range(1, len(frame) + 1))
    frame = _mark_ties(frame, today, float(settings.central("lm3.take_home_share")))
    return _suppress_small_staff(frame, pay["people_other"], small)


def _leaking_categories(inputs: Lm3Inputs) -> list[str]:
    """Categories, largest leak first, with spending known to be non-local to move."""
    table = leakage_by_category(inputs)
    leaking = table.loc[(table["kind"] == "suppliers") & (table["pence_per_pound"] > 0),
                        "category"]
    return [c for c in leaking if spending_by_location(inputs, [c])["known_not_local"] > 0]


def _unknown_categories(inputs: Lm3Inputs) -> list[str]:
    """Categories with spending of unknown location, in the schema's order."""
    return [c for c in SPENDING_CATEGORIES
            if spending_by_location(inputs, [c])["unknown"] > 0]


def _ranking_row(change: str, kind: str, result: WhatIfResult) -> dict:
    return {"change": change, "kind": kind, "moved": result.moved, "lm3_today": result.today.lm3,
            "lm3_new": result.new.lm3, "lm3_new_low": result.new.lm3_low,
            "lm3_new_high": result.new.lm3_high, "rise": result.rise,
            "rise_per_10k": result.rise_per_10k}


def _tie_key(value) -> float | None:
    """Round to 9 significant figures, so float noise does not break a true tie."""
    return None if value is None or pd.isna(value) else float(f"{value:.9g}")


def _mark_ties(frame: pd.DataFrame, today: Lm3Result, t: float) -> pd.DataFrame:
    """Number groups of changes equal per £ moved, and say which rate makes them equal."""
    frame = frame.copy()
    groups, notes = [], []
    keys = [_tie_key(v) for v in frame["rise_per_10k"]]
    counts = pd.Series(keys).value_counts()
    numbering: dict = {}
    for key in keys:
        if key is None or counts[key] < 2:
            groups.append(None)
            notes.append("")
            continue
        numbering.setdefault(key, len(numbering) + 1)
        groups.append(numbering[key])
        kinds = set(frame.loc[[k == key for k in keys], "kind"])
        notes.append(_tie_reason(kinds, today, t))
    frame["equal_group"] = pd.array(groups, dtype="Int64")
    frame["note"] = notes
    return frame


def _tie_reason(kinds: set, today: Lm3Result, t: float) -> str:
    def basis(setting):
        return "assumed" if any(setting in a for a in today.assumed) else "surveyed"
    supplier_rate = (f"local suppliers' re-spending rate ({today.rho_suppliers:.0%}, "
                     f"{basis('lm3.assumed_respend_suppliers')})")
    staff_rate = (f"take-home share times staff re-spending rate ({t:.0%} x "
                  f"{today.rho_staff:.0%}, {basis('lm3.assumed_respend_staff')}; take-home "
                  "share assumed)")
    reason = "Equal per £ moved (rows with the same 'tied set' number): "
    if kinds == {"suppliers"}:
        return reason + ("every new local supplier is given the same " + supplier_rate +
                         ", so the ranking between these categories rests on that one rate, "
                         "not on evidence about each category; they are listed by the total "
                         "rise if all of each moved.")
    return reason + (f"the {supplier_rate} equals the {staff_rate}; the order between "
                     "suppliers and staff rests on those rates.")


def _suppress_small_staff(frame: pd.DataFrame, people: int, small: int) -> pd.DataFrame:
    frame = frame.copy()
    if people < small:
        frame["moved"] = frame["moved"].astype(object)
        frame.loc[frame["kind"] == "staff", "moved"] = None
    return frame


# --------------------------------------------------------------------------- presets


def preset_whatifs(source, settings, boundary=None, shares=(0.25, 0.5),
                   staff_points: float = 0.10, n_categories: int = 5) -> pd.DataFrame:
    """Return the pack's static table of preset what-ifs beside today's LM3.

    Parameters
    ----------
    source : Workbook or Lm3Inputs
    settings : Settings
    boundary : Boundary, optional
    shares : tuple of float
        Shares of each leaking category moved to local suppliers (0.25 and 0.5).
    staff_points : float
        Rise in the share of staff pay to staff living locally (0.10 for +10 points); if
        less room is left, all that is left is moved, and the row says so.
    n_categories : int
        How many of the largest leaking categories get rows.

    Returns
    -------
    pandas.DataFrame
        Columns ``scenario``, ``moved`` (£), ``lm3``, ``lm3_low``, ``lm3_high``, ``rise``
        (against today), ``note``. The first row is today. Each category with spending of
        unknown location gets its own "if it is local already" row (nothing moved).

    References
    ----------
    METHODS §1; nef, *Plugging the Leaks* (Ward and Lewis 2002).
    """
    inputs = _inputs(source, settings, boundary)
    today = compute_lm3(inputs, settings)
    rows = [_preset_row("Today", 0.0, today, today, "")]
    leaking = _leaking_categories(inputs)[:n_categories]
    for category in leaking:
        for share in shares:
            result = run_whatif(inputs, settings, [category], share, today=today)
            rows.append(_preset_row(result.label, result.moved, result.new, today, ""))
    for category in _unknown_categories(inputs):
        located = spending_by_location(inputs, [category])
        result = compute_lm3(count_unknown_as_local(inputs, [category]), settings)
        rows.append(_preset_row(
            f"If the £{located['unknown']:,.0f} of {category} spending of unknown location "
            "is local already", 0.0, result, today,
            "nothing moved: spending of unknown location counted local, not moved"))
    rows.append(_staff_preset(inputs, settings, staff_points, today))
    frame = pd.DataFrame(rows)
    frame.attrs["boundary_name"] = inputs.boundary_name
    return frame


def _preset_row(label: str, moved: float | None, result: Lm3Result, today: Lm3Result,
                note: str) -> dict:
    return {"scenario": label, "moved": moved, "lm3": result.lm3, "lm3_low": result.lm3_low,
            "lm3_high": result.lm3_high, "rise": result.lm3 - today.lm3, "note": note}


def _staff_preset(inputs: Lm3Inputs, settings, points: float, today: Lm3Result) -> dict:
    pay = staff_pay_shares(inputs)
    label = f"+{points * 100:.0f} points of staff pay to staff living locally"
    if not pay["room"]:
        return _preset_row(label, 0.0, today, today,
                           "no change: all staff pay already goes to staff living locally"
                           if pay["total"] else "no staff pay in the workbook")
    note = ""
    if pay["room"] < points:
        note = f"only {pay['room'] * 100:.1f} points were left to move: all of it moved"
        points = pay["room"]
    result = run_whatif(inputs, settings, staff_points=points, today=today)
    small = int(settings.value("checks.small_group_threshold"))
    moved = None if pay["people_other"] < small else result.moved
    if moved is None:
        note = "; ".join(n for n in (note, f"£ not shown: fewer than {small} people") if n)
    return _preset_row(label, moved, result.new, today, note)


# --------------------------------------------------------------------------- widget


#: Said under the live what-if: its controls need Python running behind them.
LIVE_ONLY = ("These controls are live only in JupyterLab and in the app: on a web page or "
             "in print they show the starting values above.")


def whatif_widget(source, settings, boundary=None):
    """Return a live what-if for JupyterLab: pick categories, a share and staff points.

    Parameters
    ----------
    source : Workbook or Lm3Inputs
    settings : Settings
    boundary : Boundary, optional

    Returns
    -------
    ipywidgets.VBox
        Controls and an output area showing today's LM3 and the what-if's, each with its
        interval. It works headless too (its first result is computed when it is built);
        ``widget.refresh()`` recomputes, ``widget.last`` holds the latest
        :class:`WhatIfResult`.
    """
    import ipywidgets as widgets

    inputs = _inputs(source, settings, boundary)
    today = compute_lm3(inputs, settings)
    present = [c for c in SPENDING_CATEGORIES if c in set(inputs.spending["category"])]
    leaking = _leaking_categories(inputs)
    pay = staff_pay_shares(inputs)
    pick = widgets.SelectMultiple(options=present, value=tuple(leaking[:1]),
                                  description="Categories", rows=min(len(present), 8) or 1)
    share = widgets.FloatSlider(value=50.0, min=0.0, max=100.0, step=5.0,
                                description="Share moved to local suppliers (%)",
                                readout_format=".0f", style={"description_width": "initial"},
                                layout=widgets.Layout(width="32em"))
    room = round((pay["room"] or 0.0) * 100, 1)
    staff = widgets.FloatSlider(value=0.0, min=0.0, max=room, step=min(1.0, room) or 1.0,
                                description="Staff pay to local residents (+ points)",
                                readout_format=".1f", disabled=room == 0,
                                style={"description_width": "initial"},
                                layout=widgets.Layout(width="32em"))
    out = widgets.HTML()
    box = widgets.VBox([pick, share, staff, out])

    def refresh(*_):
        result = run_whatif(inputs, settings, pick.value, share.value / 100.0,
                            min(staff.value / 100.0, pay["room"] or 0.0), today=today)
        box.last = result
        out.value = whatif_html(result) + f"<p><em>{LIVE_ONLY}</em></p>"

    for control in (pick, share, staff):
        control.observe(refresh, names="value")
    box.refresh = refresh
    refresh()
    return box


def whatif_sentence(result: WhatIfResult, show_moved: bool = True) -> str:
    """Return a what-if in one plain sentence: the change, LM3 after with its interval.

    Parameters
    ----------
    result : WhatIfResult
    show_moved : bool
        Whether to say the pounds moved (leave ``False`` for staff pay, which may be the pay
        of fewer people than the small-group threshold).

    Returns
    -------
    str
        Such as "50% of known non-local food and catering moved to local suppliers (£6,000
        moved): LM3 2.18 (survey interval 2.05 to 2.31), up 0.018 from 2.16 today."
    """
    if result.moved <= 0:
        return (f"Nothing moved: LM3 stays at {result.today.lm3:.2f} (survey interval "
                f"{result.today.lm3_low:.2f} to {result.today.lm3_high:.2f}).")
    moved = f" (£{result.moved:,.0f} moved)" if show_moved else ""
    return (f"{result.label}{moved}: LM3 {result.new.lm3:.2f} (survey interval "
            f"{result.new.lm3_low:.2f} to {result.new.lm3_high:.2f}), up {result.rise:.3f} "
            f"from {result.today.lm3:.2f} today.")


def whatif_steps(source, settings, boundary=None, category: str | None = None):
    """Return two stepped sliders for a static page: a share of one category, staff points.

    Each position's LM3 is computed now by :func:`run_whatif` (see
    :mod:`toolkit.present_widgets`), so a web page without Python shows true figures.
    One slider moves at a time; the other change stays at nothing.

    Parameters
    ----------
    source : Workbook or Lm3Inputs
    settings : Settings
    boundary : Boundary, optional
    category : str, optional
        The category whose known non-local spending is moved; the largest leak if not given.

    Returns
    -------
    ipywidgets.VBox
        Its ``sliders`` attribute holds the two stepped sliders (``category`` and ``staff``
        attributes say what they move).
    """
    import ipywidgets as widgets

    from toolkit.present_widgets import positions_over, sentence, stepped_slider, steps

    inputs = _inputs(source, settings, boundary)
    today = compute_lm3(inputs, settings)
    category = check_categories(category)[0] if category else _leaking_categories(inputs)[0]
    shares = steps(0.0, 1.0, 0.1)
    spend = stepped_slider(
        f"Share of {category} moved to local suppliers",
        positions_over(shares, lambda v: f"{v:.0%}", lambda v: sentence(whatif_sentence(
            run_whatif(inputs, settings, [category], v, today=today)))),
        start=shares.index(0.5), fixed=f"Staff pay stays as it is; only {category} moves.")
    room = staff_pay_shares(inputs)["room"] or 0.0
    points = [p for p in steps(0.0, 0.2, 0.02) if p <= room + 1e-9]
    staff = stepped_slider(
        "Staff pay to local residents (+ points)",
        positions_over(points, lambda v: f"+{v * 100:.0f}", lambda v: sentence(
            whatif_sentence(run_whatif(inputs, settings, staff_points=v, today=today),
                            show_moved=False))),
        fixed="Spending stays as it is; only the share of staff pay going to staff who "
              "live locally rises.")
    box = widgets.VBox([spend, staff])
    box.sliders, box.category = (spend, staff), category
    return box


def whatif_html(result: WhatIfResult) -> str:
    """Return a what-if as an escaped HTML table with a line of explanation.

    Parameters
    ----------
    result : WhatIfResult

    Returns
    -------
    str
    """
    import html

    table = result.table().rename(columns={
        "scenario": "Scenario", "lm3": "LM3", "lm3_low": "low", "lm3_high": "high",
        "round_2_pence": "Round 2 (p per £1)", "round_3_pence": "Round 3 (p per £1)"})
    body = table.to_html(index=False, escape=True, float_format=lambda v: f"{v:.3f}")
    moved = f"£{result.moved:,.0f} moved; LM3 rises by {result.rise:.3f}."
    notes = "".join(f"<p>{html.escape(n)}</p>" for n in result.notes)
    return f"{body}<p>{html.escape(moved)}</p>{notes}"


# --------------------------------------------------------------------------- the pack


def strengthening_tables(source, settings, boundary=None, n: int = 10) -> dict:
    """Return every table and chart of the pack's "strengthening your impact" section.

    Parameters
    ----------
    source : Workbook or Lm3Inputs
        A workbook also gives the enabled contribution and the assets; inputs give only
        leakage and what-ifs.
    settings : Settings
    boundary : Boundary, optional
        The area called local (the pack's first boundary); default from the settings.
    n : int
        How many suppliers to list and draw.

    Returns
    -------
    dict
        ``leakage`` (:class:`toolkit.measures.leakage.LeakageResult`), ``rounds`` (pence kept and
        lost per round), ``suppliers`` and ``categories`` (ranked, readable headers),
        ``presets`` (:func:`preset_whatifs`), ``ranking`` (:func:`whatif_ranking`),
        ``ranking_notes`` (the tie explanations, once each), ``enabled``
        (:class:`toolkit.measures.enabled.EnabledResult` or ``None`` for inputs), ``assets``
        (:func:`toolkit.measures.enabled.assets_summary` or ``None``), and ``charts``: a dict of
        matplotlib figures (``suppliers``, ``categories``, ``rounds``), each with
        ``alt_text``.

    References
    ----------
    nef, *Plugging the Leaks* (Ward and Lewis 2002); Locality (2017) (METHODS §1, §6).
    """
    from toolkit.measures.enabled import assets_summary, enabled_contribution
    from toolkit.measures.leakage import leakage, leakage_chart, leakage_table, rounds_chart

    inputs = _inputs(source, settings, boundary)
    leak = leakage(inputs, settings)
    ranking = whatif_ranking(inputs, settings, today=leak.lm3)
    is_workbook = not isinstance(source, Lm3Inputs)
    return {
        "leakage": leak,
        "rounds": leak.summary,
        "suppliers": leakage_table(leak, n=n),
        "categories": leakage_table(leak, n=len(leak.by_category), by="category"),
        "presets": preset_whatifs(inputs, settings),
        "ranking": ranking,
        "ranking_notes": list(dict.fromkeys(x for x in ranking["note"] if x)),
        "enabled": enabled_contribution(source, settings) if is_workbook else None,
        "assets": assets_summary(source) if is_workbook else None,
        "charts": {"suppliers": leakage_chart(leak, n=n),
                   "categories": leakage_chart(leak, n=n, by="category"),
                   "rounds": rounds_chart(leak)},
    }


#: Readable headers of the what-if tables in a pack (the CSV beside it keeps these too).
PRESET_HEADERS = {"scenario": "Scenario", "moved": "Moved (£ a year)", "lm3": "LM3",
                  "lm3_low": "LM3 low", "lm3_high": "LM3 high", "rise": "Rise in LM3",
                  "note": "Note"}
RANKING_HEADERS = {"rank": "Rank", "change": "Change", "kind": "Kind",
                   "moved": "Moved (£ a year)", "lm3_today": "LM3 today",
                   "lm3_new": "LM3 after", "lm3_new_low": "LM3 after, low",
                   "lm3_new_high": "LM3 after, high", "rise": "Rise in LM3",
                   "rise_per_10k": "Rise per £10,000 moved", "equal_group": "Tied set",
                   "unknown_location": "Location unknown, not moved (£)"}
FORMAT_OF = {"moved": "money", "lm3": "ratio", "lm3_low": "ratio", "lm3_high": "ratio",
             "lm3_today": "ratio", "lm3_new": "ratio", "lm3_new_low": "ratio",
             "lm3_new_high": "ratio", "rise": "decimal", "rise_per_10k": "decimal",
             "unknown_location": "money"}


def show_strengthening(source, settings, boundary=None, n: int = 10,
                       include_enabled: bool = True) -> dict | None:
    """Show the pack's "strengthening your impact" section: leakage, what-ifs, enabled.

    A pack notebook calls this once. When LM3 cannot be worked out from the workbook (no
    spending, no income studied), the section says why instead of stopping the pack.

    Parameters
    ----------
    source : Workbook or Lm3Inputs
    settings : Settings
    boundary : Boundary, optional
    n : int
        How many suppliers to list and draw.
    include_enabled : bool
        Whether to show enabled jobs and GVA and the assets here too (leave ``False`` if
        the pack shows them in a section of their own).

    Returns
    -------
    dict or None
        The tables shown (see :func:`strengthening_tables`), or ``None`` if not evidenced.
    """
    from toolkit import present

    try:
        tables = strengthening_tables(source, settings, boundary, n)
    except InputError as problem:
        present.show_text(f"Not evidenced: {problem}", "warning")
        return None
    leak = tables["leakage"]
    present.show_text(f"Local area: {leak.boundary_name}. Pence are of each £1 of income "
                      "studied. Spending whose location is unknown is counted as leaving, as "
                      "LM3 counts it. The what-ifs move only spending known to be non-local; "
                      "spending of unknown location is shown apart, with its own line: LM3 if "
                      "it is local already.")
    present.show_table(tables["rounds"], "leakage-rounds", "Pence of each £1 kept and lost",
                       formats={"entering": "number", "kept": "number", "lost": "number"})
    present.show_chart(tables["charts"]["rounds"])
    lost = leak.rounds[~leak.rounds["kept"] & (leak.rounds["pence"].abs() > 1e-9)]
    present.show_table(lost.drop(columns=["kept"]), "leakage-lost-by-round",
                       "Where the pence are lost, round by round", formats={"pence": "number"})
    present.show_table(tables["suppliers"], "leakage-suppliers",
                       f"Largest spending leaving the area, by supplier (top {n})",
                       formats={"Leaving (£ a year)": "money"})
    present.show_chart(tables["charts"]["suppliers"])
    present.show_table(tables["categories"], "leakage-categories",
                       "Spending leaving the area, by category",
                       formats={"Leaving (£ a year)": "money",
                                "of which location unknown (£)": "money",
                                "Share kept local": "share"})
    presets = tables["presets"]
    if not presets["note"].fillna("").astype(str).str.strip().any():  # no notes: no column
        presets = presets.drop(columns=["note"])
    presets = presets.rename(columns=PRESET_HEADERS)
    present.show_table(presets, "whatif-presets",
                       "What if more were spent locally? LM3 with its interval",
                       formats={h: FORMAT_OF[k] for k, h in PRESET_HEADERS.items()
                                if k in FORMAT_OF})
    ranking = tables["ranking"].drop(columns=["note"])
    today = _today_caption(ranking)
    if today:  # the same in every row: said once, in the caption
        ranking = ranking.drop(columns=["lm3_today"])
    ranking = ranking.rename(columns=RANKING_HEADERS)
    present.show_table(ranking, "whatif-ranking",
                       f"Changes ranked by the rise in LM3 per £10,000 moved{today}",
                       formats={h: FORMAT_OF[k] for k, h in RANKING_HEADERS.items()
                                if k in FORMAT_OF})
    present.show_list([*tables["ranking_notes"], *leak.notes, *leak.lm3.assumed])
    if include_enabled and tables["enabled"] is not None:
        _show_enabled_and_assets(tables["enabled"], tables["assets"])
    return tables


def _today_caption(ranking) -> str:
    """Return ", from LM3 today of 1.72" for a ranking's caption (one value for all rows)."""
    today = ranking["lm3_today"].dropna().unique() if len(ranking) else []
    return f", from LM3 today of {today[0]:.2f}" if len(today) == 1 else ""


def _show_enabled_and_assets(enabled, assets) -> None:
    from toolkit import present

    if enabled.evidenced:
        present.show_table(enabled.summary_table(), "enabled",
                           "Jobs and GVA enabled through tenants, gross and net")
        present.show_list([enabled.reason] if enabled.reason else [])
    else:
        present.show_text(f"Enabled jobs and GVA: not evidenced. {enabled.reason}")
    if assets.attrs.get("status") == "evidenced":
        present.show_table(assets.drop(columns=["row"]), "assets",
                           "Buildings and spaces: use", formats={"visits": "number"})
    else:
        present.show_text("Use of buildings and spaces: not evidenced (no Assets sheet).")


__all__ = [
    "WhatIfResult",
    "check_categories",
    "check_share",
    "count_unknown_as_local",
    "preset_whatifs",
    "run_whatif",
    "whatif_sentence",
    "whatif_steps",
    "show_strengthening",
    "strengthening_tables",
    "shift_spending",
    "shift_staff",
    "spending_by_location",
    "staff_pay_shares",
    "whatif_html",
    "whatif_ranking",
    "whatif_widget",
]
