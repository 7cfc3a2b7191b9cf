"""Social return on investment (SROI), with its workings shown.

For each outcome in the workbook's Outcomes sheet::

    year-1 impact = quantity * proxy value * (1 - deadweight) * (1 - displacement)
                    * (1 - attribution)
    year-t impact = year-(t-1) impact * (1 - drop-off)        for t = 2 .. benefit period
    discount factor DF_t = product over years s = 1 .. t of 1 / (1 + r_s)
    present value = sum over t of impact_t * DF_t
    SROI ratio    = present value / value of inputs;  net present value = PV - inputs

The rates r_s follow the Green Book's declining schedule (a setting), applied as a
cumulative factor, so a year-31 flow is worth less than a year-30 flow. Outcomes valued
in WELLBYs are discounted at the lower wellbeing rate (a setting). Whether year 1 is
discounted is a convention and a setting (``social_value.discount_year_one``): when it
is false, year 1 counts at full value and year ``t`` takes the factor of year ``t - 1``.

Inputs are what it cost to create the outcomes, chosen for the SROI on its own (not LM3's
income lines): the Income sheet's lines marked "yes" in its SROI column; when no line is
marked, the contracts and grants (labelled assumed: trading, donations and investment are
left out); or the setting ``social_value.inputs_value``. Volunteers' time at replacement
cost is an input too, never a benefit.

Ratios are not to be compared across organisations (the SROI Network and Social Value
UK say so). Switching values show how firm a ratio is: the deadweight, the same for every
outcome, and the factor on every proxy value, at which the ratio falls (or rises) to 1.

References
----------
METHODS §3 (Social value and SROI): Nicholls et al. (2012), *A Guide to Social Return on
Investment*; HM Treasury (2022), *The Green Book*; HM Treasury (2021), *Wellbeing
Guidance for Appraisal*.
METHODS §4 (Volunteering).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import pandas as pd

from toolkit.inputs.errors import InputError, Report
from toolkit.measures.proxies import (
    PriceIndex,
    price_index_from_settings,
    proxy_library_from_settings,
    unknown_proxy_message,
)
from toolkit.measures.volunteering import VolunteeringResult, records, volunteering_value

ADJUSTMENTS = ("deadweight", "displacement", "attribution", "drop_off")
#: Income types taken as SROI inputs when no Income line is marked for SROI: the contracts
#: and grants that pay for activity (METHODS §3). Trading, donations and investment are not.
FALLBACK_INPUT_TYPES = ("public contract", "public grant", "other grant")
COMPARISON_NOTE = ("Do not compare this SROI ratio with other organisations' ratios: each "
                   "rests on its own choice of outcomes, proxies and judgements (the SROI "
                   "Network and Social Value UK say so). Read it with its switching values "
                   "and sensitivity.")
ADJUSTMENT_HEADERS = {"deadweight": "Deadweight (%)", "displacement": "Displacement (%)",
                      "attribution": "Attribution (%)", "drop_off": "Drop-off (%)"}
ADJUSTMENT_NAMES = {"deadweight": "Deadweight", "displacement": "Displacement",
                    "attribution": "Attribution", "drop_off": "Drop-off"}

@dataclass(frozen=True)
class SroiAssumptions:
    """The settings SROI uses, gathered in one place so sensitivity can vary them.

    Parameters
    ----------
    analysis_year : int
        Year prices are uprated to, and the first year of outcomes by default.
    schedule : tuple of (int, int or None, float)
        Declining discount rates: ``(from_year, to_year, rate)``; the last is open-ended.
    wellbeing_rate : float
        Discount rate for WELLBY-valued outcomes.
    discount_year_one : bool
        Whether year 1 is discounted.
    warning_years, max_years : int
        Benefit periods over ``warning_years`` get a warning; over ``max_years`` an error
        unless ``allow_long``.
    allow_long : bool
        Allow benefit periods over ``max_years``.
    include_volunteer_time : bool
        Count volunteers' time as an input.
    sensitivity_points, sensitivity_value_share, sensitivity_rate_points : float
    sensitivity_years : int
        How far the sensitivity table moves each assumption.
    """

    analysis_year: int
    schedule: tuple[tuple[int, int | None, float], ...]
    wellbeing_rate: float
    discount_year_one: bool = False
    warning_years: int = 30
    max_years: int = 75
    allow_long: bool = False
    include_volunteer_time: bool = True
    sensitivity_points: float = 0.10
    sensitivity_value_share: float = 0.20
    sensitivity_rate_points: float = 0.01
    sensitivity_years: int = 1

    @classmethod
    def from_settings(cls, settings) -> SroiAssumptions:
        """Build the assumptions from merged settings (keys ``social_value.*``).

        Parameters
        ----------
        settings : toolkit.inputs.settings.Settings
            Merged settings (every key is documented in ``toolkit.inputs.settings``).
        """
        sv = "social_value."
        return cls(
            analysis_year=int(settings.value("analysis_year")),
            schedule=tuple((int(s["from_year"]), None if s["to_year"] is None
                            else int(s["to_year"]), float(s["rate"]))
                           for s in settings.value(sv + "discount_schedule")),
            wellbeing_rate=float(settings.value(sv + "wellbeing_discount_rate")),
            discount_year_one=bool(settings.value(sv + "discount_year_one")),
            warning_years=int(settings.value(sv + "benefit_period_warning_years")),
            max_years=int(settings.value(sv + "benefit_period_max_years")),
            allow_long=bool(settings.value(sv + "allow_long_benefit_period")),
            include_volunteer_time=bool(settings.value(sv + "include_volunteer_time")),
            sensitivity_points=float(settings.value(sv + "sensitivity_points")),
            sensitivity_value_share=float(settings.value(sv + "sensitivity_value_share")),
            sensitivity_rate_points=float(settings.value(sv + "sensitivity_rate_points")),
            sensitivity_years=int(settings.value(sv + "sensitivity_years")),
        )


@dataclass
class SroiResult:
    """SROI with its workings.

    Attributes
    ----------
    present_value, inputs_value, net_present_value : float
        £, in analysis-year prices.
    ratio : float or None
        Present value per £1 of inputs; ``None`` (with a note) when inputs are £0.
    outcomes : pandas.DataFrame
        Per outcome: quantity, proxy, value as given, price year, uprating factor, uprated
        value, each adjustment, year-1 impact, benefit period, discounting, present value.
    yearly : pandas.DataFrame
        Per outcome and year: impact, discount factor, present value.
    inputs : pandas.DataFrame
        The inputs: item, amount (£), source, status (evidenced or assumed).
    sensitivity : pandas.DataFrame
        How the ratio (and present value) move when each assumption moves.
    assumptions : pandas.DataFrame
        The settings used: setting, value, meaning, source, checked.
    evidence : pandas.DataFrame
        Which figures are evidenced by the workbook and which are assumed.
    report : toolkit.inputs.errors.Report
        Warnings and notices (errors raise before a result exists).
    notes : list of str
        Plain-English notes for a pack (method, conventions, price index label).
    analysis_year : int
    price_index : str
        Label of the price index used (says "ILLUSTRATIVE" when it is).
    switching : dict
        Switching values (see :func:`switching_values`).
    """

    present_value: float
    inputs_value: float
    net_present_value: float
    ratio: float | None
    outcomes: pd.DataFrame
    yearly: pd.DataFrame
    inputs: pd.DataFrame
    sensitivity: pd.DataFrame
    assumptions: pd.DataFrame
    evidence: pd.DataFrame
    report: Report
    notes: list[str] = field(default_factory=list)
    analysis_year: int | None = None
    price_index: str = ""
    switching: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        """Return the result and its workings as plain data for JSON."""
        return {
            "analysis_year": self.analysis_year,
            "present_value": self.present_value,
            "inputs_value": self.inputs_value,
            "net_present_value": self.net_present_value,
            "ratio": self.ratio,
            "price_index": self.price_index,
            "outcomes": records(self.outcomes),
            "inputs": records(self.inputs),
            "sensitivity": records(self.sensitivity),
            "assumptions": records(self.assumptions),
            "evidence": records(self.evidence),
            "yearly": records(self.yearly),
            "problems": self.report.to_list(),
            "notes": list(self.notes),
            "switching_values": dict(self.switching),
            "comparison_note": COMPARISON_NOTE,
        }


def rates_by_year(schedule, years: int) -> np.ndarray:
    """Return the discount rate of each year 1 .. ``years`` from a declining schedule.

    Parameters
    ----------
    schedule : sequence of (from_year, to_year, rate) or of dicts with those keys
        Steps following on from year 1; the last has ``to_year`` ``None`` (open-ended).
    years : int
        How many years.

    Returns
    -------
    numpy.ndarray
        ``r_1 .. r_years``.

    References
    ----------
    HM Treasury Green Book, declining long-term discount rates (METHODS §3).
    """
    steps = [_step(s) for s in schedule]
    rates = np.empty(years)
    for s in range(1, years + 1):
        for start, end, rate in steps:
            if start <= s and (end is None or s <= end):
                rates[s - 1] = rate
                break
        else:
            raise InputError(f"The discount schedule gives no rate for year {s}.")
    return rates


def discount_factors(years: int, schedule, discount_year_one: bool = True) -> np.ndarray:
    """Return cumulative discount factors DF_1 .. DF_years.

    Parameters
    ----------
    years : int
        How many years.
    schedule : sequence
        See :func:`rates_by_year`.
    discount_year_one : bool
        When true, ``DF_t = prod_{s=1..t} 1 / (1 + r_s)`` (year 1 is discounted). When
        false, year 1 counts at full value and ``DF_t = prod_{s=1..t-1} 1 / (1 + r_s)``.

    Returns
    -------
    numpy.ndarray

    References
    ----------
    METHODS §3: the factor is cumulative, so DF_31 = DF_30 / 1.03 under the Green Book
    schedule; applying 3.0% from year 0 would make a year-31 flow worth more than year 30.
    """
    if years <= 0:
        return np.empty(0)
    cumulative = np.cumprod(1.0 / (1.0 + rates_by_year(schedule, years)))
    if discount_year_one:
        return cumulative
    return np.concatenate(([1.0], cumulative[:-1]))


def yearly_impacts(year_one: float, drop_off: float, years: int) -> np.ndarray:
    """Return the impact of each year: year 1, then falling by ``drop_off`` a year.

    Parameters
    ----------
    year_one : float
        Year-1 impact (£).
    drop_off : float
        Share lost each year after the first, 0 to 1.
    years : int
        Benefit period.

    Returns
    -------
    numpy.ndarray
    """
    return year_one * (1.0 - drop_off) ** np.arange(years)


def value_outcomes(outcomes: pd.DataFrame, library: pd.DataFrame, index: PriceIndex,
                   assumptions: SroiAssumptions, file: str | None = None) -> tuple[
                       pd.DataFrame, Report]:
    """Check each outcome, find its value, and uprate it to the analysis year.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        The workbook's ``outcomes`` table (schema keys; ``row`` for tracing).
    library : pandas.DataFrame
        Proxy values by id (:func:`toolkit.measures.proxies.proxy_library`).
    index : PriceIndex
        Price index for uprating.
    assumptions : SroiAssumptions
        Analysis year and benefit period limits.
    file : str, optional
        Workbook path, for messages.

    Returns
    -------
    (pandas.DataFrame, Report)
        One row per outcome with the value's source and uprating; the warnings found.

    Raises
    ------
    InputError
        Listing every error: an unknown proxy id, a missing value, an adjustment outside
        0 to 100%, a benefit period of zero or less or over the maximum, and so on.
    """
    report = Report()
    rows = []
    for i, rec in outcomes.reset_index(drop=True).iterrows():
        where = {"file": file, "sheet": "Outcomes", "row": _row(rec, i)}
        row = _value_one(rec, library, index, assumptions, report, where)
        if row is not None:
            rows.append(row)
    report.raise_if_errors(f"{file or 'The workbook'}'s Outcomes sheet")
    return pd.DataFrame(rows, columns=_VALUED_COLUMNS), _without_errors(report)


_VALUED_COLUMNS = [
    "row", "outcome", "stakeholder", "quantity", "proxy_id", "value_source", "licence",
    "checked", "value_as_given", "price_year", "uprating_factor", "unit_value", "low_value",
    "high_value", "deadweight", "displacement", "attribution", "drop_off", "benefit_period",
    "start_year", "wellbeing",
]


def _value_one(rec, library, index, assumptions, report, where) -> dict | None:
    """Check and value one outcome; add problems to ``report``; ``None`` on an error."""
    before = len(report.errors)
    quantity = rec.get("quantity")
    if _missing(quantity) or quantity < 0:
        report.error("The quantity must be a number of 0 or more.", column="Quantity",
                     value=str(quantity), **where)
    for key in ADJUSTMENTS:
        share = rec.get(key)
        if _missing(share) or not 0.0 <= share <= 1.0:
            report.error(f"{ADJUSTMENT_NAMES[key]} must be from 0% to 100%.",
                         column=ADJUSTMENT_HEADERS[key], value=_pct_text(share),
                         expected="0% to 100%", **where)
    period = _check_period(rec.get("benefit_period"), assumptions, report, where)
    value = _find_value(rec, library, assumptions, report, where)
    offset = _start_offset(rec.get("start_year"), assumptions, report, where)
    if len(report.errors) > before or value is None or period is None:
        return None
    try:
        factor = index.factor(int(value["price_year"]), assumptions.analysis_year)
    except InputError as exc:
        report.error(str(exc), column="Price year", value=str(value["price_year"]), **where)
        return None
    return {
        "row": where["row"], "outcome": rec.get("outcome"),
        "stakeholder": rec.get("stakeholder"), "quantity": float(quantity),
        **value, "uprating_factor": factor, "unit_value": value["value_as_given"] * factor,
        "low_value": value["low_value"] * factor, "high_value": value["high_value"] * factor,
        **{key: float(rec.get(key)) for key in ADJUSTMENTS},
        "benefit_period": period, "start_year": assumptions.analysis_year + offset,
    }


def _find_value(rec, library, assumptions, report, where) -> dict | None:
    """Return the outcome's value from the library or from its own row."""
    proxy_id = rec.get("proxy_id")
    own = rec.get("value")
    has_proxy = not _missing(proxy_id) and str(proxy_id).strip() != ""
    has_own = not _missing(own)
    if has_proxy and has_own:
        report.error("Give either a proxy value id or your own value, not both.",
                     column="Proxy value id", value=f"{proxy_id} and £{own}", **where)
        return None
    if has_proxy:
        key = str(proxy_id).strip()
        if key not in library.index:
            report.error(unknown_proxy_message(library, key), column="Proxy value id",
                         value=key, **where)
            return None
        proxy = library.loc[key]
        if not _missing(rec.get("price_year")) and int(rec["price_year"]) != int(
                proxy["price_year"]):
            report.warning(f"The price year given is not used: the proxy value {key!r} is "
                           f"priced in {int(proxy['price_year'])}.", column="Price year",
                           value=str(rec["price_year"]), **where)
        low = proxy["low"] if not _missing(proxy["low"]) else math.nan
        high = proxy["high"] if not _missing(proxy["high"]) else math.nan
        return {"proxy_id": key, "value_source": str(proxy["source"]),
                "licence": str(proxy["licence"]), "checked": str(proxy["checked"]),
                "value_as_given": float(proxy["value"]), "price_year": int(proxy["price_year"]),
                "low_value": float(low), "high_value": float(high),
                "wellbeing": bool(proxy["wellbeing"])}
    if has_own:
        if own < 0:
            report.error("Your own value must not be negative.", column="Value (£ per unit)",
                         value=str(own), **where)
            return None
        year = rec.get("price_year")
        if _missing(year):
            report.warning(f"No price year for your own value: taken as priced in the "
                           f"analysis year {assumptions.analysis_year}, so not uprated.",
                           column="Price year", **where)
            year = assumptions.analysis_year
        return {"proxy_id": None, "value_source": "the organisation's own value (workbook)",
                "licence": "the organisation's own", "checked": "not stated",
                "value_as_given": float(own), "price_year": int(year),
                "low_value": math.nan, "high_value": math.nan, "wellbeing": False}
    report.error("Give a proxy value id or your own value (£ per unit) for this outcome.",
                 column="Proxy value id", **where)
    return None


