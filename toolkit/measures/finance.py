"""Financial resilience of the organisation: reserves, concentration, margins.

::

    free reserves      = unrestricted funds - designated funds - fixed assets used for the
                         organisation's own work   (CC19 and the SORP: a building the anchor
                         works from is not free reserves)
                       = unrestricted funds - max(designated funds, fixed assets) when the
                         designated funds already hold the fixed assets (a designated
                         fixed-asset fund), so they are not taken off twice
    months of reserves = free reserves / (annual expenditure / 12)
    HHI                = sum over named payers of (share of named-payer income)^2  (0 to 1)
    effective payers   = 1 / HHI (named payers only);
    largest payer's share = its income / all income

HHI is given twice, each labelled: over named payers (income rows grouped by who pays, so
one council holding three contracts is one payer; the shares are of named-payer income),
and over income types (Tuckman and Chang's revenue concentration). Trading, donations and
rows with no payer named come from many or unknown payers: they are not counted as payers
at all (not as infinitely many), but shown as their own shares of all income. Thresholds
are settings (``finance.*``), and a pack reads them as settings, not verdicts: CC19 says
there is no single right level of reserves.

References
----------
METHODS §5 (Financial resilience of the organisation): Charity Commission CC19, *Charity
reserves: building resilience*; Tuckman and Chang (1991).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd

from toolkit.inputs.errors import InputError, Report
from toolkit.inputs.schema import INCOME_TYPES, MANY_PAYER_INCOME_TYPES
from toolkit.measures.volunteering import records

BALANCE_FIELDS = ("total_income", "total_expenditure", "unrestricted_funds", "designated_funds",
                  "fixed_assets_own_use", "net_assets")
CC19_NOTE = ("CC19 (Charity Commission): there is no single right level of reserves; 3 to 6 "
             "months of running costs is common practice, not a rule. The thresholds used "
             "here are settings (finance.*), not verdicts.")
EARNED_TYPES = ("trading", "public contract")
GRANT_TYPES = ("public grant", "other grant")


@dataclass(frozen=True)
class Thresholds:
    """Thresholds a pack compares against: settings, not rules.

    Parameters
    ----------
    reserves_months_low, reserves_months_high : float
        Months of reserves below or above which a pack says "low" or "high".
    concentration_high : float
        HHI over payers above which income is called concentrated.
    largest_payer_high : float
        Largest payer's share (of all income) at or above which dependence is flagged.
    income_tolerance : float
        Gap allowed between the Income sheet's total and the accounts' total income.
    """

    reserves_months_low: float = 3
    reserves_months_high: float = 6
    concentration_high: float = 0.25
    largest_payer_high: float = 0.50
    income_tolerance: float = 0.05

    @classmethod
    def from_settings(cls, settings) -> Thresholds:
        """Read the thresholds from merged settings (``finance.*``, ``checks.*``).

        Parameters
        ----------
        settings : toolkit.inputs.settings.Settings
            Merged settings.
        """
        return cls(float(settings.value("finance.reserves_months_low")),
                   float(settings.value("finance.reserves_months_high")),
                   float(settings.value("finance.concentration_high")),
                   float(settings.value("finance.largest_payer_high")),
                   float(settings.value("checks.expenditure_tolerance")))


@dataclass
class FinanceResult:
    """Financial resilience measures for one workbook (one year), with their workings.

    Attributes
    ----------
    name, financial_year : str or None
    measures : pandas.DataFrame
        ``key``, ``measure``, ``value``, ``unit``, ``formula``, ``source``, ``reading``.
    payers : pandas.DataFrame
        Income grouped by payer: ``payer``, ``types``, ``rows``, ``amount``, ``share`` (of all
        income), ``counted_as``, ``share_of_named`` (of named-payer income; None for
        income not from one named payer).
    income_types : pandas.DataFrame
        ``type``, ``amount``, ``share``.
    values : dict
        Each measure's value by key (``free_reserves``, ``months_of_reserves``,
        ``hhi_payers``, ``hhi_types``, ``effective_payers``, ``largest_payer_share``, ...).
    readings : list of str
        Plain-English statements against the threshold settings.
    report : toolkit.inputs.errors.Report
    notes : list of str
    assumptions : pandas.DataFrame or None
        The threshold settings used (setting, value, meaning, source, checked), when the
        result was made with settings.
    """

    name: str | None
    financial_year: str | None
    measures: pd.DataFrame
    payers: pd.DataFrame
    income_types: pd.DataFrame
    values: dict
    readings: list[str]
    report: Report
    notes: list[str] = field(default_factory=list)
    assumptions: pd.DataFrame | None = None

    def to_dict(self) -> dict:
        """Return the result as plain data for JSON."""
        return {"name": self.name, "financial_year": self.financial_year,
                "values": dict(self.values), "measures": records(self.measures),
                "payers": records(self.payers), "income_types": records(self.income_types),
                "readings": list(self.readings), "problems": self.report.to_list(),
                "notes": list(self.notes),
                "assumptions": None if self.assumptions is None else records(self.assumptions)}


def free_reserves(unrestricted: float, designated: float, fixed_assets_own_use: float,
                  designated_hold_fixed_assets: bool = False) -> float:
    """Return free reserves as CC19 defines them.

    Parameters
    ----------
    unrestricted, designated, fixed_assets_own_use : float
        £ at the year end: unrestricted funds, the part designated for a purpose, and fixed
        assets used for the organisation's own work (such as the building it runs from).
    designated_hold_fixed_assets : bool
        True when the designated funds already include a fund for those fixed assets (a
        designated fixed-asset fund): then only the larger of the two is taken off, not
        both, so the building is not subtracted twice.

    Returns
    -------
    float
        May be negative: then there are no free reserves to draw on.

    References
    ----------
    METHODS §5; Charity Commission CC19.
    """
    if designated_hold_fixed_assets:
        return float(unrestricted) - max(float(designated), float(fixed_assets_own_use))
    return float(unrestricted) - float(designated) - float(fixed_assets_own_use)


def months_of_reserves(free: float, expenditure: float) -> float | None:
    """Return how many months of spending free reserves would cover.

    Parameters
    ----------
    free : float
        Free reserves (£).
    expenditure : float
        Annual expenditure (£).

    Returns
    -------
    float or None
        ``free / (expenditure / 12)``; ``None`` when expenditure is £0 (not defined).
    """
    return free / (expenditure / 12.0) if expenditure > 0 else None


def hhi(shares) -> float:
    """Return the Herfindahl-Hirschman index of shares: the sum of their squares.

    Parameters
    ----------
    shares : iterable of float
        Shares of a whole (each 0 to 1).

    Returns
    -------
    float
        1 for one payer; 1/n for n equal payers.
    """
    return float(sum(float(s) ** 2 for s in shares))


def payer_key(name) -> str:
    """Return a payer's name normalised for grouping (case and spacing ignored)."""
    return re.sub(r"\s+", " ", str(name or "").strip()).casefold()


