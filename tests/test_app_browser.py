"""The evidence app in headless Chromium: its server, its safety, uploads and downloads.

A module-scoped fixture starts the app's server (``python -m toolkit.app.server``) on a free
loopback port with a short cull timeout, its own sessions folder and a settings file of its
own, serving a copy of the app's pages plus ``tests/app_probe/probe.ipynb`` (two upload boxes
through :func:`toolkit.app.uploads.read_upload`, one with a 1 MB limit, and a download link).
Chromium comes from the Debian package, as in the course's browser tests
(``tests/browser_support.py``); every request that would leave the app's server is blocked and
counted as an error.

Fixtures for page tests: ``app_server`` (``.url(page)``, ``.sessions``, ``.max_upload_mb``),
``browser`` (Chromium), ``app_page`` (a :class:`browser_support.PageWatch` on the server,
closed after the test), and ``open_page(app_page, app_server, name)`` to open a page and wait
until Voilà has rendered it.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from app_screenshots import shoot
from browser_support import CHROMIUM, PageWatch, chromium_browser

from conftest import ROOT, SAMPLES

EXPORTS = SAMPLES / "exports"

PAGES = ROOT / "toolkit" / "app" / "pages"
PROBE = ROOT / "tests" / "app_probe" / "probe.ipynb"
APP_PAGES = ["index", "organisation", "spending", "options"]
#: The app's upload limit in these tests: above Tornado's 10 MiB websocket default.
MAX_UPLOAD_MB = 15
#: A session idle this long is culled: short, so that the cull test ends soon, but longer than
#: any pause of a walk (a connected page idle for 20 s was culled mid-walk on a busy machine).
IDLE_SECONDS = 60
#: Longest wait for the server to start, a page to render, or a session folder to go.
START_SECONDS = 120

pytestmark = pytest.mark.browser

if not CHROMIUM.is_file():
    pytest.skip(f"{CHROMIUM} absent: install the Debian `chromium` package",
                allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pytest.importorskip("voila", reason="voila is not installed")


def free_port() -> int:
    """Return a port free on 127.0.0.1 now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class AppServer:
    """A running app server for the tests."""

    port: int
    host: str
    sessions: Path
    process: subprocess.Popen
    log: Path
    max_upload_mb: float = MAX_UPLOAD_MB

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def url(self, page: str) -> str:
        """The address of a page, such as ``url("organisation")``."""
        return f"{self.base}voila/render/{page}.ipynb"

    def session_folders(self) -> list[Path]:
        return sorted(self.sessions.glob("session-*"))


def wait_until_serving(server: AppServer) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError("the app's server stopped:\n" + server.log.read_text())
        try:
            with urllib.request.urlopen(server.base + "voila/static/voila.js", timeout=5):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    raise AssertionError("the app's server did not start:\n" + server.log.read_text())


def start_server(tmp: Path, pages: Path, ip: str = "127.0.0.1", token: str = "",
                 extra_settings: str = "") -> AppServer:
    """Start the app's server on a free port with the tests' settings; wait until it serves."""
    settings = tmp / "app-settings.yml"
    settings.write_text(f"app:\n  max_upload_mb: {MAX_UPLOAD_MB}\n  preheated_kernels: 0\n"
                        + extra_settings)
    sessions = tmp / "sessions"
    log = tmp / "server.log"
    env = {**os.environ, "KEEPITLOCAL_APP_SESSIONS": str(sessions),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
           "KEEPITLOCAL_APP_TOKEN": token}
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "toolkit.app.server", "--ip", ip, "--port", str(port),
             "--no-browser", "--settings", str(settings), "--idle-seconds", str(IDLE_SECONDS),
             "--pages", str(pages)], env=env, stdout=out, stderr=subprocess.STDOUT, cwd=tmp)
    return AppServer(port=port, host=ip, sessions=sessions, process=process, log=log)


def stop_server(server: AppServer) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """The app's server on a free loopback port, serving the app's pages and the probe."""
    tmp = tmp_path_factory.mktemp("app")
    pages = tmp / "pages"
    shutil.copytree(PAGES, pages)
    shutil.copy(PROBE, pages / "probe.ipynb")
    server = start_server(tmp, pages)
    try:
        wait_until_serving(server)
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="module")
def browser():
    yield from chromium_browser()


@pytest.fixture
def app_page(browser, app_server):
    """A watched browser page on the app (console errors, failed and off-machine requests)."""
    watch = PageWatch(browser, app_server.base)
    yield watch
    watch.close()