def _check_period(period, assumptions, report, where) -> int | None:
    """Check a benefit period (years); add problems to ``report``."""
    column = "Benefit period (years)"
    try:
        whole = not _missing(period) and float(period) == int(float(period))
    except (TypeError, ValueError):
        whole = False
    if not whole:
        report.error("The benefit period must be a whole number of years.", column=column,
                     value=str(period), **where)
        return None
    years = int(period)
    if years <= 0:
        report.error("The benefit period must be at least 1 year.", column=column,
                     value=str(years), **where)
        return None
    if years > assumptions.max_years and not assumptions.allow_long:
        report.error(f"A benefit period over {assumptions.max_years} years is not accepted "
                     "unless you set social_value.allow_long_benefit_period to true; decades "
                     "of benefit are rarely defensible.", column=column, value=str(years),
                     expected=f"1 to {assumptions.max_years} years", **where)
        return None
    if years > assumptions.warning_years:
        report.warning(f"A benefit period over {assumptions.warning_years} years is long and "
                       "rarely defensible; the sensitivity table shows what it is worth.",
                       column=column, value=str(years), **where)
    return years


def _start_offset(start, assumptions, report, where) -> int:
    """Return how many years after the analysis year the outcome starts (0 or more)."""
    if _missing(start):
        return 0
    offset = int(start) - assumptions.analysis_year
    if offset < 0:
        report.warning(f"The start year is before the analysis year "
                       f"{assumptions.analysis_year}: counted as starting in the analysis "
                       "year (past years are not compounded forward).", column="Start year",
                       value=str(int(start)), **where)
        return 0
    return offset


