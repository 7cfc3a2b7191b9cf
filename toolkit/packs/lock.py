"""One pack run at a time in an output folder: a lock file, created exclusively.

Two ``keepitlocal packs`` runs writing into one folder would remove each other's temporary
files and the last to finish would overwrite the other's manifest. The first run creates
``.keepitlocal-packs.lock`` in the folder with ``os.open(..., O_CREAT | O_EXCL)``, which
either creates the file or fails when it exists, on every system and on network drives
(unlike ``fcntl`` locks), and writes in it its process id, host and start time. A second
run finds the file and refuses at once, naming the running one. A lock whose process is no
longer running on this host (a run that was killed) is recognised and taken over.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from toolkit.inputs.errors import InputError

LOCK_NAME = ".keepitlocal-packs.lock"

#: A lock file without a process id this recent belongs to a run still writing it.
STARTING_SECONDS = 30


def _seconds_old(path: Path) -> float:
    """Return how long ago ``path`` was last written (0 when it is gone)."""
    try:
        return datetime.now(UTC).timestamp() - path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _holder_text(holder: dict) -> str:
    """Return who holds a lock, in plain words."""
    host = holder.get("host")
    where = f" on {host}" if host and host != socket.gethostname() else ""
    return (f"process {holder.get('pid', '?')}{where}, started {holder.get('started', '?')}")


def _read_holder(path: Path) -> dict | None:
    """Return the lock file's contents, or None when it is gone; {} when unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _is_running(pid: int) -> bool:
    """Return whether a process with this id runs on this machine.

    On Windows ``os.kill(pid, 0)`` would send Ctrl-C, so the process is opened instead.
    """
    if os.name == "nt":  # pragma: no cover - not tested on Linux
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # query limited info
        if handle:
            ctypes.windll.kernel32.CloseHandle(handle)
        return bool(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    except OSError:
        return False
    return True


def is_stale(holder: dict) -> bool:
    """Return whether a lock was left by a run that died (its process is gone).

    Parameters
    ----------
    holder : dict
        The lock file's contents: ``pid``, ``host``, ``started``.

    Returns
    -------
    bool
        True when the lock was taken on this host by a process that no longer runs, or the
        file holds no process id (a run killed while writing it). A lock taken on another
        host is never taken over: its process cannot be seen from here.
    """
    pid = holder.get("pid")
    if not isinstance(pid, int):
        return True
    if holder.get("host") not in (None, socket.gethostname()):
        return False
    return pid != os.getpid() and not _is_running(pid)


def acquire(out_dir: Path) -> Path:
    """Take the lock on ``out_dir``, taking over a stale one.

    Parameters
    ----------
    out_dir : pathlib.Path
        The packs folder (it must exist).

    Returns
    -------
    pathlib.Path
        The lock file.

    Raises
    ------
    InputError
        When another run holds the lock, naming it (process id, start time).
    """
    path = Path(out_dir) / LOCK_NAME
    me = {"pid": os.getpid(), "host": socket.gethostname(),
          "started": datetime.now(UTC).replace(microsecond=0).isoformat()}
    for _ in range(3):
        try:
            handle = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            holder = _read_holder(path)
            if holder is None:
                continue  # released meanwhile: try again
            if "pid" not in holder and _seconds_old(path) < STARTING_SECONDS:
                raise InputError(f"Another 'keepitlocal packs' run is starting in {out_dir}. "
                                 "Wait for it to finish, or give this run another --out "
                                 "folder.") from None
            if not is_stale(holder):
                raise InputError(
                    f"Another 'keepitlocal packs' run is writing to {out_dir} "
                    f"({_holder_text(holder)}). Wait for it to finish, or give this run "
                    f"another --out folder. If no such run exists, delete {path}.") from None
            with contextlib.suppress(FileNotFoundError):
                path.unlink()  # a run that died left it: take it over
            continue
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(me, out)
        return path
    raise InputError(f"Could not take the lock {path}: other runs keep taking it. Try again.")


def release(path: Path) -> None:
    """Remove the lock file, if it is still this process's.

    Parameters
    ----------
    path : pathlib.Path
        The lock file :func:`acquire` returned.
    """
    holder = _read_holder(path)
    if holder is not None and holder.get("pid") == os.getpid():
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


@contextlib.contextmanager
def locked(out_dir: Path) -> Iterator[Path]:
    """Hold the lock on ``out_dir`` for the length of a ``with`` block.

    Parameters
    ----------
    out_dir : pathlib.Path
        The packs folder.

    Yields
    ------
    pathlib.Path
        The lock file.
    """
    path = acquire(out_dir)
    try:
        yield path
    finally:
        release(path)