def open_page(watch: PageWatch, server: AppServer, name: str) -> None:
    """Open one of the app's pages and wait until Voilà has run and shown its cells."""
    watch.page.goto(server.url(name), wait_until="load", timeout=START_SECONDS * 1000)
    watch.page.wait_for_selector("#rendered_cells", state="visible",
                                 timeout=START_SECONDS * 1000)
    watch.settle()


def upload(watch: PageWatch, box: str, path: Path) -> None:
    """Choose ``path`` in the probe's upload box ``box`` (``any`` or ``small``)."""
    with watch.page.expect_file_chooser() as chooser:
        watch.page.locator(f".probe-{box}").click()
    chooser.value.set_files(str(path))


def result_text(watch: PageWatch, selector: str, wanted: str) -> str:
    """Wait until ``selector`` holds ``wanted``; return its text."""
    match = watch.page.locator(selector).filter(has_text=wanted).first
    match.wait_for(timeout=START_SECONDS * 1000)
    return match.inner_text()


def sized_csv(path: Path, megabytes: float) -> Path:
    """Write a CSV of a given size (columns of numbers), for upload limits."""
    row = b"supplier,amount\n" + b"Riverside Cafe,12.50\n" * 10
    count = int(megabytes * 1_000_000 / len(row)) + 1
    path.write_bytes(row * count)
    return path


@pytest.mark.parametrize("name", APP_PAGES)
def test_each_page_loads_with_no_error_and_no_request_off_the_machine(app_page, app_server,
                                                                      name):
    open_page(app_page, app_server, name)
    assert app_page.page.locator("h1").count() >= 1, f"{name} has no title"
    assert not app_page.errors, f"{name}:\n" + "\n".join(app_page.errors)


def test_the_index_leads_to_the_three_pages(app_page, app_server):
    app_page.page.goto(app_server.base, wait_until="load")
    assert app_page.page.url == app_server.url("index")
    links = app_page.page.locator("#rendered_cells a").evaluate_all(
        "links => links.map(a => a.href)")
    assert {app_server.url(n) for n in APP_PAGES[1:]} <= set(links)


def test_a_workbook_arrives_is_saved_safely_and_downloads_again(app_page, app_server):
    open_page(app_page, app_server, "probe")
    upload(app_page, "any", SAMPLES / "bradford" / "manningham-community-trust_2024-25.xlsx")
    size = (SAMPLES / "bradford" / "manningham-community-trust_2024-25.xlsx").stat().st_size
    shown = result_text(app_page, ".probe-result", "saved")
    assert f"saved manningham-community-trust-2024-25.xlsx {size} bytes" in shown
    folder = app_server.sessions / app_page.page.locator(".probe-folder").inner_text().strip()
    assert (folder / "manningham-community-trust-2024-25.xlsx").stat().st_size == size
    with app_page.page.expect_download() as caught:
        app_page.page.locator(".probe-result a.kil-download").click()
    saved = Path(caught.value.path())
    assert caught.value.suggested_filename == "manningham-community-trust-2024-25.xlsx"
    assert zipfile.ZipFile(saved).namelist() and saved.read_bytes() == folder.joinpath(
        "manningham-community-trust-2024-25.xlsx").read_bytes()
    assert not app_page.errors, "\n".join(app_page.errors)


def test_a_file_above_tornados_default_limit_arrives(app_page, app_server, tmp_path):
    big = sized_csv(tmp_path / "payments.csv", 12)  # Tornado's default is 10 MiB
    open_page(app_page, app_server, "probe")
    upload(app_page, "any", big)
    shown = result_text(app_page, ".probe-result", "saved")
    assert f"saved payments.csv {big.stat().st_size} bytes" in shown
    assert not app_page.errors, "\n".join(app_page.errors)


def test_an_over_size_upload_gets_a_message_not_a_dropped_connection(app_page, app_server,
                                                                     tmp_path):
    open_page(app_page, app_server, "probe")
    huge = sized_csv(tmp_path / "huge.csv", MAX_UPLOAD_MB + 1)
    upload(app_page, "any", huge)
    message = result_text(app_page, "#kil-upload-limit", "takes files of up to")
    assert f"'huge.csv' is {huge.stat().st_size / 1e6:.1f} MB" in message
    assert f"up to {MAX_UPLOAD_MB} MB" in message
    # The page still works: the kernel answers the next upload.
    upload(app_page, "small", sized_csv(tmp_path / "over-one.csv", 1.5))
    shown = result_text(app_page, ".widget-html .kil-message", "takes files")
    assert "'over-one.csv' is 1.5 MB; the app takes files of up to 1 MB." in shown
    upload(app_page, "small", SAMPLES / "bradford" / "bradford_suppliers_sample.csv")
    assert "saved bradford-suppliers-sample.csv" in result_text(app_page, ".probe-result",
                                                                "saved")
    assert not app_page.errors, "\n".join(app_page.errors)


