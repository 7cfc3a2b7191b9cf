"""Each browser session's own temporary folder, and upload names that never become paths.

Voilà starts one kernel per browser session. :func:`session_folder` gives that kernel a
folder of its own under :func:`sessions_root`, named after the kernel's process id, made on
first use (readable only by the user running the app) and removed when the kernel process
ends: an ``atexit`` hook removes it when the kernel shuts down (Voilà shuts a kernel down
when its page is closed, or when it has been idle for the cull timeout), and
:func:`remove_dead_sessions`, run when the server starts, removes the folders of kernels
that were killed before their hook could run.
"""

from __future__ import annotations

import atexit
import os
import re
import shutil
import tempfile
from pathlib import Path

#: Environment variable naming the folder that holds every session's folder (tests and
#: servers sharing a machine set it); by default a folder in the system's temporary folder.
ROOT_VARIABLE = "KEEPITLOCAL_APP_SESSIONS"

#: Longest slug kept from an upload's name.
LONGEST_NAME = 60

_folder: Path | None = None


def sessions_root() -> Path:
    """Return the folder that holds every session's folder (made if absent).

    Returns
    -------
    pathlib.Path
        ``$KEEPITLOCAL_APP_SESSIONS`` when set, else ``keepitlocal-app-sessions`` in the
        system's temporary folder.
    """
    root = os.environ.get(ROOT_VARIABLE)
    path = Path(root) if root else Path(tempfile.gettempdir()) / "keepitlocal-app-sessions"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def session_folder() -> Path:
    """Return this kernel's own temporary folder, made on first use.

    The folder is ``<sessions_root>/session-<pid>-<random>``; it is removed when this
    process ends (``atexit``), or at the next server start if the process was killed.

    Returns
    -------
    pathlib.Path
    """
    global _folder
    if _folder is None or not _folder.is_dir():
        _folder = Path(tempfile.mkdtemp(prefix=f"session-{os.getpid()}-", dir=sessions_root()))
        atexit.register(shutil.rmtree, _folder, ignore_errors=True)
    return _folder


def owner_pid(folder: Path) -> int | None:
    """Return the process id a session folder's name records, or ``None``."""
    match = re.fullmatch(r"session-(\d+)-.*", folder.name)
    return int(match.group(1)) if match else None


def remove_dead_sessions(root: Path | None = None) -> list[Path]:
    """Remove the session folders whose kernel process is no longer running.

    Parameters
    ----------
    root : pathlib.Path, optional
        The folder of session folders; by default :func:`sessions_root`.

    Returns
    -------
    list of pathlib.Path
        The folders removed.
    """
    import psutil

    removed = []
    for folder in sorted((root or sessions_root()).glob("session-*")):
        pid = owner_pid(folder)
        if folder.is_dir() and pid is not None and not psutil.pid_exists(pid):
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
    return removed


def safe_name(upload_name: str, suffix: str) -> str:
    """Return a file name made from an upload's name that can never be a path.

    Only the last part of the name is used (after any slash or backslash), reduced to lower-case
    letters, digits and single hyphens, at most 60 characters, then ``suffix`` is added: the
    suffix the content was recognised as, not the one the user's name gives.

    Parameters
    ----------
    upload_name : str
        The name the browser sent, such as ``"../../Our year (final).xlsx"``.
    suffix : str
        Such as ``".xlsx"`` or ``"csv"``: letters and digits only, at most 8.

    Returns
    -------
    str
        Such as ``"our-year-final.xlsx"``; ``"upload.xlsx"`` when the name has no letters
        or digits.

    Raises
    ------
    ValueError
        When ``suffix`` is not letters and digits (a programming error, not the user's).
    """
    extension = suffix.lower().lstrip(".")
    if not re.fullmatch(r"[a-z0-9]{1,8}", extension):
        raise ValueError(f"not a file suffix: {suffix!r}")
    last = re.split(r"[/\\]", str(upload_name))[-1]
    stem = last.rsplit(".", 1)[0] if "." in last.strip(".") else last
    slug = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:LONGEST_NAME].strip("-")
    return f"{slug or 'upload'}.{extension}"
