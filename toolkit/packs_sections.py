"""What a pack notebook needs beyond the analysis modules: its inputs opened, and headlines.

A pack notebook calls :func:`open_organisation` (or :func:`open_authority`) once to read
the registry, the settings (defaults, then the authority's file, then the user's) and the
workbooks; :func:`attempt` to run one analysis so that a section the workbook cannot
evidence says why instead of stopping the pack; and the ``*_headlines`` functions to turn
results into :class:`toolkit.present.Headline` figures, each with its range and whether it
is evidenced or assumed.

References
----------
METHODS.md §1 (LM3: evidenced and assumed re-spending), §3 (SROI), §5 (resilience).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit import present
from toolkit.errors import InputError
from toolkit.present import Headline


@dataclass
class Missing:
    """An analysis that could not be done for a pack, and why (in plain words).

    Parameters
    ----------
    reason : str
        Such as "The workbook has no Outcomes sheet".
    """

    reason: str

    def __bool__(self) -> bool:
        return False


def attempt(function: Callable, *args: Any, **kwargs: Any) -> Any:
    """Return ``function(*args, **kwargs)``, or :class:`Missing` when the input cannot support it.

    Only problems with the user's inputs (:class:`toolkit.errors.InputError`) become
    :class:`Missing`; a bug still stops the pack.

    Parameters
    ----------
    function : callable
        An analysis, such as ``sroi_from_workbook``.
    *args, **kwargs
        Its arguments.

    Returns
    -------
    object or Missing
    """
    try:
        return function(*args, **kwargs)
    except InputError as exc:
        return Missing(str(exc))


@dataclass
class OrganisationInputs:
    """An organisation pack's inputs, opened and checked.

    Attributes
    ----------
    registry, authority, organisation
        From :func:`toolkit.registry.load_registry`.
    settings : toolkit.settings.Settings
    workbooks : list of toolkit.workbook.Workbook
        One per financial year, oldest first.
    """

    registry: Any
    authority: Any
    organisation: Any
    settings: Any
    workbooks: list = field(default_factory=list)

    @property
    def workbook(self) -> Any:
        """The latest year's workbook."""
        return self.workbooks[-1]

    @property
    def name(self) -> str:
        """The organisation's name, from its latest workbook."""
        return str(self.workbook.name)

    @property
    def fictional(self) -> bool:
        """Whether the registry or any workbook marks the data fictional."""
        return bool(getattr(self.registry, "fictional", False)) or any(
            wb.fictional for wb in self.workbooks)

    @property
    def boundaries(self) -> list:
        """The authority's boundaries, innermost first."""
        return list(self.authority.boundaries)

    @property
    def years(self) -> list[str]:
        """The financial years of the workbooks, oldest first."""
        return [str(wb.financial_year or wb.path.stem) for wb in self.workbooks]

    @property
    def subtitle(self) -> str:
        """Such as "Evidence pack, 2024-25, Bradford"."""
        return f"Evidence pack, {self.years[-1]}, {self.authority.name}"

    @property
    def small_group_threshold(self) -> int:
        """Figures about fewer people than this are suppressed."""
        return int(self.settings.value("checks.small_group_threshold"))


def pack_settings(authority: Any = None, settings_path: str | Path | None = None) -> Any:
    """Return the settings for a pack: defaults, the authority's file, then the user's.

    Parameters
    ----------
    authority : registry authority, optional
        Its ``settings`` file (if any) is merged first.
    settings_path : path-like, optional
        The user's settings file, merged last.

    Returns
    -------
    toolkit.settings.Settings
    """
    from toolkit.settings import load_settings

    return load_settings(getattr(authority, "settings", None), settings_path)


