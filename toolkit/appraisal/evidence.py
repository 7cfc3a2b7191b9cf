"""The local economic behaviour of an evidenced option, from an anchor's workbook.

References
----------
METHODS §1 (LM3 of a part of the organisation's income: apply the year's spending pattern
to it, so round 2 per £ is local spending over total spending).
METHODS §8 (an evidenced option's local income uses the workbook's LM3, over its full
range; the surplus a provider keeps in the area, S_i, only from its accounts).
"""

from __future__ import annotations

from pathlib import Path


def workbook_pattern(path: str | Path, settings, boundary: dict | None = None):
    """Return the pattern per £1 of contract of one workbook's organisation.

    Parameters
    ----------
    path : path-like
        The organisation's workbook (or CSV folder).
    settings : toolkit.inputs.settings.Settings
        LM3 settings (take-home share, assumed re-spending rates, bootstrap).
    boundary : dict, optional
        ``name`` and ``postcodes`` of "local"; default: the settings' boundary.

    Returns
    -------
    toolkit.appraisal.maths.Pattern
        LM3 and its full range (METHODS §1: unknown locations, take-home share and thin
        surveys as well as the survey interval) from
        :func:`toolkit.measures.lm3.compute_lm3`; rounds 2 and 3 per £1
        of round 1; the commitment (round 2 per £: the share spent with local staff and
        local suppliers); local jobs per £ a year = FTE of staff who live locally over
        total spending (staff pay plus non-staff spending), the same pattern applied to
        the contract; the surplus kept per £ (:func:`surplus_per_pound`).
    """
    from toolkit.appraisal.maths import Pattern
    from toolkit.inputs.workbook import load_workbook
    from toolkit.measures.lm3 import as_boundary, compute_lm3, lm3_inputs

    wb = load_workbook(path)
    inputs = lm3_inputs(wb, settings, as_boundary(boundary) if boundary else None)
    result = compute_lm3(inputs, settings)
    staff = inputs.staff
    local_fte = float(staff.loc[staff["local"].map(lambda v: v is True), "fte"].sum())
    jobs = local_fte / result.spending_total if result.spending_total > 0 else None
    r1 = result.r1
    surveyed = (f"{result.respondents_staff} staff and {result.respondents_suppliers} "
                f"supplier survey replies")
    assumed = "; assumed re-spending for thin surveys" if result.assumed else ""
    evidence = (f"workbook {Path(path).name} ({getattr(wb, 'name', '')}, "
                f"{getattr(wb, 'financial_year', '')}; local = {result.boundary_name}; "
                f"{surveyed}{assumed})")
    low, high = lm3_range(result)
    surplus, surplus_source = surplus_per_pound(getattr(wb, "balance", None) or {},
                                                Path(path).name)
    return Pattern(result.lm3, low, high, result.r2_staff / r1, result.r2_suppliers / r1,
                   result.r3 / r1, result.r2 / r1, jobs, evidence, surplus, surplus_source)


def lm3_range(result) -> tuple[float, float]:
    """Return the LM3 range an appraisal uses: the full range.

    Parameters
    ----------
    result : toolkit.measures.lm3.Lm3Result

    Returns
    -------
    tuple of float
        ``(full_low, full_high)``: the full range of METHODS §1 (unknown locations counted
        not local and local, the take-home span, thin groups' spans, with the survey
        interval), so that evidenced options do not look near-certain beside assumed ones.
    """
    return float(result.full_low), float(result.full_high)


def surplus_per_pound(balance: dict, file: str = "the workbook") -> tuple[float, str]:
    """Return S per £1 of income, the surplus kept, from the accounts, with its source.

    Parameters
    ----------
    balance : dict
        The workbook's Balance row: ``total_income`` and ``total_expenditure``.
    file : str
        The workbook's name, for the label.

    Returns
    -------
    tuple of (float, str)
        ``(total_income - total_expenditure) / total_income`` when both are given and the
        surplus is positive; otherwise 0 (a deficit adds nothing to the area's reserves),
        with the reason in words. Never assumed.

    References
    ----------
    METHODS §8: S_i evidenced from the provider's accounts (surplus / income), otherwise
    zero; never assumed for one bidder and not for the others.
    """
    income, spent = balance.get("total_income"), balance.get("total_expenditure")
    if not isinstance(income, int | float) or not isinstance(spent, int | float) or income <= 0:
        return 0.0, f"none: {file}'s accounts do not give total income and expenditure"
    surplus = income - spent
    if surplus <= 0:
        return 0.0, (f"none: {file}'s accounts show no surplus (income £{income:,.0f}, "
                     f"expenditure £{spent:,.0f})")
    return surplus / income, (f"{file}'s accounts: surplus £{surplus:,.0f} over income "
                              f"£{income:,.0f}")
