"""The app's screenshots in the course, and the controls each one shows.

The course chapter *Your own pack in an hour* (``book/anchors/own-pack-in-the-app.md``) shows
each step of the app with a screenshot, ``book/images/app-NAME.png``. The browser walks in
``tests/test_app_browser.py`` reach each of those views, and at each one :func:`shoot` checks
that the part of the page the screenshot shows still has the controls (buttons, boxes, words)
listed here, so a changed page is noticed even when no screenshot is taken. With
``KEEPITLOCAL_APP_SCREENSHOTS`` set to a folder (``make screenshots`` sets it to
``book/images``), :func:`shoot` also saves the screenshot.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "book" / "images"
CHAPTER = ROOT / "book" / "anchors" / "own-pack-in-the-app.md"


@dataclass(frozen=True)
class Shot:
    """One screenshot: the part of the page it shows and what must be on it."""

    selector: str | None  # CSS of the part shown; None for the top of the page
    controls: tuple[str, ...]  # words each control shows (a button's label, a box's title)


SCREENSHOTS: dict[str, Shot] = {
    "organisation-start": Shot(None, (
        "Your organisation's pack", "1. Start with a blank workbook", "Make a blank workbook",
        "2. Or fill it from your exports", "Accounting transactions")),
    "organisation-import": Shot(".kil-step-2", (
        "Fill a workbook from these exports", "the file's columns were not recognised",
        "Txn date", "Payee", "Net", "Download the workbook made from your exports")),
    "organisation-problems": Shot(".kil-step-3", (
        "Your filled workbook (.xlsx)", "Check my workbook", "Error", "row 3",
        "Amount (£)", "must be fixed first")),
    "organisation-area": Shot(".kil-step-4", (
        "4. Choose your area", "A council", "Bradford", "Show the figures")),
    "organisation-figures": Shot(".kil-figures-out", (
        "Local multiplier", "full range", "Evidenced or assumed", "partly assumed")),
    "organisation-whatif": Shot(".kil-whatif", ("premises", "LM3", "Today")),
    "organisation-pack": Shot(".kil-step-7", (
        "Make the pack (HTML, PDF and tables)", "Download the pack (zip", "A4 PDF")),
    "spending-results": Shot(".kil-results-out", ("Top suppliers", "Local share")),
    "options-results": Shot(".kil-results-out", (
        "Switching value", "a premium of", "Tender score")),
}


def image(name: str) -> Path:
    """Return where the course keeps screenshot ``name``."""
    return IMAGES / f"app-{name}.png"


def shoot(page, name: str) -> Path | None:
    """Check that the view shows its controls; save its screenshot where asked.

    Parameters
    ----------
    page : playwright.sync_api.Page
        The app's page, at the view the screenshot shows.
    name : str
        A key of :data:`SCREENSHOTS`.

    Returns
    -------
    pathlib.Path or None
        The screenshot saved, or None when ``KEEPITLOCAL_APP_SCREENSHOTS`` is not set.
    """
    shot = SCREENSHOTS[name]
    target = page.locator(shot.selector).first if shot.selector else page.locator("body")
    shown = " ".join(target.inner_text().split()).lower()
    missing = [c for c in shot.controls if " ".join(c.split()).lower() not in shown]
    assert not missing, f"the view of screenshot {name!r} no longer shows {missing}"
    folder = os.environ.get("KEEPITLOCAL_APP_SCREENSHOTS")
    if not folder:
        return None
    path = Path(folder) / f"app-{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    # A tall window for a part, so that all of it is drawn; the top of the page otherwise.
    page.set_viewport_size({"width": 1200, "height": 1600 if shot.selector else 800})
    target = page.locator(shot.selector).first if shot.selector else page
    target.screenshot(path=str(path))
    return path
