"""Files the app gives back: a download link carrying the file's bytes, and a pack's zip.

Mechanism
---------
Voilà serves no file of a kernel's by itself, and the app's server stays locked down (no
file handler). :func:`download_link` therefore returns an HTML anchor whose ``href`` is a
``data:`` URL holding the file's bytes, base64-encoded (RFC 2397), with a ``download``
attribute naming the file, so the browser saves it with no request to the server at all.
The anchor travels to the browser in an ``ipywidgets.HTML`` value over the kernel's
websocket (the server's message limit applies only to what the browser sends). Base64 makes
the page's copy a third larger than the file; files above ``LARGEST_LINK_MB`` are refused
with a message rather than risk a browser that cannot hold them (a pack's zip is a few MB).
"""

from __future__ import annotations

import base64
import html
import mimetypes
import zipfile
from pathlib import Path

from toolkit.inputs.errors import InputError

#: Largest file offered as a link, in MB (a pack with its PDF and tables is a few MB).
LARGEST_LINK_MB = 100

#: The kinds of file a pack's zip holds.
PACK_SUFFIXES = (".html", ".pdf", ".csv")

#: Media types of the files the app offers (others are guessed, else octet-stream).
MEDIA_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv",
    ".html": "text/html",
    ".pdf": "application/pdf",
    ".zip": "application/zip",
    ".yml": "application/yaml",
}


def media_type(path: Path) -> str:
    """Return the media type of a file by its suffix (the app names its own files)."""
    suffix = Path(path).suffix.lower()
    return MEDIA_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] \
        or "application/octet-stream"


def download_link(path: str | Path, label: str) -> str:
    """Return an HTML anchor that saves ``path`` in the browser, with no server handler.

    Parameters
    ----------
    path : path-like
        A file the app wrote (in the session folder); its name is the saved file's name.
    label : str
        The link's text, such as ``"Download the pack (zip)"`` (escaped).

    Returns
    -------
    str
        ``<a download="NAME" href="data:TYPE;base64,..." class="kil-download">LABEL</a>``.

    Raises
    ------
    InputError
        When the file does not exist or is larger than ``LARGEST_LINK_MB``.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"The file {path.name} was not made, so it cannot be downloaded.")
    size = path.stat().st_size
    if size > LARGEST_LINK_MB * 1_000_000:
        raise InputError(f"{path.name} is {size / 1_000_000:.0f} MB, too large to download "
                         f"from the app (up to {LARGEST_LINK_MB} MB): make it with "
                         "`keepitlocal packs` instead.")
    data = base64.b64encode(path.read_bytes()).decode("ascii")
    return (f'<a class="kil-download" download="{html.escape(path.name)}" '
            f'href="data:{media_type(path)};base64,{data}">{html.escape(label)}</a>')


def pack_files(folder: Path) -> list[Path]:
    """Return a pack folder's HTML, PDF and CSV files, sorted, at any depth."""
    return sorted(p for p in Path(folder).rglob("*")
                  if p.is_file() and p.suffix.lower() in PACK_SUFFIXES)


def zip_pack(folder: str | Path) -> Path:
    """Put a pack's HTML, PDF and CSV tables in one zip, inside the pack's folder.

    Parameters
    ----------
    folder : path-like
        The folder the pack was written to (such as ``session_folder() / "pack"``).

    Returns
    -------
    pathlib.Path
        ``<folder>/<folder name>.zip``, its members named relative to ``folder``.

    Raises
    ------
    InputError
        When the folder holds no HTML, PDF or CSV file.
    """
    folder = Path(folder)
    files = pack_files(folder)
    if not files:
        raise InputError("The pack has no HTML, PDF or CSV file to put in a zip: make the "
                         "pack first.")
    target = folder / f"{folder.name}.zip"
    partial = target.with_suffix(".zip.part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            archive.write(file, file.relative_to(folder).as_posix())
    partial.replace(target)
    return target


#: Shown beside a pack whose PDF could not be made on this machine (no Pango).
NO_PDF = ("The PDF was not made on this computer: WeasyPrint, which makes it, needs the Pango "
          "library. Open the HTML pack and print it from your browser to PDF (A4 paper), or "
          "ask whoever runs the app to install Pango.")


def result_files(result, out_dir: str | Path) -> list[Path]:
    """Return a made pack's files (HTML, PDF if made, CSV tables) from its runner result.

    Parameters
    ----------
    result : toolkit.packs.runner.PackResult
    out_dir : path-like
        The packs folder the runner wrote to.

    Returns
    -------
    list of pathlib.Path
    """
    outputs = result.outputs or {}
    names = [outputs.get("html"), outputs.get("pdf"), *outputs.get("tables", [])]
    return [Path(out_dir) / name for name in names if name]


def zip_result(result, out_dir: str | Path) -> Path:
    """Put one made pack's HTML, PDF and CSV tables in ``<out_dir>/<slug>.zip``.

    Parameters
    ----------
    result : toolkit.packs.runner.PackResult
    out_dir : path-like

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputError
        When the pack has no files (it failed).
    """
    files = [f for f in result_files(result, out_dir) if f.is_file()]
    if not files:
        raise InputError(f"The pack {result.title or result.slug} was not made: "
                         f"{result.reason or 'no file was written'}")
    target = Path(out_dir) / f"{result.slug}.zip"
    partial = target.with_suffix(".zip.part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for file in files:
            archive.write(file, file.name)
    partial.replace(target)
    return target


def pack_downloads(summary) -> str:
    """Return the HTML a page shows after making packs: links to each, or why it failed.

    A made pack gets links to its HTML, its PDF and a zip of both with its CSV tables; a pack
    whose PDF could not be made says how to get one (:data:`NO_PDF`); a failed pack shows the
    runner's plain reason. Every text is escaped.

    Parameters
    ----------
    summary : toolkit.packs.runner.RunSummary
        What :func:`toolkit.packs.runner.run_packs` returned.

    Returns
    -------
    str
    """
    parts = []
    for result in summary.results:
        title = html.escape(result.title or result.slug)
        files = {Path(p).suffix: Path(summary.out_dir) / p
                 for p in (result.outputs.get("html"), result.outputs.get("pdf")) if p}
        if ".html" not in files:
            parts.append(f'<div class="kil-message kil-error" role="alert">{title}: '
                         f"{html.escape(result.reason or 'the pack was not made.')}</div>")
            continue
        links = [download_link(files[".html"], "the pack (HTML)")]
        if ".pdf" in files:
            links.append(download_link(files[".pdf"], "the pack (A4 PDF)"))
        links.append(download_link(zip_result(result, summary.out_dir),
                                   "everything, with the CSV tables (zip)"))
        note = "" if ".pdf" in files else \
            f'<div class="kil-message kil-warning">{html.escape(NO_PDF)}</div>'
        parts.append(f'<div class="kil-pack"><p><strong>{title}</strong>: download '
                     f"{' · '.join(links)}</p>{note}</div>")
    return "".join(parts)
