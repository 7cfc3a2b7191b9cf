"""Imports: fill a workbook from accounting, payroll, contacts and form-tool survey exports.

Above ``inputs``. Modules and their main names:

- ``formats``: ``ImportResult``, column maps (``parse_map_text``, ``read_map_file``).
- ``ledger``: supplier transactions and contacts (Xero, QuickBooks Online, Sage 50, mapped).
- ``people``: ``read_payroll``, ``read_survey``.
- ``run``: ``import_exports`` and ``merge_into_workbook``, the whole import.

Offers ``LAYOUT_NAMES``, the accounting layouts recognised (``ledger.LAYOUTS`` holds them).
"""

LAYOUT_NAMES = ("xero", "quickbooks", "sage50")
