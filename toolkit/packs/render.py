"""Turn an executed pack notebook into an HTML page without code, and the page into A4 PDF.

The HTML is made by nbconvert's exporter in the same process that ran the notebook (no
``jupyter nbconvert`` start-up per pack), with the input cells left out. The page around
it is the toolkit's own: a banner on every page (saying so when the data is fictional),
the pack's title, and ``toolkit/data/pack.css`` inlined so that the page works offline.
The PDF is rendered by WeasyPrint, which needs the system's Pango library: without it,
:func:`load_weasyprint` raises :class:`PdfUnavailableError` saying exactly what to install.

The PDF is tagged (PDF/UA-1): a structure tree in reading order, the document's language
and title, every chart's alt text as its figure's ``/Alt``, table headers as ``TH``. The
same inputs give the same bytes: cell ids are numbered in order, the PDF identifier is a
hash of the page, and the one date a pack prints (and its PDF metadata) is
``SOURCE_DATE_EPOCH`` when that is set (reproducible-builds.org), otherwise today.

References
----------
DESIGN.md, "Tools chosen, and why" (nbconvert's exporter and WeasyPrint in process).
ISO 14289-1 (PDF/UA-1); reproducible-builds.org, "SOURCE_DATE_EPOCH" specification.
"""

from __future__ import annotations

import copy
import datetime as dt
import functools
import hashlib
import os
import re
from pathlib import Path
from typing import Any

from toolkit.present import FICTIONAL_TEXT, PACK_METADATA_KEY, escape, neutralise_bidi
from toolkit.resources import data_file

#: The language every pack is written in (HTML ``lang`` and the PDF's ``/Lang``).
PACK_LANGUAGE = "en-GB"

#: The PDF flavour written: PDF/UA-1 (tagged, for screen readers).
PDF_VARIANT = "pdf/ua-1"

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


#: The output type of a live widget (sliders): it works only in JupyterLab, never in a pack.
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def clean_outputs(nb: Any) -> tuple[Any, list[str]]:
    """Return a copy of ``nb`` without warnings printed to stderr, and those warnings.

    Live widgets (their views and the notebook's widget state, with random model ids) are
    left out too: a pack is static, and the appraisal says its sliders work only in
    JupyterLab.

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
            elif WIDGET_VIEW not in output.get("data", {}):
                kept.append(output)
        cell.outputs = kept
    nb.metadata.pop("widgets", None)
    return nb, removed


def number_cell_ids(nb: Any) -> Any:
    """Return a copy of ``nb`` whose cells are numbered ``cell-1``, ``cell-2``... in order.

    Jupytext and papermill give cells random ids, which nbconvert writes into the HTML; with
    ids numbered in order the same inputs give the same page.

    Parameters
    ----------
    nb : nbformat.NotebookNode
        The notebook.

    Returns
    -------
    nbformat.NotebookNode
    """
    nb = copy.deepcopy(nb)
    for number, cell in enumerate(nb.cells, start=1):
        cell["id"] = f"cell-{number}"
    return nb


def pack_date() -> dt.date:
    """Return the date a pack is dated: ``SOURCE_DATE_EPOCH`` (UTC) when set, else today.

    Returns
    -------
    datetime.date

    References
    ----------
    reproducible-builds.org, "SOURCE_DATE_EPOCH" specification (seconds since 1970, UTC).
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.datetime.now(dt.UTC).date()


def date_text(day: dt.date) -> str:
    """Return a date as a reader writes it, such as ``2 December 2026``.

    Parameters
    ----------
    day : datetime.date

    Returns
    -------
    str
    """
    return f"{day.day} {day:%B %Y}"


def made_on_css(day: dt.date) -> str:
    """Return the print rule that puts "Made on <date>" at the foot of every page.

    Parameters
    ----------
    day : datetime.date
        From :func:`pack_date`.

    Returns
    -------
    str
    """
    return (f'@page {{ @bottom-right {{ content: "Made on {date_text(day)}. Page " '
            'counter(page) " of " counter(pages); } }')


def css_string(text: str) -> str:
    """Return ``text`` as a quoted CSS string that cannot end the string or the stylesheet.

    Every character other than a letter, digit, space or plain punctuation is written as a
    CSS hex escape (``\\3c `` for ``<``), so that a name from an input file can never close
    the string, the rule or the ``<style>`` element it is written into.

    Parameters
    ----------
    text : str

    Returns
    -------
    str
        Such as ``"Bishop\\27 s Castle"``, quotes included.
    """
    return '"' + "".join(c if _CSS_PLAIN.fullmatch(c) else f"\\{ord(c):x} " for c in text) + '"'