def present_values(valued: pd.DataFrame, assumptions: SroiAssumptions) -> tuple[
        pd.DataFrame, pd.DataFrame]:
    """Add year-1 impact and present value to each valued outcome.

    Parameters
    ----------
    valued : pandas.DataFrame
        From :func:`value_outcomes`.
    assumptions : SroiAssumptions
        Discount schedule, wellbeing rate and year-1 convention.

    Returns
    -------
    (pandas.DataFrame, pandas.DataFrame)
        The outcomes with ``gross_value``, ``year1_impact``, ``discounting``,
        ``undiscounted_total`` and ``present_value``; and a yearly table (``row``,
        ``outcome``, ``year`` (1 = first year of the outcome), ``calendar_year``,
        ``impact``, ``discount_factor``, ``present_value``).

    References
    ----------
    METHODS §3.
    """
    table = valued.copy()
    yearly = []
    gross, year_one, totals, pvs, labels = [], [], [], [], []
    for rec in table.to_dict("records"):
        first = rec["quantity"] * rec["unit_value"]
        impact1 = first * (1 - rec["deadweight"]) * (1 - rec["displacement"]) * (
            1 - rec["attribution"])
        period = int(rec["benefit_period"])
        offset = int(rec["start_year"]) - assumptions.analysis_year
        impacts = yearly_impacts(impact1, rec["drop_off"], period)
        schedule = _schedule_for(rec, assumptions)
        factors = discount_factors(offset + period, schedule,
                                   assumptions.discount_year_one)[offset:]
        gross.append(first)
        year_one.append(impact1)
        totals.append(float(impacts.sum()))
        pvs.append(float((impacts * factors).sum()))
        labels.append(_discount_label(rec, assumptions))
        for t in range(period):
            yearly.append({"row": rec["row"], "outcome": rec["outcome"], "year": t + 1,
                           "calendar_year": int(rec["start_year"]) + t,
                           "impact": float(impacts[t]), "discount_factor": float(factors[t]),
                           "present_value": float(impacts[t] * factors[t])})
    table["gross_value"] = gross
    table["year1_impact"] = year_one
    table["discounting"] = labels
    table["undiscounted_total"] = totals
    table["present_value"] = pvs
    return table, pd.DataFrame(yearly, columns=["row", "outcome", "year", "calendar_year",
                                                "impact", "discount_factor", "present_value"])


