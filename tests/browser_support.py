"""What the browser tests share: Chromium, a quiet local server, a watched page and axe.

Used by ``tests/test_book_browser.py`` (the course site) and ``tests/test_packs_browser.py``
(the HTML packs). Importing this module starts nothing; the tests skip, saying why, when
Chromium or playwright is absent.
"""

from __future__ import annotations

import http.server
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE = ROOT / "_widgets" / "test" / "axe.min.js"
AXE_RULES = ["color-contrast", "image-alt", "heading-order", "document-title", "html-has-lang",
             "html-lang-valid", "link-name", "button-name", "page-has-heading-one",
             "empty-heading", "summary-name", "label", "aria-input-field-name"]


def chromium_browser():
    """Yield a launched headless Chromium (for a fixture), and close it afterwards."""
    from playwright import sync_api

    playwright = sync_api.sync_playwright().start()
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
    playwright.stop()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 (the standard library's name)
        pass


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


def axe_violations(page, rules=AXE_RULES) -> list[str]:
    """Run axe-core's chosen rules on a loaded page; one line per rule broken."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (rules) => {
            const result = await axe.run(document, {runOnly: {type: "rule", values: rules}});
            return result.violations.map(v => `${v.id} (${v.nodes.length}): ` +
                v.nodes.slice(0, 3).map(n => n.target.join(" ")).join("; "));
        }""", rules)