def payer_table(income: pd.DataFrame) -> pd.DataFrame:
    """Group income by who pays it.

    Rows of a many-payer type (trading, donations) are grouped by type as "many payers",
    and rows with no payer named as "payer not named"; neither counts in HHI over payers.
    Every other row is grouped by payer name (case and spacing ignored), so one council
    holding three contracts is one payer.

    Parameters
    ----------
    income : pandas.DataFrame
        The workbook's ``income`` table (``payer``, ``type``, ``amount``).

    Returns
    -------
    pandas.DataFrame
        ``payer``, ``types``, ``rows``, ``amount``, ``share`` (of all income),
        ``counted_as`` ("one payer", "many payers" or "payer not named"),
        ``share_of_named`` (of the named payers' income; None otherwise), largest first.

    References
    ----------
    METHODS §5.
    """
    total = float(income["amount"].sum())
    counted = income.apply(_counted_as, axis=1) if len(income) else pd.Series(dtype=object)
    keyed = income.assign(
        _key=income["payer"].map(payer_key).where(counted == "one payer",
                                                  counted + ": " + income["type"]),
        _counted=counted)
    rows = []
    for key, group in keyed.groupby("_key", sort=False):
        amount = float(group["amount"].sum())
        kind = group["_counted"].iloc[0]
        rows.append({
            "payer": key if kind != "one payer" else str(group["payer"].iloc[0]).strip(),
            "types": ", ".join(sorted(set(group["type"]))), "rows": len(group),
            "amount": amount, "share": amount / total if total > 0 else None,
            "counted_as": kind})
    table = pd.DataFrame(rows, columns=["payer", "types", "rows", "amount", "share",
                                        "counted_as"])
    named = table["counted_as"] == "one payer"
    named_total = float(table.loc[named, "amount"].sum())
    table["share_of_named"] = [amount / named_total if is_named and named_total > 0 else None
                               for amount, is_named in zip(table["amount"], named, strict=True)]
    return table.sort_values("amount", ascending=False, kind="stable").reset_index(drop=True)


