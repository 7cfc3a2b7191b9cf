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

import contextlib
import functools
import os
import pickle
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


def found(result: Any) -> Any:
    """Return ``result``, or ``None`` when it is :class:`Missing` (for optional arguments).

    Parameters
    ----------
    result : object or Missing

    Returns
    -------
    object or None
    """
    return None if isinstance(result, Missing) else result


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
    def local(self) -> Any:
        """The innermost boundary, as a :class:`toolkit.geography.Boundary`."""
        from toolkit.lm3 import as_boundary

        if not self.authority.boundaries:
            raise InputError(f"The authority {self.authority.id!r} has no boundaries in the "
                             "registry.")
        return as_boundary(self.authority.boundaries[0])

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

    registry = load_registry(registry_path)
    authority = registry.authority_of(organisation_id)
    organisation = next(o for o in authority.organisations if o.id == organisation_id)
    paths = list(workbook_paths or organisation.workbooks)
    if not paths:
        raise InputError(f"The organisation {organisation_id!r} has no workbooks listed.")
    workbooks = [load_workbook_once(path) for path in paths]
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
    rows = [{"Boundary": r.boundary_name, "Round 1 (£)": r.r1, "Round 2 (£)": r.r2,
             "Round 3 (£)": r.r3, "LM3": r.lm3, "LM3 low": r.lm3_low, "LM3 high": r.lm3_high,
             "Local share of spending": r.local_share_of_spending,
             "Basis": "partly assumed" if r.assumed else "evidenced"} for r in results]
    return pd.DataFrame(rows)


#: How the LM3 table's columns are shown.
LM3_FORMATS = {"Round 1 (£)": "money", "Round 2 (£)": "money", "Round 3 (£)": "money",
               "LM3": "ratio", "LM3 low": "ratio", "LM3 high": "ratio",
               "Local share of spending": "share"}

#: Columns of the SROI outcomes table a pack shows (the CSV has them all).
SROI_COLUMNS = {"outcome": "Outcome", "stakeholder": "Who", "quantity": "Quantity",
                "unit_value": "Value each (£)", "deadweight": "Deadweight",
                "displacement": "Displacement", "attribution": "Attribution",
                "drop_off": "Drop-off", "benefit_period": "Years", "present_value":
                "Present value (£)"}


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


def organisation_headlines(wb: Any, lm3: Sequence[Any], jobs: Any, finance: Any, sroi: Any,
                           volunteering: Any, enabled: Any) -> list[Headline]:
    """Return an organisation pack's headline figures, in the order the summary gives them.

    Parameters
    ----------
    wb : toolkit.workbook.Workbook
        The latest year's workbook (income).
    lm3 : sequence of toolkit.lm3.Lm3Result
        One per boundary, innermost first.
    jobs, finance, sroi, volunteering, enabled : result or Missing
        From the toolkit's analyses (through :func:`attempt`).

    Returns
    -------
    list of Headline
    """
    return [income_headline(wb), *[lm3_headline(result) for result in lm3],
            *jobs_headlines(jobs), finance_headline(finance), sroi_headline(sroi),
            volunteering_headline(volunteering), enabled_headline(enabled)]


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
    present.show_table(lm3_table(results), "lm3", "LM3 by boundary", formats=LM3_FORMATS)
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

    present.write_table_csv(result.outcomes, "sroi-outcomes")
    shown = result.outcomes[[c for c in SROI_COLUMNS if c in result.outcomes]]
    present.show_html(present.frame_html(
        shown.rename(columns=SROI_COLUMNS), "Outcomes valued", formats={
            "Value each (£)": "money", "Deadweight": "share", "Displacement": "share",
            "Attribution": "share", "Drop-off": "share", "Present value (£)": "money"}))
    present.write_table_csv(result.sensitivity, "sroi-sensitivity")
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


# ---------------------------------------------------------------------------- jobs, money