def total_present_value(valued: pd.DataFrame, assumptions: SroiAssumptions) -> float:
    """Return the sum of present values of valued outcomes (£)."""
    return float(present_values(valued, assumptions)[0]["present_value"].sum())


def sroi_ratio(present_value: float, inputs_value: float) -> float | None:
    """Return present value per £1 of inputs, or ``None`` when inputs are £0 or less.

    Parameters
    ----------
    present_value, inputs_value : float
        £.

    Returns
    -------
    float or None
        ``None`` means the ratio is not defined (no inputs valued): never a division by
        zero.
    """
    return present_value / inputs_value if inputs_value > 0 else None


def sroi_income_lines(income: pd.DataFrame | None) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """Choose the Income lines that are SROI inputs, for the SROI on its own.

    Parameters
    ----------
    income : pandas.DataFrame or None
        The workbook's ``income`` table (``in_sroi``, ``type``, ``amount``, ``row``...).

    Returns
    -------
    taken, left_out : pandas.DataFrame
        The Income rows taken as inputs, and the rows left out.
    basis : str
        ``"marked"`` (lines marked "yes" in the SROI column: evidenced), ``"types"`` (none
        marked: contracts and grants taken, assumed) or ``"all"`` (none marked and no types
        to choose by: every line, assumed).

    References
    ----------
    METHODS §3: inputs are the contract or grant that funds the activity studied, not
    LM3's choice of income lines; café takings or bank interest are not inputs.
    """
    if income is None or income.empty:
        empty = pd.DataFrame(columns=["amount"])
        return empty, empty, "marked"
    marks = (income["in_sroi"].map(lambda v: None if _missing(v) else bool(v))
             if "in_sroi" in income else pd.Series(None, index=income.index, dtype=object))
    if marks.notna().any():
        keep, basis = marks.map(lambda v: v is True), "marked"
    elif "type" in income:
        keep, basis = income["type"].isin(FALLBACK_INPUT_TYPES), "types"
    else:
        keep, basis = pd.Series(True, index=income.index), "all"
    keep = keep.astype(bool)
    return income[keep], income[~keep], basis


_INPUT_STATUS = {
    "marked": "evidenced (marked 'yes' for SROI in the workbook)",
    "types": "assumed (no line marked for SROI: contracts and grants taken)",
    "all": "assumed (no line marked for SROI, none typed: all income taken)",
}


def _income_label(rec: dict, position: int) -> str:
    name = " ".join(str(rec.get(k)) for k in ("source",) if not _missing(rec.get(k)))
    payer = "" if _missing(rec.get("payer")) else f" ({rec['payer']})"
    return f"Income: {name or 'line'}{payer}, row {_row(pd.Series(rec), position)}"


def sroi_income_note(income: pd.DataFrame | None) -> str | None:
    """Say which Income lines were left out of the SROI inputs and why (None when none).

    Parameters
    ----------
    income : pandas.DataFrame or None
        The workbook's ``income`` table.

    Returns
    -------
    str or None
    """
    _, left, basis = sroi_income_lines(income)
    if left.empty:
        return None
    why = ("not marked 'yes' in the Income sheet's SROI column" if basis == "marked" else
           "not a contract or grant (no line is marked for SROI; assumed)")
    lines = "; ".join(f"{_income_label(rec, i)} £{float(rec['amount']):,.0f}"
                      for i, rec in enumerate(left.to_dict("records")))
    return (f"Left out of the SROI inputs, {why}: {lines}. They count in LM3's income "
            "studied where marked so, but fund none of the outcomes valued here.")


