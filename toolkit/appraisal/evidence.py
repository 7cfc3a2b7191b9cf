"""The local economic behaviour of an evidenced option, from an anchor's workbook.

References
----------
METHODS §1 (LM3 of a part of the organisation's income: apply the year's spending pattern
to it, so round 2 per £ is local spending over total spending).
METHODS §8 (an evidenced option's local value uses the workbook's LM3).
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
        LM3 and its interval from :func:`toolkit.measures.lm3.compute_lm3`; rounds 2 and 3 per £1
        of round 1; the commitment (round 2 per £: the share spent with local staff and
        local suppliers); local jobs per £ a year = FTE of staff who live locally over
        total spending (staff pay plus non-staff spending), the same pattern applied to
        the contract.
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
    return Pattern(result.lm3, result.lm3_low, result.lm3_high, result.r2_staff / r1,
                   result.r2_suppliers / r1, result.r3 / r1, result.r2 / r1, jobs, evidence)
