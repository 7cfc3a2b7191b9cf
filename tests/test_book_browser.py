"""The built course site, opened in headless Chromium as a reader would.

Needs the site built first (``make book``, output in ``_build/html``) and the Debian
``chromium`` package (``/usr/bin/chromium``); playwright drives it with
``executable_path`` and never downloads a browser of its own. Skips, saying why, when
either is absent. The site is served from a localhost ``http.server`` thread; any request
that would leave localhost is blocked and counted as a failure (the site must work offline).

Checks: every page in the table of contents loads without console errors or failed
requests, its images are present and have alt text, it passes axe-core's checks of contrast,
alt text, heading order, titles, language, link, button, toggle and form-field names (axe is
fetched with the site's scripts into ``_widgets/test/``, not into the site), every page keeps
its contrast in the theme's dark mode too, search finds a term, and the ipywidgets on the
widget pages render from the site's own copy of their JavaScript, each slider named.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest
from browser_support import (
    AXE,
    CHROMIUM,
    PageWatch,
    QuietHandler,
    axe_violations,
    chromium_browser,
)

from conftest import toc_files

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
SEARCH_TERM = "multiplier"
pytestmark = pytest.mark.browser

if not (SITE / "index.html").is_file():
    pytest.skip(f"the course site is not built ({SITE}/index.html absent): run `make book`",
                allow_module_level=True)
if not CHROMIUM.is_file():
    pytest.skip(f"{CHROMIUM} absent: install the Debian `chromium` package",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


TOC_PAGES = [f"{Path(f).with_suffix('')}.html"
             for f in toc_files()]
WIDGET_PAGES = [p for p in TOC_PAGES
                if (SITE / p).is_file()
                and "application/vnd.jupyter.widget-view+json" in (SITE / p).read_text()]


@pytest.fixture(scope="module")
def base_url():
    handler = functools.partial(QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    yield from chromium_browser()


@pytest.fixture
def watch(browser, base_url):
    w = PageWatch(browser, base_url)
    yield w
    w.close()


def test_toc_lists_pages():
    assert len(TOC_PAGES) >= 10
    missing = [p for p in TOC_PAGES if not (SITE / p).is_file()]
    assert not missing, f"pages in _toc.yml not built: {missing}"


@pytest.mark.parametrize("page_path", TOC_PAGES)
def test_page_loads_cleanly_and_accessibly(watch, base_url, page_path):
    watch.page.goto(base_url + page_path, wait_until="load")
    watch.settle()
    assert watch.page.locator("h1").count() >= 1, f"{page_path} has no title"
    broken = watch.page.eval_on_selector_all(
        "img", "imgs => imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src)")
    no_alt = watch.page.eval_on_selector_all(
        "img", "imgs => imgs.filter(i => !(i.alt || '').trim()).map(i => i.src)")
    assert not broken, f"{page_path}: images not loaded: {broken}"
    assert not no_alt, f"{page_path}: images without alt text: {no_alt}"
    assert not watch.errors, f"{page_path}:\n" + "\n".join(watch.errors)
    if AXE.is_file():  # fetched with the site's scripts; absent only if fetched by hand
        violations = axe_violations(watch.page)
        assert not violations, f"{page_path}:\n" + "\n".join(violations)


@pytest.fixture(scope="module")
def dark_mode(browser):
    """A browser context whose reader chose the theme's dark mode (as its switch stores it)."""
    context = browser.new_context(color_scheme="dark")
    context.add_init_script("localStorage.setItem('mode', 'dark');"
                            "localStorage.setItem('theme', 'dark');")
    yield context
    context.close()


@pytest.mark.parametrize("page_path", TOC_PAGES)
def test_page_is_readable_in_dark_mode(dark_mode, base_url, page_path):
    if not AXE.is_file():
        pytest.skip(f"{AXE} absent: run scripts/fetch_widgets_js.sh")
    watch = PageWatch(dark_mode, base_url)
    try:
        watch.page.goto(base_url + page_path, wait_until="load")
        watch.settle()
        theme = watch.page.evaluate("document.documentElement.dataset.theme")
        assert theme == "dark", f"{page_path}: dark mode did not take (theme {theme!r})"
        violations = axe_violations(watch.page, ["color-contrast"])
        assert not violations, f"{page_path} in dark mode:\n" + "\n".join(violations)
    finally:
        watch.close()


def test_accessibility_checker_is_present():
    assert AXE.is_file(), f"{AXE} absent: run scripts/fetch_widgets_js.sh"


def test_front_door_leads_to_the_course(watch, base_url):
    watch.page.goto(base_url, wait_until="load")
    watch.page.wait_for_url("**/book/intro.html", timeout=10_000)
    assert "Keep It Local" in watch.page.locator("h1").first.inner_text()
    assert not watch.errors, "\n".join(watch.errors)


def test_search_finds_a_term(watch, base_url):
    watch.page.goto(f"{base_url}search.html?q={SEARCH_TERM}", wait_until="load")
    results = watch.page.locator("ul.search li")
    # Sphinx says "Search finished" once every result is queued; each result's summary is
    # fetched afterwards, so wait for those requests too before reading the text.
    watch.page.get_by_text("Search finished").wait_for(timeout=20_000)
    watch.settle()
    assert results.count() >= 3
    assert SEARCH_TERM in watch.page.locator("ul.search").inner_text().lower()
    assert not watch.errors, "\n".join(watch.errors)


def test_some_pages_have_widgets():
    assert WIDGET_PAGES, "no page in the table of contents has an ipywidget"


@pytest.mark.parametrize("page_path", WIDGET_PAGES)
def test_widgets_render_from_the_site(watch, base_url, page_path):
    watch.page.goto(base_url + page_path, wait_until="load")
    views = watch.page.locator('script[type="application/vnd.jupyter.widget-view+json"]')
    rendered = watch.page.locator(".jupyter-widgets.widget-slider, .jupyter-widgets .widget-slider")
    rendered.first.wait_for(state="visible", timeout=20_000)
    assert views.count() >= 1
    assert watch.page.locator(".jupyter-widgets").count() >= views.count()
    assert not watch.errors, f"{page_path}:\n" + "\n".join(watch.errors)
    if AXE.is_file():  # now that the sliders are drawn, each must have a name
        violations = axe_violations(watch.page, ["aria-input-field-name"])
        assert not violations, f"{page_path}:\n" + "\n".join(violations)
