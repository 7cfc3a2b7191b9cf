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
from urllib.parse import urlparse

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SEARCH_TERM = "multiplier"
AXE = ROOT / "_widgets" / "test" / "axe.min.js"
AXE_RULES = ["color-contrast", "image-alt", "heading-order", "document-title", "html-has-lang",
             "html-lang-valid", "link-name", "button-name", "page-has-heading-one",
             "empty-heading", "summary-name", "label", "aria-input-field-name"]

pytestmark = pytest.mark.browser

if not (SITE / "index.html").is_file():
    pytest.skip(f"the course site is not built ({SITE}/index.html absent): run `make book`",
                allow_module_level=True)
if not CHROMIUM.is_file():
    pytest.skip(f"{CHROMIUM} absent: install the Debian `chromium` package",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def toc_files(toc: dict) -> list[str]:
    """Every file named in a Jupyter Book `_toc.yml`, root first, in reading order."""
    found = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                found.append(entry["file"])
            walk(entry.get("sections"))
            walk(entry.get("chapters"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return found


TOC_PAGES = [f"{Path(f).with_suffix('')}.html"
             for f in toc_files(yaml.safe_load((ROOT / "_toc.yml").read_text()))]
WIDGET_PAGES = [p for p in TOC_PAGES
                if (SITE / p).is_file()
                and "application/vnd.jupyter.widget-view+json" in (SITE / p).read_text()]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the standard library's name)
        pass


@pytest.fixture(scope="module")
def base_url():
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    playwright = sync_api.sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


class PageWatch:
    """A browser page that records console errors, page errors, failed and off-site requests.

    ``opener`` is what makes the page: a browser, or a browser context (for dark mode).
    """

    def __init__(self, opener, base_url):
        self.base = urlparse(base_url)
        self.page = opener.new_page()
        self.errors: list[str] = []
        self.in_flight: set = set()
        self.page.on("request", lambda request: self.in_flight.add(request))
        self.page.on("requestfinished", lambda request: self.in_flight.discard(request))
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        self.page.on("requestfailed", self._failed)
        self.page.on("response", self._response)
        self.page.route("**/*", self._only_local)

    def _console(self, message):
        if message.type == "error":
            self.errors.append(f"console error: {message.text}")

    def _failed(self, request):
        self.in_flight.discard(request)
        self.errors.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response):
        if response.status >= 400:
            self.errors.append(f"HTTP {response.status}: {response.url}")

    def _only_local(self, route):
        url = urlparse(route.request.url)
        if url.scheme in ("data", "blob") or url.netloc == self.base.netloc:
            route.continue_()
        else:
            self.errors.append(f"off-site request blocked: {route.request.url}")
            route.abort()

    def settle(self, quiet_ms: int = 500, timeout_ms: int = 30_000) -> None:
        """Wait until no request has been in flight for `quiet_ms`.

        Chromium's own ``networkidle`` event is not used: on this site it sometimes never
        fires although every request has finished, which made the test fail by chance. This
        counts the page's requests itself and, on timeout, names the ones still pending.
        """
        quiet = waited = 0
        step = 100
        while quiet < quiet_ms:
            if waited >= timeout_ms:
                pending = sorted(r.url for r in self.in_flight)
                raise AssertionError(f"requests still pending after {timeout_ms} ms: {pending}")
            self.page.wait_for_timeout(step)
            waited += step
            quiet = quiet + step if not self.in_flight else 0

    def close(self):
        self.page.close()


@pytest.fixture
def watch(browser, base_url):
    w = PageWatch(browser, base_url)
    yield w
    w.close()


def test_toc_lists_pages():
    assert len(TOC_PAGES) >= 10
    missing = [p for p in TOC_PAGES if not (SITE / p).is_file()]
    assert not missing, f"pages in _toc.yml not built: {missing}"


def axe_violations(page, rules=AXE_RULES) -> list[str]:
    """Run axe-core's chosen rules on a loaded page; one line per rule broken."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (rules) => {
            const result = await axe.run(document, {runOnly: {type: "rule", values: rules}});
            return result.violations.map(v => `${v.id} (${v.nodes.length}): ` +
                v.nodes.slice(0, 3).map(n => n.target.join(" ")).join("; "));
        }""", rules)


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
