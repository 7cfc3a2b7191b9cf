"""What a pack run records: content hashes, versions, the manifest and the index page.

Every pack's entry in ``manifest.json`` holds its inputs with their SHA-256 hashes, the
settings used, the notebook's and the toolkit's source hashes, the versions of Python
and of the packages that made it, its timings and its outcome. The same facts, hashed
together, make the pack's *key*: a pack whose key has not changed since it was last
made successfully is skipped (unless ``--force``). Files are written to a temporary
name and moved into place, so an interrupted run leaves no half-written file.
"""

from __future__ import annotations

from toolkit.resources import package_folder

import contextlib
import hashlib
import importlib.metadata
import json
import os
import platform
import shutil
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from collections.abc import Iterable
from typing import Any

import toolkit
from toolkit.present import escape

MANIFEST_NAME = "manifest.json"

#: How the runner's temporary files and folders are named: ``.keepitlocal-<name>.<x>.tmp``.
TEMP_PREFIX, TEMP_SUFFIX = ".keepitlocal-", ".tmp"
INDEX_NAME = "index.html"

#: Packages whose versions can change a pack, recorded in the manifest and in every key.
VERSIONED_PACKAGES = ("pandas", "numpy", "matplotlib", "openpyxl", "PyYAML", "papermill",
                      "nbconvert", "nbformat", "nbclient", "jupytext", "ipykernel",
                      "weasyprint", "pydyf")


