"""A resilience profile against Locality's seven characteristics of a resilient local economy.

For each characteristic the profile lists the indicators this workbook evidences (LM3 and
local spend for the flow of money, the supplier mix and tenants for a network of
businesses, buildings for local assets, volunteers for active citizens, outcomes for
services, and so on), and says plainly "not evidenced by this workbook" where nothing
does. It measures nothing new: it gathers what the workbook and the LM3 results show,
each with its source, so a reader sees both the evidence and the gaps.

LM3 comes from :mod:`toolkit.measures.lm3`; pass its result (or a dict with ``lm3``, ``lm3_low``,
``lm3_high``, ``local_share_of_spending``, ``local_supplier_share``) as ``lm3``. Without
it, the flow of money is marked "not given here" where the workbook could evidence it.

References
----------
METHODS §6 (Economic resilience framing): Locality (2017), *Powerful Communities, Strong
Economies*, with NEF Consulting.
METHODS §4 (Volunteering).
"""

from __future__ import annotations

from dataclasses import asdict, is_dataclass

import pandas as pd

from toolkit.measures.volunteering import volunteering_summary

CHARACTERISTICS = (
    "A positive flow of money and resources",
    "A network of diverse, responsible businesses and enterprise",
    "An inclusive finance system",
    "Positive and productive use of local assets",
    "Active and connected citizens",
    "A clean and sustainable environment",
    "Good quality services",
)
NOT_EVIDENCED = "not evidenced by this workbook"
COLUMNS = ["characteristic", "indicator", "value", "unit", "shown", "evidenced", "source",
           "note"]


def resilience_indicators(tables: dict, balance: dict | None = None, lm3=None,
                          default_wage: float | None = None, small_group: int = 5,
                          sroi=None) -> pd.DataFrame:
    """Gather the indicators a workbook evidences under each of the seven characteristics.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame or None
        The workbook's tables by key (``income``, ``spending``, ``staff``, ``volunteers``,
        ``outcomes``, ``tenants``, ``assets``); ``None`` or absent for a missing sheet.
    balance : dict, optional
        The workbook's balance row.
    lm3 : toolkit.measures.lm3.Lm3Result or dict, optional
        LM3 results; see the module docstring for the keys used.
    default_wage : float, optional
        Hourly wage for volunteer time where the workbook gives none; without it volunteer
        time is given in hours only.
    small_group : int
        Figures about fewer staff than this are not shown (privacy; setting
        ``checks.small_group_threshold``).
    sroi : toolkit.measures.sroi.SroiResult, optional
        SROI results, listed under good quality services.

    Returns
    -------
    pandas.DataFrame
        ``characteristic``, ``indicator``, ``value`` (a number, or ``None``), ``unit``,
        ``shown`` (the value as text), ``evidenced`` (bool), ``source``, ``note``. Every
        characteristic has at least one row; one with no evidence has a single row whose
        indicator is "not evidenced by this workbook".

    References
    ----------
    METHODS §6: Locality's seven characteristics of a resilient local economy.
    """
    lm3 = _as_dict(lm3)
    tables = {k: v for k, v in (tables or {}).items() if v is not None and len(v)}
    rows = []
    builders = (_money_flow, _businesses, _finance_system, _assets, _citizens,
                _environment, _services)
    for name, build in zip(CHARACTERISTICS, builders, strict=True):
        found = build(tables, balance or {}, lm3, default_wage, small_group, sroi)
        if not found:
            found = [_row(NOT_EVIDENCED, None, "", NOT_EVIDENCED, False, "", "")]
        rows.extend({"characteristic": name, **r} for r in found)
    return pd.DataFrame(rows, columns=COLUMNS)


