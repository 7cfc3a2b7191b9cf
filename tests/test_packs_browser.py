"""The HTML packs, opened in headless Chromium and checked with axe-core as the course is.

One sample pack of each kind (the ``sample_packs`` fixture in ``conftest.py``) is served
from a localhost thread; every pack must load with no console error and no request leaving
localhost, every image must have alt text, and axe's rules (``browser_support.AXE_RULES``)
must pass. Skips, saying why, without Chromium, playwright or axe.
"""

from __future__ import annotations

import functools
import http.server
import threading

import pytest
from browser_support import (
    AXE,
    AXE_RULES,
    CHROMIUM,
    PageWatch,
    QuietHandler,
    axe_violations,
    chromium_browser,
)

from conftest import SAMPLE_PACK_IDS

pytestmark = [pytest.mark.browser, pytest.mark.slow]

if not CHROMIUM.is_file():
    pytest.skip(f"{CHROMIUM} absent: install the Debian `chromium` package",
                allow_module_level=True)
if not AXE.is_file():
    pytest.skip(f"{AXE} absent: run scripts/fetch_widgets_js.sh", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


@pytest.fixture(scope="module")
def packs_url(sample_packs):
    handler = functools.partial(QuietHandler, directory=str(sample_packs["first"]))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    yield from chromium_browser()


def test_every_html_pack_passes_axe(sample_packs, packs_url, browser):
    pages = sorted(p.relative_to(sample_packs["first"]).as_posix()
                   for p in sample_packs["first"].glob("*/*.html"))
    assert len(pages) == len(SAMPLE_PACK_IDS)
    for path in pages:
        watch = PageWatch(browser, packs_url)
        try:
            watch.page.goto(packs_url + path, wait_until="load")
            watch.settle()
            no_alt = watch.page.eval_on_selector_all(
                "img", "imgs => imgs.filter(i => !(i.alt || '').trim()).map(i => i.src)")
            assert not no_alt, f"{path}: images without alt text"
            assert watch.page.locator("nav.contents a").count() >= 3, f"{path}: no contents"
            violations = axe_violations(watch.page, AXE_RULES)
            assert not violations, f"{path}:\n" + "\n".join(violations)
            assert not watch.errors, f"{path}:\n" + "\n".join(watch.errors)
        finally:
            watch.close()