def jobs_headlines(result: Any) -> list[Headline]:
    """Return jobs (FTE) and the local share of pay, suppressed when about too few staff.

    Parameters
    ----------
    result : toolkit.jobs.JobsResult or Missing

    Returns
    -------
    list of Headline
    """
    if isinstance(result, Missing):
        return [Headline("Jobs (full-time equivalent)", None, "number", basis="not evidenced",
                         note=result.reason)]
    fte = Headline("Jobs (full-time equivalent)", result.fte, "number", basis="evidenced",
                   note=f"{present.count_or_suppressed(result.staff_count, 'staff')} on the "
                        "Staff sheet")
    area = result.boundary_name or "the local area"
    pay = Headline(f"Share of pay going to staff living in {area}", result.local_pay_share,
                   "share", basis="evidenced",
                   note="Staff whose home district is unknown count as not local")
    return [present.suppress_small(fte, result.staff_count, "staff"),
            present.suppress_small(pay, result.staff_count, "staff")]


def jobs_table(result: Any) -> pd.DataFrame:
    """Return the jobs and pay figures a pack may show (people-level figures suppressed).

    Parameters
    ----------
    result : toolkit.jobs.JobsResult

    Returns
    -------
    pandas.DataFrame
        Columns ``measure`` and ``value`` (text, already formatted or suppressed).
    """
    small = present.is_small_group(result.staff_count)
    hidden = present.suppression_note(result.staff_count, "staff")
    rows = [("Staff (people or posts)", present.count_or_suppressed(result.staff_count, ""))]
    people = [("Full-time equivalent jobs", present.number(result.fte, 1)),
              ("FTE-years in the period", present.number(result.fte_years, 1)),
              ("Jobs held by local residents (FTE)", present.number(result.fte_local, 1)),
              ("Total gross pay", present.money(result.pay_total)),
              ("Share of pay to local residents", present.share(result.local_pay_share)),
              ("Staff paid at least the real Living Wage (of those known)",
               present.share(result.living_wage_share)),
              ("Real Living Wage that applies (£ an hour)",
               present.money(result.living_wage_rate, 2))]
    rows += [(m, hidden if small and not m.startswith("Real") else v) for m, v in people]
    return pd.DataFrame([(m, v.strip()) for m, v in rows], columns=["measure", "value"])


def show_jobs(result: Any) -> None:
    """Show jobs and pay, suppressing figures about fewer staff than the threshold.

    Parameters
    ----------
    result : toolkit.jobs.JobsResult or Missing
    """
    if isinstance(result, Missing):
        show_missing(result)
        return
    present.show_table(jobs_table(result), "jobs", "Jobs and pay")
    if not present.is_small_group(result.staff_count):
        present.show_list(result.notes)


def finance_headline(result: Any) -> Headline:
    """Return months of free reserves as a headline.

    Parameters
    ----------
    result : toolkit.finance.FinanceResult or Missing

    Returns
    -------
    Headline
    """
    label = "Free reserves, in months of spending"
    if isinstance(result, Missing):
        return Headline(label, None, "months", basis="not evidenced", note=result.reason)
    months = result.values.get("months_of_reserves")
    return Headline(label, months, "months", basis="evidenced",
                    note="Charity Commission CC19 definition of free reserves; "
                         + "; ".join(result.readings[:1]))


def show_finance(result: Any, years: Any = None) -> None:
    """Show financial resilience: measures, several years side by side, income mix chart.

    Parameters
    ----------
    result : toolkit.finance.FinanceResult or Missing
        The latest year.
    years : pandas.DataFrame or Missing, optional
        From :func:`toolkit.finance.finance_years`, when there is more than one year.
    """
    if isinstance(result, Missing):
        show_missing(result)
        return
    from toolkit.finance import income_mix_chart

    measures = result.measures[["measure", "value", "unit", "reading"]]
    present.write_table_csv(measures, "finance")
    present.show_html(present.frame_html(present.format_by_unit(measures),
                                         "Financial resilience"))
    if isinstance(years, pd.DataFrame) and years.shape[1] > 3:
        present.write_table_csv(years, "finance-years")
        present.show_html(present.frame_html(present.format_by_unit(years, value=""),
                                             "Year by year"))
    present.show_chart(income_mix_chart(result))
    present.show_list(result.readings + list(result.notes))