def _counted_as(rec) -> str:
    """Return how an income row counts: "one payer", "many payers" or "payer not named"."""
    if rec["type"] in MANY_PAYER_INCOME_TYPES:
        return "many payers"
    return "one payer" if payer_key(rec["payer"]) else "payer not named"


def type_table(income: pd.DataFrame) -> pd.DataFrame:
    """Return income by type (every type of the schema, £0 where none).

    Parameters
    ----------
    income : pandas.DataFrame
        The workbook's ``income`` table.

    Returns
    -------
    pandas.DataFrame
        ``type``, ``amount``, ``share``.
    """
    total = float(income["amount"].sum())
    amounts = income.groupby("type")["amount"].sum()
    return pd.DataFrame([{"type": t, "amount": float(amounts.get(t, 0.0)),
                          "share": float(amounts.get(t, 0.0)) / total if total > 0 else None}
                         for t in INCOME_TYPES])


def concentration(payers: pd.DataFrame, types: pd.DataFrame) -> dict:
    """Return income concentration over payers and over types.

    Parameters
    ----------
    payers : pandas.DataFrame
        From :func:`payer_table`.
    types : pandas.DataFrame
        From :func:`type_table`.

    Returns
    -------
    dict
        ``hhi_payers`` (over the named payers' shares of named-payer income; 0 when there
        are none), ``effective_payers`` (1 / HHI, ``None`` when no payer is named),
        ``named_payers`` (how many), ``named_payer_share`` (their share of all income),
        ``many_payer_share`` (trading and donations) and ``unnamed_payer_share`` (rows with
        no payer) of all income, ``largest_payer`` and ``largest_payer_share`` (of all
        income; ``None`` when no payer is named), ``hhi_types`` and ``effective_types``.

    References
    ----------
    METHODS §5.
    """
    named = payers[payers["counted_as"] == "one payer"]
    hhi_payers = hhi(named["share_of_named"]) if len(named) else 0.0
    hhi_types = hhi(types["share"].fillna(0.0))
    top = named.iloc[0] if len(named) else None
    return {
        "hhi_payers": hhi_payers,
        "effective_payers": 1.0 / hhi_payers if hhi_payers > 0 else None,
        "named_payers": len(named),
        "named_payer_share": _share_counted(payers, "one payer"),
        "many_payer_share": _share_counted(payers, "many payers"),
        "unnamed_payer_share": _share_counted(payers, "payer not named"),
        "largest_payer": None if top is None else top["payer"],
        "largest_payer_share": None if top is None else float(top["share"]),
        "hhi_types": hhi_types,
        "effective_types": 1.0 / hhi_types if hhi_types > 0 else None,
    }


def _share_counted(payers: pd.DataFrame, counted_as: str) -> float | None:
    """Return the share of all income from rows counted one way (None when no income)."""
    shares = payers.loc[payers["counted_as"] == counted_as, "share"]
    if payers["share"].isna().any():
        return None
    return float(shares.sum())


def operating_margin(income: float, expenditure: float) -> float | None:
    """Return (income - expenditure) / income; ``None`` when income is £0.

    Parameters
    ----------
    income, expenditure : float
        Total income and total expenditure for the year (£).
    """
    return (income - expenditure) / income if income > 0 else None