def test_a_non_workbook_upload_gets_a_message(app_page, app_server):
    open_page(app_page, app_server, "probe")
    upload(app_page, "any", SAMPLES / "broken" / "not-a-workbook.xlsx")
    shown = result_text(app_page, ".kil-message", "not an Excel workbook")
    assert "'not-a-workbook.xlsx' is text without commas" in shown
    assert "Traceback" not in app_page.page.content()
    assert not app_page.errors, "\n".join(app_page.errors)


def test_a_sessions_folder_goes_when_the_session_ends(browser, app_server, tmp_path):
    watch = PageWatch(browser, app_server.base)
    open_page(watch, app_server, "probe")
    folder = app_server.sessions / watch.page.locator(".probe-folder").inner_text().strip()
    upload(watch, "small", SAMPLES / "bradford" / "bradford_suppliers_sample.csv")
    result_text(watch, ".probe-result", "saved")
    assert any(folder.iterdir())
    watch.close()  # the page tells Voilà to shut its kernel down; the cull is the backstop
    deadline = time.monotonic() + START_SECONDS
    while folder.exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not folder.exists(), f"{folder} is still there after the session ended"


def test_an_address_off_loopback_needs_the_token(tmp_path):
    """127.0.0.2 is loopback to the machine but not to the app, so it needs a token."""
    refused = subprocess.run(
        [sys.executable, "-m", "toolkit.app.server", "--ip", "127.0.0.2", "--port",
         str(free_port()), "--no-browser"], capture_output=True, text=True,
        env={**os.environ, "KEEPITLOCAL_APP_TOKEN": "", "PYTHONPATH": str(ROOT)}, timeout=60)
    assert refused.returncode == 1 and "needs a token" in refused.stderr
    token = "t" * 32
    server = start_server(tmp_path, PAGES, ip="127.0.0.2", token=token)
    try:
        wait_until_serving(server)
        without = urllib.request.urlopen(server.url("index"), timeout=60)
        assert "/login" in without.geturl() and "being built" not in without.read().decode()
        with urllib.request.urlopen(server.url("index") + f"?token={token}",
                                    timeout=120) as given:
            assert "Keep It Local" in given.read().decode()
    finally:
        stop_server(server)


def test_a_room_gets_its_organisation_pages_ready_before_it_arrives(browser, tmp_path):
    """``app.room_sessions`` pools the organisation page by its real name, page already run.

    A wrong key in Voilà's ``kernel_pools_config`` would silently fall back to the default
    pool (none here): the log's count and a page served from the pool show it worked.
    """
    server = start_server(tmp_path, PAGES, extra_settings="  room_sessions: 2\n")
    try:
        wait_until_serving(server)
        filled = "Kernel pool of organisation.ipynb is filled with 2 kernel(s)"
        deadline = time.monotonic() + START_SECONDS
        while filled not in server.log.read_text() and time.monotonic() < deadline:
            time.sleep(0.5)
        assert filled in server.log.read_text(), server.log.read_text()[-3000:]
        watch = PageWatch(browser, server.base)
        try:
            open_page(watch, server, "organisation")
            watch.page.locator(".kil-workbook-upload").wait_for(timeout=START_SECONDS * 1000)
            assert not watch.errors, "\n".join(watch.errors)
        finally:
            watch.close()
        log = server.log.read_text()
        assert "Using pre-heated kernel" in log and "for organisation.ipynb" in log
        # the other pages keep app.preheated_kernels, 0 here: no pool of their own
        assert "Kernel pool of spending.ipynb is filled" not in log
    finally:
        stop_server(server)


# --------------------------------------------------------------------- the three pages, walked
# Each walk does what a user does, in the browser, and checks what the page shows against the
# toolkit's own figures for the same file. At each view the course shows as a screenshot,
# app_screenshots.shoot checks that the view still has the controls the screenshot shows, and
# saves the screenshot where KEEPITLOCAL_APP_SCREENSHOTS says (`make screenshots`).

#: Longest wait for a pack (papermill, nbconvert and WeasyPrint inside the page's kernel).
PACK_SECONDS = 400