# ---------------------------------------------------------------------------- writing


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    Parameters
    ----------
    path : pathlib.Path
        The file or folder.
    data : bytes
        The bytes to write.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f"{TEMP_PREFIX}{path.name}.",
                                   suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(tmp, 0o666 & ~_umask())  # as an ordinary file, not mkstemp's owner-only
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    """Return the process's file-creation mask (without changing it)."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_text(path: Path, text: str) -> None:
    """Write ``text`` as UTF-8 to ``path`` through a temporary file.

    Parameters
    ----------
    path : pathlib.Path
        The file or folder.
    text : str
        The text.
    """
    atomic_write_bytes(path, text.encode("utf-8"))


def temporary_path(path: Path) -> Path:
    """Return a temporary name beside ``path`` (ending ``.tmp``) for writing then moving.

    Parameters
    ----------
    path : pathlib.Path
        The file or folder.

    Returns
    -------
    pathlib.Path
    """
    return path.with_name(f"{TEMP_PREFIX}{path.name}.{os.getpid()}{TEMP_SUFFIX}")


def temporary_folder(parent: Path, label: str) -> Path:
    """Make and return a new temporary folder in ``parent``, named as the runner's own.

    Parameters
    ----------
    parent : pathlib.Path
        Where to make it.
    label : str
        A file-safe word saying what it is for (a pack's slug, ``run``).

    Returns
    -------
    pathlib.Path
    """
    return Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{label}.", suffix=TEMP_SUFFIX,
                                 dir=parent))


def remove_temporary_files(folder: Path) -> int:
    """Remove the runner's own temporary files an interrupted run left in ``folder``.

    Only names the runner makes (``.keepitlocal-*.tmp``) are removed: a user's own
    ``.notes.tmp`` is left alone. Call it only while holding the folder's lock
    (:mod:`toolkit.packs.lock`), so that no other run's files are taken.

    Parameters
    ----------
    folder : pathlib.Path
        The folder to clean.

    Returns
    -------
    int
        How many were removed.
    """
    count = 0
    if folder.is_dir():
        for path in sorted(folder.rglob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"), reverse=True):
            with contextlib.suppress(OSError):
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
                count += 1
    return count


# ---------------------------------------------------------------------------- privacy


def public_text(text: str, folders: Iterable[str | Path]) -> str:
    """Return ``text`` with the folders of the user's machine taken out of the paths in it.

    Packs, the manifest and the logs name input files by file name (or by their path
    inside the registry's folder), never by where they are on the user's machine: each of
    ``folders`` is removed where a path starts with it, then the home folder is shown as
    ``~``.

    Parameters
    ----------
    text : str
        A message, a path, or a log.
    folders : iterable of path-like
        The folders to take out (the registry's, each input's).

    Returns
    -------
    str
    """
    for folder in sorted({str(f) for f in folders}, key=len, reverse=True):
        if len(folder) > 1:
            text = text.replace(folder + os.sep, "")
    home = str(Path.home())
    if len(home) > 1:
        text = text.replace(home + os.sep, "~" + os.sep)
    return text


def public_paths(value: Any, folders: Iterable[str | Path]) -> Any:
    """Return JSON-ready ``value`` with :func:`public_text` applied to every string in it.

    A string that is still an absolute path afterwards (a file outside those folders) is
    cut to its file name.

    Parameters
    ----------
    value : object
        Dictionaries, lists, strings and numbers.
    folders : iterable of path-like
        The folders to take out.

    Returns
    -------
    object
    """
    folders = list(folders)
    if isinstance(value, dict):
        return {k: public_paths(v, folders) for k, v in value.items()}
    if isinstance(value, list):
        return [public_paths(v, folders) for v in value]
    if isinstance(value, str):
        text = public_text(value, folders)
        return Path(text).name if os.path.isabs(text) and "\n" not in text else text
    return value


# ---------------------------------------------------------------------------- hashing


def file_digest(path: Path) -> str:
    """Return the SHA-256 of a file, or of every file in a folder (a CSV workbook).

    Parameters
    ----------
    path : pathlib.Path
        The file or folder.

    Returns
    -------
    str
        Hex digest; ``"missing"`` when the path does not exist.
    """
    path = Path(path)
    if path.is_dir():
        digest = hashlib.sha256()
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            digest.update(str(child.relative_to(path)).encode())
            digest.update(file_digest(child).encode())
        return digest.hexdigest()
    if not path.exists():
        return "missing"
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def text_digest(text: str) -> str:
    """Return the SHA-256 of a text.

    Parameters
    ----------
    text : str
        The text.

    Returns
    -------
    str
    """
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def code_digest() -> str:
    """Return one hash of the toolkit's source and data files (its code, as it runs).

    Returns
    -------
    str
    """
    root = package_folder()
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
            digest.update(str(path.relative_to(root)).encode())
            digest.update(file_digest(path).encode())
    return digest.hexdigest()


def package_versions() -> dict[str, str]:
    """Return the versions of Python, the toolkit and the packages that make packs.

    Returns
    -------
    dict
    """
    versions = {"python": platform.python_version(), "toolkit": toolkit.__version__}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def pack_key(facts: dict[str, Any]) -> str:
    """Return the hash of everything that can change a pack.

    Parameters
    ----------
    facts : dict
        JSON-serialisable: inputs with hashes, settings, notebook and code hashes,
        versions, parameters.

    Returns
    -------
    str
    """
    return text_digest(json.dumps(facts, sort_keys=True, default=str))


# ---------------------------------------------------------------------------- manifest


def read_manifest(out_dir: Path) -> dict:
    """Return the manifest of an earlier run in ``out_dir`` (empty if none or unreadable).

    Parameters
    ----------
    out_dir : pathlib.Path
        The packs folder.

    Returns
    -------
    dict
        With ``packs``: a mapping of pack id to its entry.
    """
    path = Path(out_dir) / MANIFEST_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return {"packs": {}}
    if not isinstance(data, dict) or not isinstance(data.get("packs"), dict):
        return {"packs": {}}
    return data


def write_manifest(out_dir: Path, entries: dict[str, dict], run: dict) -> Path:
    """Write ``manifest.json``: the run's facts and one entry per pack.

    Parameters
    ----------
    out_dir : pathlib.Path
        The packs folder.
    entries : dict
        Pack id to its entry.
    run : dict
        Facts about the run (time, versions, workers, timings).

    Returns
    -------
    pathlib.Path
    """
    path = Path(out_dir) / MANIFEST_NAME
    body = {"generator": "keepitlocal packs", "written": now_text(), "run": run,
            "packs": dict(sorted(entries.items()))}
    atomic_write_text(path, json.dumps(body, indent=2, sort_keys=False, default=str) + "\n")
    return path


def now_text() -> str:
    """Return the time now in UTC as ISO 8601 text."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


# ---------------------------------------------------------------------------- index


KIND_HEADINGS = (
    ("network", "Across all authorities"),
    ("authority", "Local authorities"),
    ("organisation", "Organisations"),
    ("appraisal", "Options appraisals"),
)


def _index_row(entry: dict, out_dir: Path) -> str:
    outputs = entry.get("outputs", {})
    links = []
    for label, key in (("HTML", "html"), ("PDF", "pdf")):
        if outputs.get(key) and (out_dir / outputs[key]).exists():
            links.append(f"<a href='{escape(outputs[key])}'>{label}</a>")
    for csv in outputs.get("tables", []):
        if (out_dir / csv).exists():
            name = Path(csv).stem.split("__", 1)[-1]
            links.append(f"<a href='{escape(csv)}'>{escape(name)}.csv</a>")
    status = entry.get("status", "unknown")
    # Only the first line: the lines after it may quote cells of the inputs.
    reason = (entry.get("reason") or "").splitlines()[0] if entry.get("reason") else ""
    return (f"<tr><td>{escape(entry.get('title') or entry.get('id'))}</td>"
            f"<td><code>{escape(entry.get('id'))}</code></td>"
            f"<td class='status-{escape(status)}'>{escape(status)}</td>"
            f"<td>{' · '.join(links) or '—'}</td><td>{escape(reason)}</td></tr>")


def index_html(entries: dict[str, dict], out_dir: Path, css: str, fictional: bool) -> str:
    """Return the index page linking every pack, its PDF and its tables.

    Parameters
    ----------
    entries : dict
        Pack id to manifest entry.
    out_dir : pathlib.Path
        The packs folder (links are relative to it).
    css : str
        The pack style sheet.
    fictional : bool
        Whether any pack is made from fictional data (a banner says so).

    Returns
    -------
    str
    """
    sections = []
    for kind, heading in KIND_HEADINGS:
        rows = [_index_row(e, out_dir) for _, e in sorted(entries.items())
                if e.get("kind") == kind]
        if rows:
            sections.append(
                f"<h2>{escape(heading)}</h2><table class='index'><thead><tr><th>Pack</th>"
                "<th>Id</th><th>Status</th><th>Files</th><th>Note</th></tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table>")
    banner = ("<div class='banner' role='note'>Some packs are made from fictional sample data: "
              "made up for training.</div>" if fictional else "")
    return ("<!DOCTYPE html>\n<html lang='en-GB'><head><meta charset='utf-8'>"
            "<title>Keep It Local evidence packs</title>"
            f"<style>{css}</style></head><body>{banner}<main>"
            "<h1>Keep It Local evidence packs</h1>"
            f"<p class='note'>Made {escape(now_text())} by keepitlocal "
            f"{escape(toolkit.__version__)}."
            f" The manifest (<a href='{MANIFEST_NAME}'>{MANIFEST_NAME}</a>) records each pack's"
            " inputs, settings, versions and timings.</p>"
            f"{''.join(sections) or '<p>No packs.</p>'}</main></body></html>\n")
