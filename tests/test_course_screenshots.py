"""The course's screenshots of the app: each one the chapter shows is known, kept and described.

The browser walks (``tests/test_app_browser.py``) check that each view still has the controls
its screenshot shows (``tests/app_screenshots.py``); these quick tests check the other side:
that the chapter shows only screenshots the walks check, that each is in git, and that each
has alt text naming its controls.
"""

from __future__ import annotations

import re

import pytest
from app_screenshots import CHAPTER, IMAGES, SCREENSHOTS, image

FIGURE = re.compile(r"```\{figure\} \.\./images/app-([a-z-]+)\.png\n:alt: (.+)\n")


def shown_in_chapter() -> dict[str, str]:
    """Screenshot name to its alt text, for every app screenshot the chapter shows."""
    return dict(FIGURE.findall(CHAPTER.read_text(encoding="utf-8")))


def test_the_chapter_shows_only_screenshots_the_walks_check():
    shown = shown_in_chapter()
    assert len(shown) >= 7
    assert set(shown) <= set(SCREENSHOTS), set(shown) - set(SCREENSHOTS)


def test_every_screenshot_the_walks_check_is_shown_and_kept():
    shown = shown_in_chapter()
    for name in SCREENSHOTS:
        assert name in shown, f"app-{name}.png is checked but no page shows it"
        assert image(name).is_file() and image(name).stat().st_size > 10_000
    stale = {p.stem.removeprefix("app-") for p in IMAGES.glob("app-*.png")} - set(SCREENSHOTS)
    assert not stale, f"screenshots no walk makes: {stale}"


@pytest.mark.parametrize("name", sorted(SCREENSHOTS))
def test_alt_text_names_the_buttons_it_shows(name):
    alt = shown_in_chapter()[name].lower()
    buttons = [c for c in SCREENSHOTS[name].controls
               if c in {"Make a blank workbook", "Check my workbook", "Show the figures",
                        "Make the pack (HTML, PDF and tables)"}]
    for button in buttons:
        assert button.lower() in alt, f"the alt text of app-{name}.png omits {button!r}"
