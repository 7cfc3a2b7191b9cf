"""Sample packs' PDFs are tagged and accessible (PDF/UA-1), and the same inputs give the same bytes.

Read with pypdf: the structure tree, the document's language and title, every chart's
alternate text (the same as the HTML's), table headers marked ``TH``, and the dates that
``SOURCE_DATE_EPOCH`` supplies. The renderer's own helpers are tested without notebooks.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from pathlib import Path

import pytest

from conftest import SAMPLE_PACK_IDS
from toolkit.packs import render

pypdf = pytest.importorskip("pypdf")


def _pdfs(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.pdf"))


def _walk(node, found: list) -> None:
    """Collect every structure element under ``node``, depth first (reading order)."""
    node = node.get_object()
    if isinstance(node, pypdf.generic.ArrayObject):
        for kid in node:
            _walk(kid, found)
        return
    if not isinstance(node, pypdf.generic.DictionaryObject):
        return
    if node.get("/Type") == "/StructElem" or "/S" in node:
        found.append(node)
    if "/K" in node:
        _walk(node["/K"], found)


def _elements(reader) -> list:
    root = reader.trailer["/Root"]
    found: list = []
    _walk(root["/StructTreeRoot"], found)
    return found


def _html_alts(page: str) -> list[str]:
    return [html.unescape(alt) for alt in re.findall(r"<img [^>]*alt=\"([^\"]*)\"", page)]


def _html_for(pdf: Path) -> str:
    return pdf.with_suffix(".html").read_text(encoding="utf-8")


# ---------------------------------------------------------------------------- sample packs


@pytest.mark.slow
def test_one_pack_of_each_kind_was_made(sample_packs):
    pdfs = _pdfs(sample_packs["first"])
    assert len(pdfs) == len(SAMPLE_PACK_IDS)
    kinds = {p.parent.name for p in pdfs}
    assert kinds == {"organisations", "authorities", "network", "appraisals"}


@pytest.mark.slow
def test_every_sample_pdf_is_tagged_with_language_and_title(sample_packs):
    for pdf in _pdfs(sample_packs["first"]):
        reader = pypdf.PdfReader(pdf)
        root = reader.trailer["/Root"]
        assert "/StructTreeRoot" in root, pdf.name
        assert root["/MarkInfo"]["/Marked"] in (True, "true"), pdf.name
        assert str(root["/Lang"]) == render.PACK_LANGUAGE, pdf.name
        title = html.unescape(re.search(r"<title>(.*?)</title>", _html_for(pdf)).group(1))
        assert reader.metadata.title == title, pdf.name
        assert root["/ViewerPreferences"]["/DisplayDocTitle"] in (True, "true"), pdf.name
        xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
        assert "pdfuaid:part=\"1\"" in xmp or "<pdfuaid:part>1</pdfuaid:part>" in xmp, pdf.name


@pytest.mark.slow
def test_every_chart_has_the_html_alt_text_in_the_pdf(sample_packs):
    for pdf in _pdfs(sample_packs["first"]):
        figures = [e for e in _elements(pypdf.PdfReader(pdf)) if e["/S"] == "/Figure"]
        alts = _html_alts(_html_for(pdf))
        assert alts, f"{pdf.name}: the first page's chart at least"
        assert [str(f.get("/Alt", "")) for f in figures] == alts, pdf.name


@pytest.mark.slow
def test_table_headers_are_marked_as_headers(sample_packs):
    for pdf in _pdfs(sample_packs["first"]):
        elements = _elements(pypdf.PdfReader(pdf))
        tables = [e for e in elements if e["/S"] == "/Table"]
        assert tables, pdf.name
        for table in tables:
            inside: list = []
            _walk(table["/K"], inside)
            assert any(e["/S"] == "/TH" for e in inside), f"{pdf.name}: a table without TH"
        cells = [e for e in elements if e["/S"] == "/TD" and "/A" in e]
        assert cells and all(len(c["/A"]["/Headers"]) >= 1 for c in cells[:50]), pdf.name


@pytest.mark.slow
def test_reading_order_starts_with_the_title_then_the_first_page(sample_packs):
    for pdf in _pdfs(sample_packs["first"]):
        order = [str(e["/S"]) for e in _elements(pypdf.PdfReader(pdf))]
        headings = [s for s in order if re.fullmatch(r"/H[1-6]", s)]
        assert headings[:2] == ["/H1", "/H2"], pdf.name
        assert order.index("/H1") < order.index("/Figure"), pdf.name


@pytest.mark.slow
def test_source_date_epoch_dates_the_pack_and_its_pdf(sample_packs):
    day = dt.datetime.fromtimestamp(sample_packs["epoch"], dt.UTC).date()
    for pdf in _pdfs(sample_packs["first"]):
        info = pypdf.PdfReader(pdf).metadata
        assert str(info["/CreationDate"]).startswith(f"D:{day:%Y%m%d}"), pdf.name
        assert str(info["/ModDate"]).startswith(f"D:{day:%Y%m%d}"), pdf.name
        assert f"Made on {day.day} {day:%B %Y}" in _html_for(pdf), pdf.name


@pytest.mark.slow
def test_two_runs_give_byte_identical_html_and_pdf(sample_packs):
    first, second = sample_packs["first"], sample_packs["second"]
    made = sorted(p.relative_to(first) for p in first.rglob("*")
                  if p.suffix in (".html", ".pdf") and p.name != "index.html")
    assert len(made) == 2 * len(SAMPLE_PACK_IDS)
    differ = [str(p) for p in made if (first / p).read_bytes() != (second / p).read_bytes()]
    assert not differ, f"not byte-identical: {differ}"


@pytest.mark.slow
def test_each_pdf_names_the_csv_holding_its_assumptions(sample_packs):
    for pdf in _pdfs(sample_packs["first"]):
        html_page = _html_for(pdf)
        if "class=\"assumptions\"" not in html_page:
            continue
        name = f"{pdf.stem}__assumptions.csv"
        # on one page (the note is kept whole); the name may wrap at the end of a line
        pages = [re.sub(r"\s+", "", page.extract_text()) for page in pypdf.PdfReader(pdf).pages]
        assert any(name in text for text in pages), pdf.name
        assert (pdf.parent / name).exists(), name


# ---------------------------------------------------------------------------- renderer


def test_cell_ids_are_numbered_in_order():
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("a"),
                                         nbformat.v4.new_code_cell("1")])
    numbered = render.number_cell_ids(nb)
    assert [c["id"] for c in numbered.cells] == ["cell-1", "cell-2"]
    assert nb.cells[0]["id"] != "cell-1"  # the original is left alone


def test_pack_date_follows_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "86400")
    assert render.pack_date() == dt.date(1970, 1, 2)
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert render.pack_date() == dt.datetime.now(dt.UTC).date()


def test_page_carries_its_date_language_and_metadata(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1614679200")
    page = render.page_html("<h1>x</h1>", "A title", fictional=False)
    assert "<html lang='en-GB'>" in page
    assert "content='2021-03-02'" in page and "Made on 2 March 2021" in page


def test_contents_lists_the_sections_after_the_first_page():
    body = ("<h2 id=\"At-a-glance\">At a glance</h2><div class=\"contents-here\"></div>"
            "<h2 id=\"Summary\">Summary<a class=\"anchor-link\" href=\"#Summary\"></a></h2>"
            "<h2 id=\"Local-jobs\">Local jobs</h2>")
    page = render.with_contents(body)
    nav = re.search(r"<nav .*?</nav>", page).group(0)
    assert re.findall(r"href='#([^']+)'>([^<]+)<", nav) == [("Summary", "Summary"),
                                                            ("Local-jobs", "Local jobs")]
    assert "contents-here" not in page


def test_same_page_renders_to_the_same_pdf_bytes(tmp_path):
    try:
        render.load_weasyprint()
    except render.PdfUnavailableError as exc:
        pytest.skip(str(exc))
    page = render.page_html(
        "<h1 class='pack-title'>T</h1><table><thead><tr><th>A</th><th>B</th></tr></thead>"
        "<tbody><tr><td>1</td><td>2</td></tr></tbody></table>", "T", fictional=True)
    one, two = tmp_path / "one.pdf", tmp_path / "two.pdf"
    render.html_to_pdf(page, one, tmp_path)
    render.html_to_pdf(page, two, tmp_path)
    assert one.read_bytes() == two.read_bytes()
    reader = pypdf.PdfReader(one)
    headers = [e for e in _elements(reader) if e["/S"] == "/TH"]
    assert [str(h["/ID"]) for h in headers] == ["th1", "th2"]
    assert "/ID" in reader.trailer


def test_live_widgets_are_left_out_of_a_pack():
    import nbformat

    widget = nbformat.v4.new_output("display_data", data={
        render.WIDGET_VIEW: {"model_id": "d6b6771323604ecf91d30913a3a5afad"},
        "text/plain": "VBox()"})
    kept = nbformat.v4.new_output("display_data", data={"text/html": "<p>kept</p>"})
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x", outputs=[widget, kept])])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    cleaned, _ = render.clean_outputs(nb)
    assert cleaned.cells[0].outputs == [kept]
    assert "widgets" not in cleaned.metadata and "widgets" in nb.metadata


def _boxes(box):
    yield box
    for child in getattr(box, "children", []):
        yield from _boxes(child)


def test_long_unbroken_names_wrap_inside_the_page():
    import pandas as pd

    from toolkit import present

    try:
        weasyprint = render.load_weasyprint()
    except render.PdfUnavailableError as exc:
        pytest.skip(str(exc))
    name = "Supercalifragilistic" * 12
    table = present.frame_html(pd.DataFrame({"Supplier": [name], "£": [2.0]}), name)
    body = (f"<h1 class='pack-title'>{present.escape(name)}</h1>"
            f"<p class='subtitle'>{present.escape(name)}</p>{table}")
    document = weasyprint.HTML(string=render.page_html(body, name, True)).render()
    for page in document.pages:
        right = max(b.position_x + b.margin_width() for b in _boxes(page._page_box))
        assert right <= page.width + 0.5


def _assumptions_table(*rows: str) -> str:
    return ("<table class=\"assumptions\"><caption>Assumptions</caption><thead><tr>"
            "<th>Assumption</th><th>Value</th><th>Source</th></tr></thead><tbody>"
            + "".join(rows) + "</tbody></table>")


def test_pdf_page_leaves_the_assumptions_to_their_csv_keeping_changed_ones():
    plain = "<tr><td>Rate<br><code>lm3.rate</code></td><td>40%</td><td>Study</td></tr>"
    changed = ("<tr><td>Threshold<br><code>finance.months</code></td><td>3 <span "
               "class=\"changed\">(changed from the default)</span></td>"
               "<td class=\"basis-unchecked\">unchecked</td></tr>")
    page = f"<main><p>Before</p>{_assumptions_table(plain, changed)}<p>After</p></main>"
    printed = render.pdf_page(page, "good-trust")
    assert "lm3.rate" not in printed and "finance.months" in printed
    assert "good-trust__assumptions.csv" in printed and "good-trust.html" in printed
    assert "2 assumptions used (1 with a source not yet checked)" in printed
    assert "Assumptions changed from the default" in printed
    assert printed.startswith("<main><p>Before</p>") and printed.endswith("<p>After</p></main>")


def test_pdf_page_without_changed_assumptions_says_so():
    row = "<tr><td>Rate<br><code>lm3.rate</code></td><td>40%</td><td>Study</td></tr>"
    printed = render.pdf_page(_assumptions_table(row), "a")
    assert "<table" not in printed
    assert "the 1 assumption used" in printed and "No assumption is changed" in printed
    assert render.pdf_page("<p>no table</p>", "a") == "<p>no table</p>"


def test_weasyprints_tagging_fault_is_laid_out_again_with_short_tables_breaking(monkeypatch,
                                                                              tmp_path):
    from toolkit.packs import render

    calls = []

    class FakeHTML:
        def __init__(self, string, base_url):
            self.page = string

        def write_pdf(self, target, stylesheets=(), **options):
            calls.append([sheet.text for sheet in stylesheets])
            if not stylesheets:
                raise ValueError(render.WEASYPRINT_TAGGING_FAULT)
            Path(target).write_bytes(b"%PDF-")

    class FakeCSS:
        def __init__(self, string):
            self.text = string

    class FakeWeasyPrint:
        HTML, CSS = FakeHTML, FakeCSS

    monkeypatch.setattr(render, "load_weasyprint", lambda: FakeWeasyPrint)
    render.html_to_pdf("<html></html>", tmp_path / "pack.pdf", tmp_path)
    assert calls == [[], [render.SHORT_TABLES_MAY_BREAK]]
    assert (tmp_path / "pack.pdf").read_bytes() == b"%PDF-"

    def other_fault(self, target, stylesheets=(), **options):
        raise ValueError("some other layout fault")

    monkeypatch.setattr(FakeHTML, "write_pdf", other_fault)
    with pytest.raises(ValueError, match="some other"):
        render.html_to_pdf("<html></html>", tmp_path / "other.pdf", tmp_path)


def _header_cells(box):
    """Yield, for each table header cell (``th``) laid out, the text of each of its lines."""
    from weasyprint.formatting_structure import boxes

    if getattr(box, "element_tag", None) == "th":
        yield ["".join(b.text for b in line.descendants() if isinstance(b, boxes.TextBox))
               for line in box.descendants() if isinstance(line, boxes.LineBox)]
        return
    for child in getattr(box, "children", []):
        yield from _header_cells(child)


@pytest.mark.slow
@pytest.mark.parametrize("pack_id", ["halifax-northgate-centre", "bradford-advice-scenario"])
def test_pdf_tables_stay_inside_the_page_and_headers_break_only_at_a_hyphen(sample_packs,
                                                                            pack_id):
    from weasyprint.formatting_structure import boxes

    weasyprint = render.load_weasyprint()
    (page_file,) = [p for p in sample_packs["first"].rglob(f"{pack_id}.html")]
    page = render.pdf_page(page_file.read_text(encoding="utf-8"), pack_id)
    document = weasyprint.HTML(string=page, base_url=str(page_file.parent)).render()
    words = set(re.findall(r"[^\s<>]+", " ".join(
        html.unescape(re.sub(r"<[^>]+>", " ", cell))
        for cell in re.findall(r"<th[^>]*>(.*?)</th>", page, re.S))))
    checked = 0
    for number, laid_out in enumerate(document.pages, start=1):
        page_box = laid_out._page_box
        right = page_box.content_box_x() + page_box.width
        for box in page_box.descendants():
            if isinstance(box, (boxes.TableBox, boxes.TextBox)):
                assert box.position_x + box.margin_width() <= right + 0.5, (number, box)
        for lines in _header_cells(page_box):
            # a header breaks between words, or inside a word at a hyphen: put the words
            # broken at a hyphen together again, and every word is one of the header's own
            joined = re.sub("\u2010\n", "", re.sub(r"(?<=\S)-\n", "-", "\n".join(lines)))
            assert all(word in words for word in joined.split()), (number, lines)
            checked += len(lines) > 1
    assert checked > 5


def test_the_banner_is_written_into_the_page_head_as_an_escaped_css_string():
    words = "Bishop's \"Castle\" </style><script>alert(1)</script> \\ £"
    rule = render.banner_css(words, fictional=False)
    quoted = rule.split("content: ", 1)[1].split("; ", 1)[0]
    assert quoted.startswith('"') and quoted.endswith('"')
    inside = quoted[1:-1]
    assert not set(inside) & set("<>\"'\\\n{}") - {"\\"}
    assert "</style" not in rule and "<script" not in rule
    assert re.sub(r"\\([0-9a-f]+) ", lambda m: chr(int(m.group(1), 16)), inside) == words
    assert "#eef3f8" in rule  # a real pack's banner is blue; a fictional one amber
    spoofed = render.banner_css("Hub \u202egnitsil", fictional=False)
    assert "\\202e " not in spoofed and "\u202e" not in spoofed  # no control in the PDF
    assert "U+202E" in spoofed  # shown as its code, as the HTML shows it
    assert "#fff3cd" in render.banner_css(render.FICTIONAL_TEXT, fictional=True)


def test_a_long_name_is_cut_in_the_page_head_to_one_line():
    long_name = "Upper and Lower Villages Community Association " * 4
    shown = render.banner_css(f"Keep It Local evidence pack: {long_name}", fictional=False)
    words = re.sub(r"\\([0-9a-f]+) ", lambda m: chr(int(m.group(1), 16)),
                   shown.split('content: "', 1)[1].split('";', 1)[0])
    assert len(words) <= render.BANNER_MOST and words.endswith("\u2026")
    assert words.startswith("Keep It Local evidence pack: Upper and Lower")
    assert render.banner_css("short name", fictional=False).count("short name") == 1
    warning = render.banner_css(render.FICTIONAL_TEXT, fictional=True)
    assert len(render.FICTIONAL_TEXT) > render.BANNER_MOST  # the warning is never cut
    assert re.sub(r"\\([0-9a-f]+) ", lambda m: chr(int(m.group(1), 16)),
                  warning.split('content: "', 1)[1].split('";', 1)[0]) == render.FICTIONAL_TEXT
