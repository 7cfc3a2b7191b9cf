"""Local jobs and pay: FTE, FTE-years, pay going to local residents, the real Living Wage.

Counts follow the practice of the TOMs (Themes, Outcomes and Measures) framework and the
Torbay guidance: full-time equivalent (FTE) jobs, and FTE-years over a period, so that 10
full-time and 5 half-time local staff for 2 years are 25 FTE-years (METHODS, published case
5). "Local" is where staff live, by home postcode district, against the boundary the user
chose (METHODS §1): staff whose district is blank or cannot be placed are reported as
unknown, never guessed.

The share of staff paid at least the real Living Wage comes from the Staff sheet's yes/no
column; the rate that applies (the London rate in London boroughs) is taken from the
settings (``living_wage``, by the workbook's financial year) and shown beside it. Each
"yes" is cross-checked: gross pay / (FTE x hours a week x 52 weeks) below the rate flags
the row (hours a week of one FTE is the setting ``jobs.full_time_hours_a_week``; 52 weeks
because annual pay includes paid holiday). The share that passes the check is given
beside the share as answered.

References
----------
METHODS.md §1 (where staff live decides "local") and published case 5 (FTE-years).
National TOMs framework (Social Value Portal) and Torbay Council social value guidance, as
summarised in METHODS.md: local FTE and FTE-years.
Living Wage Foundation, real Living Wage rates (UK and London), via the settings.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from toolkit.inputs.errors import InputError
from toolkit.inputs.settings import living_wage

#: Paid weeks in a year: annual pay includes paid holiday, so hours are spread over 52.
WEEKS_A_YEAR = 52.0


@dataclass
class JobsResult:
    """Jobs and pay of one organisation for one year, with a period's FTE-years.

    Attributes
    ----------
    staff_count : int
        Rows of the Staff sheet (people or posts).
    fte, fte_local, fte_not_local, fte_unknown : float
        Full-time equivalents, split by where staff live.
    years : float
        The period for FTE-years.
    fte_years, fte_years_local : float
        FTE times years (staffing held as in this year).
    pay_total, pay_local, pay_unknown : float
        Gross pay in pounds.
    local_pay_share : float or None
        Pay of local residents over all pay; None when there is no pay.
    living_wage_yes, living_wage_no, living_wage_unknown : int
        Staff rows answering yes, no, or blank.
    living_wage_share : float or None
        Share of staff (head count) paid at least the real Living Wage, among those whose
        answer is known; None when none is known.
    living_wage_share_fte : float or None
        The same share by FTE.
    below_rate_rows : list of int
        Excel rows answering "yes" whose gross pay / (FTE x hours a week x 52) is below
        the rate (checked only when the hours and the rate are known).
    below_rate_pay : list of dict
        The same rows with their worked-out hourly pay: ``row``, ``hourly_pay``.
    full_time_hours : float or None
        Hours a week of one FTE used for the check.
    living_wage_share_checked : float or None
        Share of staff answering whose answer is "yes" and whose pay passes the check.
    living_wage_rate : float or None
        The hourly rate that applies, from the settings; None when the year is not listed.
    living_wage_area : str
        "London" or "UK".
    boundary_name : str or None
        The area called local; None when no boundary was given.
    small_group : bool
        True when fewer staff than ``checks.small_group_threshold``: packs suppress
        figures about them.
    notes : list of str
    """

    staff_count: int
    fte: float
    fte_local: float | None
    fte_not_local: float | None
    fte_unknown: float | None
    years: float
    fte_years: float
    fte_years_local: float | None
    pay_total: float
    pay_local: float | None
    pay_unknown: float | None
    local_pay_share: float | None
    living_wage_yes: int
    living_wage_no: int
    living_wage_unknown: int
    living_wage_share: float | None
    living_wage_share_fte: float | None
    living_wage_rate: float | None
    living_wage_area: str
    financial_year: str | None
    boundary_name: str | None
    small_group: bool
    notes: list[str] = field(default_factory=list)
    pay_partly_local: float = 0.0
    below_rate_rows: list[int] = field(default_factory=list)
    below_rate_pay: list[dict] = field(default_factory=list)
    full_time_hours: float | None = None
    living_wage_share_checked: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready dictionary."""
        return {k: (v.item() if isinstance(v, np.generic) else v)
                for k, v in asdict(self).items()}