def equity_ratio(net_assets: float, income: float) -> float | None:
    """Return net assets / income; ``None`` when income is £0.

    Parameters
    ----------
    net_assets, income : float
        Net assets at the year end and total income for the year (£).
    """
    return net_assets / income if income > 0 else None


def finance(income: pd.DataFrame, balance: dict, thresholds: Thresholds | None = None,
            file: str | None = None, name: str | None = None,
            financial_year: str | None = None) -> FinanceResult:
    """Compute the financial resilience measures of one year (pure; no workbook needed).

    Parameters
    ----------
    income : pandas.DataFrame
        The workbook's ``income`` table.
    balance : dict
        The workbook's ``balance`` row (keys of :data:`BALANCE_FIELDS`).
    thresholds : Thresholds, optional
        Threshold settings; the toolkit's defaults when not given.
    file, name, financial_year : str, optional
        For messages and labels.

    Returns
    -------
    FinanceResult

    Raises
    ------
    InputError
        When the balance lacks a figure, or the income has no rows or a negative amount.

    References
    ----------
    METHODS §5.
    """
    thresholds = thresholds or Thresholds()
    report = Report()
    _check_inputs(income, balance, file, report)
    report.raise_if_errors(f"{file or 'The workbook'}")
    bal = {key: float(balance[key]) for key in BALANCE_FIELDS}
    payers, types = payer_table(income), type_table(income)
    income_total = float(income["amount"].sum())
    accounts_income = bal["total_income"]
    if accounts_income > 0 and abs(income_total - accounts_income) > (
            thresholds.income_tolerance * accounts_income):
        report.warning(f"The Income sheet adds up to £{income_total:,.0f} but the accounts' "
                       f"total income is £{accounts_income:,.0f}; shares of income use the "
                       "Income sheet, margin and equity ratio use the accounts.",
                       file=file, sheet="Balance", row=2, column="Total income (£)")
    held = balance.get("designated_hold_fixed_assets")
    held = None if held is None or pd.isna(held) else bool(held)
    free = free_reserves(bal["unrestricted_funds"], bal["designated_funds"],
                         bal["fixed_assets_own_use"], bool(held))
    _check_double_subtraction(bal, held, file, report)
    values = {
        "income_total_accounts": accounts_income, "income_total_sheet": income_total,
        "expenditure": bal["total_expenditure"], "free_reserves": free,
        "designated_hold_fixed_assets": held,
        "months_of_reserves": months_of_reserves(free, bal["total_expenditure"]),
        **concentration(payers, types),
        "operating_margin": operating_margin(accounts_income, bal["total_expenditure"]),
        "equity_ratio": equity_ratio(bal["net_assets"], accounts_income),
        **income_shares(types),
    }
    readings = readings_against_thresholds(values, thresholds, bal)
    return FinanceResult(name, financial_year, measures_table(values, thresholds), payers,
                         types, values, readings, report, _notes())


def _check_double_subtraction(bal: dict, held: bool | None, file, report: Report) -> None:
    """Warn when designated funds may already hold the fixed assets and nobody said so.

    Charities often designate a fund equal to their fixed assets. Taking off both the
    designated funds and the fixed assets then counts the building twice (CC19, SORP).
    """
    if held is None and bal["fixed_assets_own_use"] > 0 and (
            bal["designated_funds"] >= bal["fixed_assets_own_use"]):
        other = bal["unrestricted_funds"] - bal["designated_funds"]
        report.warning(
            f"Designated funds (£{bal['designated_funds']:,.0f}) are at least the fixed "
            f"assets used for your own work (£{bal['fixed_assets_own_use']:,.0f}). If the "
            "designated funds include a fund for those assets, both have been taken off and "
            "the building is counted twice: answer 'yes' in 'Designated funds hold the fixed "
            f"assets (yes/no)' (free reserves would then be {_money(other)}), or 'no'.",
            file=file, sheet="Balance", row=2,
            column="Designated funds hold the fixed assets (yes/no)")


