"""Building blocks the app's pages share: a step with its explanation, file boxes, pack runs.

Nothing here calculates a figure: these functions lay widgets out, save uploads through
:mod:`toolkit.app.uploads`, and make a pack through the same planning and runner functions
as ``keepitlocal packs`` (:mod:`toolkit.packs.plan`, :mod:`toolkit.packs.runner`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from toolkit.inputs.errors import InputError


def step(number: int, title: str, sentences: str, *children):
    """Return one step of a page: a numbered heading, a sentence or two, then its controls.

    Parameters
    ----------
    number : int
        The step's number on the page.
    title : str
        Such as ``"Check your workbook"``.
    sentences : str
        What the step is for, in words a non-specialist understands (plain text).
    *children : ipywidgets.Widget
        The step's controls and outputs.

    Returns
    -------
    ipywidgets.VBox
    """
    import html

    import ipywidgets as widgets

    head = widgets.HTML(f"<h2>{number}. {html.escape(title)}</h2>"
                        f"<p>{html.escape(sentences)}</p>")
    box = widgets.VBox([head, *children], layout=widgets.Layout(margin="0 0 1.5em 0"))
    box.add_class(f"kil-step-{number}")  # found so by the browser tests and screenshots
    return box


#: The pages' own look for their tables and messages (no file is fetched for it).
PAGE_STYLE = """<style>
.kil-page table { border-collapse: collapse; margin: 0.5em 0 1em; }
.kil-page th, .kil-page td { border: 1px solid #c8c8c8; padding: 0.25em 0.6em;
                             vertical-align: top; text-align: left; }
.kil-page th { background: #f0f0f0; }
.kil-page td.num { text-align: right; }
.kil-page h2 { margin-bottom: 0.2em; }
.kil-page pre.kil-import { white-space: pre-wrap; font-size: 0.85em; }
</style>"""


def name_for_browsers(named: dict) -> None:
    """Give each widget its CSS class, so that a browser test (or a style) can find it.

    Parameters
    ----------
    named : dict of str to ipywidgets.Widget
        CSS class (such as ``"kil-check"``) to the widget that carries it.
    """
    for css, widget in named.items():
        widget.add_class(css)


def page_box(children: list):
    """Return a page's outer box, with the pages' style."""
    import ipywidgets as widgets

    box = widgets.VBox([widgets.HTML(PAGE_STYLE), *children])
    box.add_class("kil-page")
    return box


def file_box(description: str, accept: str = "", multiple: bool = False):
    """Return a file chooser labelled for a non-specialist (an ipywidgets ``FileUpload``)."""
    import ipywidgets as widgets

    return widgets.FileUpload(description=description, accept=accept, multiple=multiple,
                              layout=widgets.Layout(width="auto"))


def button(description: str, tooltip: str = ""):
    """Return a page's button (ipywidgets ``Button``) with room for its words."""
    import ipywidgets as widgets

    return widgets.Button(description=description, tooltip=tooltip or description,
                          layout=widgets.Layout(width="auto"))


def message(text: str, kind: str = "note") -> str:
    """Return a short escaped paragraph for an output area (``kind`` sets its CSS class)."""
    import html

    return f'<p class="kil-{kind}">{html.escape(text)}</p>'


def has_file(upload) -> bool:
    """Return whether a ``FileUpload`` holds a file."""
    return bool(upload.value)


def save_table_uploads(value) -> list[Path]:
    """Check and save the files of one upload box of tables (CSV or Excel); return their paths.

    :func:`toolkit.app.uploads.read_uploads` checks each file's content: a workbook, or text
    with a delimiter in one of its first twenty lines (exports and council payments files
    often start with title rows), as the readers search twenty rows or more for the header.
    """
    from toolkit.app.uploads import read_uploads

    return [u.path for u in read_uploads(value, ("csv", "xlsx"))]


def run_one_pack(jobs: list, out_dir: Path) -> Path:
    """Make one pack with the packs' runner and return the folder holding its files.

    Parameters
    ----------
    jobs : list of toolkit.packs.plan.PackJob
        Exactly the pack wanted.
    out_dir : pathlib.Path
        A folder in the session (the runner writes its manifest and index there too).

    Returns
    -------
    pathlib.Path
        A folder named after the pack (``out_dir / "<slug>-pack"``), holding its HTML, its
        PDF when Pango is installed, and its CSV tables.

    Raises
    ------
    InputError
        When the pack failed, with the runner's reason in plain words.
    """
    from toolkit.packs.runner import run_packs

    summary = run_packs(jobs, out_dir, workers=0, force=True, progress=False)
    result = summary.results[0]
    if result.status == "failed":
        raise InputError(f"The pack could not be made: {result.reason}")
    named = Path(out_dir) / f"{jobs[0].slug}-pack"
    if named.exists():
        shutil.rmtree(named)
    (Path(out_dir) / jobs[0].folder).rename(named)
    return named


def pack_links(folder: Path) -> str:
    """Return download links for a pack: the zip of everything, then its HTML and PDF.

    When there is no PDF (Pango is missing), the links say how to get one.
    """
    from toolkit.app.downloads import download_link, zip_pack

    archive = zip_pack(folder)
    links = [download_link(archive, "Download the pack (zip: HTML, PDF and CSV tables)")]
    for suffix, label in ((".html", "Download the pack as a web page (HTML)"),
                          (".pdf", "Download the pack as an A4 PDF")):
        found = sorted(Path(folder).glob(f"*{suffix}"))
        if found:
            links.append(download_link(found[0], label))
    if not sorted(Path(folder).glob("*.pdf")):
        links.append(message("No PDF was made: this computer lacks the Pango library. Open "
                             "the HTML pack in a browser and print it to PDF, or install "
                             "Pango.", "warning"))
    return "<br>".join(links)
