"""Messages on the app's pages: a Report's problems in plain words, and guarded callbacks.

Every error a user can cause shows as a message on the page, never a traceback:
:func:`guarded` wraps a widget callback so that an :class:`~toolkit.inputs.errors.InputError`
shows its own message, and any other exception a short apology, in the page's message
area; the unexpected ones are logged to the server's log with the exception's type and the
code's file, line and function only (never its message or values, which may hold personal
data from an upload).
"""

from __future__ import annotations

import functools
import html
import logging
import sys
import traceback
from pathlib import Path

from toolkit.inputs.errors import InputError

LOG = logging.getLogger("keepitlocal.app")

#: Order problems are shown in: errors first.
SEVERITY_ORDER = {"error": 0, "warning": 1, "notice": 2}

#: What each severity is called on the page.
SEVERITY_WORDS = {"error": "Error", "warning": "Warning", "notice": "Note"}

#: Shown for an exception the app did not expect.
UNEXPECTED = ("Something went wrong that the app did not expect ({kind}). Nothing you "
              "uploaded was changed. Try again; if it happens again, tell whoever runs the "
              "app: the server's log says where it happened.")

_area = None


def _place(problem) -> str:
    """Return where a problem is, with only the file's name (never a session path)."""
    parts = []
    if problem.file:
        parts.append(Path(str(problem.file)).name)
    if problem.sheet:
        parts.append(f"sheet '{problem.sheet}'")
    if problem.row is not None:
        parts.append(f"row {problem.row}")
    if problem.column:
        parts.append(f"column '{problem.column}'")
    return ", ".join(parts)


def problem_html(problem) -> str:
    """Return one problem as an escaped HTML list item."""
    text = problem.message
    if problem.value is not None:
        text += f" Found: {problem.value!r}."
    if problem.expected:
        text += f" Expected: {problem.expected}."
    place = _place(problem)
    where = f"{html.escape(place)}: " if place else ""
    return (f'<li class="kil-{problem.severity}"><strong>{SEVERITY_WORDS[problem.severity]}'
            f"</strong> {where}{html.escape(text)}</li>")


def show_problems(report) -> str:
    """Return a Report's problems as an HTML list in plain words, errors first, escaped.

    Parameters
    ----------
    report : toolkit.inputs.errors.Report
        The problems found (such as a workbook's ``wb.report``).

    Returns
    -------
    str
        A ``<div class="kil-problems">`` with a count of errors and warnings and one list
        item per problem, naming file, sheet, row and column; when there are none, a short
        line saying so.
    """
    problems = sorted(report.problems, key=lambda p: SEVERITY_ORDER[p.severity])
    if not problems:
        return '<div class="kil-problems"><p>No problems found.</p></div>'
    errors, warnings = len(report.errors), len(report.warnings)
    counts = f"{errors} error(s) to fix, {warnings} warning(s) to look at"
    if report.notices:
        counts += f", {len(report.notices)} note(s)"
    verdict = ("Fix the errors and upload the file again." if errors
               else "Nothing needs fixing; read the warnings before you go on.")
    items = "".join(problem_html(p) for p in problems)
    return (f'<div class="kil-problems"><p>{html.escape(counts)}. {verdict}</p>'
            f"<ul>{items}</ul></div>")


def message_html(text: str, severity: str = "error") -> str:
    """Return one plain message as escaped HTML (new lines kept as line breaks)."""
    body = "<br>".join(html.escape(line) for line in str(text).splitlines())
    return f'<div class="kil-message kil-{severity}" role="alert">{body}</div>'


def message_area():
    """Return the page's default message area (an ``ipywidgets.HTML``, one per kernel).

    A page displays it once, near its top; :func:`guarded` callbacks without a place of
    their own write their messages there.
    """
    global _area
    if _area is None:
        import ipywidgets

        _area = ipywidgets.HTML(value="")
    return _area


def server_log_line(exc: BaseException) -> str:
    """Return an exception as one log line: its type and where, never its message."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} in {f.name}"
                        for f in reversed(frames[-6:]))
    return f"unexpected {type(exc).__name__} in an app callback at {where or 'unknown'}"


def _log_unexpected(exc: BaseException) -> None:
    """Write the log line to the server's log (the kernel's real stderr, not the page)."""
    if not LOG.handlers:
        handler = logging.StreamHandler(sys.__stderr__)
        handler.setFormatter(logging.Formatter("[keepitlocal app] %(asctime)s %(message)s"))
        LOG.addHandler(handler)
        LOG.propagate = False
    LOG.error(server_log_line(exc))


def guarded(callback=None, *, into=None):
    """Wrap a widget callback so that its errors become messages on the page.

    Use as ``@guarded`` or ``@guarded(into=some_html_widget)``. Each call first clears the
    place's message. An :class:`~toolkit.inputs.errors.InputError` (an upload, a workbook,
    a setting the user can fix) shows its own message; any other exception shows a short
    apology naming only its type, and is logged to the server's log without personal data.
    The callback then returns ``None``.

    Parameters
    ----------
    callback : callable
        The function called by a widget (``on_click``, ``observe``...).
    into : object with a ``value`` attribute, optional
        Where messages go (an ``ipywidgets.HTML``); by default :func:`message_area`.

    Returns
    -------
    callable
    """
    if callback is None:
        return functools.partial(guarded, into=into)

    @functools.wraps(callback)
    def wrapper(*args, **kwargs):
        place = into if into is not None else message_area()
        place.value = ""
        try:
            return callback(*args, **kwargs)
        except InputError as exc:
            place.value = message_html(str(exc))
        except Exception as exc:  # noqa: BLE001 (every error becomes a message)
            _log_unexpected(exc)
            place.value = message_html(UNEXPECTED.format(kind=type(exc).__name__))
        return None

    return wrapper