def _money(value: float) -> str:
    """Return pounds with the minus sign before the pound sign, such as -£6,000."""
    return f"-£{-value:,.0f}" if value < 0 else f"£{value:,.0f}"


def income_shares(types: pd.DataFrame) -> dict:
    """Return the shares of income by kind (earned, public contract, grants, donations...).

    Parameters
    ----------
    types : pandas.DataFrame
        From :func:`type_table`.

    Returns
    -------
    dict
        ``earned_share`` (trading and public contracts), ``public_contract_share``,
        ``grant_share`` (public and other grants), ``donations_share``, ``trading_share``,
        ``investment_share``; ``None`` each when there is no income.
    """
    share = dict(zip(types["type"], types["share"], strict=True))
    if any(v is None or pd.isna(v) for v in share.values()):
        return dict.fromkeys(("earned_share", "public_contract_share", "grant_share",
                              "donations_share", "trading_share", "investment_share"))
    return {"earned_share": sum(share[t] for t in EARNED_TYPES),
            "public_contract_share": share["public contract"],
            "grant_share": sum(share[t] for t in GRANT_TYPES),
            "donations_share": share["donations"], "trading_share": share["trading"],
            "investment_share": share["investment"]}


_MEASURES = (
    ("free_reserves", "Free reserves", "£",
     "unrestricted funds - designated funds - fixed assets used for own work (CC19); "
     "only the larger of the two when designated funds hold the fixed assets",
     "workbook Balance sheet"),
    ("months_of_reserves", "Months of spending covered by free reserves", "months",
     "free reserves / (total expenditure / 12)", "workbook Balance sheet"),
    ("hhi_payers", "Income concentration over named payers (HHI)", "0 to 1",
     "sum of (named payer's share of named-payer income)^2; trading, donations and "
     "income with no payer named are not payers", "workbook Income sheet"),
    ("effective_payers", "Effective number of named payers", "payers",
     "1 / HHI over named payers", "workbook Income sheet"),
    ("largest_payer_share", "Largest payer's share of income", "share",
     "largest payer's income / all income", "workbook Income sheet"),
    ("named_payer_share", "Share of income from named payers", "share",
     "income from named payers / all income", "workbook Income sheet"),
    ("many_payer_share", "Share of income from many payers (trading, donations)", "share",
     "(trading + donations) / all income", "workbook Income sheet"),
    ("unnamed_payer_share", "Share of income with no payer named", "share",
     "income rows with a blank payer (not trading or donations) / all income",
     "workbook Income sheet"),
    ("hhi_types", "Income concentration over income types (HHI; Tuckman and Chang)",
     "0 to 1", "sum of (income type's share)^2", "workbook Income sheet"),
    ("earned_share", "Earned income share (trading and public contracts)", "share",
     "(trading + public contracts) / all income", "workbook Income sheet"),
    ("public_contract_share", "Public contract share", "share",
     "public contracts / all income", "workbook Income sheet"),
    ("grant_share", "Grant share (public and other grants)", "share",
     "(public grants + other grants) / all income", "workbook Income sheet"),
    ("donations_share", "Donations share", "share", "donations / all income",
     "workbook Income sheet"),
    ("operating_margin", "Operating margin", "share",
     "(total income - total expenditure) / total income", "workbook Balance sheet"),
    ("equity_ratio", "Equity ratio", "ratio", "net assets / total income",
     "workbook Balance sheet"),
)


def measures_table(values: dict, thresholds: Thresholds) -> pd.DataFrame:
    """Return the measures as a table with formula, source and a reading of each.

    Parameters
    ----------
    values : dict
        Measures by key (see :func:`finance`).
    thresholds : Thresholds
        Threshold settings the readings refer to.

    Returns
    -------
    pandas.DataFrame
        ``key``, ``measure``, ``value``, ``unit``, ``formula``, ``source``, ``reading``.
    """
    rows = []
    for key, label, unit, formula, source in _MEASURES:
        rows.append({"key": key, "measure": label, "value": values.get(key), "unit": unit,
                     "formula": formula, "source": source,
                     "reading": _reading(key, values, thresholds)})
    if values.get("largest_payer") is not None:
        largest = next(r for r in rows if r["key"] == "largest_payer_share")
        largest["measure"] += f" ({values['largest_payer']})"
    return pd.DataFrame(rows)