def open_organisation(registry_path: str | Path, organisation_id: str,
                      settings_path: str | Path | None = None,
                      workbook_paths: Sequence[str | Path] | None = None) -> OrganisationInputs:
    """Open an organisation pack's inputs: registry entry, settings and workbooks.

    Parameters
    ----------
    registry_path : path-like
        The authority registry.
    organisation_id : str
        The organisation's id in the registry.
    settings_path : path-like, optional
        The user's settings file.
    workbook_paths : sequence of path-like, optional
        The workbooks, one per financial year; by default the registry's.

    Returns
    -------
    OrganisationInputs

    Raises
    ------
    InputError
        When the organisation is not in the registry or a workbook has errors (the message
        lists them all).
    """
    from toolkit.registry import load_registry
    from toolkit.workbook import load_workbook

    registry = load_registry(registry_path)
    authority = registry.authority_of(organisation_id)
    organisation = next(o for o in authority.organisations if o.id == organisation_id)
    paths = list(workbook_paths or organisation.workbooks)
    if not paths:
        raise InputError(f"The organisation {organisation_id!r} has no workbooks listed.")
    workbooks = [load_workbook(path) for path in paths]
    return OrganisationInputs(registry, authority, organisation,
                              pack_settings(authority, settings_path), workbooks)


def problems_table(workbooks: Sequence[Any]) -> pd.DataFrame:
    """Return the warnings and notices found in the workbooks, without the values found.

    Values are left out because a value in a staff or survey row could be about a person.

    Parameters
    ----------
    workbooks : sequence of toolkit.workbook.Workbook

    Returns
    -------
    pandas.DataFrame
        Columns ``year``, ``severity``, ``where``, ``message``.
    """
    rows = []
    for wb in workbooks:
        for problem in wb.report.problems:
            rows.append({"year": wb.financial_year, "severity": problem.severity,
                         "where": ", ".join(p for p in (
                             f"sheet '{problem.sheet}'" if problem.sheet else "",
                             f"row {problem.row}" if problem.row is not None else "",
                             f"column '{problem.column}'" if problem.column else "") if p),
                         "message": problem.message})
    return pd.DataFrame(rows, columns=["year", "severity", "where", "message"])


# ---------------------------------------------------------------------------- headlines


def lm3_basis(result: Any) -> str:
    """Return ``evidenced`` when every re-spending rate was surveyed, else ``mixed``.

    Parameters
    ----------
    result : toolkit.lm3.Lm3Result

    Returns
    -------
    str
    """
    return "mixed" if result.assumed else "evidenced"


def lm3_headline(result: Any) -> Headline:
    """Return the LM3 score of one boundary as a headline with its interval.

    Parameters
    ----------
    result : toolkit.lm3.Lm3Result

    Returns
    -------
    Headline
    """
    assumed = "; ".join(result.assumed)
    note = (f"{result.confidence:.0%} interval. Assumed: {assumed}" if assumed
            else f"{result.confidence:.0%} interval from the surveys")
    return Headline(f"Local multiplier (LM3), {result.boundary_name}", result.lm3, "ratio",
                    result.lm3_low, result.lm3_high, lm3_basis(result), note)


def lm3_table(results: Sequence[Any]) -> pd.DataFrame:
    """Return rounds 1 to 3, the score and its interval, one row per boundary.

    Parameters
    ----------
    results : sequence of toolkit.lm3.Lm3Result

    Returns
    -------
    pandas.DataFrame
    """
    rows = [{"boundary": r.boundary_name, "round_1": r.r1, "round_2": r.r2, "round_3": r.r3,
             "lm3": r.lm3, "lm3_low": r.lm3_low, "lm3_high": r.lm3_high,
             "local_share_of_spending": r.local_share_of_spending,
             "basis": "partly assumed" if r.assumed else "evidenced"} for r in results]
    return pd.DataFrame(rows)


def sroi_headline(result: Any) -> Headline:
    """Return the SROI ratio (or why there is none) as a headline with its sensitivity range.

    Parameters
    ----------
    result : toolkit.sroi.SroiResult or Missing

    Returns
    -------
    Headline
    """
    label = "Social return (SROI), £ of social value per £1 of inputs"
    if isinstance(result, Missing):
        return Headline(label, None, "ratio", basis="not evidenced", note=result.reason)
    low = high = None
    sens = result.sensitivity
    if result.ratio is not None and {"ratio_down", "ratio_up"} <= set(sens.columns) and len(sens):
        values = pd.concat([sens["ratio_down"], sens["ratio_up"]]).dropna()
        if len(values):
            low, high = float(values.min()), float(values.max())
    note = ("Range: lowest and highest ratio when each assumption moves on its own. "
            f"Price index: {result.price_index}")
    return Headline(label, result.ratio, "ratio", low, high, "mixed", note)