def fte_years(fte, years: float) -> float:
    """Return FTE-years: the sum of FTE times the number of years.

    Parameters
    ----------
    fte : float or iterable of float
        Full-time equivalents (1 for full time, 0.5 for half time).
    years : float
        Length of the period in years (positive).

    Returns
    -------
    float

    References
    ----------
    METHODS published case 5 (TOMs practice, Torbay guidance): 10 full-time and 5
    half-time local staff for 2 years are 25 FTE-years.
    """
    if not (isinstance(years, int | float) and math.isfinite(years) and years > 0):
        raise InputError(f"The number of years must be more than 0; got {years}.")
    values = np.atleast_1d(np.asarray(fte, dtype=float))
    if values.size and (not np.isfinite(values).all() or (values < 0).any()):
        raise InputError("FTE must be numbers of 0 or more.")
    return float(values.sum() * years)


def is_london(la_code: str | None) -> bool | None:
    """Return whether an ONS local authority code is a London borough (E09...), or None.

    References
    ----------
    Office for National Statistics: codes beginning E09 are the London boroughs and the
    City of London.
    """
    if not la_code:
        return None
    return str(la_code).strip().upper().startswith("E09")


def _flags(series: pd.Series) -> list:
    out = []
    for value in series:
        if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
            out.append(None)
        else:
            out.append(bool(value))
    return out


def _share(part: float, whole: float) -> float | None:
    return part / whole if whole > 0 else None


def jobs_summary(staff: pd.DataFrame, years: float = 1.0, *, boundary_name: str | None = None,
                 living_wage_rate: float | None = None, london: bool | None = None,
                 financial_year: str | None = None, small_group_threshold: int = 5,
                 full_time_hours: float | None = None) -> JobsResult:
    """Summarise jobs and pay from a staff table.

    Parameters
    ----------
    staff : pandas.DataFrame
        Columns ``fte``, ``gross_pay``, ``row``, and optionally ``local`` (True/False/None:
        lives in the area; absent when no boundary was given) and ``living_wage`` (yes/no).
    years : float
        Period for FTE-years.
    boundary_name : str, optional
        The area called local.
    living_wage_rate : float, optional
        Hourly real Living Wage that applies, shown beside the share.
    london : bool, optional
        Whether the London rate applies.
    financial_year : str, optional
        Such as "2024-25".
    small_group_threshold : int
        Fewer staff than this marks the result ``small_group`` (packs suppress it).
    full_time_hours : float, optional
        Hours a week of one FTE. Only when given, rows answering "yes" whose gross pay per
        FTE works out below the rate are listed in ``below_rate_rows`` to check.

    Returns
    -------
    JobsResult

    References
    ----------
    METHODS §1 and published case 5; Living Wage Foundation (rates via settings).
    """
    for column in ("fte", "gross_pay"):
        if column not in staff.columns:
            raise InputError(f"The staff table lacks the column {column!r}.")
    rows = staff["row"] if "row" in staff.columns else pd.Series(range(2, len(staff) + 2))
    fte = pd.to_numeric(staff["fte"], errors="coerce").to_numpy(dtype=float)
    pay = pd.to_numeric(staff["gross_pay"], errors="coerce").to_numpy(dtype=float)
    for values, name in ((fte, "FTE"), (pay, "gross pay")):
        bad = [int(r) for r, v in zip(rows, values, strict=True) if not math.isfinite(v) or v < 0]
        if bad:
            raise InputError(f"The staff table: {name} is blank, negative or not a number in "
                             f"row(s) {', '.join(map(str, bad))}.")
    notes: list[str] = []
    total_fte = float(fte.sum())
    result_local = _local_split(staff, fte, pay, boundary_name, notes)
    lw = _living_wage_counts(staff, fte, notes)
    below_pay = _below_rate(staff, fte, pay, rows, living_wage_rate, full_time_hours)
    below = [item["row"] for item in below_pay]
    if below:
        notes.append(below_rate_note(below_pay, living_wage_rate, full_time_hours))
    area = "London" if london else "UK"
    if living_wage_rate is None:
        notes.append(f"No real Living Wage rate is set for {financial_year or 'this year'} "
                     f"in the settings (living_wage).")
    if london is None:
        notes.append("Whether the London rate applies is not known (no local authority code); "
                     "the UK rate is shown.")
    if len(staff) < small_group_threshold:
        notes.append(f"Fewer than {small_group_threshold} staff: packs suppress figures about "
                     f"individual staff to protect privacy.")
    if years != 1:
        notes.append(f"FTE-years assume this year's staffing for all {years:g} years.")
    return JobsResult(
        staff_count=len(staff), fte=total_fte, years=float(years),
        fte_years=fte_years(fte, years),
        fte_years_local=(None if result_local["fte_local"] is None
                         else fte_years(result_local["fte_local"], years)),
        pay_total=float(pay.sum()), **result_local, **lw,
        living_wage_rate=living_wage_rate, living_wage_area=area,
        financial_year=financial_year, boundary_name=boundary_name,
        small_group=len(staff) < small_group_threshold, notes=notes, below_rate_rows=below,
        below_rate_pay=below_pay, full_time_hours=full_time_hours,
        living_wage_share_checked=_share(
            float(lw["living_wage_yes"] - len(below)),
            float(lw["living_wage_yes"] + lw["living_wage_no"])),
    )