def choose_file(watch: PageWatch, css: str, *paths: Path) -> None:
    """Choose files in the page's upload box with CSS class ``css``, as a user does."""
    with watch.page.expect_file_chooser() as chooser:
        watch.page.locator(f".{css}").click()
    chooser.value.set_files([str(p) for p in paths])


def click(watch: PageWatch, css: str) -> None:
    """Click the page's button with CSS class ``css``."""
    watch.page.locator(f"button.{css}").click()


def wait_text(watch: PageWatch, css: str, wanted: str, seconds: float = START_SECONDS) -> str:
    """Wait until the output with CSS class ``css`` holds ``wanted``; return its text."""
    locator = watch.page.locator(f".{css}")
    locator.filter(has_text=wanted).first.wait_for(timeout=seconds * 1000)
    return locator.first.inner_text()


def download(watch: PageWatch, css: str, suffix: str, tmp_path: Path) -> Path:
    """Click the download link ending ``suffix`` in output ``css``; return the saved file."""
    link = watch.page.locator(f".{css} a.kil-download[download$='{suffix}']").first
    with watch.page.expect_download() as caught:
        link.click()
    saved = tmp_path / caught.value.suggested_filename
    caught.value.save_as(saved)
    return saved


def test_walk_organisation_from_workbook_to_pdf(app_page, app_server, tmp_path):
    from pypdf import PdfReader

    from toolkit import present
    from toolkit.inputs.settings import load_settings
    from toolkit.inputs.workbook import load_workbook
    from toolkit.measures.lm3 import lm3_from_workbook

    workbook = SAMPLES / "bradford" / "manningham-community-trust_2024-25.xlsx"
    watch = app_page
    open_page(watch, app_server, "organisation")
    shoot(watch.page, "organisation-start")
    choose_file(watch, "kil-workbook-upload", workbook)
    click(watch, "kil-check")
    problems = wait_text(watch, "kil-problems-out", "warning")
    assert "sheet 'Staff survey', row 10" in problems
    watch.page.locator(".kil-council select").select_option("Bradford")
    shoot(watch.page, "organisation-area")
    watch.page.locator(".kil-accept input[type=checkbox]").check()
    click(watch, "kil-figures")
    figures = wait_text(watch, "kil-figures-out", "Local multiplier")
    from toolkit.app.area import council_boundary, council_choices

    bradford = next(c for c in council_choices() if c.label == "Bradford")
    from toolkit.packs.sections import lm3_headline

    result = lm3_from_workbook(load_workbook(workbook), load_settings(),
                               council_boundary(bradford))
    expected = lm3_headline(result)  # the pack's: LM3 with its range
    assert f"{present.ratio(expected.low)} to {present.ratio(expected.high)}" in figures
    assert present.ratio(result.lm3) in figures
    shoot(watch.page, "organisation-figures")
    whatif = watch.page.locator(".kil-whatif")
    before = whatif.inner_text()
    handle = whatif.locator(".noUi-handle").first
    handle.focus()
    handle.press("End")  # the share moved to local suppliers, to 100%
    whatif.filter(has_not_text=before[:400]).first.wait_for(timeout=START_SECONDS * 1000)
    assert whatif.inner_text() != before
    shoot(watch.page, "organisation-whatif")
    click(watch, "kil-pack")
    wait_text(watch, "kil-pack-out", "A4 PDF", PACK_SECONDS)
    shoot(watch.page, "organisation-pack")
    pdf = download(watch, "kil-pack-out", ".pdf", tmp_path)
    first = PdfReader(str(pdf)).pages[0].extract_text()
    assert "Manningham Community Trust" in first
    assert zipfile.ZipFile(download(watch, "kil-pack-out", ".zip", tmp_path)).namelist()
    assert not watch.errors, "\n".join(watch.errors)


def test_walk_organisation_exports_matched_from_drop_downs(app_page, app_server, tmp_path):
    from toolkit.inputs.workbook import read_workbook

    watch = app_page
    open_page(watch, app_server, "organisation")
    choose_file(watch, "kil-export-transactions", EXPORTS / "other_package_transactions.csv")
    click(watch, "kil-import")
    wait_text(watch, "kil-mapping", "not recognised")
    mapping = {"date": "Txn date", "supplier": "Payee", "account": "Category", "amount": "Net"}
    for role, header in mapping.items():  # chosen from the file's own headers, never typed
        drop = watch.page.locator(".kil-mapping .widget-dropdown").filter(has_text=role)
        drop.locator("select").first.select_option(header)
    click(watch, "kil-import")
    wait_text(watch, "kil-import-out", "Download the workbook made")
    shoot(watch.page, "organisation-import")
    made = read_workbook(download(watch, "kil-import-out", ".xlsx", tmp_path))
    assert len(made.table("spending")) > 0
    assert not watch.errors, "\n".join(watch.errors)


