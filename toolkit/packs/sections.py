"""An organisation pack's headlines and sections, turned from the analysis results.

The ``*_headline(s)`` functions turn results into :class:`toolkit.present.Headline`
figures, each with its range and whether it is evidenced or assumed; the ``show_*``
functions display one section (chart, table, method note). Inputs are opened by
:mod:`toolkit.packs.inputs`; authority and network packs use :mod:`toolkit.packs.combined`.

References
----------
METHODS.md §1 (LM3: evidenced and assumed re-spending; local jobs and pay), §3 (SROI),
§4 (volunteering), §5 (financial resilience), §6 (the seven characteristics; enabled
contribution).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from toolkit import present
from toolkit.packs.inputs import Missing
from toolkit.present import Headline

# ---------------------------------------------------------------------------- headlines


def lm3_basis(result: Any) -> str:
    """Return ``evidenced`` when every re-spending rate was surveyed, else ``mixed``.

    Parameters
    ----------
    result : toolkit.measures.lm3.Lm3Result

    Returns
    -------
    str
    """
    return "mixed" if result.assumed else "evidenced"


def lm3_headline(result: Any) -> Headline:
    """Return the LM3 score of one boundary as a headline with its full range.

    The range is the full range (what is not known as well as survey sampling); the note
    says what it covers and gives the survey interval beside it (METHODS §1: two ranges,
    each labelled; the headline gives the full range).

    Parameters
    ----------
    result : toolkit.measures.lm3.Lm3Result

    Returns
    -------
    Headline
    """
    assumed = "; ".join(result.assumed)
    survey = (f"Survey {result.confidence:.0%} interval {result.lm3_low:.2f} to "
              f"{result.lm3_high:.2f}.")
    note = f"{result.full_range_covers} {survey}"
    if assumed:
        note += f" Assumed: {assumed}."
    if result.staff_weighting == "equal":
        note += " Staff answers weighted equally (no pay bands)."
    return Headline(f"Local multiplier (LM3), {result.boundary_name}", result.lm3, "ratio",
                    result.full_low, result.full_high, lm3_basis(result), note,
                    range_label="full range")


def round_two_headline(result: Any) -> Headline:
    """Return the pence of each £1 received that round 2 spends locally (staff, suppliers).

    Parameters
    ----------
    result : toolkit.measures.lm3.Lm3Result

    Returns
    -------
    Headline
        Round 2 over round 1, in pence; partly assumed (staff pay is counted at the
        take-home share, a setting).

    References
    ----------
    METHODS.md §1 (LM3 rounds).
    """
    pence = 100 * result.r2 / result.r1 if result.r1 else None
    return Headline(f"Of each £1 received, spent in {result.boundary_name} on staff and "
                    "suppliers", pence, "pence", basis="mixed",
                    note="Round 2 over round 1; staff pay counted at the take-home share")


def lm3_table(results: Sequence[Any]) -> pd.DataFrame:
    """Return rounds 1 to 3, the score and its interval, one row per boundary.

    Parameters
    ----------
    results : sequence of toolkit.measures.lm3.Lm3Result

    Returns
    -------
    pandas.DataFrame
    """
    rows = [{"Boundary": r.boundary_name, "Round 1 (£)": r.r1, "Round 2 (£)": r.r2,
             "Round 3 (£)": r.r3, "LM3": r.lm3, "LM3 low": r.lm3_low, "LM3 high": r.lm3_high,
             "Full range low": r.full_low, "Full range high": r.full_high,
             "Local share of spending": r.local_share_of_spending,
             "Basis": "partly assumed" if r.assumed else "evidenced"} for r in results]
    return pd.DataFrame(rows)


#: How the LM3 table's columns are shown.
LM3_FORMATS = {"Round 1 (£)": "money", "Round 2 (£)": "money", "Round 3 (£)": "money",
               "LM3": "ratio", "LM3 low": "ratio", "LM3 high": "ratio",
               "Full range low": "ratio", "Full range high": "ratio",
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
    result : toolkit.measures.sroi.SroiResult or Missing

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
            f"Price index: {result.price_index}. Not to be compared with other "
            "organisations' ratios")
    return Headline(label, result.ratio, "ratio", low, high, "mixed", note)


def volunteering_headline(result: Any) -> Headline:
    """Return volunteers' time valued at replacement cost as a headline.

    Parameters
    ----------
    result : toolkit.measures.volunteering.VolunteeringResult or Missing

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
    result : toolkit.measures.enabled.EnabledResult or Missing

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
    wb : toolkit.inputs.workbook.Workbook
        The latest year's workbook (income).
    lm3 : sequence of toolkit.measures.lm3.Lm3Result
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
    wb : toolkit.inputs.workbook.Workbook

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
    """Show LM3 by boundary (table and CSV), what LM3 measures (said once), and its notes.

    Parameters
    ----------
    results : sequence of toolkit.measures.lm3.Lm3Result
    """
    present.show_table(lm3_table(results), "lm3", "LM3 by boundary (LM3 low and high: the "
                       "survey interval; full range: also what is not known)",
                       formats=LM3_FORMATS)
    present.show_text(present.LM3_MEANING, "note")
    present.show_list(note for result in results for note in result.notes)