def inputs_table(income: pd.DataFrame | None, inputs_value: float | None,
                 volunteering: VolunteeringResult | None,
                 include_volunteer_time: bool = True) -> pd.DataFrame:
    """Return the inputs of the SROI ratio: money, and volunteers' time.

    Parameters
    ----------
    income : pandas.DataFrame or None
        The workbook's ``income`` table; the lines taken are chosen by
        :func:`sroi_income_lines` (one input row each).
    inputs_value : float or None
        The setting ``social_value.inputs_value``; when given it replaces the income.
    volunteering : VolunteeringResult or None
        Volunteers' time at replacement cost.
    include_volunteer_time : bool
        Whether volunteers' time is an input.

    Returns
    -------
    pandas.DataFrame
        ``item``, ``amount`` (£), ``source``, ``status``.

    References
    ----------
    METHODS §3: inputs are what it cost to create the outcomes, volunteers' time included.
    """
    rows = []
    if inputs_value is not None:
        rows.append({"item": "Money spent creating the outcomes", "amount": float(inputs_value),
                     "source": "setting social_value.inputs_value",
                     "status": "user's figure (setting)"})
    else:
        taken, _, basis = sroi_income_lines(income)
        for i, rec in enumerate(taken.to_dict("records")):
            rows.append({"item": _income_label(rec, i), "amount": float(rec["amount"]),
                         "source": "workbook Income sheet, funding the outcomes",
                         "status": _INPUT_STATUS[basis]})
        if taken.empty:
            rows.append({"item": "Income funding the outcomes", "amount": 0.0,
                         "source": "workbook Income sheet: no line taken",
                         "status": "not evidenced (no Income line funds the outcomes)"})
    if include_volunteer_time and volunteering is not None:
        assumed = (volunteering.table["wage_source"] != "workbook").any()
        rows.append({"item": "Volunteers' time at replacement cost",
                     "amount": volunteering.total_value,
                     "source": "workbook Volunteers sheet; hours x hourly wage",
                     "status": ("not evidenced (no volunteer hours recorded)"
                                if not volunteering.evidenced else
                                "hours evidenced; wage assumed (setting)" if assumed
                                else "evidenced")})
    return pd.DataFrame(rows, columns=["item", "amount", "source", "status"])


def sroi(outcomes: pd.DataFrame, inputs: pd.DataFrame, assumptions: SroiAssumptions,
         library: pd.DataFrame, index: PriceIndex, file: str | None = None,
         settings=None, wellby: dict | None = None) -> SroiResult:
    """Compute SROI from an outcomes table and an inputs table (pure; no workbook needed).

    Parameters
    ----------
    outcomes : pandas.DataFrame
        The workbook's ``outcomes`` table.
    inputs : pandas.DataFrame
        From :func:`inputs_table` (column ``amount`` in £).
    assumptions : SroiAssumptions
        From :meth:`SroiAssumptions.from_settings`.
    library : pandas.DataFrame
        Proxy values by id.
    index : PriceIndex
        Price index for uprating.
    file : str, optional
        Workbook path, for messages.
    settings : toolkit.inputs.settings.Settings, optional
        For the assumptions table; when absent it lists the assumptions object only.
    wellby : dict, optional
        The WELLBY setting (value, low, high), for the sensitivity label.

    Returns
    -------
    SroiResult

    Raises
    ------
    InputError
        Listing every error in the outcomes (see :func:`value_outcomes`), or when there are
        no outcomes.

    References
    ----------
    METHODS §3 (Social value and SROI).
    """
    if outcomes is None or outcomes.empty:
        raise InputError(f"{file or 'The workbook'}: the Outcomes sheet has no rows, so social "
                         "value is not evidenced by this workbook. Add outcomes, or leave SROI "
                         "out.")
    valued, report = value_outcomes(outcomes, library, index, assumptions, file)
    table, yearly = present_values(valued, assumptions)
    present = float(table["present_value"].sum())
    inputs_value = float(inputs["amount"].sum())
    ratio = sroi_ratio(present, inputs_value)
    notes = _notes(assumptions, index, ratio)
    if ratio is None:
        report.warning("The inputs are £0, so the SROI ratio is not defined; the present value "
                       "is shown on its own. Set social_value.inputs_value, or record income.")
    sensitivity = sensitivity_table(valued, inputs, assumptions, wellby)
    switching = switching_values(valued, assumptions, inputs_value)
    notes += switching_notes(switching)
    return SroiResult(
        present_value=present, inputs_value=inputs_value,
        net_present_value=present - inputs_value, ratio=ratio, outcomes=table, yearly=yearly,
        inputs=inputs, sensitivity=sensitivity,
        assumptions=assumptions_table(settings, assumptions),
        evidence=evidence_table(table, inputs, index), report=report, notes=notes,
        analysis_year=assumptions.analysis_year, price_index=index.label,
        switching=switching)


def switching_values(valued: pd.DataFrame, assumptions: SroiAssumptions,
                     inputs_value: float) -> dict:
    """Return the switching values at which the SROI ratio is 1.

    Present value is proportional to (1 - deadweight) of each outcome and to each proxy
    value, so with ``PV0`` the present value at no deadweight::

        deadweight at ratio 1 (the same for every outcome) = 1 - inputs / PV0
        proxy value factor at ratio 1 (every value times)   = inputs / PV

    Parameters
    ----------
    valued : pandas.DataFrame
        From :func:`value_outcomes`.
    assumptions : SroiAssumptions
    inputs_value : float
        £.

    Returns
    -------
    dict
        ``ratio_one_deadweight`` (0 to 1, or None when no deadweight from 0% to 100%
        gives a ratio of 1), ``ratio_one_value_factor`` (None when present value or inputs
        are £0), ``present_value_no_deadweight`` and a sentence for each
        (``deadweight_text``, ``value_text``).

    References
    ----------
    METHODS §3 (switching values); Nicholls et al. (2012).
    """
    present = total_present_value(valued, assumptions)
    no_deadweight = total_present_value(valued.assign(deadweight=0.0), assumptions)
    dead = 1.0 - inputs_value / no_deadweight if inputs_value > 0 and no_deadweight > 0 else None
    factor = inputs_value / present if inputs_value > 0 and present > 0 else None
    return {"ratio_one_deadweight": dead if dead is not None and 0 <= dead <= 1 else None,
            "ratio_one_value_factor": factor, "present_value_no_deadweight": no_deadweight,
            "deadweight_text": _deadweight_text(dead, inputs_value, no_deadweight),
            "value_text": _value_text(factor)}