def test_walk_organisation_broken_workbook_lists_its_problems(app_page, app_server):
    watch = app_page
    open_page(watch, app_server, "organisation")
    choose_file(watch, "kil-workbook-upload", SAMPLES / "broken" / "text-in-numbers.xlsx")
    click(watch, "kil-check")
    shown = wait_text(watch, "kil-problems-out", "must be fixed first")
    assert "Error" in shown and "row" in shown and "sheet" in shown
    shoot(watch.page, "organisation-problems")
    choose_file(watch, "kil-workbook-upload", SAMPLES / "broken" / "not-a-workbook.xlsx")
    click(watch, "kil-check")
    assert "not an Excel workbook" in wait_text(watch, "kil-problems-out", "not an Excel")
    assert "Traceback" not in watch.page.content()
    assert not watch.errors, "\n".join(watch.errors)


def test_walk_council_spending_to_its_pack(app_page, app_server, tmp_path):
    from toolkit.app.area import council_boundary, council_choices
    from toolkit.spend.analysis import analyse_spending, share_range_words

    payments = SAMPLES / "calderdale" / "calderdale_payments_sample.csv"
    suppliers = SAMPLES / "calderdale" / "calderdale_suppliers_sample.csv"
    watch = app_page
    open_page(watch, app_server, "spending")
    choose_file(watch, "kil-payments-upload", payments)
    choose_file(watch, "kil-suppliers-upload", suppliers)
    watch.page.locator(".kil-council select").select_option("Calderdale")
    click(watch, "kil-analyse")
    shown = wait_text(watch, "kil-results-out", "Top suppliers")
    calderdale = next(c for c in council_choices() if c.label == "Calderdale")
    head = analyse_spending([payments], [council_boundary(calderdale)], suppliers).summary()
    assert share_range_words(head["local_share_low"], head["local_share_high"]) in shown
    shoot(watch.page, "spending-results")
    click(watch, "kil-pack")
    wait_text(watch, "kil-pack-out", "A4 PDF", PACK_SECONDS)
    html_file = download(watch, "kil-pack-out", ".html", tmp_path)
    assert "Calderdale" in html_file.read_text(encoding="utf-8")
    assert not watch.errors, "\n".join(watch.errors)


def test_walk_options_from_a_scenario_file_to_its_pack(app_page, app_server, tmp_path):
    from toolkit.appraisal.appraise import appraise
    from toolkit.appraisal.scenario import load_scenario
    from toolkit.inputs.settings import load_settings

    scenario = SAMPLES / "illustration_scenario.yml"
    watch = app_page
    open_page(watch, app_server, "options")
    choose_file(watch, "kil-scenario-upload", scenario)
    click(watch, "kil-open-scenario")
    expected = appraise(load_scenario(scenario), load_settings(), with_sensitivity=False)
    words = expected.headline["break_even_words"]
    shown = wait_text(watch, "kil-results-out", "Switching value")
    assert " ".join(words.split()) in " ".join(shown.split())
    shoot(watch.page, "options-results")
    click(watch, "kil-pack")
    wait_text(watch, "kil-pack-out", "A4 PDF", PACK_SECONDS)
    html_file = download(watch, "kil-pack-out", ".html", tmp_path)
    assert "break-even" in html_file.read_text(encoding="utf-8").lower()
    assert not watch.errors, "\n".join(watch.errors)


def test_an_abandoned_sessions_folder_goes_when_its_kernel_is_culled(app_server):
    """A session whose page never connects (no browser to close it) is culled when idle."""
    before = set(app_server.session_folders())
    with urllib.request.urlopen(app_server.url("probe"), timeout=START_SECONDS) as response:
        assert b"Upload probe" in response.read()
    made = set(app_server.session_folders()) - before
    assert len(made) == 1, f"expected one new session folder, found {sorted(made)}"
    folder = made.pop()
    deadline = time.monotonic() + START_SECONDS + IDLE_SECONDS
    while folder.exists() and time.monotonic() < deadline:
        time.sleep(1)
    assert not folder.exists(), f"{folder} is still there after {IDLE_SECONDS} s idle"
    assert "Culling kernel" in app_server.log.read_text() or "culled" in \
        app_server.log.read_text().lower()
