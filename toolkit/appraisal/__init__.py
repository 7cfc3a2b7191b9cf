"""Appraisal: a commissioner's options appraisal (METHODS §8), from a scenario file.

Above ``measures`` and ``spend``; below ``packs``. Modules and their main names:

- ``scenario``: ``load_scenario``, ``Scenario`` (the checked scenario YAML).
- ``maths``: the formulas (net value, break-even premiums, tender scores); ``Pattern``.
- ``evidence``: ``workbook_pattern``, an option's pattern from an organisation's workbook.
- ``appraise``: ``appraise`` and ``gather_evidence``, the appraisal itself.
- ``report``: words, tables and charts of an appraisal.
- ``widgets``: live sliders in JupyterLab (ipywidgets, imported lazily).
"""