def volunteering_headline(result: Any) -> Headline:
    """Return volunteers' time valued at replacement cost as a headline.

    Parameters
    ----------
    result : toolkit.volunteering.VolunteeringResult or Missing

    Returns
    -------
    Headline
    """
    label = "Volunteer time at replacement cost (£ a year)"
    if isinstance(result, Missing) or not result.evidenced:
        reason = result.reason if isinstance(result, Missing) else "No volunteering recorded"
        return Headline(label, None, "money", basis="not evidenced", note=reason)
    low = high = None
    if len(result.comparison) and "value" in result.comparison:
        values = pd.to_numeric(result.comparison["value"], errors="coerce").dropna()
        if len(values):
            low = float(min(values.min(), result.total_value))
            high = float(max(values.max(), result.total_value))
    return Headline(label, result.total_value, "money", low, high, "mixed",
                    f"{result.total_hours:,.0f} hours; range at other published hourly rates")


def enabled_headline(result: Any) -> Headline:
    """Return jobs enabled through tenants (net of assumed additionality) as a headline.

    Parameters
    ----------
    result : toolkit.enabled.EnabledResult or Missing

    Returns
    -------
    Headline
    """
    label = "Jobs enabled through tenants, net (FTE)"
    if isinstance(result, Missing):
        return Headline(label, None, "number", basis="not evidenced", note=result.reason)
    if not result.evidenced or not result.net_fte:
        return Headline(label, None, "number", basis="not evidenced",
                        note=result.reason or "No tenants recorded")
    net = result.net_fte
    return Headline(label, net["value"], "number", net["low"], net["high"], "assumed",
                    f"Gross {result.gross_fte:,.1f} FTE times an assumed additionality")


def income_headline(wb: Any) -> Headline:
    """Return the income studied (round 1 of LM3) from a workbook as a headline.

    Parameters
    ----------
    wb : toolkit.workbook.Workbook

    Returns
    -------
    Headline
    """
    amounts = pd.to_numeric(wb.table("income")["amount"], errors="coerce")
    return Headline(f"Income, {wb.financial_year}", float(amounts.sum()), "money",
                    basis="evidenced", note="From the workbook's Income sheet")


# ---------------------------------------------------------------------------- sections


def show_missing(result: Missing) -> None:
    """Show why a section is not evidenced.

    Parameters
    ----------
    result : Missing
    """
    present.show_text(f"Not evidenced: {result.reason}", "warning")


def show_lm3(results: Sequence[Any]) -> None:
    """Show LM3 by boundary (table and CSV) and its notes.

    Parameters
    ----------
    results : sequence of toolkit.lm3.Lm3Result
    """
    present.show_table(lm3_table(results), "lm3", "LM3 by boundary (£)", formats={
        "round_1": "money", "round_2": "money", "round_3": "money", "lm3": "ratio",
        "lm3_low": "ratio", "lm3_high": "ratio", "local_share_of_spending": "share"})
    present.show_list(note for result in results for note in result.notes)


def show_sroi(result: Any) -> None:
    """Show the social value section: outcomes valued, the tornado chart and notes.

    Parameters
    ----------
    result : toolkit.sroi.SroiResult or Missing
    """
    if isinstance(result, Missing):
        show_missing(result)
        return
    from toolkit.sroi import tornado_chart

    present.show_table(result.outcomes, "sroi-outcomes", "Outcomes valued")
    present.show_chart(tornado_chart(result))
    present.show_list(result.notes)


def show_volunteering(result: Any) -> None:
    """Show volunteer hours and their value at replacement cost.

    Parameters
    ----------
    result : toolkit.volunteering.VolunteeringResult or Missing
    """
    if isinstance(result, Missing):
        show_missing(result)
        return
    present.show_table(result.table.drop(columns=["row"], errors="ignore"), "volunteering",
                       "Volunteer hours and their value",
                       formats={"value": "money", "hourly_wage": "money"})
    present.show_list(result.notes)


def show_enabled(result: Any) -> None:
    """Show jobs and GVA enabled through tenants, gross and net.

    Parameters
    ----------
    result : toolkit.enabled.EnabledResult or Missing
    """
    if isinstance(result, Missing):
        show_missing(result)
        return
    present.show_table(result.summary_table(), "enabled", "Jobs and GVA enabled, gross and net",
                       formats={"gross": "number", "net": "number", "net_low": "number",
                                "net_high": "number"})
