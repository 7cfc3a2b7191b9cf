"""Measures: pure functions of a workbook's tables and the settings (METHODS.md §1 to §7).

Above ``inputs``; below ``appraisal`` and ``packs``. Modules and their main names:

- ``lm3``: ``compute_lm3``, ``lm3_from_workbook`` (nef's local multiplier with its interval).
- ``surveys``: the staff and supplier questionnaires.
- ``jobs``: ``jobs_from_workbook`` (FTE, FTE-years, local pay, real Living Wage).
- ``sroi``, ``proxies``, ``volunteering``: social return with Green Book discounting, the proxy
  value library, volunteer time.
- ``finance``: ``finance_from_workbook`` (CC19 free reserves, HHI, margins).
- ``resilience``: the profile against Locality's seven characteristics.
- ``leakage``, ``whatif``: where money leaves the area; LM3 if spending moved local.
- ``enabled``: jobs and GVA enabled by an organisation's buildings.
"""