def _deadweight_text(dead: float | None, inputs_value: float, no_deadweight: float) -> str:
    if inputs_value <= 0:
        return "No switching deadweight: the inputs are £0, so the ratio is not defined."
    if dead is None or dead < 0:
        return (f"Even with no deadweight at all the ratio stays below 1 (present value "
                f"£{no_deadweight:,.0f} against inputs £{inputs_value:,.0f}).")
    return (f"A deadweight of {dead:.0%} for every outcome (in place of each outcome's own) "
            "would bring the ratio to 1.")


def _value_text(factor: float | None) -> str:
    if factor is None:
        return "No switching proxy value: present value or inputs are £0."
    if factor > 1:
        return (f"Every proxy value would have to be {factor:.2f} times as large "
                f"({factor - 1:.0%} higher) for the ratio to reach 1.")
    return (f"Every proxy value would have to fall to {factor:.0%} of its value "
            f"({1 - factor:.0%} lower) for the ratio to fall to 1.")


def switching_notes(switching: dict) -> list[str]:
    """Return the switching values and the comparison warning as notes for a pack."""
    return [f"Switching values: {switching['deadweight_text']} {switching['value_text']}",
            COMPARISON_NOTE]


def sroi_from_workbook(wb, settings) -> SroiResult:
    """Compute SROI for one workbook with its settings (one line in a notebook).

    Parameters
    ----------
    wb : toolkit.inputs.workbook.Workbook
        The organisation's workbook (tables ``outcomes``, ``income``, ``volunteers``).
    settings : toolkit.inputs.settings.Settings
        Keys ``analysis_year``, ``social_value.*``, ``volunteering.*``.

    Returns
    -------
    SroiResult

    Raises
    ------
    InputError
        When the workbook has no Outcomes sheet or its outcomes have errors.
    """
    file = str(getattr(wb, "path", "") or "") or None
    if not wb.has("outcomes"):
        raise InputError(f"{file or 'The workbook'} has no Outcomes sheet: social value is not "
                         "evidenced by this workbook.")
    assumptions = SroiAssumptions.from_settings(settings)
    volunteering = volunteering_value(wb, settings)
    inputs_value = settings.value("social_value.inputs_value")
    inputs = inputs_table(wb.table("income"), inputs_value,
                          volunteering, assumptions.include_volunteer_time)
    result = sroi(wb.table("outcomes"), inputs, assumptions,
                  proxy_library_from_settings(settings), price_index_from_settings(settings),
                  file, settings, settings.value("social_value.wellby"))
    left_out = None if inputs_value is not None else sroi_income_note(wb.table("income"))
    if left_out:
        result.notes.append(left_out)
    return result


def sensitivity_table(valued: pd.DataFrame, inputs: pd.DataFrame,
                      assumptions: SroiAssumptions, wellby: dict | None = None) -> pd.DataFrame:
    """Show how present value and the ratio move when each assumption moves on its own.

    Parameters
    ----------
    valued : pandas.DataFrame
        From :func:`value_outcomes`.
    inputs : pandas.DataFrame
        From :func:`inputs_table`.
    assumptions : SroiAssumptions
        Including how far to move each assumption (``sensitivity_*``).
    wellby : dict, optional
        The WELLBY setting (value, low, high), for the label.

    Returns
    -------
    pandas.DataFrame
        ``assumption``, ``down`` and ``up`` (what was changed), ``pv_down``, ``pv_up``,
        ``ratio_down``, ``ratio_up`` and ``swing`` (the gap between the two ratios, or
        between the two present values when the ratio is not defined), largest swing first.
        ``base_pv`` and ``base_ratio`` repeat the central case.
    """
    base_pv = total_present_value(valued, assumptions)
    base_inputs = float(inputs["amount"].sum())
    rows = []
    for name, down, up, cases in _cases(valued, inputs, assumptions, wellby):
        (v_down, a_down, in_down), (v_up, a_up, in_up) = cases
        pv_down, pv_up = total_present_value(v_down, a_down), total_present_value(v_up, a_up)
        r_down, r_up = sroi_ratio(pv_down, in_down), sroi_ratio(pv_up, in_up)
        swing = abs(r_up - r_down) if r_up is not None and r_down is not None else abs(
            pv_up - pv_down)
        rows.append({"assumption": name, "down": down, "up": up, "pv_down": pv_down,
                     "pv_up": pv_up, "ratio_down": r_down, "ratio_up": r_up, "swing": swing})
    table = pd.DataFrame(rows, columns=["assumption", "down", "up", "pv_down", "pv_up",
                                        "ratio_down", "ratio_up", "swing"])
    table = table.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)
    table["base_pv"] = base_pv
    table["base_ratio"] = sroi_ratio(base_pv, base_inputs)
    return table


