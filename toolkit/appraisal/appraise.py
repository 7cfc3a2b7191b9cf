"""Options appraisal for commissioners: local value, break-even premiums, scores.

A notebook calls each step in one line::

    scenario = load_scenario("data/samples/calderdale_youth_scenario.yml")
    result = appraise(scenario, settings)
    result.options            # one row per option: LM3, local value, local jobs, scores
    result.comparisons        # each option against the cheapest other option
    result.sensitivity        # what moves the answer most
    sensitivity_chart(result) # a tornado chart
    checklist(scenario)       # the Keep it Local principles, for the commissioner

The arithmetic is in :mod:`toolkit.appraisal.maths` and the scenario file's reader in
:mod:`toolkit.appraisal.scenario`; charts and words are in
:mod:`toolkit.appraisal.report`.

References
----------
METHODS §8, "Options appraisal: local value, and what a 'break-even premium' can honestly
mean" (local value, both break-even methods, the law on local benefit in tenders).
METHODS §1 (LM3; a consortium's LM3 weighted by shares of the contract).
METHODS §3 (Green Book declining discount schedule, cumulative factors).
METHODS §6 (Keep it Local principles).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from toolkit.appraisal import maths
from toolkit.appraisal.maths import Pattern
from toolkit.appraisal.prices import gdp_deflator, real_price_factors
from toolkit.appraisal.report import (
    LAWFUL_ROUTE,
    checklist,
    local_value_chart,
    scores_chart,
    scoring_words,
    sensitivity_chart,
    switching_words,
    value_ratio_words,
    weight_words,
)
from toolkit.appraisal.scenario import (
    OTHER_SPENDING_KEY,
    WEIGHT_KEY,
    Assumption,
    OptionSpec,
    Scenario,
    load_scenario,
    resolve_setting_assumptions,
)
from toolkit.inputs.errors import InputError


@dataclass
class Appraisal:
    """The result of :func:`appraise`.

    Attributes
    ----------
    scenario : Scenario
        With every assumption resolved (settings filled in).
    options : pandas.DataFrame
        One row per option: ``name``, ``price``, ``price_pv``, ``local_provider``,
        ``behaviour``, ``lm3`` (with ``lm3_low``, ``lm3_high``), ``local_value`` (present
        value over the contract), ``local_value_undiscounted``, ``local_value_per_year``,
        ``local_jobs_fte`` (a year), ``local_fte_years``, ``commitment``, the scores
        (``price_score``, ``quality_score``, ``social_value_score``, ``total_score``, out of
        100) and ``net_value`` (lambda (V - v_0 P) - P, present values); ``price_real``
        (cash prices deflated to the first year's prices, undiscounted).
    comparisons : pandas.DataFrame
        Each option against the cheapest other option: extra cost and extra local income
        (present value and a year), their ratio, both break-even premiums with words, and
        the switching value of lambda (``switching_lambda``, with words).
    sensitivity : pandas.DataFrame
        One row per assumption: its low and high values and the headline break-even
        premium (by the weight on local value) and extra local value at each.
    assumptions : pandas.DataFrame
        Every named assumption with its value, span and source.
    appraised : str
        The option the headline is about.
    comparator : str
        The cheapest option other than the appraised one.
    discount_factors : numpy.ndarray
        DF_t for each year of the contract (METHODS §3).
    notes : list of str
        Warnings and labels a reader must see.
    """

    scenario: Scenario
    options: pd.DataFrame
    comparisons: pd.DataFrame
    sensitivity: pd.DataFrame
    assumptions: pd.DataFrame
    appraised: str
    comparator: str
    discount_factors: np.ndarray
    notes: list[str] = field(default_factory=list)

    @property
    def headline(self) -> dict:
        """The appraised option's row of :attr:`comparisons`, as a dictionary."""
        row = self.comparisons.set_index("name").loc[self.appraised]
        return {"name": self.appraised, **_clean(row.to_dict())}

    def summary(self) -> list[str]:
        """Return the headline findings in words, one sentence or two each."""
        h = self.headline
        return [h["value_ratio_words"], h["break_even_words"], h["switching_lambda_words"],
                h["break_even_scoring_words"]]

    def to_dict(self) -> dict:
        """Return the appraisal as JSON-ready data (null, never NaN or infinity)."""
        h = self.headline
        s = self.scenario
        return {
            "service": s.service,
            "scenario": str(s.path),
            "years": s.years,
            "discount": _discount_label(s),
            "weights": s.weights,
            "appraised_option": self.appraised,
            "comparator": self.comparator,
            "break_even_premium": h["break_even_premium"],
            "break_even_price": h["break_even_price"],
            "lambda": s.weight.value,
            "break_even_words": h["break_even_words"],
            "break_even_premium_scoring": h["break_even_premium_scoring"],
            "break_even_price_scoring": h["break_even_price_scoring"],
            "break_even_scoring_words": h["break_even_scoring_words"],
            "extra_local_value_per_extra_pound": h["value_per_extra_pound"],
            "extra_local_income": h["extra_local_value"],
            "extra_local_income_per_year": h["extra_local_value_per_year"],
            "extra_cost": h["extra_cost_pv"],
            "extra_cost_per_year": h["extra_cost_per_year"],
            "extra_local_income_per_extra_pound": h["value_per_extra_pound"],
            "value_ratio_words": h["value_ratio_words"],
            "switching_lambda": h["switching_lambda"],
            "switching_lambda_words": h["switching_lambda_words"],
            "other_spending_local_income": h["other_spending_local_income"],
            "other_spending_local_income_source": s.other_spending.source,
            "prices": _prices_label(s),
            "options": _records(self.options),
            "comparisons": _records(self.comparisons),
            "sensitivity": _records(self.sensitivity),
            "assumptions": _records(self.assumptions),
            "checklist": _records(checklist(s)),
            "lawful_route": LAWFUL_ROUTE,
            "notes": list(self.notes),
        }


def appraise(scenario: Scenario, settings, evidence: dict[str, Pattern] | None = None,
             with_sensitivity: bool = True) -> Appraisal:
    """Appraise a scenario's options: LM3, local value, jobs, break-evens, scores.

    Parameters
    ----------
    scenario : Scenario
        From :func:`load_scenario`.
    settings : toolkit.inputs.settings.Settings
        Gives the discount schedule, take-home share and assumed re-spending rates.
    evidence : dict, optional
        Patterns of evidenced options already worked out (from :func:`gather_evidence`),
        so that live sliders need not re-read workbooks.
    with_sensitivity : bool
        Whether to build the sensitivity table (skipped by live sliders for speed).

    Returns
    -------
    Appraisal

    References
    ----------
    METHODS §8 (local income V_i = P_i v_i + S_i; net value N_i = lambda (V_i - v_0 P_i) -
    P_i; switching value of lambda; tender scoring; real prices before real discounting).
    """
    scenario = resolve_prices(resolve_setting_assumptions(scenario, settings), settings)
    if evidence is None:
        evidence = gather_evidence(scenario, settings)
    scenario = _resolve_other_spending(scenario, evidence)
    factors = contract_discount_factors(scenario, settings)
    options, comparisons = _evaluate(scenario, evidence, factors)
    appraised = appraised_option(scenario, options)
    comparator = str(comparisons.set_index("name").loc[appraised, "comparator"])
    sensitivity = (sensitivity_table(scenario, evidence, factors, appraised)
                   if with_sensitivity else pd.DataFrame())
    return Appraisal(scenario, options, comparisons, sensitivity,
                     assumptions_table(scenario, evidence), appraised, comparator, factors,
                     _notes(scenario, options))


def contract_discount_factors(scenario: Scenario, settings) -> np.ndarray:
    """Return DF_t for each year of the contract (METHODS §3).

    The scenario's ``discount_rate`` (a constant rate) if it gives one, otherwise the
    settings' Green Book schedule ``social_value.discount_schedule``; whether year 1 is
    discounted follows ``social_value.discount_year_one``.
    """
    schedule = settings.value("social_value.discount_schedule")
    if scenario.discount_rate is not None:
        schedule = [{"from_year": 1, "to_year": None, "rate": scenario.discount_rate}]
    return maths.discount_factors(scenario.years, schedule,
                                  bool(settings.value("social_value.discount_year_one")))


def resolve_prices(scenario: Scenario, settings) -> Scenario:
    """Fill the first year and the inflation assumption that turn cash prices into real.

    The first year is the scenario's ``first_year``, else the settings' ``analysis_year``.
    Inflation after the deflator's latest outturn is the scenario's ``inflation``, else the
    latest outturn year's growth carried forward (span ±1 point), labelled assumed.

    References
    ----------
    METHODS §8 (prices in real terms); HM Treasury GDP deflator (``toolkit.appraisal.prices``).
    """
    first_year = scenario.first_year or int(settings.value("analysis_year"))
    inflation = scenario.inflation
    if inflation is None:
        d = gdp_deflator()
        g = d.latest_growth
        inflation = Assumption(
            "inflation", g, max(0.0, g - 0.01), g + 0.01,
            f"{d.source}: growth {d.latest_year - 1} to {d.latest_year} carried forward to "
            "later years (assumed; span ±1 point)",
            "GDP deflator growth a year after the latest outturn (cash to real prices)")
    return dataclasses.replace(scenario, first_year=first_year, inflation=inflation)


def real_factors(scenario: Scenario) -> np.ndarray:
    """Return each year's factor from cash to real prices (all 1 for ``prices: real``)."""
    if scenario.prices == "real":
        return np.ones(scenario.years)
    deflator = gdp_deflator()
    # Unresolved (not through appraise): the year after the outturn, its latest growth.
    growth = (scenario.inflation.value if scenario.inflation is not None
              else deflator.latest_growth)
    first_year = scenario.first_year or deflator.latest_year + 1
    return np.array(real_price_factors(first_year, scenario.years, growth))


def _resolve_other_spending(scenario: Scenario, evidence: dict[str, Pattern]) -> Scenario:
    """Give v_0 its value where it comes from the in-house option (METHODS §8)."""
    if scenario.other_spending_mode != "in house":
        return scenario
    house = next(o for o in scenario.options if o.in_house)
    p = evidence[house.name] if house.kind == "evidenced" else assumed_pattern(house)
    a = dataclasses.replace(
        scenario.other_spending, value=p.lm3 - 1, low=p.lm3_low - 1, high=p.lm3_high - 1,
        source=f"in-house option {house.name}: the council's own LM3 - 1 (METHODS §8)")
    return dataclasses.replace(scenario, other_spending=a)


def other_spending_value(scenario: Scenario, patterns: dict[str, Pattern]) -> float:
    """Return v_0 for one evaluation: the in-house option's LM3 - 1, or the scenario's."""
    if scenario.other_spending_mode == "in house":
        house = next(o for o in scenario.options if o.in_house)
        return patterns[house.name].lm3 - 1
    return scenario.other_spending.value


def assumed_pattern(option: OptionSpec) -> Pattern:
    """Return the pattern of an assumed option from its named assumptions (METHODS §1).

    R1 = £1; R2 = local staff share + local supplier share (head-office costs, profit and
    non-local spending leak); R3 = staff part * take-home * re-spend (staff) + supplier
    part * re-spend (suppliers). The local shares are of the contract at the stated
    head-office share; at another head-office share h they scale by (1 - h) / (1 - h
    stated), the rest of the contract delivered in the same pattern, so a larger head-office
    share lowers v (METHODS §8). The interval puts every assumption at the end of its span
    that lowers LM3 (the head-office share at its high end), then at the other end. Local
    jobs per £ = local staff share / cost per FTE.
    """
    a = option.assumptions
    rounds = _rounds_at(a, "value")
    cost = a.get("cost_per_fte")
    jobs = rounds.r2_staff / cost.value if cost is not None and cost.value > 0 else None
    commitment = option.commitment if option.commitment is not None else rounds.r2
    return Pattern(rounds.lm3, _rounds_at(a, "low").lm3, _rounds_at(a, "high").lm3,
                   rounds.r2_staff, rounds.r2_suppliers, rounds.r3, commitment, jobs,
                   "assumed (named assumptions)")


def _rounds_at(a: dict[str, Assumption], end: str) -> maths.Rounds:
    def get(name):
        return getattr(a[name], end)
    other_end = {"low": "high", "high": "low", "value": "value"}[end]
    scale = delivery_scale(a, other_end)
    return maths.assumed_rounds(scale * get("local_staff_share"),
                                scale * get("local_supplier_share"),
                                get("take_home_share"), get("respend_staff"),
                                get("respend_suppliers"))


def delivery_scale(a: dict[str, Assumption], end: str = "value") -> float:
    """Return (1 - h) / (1 - h stated): how the local shares scale with the head-office share.

    Parameters
    ----------
    a : dict of str to Assumption
        An assumed option's assumptions (``head_office_share`` may be absent: then 1).
    end : str
        ``"value"``, ``"low"`` or ``"high"``: which end of the head-office share to use.

    References
    ----------
    METHODS §8: a national provider's management fee or profit leaving the area is part of
    its spending pattern, so it lowers v_i.
    """
    head = a.get("head_office_share")
    if head is None or head.as_stated >= 1:
        return 1.0
    return (1 - getattr(head, end)) / (1 - head.as_stated)


def gather_evidence(scenario: Scenario, settings) -> dict[str, Pattern]:
    """Work out the pattern of each evidenced option from its workbooks (LM3 per §1).

    A consortium's LM3, interval, round shares and local jobs per £ are its members'
    weighted by their shares of the contract (METHODS §8).

    Parameters
    ----------
    scenario : Scenario
        Its evidenced options' workbooks and its boundary of "local".
    settings : toolkit.inputs.settings.Settings
        LM3 settings (take-home share, assumed re-spending rates, bootstrap).

    Returns
    -------
    dict of str to Pattern
        By option name; assumed options are not included.
    """
    out = {}
    evidenced = [o for o in scenario.options if o.kind == "evidenced"]
    if evidenced and scenario.boundary is None and not settings.value("boundary.postcodes"):
        raise InputError(
            f"{scenario.path}, key 'boundary': {evidenced[0].name} is evidenced from a "
            "workbook, so the appraisal must know what 'local' means. Name the authority "
            "('authority' and 'registry') or give 'boundary' with a name and postcodes (such "
            "as [HX1, HX2]) in the scenario, or boundary.postcodes in a settings file.")
    for option in evidenced:
        parts = [(m.share, _workbook_pattern(m.workbook, settings, scenario, m.key))
                 for m in option.members]
        out[option.name] = _weighted(parts, option)
    return out


def _weighted(parts: list[tuple[float, Pattern]], option: OptionSpec) -> Pattern:
    def mix(attr):
        values = [getattr(p, attr) for _, p in parts]
        if any(v is None for v in values):
            return None
        return float(sum(share * v for (share, _), v in zip(parts, values, strict=True)))
    commitment = option.commitment if option.commitment is not None else mix("commitment")
    evidence = "; ".join(f"{share:.0%} {p.evidence}" if len(parts) > 1 else p.evidence
                         for share, p in parts)
    surplus_source = "; ".join(f"{share:.0%} {p.surplus_source}" if len(parts) > 1
                               else p.surplus_source for share, p in parts)
    return Pattern(mix("lm3"), mix("lm3_low"), mix("lm3_high"), mix("r2_staff"),
                   mix("r2_suppliers"), mix("r3"), commitment, mix("jobs_per_pound"),
                   evidence, mix("surplus_per_pound"), surplus_source)


def _workbook_pattern(path, settings, scenario: Scenario, key: str) -> Pattern:
    """Return one workbook's pattern per £ (LM3 from ``toolkit.measures.lm3``)."""
    from toolkit.appraisal.evidence import workbook_pattern

    try:
        return workbook_pattern(path, settings, scenario.boundary)
    except InputError as exc:
        raise InputError(f"{scenario.path}, key '{key}': the workbook {path} could not be "
                         f"used.\n{exc}") from exc


def _evaluate(scenario: Scenario, evidence: dict[str, Pattern], factors: np.ndarray
              ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the options table and the comparisons table for one set of assumptions."""
    patterns = {o.name: (evidence[o.name] if o.kind == "evidenced" else assumed_pattern(o))
                for o in scenario.options}
    v_zero = other_spending_value(scenario, patterns)
    real = real_factors(scenario)
    options = pd.DataFrame([_option_row(o, patterns[o.name], scenario, factors, real, v_zero)
                            for o in scenario.options])
    scores = maths.tender_scores(options["price"], options["quality"],
                                 options["commitment"], scenario.weights,
                                 scenario.quality_max)
    for part in ("price", "quality", "social_value", "total"):
        options[f"{part}_score"] = scores[part]
    options["rank"] = options["total_score"].rank(ascending=False, method="min").astype(int)
    comparisons = pd.DataFrame([_comparison(i, options, scenario, v_zero)
                                for i in range(len(options))])
    return options, comparisons


def _option_row(option: OptionSpec, pattern: Pattern, scenario: Scenario,
                factors: np.ndarray, real: np.ndarray, v_zero: float) -> dict:
    """Return one option's figures.

    Present values use the contract's real-price factor times DF_t for each year. Local
    income per £ is v = LM3 - 1 for every provider, plus S per £ (the surplus kept in the
    area) for a local provider whose accounts evidence it (METHODS §8).
    """
    price_pv = float(np.dot(np.asarray(option.profile) * real, factors))
    v = maths.local_income_per_pound(pattern.lm3)
    surplus = pattern.surplus_per_pound if option.local_provider else 0.0
    m = v + surplus
    jobs = pattern.jobs_per_pound
    return {
        "name": option.name,
        "price": option.price,
        "price_real": float(np.dot(option.profile, real)),
        "price_pv": price_pv,
        "price_per_year": option.price / scenario.years,
        "quality": option.quality,
        "local_provider": option.local_provider,
        "in_house": option.in_house,
        "behaviour": option.behaviour,
        "lm3": pattern.lm3,
        "lm3_low": pattern.lm3_low,
        "lm3_high": pattern.lm3_high,
        "r2_per_pound": pattern.r2_staff + pattern.r2_suppliers,
        "r3_per_pound": pattern.r3,
        "local_income_per_pound": v,
        "surplus_per_pound": surplus,
        "surplus_source": (pattern.surplus_source if option.local_provider else
                           "none: the provider is not local, so its surplus leaves the area"),
        "local_value_per_pound": m,
        "local_value": m * price_pv,
        "surplus_retained": surplus * price_pv,
        "local_value_undiscounted": m * option.price,
        "local_value_per_year": m * option.price / scenario.years,
        "local_jobs_fte": None if jobs is None else jobs * option.price / scenario.years,
        "local_fte_years": None if jobs is None else jobs * option.price,
        "commitment": pattern.commitment,
        "net_value": maths.net_value(scenario.weight.value, m * price_pv, price_pv, v_zero),
        "evidence": pattern.evidence,
    }


def _comparison(i: int, options: pd.DataFrame, scenario: Scenario, v_zero: float) -> dict:
    """Compare option ``i`` with the cheapest other option (both break-even methods)."""
    row = options.iloc[i]
    others = options.drop(index=options.index[i])
    other = others.loc[others["price"].idxmin()]
    weight = scenario.weight.value
    years = scenario.years
    extra_cost_pv = row["price_pv"] - other["price_pv"]
    extra_value_pv = row["local_value"] - other["local_value"]
    ratio = maths.break_even_ratio_by_weight(weight, row["local_value_per_pound"],
                                             other["local_value_per_pound"], v_zero)
    switching = maths.switching_weight(extra_cost_pv, extra_value_pv, v_zero)
    price_by_weight = None
    if ratio is not None:
        # The ratio is of present values; a price is the present value over the option's
        # own discount factor per £ (the same as the other's when profiles are alike).
        price_by_weight = ratio * other["price_pv"] / (row["price_pv"] / row["price"])
    non_price = options["quality_score"] + options["social_value_score"]
    scoring = maths.scoring_break_even(i, list(options["price"]), list(non_price),
                                       100 * scenario.weights["price"])
    value_per_pound = maths.extra_value_per_extra_pound(extra_value_pv, extra_cost_pv)
    return {
        "name": row["name"],
        "comparator": other["name"],
        "extra_cost": row["price"] - other["price"],
        "extra_cost_pv": extra_cost_pv,
        "extra_cost_per_year": (row["price"] - other["price"]) / years,
        "extra_local_value": extra_value_pv,
        "extra_local_value_per_year": (row["local_value_undiscounted"]
                                       - other["local_value_undiscounted"]) / years,
        "value_per_extra_pound": value_per_pound,
        "value_ratio_words": value_ratio_words(row, other, value_per_pound),
        "lambda": weight,
        "break_even_price": price_by_weight,
        "break_even_premium": _premium(price_by_weight, other["price"]),
        "break_even_words": weight_words(row, other, weight, price_by_weight, v_zero),
        "other_spending_local_income": v_zero,
        "switching_lambda": switching,
        "switching_lambda_words": switching_words(row, other, switching, v_zero,
                                                  extra_cost_pv, extra_value_pv),
        "break_even_price_scoring": scoring.price,
        "break_even_premium_scoring": _premium(scoring.price, other["price"]),
        "break_even_scoring_regime": scoring.regime,
        "break_even_scoring_words": scoring_words(row, other, scoring, scenario.weights),
    }


def _premium(price: float | None, other_price: float) -> float | None:
    return None if price is None else price / other_price - 1


def appraised_option(scenario: Scenario, options: pd.DataFrame) -> str:
    """Return the option the headline is about.

    The scenario's ``appraised_option`` if given; otherwise the local provider with the
    most local value per £ (or, with no local provider, the option with the most).
    """
    if scenario.appraised:
        return scenario.appraised
    pool = options[options["local_provider"]]
    pool = pool if len(pool) else options
    return str(pool.loc[pool["local_value_per_pound"].idxmax(), "name"])


def sensitivity_table(scenario: Scenario, evidence: dict[str, Pattern],
                      factors: np.ndarray, appraised: str) -> pd.DataFrame:
    """Return how the headline moves as each assumption goes to its low and high end.

    Each row sets one assumption (lambda; v_0 where it is not the in-house option's; the
    inflation that turns cash prices real; each assumed option's shares, head-office share,
    rates and cost per FTE; each evidenced option's LM3 within its full range) to the low
    end and to the
    high end of its span, all else central, and records the appraised option's
    break-even premium by the weight on local value (against the cheapest other option)
    and its extra local value. Assumptions that move neither are left out (they stay in
    the assumptions table). Rows are sorted by how far the premium moves (a premium
    that disappears at one end counts as the largest move), then by extra local value.

    Returns
    -------
    pandas.DataFrame
        ``assumption``, ``option``, ``low``, ``central``, ``high``, ``premium_low``,
        ``premium_central``, ``premium_high``, ``extra_value_low``, ``extra_value_high``,
        ``premium_swing`` (NaN when the premium disappears at an end),
        ``extra_value_swing``, ``source``.

    References
    ----------
    METHODS §3 ("show the sensitivity ... to each assumption (for example a tornado
    chart)"); METHODS §8.
    """
    central = _headline(scenario, evidence, factors, appraised)
    rows = []
    for option, a, low_case, high_case in _cases(scenario, evidence):
        lo = _headline(*low_case, factors, appraised)
        hi = _headline(*high_case, factors, appraised)
        rows.append({
            "assumption": a.name, "option": option or "(all options)", "meaning": a.meaning,
            "low": a.low, "central": a.value, "high": a.high,
            "premium_low": lo[0], "premium_central": central[0], "premium_high": hi[0],
            "extra_value_low": lo[1], "extra_value_central": central[1],
            "extra_value_high": hi[1],
            "premium_swing": (abs(hi[0] - lo[0]) if lo[0] is not None and hi[0] is not None
                              else math.nan),
            "extra_value_swing": abs(hi[1] - lo[1]),
            "source": a.source,
        })
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    moves = table["premium_swing"].isna() | (table["premium_swing"] > 1e-12) | (
        table["extra_value_swing"] > 1e-9)
    table = table[moves]
    table["_order"] = table["premium_swing"].fillna(math.inf)
    table = table.sort_values(["_order", "extra_value_swing"], ascending=False)
    return table.drop(columns="_order").reset_index(drop=True)


def _headline(scenario: Scenario, evidence: dict[str, Pattern], factors: np.ndarray,
              appraised: str) -> tuple[float | None, float]:
    options, comparisons = _evaluate(scenario, evidence, factors)
    row = comparisons.set_index("name").loc[appraised]
    premium = row["break_even_premium"]
    premium = None if premium is None or pd.isna(premium) else float(premium)
    return premium, float(row["extra_local_value"])


def _cases(scenario: Scenario, evidence: dict[str, Pattern]):
    """Yield (option, assumption, low case, high case); each case is (scenario, evidence)."""
    w = scenario.weight
    yield (None, w, (scenario.with_assumption(None, WEIGHT_KEY, w.low), evidence),
           (scenario.with_assumption(None, WEIGHT_KEY, w.high), evidence))
    shared = [scenario.inflation] if scenario.prices == "cash" and scenario.inflation else []
    if scenario.other_spending_mode != "in house":  # in house: it moves with that option
        shared.append(scenario.other_spending)
    for a in shared:
        if a.low != a.high:
            yield (None, a, (scenario.with_assumption(None, a.name, a.low), evidence),
                   (scenario.with_assumption(None, a.name, a.high), evidence))
    for option in scenario.options:
        if option.kind == "evidenced":
            p = evidence[option.name]
            a = Assumption("lm3", p.lm3, p.lm3_low, p.lm3_high,
                           f"workbook full range ({p.evidence})", "LM3 from the workbook(s)")
            yield (option.name, a,
                   (scenario, {**evidence, option.name: dataclasses.replace(p, lm3=p.lm3_low)}),
                   (scenario, {**evidence, option.name: dataclasses.replace(p, lm3=p.lm3_high)}))
            continue
        for a in option.assumptions.values():
            if a.low == a.high:
                continue
            yield (option.name, a,
                   (scenario.with_assumption(option.name, a.name, a.low), evidence),
                   (scenario.with_assumption(option.name, a.name, a.high), evidence))


def assumptions_table(scenario: Scenario, evidence: dict[str, Pattern]) -> pd.DataFrame:
    """Return every named assumption of the appraisal, with its span and source."""
    shared = [scenario.weight, scenario.other_spending]
    if scenario.prices == "cash" and scenario.inflation is not None:
        shared.append(scenario.inflation)
    rows = [{"option": "(all options)", "assumption": a.name, "meaning": a.meaning,
             "value": a.value, "low": a.low, "high": a.high, "source": a.source}
            for a in shared]
    for option in scenario.options:
        for a in option.assumptions.values():
            rows.append({"option": option.name, "assumption": a.name, "meaning": a.meaning,
                         "value": a.value, "low": a.low, "high": a.high, "source": a.source})
        if option.kind == "evidenced":
            p = evidence[option.name]
            rows.append({"option": option.name, "assumption": "lm3",
                         "meaning": "LM3 from the workbook(s), over its full range",
                         "value": p.lm3, "low": p.lm3_low, "high": p.lm3_high,
                         "source": p.evidence})
            surplus = p.surplus_per_pound if option.local_provider else 0.0
            rows.append({"option": option.name, "assumption": "surplus_per_pound",
                         "meaning": "Surplus kept in the area per £1 of contract (S, from "
                                    "the accounts only)", "value": surplus, "low": surplus,
                         "high": surplus,
                         "source": p.surplus_source if option.local_provider else
                         "none: the provider is not local"})
        if option.commitment is not None:
            rows.append({"option": option.name, "assumption": "commitment",
                         "meaning": "Committed share of the contract spent with local staff "
                                    "and suppliers (tender scoring)",
                         "value": option.commitment, "low": option.commitment,
                         "high": option.commitment, "source": "scenario"})
    return pd.DataFrame(rows)


def _notes(scenario: Scenario, options: pd.DataFrame) -> list[str]:
    notes = list(scenario.warnings)
    for _, row in options.iterrows():
        if row["local_jobs_fte"] is None or pd.isna(row["local_jobs_fte"]):
            notes.append(f"{row['name']}: local jobs not estimated (give cost_per_fte for an "
                         "assumed option).")
    if any(o.kind == "evidenced" for o in scenario.options):
        notes.append("Evidenced options apply the organisation's own spending pattern for "
                     "its year to the contract (METHODS §1): LM3, the share spent locally "
                     "and local jobs per £ (FTE of staff living locally over total "
                     "spending) are assumed to hold for this contract.")
    notes.append(f"Discounting: {_discount_label(scenario)}; {_prices_label(scenario)}.")
    notes.append("Local income is rounds 2 and 3 of LM3 for every provider (v = LM3 - 1), "
                 "plus the surplus a local provider keeps in the area where its accounts "
                 "show one: a provider's address adds nothing (METHODS §8).")
    v0 = scenario.other_spending
    notes.append(f"v_0, the local income per £1 of what the premium would otherwise buy, is "
                 f"{v0.value:.3f}: {v0.source}.")
    notes.append(f"lambda = {scenario.weight.value:g} is the commissioner's judgement "
                 f"({scenario.weight.source}); METHODS §8 gives it no default.")
    return notes


def _prices_label(scenario: Scenario) -> str:
    if scenario.prices == "real":
        return "prices as given, in real terms (scenario)"
    g = scenario.inflation
    rate = f"{g.value:.1%} a year after {gdp_deflator().latest_year}" if g else "none"
    return (f"cash prices deflated to {scenario.first_year} prices with the HM Treasury GDP "
            f"deflator (inflation {rate}, assumed) before the real discount rate")


def _discount_label(scenario: Scenario) -> str:
    if scenario.discount_rate is None:
        return "Green Book declining schedule from the settings"
    return f"a constant {scenario.discount_rate:.1%} a year (scenario)"


def _clean(data: dict) -> dict:
    """Return a dictionary with NaN and infinities as None, numpy scalars as Python ones."""
    out = {}
    for key, value in data.items():
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, float) and not math.isfinite(value):
            value = None
        out[key] = value
    return out


def _records(frame: pd.DataFrame) -> list[dict]:
    return [_clean(r) for r in frame.astype(object).to_dict(orient="records")]


__all__ = ["Appraisal", "Pattern", "appraise", "load_scenario", "checklist",
           "sensitivity_chart", "local_value_chart", "scores_chart", "gather_evidence",
           "contract_discount_factors", "assumed_pattern", "sensitivity_table", "LAWFUL_ROUTE",
           "resolve_prices", "real_factors", "delivery_scale", "OTHER_SPENDING_KEY"]
