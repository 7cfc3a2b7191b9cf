"""The economic value of volunteers' time, at replacement cost.

Volunteer hours are valued at the hourly wage of an equivalent paid role: the wage the
workbook gives for an activity, or else the wage the user chose in the settings
(``volunteering.default_hourly_wage``), always shown beside the figure. The result is
its own figure. In SROI it is an input (a cost of creating the outcomes), never a
benefit added to present value.

References
----------
METHODS §4 (Volunteering): replacement cost; ONS Household Satellite Account; ASHE.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from toolkit.inputs.errors import InputError, Report
from toolkit.inputs.settings import living_wage

#: Other hourly rates a user may compare with (METHODS §4). Shown as "what the figure
#: would be at"; never used unless the user chooses one in the settings. Secondary
#: sources, not checked against the originals here.
REFERENCE_RATES = (
    {"rate": "ONS Household Satellite Account, formal volunteering 2012/13 "
             "(£23.9bn / about 2.12bn hours; 2012/13 prices)",
     "hourly_wage": 11.27, "checked": "not checked against original here (secondary)"},
    {"rate": "ASHE full-time median hourly pay excluding overtime, April 2024",
     "hourly_wage": 18.64, "checked": "not checked against original here (secondary)"},
)


@dataclass
class VolunteeringResult:
    """Volunteers' time valued at replacement cost, with its workings.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per activity: ``row``, ``activity``, ``hours``, ``hourly_wage``,
        ``wage_source``, ``value``.
    total_hours, total_value : float
        Sums over activities (£ for value).
    default_wage : float
        The setting used where an activity gives no wage.
    evidenced : bool
        Whether the workbook has a Volunteers sheet with rows. When not, the value is
        £0 and marked "not evidenced", not silently zero.
    comparison : pandas.DataFrame
        The total at other hourly rates (``rate``, ``hourly_wage``, ``value``, ``checked``).
    notes : list of str
        Plain-English notes for a pack.
    """

    table: pd.DataFrame
    total_hours: float
    total_value: float
    default_wage: float
    evidenced: bool
    comparison: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """Return the result as plain data for JSON."""
        return {
            "total_hours": self.total_hours,
            "total_value": self.total_value,
            "default_hourly_wage": self.default_wage,
            "evidenced": self.evidenced,
            "activities": records(self.table),
            "at_other_rates": records(self.comparison),
            "notes": list(self.notes),
            "role_in_sroi": "an input (a cost of creating the outcomes), never a benefit",
        }


def volunteering_table(volunteers: pd.DataFrame, default_wage: float,
                       file: str | None = None) -> pd.DataFrame:
    """Value each volunteering activity at replacement cost.

    Parameters
    ----------
    volunteers : pandas.DataFrame
        The workbook's ``volunteers`` table (columns ``activity``, ``hours``,
        ``hourly_wage``; ``row`` if present, for tracing).
    default_wage : float
        Hourly wage (£) for activities whose ``hourly_wage`` is blank.
    file : str, optional
        Workbook path, for messages.

    Returns
    -------
    pandas.DataFrame
        ``row``, ``activity``, ``hours``, ``hourly_wage``, ``wage_source``, ``value``
        (``hours * hourly_wage``, £).

    Raises
    ------
    InputError
        When hours or a wage are missing or negative.

    References
    ----------
    METHODS §4: replacement cost = hours * the hourly wage of an equivalent paid role.
    """
    if not default_wage >= 0:
        raise InputError(f"Setting volunteering.default_hourly_wage must be £0 or more; "
                         f"found {default_wage}.")
    report = Report()
    rows = []
    for i, rec in volunteers.reset_index(drop=True).iterrows():
        where = {"file": file, "sheet": "Volunteers", "row": _row(rec, i)}
        hours = rec.get("hours")
        wage = rec.get("hourly_wage")
        if pd.isna(hours) or hours < 0:
            report.error("Hours must be a number of 0 or more.", column="Hours (a year)",
                         value=str(hours), **where)
            continue
        own = wage is not None and not pd.isna(wage)
        if own and wage < 0:
            report.error("The hourly wage must not be negative.",
                         column="Equivalent hourly wage (£)", value=str(wage), **where)
            continue
        rate = float(wage) if own else float(default_wage)
        rows.append({
            "row": where["row"], "activity": rec.get("activity"), "hours": float(hours),
            "hourly_wage": rate,
            "wage_source": "workbook" if own else "setting volunteering.default_hourly_wage",
            "value": float(hours) * rate,
        })
    report.raise_if_errors(f"{file or 'The workbook'}'s Volunteers sheet")
    return pd.DataFrame(rows, columns=["row", "activity", "hours", "hourly_wage",
                                       "wage_source", "value"])


def volunteering_summary(volunteers: pd.DataFrame | None, default_wage: float,
                         file: str | None = None,
                         extra_rates: list[dict] | None = None) -> VolunteeringResult:
    """Value volunteers' time and compare it at other hourly rates.

    Parameters
    ----------
    volunteers : pandas.DataFrame or None
        The ``volunteers`` table; ``None`` or empty when the workbook has none.
    default_wage : float
        Hourly wage (£) where the workbook gives none.
    file : str, optional
        Workbook path, for messages.
    extra_rates : list of dict, optional
        More rates to compare with (keys ``rate``, ``hourly_wage``, ``checked``).

    Returns
    -------
    VolunteeringResult

    References
    ----------
    METHODS §4 (Volunteering).
    """
    empty = volunteers is None or volunteers.empty
    table = volunteering_table(volunteers if not empty else pd.DataFrame(
        columns=["activity", "hours", "hourly_wage"]), default_wage, file)
    hours, value = float(table["hours"].sum()), float(table["value"].sum())
    notes = [f"Volunteer time valued at replacement cost: hours x the hourly wage of an "
             f"equivalent paid role; £{default_wage:,.2f} an hour (the setting "
             "volunteering.default_hourly_wage) where the workbook gives no wage."]
    if empty:
        notes.append("Not evidenced by this workbook: no volunteer hours are recorded, so "
                     "volunteer time is shown as £0 and not evidenced.")
    notes.append("This is the economic value of volunteers' time. In SROI it is an input "
                 "(a cost of creating the outcomes), never a benefit.")
    comparison = pd.DataFrame(
        [{**ref, "value": hours * ref["hourly_wage"]}
         for ref in list(REFERENCE_RATES) + list(extra_rates or [])]
        + [{"rate": "Your setting (volunteering.default_hourly_wage), all hours",
            "hourly_wage": float(default_wage), "checked": "user's choice",
            "value": hours * float(default_wage)}])
    return VolunteeringResult(table, hours, value, float(default_wage), not empty,
                              comparison, notes)


def volunteering_value(wb, settings) -> VolunteeringResult:
    """Value a workbook's volunteer time at replacement cost (one line in a notebook).

    Parameters
    ----------
    wb : toolkit.inputs.workbook.Workbook
        The organisation's workbook.
    settings : toolkit.inputs.settings.Settings
        Key ``volunteering.default_hourly_wage``.

    Returns
    -------
    VolunteeringResult
    """
    volunteers = wb.table("volunteers") if wb.has("volunteers") else None
    extra = []
    year = getattr(wb, "financial_year", None)
    uk_rate = living_wage(settings, str(year), london=False) if year else None
    if uk_rate is not None:
        extra.append({"rate": f"Real Living Wage {year}, UK rate (setting living_wage; the "
                              "London rate is higher)", "hourly_wage": uk_rate,
                      "checked": "not checked against source here"})
    return volunteering_summary(volunteers, settings.central("volunteering.default_hourly_wage"),
                                _path(wb), extra)


def records(table: pd.DataFrame) -> list[dict]:
    """Return a table's rows as dictionaries with blanks as ``None`` (for JSON)."""
    clean = table.astype(object).where(pd.notna(table), None)
    return [{k: _plain(v) for k, v in rec.items()} for rec in clean.to_dict("records")]


def _plain(value):
    """Return numpy scalars as Python numbers, for JSON."""
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        return value.item()
    return value


def _row(rec: pd.Series, position: int) -> int | None:
    row = rec.get("row")
    return int(row) if row is not None and not pd.isna(row) else position + 2


def _path(wb) -> str | None:
    path = getattr(wb, "path", None)
    return str(path) if path is not None else None