def _cases(valued, inputs, assumptions, wellby):
    """Yield (name, down text, up text, ((valued, assumptions, inputs) down, ... up))."""
    a = assumptions
    inputs_value = float(inputs["amount"].sum())
    step = a.sensitivity_points
    for key in ADJUSTMENTS:
        yield (f"{ADJUSTMENT_NAMES[key]} (every outcome)",
               f"{step * 100:g} percentage points lower",
               f"{step * 100:g} percentage points higher",
               ((_shift(valued, key, -step), a, inputs_value),
                (_shift(valued, key, step), a, inputs_value)))
    years = a.sensitivity_years
    shorter = valued.assign(benefit_period=(valued["benefit_period"] - years).clip(lower=1))
    longer = valued.assign(benefit_period=valued["benefit_period"] + years)
    yield ("Benefit period (every outcome)", f"{years} year(s) shorter (at least 1)",
           f"{years} year(s) longer", ((shorter, a, inputs_value), (longer, a, inputs_value)))
    share = a.sensitivity_value_share
    other = ~valued["wellbeing"].astype(bool)
    if other.any():
        yield ("Proxy values (other than WELLBY)",
               f"library low, or {share:.0%} lower", f"library high, or {share:.0%} higher",
               ((_value_bound(valued, other, "low_value", 1 - share), a, inputs_value),
                (_value_bound(valued, other, "high_value", 1 + share), a, inputs_value)))
    if (~other).any():
        low, high = ((f" (£{wellby['low']:,.0f})", f" (£{wellby['high']:,.0f})") if wellby
                     else ("", ""))
        yield ("WELLBY value (setting social_value.wellby)", f"setting's low{low}",
               f"setting's high{high}",
               ((_value_bound(valued, ~other, "low_value", 1 - share), a, inputs_value),
                (_value_bound(valued, ~other, "high_value", 1 + share), a, inputs_value)))
    points = a.sensitivity_rate_points
    yield ("Discount rates (all, including wellbeing)", f"{points:.1%} lower (not below 0)",
           f"{points:.1%} higher",
           ((valued, _shift_rates(a, -points), inputs_value),
            (valued, _shift_rates(a, points), inputs_value)))
    yield ("Year 1 discounted? (a convention)", "yes: year 1 discounted",
           "no: year 1 at full value",
           ((valued, replace(a, discount_year_one=True), inputs_value),
            (valued, replace(a, discount_year_one=False), inputs_value)))
    volunteer = inputs.loc[inputs["item"].str.startswith("Volunteers"), "amount"].sum()
    if volunteer > 0:
        yield ("Value of volunteers' time (an input)", f"{share:.0%} lower",
               f"{share:.0%} higher",
               ((valued, a, inputs_value - share * volunteer),
                (valued, a, inputs_value + share * volunteer)))


def _shift(valued: pd.DataFrame, key: str, step: float) -> pd.DataFrame:
    return valued.assign(**{key: (valued[key] + step).clip(0.0, 1.0)})


def _value_bound(valued, mask, column, fallback_factor) -> pd.DataFrame:
    bound = valued[column].where(valued[column].notna(), valued["unit_value"] * fallback_factor)
    return valued.assign(unit_value=valued["unit_value"].where(~mask, bound))


def _shift_rates(a: SroiAssumptions, points: float) -> SroiAssumptions:
    return replace(a, schedule=tuple((s, e, max(0.0, r + points)) for s, e, r in a.schedule),
                   wellbeing_rate=max(0.0, a.wellbeing_rate + points))


def tornado_chart(result: SroiResult, ax=None):
    """Draw how the SROI ratio moves with each assumption (a tornado chart).

    Parameters
    ----------
    result : SroiResult
        From :func:`sroi` or :func:`sroi_from_workbook`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when not given.

    Returns
    -------
    matplotlib.figure.Figure
        With a title, axis labels with units, and alt text (``fig.alt_text``, also set as
        the figure's label). When the ratio is not defined (inputs £0), present value is
        drawn instead.

    References
    ----------
    METHODS §3: show the sensitivity of the ratio to each assumption.
    """
    import matplotlib.pyplot as plt

    table = result.sensitivity.iloc[::-1]
    use_ratio = result.ratio is not None
    low_col, high_col = ("ratio_down", "ratio_up") if use_ratio else ("pv_down", "pv_up")
    base = result.ratio if use_ratio else result.present_value
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 0.5 * len(table) + 2.4))
    else:
        fig = ax.figure
    y = np.arange(len(table))
    down, up = table[low_col].astype(float).to_numpy(), table[high_col].astype(float).to_numpy()
    ax.barh(y, down - base, left=base, color="#1b7837", label="assumption moved down")
    ax.barh(y, up - base, left=base, color="#762a83", alpha=0.8, label="assumption moved up")
    ax.axvline(base, color="black", linewidth=1)
    ax.set_yticks(y, table["assumption"])
    unit = "£ of present value per £1 of inputs" if use_ratio else "£, present value"
    what = "SROI ratio" if use_ratio else "Present value"
    ax.set_xlabel(f"{what} ({unit})")
    ax.set_ylabel("Assumption moved on its own")
    ax.set_title(f"How the {what if use_ratio else what.lower()} moves with each assumption\n"
                 f"(central case {_fmt(base, use_ratio)}; bars show each assumption moved "
                 "on its own)", fontsize="medium")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize="small",
              frameon=False)
    fig.tight_layout()
    top = result.sensitivity.iloc[0] if len(result.sensitivity) else None
    alt = f"Tornado chart of the {what if use_ratio else what.lower()}. The central case is " \
        f"{_fmt(base, use_ratio)}. "
    if top is not None:
        alt += (f"The assumption that moves it most is {top['assumption']}: from "
                f"{_fmt(top[low_col], use_ratio)} ({top['down']}) to "
                f"{_fmt(top[high_col], use_ratio)} ({top['up']}).")
    fig.alt_text = alt
    fig.set_label(alt)
    return fig


def outcomes_chart(result: SroiResult, ax=None):
    """Draw each outcome's present value, beside its undiscounted total.

    Parameters
    ----------
    result : SroiResult
        From :func:`sroi` or :func:`sroi_from_workbook`.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when not given.

    Returns
    -------
    matplotlib.figure.Figure
        With a title, axis labels with units, and ``fig.alt_text``.
    """
    import matplotlib.pyplot as plt

    table = result.outcomes.sort_values("present_value", kind="stable")
    if ax is None:
        fig, ax = plt.subplots(figsize=(9, 0.6 * len(table) + 2.2))
    else:
        fig = ax.figure
    y = np.arange(len(table))
    ax.barh(y + 0.2, table["undiscounted_total"], height=0.4, color="#bababa",
            label="after adjustments, before discounting")
    ax.barh(y - 0.2, table["present_value"], height=0.4, color="#1b7837",
            label="present value")
    ax.set_yticks(y, [f"{o} (row {r})" for o, r in zip(table["outcome"], table["row"],
                                                          strict=True)])
    ax.set_xlabel(f"£ over the benefit period ({result.analysis_year} prices)")
    ax.set_ylabel("Outcome")
    ax.set_title(f"Present value of each outcome (total £{result.present_value:,.0f})")
    ax.xaxis.set_major_formatter(lambda value, _pos: f"£{value:,.0f}")
    ax.xaxis.set_major_locator(plt.MaxNLocator(6))
    fig.legend(*ax.get_legend_handles_labels(), loc="lower center", ncol=2,
               fontsize="small", frameon=False)
    fig.tight_layout(rect=(0, 0.08, 1, 1))
    parts = [f"{o}: £{pv:,.0f}" for o, pv in zip(table["outcome"][::-1],
                                                  table["present_value"][::-1], strict=True)]
    fig.alt_text = ("Bar chart of the present value of each outcome, largest first: "
                    + "; ".join(parts) + f". Total £{result.present_value:,.0f}.")
    fig.set_label(fig.alt_text)
    return fig


