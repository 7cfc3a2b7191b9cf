"""Samples: the seeded generator of ``data/samples/`` (fictional organisations, real councils).

Stands above every calculating wing, since it writes workbooks, payments files and registries
that those wings read. Modules and their main names:

- ``organisations``: ``write_samples`` (workbooks, registry, scenarios, broken workbooks).
- ``payments``: ``write_sample_payments`` (synthetic council payments and supplier lists).

Offers ``DEFAULT_SEED``, the seed the committed samples were made with.
"""

DEFAULT_SEED = 2016