def show_leakage(result: Any) -> None:
    """Show where money leaves the area: the largest non-local spending and rounds chart.

    Parameters
    ----------
    result : toolkit.leakage.LeakageResult or Missing
    """
    if isinstance(result, Missing):
        show_missing(result)
        return
    from toolkit.leakage import leakage_chart, leakage_table

    formats = {"Leaving (£ a year)": "money", "of which location unknown (£)": "money",
               "Share kept local": "share", "Pence of each £1 lost": "pence"}
    present.show_table(leakage_table(result, 10, "category"), "leakage-categories",
                       f"Spending leaving {result.boundary_name}, by category", formats)
    present.show_table(leakage_table(result, 10, "supplier"), "leakage-suppliers",
                       f"Largest spending leaving {result.boundary_name}, by supplier", formats)
    present.show_chart(leakage_chart(result, 10, "category"))
    present.show_list(result.notes)


def show_resilience(profile: Any) -> None:
    """Show the resilience profile against Locality's characteristics of anchors.

    Parameters
    ----------
    profile : pandas.DataFrame or Missing
        From :func:`toolkit.resilience.resilience_profile`.
    """
    if isinstance(profile, Missing):
        show_missing(profile)
        return
    wanted = [c for c in ("characteristic", "indicator", "shown", "evidenced", "note")
              if c in profile.columns]
    present.show_table(profile[wanted], "resilience", "Resilience profile")


# ---------------------------------------------------------------------------- cache


#: Environment variable naming the folder where a pack run keeps parsed inputs.
CACHE_ENV = "KEEPITLOCAL_PACK_CACHE"


@functools.lru_cache(maxsize=1)
def _code_key() -> str:
    from toolkit.packs_manifest import code_digest

    return code_digest()