def show_sroi(result: Any) -> None:
    """Show the social value section: outcomes valued, the tornado chart and notes.

    Parameters
    ----------
    result : toolkit.measures.sroi.SroiResult or Missing
    """
    if isinstance(result, Missing):
        show_missing(result)
        return
    from toolkit.measures.sroi import tornado_chart

    present.write_table_csv(result.outcomes, "sroi-outcomes")
    shown = result.outcomes[[c for c in SROI_COLUMNS if c in result.outcomes]]
    present.show_html(present.frame_html(
        shown.rename(columns=SROI_COLUMNS), "Outcomes valued", formats={
            "Value each (£)": "money", "Deadweight": "share", "Displacement": "share",
            "Attribution": "share", "Drop-off": "share", "Present value (£)": "money"}))
    present.show_table(result.inputs, "sroi-inputs", "Inputs: what it cost to create the "
                       "outcomes", formats={"amount": "money"})
    present.write_table_csv(result.sensitivity, "sroi-sensitivity")
    present.show_chart(tornado_chart(result))
    present.show_list(result.notes)


def show_volunteering(result: Any) -> None:
    """Show volunteer hours and their value at replacement cost.

    Parameters
    ----------
    result : toolkit.measures.volunteering.VolunteeringResult or Missing
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
    result : toolkit.measures.enabled.EnabledResult or Missing
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
    result : toolkit.measures.jobs.JobsResult or Missing

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
    pay = Headline(f"Share of pay going to staff living in {area}", *_local_pay_range(result),
                   basis="evidenced",
                   note="Central: staff in postcode districts that straddle the boundary counted "
                        "by the share of the district's postcodes inside it. Range: staff whose "
                        "home is unknown or in such a district counted not local, then local")
    return [present.suppress_small(fte, result.staff_count, "staff"),
            present.suppress_small(pay, result.staff_count, "staff")]


def _local_pay_range(result: Any) -> tuple:
    """Return (central, "share", low, high) of the share of pay to local residents.

    Low counts staff of unknown home (or in a straddling district) not local, high local;
    the central figure counts a straddling district by its share of postcodes inside.
    """
    total = getattr(result, "pay_total", None)
    local = getattr(result, "pay_local", None)
    if not total or local is None:
        return result.local_pay_share, "share", None, None
    partly = getattr(result, "pay_partly_local", 0.0) or 0.0
    unknown = getattr(result, "pay_unknown", 0.0) or 0.0
    return (local + partly) / total, "share", local / total, (local + unknown) / total


def jobs_table(result: Any) -> pd.DataFrame:
    """Return the jobs and pay figures a pack may show (people-level figures suppressed).

    Parameters
    ----------
    result : toolkit.measures.jobs.JobsResult

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
              ("... of which pay, per FTE-hour, bears it out (checked)",
               present.share(getattr(result, "living_wage_share_checked", None))),
              ("Real Living Wage that applies (£ an hour)",
               present.money(result.living_wage_rate, 2))]
    rows += [(m, hidden if small and not m.startswith("Real") else v) for m, v in people]
    return pd.DataFrame([(m, v.strip()) for m, v in rows], columns=["measure", "value"])


def show_jobs(result: Any) -> None:
    """Show jobs and pay, suppressing figures about fewer staff than the threshold.

    Parameters
    ----------
    result : toolkit.measures.jobs.JobsResult or Missing
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
    result : toolkit.measures.finance.FinanceResult or Missing

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
    result : toolkit.measures.finance.FinanceResult or Missing
        The latest year.
    years : pandas.DataFrame or Missing, optional
        From :func:`toolkit.measures.finance.finance_years`, when there is more than one year.
    """
    if isinstance(result, Missing):
        show_missing(result)
        return
    from toolkit.measures.finance import income_mix_chart

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
    result : toolkit.measures.leakage.LeakageResult or Missing
    """
    if isinstance(result, Missing):
        show_missing(result)
        return
    from toolkit.measures.leakage import leakage_chart, leakage_table

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
        From :func:`toolkit.measures.resilience.resilience_profile`.
    """
    if isinstance(profile, Missing):
        show_missing(profile)
        return
    wanted = [c for c in ("characteristic", "indicator", "shown", "evidenced", "note")
              if c in profile.columns]
    present.show_table(profile[wanted], "resilience", "Resilience profile")


