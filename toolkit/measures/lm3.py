"""Local Multiplier 3 (LM3): how much of each £1 stays and circulates in the local economy.

LM3 follows the money for three rounds (METHODS.md §1)::

    LM3 = (R1 + R2 + R3) / R1

- R1, round 1: the income studied (the whole income, or chosen lines such as one contract:
  the income sheet's ``in_lm3`` column, blank meaning yes).
- R2, round 2: R1 times the year's local share of spending, where spending is non-staff
  spending plus staff costs (gross pay and the employer's costs: employer National Insurance
  and pension, none of them local) and "local" is local suppliers plus the gross pay of staff
  who live locally. So R2 never exceeds R1. Employer costs come from the Balance sheet's staff
  costs less the Staff sheet's gross pay, or else from the setting
  ``lm3.employer_on_cost_rate`` (assumed). R2 is kept in two groups, staff and suppliers.
- R3, round 3: what round 2's local recipients re-spend locally, from the surveys:
  ``R3 = R2_staff * t * rho_staff + R2_suppliers * rho_suppliers``, with ``t`` take-home pay
  as a share of gross (a setting, assumed) and ``rho_g`` each group's mean re-spending share
  weighted by the money each respondent received (staff: their pay band's midpoint, or equal
  weights when pay bands are not given). Only answers from staff who live in the area make
  ``rho_staff``; others are set aside and counted. A supplier answers nef's two questions
  (spending with local businesses, wage bill to local staff), combined with its staff-cost
  share, or one combined share. People who did not reply are given their group's mean: the
  survey stands for its group.

A group with fewer respondents than ``checks.thin_survey_threshold`` is *thin*: its rate is
the assumed one from the settings (``lm3.assumed_respend_*``), with its low-to-high span, and
it is listed in :attr:`Lm3Result.assumed`.

Two ranges are reported, each labelled (METHODS §1). The *survey interval* (``lm3_low``,
``lm3_high``) covers the sampling of round 3 only: for each surveyed group a Student t
interval on the weighted mean, with a jackknife-type (HC3) standard error that also carries
one pseudo-answer whose spread is the group's assumed range, so that it always has width and
moves smoothly when an answer changes; LM3's interval combines the groups (Welch-Satterthwaite
degrees of freedom), with thin groups set at each end of their span and the outer bounds
kept. The *full range* (``full_low``, ``full_high``) also spans what is not known: spending
and pay whose location is unknown counted not local at the low end and local at the high end,
the take-home share's range, and thin groups' spans.

Supplier spending with no postcode (or one that cannot be placed) is counted as not local for
the point estimate (the conservative choice), and the amount is reported; nothing is guessed.

References
----------
New Economics Foundation (nef), *The Money Trail: measuring your impact on the local economy
using LM3* (J. Sacks, 2002) (METHODS §1).
nef, *Plugging the Leaks: making the most of every pound that enters your local economy*
(B. Ward and J. Lewis, 2002) (METHODS §1).
nef (2005), LM3 work with Northumberland County Council: the local and non-local supplier
variant, £1.76 against £0.36 (METHODS §1).
J. G. MacKinnon and H. White (1985), "Some heteroskedasticity-consistent covariance matrix
estimators with improved finite sample properties", *Journal of Econometrics* 29: the HC3
standard error. M. Abramowitz and I. Stegun (1964), *Handbook of Mathematical Functions*,
26.7.3-4: Student's t distribution for whole degrees of freedom.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from itertools import product
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from toolkit.inputs.directory import PARTIAL_LABEL
from toolkit.inputs.errors import InputError
from toolkit.inputs.names import supplier_key
from toolkit.inputs.schema import PAY_BAND_MIDPOINTS, PAY_BANDS

SPENDING_COLUMNS = ("supplier", "category", "amount", "local", "row")
STAFF_COLUMNS = ("role", "fte", "gross_pay", "local", "row")
STAFF_SURVEY_COLUMNS = ("local_share", "row")
STAFF_SURVEY_OPTIONAL = ("pay_band", "resident")
SUPPLIER_SURVEY_COLUMNS = ("supplier", "row")
SUPPLIER_SURVEY_OPTIONAL = ("spending_local", "wages_local", "staff_cost_share", "local_share")
GROUPS = ("staff", "suppliers")

#: How the survey interval is made, in words (shown in packs and JSON).
INTERVAL_METHOD = (
    "Student t interval on each group's weighted mean, with a jackknife-type (HC3) standard "
    "error and one pseudo-answer whose spread is the group's assumed range (so it always has "
    "width); groups combined with Welch-Satterthwaite degrees of freedom; clipped to shares "
    "of 0% to 100%"
)


@dataclass
class Lm3Inputs:
    """Everything LM3 needs, already classified as local or not.

    Built from a workbook by :func:`lm3_inputs`, or by hand (the course's exercises).

    Parameters
    ----------
    r1 : float
        The income studied, in pounds (round 1).
    spending : pandas.DataFrame
        Non-staff spending: columns ``supplier``, ``category``, ``amount`` (pounds; a refund
        may be negative), ``local`` (True, False, or None for unknown) and ``row``.
    staff : pandas.DataFrame
        Columns ``role``, ``fte``, ``gross_pay`` (pounds a year), ``local`` (whether the person
        lives in the area: True, False or None) and ``row``.
    staff_survey : pandas.DataFrame
        Columns ``local_share`` (0 to 1, share of take-home pay spent locally) and ``row``;
        optional ``pay_band`` (one of :data:`toolkit.inputs.schema.PAY_BANDS`; blank weights
        answers equally) and ``resident`` (True, False or None: whether the respondent lives
        in the area; only residents' answers are used). May be empty.
    supplier_survey : pandas.DataFrame
        Columns ``supplier`` (as named in ``spending``) and ``row``, with either nef's two
        answers ``spending_local`` and ``wages_local`` (0 to 1; optional
        ``staff_cost_share``) or one combined ``local_share`` (0 to 1). May be empty.
    boundary_name : str
        The area called local, as results must state it.
    notes : list of str, optional
        What was decided while building the inputs (income lines left out, and the like).
    take_home_share : float, optional
        Take-home pay as a share of gross, when the organisation gives it from its payroll
        (evidenced); ``None`` uses the assumed setting ``lm3.take_home_share``.
    employer_costs : float, optional
        Employer National Insurance and pension in pounds, none of them local (from the
        Balance sheet); ``None`` uses the setting ``lm3.employer_on_cost_rate`` times gross
        pay, labelled assumed.
    employer_costs_source : str, optional
        Where ``employer_costs`` came from, in words.
    unlisted_staff_costs : float, optional
        Staff costs in the accounts with no Staff sheet rows: pay to people whose home is
        unknown (not local for the estimate, local at the full range's high end).
    """

    r1: float
    spending: pd.DataFrame
    staff: pd.DataFrame
    staff_survey: pd.DataFrame
    supplier_survey: pd.DataFrame
    boundary_name: str
    notes: list[str] = field(default_factory=list)
    take_home_share: float | None = None
    employer_costs: float | None = None
    employer_costs_source: str = ""
    unlisted_staff_costs: float = 0.0
    boundary: Any = None


@dataclass
class Lm3Result:
    """The LM3 score with its rounds, interval, respondents and what was assumed.

    Attributes
    ----------
    r1, r2, r3 : float
        Rounds 1 to 3 in pounds.
    r2_staff, r2_suppliers, r3_staff, r3_suppliers : float
        Rounds 2 and 3 split into staff and suppliers.
    lm3, lm3_low, lm3_high : float
        The score and its survey interval (``confidence``, 90% by default): the sampling of
        round 3 only.
    full_low, full_high : float
        The full range: the survey interval widened over what is not known (unknown
        locations counted not local and local, the take-home share's range, thin groups'
        spans). JSON: ``full_range_low``, ``full_range_high``; ``full_range_covers`` says
        what it spans.
    pence_per_pound : dict
        ``{"round_2": ..., "round_3": ...}``: pence of each £1 of round 1 staying local in
        rounds 2 and 3.
    rho_staff, rho_suppliers : float
        Re-spending shares used (surveyed, or assumed when the survey is thin).
    respondents_staff, respondents_suppliers : int
        Survey respondents used for each group (suppliers: local suppliers only).
    assumed : list of str
        Assumed re-spending rates (thin or absent surveys), empty when every group that
        matters was surveyed. Take-home share is always a setting: see ``take_home``.
    boundary_name : str
    local_share_of_spending : float
        Local spending over total spending (staff pay plus non-staff spending).
    local_supplier_share : float or None
        Spending with local suppliers over all non-staff spending (``None`` with no
        non-staff spending): the "local supplier mix" of the resilience profile.
    notes : list of str
        Plain-English notes: unknown locations, thin surveys, unmatched suppliers.
    employer_costs : float
        Employer costs counted in round 2's denominator (none local);
        ``employer_costs_assumed`` says whether they came from the on-cost setting.
    staff_answers_set_aside : int
        Staff survey answers from people who live outside the area, not used.
    staff_weighting : str
        ``"pay band"`` or ``"equal"`` (pay bands not given).
    bootstrap : dict
        Kept for scripts that read it: ``used`` is False (the survey interval no longer
        resamples) and ``method`` says how it is made.
    """

    r1: float
    r2: float
    r2_staff: float
    r2_suppliers: float
    r3: float
    r3_staff: float
    r3_suppliers: float
    lm3: float
    lm3_low: float
    lm3_high: float
    pence_per_pound: dict
    rho_staff: float
    rho_suppliers: float
    respondents_staff: int
    respondents_suppliers: int
    assumed: list[str]
    boundary_name: str
    local_share_of_spending: float
    notes: list[str]
    confidence: float = 0.90
    rho_staff_interval: tuple[float, float] | None = None
    rho_suppliers_interval: tuple[float, float] | None = None
    take_home: dict = field(default_factory=dict)
    spending_total: float = 0.0
    spending_local: float = 0.0
    unknown_spending: float = 0.0
    unknown_staff_pay: float = 0.0
    lm3_unknown_as_local: float | None = None
    unmatched_survey_suppliers: list[str] = field(default_factory=list)
    northumberland: dict = field(default_factory=dict)
    bootstrap: dict = field(default_factory=dict)
    local_supplier_share: float | None = None
    full_low: float | None = None
    full_high: float | None = None
    full_range_covers: str = ""
    employer_costs: float = 0.0
    employer_costs_assumed: bool = False
    unlisted_staff_costs: float = 0.0
    staff_answers_set_aside: int = 0
    staff_answers_residence_unknown: int = 0
    staff_weighting: str = "pay band"
    interval_method: str = INTERVAL_METHOD
    partial: dict = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the result as a JSON-ready dictionary (plain floats, lists and dicts).

        The full range is given as ``full_range_low`` and ``full_range_high``.
        """
        data = _plain(asdict(self))
        data["full_range_low"] = data.pop("full_low")
        data["full_range_high"] = data.pop("full_high")
        return data


def _plain(value: Any) -> Any:
    """Turn numpy scalars, tuples and NaN into JSON-ready Python values."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


# --------------------------------------------------------------------------- the formulas


def lm3_from_rounds(r1: float, r2: float, r3: float) -> float:
    """Return LM3 = (R1 + R2 + R3) / R1.

    Parameters
    ----------
    r1, r2, r3 : float
        Rounds 1, 2 and 3 in pounds. ``r1`` must be positive.

    Returns
    -------
    float

    Raises
    ------
    InputError
        When ``r1`` is not positive (LM3 is a ratio to it).

    References
    ----------
    nef, *The Money Trail* (Sacks 2002); METHODS §1. Published case: £10 -> £8 -> £6.40
    gives 2.44.
    """
    if not r1 > 0:
        raise InputError(f"Round 1 (the income studied) must be more than £0 for LM3; got {r1}.")
    return (r1 + r2 + r3) / r1


def constant_share_lm3(p: float) -> float:
    """Return LM3 when the same local share ``p`` applies in every round: 1 + p + p².

    Parameters
    ----------
    p : float
        Local share, 0 to 1.

    Returns
    -------
    float

    References
    ----------
    nef, *The Money Trail* (Sacks 2002); METHODS §1 and published case 1 (0.8 gives 2.44;
    0.2 gives 1.24).
    """
    if not 0.0 <= p <= 1.0:
        raise InputError(f"A local share must be from 0 to 1 (0.8 for 80%); got {p}.")
    return 1.0 + p + p * p


def northumberland_values(rho_local: float, rho_nonlocal: float) -> tuple[float, float]:
    """Return the value to the area of £1 paid to a local and to a non-local supplier.

    In the variant used with Northumberland County Council, £1 paid to a local supplier is
    worth ``1 + rho_local`` (the £1 itself is local income, and it re-spends ``rho_local``
    locally); £1 paid to a non-local supplier is worth only what it re-spends locally,
    ``rho_nonlocal``.

    Parameters
    ----------
    rho_local, rho_nonlocal : float
        Shares of their income that local and non-local suppliers spend locally (0 to 1).

    Returns
    -------
    tuple of float
        ``(local, non_local)`` in pounds per £1.

    References
    ----------
    nef (2005), Northumberland County Council; METHODS §1 and published case 2 (0.76 and
    0.36 give £1.76 against £0.36).
    """
    for name, rho in (("rho_local", rho_local), ("rho_nonlocal", rho_nonlocal)):
        if not 0.0 <= rho <= 1.0:
            raise InputError(f"{name} must be a share from 0 to 1; got {rho}.")
    return 1.0 + rho_local, rho_nonlocal


def weighted_share(shares, weights) -> float:
    """Return the weighted mean re-spending share, sum(w * rho) / sum(w).

    Parameters
    ----------
    shares, weights : array-like
        Respondents' shares (0 to 1) and the money each received (positive).

    Returns
    -------
    float

    Raises
    ------
    InputError
        When there are no respondents or the weights add up to nothing.

    References
    ----------
    METHODS §1 (rho_g = sum_j w_j rho_j / sum_j w_j).
    """
    shares = np.asarray(shares, dtype=float)
    weights = np.asarray(weights, dtype=float)
    total = weights.sum()
    if shares.size == 0 or not total > 0:
        raise InputError("A weighted re-spending share needs respondents with money received.")
    return float((weights * shares).sum() / total)


def bootstrap_shares(shares, weights, samples: int, rng: np.random.Generator) -> np.ndarray:
    """Return the weighted mean share of each of ``samples`` resamples of the respondents.

    Parameters
    ----------
    shares, weights : array-like
        One entry per respondent.
    samples : int
        Number of resamples (with replacement, each the size of the survey).
    rng : numpy.random.Generator
        Seeded, so the same inputs give the same figures.

    Returns
    -------
    numpy.ndarray
        Shape ``(samples,)``.
    """
    shares = np.asarray(shares, dtype=float)
    weights = np.asarray(weights, dtype=float)
    picks = rng.integers(0, shares.size, size=(samples, shares.size))
    w = weights[picks]
    return (w * shares[picks]).sum(axis=1) / w.sum(axis=1)


# --------------------------------------------------------------------------- the interval


def _t_two_sided(t: float, df: int) -> float:
    """Return P(|T| < t) for Student's t with whole ``df`` (Abramowitz and Stegun 26.7.3-4)."""
    theta = math.atan(t / math.sqrt(df))
    sin, cos2 = math.sin(theta), math.cos(theta) ** 2
    if df % 2:
        total, term = 0.0, math.cos(theta)
        if df > 1:
            total = term
            for j in range(3, df - 1, 2):
                term *= cos2 * (j - 1) / j
                total += term
        return 2.0 / math.pi * (theta + sin * total)
    total = term = 1.0
    for j in range(2, df - 1, 2):
        term *= cos2 * (j - 1) / j
        total += term
    return sin * total


def student_t_quantile(p: float, df: float) -> float:
    """Return the ``p`` quantile (``p`` above 0.5) of Student's t with ``df`` degrees of freedom.

    Parameters
    ----------
    p : float
        Probability, above 0.5 and below 1 (0.95 for a two-sided 90% interval).
    df : float
        Degrees of freedom; a fraction is rounded down (the wider, safer choice), and
        anything below 1 is taken as 1.

    Returns
    -------
    float

    References
    ----------
    Abramowitz and Stegun (1964), 26.7.3-4 (the distribution), solved by bisection.
    """
    if not 0.5 < p < 1.0:
        raise InputError(f"A t quantile needs a probability between 0.5 and 1; got {p}.")
    whole = max(1, int(math.floor(df)))
    target, low, high = 2.0 * p - 1.0, 0.0, 1.0
    while _t_two_sided(high, whole) < target:
        high *= 2.0
    for _ in range(60):
        middle = (low + high) / 2.0
        low, high = (middle, high) if _t_two_sided(middle, whole) < target else (low, middle)
    return (low + high) / 2.0


def prior_spread(span: tuple[float, float], level: float) -> float:
    """Return the spread of the pseudo-answer: the assumed range's half-width over z.

    The assumed range (``lm3.assumed_respend_*``) is read as a ``level`` range, so its
    half-width over the normal quantile is a standard deviation (0.20 / 1.645 = 0.12 for
    30% to 70% at 90%).
    """
    z = NormalDist().inv_cdf(0.5 + level / 2.0)
    return (float(span[1]) - float(span[0])) / 2.0 / z


def weighted_mean_se(shares, weights, spread: float):
    """Return the weighted mean share, its standard error and degrees of freedom.

    The standard error is of the jackknife (HC3) kind: each answer's weighted deviation from
    the mean is divided by one minus its leverage ``w_j / sum(w)``, so that a heavily
    weighted answer counts as it would if left out. One pseudo-answer with deviation
    ``spread`` (see :func:`prior_spread`) is pooled in, so that identical answers still give
    an interval with width, and the interval moves smoothly as any answer changes.

    Parameters
    ----------
    shares, weights : array-like
        One entry per respondent along the last axis; leading axes are separate surveys
        (a simulation can pass thousands at once).
    spread : float
        Standard deviation of the pseudo-answer.

    Returns
    -------
    mean, se : numpy.ndarray or float
        Over the last axis.
    df : int
        Respondents less one (at least 1).

    References
    ----------
    METHODS §1 (rho_g = sum_j w_j rho_j / sum_j w_j; an interval with close to nominal
    coverage at 5 to 30 answers, never of zero width); MacKinnon and White (1985), HC3.
    """
    x = np.asarray(shares, dtype=float)
    w = np.asarray(weights, dtype=float)
    n = x.shape[-1]
    total = w.sum(axis=-1, keepdims=True)
    mean = (w * x).sum(axis=-1, keepdims=True) / total
    scaled = w * n / total
    leverage = w / total
    deviation = scaled * (x - mean)
    deviation = np.where(leverage < 1.0, deviation / np.maximum(1.0 - leverage, 1e-12), 0.0)
    variance = ((deviation ** 2).sum(axis=-1) + spread ** 2 * (scaled ** 2).mean(axis=-1)) \
        / (n * n)
    return mean[..., 0], np.sqrt(variance), max(n - 1, 1)


def share_interval(shares, weights, spread: float, level: float):
    """Return the survey interval of a group's weighted mean share, clipped to 0 to 1.

    Parameters
    ----------
    shares, weights : array-like
        As for :func:`weighted_mean_se` (leading axes allowed).
    spread : float
        Standard deviation of the pseudo-answer (:func:`prior_spread`).
    level : float
        Confidence, such as 0.90.

    Returns
    -------
    low, high : numpy.ndarray or float

    References
    ----------
    METHODS §1; Student t with respondents less one degrees of freedom.
    """
    mean, se, df = weighted_mean_se(shares, weights, spread)
    half = student_t_quantile(0.5 + level / 2.0, df) * se
    return np.clip(mean - half, 0.0, 1.0), np.clip(mean + half, 0.0, 1.0)


# --------------------------------------------------------------------------- checking inputs


def _need_columns(frame: pd.DataFrame, columns, what: str) -> pd.DataFrame:
    if frame is None:
        frame = pd.DataFrame(columns=list(columns))
    missing = [c for c in columns if c not in frame.columns and c != "row"]
    if missing:
        raise InputError(f"{what} lacks the column(s) {', '.join(missing)}.")
    frame = frame.copy()
    if "row" not in frame.columns:
        frame["row"] = range(1, len(frame) + 1)
    return frame


def _numbers(frame: pd.DataFrame, column: str, what: str, minimum: float | None = None
             ) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    for value, raw, row in zip(values, frame[column], frame["row"], strict=True):
        if not math.isfinite(value):
            raise InputError(f"{what}, row {row}, column '{column}': {raw!r} is not a number.")
        if minimum is not None and value < minimum:
            raise InputError(f"{what}, row {row}, column '{column}': {value} is below "
                             f"{minimum}.")
    return values


def _shares(frame: pd.DataFrame, what: str) -> np.ndarray:
    """Return survey shares, refusing any outside 0 to 1 with a message naming the row."""
    values = pd.to_numeric(frame["local_share"], errors="coerce").to_numpy(dtype=float)
    for value, raw, row in zip(values, frame["local_share"], frame["row"], strict=True):
        if not math.isfinite(value):
            raise InputError(f"{what}, row {row}: the share spent locally ({raw!r}) is blank "
                             f"or not a number.")
        if not 0.0 <= value <= 1.0:
            hint = " Give shares as fractions (0.8 for 80%)." if 1.0 < value <= 100.0 else ""
            raise InputError(f"{what}, row {row}: the share spent locally is {value}, "
                             f"outside 0% to 100%.{hint}")
    return values


def _local_flags(frame: pd.DataFrame) -> pd.Series:
    """Return ``local`` as True/False/None (NaN and blanks are None: unknown)."""
    def flag(value):
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return None
        if value is pd.NA:
            return None
        return bool(value)
    return frame["local"].map(flag).astype(object)


# --------------------------------------------------------------------------- round 2


@dataclass
class _Round2:
    total: float
    local_staff: float
    local_suppliers: float
    unknown_spending: float
    unknown_staff_pay: float
    notes: list[str]
    supplier_total: float = 0.0
    employer_costs: float = 0.0
    employer_costs_assumed: bool = False
    partial_spending: float = 0.0
    partial_staff_pay: float = 0.0
    partial_local_staff: float = 0.0
    partial_local_suppliers: float = 0.0

    @property
    def local(self) -> float:
        return self.local_staff + self.local_suppliers

    @property
    def partial_local(self) -> float:
        return self.partial_local_staff + self.partial_local_suppliers


def _employer_costs(inputs: Lm3Inputs, gross: float, settings) -> tuple[float, bool, str]:
    """Return employer costs (none local), whether assumed, and a note saying where from.

    References
    ----------
    METHODS §1 (staff costs include the employer's costs; none of it is local; from the
    accounts' staff costs less gross pay, else an on-cost rate from the settings, assumed).
    """
    if inputs.employer_costs is not None and not pd.isna(inputs.employer_costs):
        cost = float(inputs.employer_costs)
        if cost < 0:
            raise InputError(f"Employer costs must be £0 or more; got £{cost:,.2f}.")
        source = inputs.employer_costs_source or "given with the inputs"
        note = (f"Employer costs of £{cost:,.0f} ({source}) are counted as spending, none of "
                f"it local (employer National Insurance and pension)." if cost else "")
        return cost, False, note
    if not gross > 0:
        return 0.0, False, ""
    rate = float(settings.value("lm3.employer_on_cost_rate"))
    cost = gross * rate
    return cost, True, (
        f"Employer costs are not given, so {rate:.0%} of gross pay (£{cost:,.0f}; setting "
        f"lm3.employer_on_cost_rate, assumed) is counted as spending, none of it local. Give "
        f"staff costs in the Balance sheet to use your accounts' own figure.")


def _round2_money(inputs: Lm3Inputs, settings) -> _Round2:
    """Sum spending and staff costs into local, not local and unknown, with notes."""
    spending = _need_columns(inputs.spending, SPENDING_COLUMNS, "The spending table")
    staff = _need_columns(inputs.staff, STAFF_COLUMNS, "The staff table")
    amount = _numbers(spending, "amount", "The spending table")
    pay = _numbers(staff, "gross_pay", "The staff table", minimum=0.0)
    s_local = _local_flags(spending)
    p_local = _local_flags(staff)
    s_part, s_share = _partial(spending)
    p_part, p_share = _partial(staff)
    s_part &= s_local.isna().to_numpy()  # a row moved in or out (what-if) is no longer partial
    p_part &= p_local.isna().to_numpy()
    local_suppliers = float(amount[(s_local == True).to_numpy()].sum())  # noqa: E712
    local_suppliers += float((amount * s_share)[s_part].sum())
    unknown_spending = float(amount[s_local.isna().to_numpy() & ~s_part].sum())
    local_staff = float(pay[(p_local == True).to_numpy()].sum())  # noqa: E712
    local_staff += float((pay * p_share)[p_part].sum())
    unlisted = float(inputs.unlisted_staff_costs or 0.0)
    unknown_staff_pay = float(pay[p_local.isna().to_numpy() & ~p_part].sum()) + unlisted
    employer, employer_assumed, employer_note = _employer_costs(inputs, float(pay.sum()),
                                                                settings)
    total = float(amount.sum() + pay.sum()) + employer + unlisted
    notes = [employer_note] if employer_note else []
    if not total > 0:
        raise InputError(
            "Spending plus staff pay adds up to £0 or less, so the local share of spending "
            "(round 2) cannot be worked out. Fill in the Spending and Staff sheets."
        )
    if unknown_spending:
        n = int((s_local.isna().to_numpy() & ~s_part).sum())
        notes.append(
            f"£{unknown_spending:,.0f} of spending ({n} row(s)) is with suppliers whose location "
            f"is unknown (no postcode, or one that cannot be placed); it is counted as not local "
            f"(the conservative choice). Add their postcodes to count it properly."
        )
    if unknown_staff_pay - unlisted:
        n = int((p_local.isna().to_numpy() & ~p_part).sum())
        notes.append(
            f"£{unknown_staff_pay - unlisted:,.0f} of staff pay ({n} row(s)) is paid to staff "
            f"whose home district is unknown; it is counted as not local (the conservative "
            f"choice)."
        )
    if local_staff == 0 and len(staff):
        notes.append("No staff pay goes to staff who live locally, so staff add nothing to "
                     "rounds 2 and 3.")
    if len(staff) == 0 and not unlisted:
        notes.append("The staff table is empty: no staff pay is counted.")
    if len(spending) == 0:
        notes.append("The spending table is empty: only staff pay is counted as spending.")
    local = local_staff + local_suppliers
    if local_suppliers < 0:
        raise InputError(
            f"Spending with local suppliers nets to £{local_suppliers:,.2f}, below £0: the shares "
            f"do not add up. Check refunds (negative amounts) in the Spending sheet."
        )
    if local > total + 1e-9:
        raise InputError(
            f"The local spending (£{local:,.2f}) is more than the total spending "
            f"(£{total:,.2f}): the shares do not add up. Check refunds (negative amounts) in "
            f"the Spending sheet."
        )
    return _Round2(total, local_staff, local_suppliers, unknown_spending, unknown_staff_pay,
                   notes, supplier_total=float(amount.sum()), employer_costs=employer,
                   employer_costs_assumed=employer_assumed,
                   partial_spending=float(amount[s_part].sum()),
                   partial_staff_pay=float(pay[p_part].sum()),
                   partial_local_staff=float((pay * p_share)[p_part].sum()),
                   partial_local_suppliers=float((amount * s_share)[s_part].sum()))


def partial_rows(frame: pd.DataFrame):
    """Return (mask, share) of unknown rows in districts straddling the boundary.

    See :func:`_partial`; rows already local or not local (a what-if move) are not partial.
    """
    mask, share = _partial(frame)
    return mask & _local_flags(frame).isna().to_numpy(), share


def _partial(frame: pd.DataFrame):
    """Return (mask, share) of rows in a district straddling the boundary ("partly local").

    ``local_share`` is the share of the district's postcodes inside the boundary, not of its
    people; rows without the column, or wholly inside or outside, are not partial.
    """
    if "local_share" not in frame.columns:
        return np.zeros(len(frame), dtype=bool), np.zeros(len(frame))
    share = pd.to_numeric(frame["local_share"], errors="coerce").to_numpy(dtype=float)
    mask = np.nan_to_num(share, nan=0.0) > 0
    mask &= np.nan_to_num(share, nan=1.0) < 1
    return mask, np.nan_to_num(share, nan=0.0)


# --------------------------------------------------------------------------- surveys


@dataclass
class _Survey:
    """One group's survey: shares and weights of the respondents used."""

    shares: np.ndarray
    weights: np.ndarray
    notes: list[str]
    set_aside: int = 0
    residence_unknown: int = 0
    weighting: str = "money received"

    @property
    def n(self) -> int:
        return int(self.shares.size)


def _blank(value) -> bool:
    """Return whether a cell is empty (None, NaN, NA or only spaces)."""
    if value is None or value is pd.NA:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _with_optional(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """Return ``frame`` with each optional column present (blank where it was absent)."""
    for column in columns:
        if column not in frame.columns:
            frame[column] = None
    return frame


def _pay_band_weights(survey: pd.DataFrame, settings) -> tuple[np.ndarray, str, list[str]]:
    """Return weights by pay band midpoint, or equal weights when any band is missing."""
    bands = list(survey["pay_band"])
    if not bands:
        return np.zeros(0), "pay band", []
    if any(_blank(b) for b in bands):
        missing = sum(_blank(b) for b in bands)
        return np.ones(len(bands)), "equal", [
            f"{missing} of the {len(bands)} staff survey answers used give no pay band, so "
            f"every answer is weighted equally (not by pay): an answer from someone on a small "
            f"part-time wage counts as much as one on a full salary."]
    midpoints = dict(PAY_BAND_MIDPOINTS)
    midpoints[PAY_BANDS[-1]] = float(settings.value("lm3.top_pay_band_midpoint"))
    by_fold = {band.casefold(): value for band, value in midpoints.items()}
    weights = []
    for band, row in zip(bands, survey["row"], strict=True):
        weight = by_fold.get(str(band).strip().casefold())
        if weight is None:
            raise InputError(f"The staff survey, row {row}: pay band {band!r} is not one of "
                             f"{'; '.join(PAY_BANDS)}.")
        weights.append(weight)
    if not sum(weights) > 0:
        raise InputError("The staff survey's pay bands have no pay (check the setting "
                         "lm3.top_pay_band_midpoint).")
    return np.asarray(weights, dtype=float), "pay band", []


def staff_survey_weights(staff_survey: pd.DataFrame, settings) -> _Survey:
    """Return resident staff respondents' shares, weighted by their pay band's midpoint.

    Answers from people who live outside the area (``resident`` False) are set aside and
    counted; answers that do not say where the respondent lives are used, and counted. The
    open-ended top band takes ``lm3.top_pay_band_midpoint`` (a setting). When any answer
    used gives no pay band, all are weighted equally and the notes say so.

    References
    ----------
    METHODS §1 (for staff, w_j is their pay band's midpoint; only answers of staff who live
    in the area make rho_staff; the pay band is optional: without it, weight equally).
    """
    survey = _need_columns(staff_survey, STAFF_SURVEY_COLUMNS, "The staff survey")
    survey = _with_optional(survey, STAFF_SURVEY_OPTIONAL)
    shares = _shares(survey, "The staff survey")
    resident = _local_flags(survey.rename(columns={"resident": "local"})[["local"]])
    outside = (resident == False).to_numpy()  # noqa: E712
    unknown = resident.isna().to_numpy()
    used = survey[~outside]
    weights, weighting, notes = _pay_band_weights(used, settings)
    return _Survey(shares[~outside], weights, notes, set_aside=int(outside.sum()),
                   residence_unknown=int(unknown.sum()), weighting=weighting)


@dataclass
class _SupplierSurveys:
    local: _Survey
    nonlocal_: _Survey
    unmatched: list[str]
    staff_share_assumed: int = 0


def _one_share(value, row, what: str) -> float | None:
    """Return a share from 0 to 1, ``None`` when blank; refuse others naming the row."""
    if _blank(value):
        return None
    number = pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]
    if not math.isfinite(number):
        raise InputError(f"The supplier survey, row {row}: {what} ({value!r}) is not a number.")
    if not 0.0 <= number <= 1.0:
        hint = " Give shares as fractions (0.8 for 80%)." if 1.0 < number <= 100.0 else ""
        raise InputError(f"The supplier survey, row {row}: {what} is {number}, outside 0% to "
                         f"100%.{hint}")
    return float(number)


def supplier_answer(record, staff_cost_share: float) -> tuple[float, bool]:
    """Return one supplier's re-spending share, and whether its staff-cost share was assumed.

    nef's two questions are combined with the supplier's split of costs, ``s``:
    ``rho = s * wages_local + (1 - s) * spending_local``. A single combined answer
    (``local_share``) is used when the two are not both given.

    Parameters
    ----------
    record : mapping
        ``spending_local``, ``wages_local``, ``staff_cost_share``, ``local_share``, ``row``.
    staff_cost_share : float
        The assumed staff-cost share (setting ``lm3.supplier_staff_cost_share``).

    References
    ----------
    nef, *The Money Trail* (Sacks 2002): the supplier questionnaire's two questions;
    METHODS §1 (rho_j = s_j * wages_local_j + (1 - s_j) * spending_local_j).
    """
    row = record.get("row")
    spending = _one_share(record.get("spending_local"), row, "the share of spending with "
                          "local businesses")
    wages = _one_share(record.get("wages_local"), row, "the share of the wage bill paid to "
                       "local staff")
    given_s = _one_share(record.get("staff_cost_share"), row, "the staff-cost share")
    combined = _one_share(record.get("local_share"), row, "the share spent locally")
    if spending is not None and wages is not None:
        s = staff_cost_share if given_s is None else given_s
        return s * wages + (1.0 - s) * spending, given_s is None
    if combined is not None:
        return combined, False
    if spending is not None or wages is not None:
        raise InputError(f"The supplier survey, row {row}: give both nef answers (the share of "
                         f"spending with local businesses and the share of the wage bill paid "
                         f"to local staff), or the one combined share spent locally.")
    raise InputError(f"The supplier survey, row {row}: the share spent locally is blank. Give "
                     f"nef's two answers or the combined share.")


def supplier_survey_weights(supplier_survey: pd.DataFrame, spending: pd.DataFrame,
                            settings=None) -> _SupplierSurveys:
    """Split supplier respondents into local and non-local, weighted by spending with them.

    Each answer is turned into one share by :func:`supplier_answer`. Each respondent is
    joined by supplier name (see :func:`supplier_key`) to the spending table. Its weight in
    the local group is the spending with it on rows classed local; in the non-local group,
    the rest (unknown locations count as not local). Respondents with no spending row are
    reported and left out; so are those whose spending is £0 or less. ``settings`` gives the
    assumed staff-cost share (default: the shipped settings).

    References
    ----------
    METHODS §1 (for suppliers, w_j is the spending with them, joined by supplier name; only
    local suppliers' re-spending counts in round 3).
    """
    survey = _need_columns(supplier_survey, SUPPLIER_SURVEY_COLUMNS, "The supplier survey")
    survey = _with_optional(survey, SUPPLIER_SURVEY_OPTIONAL)
    spending = _need_columns(spending, SPENDING_COLUMNS, "The spending table")
    if settings is None:
        from toolkit.inputs.settings import load_settings

        settings = load_settings()
    s_assumed = float(settings.central("lm3.supplier_staff_cost_share"))
    answers_given = [supplier_answer(rec, s_assumed) for rec in survey.to_dict("records")]
    shares = np.asarray([a[0] for a in answers_given], dtype=float)
    keys = spending["supplier"].map(supplier_key)
    amount = pd.to_numeric(spending["amount"], errors="coerce").fillna(0.0)
    is_local = (_local_flags(spending) == True).to_numpy()  # noqa: E712
    local_by = amount[is_local].groupby(keys[is_local]).sum()
    other_by = amount[~is_local].groupby(keys[~is_local]).sum()
    local, other, unmatched, notes = ([], []), ([], []), [], []
    answers: dict[str, list] = {}
    for name, share, row in zip(survey["supplier"], shares, survey["row"], strict=True):
        key = supplier_key(name)
        if key not in local_by.index and key not in other_by.index:
            unmatched.append(str(name))
            continue
        answers.setdefault(key, []).append((name, share, row))
    for key, given in answers.items():
        name, row = given[0][0], given[0][2]
        share = float(np.mean([g[1] for g in given]))
        if len(given) > 1:
            notes.append(f"The supplier survey: {name!r} answered {len(given)} times (rows "
                         f"{', '.join(str(g[2]) for g in given)}); it counts as one respondent "
                         f"with the average of its answers.")
        placed = False
        for weight, target in ((local_by.get(key, 0.0), local), (other_by.get(key, 0.0), other)):
            if weight > 0:
                target[0].append(share)
                target[1].append(weight)
                placed = True
        if not placed:
            notes.append(f"The supplier survey, row {row}: spending with {name!r} nets to £0 or "
                         f"less, so the answer carries no weight and is left out.")
    if unmatched:
        notes.append(
            f"{len(unmatched)} supplier survey answer(s) match no supplier in the Spending sheet "
            f"and are left out: {', '.join(unmatched)}. Use the same name in both sheets."
        )
    assumed_s = sum(flag for _, flag in answers_given)
    if assumed_s:
        notes.append(
            f"{assumed_s} supplier answer(s) give nef's two shares without their staff-cost "
            f"share; they are combined with the assumed share {s_assumed:.0%} (setting "
            f"lm3.supplier_staff_cost_share).")
    return _SupplierSurveys(
        _Survey(np.asarray(local[0], float), np.asarray(local[1], float), notes),
        _Survey(np.asarray(other[0], float), np.asarray(other[1], float), []),
        unmatched, staff_share_assumed=int(assumed_s),
    )


# --------------------------------------------------------------------------- round 3


@dataclass
class _GroupRate:
    """One group's re-spending rate as used: value, how known, and what spreads it."""

    name: str
    rho: float
    thin: bool
    n: int
    span: tuple[float, float]
    se: float = 0.0
    df: int = 1
    corners: tuple[float, float] | None = None
    interval: tuple[float, float] | None = None
    survey_mean: float | None = None


def _group_rate(name: str, survey: _Survey, settings, matters: bool, notes: list[str],
                assumed: list[str]) -> _GroupRate:
    """Return the group's rate: surveyed (with its t interval) or assumed (with its span)."""
    setting = f"lm3.assumed_respend_{name}"
    span = settings.span(setting)
    threshold = int(settings.value("checks.thin_survey_threshold"))
    level = float(settings.value("lm3.confidence"))
    survey_mean = weighted_share(survey.shares, survey.weights) if survey.n else None
    label = "staff" if name == "staff" else "local suppliers"
    if survey.n < max(threshold, 1):
        rate = _GroupRate(name, settings.central(setting), True, survey.n, span,
                          corners=span, survey_mean=survey_mean)
        if matters:
            # The thin group's own average is not printed: it could reveal one person's answer.
            heard = (f"the {survey.n} answer(s) received are not used" if survey.n
                     else "no answers were received")
            notes.append(
                f"The {label} survey is thin ({survey.n} respondent(s), fewer than {threshold}):"
                f" round 3 uses the assumed re-spending rate {rate.rho:.0%} (setting {setting},"
                f" range {span[0]:.0%} to {span[1]:.0%}); {heard}."
            )
            assumed.append(f"re-spending share of {label} ({setting}: {rate.rho:.0%}, range "
                           f"{span[0]:.0%} to {span[1]:.0%}; {survey.n} respondent(s))")
        return rate
    spread = prior_spread(span, level)
    _, se, df = weighted_mean_se(survey.shares, survey.weights, spread)
    low, high = share_interval(survey.shares, survey.weights, spread, level)
    return _GroupRate(name, survey_mean, False, survey.n, span, se=float(se), df=df,
                      interval=(float(low), float(high)), survey_mean=survey_mean)


def _lm3_interval(base: float, coefficients: dict[str, float], rates: dict[str, _GroupRate],
                  level: float) -> tuple[float, float]:
    """Return the LM3 survey interval: t over surveyed groups, outer bounds over the corners.

    LM3 is linear in each group's rate: ``base + sum_g a_g * rho_g``. Surveyed groups'
    variances add (``a_g^2 se_g^2``) with Welch-Satterthwaite degrees of freedom, and each
    rate stays within 0 to 1; thin groups are set at each end of their span in turn, and the
    outer bounds are kept (METHODS §1).
    """
    sampled = [g for g in GROUPS if not rates[g].thin]
    cornered = [g for g in GROUPS if rates[g].thin]
    parts = [(coefficients[g] ** 2 * rates[g].se ** 2, rates[g].df) for g in sampled]
    variance = sum(v for v, _ in parts)
    half = 0.0
    if variance > 0:
        # Welch-Satterthwaite, with each part as a share of the variance (no underflow)
        df = 1.0 / sum((v / variance) ** 2 / d for v, d in parts if v > 0)
        half = student_t_quantile(0.5 + level / 2.0, df) * math.sqrt(variance)
    lows, highs = [], []
    for ends in product(*(rates[g].corners for g in cornered)):
        fixed = base + sum(coefficients[g] * v for g, v in zip(cornered, ends, strict=True))
        centre = fixed + sum(coefficients[g] * rates[g].rho for g in sampled)
        lows.append(max(centre - half, fixed))
        highs.append(min(centre + half, fixed + sum(coefficients[g] for g in sampled)))
    return float(min(lows)), float(max(highs))


def _full_range(r1: float, money: _Round2, rates, t_span, level: float) -> tuple[float, float]:
    """Return the full range: the survey interval over unknown locations and take-home span.

    Unknown locations (spending and pay) are counted not local and then local, and so are
    postcode districts that straddle the boundary (partly local); the take-home
    share is set at each end of its range; thin groups' spans are inside
    :func:`_lm3_interval`. The outer bounds are kept.

    References
    ----------
    METHODS §1 (two ranges, each labelled; the full range also spans what is not known).
    """
    unsure = (money.unknown_spending or money.unknown_staff_pay or money.partial_spending
              or money.partial_staff_pay)
    lows, highs = [], []
    for as_local, t in product((False, True) if unsure else (False,), t_span):
        # districts straddling the boundary: wholly not local at the low end, local at the high
        staff = money.local_staff - money.partial_local_staff + (
            money.unknown_staff_pay + money.partial_staff_pay if as_local else 0.0)
        suppliers = money.local_suppliers - money.partial_local_suppliers + (
            max(money.unknown_spending, 0.0) + money.partial_spending if as_local else 0.0)
        r2_staff, r2_suppliers = r1 * staff / money.total, r1 * suppliers / money.total
        coefficients = {"staff": r2_staff * t / r1, "suppliers": r2_suppliers / r1}
        low, high = _lm3_interval(1.0 + (r2_staff + r2_suppliers) / r1, coefficients, rates,
                                  level)
        lows.append(low)
        highs.append(high)
    return min(lows), max(highs)


def _full_range_words(money: _Round2, t_span, t_given: bool, rates, level: float) -> str:
    """Return what the full range covers, in words."""
    parts = [f"the survey interval ({level:.0%}, sampling of round 3)"]
    unknown = money.unknown_spending + money.unknown_staff_pay
    if unknown:
        parts.append(f"£{unknown:,.0f} of spending and pay whose location is unknown, counted "
                     f"not local at the low end and local at the high end")
    partial = money.partial_spending + money.partial_staff_pay
    if partial:
        parts.append(f"£{partial:,.0f} in postcode districts that straddle the boundary, "
                     f"counted not local at the low end and local at the high end")
    if not t_given:
        parts.append(f"take-home pay from {t_span[0]:.0%} to {t_span[1]:.0%} of gross "
                     f"(assumed)")
    thin = [g for g in GROUPS if rates[g].thin]
    if thin:
        parts.append("the assumed re-spending range of " + " and ".join(
            "staff" if g == "staff" else "local suppliers" for g in thin))
    return "Full range: " + "; ".join(parts) + "."


def _survey_notes(staff_survey: _Survey, suppliers: _SupplierSurveys, staff_rows: int,
                  boundary_name: str) -> list[str]:
    """Return the notes about who answered: set aside, residence unknown, counts."""
    notes = list(staff_survey.notes) + list(suppliers.local.notes)
    if staff_survey.set_aside:
        notes.append(
            f"{staff_survey.set_aside} staff survey answer(s) come from people who live outside "
            f"{boundary_name}: they are not evidence about local staff, so they are set aside "
            f"and not used for the staff re-spending share.")
    if staff_survey.residence_unknown:
        notes.append(
            f"{staff_survey.residence_unknown} staff survey answer(s) do not say whether the "
            f"respondent lives in the area; they are used as local staff's answers. Ask "
            f"'Lives in the area' or the home postcode district to be sure.")
    if suppliers.nonlocal_.n:
        notes.append(f"{suppliers.nonlocal_.n} supplier survey answer(s) come from suppliers "
                     f"not known to be local: only local suppliers' re-spending counts in round "
                     f"3, so they are used only in the local/non-local comparison.")
    answers = staff_survey.n + staff_survey.set_aside
    if answers > staff_rows:
        notes.append(f"The staff survey has {answers} answers but the Staff sheet has "
                     f"{staff_rows} rows: check for answers given twice or staff left off.")
    return notes


def compute_lm3(inputs: Lm3Inputs, settings) -> Lm3Result:
    """Compute LM3 with its rounds, its survey interval and full range, and what was assumed.

    Parameters
    ----------
    inputs : Lm3Inputs
        Income studied, classified spending and staff, and the two surveys.
    settings : toolkit.inputs.settings.Settings
        Uses ``lm3.*`` (take-home share, assumed rates and spans, confidence, employer
        on-cost rate, supplier staff-cost share, top pay band midpoint) and
        ``checks.thin_survey_threshold``.

    Returns
    -------
    Lm3Result

    Raises
    ------
    InputError
        Zero income studied, no spending at all, shares outside 0 to 1, local spending that
        does not add up, unknown pay bands: each with a plain message.

    References
    ----------
    nef, *The Money Trail* (Sacks 2002); nef, *Plugging the Leaks* (Ward and Lewis 2002);
    METHODS §1 (R2 from the year's local share of spending, employer costs in the
    denominator; R3 from surveys weighted by money received, residents only; thin groups
    assumed; a survey interval with close to nominal coverage; the full range).
    """
    r1 = float(inputs.r1)
    if not math.isfinite(r1) or r1 <= 0:
        raise InputError(
            f"The income studied (round 1) is £{r1:,.2f}: LM3 is a ratio to it, so it must be "
            f"more than £0. Check the Income sheet (lines marked 'no' in 'Include in LM3' are "
            f"left out)."
        )
    notes = list(inputs.notes)
    money = _round2_money(inputs, settings)
    notes.extend(money.notes)
    share_local = money.local / money.total
    r2_staff = r1 * money.local_staff / money.total
    r2_suppliers = r1 * money.local_suppliers / money.total
    r2 = r2_staff + r2_suppliers

    t, t_span, t_given = _take_home_share(inputs, settings)
    level = float(settings.value("lm3.confidence"))
    staff_survey = staff_survey_weights(inputs.staff_survey, settings)
    suppliers = supplier_survey_weights(inputs.supplier_survey, inputs.spending, settings)
    staff_rows = 0 if inputs.staff is None else len(inputs.staff)
    notes.extend(_survey_notes(staff_survey, suppliers, staff_rows, inputs.boundary_name))
    assumed: list[str] = []
    rates = {
        "staff": _group_rate("staff", staff_survey, settings, r2_staff != 0, notes, assumed),
        "suppliers": _group_rate("suppliers", suppliers.local, settings, r2_suppliers != 0,
                                 notes, assumed),
    }
    r3_staff = r2_staff * t * rates["staff"].rho
    r3_suppliers = r2_suppliers * rates["suppliers"].rho
    r3 = r3_staff + r3_suppliers
    lm3 = lm3_from_rounds(r1, r2, r3)

    coefficients = {"staff": r2_staff * t / r1, "suppliers": r2_suppliers / r1}
    low, high = _lm3_interval(1.0 + r2 / r1, coefficients, rates, level)
    low, high = min(low, lm3), max(high, lm3)
    full_low, full_high = _full_range(r1, money, rates, t_span, level)
    full_low, full_high = min(full_low, low), max(full_high, high)
    if r2 == 0:
        notes.append("Nothing is spent locally, so rounds 2 and 3 are £0 and LM3 is 1 whatever "
                     "the surveys say.")
    take_home = _take_home_effect(r1, r2, r2_staff, r3_suppliers, rates["staff"].rho, t, t_span)
    take_home["assumed"] = not t_given
    if r2_staff and t_given:
        take_home["setting"] = "workbook About sheet (from payroll)"
        notes.append(f"Staff re-spending applies to take-home pay, {t:.0%} of gross, as the "
                     f"organisation gives it from its payroll (evidenced).")
    elif r2_staff:
        notes.append(
            f"Staff re-spending applies to take-home pay, {t:.0%} of gross (setting "
            f"lm3.take_home_share, assumed); across its range {t_span[0]:.0%} to "
            f"{t_span[1]:.0%} LM3 runs from {take_home['lm3_low']:.3f} to "
            f"{take_home['lm3_high']:.3f}."
        )
    unknown_as_local = _lm3_unknown_as_local(inputs, money, rates, t, r1)
    partial = _partial_effect(money, rates, t, r1, lm3)
    if partial:  # its span is in the full range, not the survey interval (sampling only)
        notes.append(partial["note"])
    return Lm3Result(
        r1=r1, r2=r2, r2_staff=r2_staff, r2_suppliers=r2_suppliers,
        r3=r3, r3_staff=r3_staff, r3_suppliers=r3_suppliers,
        lm3=lm3, lm3_low=low, lm3_high=high,
        pence_per_pound={"round_2": 100.0 * r2 / r1, "round_3": 100.0 * r3 / r1},
        rho_staff=rates["staff"].rho, rho_suppliers=rates["suppliers"].rho,
        respondents_staff=rates["staff"].n, respondents_suppliers=rates["suppliers"].n,
        assumed=assumed, boundary_name=inputs.boundary_name,
        local_share_of_spending=share_local, notes=notes, confidence=level,
        rho_staff_interval=rates["staff"].interval,
        rho_suppliers_interval=rates["suppliers"].interval,
        take_home=take_home,
        spending_total=money.total, spending_local=money.local,
        unknown_spending=money.unknown_spending, unknown_staff_pay=money.unknown_staff_pay,
        lm3_unknown_as_local=unknown_as_local,
        local_supplier_share=(money.local_suppliers / money.supplier_total
                              if money.supplier_total > 0 else None),
        unmatched_survey_suppliers=suppliers.unmatched,
        northumberland=northumberland_from_surveys(suppliers, money, settings),
        partial=partial,
        bootstrap={"samples": int(settings.value("lm3.bootstrap_samples")),
                   "seed": int(settings.value("lm3.seed")),
                   "thin_threshold": int(settings.value("checks.thin_survey_threshold")),
                   "used": False, "method": INTERVAL_METHOD},
        full_low=full_low, full_high=full_high,
        full_range_covers=_full_range_words(money, t_span, t_given, rates, level),
        employer_costs=money.employer_costs,
        employer_costs_assumed=money.employer_costs_assumed,
        unlisted_staff_costs=float(inputs.unlisted_staff_costs or 0.0),
        staff_answers_set_aside=staff_survey.set_aside,
        staff_answers_residence_unknown=staff_survey.residence_unknown,
        staff_weighting=staff_survey.weighting if staff_survey.n else "pay band",
    )


def _take_home_share(inputs: Lm3Inputs, settings) -> tuple[float, tuple[float, float], bool]:
    """Return the take-home share, its range, and whether the organisation gave it.

    METHODS §1: take-home pay as a share of gross is a setting, labelled assumed unless the
    organisation gives it (the About sheet's optional column, from its payroll).
    """
    given = inputs.take_home_share
    if given is not None and not pd.isna(given):
        if not 0 < float(given) <= 1:
            raise InputError(f"The take-home share of gross pay must be above 0% and at most "
                             f"100%, not {float(given):.0%}.")
        return float(given), (float(given), float(given)), True
    return (settings.central("lm3.take_home_share"), settings.span("lm3.take_home_share"),
            False)


def _take_home_effect(r1, r2, r2_staff, r3_suppliers, rho_staff, t, t_span) -> dict:
    """Return LM3 at each end of the take-home share's range (the rest held at its value)."""
    def at(share):
        return lm3_from_rounds(r1, r2, r2_staff * share * rho_staff + r3_suppliers)
    return {"value": t, "low": t_span[0], "high": t_span[1], "assumed": True,
            "setting": "lm3.take_home_share", "lm3_low": at(t_span[0]), "lm3_high": at(t_span[1])}


def _lm3_unknown_as_local(inputs, money: _Round2, rates, t, r1) -> float | None:
    """Return LM3 if every unknown location were local (a bound, never the estimate)."""
    if not (money.unknown_spending or money.unknown_staff_pay):
        return None
    staff = money.local_staff + money.unknown_staff_pay
    suppliers = money.local_suppliers + money.unknown_spending
    r2_staff, r2_suppliers = r1 * staff / money.total, r1 * suppliers / money.total
    r3 = r2_staff * t * rates["staff"].rho + r2_suppliers * rates["suppliers"].rho
    return lm3_from_rounds(r1, r2_staff + r2_suppliers, r3)


def _partial_effect(money: _Round2, rates, t, r1, lm3) -> dict:
    """Return LM3 with the partly-local districts counted not local and local (the range ends).

    The central figure counts a straddling district by its share of postcodes inside the
    boundary; the low end counts it not local, the high end local. Those ends are inside
    the full range (:func:`_full_range`), never the survey interval, and the district is never
    rounded silently to in or out.
    """
    partial_money = money.partial_spending + money.partial_staff_pay
    if not partial_money:
        return {}

    def lm3_with(extra_staff: float, extra_suppliers: float) -> float:
        staff = money.local_staff + extra_staff
        suppliers = money.local_suppliers + extra_suppliers
        r2_staff, r2_suppliers = r1 * staff / money.total, r1 * suppliers / money.total
        r3 = r2_staff * t * rates["staff"].rho + r2_suppliers * rates["suppliers"].rho
        return lm3_from_rounds(r1, r2_staff + r2_suppliers, r3)

    out_staff, out_suppliers = -money.partial_local_staff, -money.partial_local_suppliers
    at_low = lm3_with(out_staff, out_suppliers)
    at_high = lm3_with(money.partial_staff_pay + out_staff,
                       money.partial_spending + out_suppliers)
    return {"spending": money.partial_spending, "staff_pay": money.partial_staff_pay,
            "counted_local": money.partial_local, "lm3_not_local": at_low, "lm3_local": at_high,
            "label": PARTIAL_LABEL,
            "note": (f"£{partial_money:,.0f} of spending and pay is in postcode districts or "
                     f"sectors that straddle the boundary: £{money.partial_local:,.0f} of it is "
                     f"counted local by the {PARTIAL_LABEL}. Counting all of it not local gives "
                     f"LM3 {at_low:.3f}, all of it local {at_high:.3f} (LM3 {lm3:.3f}); the "
                     f"full range spans these ends.")}


def northumberland_from_surveys(suppliers: _SupplierSurveys, money: _Round2, settings) -> dict:
    """Return nef's local/non-local supplier comparison from the supplier survey.

    Local suppliers' rate is the one round 3 uses (assumed when thin). Non-local suppliers
    have no assumed rate: with fewer respondents than the thin threshold their value is not
    evidenced (``None``), never invented.

    References
    ----------
    nef (2005), Northumberland County Council; METHODS §1.
    """
    threshold = int(settings.value("checks.thin_survey_threshold"))
    local = suppliers.local
    if local.n >= threshold:
        rho_local, local_assumed = weighted_share(local.shares, local.weights), False
    else:
        rho_local, local_assumed = settings.central("lm3.assumed_respend_suppliers"), True
    other = suppliers.nonlocal_
    rho_nonlocal = weighted_share(other.shares, other.weights) if other.n >= threshold else None
    out = {
        "rho_local": rho_local, "rho_local_assumed": local_assumed,
        "respondents_local": local.n,
        "rho_nonlocal": rho_nonlocal, "respondents_nonlocal": other.n,
        "local_per_pound": 1.0 + rho_local,
        "nonlocal_per_pound": rho_nonlocal,
        "note": "",
    }
    if rho_nonlocal is None:
        out["note"] = (f"Non-local suppliers' re-spending is not evidenced: {other.n} answered "
                       f"(fewer than {threshold}), and no rate is assumed for them.")
    return out


# --------------------------------------------------------------------------- from a workbook


def boundary_from_settings(settings, postcodes=None, name: str | None = None):
    """Return the boundary called local: ``postcodes`` if given, else the settings' own.

    Parameters
    ----------
    settings : toolkit.inputs.settings.Settings
        The settings (``boundary.postcodes`` and ``boundary.name``).
    postcodes : str or list of str, optional
        Codes such as ``"BD1 BD2 HX"`` (from ``--local-postcodes``).
    name : str, optional
        The boundary's name; defaults to ``boundary.name`` or a list of the codes.

    Raises
    ------
    InputError
        When neither gives any postcodes.
    """
    from toolkit.inputs.geography import Boundary

    codes = postcodes if postcodes else settings.value("boundary.postcodes")
    if isinstance(codes, str):
        codes = codes.replace(",", " ").split()
    codes = list(codes or [])
    if not codes:
        raise InputError(
            "No local boundary is defined: give postcode areas or districts with "
            "--local-postcodes (such as \"BD1 BD2 HX\"), or boundary.postcodes in a settings "
            "file, or list the authority's boundaries in the registry."
        )
    label = name or (settings.value("boundary.name") if not postcodes else None)
    return Boundary.from_codes(label or f"postcodes {' '.join(codes)}", codes)


def classify_local(values, boundary) -> list:
    """Return True (inside), False (outside) or None (unknown) for each postcode.

    A blank or unplaceable postcode is unknown. One known to be outside the UK (an Irish
    Eircode, a Crown dependency postcode, a foreign address) is outside any UK boundary.

    Parameters
    ----------
    values : iterable
        Postcodes or postcode districts as written.
    boundary : toolkit.inputs.geography.Boundary
        Anything with ``contains(text) -> bool | None``.

    Returns
    -------
    list of bool or None
    """
    from toolkit.inputs.geography import outside_uk_reason

    out = []
    for value in values:
        blank = value is None or (isinstance(value, float) and math.isnan(value)) or \
            str(value).strip() == ""
        inside = None if blank else boundary.contains(str(value))
        if inside is None and not blank and outside_uk_reason(str(value)) is not None:
            inside = False
        out.append(inside)
    return out


def local_shares(values, boundary) -> list:
    """Return each postcode's share inside the boundary (1, 0, a partial share, or NaN).

    A district straddling a boundary drawn by local authorities or a distance gives the share
    of its postcodes inside (ONS Postcode Directory): the *share of the district's postcodes,
    not of its people*. Boundaries without ``share`` give 1, 0 or NaN from ``contains``.
    """
    share = getattr(boundary, "share", None)
    out = []
    for value in values:
        blank = value is None or (isinstance(value, float) and math.isnan(value)) or \
            str(value).strip() == ""
        answer = None if blank or share is None else share(str(value))
        out.append(math.nan if answer is None else float(answer))
    return out


def _unknown_reasons(boundary, values, flags, what: str) -> list[str]:
    """Say why postcodes that could not be placed were not (not in the directory, ...)."""
    reason = getattr(boundary, "reason", None)
    if reason is None:
        return []
    found: dict[str, list[str]] = {}
    for value, flag in zip(values, flags, strict=True):
        text = "" if value is None or (isinstance(value, float) and math.isnan(value)) \
            else str(value).strip()
        if flag is None and text:
            why = reason(text)
            if why:
                found.setdefault(why, []).append(text)
    return [f"{len(texts)} {what}(s) cannot be placed in {boundary.name}: {why} "
            f"({', '.join(sorted(set(texts))[:5])}{' ...' if len(set(texts)) > 5 else ''})."
            for why, texts in found.items()]


def boundary_result(result: Lm3Result, boundary) -> dict:
    """Return an LM3 result's entry in the shared ``boundaries`` shape (see Boundary.result).

    Shares are of spending plus staff pay: low counts unknown and partly-local money not
    local, central counts a partly-local district by its share of postcodes inside, high
    counts both local.
    """
    total = result.spending_total
    partial = result.partial or {}
    certain = result.spending_local - partial.get("counted_local", 0.0)
    maybe = (partial.get("spending", 0.0) + partial.get("staff_pay", 0.0)
             + result.unknown_spending + result.unknown_staff_pay)

    def share(value):
        return value / total if total > 0 else None

    if not hasattr(boundary, "result"):
        return {"name": result.boundary_name, "inside": result.spending_local}
    return boundary.result(result.spending_local,
                           (share(certain), share(result.spending_local),
                            share(certain + maybe)), total)


def _included(flag) -> bool:
    """Return whether an income line is in round 1: blank means yes (METHODS §1)."""
    if flag is None or flag is pd.NA or (isinstance(flag, float) and math.isnan(flag)):
        return True
    return bool(flag)


def lm3_inputs(wb, settings, boundary=None) -> Lm3Inputs:
    """Build :class:`Lm3Inputs` from a workbook, classing suppliers and staff by boundary.

    Parameters
    ----------
    wb : toolkit.inputs.workbook.Workbook
        Uses the ``income``, ``spending``, ``staff``, ``staff_survey`` and ``supplier_survey``
        tables.
    settings : toolkit.inputs.settings.Settings
        The settings (the boundary, when ``boundary`` is not given).
    boundary : toolkit.inputs.geography.Boundary, optional
        The area called local; default from ``boundary.postcodes`` in the settings.

    Returns
    -------
    Lm3Inputs

    References
    ----------
    METHODS §1 (round 1 is the income studied: the whole income or chosen lines).
    """
    if boundary is None:
        boundary = boundary_from_settings(settings)
    income = wb.table("income")
    notes = []
    include = income["in_lm3"].map(_included).astype(bool)
    amounts = pd.to_numeric(income["amount"], errors="coerce").fillna(0.0)
    r1 = float(amounts[include].sum())
    left_out = income[~include]
    if len(left_out):
        notes.append(
            f"Round 1 is £{r1:,.0f} of income: {len(left_out)} income line(s) worth "
            f"£{float(pd.to_numeric(left_out['amount']).sum()):,.0f} are marked not to be "
            f"included in LM3."
        )
    spending = wb.table("spending").copy()
    spending["local"] = pd.Series(classify_local(spending["supplier_postcode"], boundary),
                                  index=spending.index, dtype=object)
    spending["local_share"] = local_shares(spending["supplier_postcode"], boundary)
    staff = wb.table("staff").copy()
    staff["local"] = pd.Series(classify_local(staff["home_district"], boundary), index=staff.index,
                               dtype=object)
    costs = staff_costs_from_balance(wb.balance.get("staff_costs"), staff, notes)
    staff["local_share"] = local_shares(staff["home_district"], boundary)
    notes.extend(getattr(boundary, "notes", []))
    notes.extend(_unknown_reasons(boundary, spending["supplier_postcode"], spending["local"],
                                  "supplier postcode"))
    notes.extend(_unknown_reasons(boundary, staff["home_district"], staff["local"],
                                  "home district"))
    return Lm3Inputs(
        r1=r1,
        spending=spending,
        staff=staff,
        staff_survey=staff_survey_residence(wb.table("staff_survey"), boundary),
        supplier_survey=wb.table("supplier_survey"),
        boundary_name=getattr(boundary, "label", None) or getattr(boundary, "name", str(boundary)),
        notes=notes,
        take_home_share=wb.about.get("take_home_share"),
        **costs,
        boundary=boundary,
    )


def staff_survey_residence(survey: pd.DataFrame, boundary) -> pd.DataFrame:
    """Return the staff survey with ``resident``: True, False or None (not said).

    The home postcode district decides when it is given and can be placed; otherwise the
    yes/no answer "Lives in the area" does.

    References
    ----------
    METHODS §1 (ask whether the respondent lives in the area, or their postcode district).
    """
    survey = survey.copy()
    districts = survey["home_district"] if "home_district" in survey else [None] * len(survey)
    answers = survey["lives_locally"] if "lives_locally" in survey else [None] * len(survey)
    placed = classify_local(list(districts), boundary)
    survey["resident"] = pd.Series(
        [p if p is not None else (None if _blank(a) else bool(a))
         for p, a in zip(placed, answers, strict=True)], index=survey.index, dtype=object)
    return survey


def staff_costs_from_balance(staff_costs, staff: pd.DataFrame, notes: list[str]) -> dict:
    """Return ``Lm3Inputs`` fields for employer costs from the Balance sheet's staff costs.

    Employer costs are staff costs less the Staff sheet's gross pay. Staff costs with an
    empty Staff sheet are pay to people whose home is unknown, and the notes warn. Staff
    costs below gross pay leave the on-cost setting in use, and the notes say why.

    References
    ----------
    METHODS §1 (take employer costs from the accounts' staff costs less gross pay).
    """
    if staff_costs is None or pd.isna(staff_costs) or not float(staff_costs) > 0:
        return {}
    costs = float(staff_costs)
    gross = float(pd.to_numeric(staff["gross_pay"], errors="coerce").fillna(0.0).sum())
    if len(staff) == 0:
        notes.append(
            f"Warning: the Staff sheet is empty but the Balance sheet gives staff costs of "
            f"£{costs:,.0f}. They are counted as spending with people whose home is unknown "
            f"(not local for LM3; local at the full range's high end), so staff add nothing to "
            f"rounds 2 and 3. Fill in the Staff sheet to count local staff.")
        return {"employer_costs": 0.0, "unlisted_staff_costs": costs,
                "employer_costs_source": "no Staff sheet rows"}
    if costs < gross:
        notes.append(
            f"The Balance sheet's staff costs (£{costs:,.0f}) are less than the Staff sheet's "
            f"gross pay (£{gross:,.0f}), so employer costs cannot be taken from them; the "
            f"on-cost setting is used. Check both sheets cover the same year.")
        return {}
    return {"employer_costs": costs - gross,
            "employer_costs_source": f"the Balance sheet's staff costs £{costs:,.0f} less "
                                     f"gross pay £{gross:,.0f}"}


def lm3_from_workbook(wb, settings, boundary=None) -> Lm3Result:
    """Return LM3 for a workbook: :func:`lm3_inputs` then :func:`compute_lm3`."""
    return compute_lm3(lm3_inputs(wb, settings, boundary), settings)


def as_boundary(spec, centre: str | None = None):
    """Return a :class:`toolkit.inputs.geography.Boundary` from a boundary or a registry spec.

    ``centre`` is the organisation's own postcode (the About sheet's), from which a registry
    distance without its own centre ("within: 5 miles") is measured.
    """
    if hasattr(spec, "contains"):
        return spec
    from toolkit.inputs.geography import Boundary

    def get(key, default=None):
        return spec.get(key, default) if isinstance(spec, dict) else getattr(spec, key, default)

    name = get("name") or None
    if get("local_authorities"):
        return Boundary.from_authorities(list(get("local_authorities")), name=name,
                                         level=get("level") or None)
    if get("within"):
        return Boundary.within(get("within"), centre, name=name)
    return Boundary.from_codes(name, get("postcodes"))


def lm3_for_boundaries(wb, settings, boundaries) -> list[Lm3Result]:
    """Return one LM3 result per boundary (such as the district and the county).

    Parameters
    ----------
    wb : toolkit.inputs.workbook.Workbook
        The organisation's workbook.
    settings : toolkit.inputs.settings.Settings
        The settings (``lm3.*``).
    boundaries : iterable
        Boundaries, or registry specs with ``name`` and ``postcodes``.

    Returns
    -------
    list of Lm3Result
        In the order given. When a later (wider) boundary counts less spending as local than
        the one before it, its notes say the boundaries are not nested.

    References
    ----------
    METHODS §1 (several nested boundaries are often reported together).
    """
    centre = wb.about.get("postcode") if hasattr(wb, "about") else None
    results = [lm3_from_workbook(wb, settings, as_boundary(spec, centre)) for spec in boundaries]
    for inner, outer in zip(results, results[1:], strict=False):
        if outer.spending_local < inner.spending_local - 1e-9:
            outer.notes.append(
                f"{outer.boundary_name} counts less spending as local than "
                f"{inner.boundary_name} (£{outer.spending_local:,.0f} against "
                f"£{inner.spending_local:,.0f}): the boundaries are not nested, so some of "
                f"{inner.boundary_name} lies outside {outer.boundary_name}. Check their "
                f"postcodes."
            )
    return results


def choose_boundaries(wb, settings, local_postcodes=None, registry=None) -> list:
    """Return the boundaries to report: given postcodes, the settings', or the registry's.

    Parameters
    ----------
    wb : toolkit.inputs.workbook.Workbook
        The organisation's workbook (its ``org_id`` and ``la_code`` find its authority).
    settings : toolkit.inputs.settings.Settings
        ``boundary.postcodes`` and ``boundary.name``.
    local_postcodes : str or list of str, optional
        Codes from ``--local-postcodes``; they win over everything else.
    registry : toolkit.inputs.registry.Registry, optional
        Used when neither postcodes nor settings define the area: the authority listing the
        organisation (or with the workbook's authority code) gives all its boundaries, such
        as the district and the county.

    Returns
    -------
    list of toolkit.inputs.geography.Boundary

    Raises
    ------
    InputError
        When no boundary can be found.
    """
    if local_postcodes or settings.value("boundary.postcodes"):
        return [boundary_from_settings(settings, local_postcodes)]
    authority = authority_for(wb, registry) if registry is not None else None
    if authority is not None and authority.boundaries:
        return [as_boundary(spec, wb.about.get("postcode")) for spec in authority.boundaries]
    return [boundary_from_settings(settings)]  # raises the plain message


def authority_for(wb, registry):
    """Return the registry authority that lists the workbook's organisation, or None.

    Parameters
    ----------
    wb : toolkit.inputs.workbook.Workbook
        Its ``org_id`` is looked up first, then its ``la_code``.
    registry : toolkit.inputs.registry.Registry
        The authority registry.
    """
    for authority in registry.authorities:
        if any(org.id == wb.org_id for org in authority.organisations):
            return authority
    return registry.for_la_code(wb.la_code) if wb.la_code else None


__all__ = [
    "Lm3Inputs", "Lm3Result", "lm3_inputs", "compute_lm3", "lm3_from_workbook",
    "lm3_for_boundaries", "lm3_from_rounds", "constant_share_lm3", "northumberland_values",
    "weighted_share", "bootstrap_shares", "boundary_from_settings", "supplier_key",
    "staff_survey_weights", "supplier_survey_weights", "northumberland_from_surveys",
    "student_t_quantile", "prior_spread", "weighted_mean_se", "share_interval",
    "supplier_answer", "staff_survey_residence", "staff_costs_from_balance",
    "as_boundary", "choose_boundaries", "classify_local", "local_shares", "boundary_result",
    "partial_rows",
    "authority_for",
]