#: Characters written into a CSS string as they are; every other is hex-escaped.
_CSS_PLAIN = re.compile(r"[A-Za-z0-9 ,.:;()!?&%+=_-]")


def banner_css(text: str, fictional: bool) -> str:
    """Return the print rule that writes the banner at the head of every page after the first.

    After page 1 the banner is the page's top margin box, with the words as its content:
    laid out once per page as one line, which costs less than a running element copied onto
    every page (about 0.2 processor-seconds a pack). Page 1, and the screen, show the page's
    own first element (``.banner``; on screen it stays in view as the reader scrolls), so a
    browser that draws no margin boxes still prints the banner once.

    Parameters
    ----------
    text : str
        The banner's words (from an input's name for a real pack: escaped here; a real
        pack's banner is cut to :data:`BANNER_MOST` characters, ending "…", when longer;
        the warning on a fictional pack is never cut).
    fictional : bool
        Whether the banner warns that the data is fictional (amber), or names the pack (blue).

    Returns
    -------
    str
    """
    kind = "fictional" if fictional else "plain"
    text = neutralise_bidi(text)  # as escape() shows them in the HTML: codes, not controls
    if not fictional and len(text) > BANNER_MOST:  # one line; page 1 has the name whole
        cut = text[:BANNER_MOST - 1]
        space = cut.rfind(" ")  # cut at a word's end, unless that loses half the line
        text = (cut[:space] if space > BANNER_MOST // 2 else cut).rstrip() + "\u2026"
    return f"@page {{ @top-center {{ content: {css_string(text)}; {BANNER_BOX[kind]} }} }}"


#: The most characters the banner shows: about one line of the page's head at 9 pt.
BANNER_MOST = 85

#: How the banner's margin box looks, by kind (the colours of ``.banner`` in pack.css).
BANNER_BOX = {
    "fictional": "background: #fff3cd; border: 1px solid #b58900; color: #5c4400; "
                 "font-weight: bold;",
    "plain": "background: #eef3f8; border: 1px solid #6b8bb0; color: #23405f; "
             "font-weight: normal;",
}


def contents_html(body: str) -> str:
    """Return a contents list linking every section heading (``<h2 id=...>``) of a body.

    Parameters
    ----------
    body : str
        HTML made by :func:`notebook_body_html`.

    Returns
    -------
    str
        A ``<nav>`` list (the PDF gives each section's page), or empty with no headings.
    """
    found = re.findall(r"<h2 id=\"([^\"]+)\">(.*?)</h2>", body, flags=re.S)
    items = [(anchor, re.sub(r"<[^>]+>", "", text).strip()) for anchor, text in found]
    items = [(a, t) for a, t in items if t]
    if not items:
        return ""
    links = "".join(f"<li><a href='#{escape(anchor)}'>{text}</a></li>" for anchor, text in items)
    return (f"<nav class='contents' aria-labelledby='contents-title'><h2 id='contents-title'>"
            f"Contents</h2><ol>{links}</ol></nav>")


def with_contents(body: str) -> str:
    """Return ``body`` with the contents list of the sections after the first page.

    Parameters
    ----------
    body : str
        HTML made by :func:`notebook_body_html`.

    Returns
    -------
    str
    """
    marker = re.search(r"<div class=[\"']contents-here[\"']>\s*</div>", body)
    if marker is None:
        return body
    before, after = body[:marker.start()], body[marker.end():]
    return before + contents_html(after) + after


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
    body, _ = _exporter().from_notebook_node(number_cell_ids(nb))
    return with_contents(body)


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
    words = FICTIONAL_TEXT if fictional else f"Keep It Local evidence pack: {title}"
    if fictional:
        banner = f"<div class='banner' role='note'>{escape(words)}</div>"
    else:
        banner = f"<div class='banner plain'>{escape(words)}</div>"
    day = pack_date()
    made = f"<p class='made-on'>Made on {date_text(day)}</p>"
    return (
        f"<!DOCTYPE html>\n<html lang='{PACK_LANGUAGE}'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<meta name='generator' content='keepitlocal packs'><title>{escape(title)}</title>"
        f"<meta name='dcterms.created' content='{day.isoformat()}'>"
        f"<meta name='dcterms.modified' content='{day.isoformat()}'>"
        f"<style>{pack_css()}{made_on_css(day)}{banner_css(words, fictional)}</style></head>\n"
        f"<body>{banner}\n"
        f"<main>{body}</main>\n"
        f"{made}\n</body></html>\n"
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


#: The assumptions table as the page holds it (nbconvert may requote its attributes).
_ASSUMPTIONS_TABLE = re.compile(r"<table class=[\"']assumptions[\"']>.*?</table>", re.S)
_TABLE_ROW = re.compile(r"<tr>.*?</tr>", re.S)
_CHANGED = re.compile(r"class=[\"']changed[\"']")
_UNCHECKED = re.compile(r"class=[\"']basis-unchecked[\"']")


def assumptions_for_pdf(table: str, slug: str) -> str:
    """Return what the PDF shows in place of the full assumptions table.

    The full table (dozens of settings, four A4 pages: a fifth of a pack's layout time)
    stays in the HTML pack and in ``<slug>__assumptions.csv`` beside the pack. The PDF
    names both files, says how many settings there are and how many are unchecked, and
    keeps, as a table, every setting changed from its default.

    Parameters
    ----------
    table : str
        The ``<table class="assumptions">`` made by :func:`toolkit.present.assumptions_html`.
    slug : str
        The pack's slug, which names its files.

    Returns
    -------
    str
    """
    body = table.split("<tbody>", 1)[-1]
    rows = _TABLE_ROW.findall(body)
    changed = [row for row in rows if _CHANGED.search(row)]
    unchecked = sum(1 for row in rows if _UNCHECKED.search(row))
    plural = "s" if len(rows) != 1 else ""
    said = (f"<p class='csv-only'>The full table of the {len(rows)} assumption{plural} "
            f"used ({unchecked} with a source not yet checked), each with its value, meaning "
            f"and source, is not printed in this PDF: it is in the file "
            f"<code>{escape(slug)}__assumptions.csv</code> beside this pack, and in the HTML "
            f"pack <code>{escape(slug)}.html</code>.")
    if not changed:
        return said + " No assumption is changed from its default.</p>"
    head = table.split("<tbody>", 1)[0].replace(
        "<caption>Assumptions</caption>", "<caption>Assumptions changed from the default"
        "</caption>")
    return (said + f" Those changed from the default ({len(changed)}) are listed here.</p>"
            f"{head}<tbody>{''.join(changed)}</tbody></table>")


def pdf_page(page: str, slug: str) -> str:
    """Return the page as the PDF lays it out: the long assumptions table left to its CSV.

    Parameters
    ----------
    page : str
        A page made by :func:`page_html`.
    slug : str
        The pack's slug.

    Returns
    -------
    str
    """
    return _ASSUMPTIONS_TABLE.sub(lambda found: assumptions_for_pdf(found.group(0), slug),
                                  page)



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
    identifier = hashlib.sha256(page.encode("utf-8")).hexdigest()[:32].encode("ascii")
    try:
        weasyprint.HTML(string=page, base_url=str(base_url)).write_pdf(
            str(target), pdf_variant=PDF_VARIANT, pdf_identifier=identifier,
            finisher=number_table_headers)
    except ValueError as exc:
        if str(exc) != WEASYPRINT_TAGGING_FAULT:
            raise
        # WeasyPrint's PDF/UA tagging fails when a short table kept whole is pushed to the
        # next page and leaves its wrapper behind: lay this document out again with short
        # tables allowed to break (their header row repeats), which avoids the fault.
        weasyprint.HTML(string=page, base_url=str(base_url)).write_pdf(
            str(target), pdf_variant=PDF_VARIANT, pdf_identifier=identifier,
            finisher=number_table_headers,
            stylesheets=[weasyprint.CSS(string=SHORT_TABLES_MAY_BREAK)])


#: The message of WeasyPrint's tagging fault (``TableWrapperBox.get_wrapped_table``).
WEASYPRINT_TAGGING_FAULT = "Table wrapper without a table"

#: The stylesheet of the second layout after that fault.
SHORT_TABLES_MAY_BREAK = "table.short { break-inside: auto !important; }"


def number_table_headers(document: Any, pdf: Any) -> None:
    """Give the PDF's table headers ids numbered in order (WeasyPrint uses memory addresses).

    Each ``TH`` element's ``/ID`` and every cell's ``/Headers`` entry that names it get the
    same new id, ``th1``, ``th2``..., so that the same page gives the same bytes.

    Parameters
    ----------
    document : weasyprint.Document
        The rendered document (unused; WeasyPrint's finisher signature).
    pdf : pydyf.PDF
        The PDF about to be written.
    """
    import pydyf

    numbers: dict[str, str] = {}

    def renumbered(header: Any) -> Any:
        key = str(getattr(header, "string", header))
        return pydyf.String(numbers.setdefault(key, f"th{len(numbers) + 1}"))

    for item in pdf.objects:
        if not isinstance(item, dict):
            continue
        if item.get("S") == "/TH" and "ID" in item:
            item["ID"] = renumbered(item["ID"])
        attributes = item.get("A")
        if isinstance(attributes, dict) and "Headers" in attributes:
            attributes["Headers"] = pydyf.Array([renumbered(h) for h in attributes["Headers"]])