def _fmt(value, ratio: bool) -> str:
    return f"£{value:,.2f} per £1" if ratio else f"£{value:,.0f}"


def assumptions_table(settings, assumptions: SroiAssumptions) -> pd.DataFrame:
    """Return the settings SROI used, with meaning, source and whether checked.

    Parameters
    ----------
    settings : toolkit.inputs.settings.Settings or None
        Merged settings; ``None`` when the assumptions were given in code, which are then
        listed as they were given.
    assumptions : SroiAssumptions
        The assumptions used.

    Returns
    -------
    pandas.DataFrame
        ``setting``, ``value``, ``meaning``, ``source``, ``checked``.
    """
    columns = ["setting", "value", "meaning", "source", "checked"]
    if settings is None:
        rows = [{"setting": name, "value": str(value), "meaning": name.replace("_", " "),
                 "source": "given in code", "checked": True}
                for name, value in asdict(assumptions).items()]
        return pd.DataFrame(rows, columns=columns)
    table = settings.assumptions()
    keep = table["setting"].str.startswith(("social_value.", "volunteering.", "analysis_year"))
    return table.loc[keep, columns].reset_index(drop=True)


def evidence_table(outcomes: pd.DataFrame, inputs: pd.DataFrame,
                   index: PriceIndex) -> pd.DataFrame:
    """Say which figures the workbook evidences and which are assumed.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        Valued outcomes.
    inputs : pandas.DataFrame
        From :func:`inputs_table`.
    index : PriceIndex
        The price index used (illustrative or the user's).

    Returns
    -------
    pandas.DataFrame
        ``figure``, ``status``, ``where``.
    """
    rows = [
        {"figure": "Quantity of each outcome", "status": "evidenced (the organisation's count)",
         "where": "workbook Outcomes sheet"},
        {"figure": "Deadweight, displacement, attribution, drop-off, benefit period",
         "status": "assumed (the organisation's judgement, not measured)",
         "where": "workbook Outcomes sheet"},
    ]
    for (source, checked), group in outcomes.groupby(["value_source", "checked"], sort=False):
        rows.append({"figure": f"Proxy value(s): {', '.join(map(str, group['outcome']))}",
                     "status": f"assumed value from {source} ({checked})",
                     "where": ", ".join(sorted({str(p) for p in group["proxy_id"].dropna()}))
                     or "workbook Outcomes sheet"})
    rows.append({"figure": "Price index used for uprating",
                 "status": "ILLUSTRATIVE (made up, not official)" if index.illustrative
                 else "the user's own index", "where": index.file})
    rows.append({"figure": "Discount rates", "status": "assumed (Green Book schedule, settings)",
                 "where": "settings social_value.discount_schedule, wellbeing_discount_rate"})
    for rec in inputs.to_dict("records"):
        rows.append({"figure": rec["item"], "status": rec["status"], "where": rec["source"]})
    return pd.DataFrame(rows, columns=["figure", "status", "where"])


def _notes(assumptions: SroiAssumptions, index: PriceIndex, ratio) -> list[str]:
    notes = [
        "Year-1 impact = quantity x value x (1 - deadweight) x (1 - displacement) x "
        "(1 - attribution); each later year falls by the drop-off; each year is discounted "
        "by a cumulative factor from the Green Book's declining rates (METHODS §3).",
        ("Year 1 is discounted (setting social_value.discount_year_one: true)."
         if assumptions.discount_year_one else
         "Year 1 is counted at full value, not discounted (setting "
         "social_value.discount_year_one: false)."),
        f"Outcomes valued in WELLBYs are discounted at {assumptions.wellbeing_rate:.1%} a year "
        "(setting social_value.wellbeing_discount_rate).",
        f"Values are uprated to {assumptions.analysis_year} prices with the {index.label}.",
        "Volunteers' time is an input (a cost of creating the outcomes), never a benefit.",
        "Ratios depend on judgements about deadweight, attribution and the like; read the "
        "sensitivity table beside the ratio.",
    ]
    if ratio is None:
        notes.append("The inputs are £0, so the ratio is not defined.")
    return notes


def _schedule_for(rec: dict, assumptions: SroiAssumptions):
    if rec.get("wellbeing"):
        return ((1, None, assumptions.wellbeing_rate),)
    return assumptions.schedule


def _discount_label(rec: dict, assumptions: SroiAssumptions) -> str:
    if rec.get("wellbeing"):
        return f"wellbeing rate {assumptions.wellbeing_rate:.1%}"
    return "Green Book declining schedule"


def _step(step) -> tuple[int, int | None, float]:
    if isinstance(step, dict):
        return int(step["from_year"]), step["to_year"], float(step["rate"])
    start, end, rate = step
    return int(start), end, float(rate)


def _without_errors(report: Report) -> Report:
    return Report([p for p in report.problems if p.severity != "error"])


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _pct_text(share) -> str:
    return "blank" if _missing(share) else f"{float(share):.0%}"


def _row(rec: pd.Series, position: int) -> int:
    row = rec.get("row")
    return int(row) if not _missing(row) else position + 2
