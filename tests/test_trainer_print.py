"""The trainer's printouts and the prebuilt course site, in headless Chromium.

Printing: each handout page of the built site (``_build/html``) is printed to PDF by
Chromium with the page's own CSS page size (``page.pdf(prefer_css_page_size=True)``), as a
browser's print command does; pypdf then counts the sheets and reads their size. Every sheet
must be A4 (595 x 842 points), each handout on one sheet of its own, and the feedback form on
one sheet.

The prebuilt site: ``scripts/book-zip.sh`` zips ``_build/html`` into a zip that works from
``file://``. The zip is unpacked into a temporary folder, and ``index.html``, two chapter pages
and a widget page are opened from it with ``file://``: each renders its heading, its
stylesheets and scripts load with no failed request, and the widget page draws its widgets.

Needs the site built (``make book``) and the Debian ``chromium`` package; skips, saying why,
when either is absent.
"""

from __future__ import annotations

import html
import io
import re
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import pytest
from browser_support import CHROMIUM, PageWatch, chromium_browser

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
FACILITATORS = SITE / "book" / "facilitators"
A4_POINTS = (595, 842)
pytestmark = pytest.mark.browser

if not (SITE / "index.html").is_file():
    pytest.skip(f"the course site is not built ({SITE}/index.html absent): run `make book`",
                allow_module_level=True)
if not CHROMIUM.is_file():
    pytest.skip(f"{CHROMIUM} absent: install the Debian `chromium` package",
                allow_module_level=True)
pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
pypdf = pytest.importorskip("pypdf")


@pytest.fixture(scope="module")
def browser():
    yield from chromium_browser()


def printed(browser, page_file: Path):
    """Print a built page to PDF as Chromium's print command does; return pypdf's reader."""
    page = browser.new_page()
    try:
        page.goto(page_file.as_uri(), wait_until="load")
        page.emulate_media(media="print")
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    finally:
        page.close()
    return pypdf.PdfReader(io.BytesIO(pdf))


def sheet_sizes(reader) -> set[tuple[int, int]]:
    return {(round(float(p.mediabox.width)), round(float(p.mediabox.height)))
            for p in reader.pages}


def plain(text: str) -> str:
    """Text as printed and as written compare equal: ligatures undone, spaces made one."""
    return "\n".join(re.sub(r"[ \t]+", " ", line).strip()
                     for line in unicodedata.normalize("NFKC", html.unescape(text)).splitlines()
                     if line.strip())


def handout_titles(page_file: Path) -> list[str]:
    """The handouts' titles, from the built page's second-level headings."""
    titles = re.findall(r"<h2>(Handout [^<]*?)<a class=\"headerlink\"",
                        page_file.read_text(encoding="utf-8"), re.DOTALL)
    return [plain(t.replace("\n", " ")) for t in titles]


# --------------------------------------------------------------------- printing


def test_handouts_print_on_a4_one_sheet_each(browser):
    page_file = FACILITATORS / "handouts.html"
    titles = handout_titles(page_file)
    assert len(titles) >= 5, titles
    reader = printed(browser, page_file)
    assert sheet_sizes(reader) == {A4_POINTS}, "a sheet is not A4"
    assert len(reader.pages) == len(titles), \
        f"{len(titles)} handouts on {len(reader.pages)} sheets"
    for number, (sheet, title) in enumerate(zip(reader.pages, titles, strict=True), start=1):
        first_line = plain(sheet.extract_text()).splitlines()[0]
        assert first_line == title, f"sheet {number} starts {first_line!r}, not {title!r}"


