"""Problems found in inputs, collected and reported in plain English.

A :class:`Problem` names the file, sheet, row and column of what was wrong, the value
found and what was expected. A :class:`Report` collects problems so that a user sees
all of them at once, not only the first.
"""

from __future__ import annotations

import errno
from dataclasses import asdict, dataclass, field


class InputError(ValueError):
    """An input the user must fix. Its message is meant for the user, not a developer."""


#: Why a file could not be written or read, in plain words, by ``errno``.
FILE_TROUBLES = {
    errno.EROFS: "the disk is read-only",
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "your disk quota is full",
    errno.EACCES: "you may not write or read there",
    errno.EPERM: "you may not write or read there",
    errno.EISDIR: "it is a folder, not a file",
    errno.ENOTDIR: "part of the path is a file, not a folder",
    errno.EEXIST: "a file of that name stands where a folder is needed",
    errno.ENAMETOOLONG: "the name is too long",
}


def file_trouble_text(exc: OSError, path=None) -> str | None:
    """Return a plain message for a file that could not be written or read, or None.

    Parameters
    ----------
    exc : OSError
        The failure (with ``errno`` and usually ``filename``).
    path : path-like, optional
        What was being written, when ``exc`` does not say.

    Returns
    -------
    str or None
        Such as "Could not write packs/manifest.json: the disk is full. ..."; None for
        failures that are not the user's to fix.
    """
    why = FILE_TROUBLES.get(exc.errno)
    if why is None:
        return None
    where = exc.filename or path or "a file"
    fix = {errno.ENOSPC: "Free some space, or choose another folder (--out), then run again.",
           errno.EDQUOT: "Free some space, or choose another folder (--out), then run again.",
           errno.EROFS: "Choose a folder on a disk you can write to (--out), then run again.",
           errno.EISDIR: "Give a file name, not a folder.",
           errno.ENOTDIR: "Check the path: a file stands where a folder should be.",
           errno.EEXIST: "Check the path: a file stands where a folder should be.",
           }.get(exc.errno, "Choose another folder or file, then run again.")
    return f"Could not use {where}: {why}. {fix}"


@dataclass(frozen=True)
class Problem:
    """One thing wrong, or worth a look, in an input.

    Parameters
    ----------
    severity : {"error", "warning", "notice"}
        Errors stop the analysis; warnings and notices do not.
    message : str
        Plain-English description of what was found and what to do.
    file, sheet, column : str or None
        Where it was found. ``sheet`` is the Excel sheet or the CSV file name.
    row : int or None
        The row number as the user sees it (Excel row, or CSV line).
    value : str or None
        The value found, as text.
    expected : str or None
        What was expected instead.
    """

    severity: str
    message: str
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    value: str | None = None
    expected: str | None = None

    def location(self) -> str:
        """Return where the problem is, such as ``book.xlsx, sheet 'Income', row 4``."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet '{self.sheet}'")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column '{self.column}'")
        return ", ".join(parts)

    def text(self) -> str:
        """Return the problem as one line of plain English."""
        where = self.location()
        line = f"{self.severity.upper()}: {where + ': ' if where else ''}{self.message}"
        if self.value is not None:
            line += f" Found: {self.value!r}."
        if self.expected:
            line += f" Expected: {self.expected}."
        return line


@dataclass
class Report:
    """A collection of problems found while reading or checking inputs."""

    problems: list[Problem] = field(default_factory=list)

    def add(self, severity: str, message: str, **where) -> None:
        """Add one problem; ``where`` takes the keyword fields of :class:`Problem`."""
        if severity not in {"error", "warning", "notice"}:
            raise ValueError(f"severity must be error, warning or notice, not {severity!r}")
        self.problems.append(Problem(severity, message, **where))

    def error(self, message: str, **where) -> None:
        """Add an error: something that stops the analysis."""
        self.add("error", message, **where)

    def warning(self, message: str, **where) -> None:
        """Add a warning: something the user should look at; the analysis goes on."""
        self.add("warning", message, **where)

    def notice(self, message: str, **where) -> None:
        """Add a notice: a correction made, reported so nothing changes silently."""
        self.add("notice", message, **where)

    def extend(self, other: Report) -> None:
        """Add every problem of ``other``."""
        self.problems.extend(other.problems)

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop the analysis."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems worth a look that do not stop the analysis."""
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def notices(self) -> list[Problem]:
        """Corrections made while reading."""
        return [p for p in self.problems if p.severity == "notice"]

    @property
    def ok(self) -> bool:
        """Whether there are no errors."""
        return not self.errors

    def text(self) -> str:
        """Return every problem, errors first, one per line, with a closing count."""
        order = {"error": 0, "warning": 1, "notice": 2}
        lines = [p.text() for p in sorted(self.problems, key=lambda p: order[p.severity])]
        lines.append(
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s), "
            f"{len(self.notices)} notice(s)."
        )
        return "\n".join(lines)

    def to_list(self) -> list[dict]:
        """Return the problems as dictionaries, for JSON."""
        return [asdict(p) for p in self.problems]

    def raise_if_errors(self, what: str) -> None:
        """Raise :class:`InputError` listing the errors, if there are any."""
        if self.errors:
            body = "\n".join(p.text() for p in self.errors)
            raise InputError(f"{what} has {len(self.errors)} error(s):\n{body}")