def _reading(key: str, values: dict, t: Thresholds) -> str:
    value = values.get(key)
    if key == "months_of_reserves":
        if value is None:
            return "not defined: expenditure is £0"
        if value < 0:
            return "negative: no free reserves to draw on"  # worded in full in readings
        if value < t.reserves_months_low:
            return f"below the {t.reserves_months_low:g}-month setting (a setting, not a rule)"
        if value > t.reserves_months_high:
            return f"above the {t.reserves_months_high:g}-month setting (a setting, not a rule)"
        return (f"between the {t.reserves_months_low:g}- and {t.reserves_months_high:g}-month "
                "settings")
    if key == "hhi_payers":
        return (f"concentrated: above the setting {t.concentration_high:g}" if value >
                t.concentration_high else f"at or below the setting {t.concentration_high:g}")
    if key == "effective_payers" and value is None:
        return ("not defined: no payer is named (all income is trading, donations or has no "
                "payer)")
    if key == "largest_payer_share":
        if value is None:
            return "no single payer: all income comes from many payers"
        return (f"at or above the setting {t.largest_payer_high:.0%}"
                if value >= t.largest_payer_high
                else f"below the setting {t.largest_payer_high:.0%}")
    if key in {"operating_margin", "equity_ratio"} and value is None:
        return "not defined: total income is £0"
    return ""


def readings_against_thresholds(values: dict, t: Thresholds, balance: dict) -> list[str]:
    """Return plain-English statements of the measures against the threshold settings.

    Parameters
    ----------
    values : dict
        Measures by key.
    t : Thresholds
        Threshold settings.
    balance : dict
        The balance figures (for the free reserves explanation).

    Returns
    -------
    list of str
    """
    lines = []
    free, months = values["free_reserves"], values["months_of_reserves"]
    if free < 0:
        lines.append(negative_reserves_reading(free, balance))
    elif months is not None:
        lines.append(f"Free reserves of £{free:,.0f} would cover {months:.1f} months of "
                     f"spending: {_reading('months_of_reserves', values, t)}.")
    else:
        lines.append("Months of reserves are not defined: total expenditure is £0.")
    lines.append(payers_reading(values))
    if values["hhi_payers"] > t.concentration_high:
        lines.append(f"Income is concentrated over named payers: HHI above the setting "
                     f"finance.concentration_high ({t.concentration_high:g}).")
    if values["largest_payer_share"] is not None and (
            values["largest_payer_share"] >= t.largest_payer_high):
        lines.append(f"The largest payer's share of all income is at or above the setting "
                     f"finance.largest_payer_high ({t.largest_payer_high:.0%}).")
    lines.append(CC19_NOTE)
    return lines


def negative_reserves_reading(free: float, balance: dict) -> str:
    """Return plain words for negative free reserves, saying why they are negative.

    Parameters
    ----------
    free : float
        Free reserves (£, below 0).
    balance : dict
        The balance figures.

    Returns
    -------
    str
    """
    unrestricted = balance["unrestricted_funds"]
    if unrestricted < 0:
        return (f"Unrestricted funds are in deficit ({_money(unrestricted)}): the "
                "organisation has spent more unrestricted money than it has received, so it "
                f"has no free reserves at all (free reserves {_money(free)} after designated "
                "funds and fixed assets). The deficit must be met from future unrestricted "
                "income.")
    return (f"Free reserves are negative ({_money(free)}): designated funds "
            f"({_money(balance['designated_funds'])}) and fixed assets used for the "
            f"organisation's own work ({_money(balance['fixed_assets_own_use'])}) are more "
            f"than its unrestricted funds ({_money(unrestricted)}), so there are no free "
            "reserves to draw on.")