def test_handout_1_shows_the_toolkits_figures():
    """The built handout shows the figures the toolkit gives today for the sample."""
    from toolkit.inputs.settings import load_settings
    from toolkit.inputs.workbook import read_workbook
    from toolkit.measures.lm3 import lm3_from_workbook
    from toolkit.present import money, ratio

    settings = load_settings(overrides={"boundary": {"name": "Bradford district",
                                                     "postcodes": ["BD"]}})
    lm3 = lm3_from_workbook(read_workbook(ROOT / "book" / "data" / "riverside"),
                            settings).to_dict()
    html = (FACILITATORS / "handouts.html").read_text(encoding="utf-8")
    copy = html.split('<section id="handout-1-facilitator', 1)[1].split("<section id=", 1)[0]
    for figure in [money(100 * lm3["r2_staff"] / lm3["r1"], 2),
                   money(100 * lm3["r3_staff"] / lm3["r1"], 2),
                   ratio(lm3["lm3"]).removeprefix("£")]:
        assert f'<span class="pasted-text">{figure}</span>' in copy, figure
    assert copy.count('class="pasted-text"') >= 15
    assert "{glue" not in html


def test_feedback_form_prints_on_one_a4_sheet(browser):
    reader = printed(browser, FACILITATORS / "feedback-form.html")
    assert sheet_sizes(reader) == {A4_POINTS}
    assert len(reader.pages) == 1
    assert "Anything else for the facilitator" in reader.pages[0].extract_text()


# --------------------------------------------------------------------- the prebuilt site


@pytest.fixture(scope="module")
def unzipped(tmp_path_factory):
    """Run ``scripts/book-zip.sh`` on the built site, then unpack its zip elsewhere."""
    out = tmp_path_factory.mktemp("zip") / "keepitlocal-course.zip"
    subprocess.run(["bash", str(ROOT / "scripts" / "book-zip.sh"), str(out)], check=True,
                   cwd=ROOT, capture_output=True, timeout=600)
    folder = tmp_path_factory.mktemp("unzipped")
    with zipfile.ZipFile(out) as archive:
        names = archive.namelist()
        assert all(n.startswith("keepitlocal-course/") and "/../" not in n for n in names)
        archive.extractall(folder)
    return folder / "keepitlocal-course"


def widget_page() -> str:
    """A built chapter page that carries ipywidgets."""
    for page in sorted((SITE / "book").rglob("*.html")):
        if "application/vnd.jupyter.widget-view+json" in page.read_text(encoding="utf-8"):
            return str(page.relative_to(SITE))
    pytest.skip("no page of the site has an ipywidget")


def test_zip_holds_the_whole_site(unzipped):
    built = {str(p.relative_to(SITE)) for p in SITE.rglob("*")
             if p.is_file() and p.name != ".buildinfo"}
    unpacked = {str(p.relative_to(unzipped)) for p in unzipped.rglob("*") if p.is_file()}
    assert "index.html" in unpacked
    assert built <= unpacked, sorted(built - unpacked)[:5]


@pytest.mark.parametrize("page_path", ["index.html", "book/anchors/lm3-surveys.html",
                                       "book/commissioners/council-spending.html", "widgets"])
def test_zipped_site_works_from_file_urls(browser, unzipped, page_path):
    page_path = widget_page() if page_path == "widgets" else page_path
    watch = PageWatch(browser, unzipped.as_uri() + "/")
    loaded: list[str] = []
    watch.page.on("requestfinished", lambda request: loaded.append(request.url))
    try:
        watch.page.goto((unzipped / page_path).as_uri(), wait_until="load")
        watch.settle()
        assert watch.page.locator("article h1").first.is_visible()
        assert any(u.endswith(".css") for u in loaded) and any(u.endswith(".js") for u in loaded)
        styled = watch.page.evaluate(
            "getComputedStyle(document.querySelector('.bd-sidebar-primary')).display")
        assert styled == "flex", "the theme's stylesheet did not apply (unstyled: block)"
        if "widget-view+json" in (unzipped / page_path).read_text(encoding="utf-8"):
            widgets = watch.page.locator(".jupyter-widgets")
            widgets.first.wait_for(state="visible", timeout=20_000)
            assert widgets.count() >= 1
        assert not watch.errors, f"{page_path}:\n" + "\n".join(watch.errors)
    finally:
        watch.close()
