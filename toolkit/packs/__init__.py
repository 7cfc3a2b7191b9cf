"""Packs: evidence packs made from the notebooks in batch (HTML, A4 PDF, CSV tables).

The top of the calculation: uses every wing below. Modules and their main names:

- ``plan``: ``plan_packs``, ``select``, ``PackJob`` (which packs a registry asks for).
- ``runner``: ``run_packs`` (papermill in a process pool, skipping unchanged packs).
- ``kernel_client``: ``SlicedKernelClient`` (kernel channels that wait in half-second slices;
  the runner's kernels and the app's pages).
- ``render``: ``notebook_to_html``, ``html_to_pdf`` (nbconvert and WeasyPrint).
- ``manifest``: hashes, the manifest, the index page, atomic writes, ``public_text``.
- ``lock``: ``locked`` (one run at a time in an output folder; a dead run's lock taken over).
- ``inputs``: what a pack notebook opens (registry, settings, workbooks parsed once per run).
- ``sections``: one organisation's headlines and sections.
- ``combined``: authority and network figures, weighted or averaged and labelled.
"""
