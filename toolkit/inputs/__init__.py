"""Inputs: the ground floor. What people give the toolkit, read and checked once.

Every later step takes the typed tables and settings made here, and nothing here imports
from a wing above. Modules:

- ``schema``: the workbook's tables and columns (one definition for template, reader, checks).
- ``cells``: parsers for what people type (money, percents, postcodes, yes/no, years).
- ``workbook``: ``read_workbook`` / ``load_workbook`` (a workbook or CSV folder into tables
  with a report of every problem) and ``write_workbook``.
- ``template``: the blank workbook with instructions and drop-downs.
- ``errors``: ``InputError`` and the ``Report`` of problems (file, sheet, row, column).
- ``settings``: ``load_settings``, assumptions as data with their sources.
- ``registry``: ``load_registry``, the authorities, boundaries and organisations; ``slugify``.
- ``geography``: postcodes, ``Boundary`` and ``NestedBoundaries``, postcode lookups.
- ``names``: ``supplier_key``, the one rule for matching supplier names.
- ``personal``: ``personal_details``, ``redacted`` (postcodes, emails, phones in free text).
"""
