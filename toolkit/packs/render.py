"""Turn an executed pack notebook into an HTML page without code, and the page into A4 PDF.

The HTML is made by nbconvert's exporter in the same process that ran the notebook (no
``jupyter nbconvert`` start-up per pack), with the input cells left out. The page around
it is the toolkit's own: a banner on every page (saying so when the data is fictional),
the pack's title, and ``toolkit/data/pack.css`` inlined so that the page works offline.
The PDF is rendered by WeasyPrint, which needs the system's Pango library: without it,
:func:`load_weasyprint` raises :class:`PdfUnavailableError` saying exactly what to install.

References
----------
DESIGN.md, "Tools chosen, and why" (nbconvert's exporter and WeasyPrint in process).
"""

from __future__ import annotations

from toolkit.resources import data_file

import copy
import functools
from pathlib import Path
from typing import Any

from toolkit.present import FICTIONAL_TEXT, PACK_METADATA_KEY, escape

CSS_FILE = data_file("pack.css")

#: The command that installs what WeasyPrint needs on Debian or Ubuntu.
PANGO_INSTALL = "apt-get install -y libpango-1.0-0 libpangoft2-1.0-0"


class PdfUnavailableError(RuntimeError):
    """WeasyPrint cannot make PDF here (its system libraries are missing)."""


@functools.lru_cache(maxsize=1)
def _exporter() -> Any:
    """Return one nbconvert HTML exporter per process: body only, no code, no prompts."""
    from nbconvert import HTMLExporter

    return HTMLExporter(template_name="basic", exclude_input=True,
                        exclude_input_prompt=True, exclude_output_prompt=True,
                        anchor_link_text="")


@functools.lru_cache(maxsize=1)
def pack_css() -> str:
    """Return the pack style sheet (A4 print and screen)."""
    return CSS_FILE.read_text(encoding="utf-8")


def pack_info(nb: Any) -> dict:
    """Return what the notebook said about itself through :func:`toolkit.present.show_title`.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.

    Returns
    -------
    dict
        ``title``, ``subtitle``, ``fictional`` and ``kind`` when given; empty otherwise.
    """
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            info = output.get("metadata", {}).get(PACK_METADATA_KEY)
            if info:
                return dict(info)
    return {}


def clean_outputs(nb: Any) -> tuple[Any, list[str]]:
    """Return a copy of ``nb`` without warnings printed to stderr, and those warnings.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook.

    Returns
    -------
    (nbformat.NotebookNode, list of str)
        The cleaned notebook and the text removed (kept for the pack's log).
    """
    nb = copy.deepcopy(nb)
    removed: list[str] = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream" and output.get("name") == "stderr":
                removed.append(str(output.get("text", "")))
            else:
                kept.append(output)
        cell.outputs = kept
    return nb, removed


def notebook_body_html(nb: Any) -> str:
    """Return the notebook's markdown and outputs as HTML, with no code cells.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        An executed notebook.

    Returns
    -------
    str
    """
    body, _ = _exporter().from_notebook_node(nb)
    return body


def page_html(body: str, title: str, fictional: bool) -> str:
    """Return a whole HTML page around a pack's body, with the banner and style sheet.

    Parameters
    ----------
    body : str
        HTML made by :func:`notebook_body_html`.
    title : str
        The pack's title (escaped here).
    fictional : bool
        Whether the banner says the data is fictional.

    Returns
    -------
    str
    """
    if fictional:
        banner = f"<div class='banner' role='note'>{escape(FICTIONAL_TEXT)}</div>"
    else:
        banner = f"<div class='banner plain'>Keep It Local evidence pack: {escape(title)}</div>"
    return (
        "<!DOCTYPE html>\n<html lang='en-GB'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<meta name='generator' content='keepitlocal packs'><title>{escape(title)}</title>"
        f"<style>{pack_css()}</style></head>\n<body>{banner}\n<main>{body}</main>\n</body></html>\n"
    )


def notebook_to_html(nb: Any, fallback_title: str, fictional: bool = False) -> tuple[str, dict]:
    """Return the HTML page of an executed pack notebook and what it said about itself.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The executed notebook.
    fallback_title : str
        Title used when the notebook did not call ``present.show_title``.
    fictional : bool
        Whether the registry marks the data fictional (the notebook may say so too).

    Returns
    -------
    (str, dict)
        The page and the pack's information (title, fictional, warnings removed).
    """
    info = pack_info(nb)
    cleaned, removed = clean_outputs(nb)
    info["fictional"] = bool(info.get("fictional")) or bool(fictional)
    info.setdefault("title", fallback_title)
    info["stderr"] = removed
    return page_html(notebook_body_html(cleaned), info["title"], info["fictional"]), info


@functools.lru_cache(maxsize=1)
def load_weasyprint() -> Any:
    """Return the ``weasyprint`` module, or raise :class:`PdfUnavailableError` if it cannot load.

    Returns
    -------
    module

    Raises
    ------
    PdfUnavailableError
        When WeasyPrint or its system library Pango cannot be loaded.
    """
    try:
        import weasyprint
    except (OSError, ImportError) as exc:
        raise PdfUnavailableError(
            "PDF not made: WeasyPrint could not load the Pango library "
            f"({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}). "
            f"The HTML pack is made: open it in a browser and print it to PDF (A4), or "
            f"install Pango (on Debian or Ubuntu, as root: {PANGO_INSTALL}; on macOS, "
            "'brew install pango'; on Windows, see WeasyPrint's installation guide)."
        ) from exc
    return weasyprint


def html_to_pdf(page: str, target: Path, base_url: Path) -> None:
    """Render an HTML page to an A4 PDF file with WeasyPrint.

    Parameters
    ----------
    page : str
        A page made by :func:`page_html`.
    target : pathlib.Path
        The PDF file to write (the caller writes to a temporary name and moves it).
    base_url : pathlib.Path
        Folder that relative links resolve against.

    Raises
    ------
    PdfUnavailableError
        When WeasyPrint cannot be loaded.
    """
    weasyprint = load_weasyprint()
    weasyprint.HTML(string=page, base_url=str(base_url)).write_pdf(str(target))
