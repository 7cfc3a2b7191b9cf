"""The arithmetic of an options appraisal: pure functions with no files and no settings.

Each function takes plain numbers so that a reader can check it by hand against
METHODS §8 (options appraisal), §1 (LM3) and §3 (discounting). The scenario reader is
:mod:`toolkit.appraisal.scenario`; the appraisal that puts them together is
:mod:`toolkit.appraisal.appraise`.

References
----------
METHODS §1, "Where the money goes: local multiplier (LM3)" (nef, *The Money Trail*, 2002).
METHODS §3, "Social value and SROI" (HM Treasury Green Book: declining discount schedule).
METHODS §8, "Options appraisal: local value, and what a 'break-even premium' can honestly
mean".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from toolkit.measures.sroi import discount_factors  # noqa: F401  (DF_t, METHODS §3)


@dataclass(frozen=True)
class Rounds:
    """The three rounds of LM3 for £1 of contract, kept by group.

    Attributes
    ----------
    r1 : float
        Round 1: the £1 itself.
    r2_staff, r2_suppliers : float
        Round 2: paid to staff who live locally, and to local suppliers.
    r3 : float
        Round 3: what those local recipients re-spend locally.
    """

    r1: float
    r2_staff: float
    r2_suppliers: float
    r3: float

    @property
    def r2(self) -> float:
        """Round 2 in total."""
        return self.r2_staff + self.r2_suppliers

    @property
    def lm3(self) -> float:
        """LM3 = (R1 + R2 + R3) / R1."""
        return (self.r1 + self.r2 + self.r3) / self.r1


def assumed_rounds(staff_share: float, supplier_share: float, take_home: float,
                   respend_staff: float, respend_suppliers: float) -> Rounds:
    """Return the LM3 rounds of £1 of contract from assumed shares.

    Parameters
    ----------
    staff_share : float
        Share of the contract paid (gross) to staff who live locally.
    supplier_share : float
        Share of the contract paid to local suppliers.
    take_home : float
        Take-home pay as a share of gross pay.
    respend_staff, respend_suppliers : float
        Shares that local staff (of take-home pay) and local suppliers re-spend locally.

    Returns
    -------
    Rounds
        ``R1 = 1``, ``R2 = staff_share + supplier_share`` (head-office costs, profit and
        non-local spending leak), ``R3 = staff_share * take_home * respend_staff +
        supplier_share * respend_suppliers``.

    References
    ----------
    METHODS §1 (R2 kept by group; staff re-spending applies to take-home pay).
    """
    r3 = staff_share * take_home * respend_staff + supplier_share * respend_suppliers
    return Rounds(1.0, staff_share, supplier_share, r3)


#: The label every figure on nef's Northumberland convention carries (METHODS §8).
NEF_CONVENTION_LABEL = ("nef convention: counts the local supplier's own £1 as local "
                        "(kept only to reproduce nef's published figures; never the basis of "
                        "a premium)")


def local_income_per_pound(lm3: float) -> float:
    """Return v, the local income created per £1 of contract: rounds 2 and 3.

    Parameters
    ----------
    lm3 : float
        The option's LM3.

    Returns
    -------
    float
        ``lm3 - 1``, for every provider, local or not: round 1 is the provider's turnover,
        and the part of it spent locally is already round 2.

    References
    ----------
    METHODS §8: v_i = LM3_i - 1 (local income per £1 of contract, any provider).
    """
    return lm3 - 1.0


def nef_convention_value_per_pound(respend: float, local_supplier: bool) -> float:
    """Return the value of £1 paid to a supplier on nef's Northumberland convention.

    Parameters
    ----------
    respend : float
        The share of its income the supplier re-spends locally.
    local_supplier : bool
        Whether the supplier is local.

    Returns
    -------
    float
        ``1 + respend`` for a local supplier, ``respend`` for a non-local one (0.76 and
        0.36 give £1.76 against £0.36). Labelled :data:`NEF_CONVENTION_LABEL` wherever it is
        shown: only to reproduce nef's figures, never the basis of a premium.

    References
    ----------
    METHODS §8 and §1 (nef, 2005, Northumberland County Council; published case 2).
    """
    return 1.0 + respend if local_supplier else respend


def break_even_ratio_by_weight(weight: float, v_option: float, v_other: float,
                               v_other_spending: float = 0.0) -> float | None:
    """Return the price ratio at which two options' net values are equal, or None.

    Net value N_i = lambda (V_i - v_0 P_i) - P_i with V_i = P_i v_i (all in present
    values), so N_option = N_other where ``P_option / P_other = (1 - lambda (v_other -
    v_0)) / (1 - lambda (v_option - v_0))``.

    Parameters
    ----------
    weight : float
        lambda: the value to the council of £1 of local income, in £ of budget.
    v_option, v_other : float
        Local income per £ of each option (:func:`local_income_per_pound`, plus surplus
        retained locally per £ where the accounts evidence it).
    v_other_spending : float
        v_0: the local income per £1 of what the premium would otherwise buy.

    Returns
    -------
    float or None
        The ratio, or None when there is no break-even at a positive price: when
        ``lambda (v_option - v_0) >= 1`` (every extra £ to the option pays for itself under
        that weight, so it is preferred at any price), or when ``lambda (v_other - v_0) >= 1``
        (the other option pays for itself, so this one never catches it). Never infinity.

    References
    ----------
    METHODS §8, method 1 (a weight on local income); illustration lambda 0.2, v_L 0.76,
    v_N 0.36: 0.928 / 0.848 = 1.0943 with v_0 = 0, and 1 / 0.92 = 1.0870 with v_0 = 0.36.
    """
    denominator = 1.0 - weight * (v_option - v_other_spending)
    numerator = 1.0 - weight * (v_other - v_other_spending)
    if denominator <= 0 or numerator <= 0:
        return None
    return numerator / denominator


def net_value(weight: float, local_value: float, price: float,
              v_other_spending: float = 0.0) -> float:
    """Return N = lambda (V - v_0 P) - P (METHODS §8, method 1)."""
    return weight * (local_value - v_other_spending * price) - price


def switching_weight(extra_cost: float, extra_local_income: float,
                     v_other_spending: float = 0.0) -> float | None:
    """Return lambda*, the weight at which two options tie at their actual prices.

    Parameters
    ----------
    extra_cost : float
        P_L - P_N (present values).
    extra_local_income : float
        V_L - V_N (present values).
    v_other_spending : float
        v_0, the local income per £1 of what the premium would otherwise buy.

    Returns
    -------
    float or None
        ``(P_L - P_N) / ((V_L - V_N) - v_0 (P_L - P_N))``; None when the option is not
        dearer (no weight is needed to prefer it, or none makes it tie) or when the
        denominator is not positive (its extra local income does not beat what the extra
        cost would buy elsewhere, so no weight makes it worth the price).

    References
    ----------
    METHODS §8 (switching value; 0.229 with v_0 = 0 and 0.250 with v_0 = 0.36 at the
    illustration's prices, £100,000 local against £90,000 national).
    """
    denominator = extra_local_income - v_other_spending * extra_cost
    if extra_cost <= 0 or denominator <= 0:
        return None
    return extra_cost / denominator


def tender_scores(prices: Sequence[float], quality: Sequence[float],
                  commitments: Sequence[float], weights: dict[str, float],
                  quality_max: float) -> dict[str, np.ndarray]:
    """Return each bid's price, quality, social value and total score.

    Parameters
    ----------
    prices : sequence of float
        Each bid's price (positive).
    quality : sequence of float
        The evaluators' quality mark of each bid, out of ``quality_max``.
    commitments : sequence of float
        s_i, what each bid commits to for this contract (the share of the contract's
        spending on local staff and local suppliers): not its price times anything.
    weights : dict
        ``price``, ``quality`` and ``social_value`` weights, as fractions summing to 1.
    quality_max : float
        The mark a perfect quality answer gets.

    Returns
    -------
    dict of numpy.ndarray
        ``price``, ``quality``, ``social_value`` and ``total``, each in points out of 100.
        Price score = w_price * P_min / P_i; quality = w_quality * q_i / quality_max;
        social value = w_sv * s_i / max_k s_k (0 for every bid when no bid commits anything).

    References
    ----------
    METHODS §8, method 2 (tender scoring).
    """
    p = np.asarray(prices, dtype=float)
    s = np.asarray(commitments, dtype=float)
    price = 100 * weights["price"] * p.min() / p
    qual = 100 * weights["quality"] * np.asarray(quality, dtype=float) / quality_max
    top = s.max()
    social = 100 * weights["social_value"] * s / top if top > 0 else np.zeros_like(s)
    return {"price": price, "quality": qual, "social_value": social,
            "total": price + qual + social}


@dataclass(frozen=True)
class ScoringBreakEven:
    """The price at which a bid's total score equals the best other bid's.

    Attributes
    ----------
    price : float or None
        The break-even price (None when there is none).
    reason : str
        ``"found"``, ``"wins at any price"``, ``"loses at any price"`` or
        ``"price carries no weight"``.
    regime : str or None
        ``"dearer"`` when the bid is then dearer than (or as dear as) the cheapest other
        bid, so the cheapest other bid sets P_min; ``"cheapest"`` when the bid is then the
        cheapest, so its own price sets P_min and the other bids' price scores move with it.
    """

    price: float | None
    reason: str
    regime: str | None = None


def scoring_break_even(index: int, prices: Sequence[float], non_price: Sequence[float],
                       price_weight: float) -> ScoringBreakEven:
    """Return the price of bid ``index`` at which its total score equals the best other's.

    Parameters
    ----------
    index : int
        The bid whose price moves.
    prices : sequence of float
        Every bid's price; the entry at ``index`` is ignored.
    non_price : sequence of float
        Every bid's quality plus social value score (points), which do not depend on
        price (the social value score rests on a commitment, not on price).
    price_weight : float
        The price weight in points (such as 60 for 60%).

    Returns
    -------
    ScoringBreakEven
        Two regimes. While the bid is dearer than the cheapest other bid (price P_o),
        its score is ``w P_o / P + A`` against a fixed best other score B, so
        ``P = w P_o / (B - A)``. Once it is the cheapest, its own price sets P_min: its
        score is ``w + A`` and each other bid's is ``w P / P_k + A_k``, rising with P, so
        P is the smallest of ``P_k (w + A - A_k) / w``. Below the price returned the bid
        scores at least as high as every other; above it, lower.

    References
    ----------
    METHODS §8, method 2 (price score = w_price * P_min / P_i).
    """
    others = [k for k in range(len(prices)) if k != index]
    if price_weight <= 0:
        return ScoringBreakEven(None, "price carries no weight")
    own = float(non_price[index])
    cheapest_other = min(float(prices[k]) for k in others)
    best_other = max(price_weight * cheapest_other / float(prices[k]) + float(non_price[k])
                     for k in others)
    gap = best_other - own
    if gap <= 0:
        return ScoringBreakEven(None, "wins at any price")
    if gap <= price_weight:
        return ScoringBreakEven(price_weight * cheapest_other / gap, "found", "dearer")
    candidates = [float(prices[k]) * (price_weight + own - float(non_price[k])) / price_weight
                  for k in others]
    price = min(candidates)
    if price <= 0:
        return ScoringBreakEven(None, "loses at any price")
    return ScoringBreakEven(price, "found", "cheapest")


def extra_value_per_extra_pound(extra_value: float, extra_cost: float) -> float | None:
    """Return extra local income per £ of extra cost; None when the option is not dearer.

    References
    ----------
    METHODS §8: "their ratio (undefined when the local option is not dearer)".
    """
    if extra_cost <= 0:
        return None
    return extra_value / extra_cost


@dataclass(frozen=True)
class Pattern:
    """An option's local economic behaviour per £1 of contract.

    Attributes
    ----------
    lm3, lm3_low, lm3_high : float
        LM3 and its range (evidenced: the workbook's full range, METHODS §1, which spans
        unknown locations, the take-home share and thin surveys as well as the survey
        interval; assumed: every assumption at the low end of its span, and at the high end).
    r2_staff, r2_suppliers, r3 : float
        Rounds 2 and 3 per £1 (round 1 is £1). ``r2_staff`` is NaN when a workbook's LM3
        does not split round 2 by group.
    commitment : float
        s_i for tender scoring: the share of the contract spent with local staff and local
        suppliers (round 2 per £), unless the scenario gives a commitment.
    jobs_per_pound : float or None
        Local full-time-equivalent jobs per £ a year of contract; None when not estimated.
    evidence : str
        Where the figures come from, in words.
    surplus_per_pound : float
        S_i per £1 of contract: the surplus a local provider keeps in the area, only from
        its accounts (surplus over income; 0 when not evidenced, and never assumed).
    surplus_source : str
        Where ``surplus_per_pound`` comes from, in words.
    """

    lm3: float
    lm3_low: float
    lm3_high: float
    r2_staff: float
    r2_suppliers: float
    r3: float
    commitment: float
    jobs_per_pound: float | None
    evidence: str
    surplus_per_pound: float = 0.0
    surplus_source: str = "none: no accounts evidence a surplus kept in the area"
