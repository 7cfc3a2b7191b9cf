"""Council spending: payments files as councils publish them, analysed as CLES does (METHODS §2).

Above ``inputs``; used by ``appraisal`` and ``packs``. Modules and their main names:

- ``read``: ``read_payments`` (header detection, encodings, exact pence, rows not used).
- ``analysis``: ``analyse_spending`` (placing suppliers, local and VCSE shares, top suppliers).
- ``charts``: the spend charts.

Offers ``DEFAULT_TOP``, the length of the top-suppliers table (a setting overrides it).
"""

DEFAULT_TOP = 300  # CLES looks at the top 300 suppliers (METHODS.md §2); a setting overrides
