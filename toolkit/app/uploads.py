"""Files uploaded through the app: checked by size and by content, kept in the session folder.

An ipywidgets 8 ``FileUpload`` gives its value as a tuple of dictionaries with ``name``,
``type``, ``size`` and ``content`` (a ``memoryview``). :func:`read_upload` checks one such
entry against the ``app.max_upload_mb`` setting and against what its bytes are (never its
name or the browser's type), writes it into :func:`toolkit.app.session.session_folder`
under :func:`toolkit.app.session.safe_name`, and returns an :class:`Upload`. Anything else
raises :class:`UploadError`, whose message is for the user.

What the content must be
------------------------
xlsx
    A zip archive holding ``[Content_Types].xml`` and an ``xl/`` folder (Office Open XML,
    ECMA-376 Part 2). A workbook saved with a password is an OLE compound file holding an
    ``EncryptedPackage`` stream (MS-OFFCRYPTO) and is named as password-protected; an older
    ``.xls`` (an OLE file without it) is asked to be saved as ``.xlsx``.
csv
    Text that decodes as UTF-8 (with or without a byte-order mark) or Windows-1252, holds no
    NUL bytes, and has a comma, semicolon, tab or bar in its first non-blank line.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from toolkit.app.session import safe_name, session_folder
from toolkit.inputs.errors import InputError

#: The first eight bytes of an OLE compound file (old .xls, or an encrypted workbook).
OLE_SIGNATURE = bytes.fromhex("d0cf11e0a1b11ae1")

#: Delimiters a CSV file may use.
DELIMITERS = ",;\t|"

#: Text encodings tried, in order.
ENCODINGS = ("utf-8-sig", "cp1252")

#: What each kind is called in messages.
KIND_NAMES = {"xlsx": "an Excel workbook (.xlsx)", "csv": "a CSV file (.csv)"}


class UploadError(InputError):
    """An uploaded file the app cannot use; the message says why, for the user."""


@dataclass(frozen=True)
class Upload:
    """One checked upload, saved in the session's folder.

    Parameters
    ----------
    path : pathlib.Path
        Where it was saved (a safe name inside the session folder).
    name : str
        The name the user's browser gave (for display only; never used as a path).
    kind : str
        What its content is: ``xlsx`` or ``csv``.
    size : int
        Its size in bytes.
    encoding : str or None
        A CSV file's text encoding; ``None`` for a workbook.
    """

    path: Path
    name: str
    kind: str
    size: int
    encoding: str | None = None


def max_upload_mb(settings=None) -> float:
    """Return the largest upload allowed, in MB, from the ``app.max_upload_mb`` setting.

    Parameters
    ----------
    settings : toolkit.inputs.settings.Settings, optional
        Settings to read; by default the shipped defaults.

    Returns
    -------
    float
    """
    from toolkit.inputs.settings import load_settings

    return float((settings or load_settings()).value("app.max_upload_mb"))


def _one_entry(value) -> dict:
    """Return the single file entry of a ``FileUpload`` value (a tuple, or one dict)."""
    if isinstance(value, dict):
        return value
    entries = list(value or ())
    if not entries:
        raise UploadError("No file was chosen: choose a file, then upload it.")
    if len(entries) > 1:
        raise UploadError(f"{len(entries)} files were chosen here; this box takes one file.")
    return entries[0]


def is_workbook(content: bytes) -> bool:
    """Return whether ``content`` is an Office Open XML workbook (a zip with ``xl/``)."""
    if not zipfile.is_zipfile(io.BytesIO(content)):
        return False
    try:
        names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    except zipfile.BadZipFile:
        return False
    return "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names)


def is_encrypted_workbook(content: bytes) -> bool:
    """Return whether ``content`` is a password-protected Office file (MS-OFFCRYPTO)."""
    return content[:8] == OLE_SIGNATURE and "EncryptedPackage".encode("utf-16-le") in content


def decode_text(content: bytes) -> tuple[str, str] | None:
    """Return ``(text, encoding)`` when ``content`` is text in a known encoding, else None."""
    if b"\x00" in content[:65536]:
        return None
    for encoding in ENCODINGS:
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None


#: How many lines a table's header may sit below titles (the readers search as far).
HEADER_SEARCH_LINES = 20


def has_delimiter(text: str) -> bool:
    """Return whether ``text`` can be a delimited table (CSV, semicolons, tabs or bars).

    Exports and council payments files often open with title lines that have no delimiter
    (Xero's "Account Transactions", a council's name and period), so it is enough that one
    of the first :data:`HEADER_SEARCH_LINES` non-blank lines has a delimiter: the reader
    then finds the header and reports any row it cannot use.
    """
    lines = [line for line in text.splitlines() if line.strip()][:HEADER_SEARCH_LINES]
    return any(d in line for line in lines for d in DELIMITERS)


def what_it_is(content: bytes) -> str:
    """Return what the bytes are, in words, for a message when they are not what was asked."""
    if is_encrypted_workbook(content):
        return "a password-protected workbook"
    if content[:8] == OLE_SIGNATURE:
        return "an old-style Excel 97-2003 (.xls) or Word file"
    if is_workbook(content):
        return "an Excel workbook"
    if zipfile.is_zipfile(io.BytesIO(content)):
        return "a zip file that is not an Excel workbook (perhaps a Word or OpenDocument file)"
    if content[:5] == b"%PDF-":
        return "a PDF document"
    if decode_text(content) is not None:
        return "text without commas, semicolons or tabs between columns"
    return "not a workbook or a text file"


def _check_kind(content: bytes, kinds: tuple[str, ...], name: str) -> tuple[str, str | None]:
    """Return ``(kind, encoding)`` of the first of ``kinds`` the content is, or raise."""
    if "xlsx" in kinds and is_workbook(content):
        return "xlsx", None
    if "csv" in kinds and not is_workbook(content):
        decoded = decode_text(content)
        if decoded is not None and has_delimiter(decoded[0]):
            return "csv", decoded[1]
    wanted = " or ".join(KIND_NAMES[k] for k in kinds)
    found = what_it_is(content)
    advice = ""
    if found == "a password-protected workbook":
        advice = " Open it in Excel, remove the password (File, Info, Protect Workbook), " \
                  "save it, and upload it again."
    elif found.startswith("an old-style"):
        advice = " Open it in Excel or LibreOffice and save it as an .xlsx workbook."
    raise UploadError(f"'{name}' is {found}, not {wanted}.{advice}")


def read_upload(value, kinds: Iterable[str] = ("xlsx",),
                limit_mb: float | None = None) -> Upload:
    """Check one uploaded file and save it in the session's folder.

    Parameters
    ----------
    value : tuple of dict, or dict
        A ``FileUpload.value`` holding one file, or one of its entries: ``name``,
        ``size`` and ``content`` (bytes or ``memoryview``).
    kinds : iterable of str
        What the file may be: ``"xlsx"``, ``"csv"``, or both such as ``("xlsx", "csv")``.
    limit_mb : float, optional
        The largest size allowed in MB (10^6 bytes); by default the ``app.max_upload_mb``
        setting.

    Returns
    -------
    Upload

    Raises
    ------
    UploadError
        When no file (or more than one) was given, it is too large or empty, or its content
        is none of ``kinds``; the message names the file and says what to do.
    """
    name, content, kind, encoding = _checked(_one_entry(value), tuple(kinds), limit_mb)
    return _save(name, content, kind, encoding, taken=())


def _checked(entry: dict, kinds: tuple[str, ...], limit_mb: float | None):
    """Return ``(name, content, kind, encoding)`` of a checked entry, or raise UploadError."""
    unknown = set(kinds) - set(KIND_NAMES)
    if not kinds or unknown:
        raise ValueError(f"kinds must be some of {sorted(KIND_NAMES)}, not {kinds!r}")
    name = str(entry.get("name") or "the file")
    content = bytes(entry.get("content") or b"")
    limit = max_upload_mb() if limit_mb is None else float(limit_mb)
    if len(content) > limit * 1_000_000:
        raise UploadError(f"'{name}' is {len(content) / 1_000_000:.1f} MB; the app takes files "
                          f"of up to {limit:g} MB.")
    if not content:
        raise UploadError(f"'{name}' is empty.")
    kind, encoding = _check_kind(content, kinds, name)
    return name, content, kind, encoding


def _save(name: str, content: bytes, kind: str, encoding: str | None,
          taken: Iterable[Path]) -> Upload:
    """Write a checked upload under its safe name, numbered when ``taken`` has that name."""
    path = session_folder() / safe_name(name, kind)
    number = 1
    while path in set(taken):
        number += 1
        path = path.with_name(f"{safe_name(name, kind).rsplit('.', 1)[0]}-{number}.{kind}")
    path.write_bytes(content)
    return Upload(path=path, name=name, kind=kind, size=len(content), encoding=encoding)


def read_uploads(value, kinds: Iterable[str] = ("csv",),
                 limit_mb: float | None = None) -> list[Upload]:
    """Check and save every file of a ``FileUpload(multiple=True)`` value.

    Every file is checked before any is saved; two files whose names give the same safe
    name are saved as ``name.csv``, ``name-2.csv``.

    Parameters
    ----------
    value : tuple of dict
        The widget's value.
    kinds, limit_mb
        As for :func:`read_upload`.

    Returns
    -------
    list of Upload

    Raises
    ------
    UploadError
        For the first file that cannot be used, naming it; or when no file was given.
    """
    entries = list(value or ())
    if not entries:
        raise UploadError("No file was chosen: choose one or more files, then upload them.")
    checked = [_checked(entry, tuple(kinds), limit_mb) for entry in entries]
    uploads: list[Upload] = []
    for name, content, kind, encoding in checked:
        uploads.append(_save(name, content, kind, encoding, [u.path for u in uploads]))
    return uploads