def cached(kind: str, files: Sequence[str | Path], compute: Callable[[], Any],
           extra: str = "") -> Any:
    """Return ``compute()``, kept on disk for the rest of the pack run when one is running.

    A batch reads each workbook once, not once per pack that uses it: the runner names a
    folder in the environment variable ``KEEPITLOCAL_PACK_CACHE`` and removes it when the
    run ends. The key is the content of ``files``, ``extra`` and the toolkit's own code.

    Parameters
    ----------
    kind : str
        A short name for the file (``workbook``, ``spending``).
    files : sequence of path-like
        The inputs whose content the result depends on.
    compute : callable
        Makes the result when it is not kept.
    extra : str
        Anything else the result depends on (such as a boundary).

    Returns
    -------
    object
    """
    folder = os.environ.get(CACHE_ENV)
    if not folder:
        return compute()
    from toolkit.packs_manifest import atomic_write_bytes, file_digest, text_digest

    key = text_digest("|".join([kind, extra, _code_key(),
                                *(file_digest(Path(f)) for f in files)]))
    path = Path(folder) / f"{kind}-{key}.pickle"
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        pass
    result = compute()
    with contextlib.suppress(OSError, pickle.PicklingError, TypeError, AttributeError):
        atomic_write_bytes(path, pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return result


def read_workbook_once(path: str | Path) -> Any:
    """Return :func:`toolkit.workbook.read_workbook` of ``path``, read once per pack run.

    Parameters
    ----------
    path : path-like
        The workbook (Excel file or CSV folder).

    Returns
    -------
    toolkit.workbook.Workbook
    """
    from toolkit.workbook import read_workbook

    return cached("workbook", [path], lambda: read_workbook(path), str(path))


def load_workbook_once(path: str | Path) -> Any:
    """Return the workbook read once per run, raising :class:`InputError` if it has errors.

    Parameters
    ----------
    path : path-like
        The workbook.

    Returns
    -------
    toolkit.workbook.Workbook
    """
    workbook = read_workbook_once(path)
    workbook.report.raise_if_errors(Path(path).name)
    return workbook


# ---------------------------------------------------------------------------- authorities


@dataclass
class AuthorityInputs:
    """An authority pack's inputs: its organisations' latest workbooks, and those left out.

    Attributes
    ----------
    registry, authority
        From :func:`toolkit.registry.load_registry`.
    settings : toolkit.settings.Settings
    workbooks : dict
        Organisation id to its latest workbook (only those without errors).
    excluded : list of (str, str)
        Organisation id and why it was left out, in plain words.
    """

    registry: Any
    authority: Any
    settings: Any
    workbooks: dict = field(default_factory=dict)
    excluded: list = field(default_factory=list)

    @property
    def name(self) -> str:
        """The authority's name."""
        return str(self.authority.name)

    @property
    def fictional(self) -> bool:
        """Whether the registry or any workbook marks the data fictional."""
        return bool(getattr(self.registry, "fictional", False)) or any(
            wb.fictional for wb in self.workbooks.values())

    @property
    def local(self) -> Any:
        """The innermost boundary, as a :class:`toolkit.geography.Boundary`."""
        from toolkit.lm3 import as_boundary

        if not self.authority.boundaries:
            raise InputError(f"The authority {self.authority.id!r} has no boundaries in the "
                             "registry.")
        return as_boundary(self.authority.boundaries[0])

    @property
    def small_group_threshold(self) -> int:
        """Figures about fewer people than this are suppressed."""
        return int(self.settings.value("checks.small_group_threshold"))


def _authority_inputs(registry: Any, authority: Any, settings_path: Any) -> AuthorityInputs:
    inputs = AuthorityInputs(registry, authority, pack_settings(authority, settings_path))
    for org in authority.organisations:
        if not org.workbooks:
            inputs.excluded.append((org.id, "no workbook is listed"))
            continue
        wb = read_workbook_once(org.latest)
        if wb.report.errors:
            inputs.excluded.append((org.id, f"its workbook {Path(org.latest).name} has "
                                            f"{len(wb.report.errors)} error(s); see its own "
                                            "pack's failure note"))
        else:
            inputs.workbooks[org.id] = wb
    return inputs


def open_authority(registry_path: str | Path, authority_id: str,
                   settings_path: str | Path | None = None) -> AuthorityInputs:
    """Open an authority pack's inputs; a workbook with errors is left out, not fatal.

    Parameters
    ----------
    registry_path : path-like
        The authority registry.
    authority_id : str
        The authority's id.
    settings_path : path-like, optional
        The user's settings file.

    Returns
    -------
    AuthorityInputs
    """
    from toolkit.registry import load_registry

    registry = load_registry(registry_path)
    return _authority_inputs(registry, registry.authority(authority_id), settings_path)


def open_network(registry_path: str | Path,
                 settings_path: str | Path | None = None) -> list[AuthorityInputs]:
    """Open every authority's inputs, for the pack across all authorities.

    Parameters
    ----------
    registry_path : path-like
        The authority registry.
    settings_path : path-like, optional
        The user's settings file.

    Returns
    -------
    list of AuthorityInputs
    """
    from toolkit.registry import load_registry

    registry = load_registry(registry_path)
    return [_authority_inputs(registry, a, settings_path) for a in registry.authorities]


@dataclass
class OrganisationFigures:
    """One organisation's figures inside an authority or network pack."""

    org_id: str
    name: str
    year: str
    lm3: Any
    jobs: Any


def organisation_figures(inputs: AuthorityInputs) -> list[OrganisationFigures]:
    """Return LM3 (for the innermost boundary) and jobs for each organisation included.

    Parameters
    ----------
    inputs : AuthorityInputs

    Returns
    -------
    list of OrganisationFigures
    """
    from toolkit.jobs import jobs_from_workbook
    from toolkit.lm3 import lm3_from_workbook

    boundary = inputs.local
    out = []
    for org_id, wb in inputs.workbooks.items():
        out.append(OrganisationFigures(
            org_id, str(wb.name), str(wb.financial_year or ""),
            attempt(lm3_from_workbook, wb, inputs.settings, boundary),
            attempt(jobs_from_workbook, wb, inputs.settings, boundary)))
    return out


def _ratio(top: float, bottom: float) -> float | None:
    return top / bottom if bottom > 0 else None


def combine_lm3(figures: Sequence[OrganisationFigures]) -> dict:
    """Combine organisations' LM3: income-weighted, and as an average of scores.

    The income-weighted score is all organisations' rounds 1 to 3 over all their round 1
    (each £1 counts the same); the average gives each organisation the same weight. Local
    share of spending likewise: spend-weighted (pounds over pounds) and an average of
    shares. Packs say which is which.

    Parameters
    ----------
    figures : sequence of OrganisationFigures

    Returns
    -------
    dict
        ``count``, ``income``, ``lm3_weighted`` with ``lm3_weighted_low`` and ``_high``
        (income-weighted averages of each interval's ends), ``lm3_average``,
        ``share_weighted``, ``share_average``, ``assumed`` (any rate assumed).
    """
    done = [f.lm3 for f in figures if not isinstance(f.lm3, Missing)]
    r1 = sum(r.r1 for r in done)
    spend = sum(r.spending_total for r in done)
    return {
        "count": len(done), "income": r1,
        "lm3_weighted": _ratio(sum(r.r1 + r.r2 + r.r3 for r in done), r1),
        "lm3_weighted_low": _ratio(sum(r.r1 * r.lm3_low for r in done), r1),
        "lm3_weighted_high": _ratio(sum(r.r1 * r.lm3_high for r in done), r1),
        "lm3_average": sum(r.lm3 for r in done) / len(done) if done else None,
        "share_weighted": _ratio(sum(r.spending_local for r in done), spend),
        "share_average": (sum(r.local_share_of_spending for r in done) / len(done)
                          if done else None),
        "assumed": any(r.assumed for r in done),
    }


def combined_table(figures: Sequence[OrganisationFigures]) -> pd.DataFrame:
    """Return one row per organisation, then the income-weighted and the average rows.

    Parameters
    ----------
    figures : sequence of OrganisationFigures

    Returns
    -------
    pandas.DataFrame
    """
    rows = []
    for f in figures:
        lm3 = None if isinstance(f.lm3, Missing) else f.lm3
        if isinstance(f.jobs, Missing):
            fte = "not evidenced"
        elif present.is_small_group(f.jobs.staff_count):
            fte = f"not shown: {present.count_or_suppressed(f.jobs.staff_count, 'staff')}"
        else:
            fte = present.number(f.jobs.fte, 1)
        rows.append({"Organisation": f.name, "Year": f.year,
                     "Income studied (£)": lm3.r1 if lm3 else None,
                     "LM3": lm3.lm3 if lm3 else None,
                     "LM3 interval": (f"£{lm3.lm3_low:.2f} to £{lm3.lm3_high:.2f}"
                                      if lm3 else "not evidenced"),
                     "Local share of spending": lm3.local_share_of_spending if lm3 else None,
                     "Jobs (FTE)": fte,
                     "Basis": ("not evidenced: " + f.lm3.reason if not lm3 else
                               "partly assumed" if lm3.assumed else "evidenced")})
    both = combine_lm3(figures)
    rows.append({"Organisation": "All: income-weighted (each £1 counts the same)",
                 "Income studied (£)": both["income"], "LM3": both["lm3_weighted"],
                 "Local share of spending": both["share_weighted"],
                 "Basis": "LM3 weighted by income; share weighted by spending"})
    rows.append({"Organisation": "All: average (each organisation counts the same)",
                 "LM3": both["lm3_average"], "Local share of spending": both["share_average"],
                 "Basis": "average of scores; average of shares"})
    return pd.DataFrame(rows)


COMBINED_FORMATS = {"Income studied (£)": "money", "LM3": "ratio",
                    "Local share of spending": "share"}


def combined_headlines(figures: Sequence[OrganisationFigures], where: str) -> list[Headline]:
    """Return the combined headlines: income-weighted LM3, average LM3, local shares, jobs.

    Parameters
    ----------
    figures : sequence of OrganisationFigures
    where : str
        The area's name, for the labels.

    Returns
    -------
    list of Headline
    """
    both = combine_lm3(figures)
    basis = "mixed" if both["assumed"] else "evidenced"
    jobs = [f.jobs for f in figures if not isinstance(f.jobs, Missing)]
    fte = Headline("Jobs (full-time equivalent), all organisations",
                   sum(j.fte for j in jobs) if jobs else None, "number", basis="evidenced",
                   note="Organisations with fewer staff than the threshold show no FTE of "
                        "their own above, but count here")
    return [
        Headline(f"Organisations included, {where}", both["count"], "count"),
        Headline("Income studied, all organisations", both["income"], "money"),
        Headline("LM3, income-weighted across organisations", both["lm3_weighted"], "ratio",
                 both["lm3_weighted_low"], both["lm3_weighted_high"], basis,
                 "All rounds over all income; range: income-weighted ends of each interval"),
        Headline("LM3, average of organisations' scores", both["lm3_average"], "ratio",
                 basis=basis, note="Each organisation counts the same, whatever its size"),
        Headline("Local share of spending, spend-weighted", both["share_weighted"], "share",
                 basis="evidenced", note="All local spending over all spending"),
        Headline("Local share of spending, average of shares", both["share_average"], "share",
                 basis="evidenced", note="Each organisation counts the same"),
        present.suppress_small(fte, sum(j.staff_count for j in jobs), "staff") if jobs
        else fte,
    ]


def authority_headlines(figures: Sequence[OrganisationFigures], spending: Any,
                        name: str) -> list[Headline]:
    """Return an authority pack's headlines: its organisations combined, then the council's.

    Parameters
    ----------
    figures : sequence of OrganisationFigures
    spending : toolkit.spend.SpendResult or Missing
    name : str
        The authority's name.

    Returns
    -------
    list of Headline
    """
    return [*combined_headlines(figures, name), spending_headline(spending, name)]


def show_excluded(excluded: Sequence[tuple[str, str]]) -> None:
    """Say which organisations were left out and why.

    Parameters
    ----------
    excluded : sequence of (str, str)
        Organisation id and reason.
    """
    if excluded:
        present.show_text("Left out of the figures below:", "warning")
        present.show_list(f"{org_id}: {reason}" for org_id, reason in excluded)


# ---------------------------------------------------------------------------- council spending


def council_spending(inputs: AuthorityInputs) -> Any:
    """Return the council's spend analysis, or :class:`Missing` when no file is listed.

    Parameters
    ----------
    inputs : AuthorityInputs

    Returns
    -------
    toolkit.spend.SpendResult or Missing
    """
    authority = inputs.authority
    files = list(authority.spending_files)
    if not files:
        return Missing("The registry lists no spending file for this council.")
    from toolkit.lm3 import as_boundary
    from toolkit.spend import analyse_spending

    boundaries = [as_boundary(b) for b in authority.boundaries]
    extra = repr([(b.name, tuple(b.postcodes)) for b in authority.boundaries])
    supplier = [authority.supplier_list] if authority.supplier_list else []

    def compute() -> Any:
        return attempt(analyse_spending, files, boundaries, authority.supplier_list,
                       top_n=int(inputs.settings.value("spend.top_suppliers")))

    return cached("spending", files + supplier, compute, extra)


def spending_headline(result: Any, name: str) -> Headline:
    """Return the council's local share of spending as a range (unknown locations).

    Parameters
    ----------
    result : toolkit.spend.SpendResult or Missing
    name : str
        The council's name.

    Returns
    -------
    Headline
    """
    label = f"{name} council spending with local suppliers"
    if isinstance(result, Missing):
        return Headline(label, None, "share", basis="not evidenced", note=result.reason)
    summary = result.summary()
    return Headline(label, summary["local_share_low"], "share", summary["local_share_low"],
                    summary["local_share_high"], "evidenced",
                    "Spend-weighted. Low: suppliers of unknown location counted as not local; "
                    "high: counted as local")


def spending_table(result: Any) -> pd.DataFrame:
    """Return the council spend analysis's totals as a table of measures.

    Parameters
    ----------
    result : toolkit.spend.SpendResult

    Returns
    -------
    pandas.DataFrame
        ``measure``, ``value``, ``unit``.
    """
    s = result.summary()
    rows = [("Payments used", s["used_rows"], "rows"),
            ("Payments not used", s["rejected_count"], "rows"),
            ("Total spending", s["total"], "£"), ("Local", s["local"], "£"),
            ("Not local", s["non_local"], "£"), ("Location unknown", s["unknown"], "£"),
            ("Local share, low (unknown counted not local)", s["local_share_low"], "share"),
            ("Local share, high (unknown counted local)", s["local_share_high"], "share"),
            ("Procurement spending", s["procurement_total"], "£"),
            ("Procurement local share, low", s["procurement_local_share_low"], "share"),
            ("Procurement local share, high", s["procurement_local_share_high"], "share"),
            ("With voluntary and community organisations (listed)", s["vcse_total"], "£"),
            ("Suppliers", s["suppliers"], "suppliers"),
            ("Suppliers placed", s["suppliers_placed"], "suppliers")]
    return pd.DataFrame(rows, columns=["measure", "value", "unit"])


#: Top-supplier columns a pack shows.
SUPPLIER_COLUMNS = {"rank": "Rank", "supplier": "Supplier", "total": "Spending (£)",
                    "share": "Share of all", "location": "Location", "type": "Type"}


def top_suppliers_table(result: Any, n: int = 20) -> pd.DataFrame:
    """Return the largest suppliers, with payments to individuals grouped, not named.

    Parameters
    ----------
    result : toolkit.spend.SpendResult
    n : int
        How many suppliers.

    Returns
    -------
    pandas.DataFrame
    """
    top = result.top_suppliers(n).copy()
    personal = top["marks"].astype(str).str.contains("personal_budget|redacted")
    top.loc[personal, "supplier"] = "(payments to individuals or redacted: not named)"
    return top[list(SUPPLIER_COLUMNS)].rename(columns=SUPPLIER_COLUMNS)


def show_council_spending(result: Any) -> None:
    """Show the council's spend analysis: totals, a chart by location, top suppliers.

    Parameters
    ----------
    result : toolkit.spend.SpendResult or Missing
    """
    if isinstance(result, Missing):
        show_missing(result)
        return
    from toolkit.spend_charts import chart_locations

    table = spending_table(result)
    present.write_table_csv(table, "council-spending")
    present.show_html(present.frame_html(present.format_by_unit(table), "Council spending"))
    present.show_chart(chart_locations(result))
    present.show_table(top_suppliers_table(result), "council-top-suppliers",
                       "Largest suppliers", {"Spending (£)": "money", "Share of all": "share"})
    present.show_list(result.summary()["notes"])


# ---------------------------------------------------------------------------- network


@dataclass
class AreaFigures:
    """One authority's figures inside the network pack."""

    area: AuthorityInputs
    organisations: list
    spending: Any


def network_threshold(areas: Sequence[AuthorityInputs]) -> int:
    """Return the largest small-group threshold of the authorities (the safest).

    Parameters
    ----------
    areas : sequence of AuthorityInputs

    Returns
    -------
    int
    """
    return max([a.small_group_threshold for a in areas] or [present.SMALL_GROUP_THRESHOLD])


def network_fictional(areas: Sequence[AuthorityInputs]) -> bool:
    """Return whether any authority's data is fictional.

    Parameters
    ----------
    areas : sequence of AuthorityInputs

    Returns
    -------
    bool
    """
    return any(a.fictional for a in areas)


def network_excluded(areas: Sequence[AuthorityInputs]) -> list[tuple[str, str]]:
    """Return every organisation left out, across authorities.

    Parameters
    ----------
    areas : sequence of AuthorityInputs

    Returns
    -------
    list of (str, str)
    """
    return [(f"{a.authority.name}, {org}", why) for a in areas for org, why in a.excluded]


def network_figures(areas: Sequence[AuthorityInputs]) -> list[AreaFigures]:
    """Return each authority's organisations' figures and its council spend analysis.

    Parameters
    ----------
    areas : sequence of AuthorityInputs

    Returns
    -------
    list of AreaFigures
    """
    return [AreaFigures(a, organisation_figures(a), council_spending(a)) for a in areas]


def network_table(network: Sequence[AreaFigures]) -> pd.DataFrame:
    """Return one row per authority: its organisations combined, and its council's spending.

    Parameters
    ----------
    network : sequence of AreaFigures

    Returns
    -------
    pandas.DataFrame
    """
    rows = []
    for item in network:
        both = combine_lm3(item.organisations)
        spend = None if isinstance(item.spending, Missing) else item.spending.summary()
        rows.append({
            "Authority": item.area.name, "Organisations": both["count"],
            "Left out": len(item.area.excluded), "Income studied (£)": both["income"],
            "LM3, income-weighted": both["lm3_weighted"],
            "LM3, average of organisations": both["lm3_average"],
            "Local share of spending, spend-weighted": both["share_weighted"],
            "Council local share, low": spend["local_share_low"] if spend else None,
            "Council local share, high": spend["local_share_high"] if spend else None})
    return pd.DataFrame(rows)


NETWORK_FORMATS = {"Income studied (£)": "money", "LM3, income-weighted": "ratio",
                   "LM3, average of organisations": "ratio",
                   "Local share of spending, spend-weighted": "share",
                   "Council local share, low": "share", "Council local share, high": "share"}


def network_headlines(network: Sequence[AreaFigures]) -> list[Headline]:
    """Return the network's headlines: every organisation combined, and council spending.

    Parameters
    ----------
    network : sequence of AreaFigures

    Returns
    -------
    list of Headline
    """
    everyone = [f for item in network for f in item.organisations]
    headlines = combined_headlines(everyone, f"{len(network)} authorities")
    lows = [item.spending.summary() for item in network
            if not isinstance(item.spending, Missing)]
    total = sum(s["total"] for s in lows)
    if lows and total > 0:
        low = sum(s["local"] for s in lows) / total
        high = sum(s["local"] + s["unknown"] for s in lows) / total
        headlines.append(Headline(
            f"Council spending with local suppliers, {len(lows)} councils together", low,
            "share", low, high, "evidenced",
            "Spend-weighted over all councils' payments; range from suppliers of unknown "
            "location"))
        shares = [s["local_share_low"] for s in lows if s["local_share_low"] is not None]
        if shares:
            headlines.append(Headline(
                "Council spending with local suppliers, average of councils' shares",
                sum(shares) / len(shares), "share", basis="evidenced",
                note="Each council counts the same; unknown locations counted not local"))
    return headlines