def resilience_profile(wb, settings, lm3=None, sroi=None) -> pd.DataFrame:
    """Return the resilience profile of one workbook (one line in a notebook).

    Parameters
    ----------
    wb : toolkit.inputs.workbook.Workbook
    settings : toolkit.inputs.settings.Settings
        Keys ``volunteering.default_hourly_wage`` and ``checks.small_group_threshold``.
    lm3 : toolkit.measures.lm3.Lm3Result or dict, optional
        LM3 results for the same workbook.
    sroi : toolkit.measures.sroi.SroiResult, optional

    Returns
    -------
    pandas.DataFrame
        See :func:`resilience_indicators`.
    """
    keys = ("income", "spending", "staff", "volunteers", "outcomes", "tenants", "assets")
    tables = {key: wb.table(key) for key in keys if wb.has(key)}
    return resilience_indicators(
        tables, wb.balance, lm3, settings.central("volunteering.default_hourly_wage"),
        int(settings.value("checks.small_group_threshold")), sroi)


def _row(indicator, value, unit, shown, evidenced, source, note) -> dict:
    return {"indicator": indicator, "value": value, "unit": unit, "shown": shown,
            "evidenced": evidenced, "source": source, "note": note}


def _money_flow(tables, balance, lm3, wage, small, sroi) -> list[dict]:
    rows = []
    if lm3 and lm3.get("lm3") is not None:
        low, high = lm3.get("lm3_low"), lm3.get("lm3_high")
        span = f" (interval {low:.2f} to {high:.2f})" if low is not None and high else ""
        rows.append(_row("Local multiplier (LM3)", lm3["lm3"], "£ per £1 received",
                         f"£{lm3['lm3']:.2f} per £1{span}", True,
                         "LM3 results (toolkit.measures.lm3)",
                         "Money received, re-spent locally by the organisation and again "
                         "by local staff and suppliers."))
        if lm3.get("local_share_of_spending") is not None:
            share = lm3["local_share_of_spending"]
            rows.append(_row("Local share of spending (staff pay and suppliers)", share,
                             "share", f"{share:.0%}", True,
                             "LM3 results (toolkit.measures.lm3)", ""))
    elif "spending" in tables or "staff" in tables:
        rows.append(_row("Local multiplier (LM3) and local spend", None, "", "not given here",
                         False, "workbook Spending and Staff sheets",
                         "The workbook can evidence this: run LM3 and pass its results."))
    return rows


def _businesses(tables, balance, lm3, wage, small, sroi) -> list[dict]:
    rows = []
    if lm3 and lm3.get("local_supplier_share") is not None:
        share = lm3["local_supplier_share"]
        rows.append(_row("Share of non-staff spending with local suppliers", share, "share",
                         f"{share:.0%}", True, "LM3 results (toolkit.measures.lm3)", ""))
    spending = tables.get("spending")
    if spending is not None:
        suppliers = spending["supplier"].astype(str).str.strip().str.casefold().nunique()
        categories = spending["category"].nunique()
        rows.append(_row("Suppliers paid in the year", float(suppliers), "suppliers",
                         f"{suppliers} suppliers in {categories} spending categories", True,
                         "workbook Spending sheet", "A sign of the mix of supply, not of "
                         "where suppliers are."))
    tenants = tables.get("tenants")
    if tenants is not None:
        sectors = tenants["sector"].nunique()
        local = tenants["local"].map(lambda v: v is True).sum()
        known = tenants["local"].map(lambda v: v is True or v is False).sum()
        rows.append(_row("Businesses and groups housed in the organisation's buildings",
                         float(len(tenants)), "organisations",
                         f"{len(tenants)} in {sectors} sectors; {local} of {known} with a "
                         "known location are local", True, "workbook Tenants sheet", ""))
    staff = tables.get("staff")
    if staff is not None and "living_wage" in staff:
        answered = staff["living_wage"].map(lambda v: v is True or v is False)
        paid = staff["living_wage"].map(lambda v: v is True)
        n = int(answered.sum())
        if n >= small:
            share = float(paid.sum()) / n
            rows.append(_row("Staff paid at least the real Living Wage", share, "share",
                             f"{share:.0%} of {n} staff with an answer", True,
                             "workbook Staff sheet", "Responsible employment by the "
                             "organisation itself."))
        elif n:
            rows.append(_row("Staff paid at least the real Living Wage", None, "share",
                             f"not shown: fewer than {small} staff (privacy)", True,
                             "workbook Staff sheet", "Setting checks.small_group_threshold."))
    return rows


def _finance_system(tables, balance, lm3, wage, small, sroi) -> list[dict]:
    return []