def payers_reading(values: dict) -> str:
    """Return a plain-English reading of income concentration over named payers.

    Parameters
    ----------
    values : dict
        Measures by key (from :func:`concentration` and :func:`finance`).

    Returns
    -------
    str
    """
    others = (f"Trading and donations (many payers) give {values['many_payer_share']:.0%} of "
              f"income and income with no payer named {values['unnamed_payer_share']:.0%}: "
              "they are not counted as payers.")
    if values["largest_payer_share"] is None:
        return "No payer is named: all income is trading, donations or has no payer. " + others
    if values["hhi_payers"] >= 1.0 - 1e-12:
        return (f"All income from named payers comes from one payer "
                f"({values['largest_payer']}, {values['largest_payer_share']:.0%} of all "
                "income): HHI over named payers is 1, one effective payer. " + others)
    return (f"{values['named_payers']} named payers give {values['named_payer_share']:.0%} "
            f"of income; over them HHI is {values['hhi_payers']:.2f} (about "
            f"{values['effective_payers']:.1f} effective payers). The largest, "
            f"{values['largest_payer']}, gives {values['largest_payer_share']:.0%} of all "
            "income. " + others)


def finance_from_workbook(wb, settings) -> FinanceResult:
    """Compute financial resilience for one workbook (one line in a notebook).

    Parameters
    ----------
    wb : toolkit.inputs.workbook.Workbook
        Tables ``income`` and ``balance``.
    settings : toolkit.inputs.settings.Settings
        Keys ``finance.*`` and ``checks.expenditure_tolerance``.

    Returns
    -------
    FinanceResult
    """
    path = getattr(wb, "path", None)
    result = finance(wb.table("income"), wb.balance, Thresholds.from_settings(settings),
                     str(path) if path else None, getattr(wb, "name", None),
                     getattr(wb, "financial_year", None))
    table = settings.assumptions()
    keep = table["setting"].str.startswith("finance.") | (
        table["setting"] == "checks.expenditure_tolerance")
    result.assumptions = table.loc[keep, ["setting", "value", "meaning", "source",
                                          "checked"]].reset_index(drop=True)
    return result


def finance_years(workbooks, settings) -> pd.DataFrame:
    """Set several years' measures side by side for one organisation.

    Parameters
    ----------
    workbooks : iterable of toolkit.inputs.workbook.Workbook
        One per financial year (as the registry lists them), in any order.
    settings : toolkit.inputs.settings.Settings

    Returns
    -------
    pandas.DataFrame
        ``measure`` and ``unit``, then one column per financial year, earliest first.

    Raises
    ------
    InputError
        When two workbooks give the same financial year, or a workbook gives none.
    """
    results = [finance_from_workbook(wb, settings) for wb in workbooks]
    return years_table(results)


def finance_years_for_organisation(registry, org_id: str, settings) -> pd.DataFrame:
    """Set side by side the years the registry lists for one organisation.

    Parameters
    ----------
    registry : toolkit.inputs.registry.Registry
        From :func:`toolkit.inputs.registry.load_registry`.
    org_id : str
        The organisation's id in the registry.
    settings : toolkit.inputs.settings.Settings

    Returns
    -------
    pandas.DataFrame
        See :func:`finance_years`.
    """
    from toolkit.inputs.workbook import load_workbook

    authority = registry.authority_of(org_id)
    organisation = next(o for o in authority.organisations if o.id == org_id)
    return finance_years([load_workbook(path) for path in organisation.workbooks], settings)


def years_table(results: list[FinanceResult]) -> pd.DataFrame:
    """Set several :class:`FinanceResult` side by side by financial year.

    Parameters
    ----------
    results : list of FinanceResult

    Returns
    -------
    pandas.DataFrame
        ``measure``, ``unit``, then one column per year, earliest first.
    """
    if not results:
        raise InputError("No workbooks were given.")
    years = [r.financial_year for r in results]
    if any(not y for y in years):
        raise InputError("Every workbook needs its financial year (About sheet) to set years "
                         "side by side.")
    repeated = sorted({y for y in years if years.count(y) > 1})
    if repeated:
        raise InputError(f"Two or more workbooks give the financial year "
                         f"{', '.join(repeated)}; give one workbook per year.")
    ordered = sorted(results, key=lambda r: r.financial_year)
    table = ordered[0].measures[["key", "measure", "unit"]].copy()
    table["measure"] = [m[1] for m in _MEASURES]
    for result in ordered:
        table[result.financial_year] = result.measures["value"].to_numpy()
    return table.drop(columns="key")