def below_rate_note(below_pay: list[dict], rate: float, hours: float) -> str:
    """Return the plain-English flag for "yes" rows whose pay works out below the rate.

    Parameters
    ----------
    below_pay : list of dict
        From the check: ``row`` and ``hourly_pay`` of each flagged row.
    rate : float
        The real Living Wage that applies (£ an hour).
    hours : float
        Hours a week of one FTE.

    Returns
    -------
    str
    """
    listed = "; ".join(f"row {item['row']} £{item['hourly_pay']:.2f}" for item in below_pay)
    return (f"{len(below_pay)} staff row(s) marked 'yes' for the real Living Wage work out "
            f"below £{rate:.2f} an hour (gross pay / (FTE x {hours:g} hours a week x 52 "
            f"weeks)): {listed}. Check the answer, the FTE or the pay.")


def _local_split(staff, fte, pay, boundary_name, notes) -> dict:
    """Split FTE and pay by where staff live (None figures when there is no boundary)."""
    if "local" not in staff.columns or boundary_name is None:
        notes.append("No local boundary was given, so local jobs and pay are not worked out.")
        return {"fte_local": None, "fte_not_local": None, "fte_unknown": None,
                "pay_local": None, "pay_unknown": None, "local_pay_share": None}
    flags = np.array(_flags(staff["local"]), dtype=object)
    local = np.array([f is True for f in flags], dtype=bool)
    unknown = np.array([f is None for f in flags], dtype=bool)
    pay_total = float(pay.sum())
    if unknown.any():
        notes.append(f"{int(unknown.sum())} staff row(s) have no home district that can be "
                     f"placed (£{float(pay[unknown].sum()):,.0f} of pay): shown as unknown and "
                     f"not counted as local.")
    if pay_total == 0:
        notes.append("Staff pay adds up to £0, so the share of pay going to local residents "
                     "is not defined.")
    return {
        "fte_local": float(fte[local].sum()),
        "fte_not_local": float(fte[~local & ~unknown].sum()),
        "fte_unknown": float(fte[unknown].sum()),
        "pay_local": float(pay[local].sum()),
        "pay_unknown": float(pay[unknown].sum()),
        "local_pay_share": _share(float(pay[local].sum()), pay_total),
    }


def _living_wage_counts(staff, fte, notes) -> dict:
    """Count staff paid at least the real Living Wage, by head and by FTE."""
    flags = _flags(staff["living_wage"]) if "living_wage" in staff.columns else \
        [None] * len(staff)
    yes = np.array([f is True for f in flags], dtype=bool)
    no = np.array([f is False for f in flags], dtype=bool)
    known = yes | no
    if not known.any():
        notes.append("No staff row says whether pay is at least the real Living Wage: the "
                     "share is not evidenced.")
    elif not known.all():
        notes.append(f"{int((~known).sum())} staff row(s) leave the real Living Wage column "
                     f"blank; the share is of the {int(known.sum())} that answer.")
    return {
        "living_wage_yes": int(yes.sum()), "living_wage_no": int(no.sum()),
        "living_wage_unknown": int((~known).sum()),
        "living_wage_share": _share(float(yes.sum()), float(known.sum())),
        "living_wage_share_fte": _share(float(fte[yes].sum()), float(fte[known].sum())),
    }


def hourly_pay(gross_pay: float, fte: float, hours_a_week: float) -> float | None:
    """Return gross pay per hour worked out from a year's pay and FTE.

    Parameters
    ----------
    gross_pay : float
        Gross pay for the year (£).
    fte : float
        Full-time equivalent.
    hours_a_week : float
        Hours a week of one FTE.

    Returns
    -------
    float or None
        ``gross_pay / (fte x hours_a_week x 52)``; None when FTE is 0. 52 weeks, because
        annual pay includes paid holiday.

    References
    ----------
    Living Wage Foundation: the real Living Wage is an hourly rate (METHODS §1, jobs).
    """
    return gross_pay / (fte * hours_a_week * WEEKS_A_YEAR) if fte > 0 else None