def _assets(tables, balance, lm3, wage, small, sroi) -> list[dict]:
    rows = []
    assets = tables.get("assets")
    if assets is not None:
        area = pd.to_numeric(assets["floor_area"], errors="coerce")
        hours = pd.to_numeric(assets["hours_in_use"], errors="coerce")
        visits = pd.to_numeric(assets["visits"], errors="coerce")
        rows.append(_row("Buildings and spaces run", float(len(assets)), "buildings or spaces",
                         f"{len(assets)}" + (f", {area.sum():,.0f} m²" if area.notna().any()
                                             else ""), True, "workbook Assets sheet", ""))
        if hours.notna().any():
            rows.append(_row("Hours in use a week (average over spaces that say)",
                             float(hours.mean()), "hours a week", f"{hours.mean():.0f} hours",
                             True, "workbook Assets sheet", ""))
        if visits.notna().any():
            rows.append(_row("Users or visits a year", float(visits.sum()), "visits a year",
                             f"{visits.sum():,.0f}", True, "workbook Assets sheet",
                             "The organisation's estimate."))
    fixed = balance.get("fixed_assets_own_use")
    if fixed is not None and not pd.isna(fixed) and fixed > 0:
        rows.append(_row("Fixed assets used for the organisation's own work", float(fixed), "£",
                         f"£{fixed:,.0f}", True, "workbook Balance sheet",
                         "Buildings and equipment in community hands (book value)."))
    return rows


def _citizens(tables, balance, lm3, wage, small, sroi) -> list[dict]:
    rows = []
    volunteers = tables.get("volunteers")
    if volunteers is not None:
        hours = float(pd.to_numeric(volunteers["hours"], errors="coerce").sum())
        activities = volunteers["activity"].nunique()
        rows.append(_row("Volunteer hours a year", hours, "hours",
                         f"{hours:,.0f} hours in {activities} activities", True,
                         "workbook Volunteers sheet", ""))
        if wage is not None:
            value = volunteering_summary(volunteers, wage).total_value
            rows.append(_row("Volunteer time at replacement cost", value, "£",
                             f"£{value:,.0f}", True, "workbook Volunteers sheet; wage from "
                             "the workbook or setting volunteering.default_hourly_wage",
                             "The economic value of volunteers' time (METHODS §4)."))
    income = tables.get("income")
    if income is not None:
        donations = float(income.loc[income["type"] == "donations", "amount"].sum())
        total = float(income["amount"].sum())
        if donations > 0 and total > 0:
            rows.append(_row("Donations received", donations, "£",
                             f"£{donations:,.0f} ({donations / total:.0%} of income)", True,
                             "workbook Income sheet", "Support given by people."))
    return rows


def _environment(tables, balance, lm3, wage, small, sroi) -> list[dict]:
    return []


def _services(tables, balance, lm3, wage, small, sroi) -> list[dict]:
    rows = []
    outcomes = tables.get("outcomes")
    if outcomes is not None:
        stakeholders = outcomes["stakeholder"].nunique()
        rows.append(_row("Outcomes recorded", float(len(outcomes)), "outcomes",
                         f"{len(outcomes)} outcomes for {stakeholders} groups of people", True,
                         "workbook Outcomes sheet", ""))
    if sroi is not None and getattr(sroi, "ratio", None) is not None:
        rows.append(_row("Social return on investment (SROI ratio)", sroi.ratio,
                         "£ per £1 of inputs", f"£{sroi.ratio:.2f} per £1", True,
                         "SROI results (toolkit.measures.sroi)", "Depends on judgements; see its "
                         "sensitivity table."))
    income = tables.get("income")
    if income is not None:
        contracts = float(income.loc[income["type"] == "public contract", "amount"].sum())
        if contracts > 0:
            rows.append(_row("Public service contracts held", contracts, "£",
                             f"£{contracts:,.0f}", True, "workbook Income sheet",
                             "Services commissioned from the organisation."))
    return rows


def _as_dict(lm3) -> dict | None:
    if lm3 is None:
        return None
    if isinstance(lm3, dict):
        return lm3
    if is_dataclass(lm3):
        return asdict(lm3)
    return dict(vars(lm3))