def income_mix_chart(result: FinanceResult, ax=None):
    """Draw the shares of income by type as a bar chart.

    Parameters
    ----------
    result : FinanceResult
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
        With a title, axis labels with units, and ``fig.alt_text``.
    """
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(8, 3.6))
    else:
        fig = ax.figure
    types = result.income_types
    shares = types["share"].fillna(0.0).astype(float) * 100
    ax.barh(types["type"], shares, color="#2166ac")
    ax.invert_yaxis()
    ax.set_xlabel("Share of income (%)")
    ax.set_ylabel("Income type")
    year = f" {result.financial_year}" if result.financial_year else ""
    ax.set_title(f"Income by type{year} (HHI over types {result.values['hhi_types']:.2f})")
    fig.tight_layout()
    parts = [f"{t} {s:.0f}%" for t, s in zip(types["type"], shares, strict=True) if s > 0]
    none = [t for t, s in zip(types["type"], shares, strict=True) if s <= 0]
    fig.alt_text = (f"Bar chart of the shares of income by type{year}: " + "; ".join(parts)
                    + (f"; none from {', '.join(none)}" if none else "") + ".")
    fig.set_label(fig.alt_text)
    return fig


def _check_inputs(income: pd.DataFrame, balance: dict, file, report: Report) -> None:
    """Add errors for missing balance figures, no income, or negative amounts."""
    for key in BALANCE_FIELDS:
        value = balance.get(key) if balance else None
        if value is None or pd.isna(value):
            report.error("This figure is needed for financial resilience.", file=file,
                         sheet="Balance", row=2, column=key)
    if balance and balance.get("unrestricted_funds") is not None and not pd.isna(
            balance["unrestricted_funds"]) and balance["unrestricted_funds"] < 0:
        report.warning("Unrestricted funds are negative: a deficit, meaning more "
                       "unrestricted money has been spent than received. There are no free "
                       "reserves.", file=file, sheet="Balance", row=2,
                       column="Unrestricted funds (£)")
    for key in ("designated_funds", "fixed_assets_own_use", "total_income",
                "total_expenditure"):
        value = balance.get(key) if balance else None
        if value is not None and not pd.isna(value) and value < 0:
            report.error("Must not be negative.", file=file, sheet="Balance", row=2,
                         column=key, value=str(value))
    if income is None or income.empty:
        report.error("The Income sheet has no rows: income concentration cannot be measured.",
                     file=file, sheet="Income")
        return
    for i, rec in income.reset_index(drop=True).iterrows():
        amount = rec.get("amount")
        row = rec.get("row") if rec.get("row") is not None else i + 2
        if amount is None or pd.isna(amount) or amount < 0:
            report.error("The amount must be £0 or more.", file=file, sheet="Income",
                         row=int(row), column="Amount (£)", value=str(amount))
        if rec.get("type") not in INCOME_TYPES:
            report.error("Unknown income type.", file=file, sheet="Income", row=int(row),
                         column="Type", value=str(rec.get("type")),
                         expected=", ".join(INCOME_TYPES))
    if report.ok and float(income["amount"].sum()) <= 0:
        report.error("The Income sheet adds up to £0: shares of income are not defined.",
                     file=file, sheet="Income")


def _notes() -> list[str]:
    return [
        "Free reserves exclude designated funds and fixed assets used for the "
        "organisation's own work (a building it works from is not free reserves: CC19).",
        "HHI over payers groups income by who pays and is over the named payers' shares of "
        "named-payer income; trading, donations and income with no payer named are not "
        "payers, and are shown as their own shares of all income. HHI over income types is "
        "Tuckman and Chang's revenue concentration. The two are labelled apart.",
        CC19_NOTE,
    ]