def _below_rate(staff, fte, pay, rows, rate, hours) -> list[dict]:
    """Rows saying "yes" whose pay per FTE-hour is below ``rate`` (only when hours given)."""
    if rate is None or hours is None or "living_wage" not in staff.columns:
        return []
    if not hours > 0:
        raise InputError(f"Full-time hours a week must be more than 0; got {hours}.")
    flags = _flags(staff["living_wage"])
    out = []
    for flag, f, p, row in zip(flags, fte, pay, rows, strict=True):
        per_hour = hourly_pay(p, f, hours)
        if flag is True and per_hour is not None and per_hour < rate:
            out.append({"row": int(row), "hourly_pay": round(per_hour, 2)})
    return out


def jobs_from_workbook(wb, settings, boundary=None, years: float = 1.0,
                       london: bool | None = None, full_time_hours: float | None = None
                       ) -> JobsResult:
    """Summarise jobs and pay from a workbook's Staff sheet.

    Parameters
    ----------
    wb : toolkit.inputs.workbook.Workbook
        The organisation's workbook.
    settings : toolkit.inputs.settings.Settings
        Gives ``living_wage`` rates, ``checks.small_group_threshold``, and the boundary
        (``boundary.postcodes``) when ``boundary`` is not given.
    boundary : toolkit.inputs.geography.Boundary, optional
        The area called local. Without one (and none in the settings), local figures are
        left out with a note.
    years : float
        Period for FTE-years.
    london : bool, optional
        Whether the London rate applies; by default from the workbook's authority code.
    full_time_hours : float, optional
        Hours a week of one FTE for the Living Wage check; by default the setting
        ``jobs.full_time_hours_a_week``.

    Returns
    -------
    JobsResult
    """
    staff = wb.table("staff").copy()
    name = None
    if boundary is None and settings.value("boundary.postcodes"):
        from toolkit.measures.lm3 import boundary_from_settings

        boundary = boundary_from_settings(settings)
    if boundary is not None:
        name = getattr(boundary, "label", None) or getattr(boundary, "name", str(boundary))
        from toolkit.measures.lm3 import classify_local

        staff["local"] = pd.Series(classify_local(staff["home_district"], boundary),
                                   index=staff.index, dtype=object)
    london = is_london(wb.la_code) if london is None else london
    year = wb.financial_year
    rate = living_wage(settings, year, bool(london)) if year else None
    if full_time_hours is None:
        full_time_hours = float(settings.value("jobs.full_time_hours_a_week"))
    result = jobs_summary(
        staff, years, boundary_name=name, living_wage_rate=rate, london=london,
        financial_year=year,
        small_group_threshold=int(settings.value("checks.small_group_threshold")),
        full_time_hours=full_time_hours,
    )
    result.notes.extend(_partial_notes(staff, boundary))
    result.pay_partly_local = partial_pay(staff, boundary)[1]
    return result


def partial_pay(staff: pd.DataFrame, boundary) -> tuple[float, float]:
    """Return (pay in straddling districts, that pay times each district's share inside).

    The share is of the district's postcodes inside the boundary, not of its people (ONS
    Postcode Directory); such staff are unknown in the local figures, inside the range.
    """
    from toolkit.measures.lm3 import local_shares

    if boundary is None or "home_district" not in staff.columns:
        return 0.0, 0.0
    shares = np.array(local_shares(staff["home_district"], boundary), dtype=float)
    pay = pd.to_numeric(staff["gross_pay"], errors="coerce").fillna(0.0).to_numpy()
    partial = (shares > 0) & (shares < 1)
    return float(pay[partial].sum()), float((pay * np.nan_to_num(shares))[partial].sum())


def _partial_notes(staff: pd.DataFrame, boundary) -> list[str]:
    pay, counted = partial_pay(staff, boundary)
    if not pay:
        return []
    from toolkit.inputs.directory import PARTIAL_LABEL

    return [f"£{pay:,.0f} of the unknown pay goes to staff in postcode districts that "
            f"straddle {boundary.name}: by the {PARTIAL_LABEL}, £{counted:,.0f} of it would be "
            f"inside (the central figure of the boundaries list)."]


__all__ = ["JobsResult", "fte_years", "is_london", "jobs_summary", "jobs_from_workbook",
           "hourly_pay", "below_rate_note"]
