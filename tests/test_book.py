"""The course book: its sources are complete and consistent, and it builds offline and accessibly.

The quick tests read the sources (`_toc.yml`, `_config.yml`, `book/`). The slow ones build the
whole book into a temporary folder with warnings as errors (every chapter's cells really run)
and check the HTML: every page in the table of contents exists, no page loads a script or
stylesheet from outside the site, every image has alt text, headings go down one level at a
time, some pages carry widgets, and the search index knows the course's terms.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
WIDGET_JS = ROOT / "_widgets" / "site" / "jupyter-widgets" / "embed.js"
MATHJAX_JS = ROOT / "_widgets" / "site" / "mathjax" / "tex-chtml.js"
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")

sys.path.insert(0, str(BOOK / "_ext"))
from offline_site import audit_page  # noqa: E402
from worked_examples import EXAMPLES, example_source  # noqa: E402

from conftest import toc_files  # noqa: E402

CHAPTERS = [f for f in toc_files() if f.startswith(("book/anchors/", "book/commissioners/"))]
CODE_CELL = re.compile(r"^```\{code-cell\}", re.MULTILINE)


def source(name: str) -> str:
    return (ROOT / f"{name}.md").read_text(encoding="utf-8")


# ------------------------------------------------------------------------- sources (quick)


def source_file(entry: str) -> Path:
    """The file a toc entry comes from (worked examples are written from notebooks/)."""
    if entry.startswith("book/examples/"):
        return ROOT / "notebooks" / f"{Path(entry).name}.md"
    return ROOT / f"{entry}.md"


def test_every_toc_entry_has_a_source_file():
    missing = [f for f in toc_files() if not source_file(f).is_file()]
    assert not missing, f"named in _toc.yml but absent: {missing}"


def test_every_chapter_file_is_in_the_toc():
    listed = {f"{f}.md" for f in toc_files()}
    on_disk = {str(p.relative_to(ROOT)) for p in BOOK.rglob("*.md")
               if not {"_build", "data", "examples"} & set(p.parts)}
    assert on_disk - listed == set(), "chapters not in _toc.yml"


def test_every_parameterised_notebook_is_a_worked_example():
    notebooks = {p.stem for p in (ROOT / "notebooks").glob("*.md")}
    examples = {Path(f).name for f in toc_files() if f.startswith("book/examples/")}
    assert notebooks <= set(EXAMPLES)
    assert examples == notebooks


NOTEBOOK = """---
jupytext:
  text_representation: {extension: .md, format_name: myst}
kernelspec: {display_name: Python 3, language: python, name: python3}
---

```{code-cell} ipython3
:tags: [parameters]

registry_path = "../data/samples/authorities.yml"
organisation_id = "x"
settings_path = None
```

## Summary
"""


def test_examples_get_one_title_and_repointed_paths():
    text = example_source(NOTEBOOK, "Worked example: X", "About X.")
    assert text.startswith("---\njupytext:")
    assert text.count("\n# Worked example: X\n") == 1
    assert "registry_path = '../../data/samples/authorities.yml'" in text
    assert text.index(":tags: [parameters]") < text.index("injected-parameters")
    titled = NOTEBOOK.replace("## Summary", "# Own title\n\n## Summary")
    again = example_source(titled, "Worked example: X", "About X.")
    assert "# Worked example: X" not in again and again.count("\n# Own title") == 1


def test_track_chapters_cover_the_issue():
    names = {Path(f).name for f in CHAPTERS}
    assert {"mapping-money", "lm3-surveys", "jobs-spend", "social-value", "financial-resilience",
            "strengthening", "telling-your-story", "council-spending", "appraising-options",
            "commissioning-resilience"} <= names
    for page in ["book/why-local", "book/setup", "book/methods", "book/glossary",
                 "book/references", "book/facilitators/guide", "book/facilitators/half-day",
                 "book/facilitators/full-day", "book/facilitators/handouts",
                 "book/facilitators/answers"]:
        assert page in toc_files()


@pytest.mark.parametrize("chapter", CHAPTERS + ["book/why-local"])
def test_chapter_follows_the_lesson_pattern(chapter):
    text = source(chapter)
    assert text.startswith("---\njupytext:"), "a chapter is a MyST Markdown notebook"
    assert "kernelspec:" in text.split("\n---\n", 1)[0]
    for part in ["Learning outcomes", "Exercise", ":class: dropdown", "Check your understanding",
                 "Key points", "Facilitator notes"]:
        assert part in text, f"{chapter} lacks {part!r}"
    assert len(CODE_CELL.findall(text)) >= 2, f"{chapter} has no worked example"
    assert ":tags: [remove-cell]" in text, f"{chapter} does not check its own solutions"


@pytest.mark.parametrize("chapter", CHAPTERS + ["book/why-local"])
def test_worked_examples_use_the_toolkit(chapter):
    assert re.search(r"^from toolkit[.\w]* import", source(chapter), re.MULTILINE)


def test_charts_have_alt_text_in_the_sources():
    for chapter in CHAPTERS + ["book/why-local"]:
        text = source(chapter)
        charts = len(re.findall(r"plt\.show\(\)|display\(fig\)", text))
        alts = len(re.findall(r"^\s+alt: \S", text, re.MULTILINE))
        assert alts >= charts, f"{chapter}: {charts} chart(s) but {alts} alt text(s)"


def test_config_serves_its_own_scripts():
    config = yaml.safe_load((ROOT / "_config.yml").read_text())
    sphinx = config["sphinx"]["config"]
    assert "_static" not in sphinx["html_static_path"]
    assert "_widgets/site" in sphinx["html_static_path"]
    assert not any(str(k).startswith(("http", "//")) for k in sphinx["nb_ipywidgets_js"])
    assert not str(sphinx["mathjax_path"]).startswith(("http", "//"))
    assert config["execute"]["execute_notebooks"] in {"force", "cache"}
    assert not (ROOT / "_static").exists(), "a root _static/ puts its scripts on every page"


PLAN_ROW = re.compile(r"^\| (\d{1,2}):(\d\d) \| (\d+) min \|", re.MULTILINE)


@pytest.mark.parametrize("plan, ends", [("book/facilitators/half-day", ["3:30", "3:30"]),
                                        ("book/facilitators/full-day", ["16:00"])])
def test_session_plans_add_up(plan, ends):
    """Each session starts when the one before ends, and each plan ends when it says."""
    finishes = []
    for table in source(plan).split("\n\n"):
        rows = [(int(h) * 60 + int(m), int(length)) for h, m, length in PLAN_ROW.findall(table)]
        if not rows:
            continue
        assert len(rows) >= 7
        for (start, length), (next_start, _) in zip(rows, rows[1:], strict=False):
            assert start + length == next_start, f"{plan}: a gap or overlap at minute {start}"
        last_start, last_length = rows[-1]
        finish = last_start + last_length
        finishes.append(f"{finish // 60}:{finish % 60:02d}")
    assert finishes == ends


def test_audit_flags_remote_scripts_and_missing_alt(tmp_path):
    page = tmp_path / "page.html"
    page.write_text('<html><head><script src="https://cdn.example/x.js"></script>'
                    '<link rel="stylesheet" href="//cdn.example/x.css"></head>'
                    '<body><img src="a.png"><img src="b.png" alt="A chart">'
                    '<pre>&lt;Figure size 700x400 with 1 Axes&gt;</pre></body></html>')
    problems = audit_page(page)
    assert len(problems) == 4
    assert any("printed as text" in p for p in problems)
    assert any("https://cdn.example/x.js" in p for p in problems)
    assert any("a.png has no alt text" in p for p in problems)


# ------------------------------------------------------------------------- build (slow)


class _Headings(HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth = 0
        self.levels: list[int] = []

    def handle_starttag(self, tag, attrs):
        if tag == "article":
            self.depth += 1
        elif self.depth and re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))

    def handle_endtag(self, tag):
        if tag == "article":
            self.depth -= 1


@pytest.fixture(scope="module")
def site(built_book):
    """The built course (built once per run: ``built_book`` in conftest)."""
    return built_book


@pytest.mark.slow
def test_every_toc_page_is_built(site):
    missing = [f for f in toc_files() if not (site / f"{f}.html").is_file()]
    assert not missing


@pytest.mark.slow
def test_every_chapter_can_be_downloaded_as_its_notebook(site):
    for name in toc_files():
        page = (site / f"{name}.html").read_text(encoding="utf-8")
        assert f"_sources/{name}.md" in page, f"{name}: no download link"
        assert (site / "_sources" / f"{name}.md").is_file(), f"{name}: download missing"


@pytest.mark.slow
def test_no_page_loads_from_outside_the_site_and_every_image_has_alt(site):
    problems = [p for page in site.rglob("*.html") for p in audit_page(page)]
    assert not problems, "\n".join(problems)
    assert any(site.rglob("*.png")), "the worked examples drew no charts"


@pytest.mark.slow
def test_widget_and_mathjax_scripts_are_served_locally(site):
    assert (site / "_static" / "jupyter-widgets" / "embed.js").is_file()
    assert (site / "_static" / "mathjax" / "tex-chtml.js").is_file()
    widget_pages = [p for p in site.rglob("*.html")
                    if "application/vnd.jupyter.widget-view+json" in p.read_text()]
    assert len(widget_pages) >= 3
    for page in widget_pages:
        text = page.read_text()
        assert "_static/jupyter-widgets/embed.js" in text
        assert "application/vnd.jupyter.widget-state+json" in text


@pytest.mark.slow
def test_headings_go_down_one_level_at_a_time(site):
    for name in toc_files():
        parser = _Headings()
        parser.feed((site / f"{name}.html").read_text(encoding="utf-8"))
        levels = parser.levels
        assert levels and levels[0] == 1 and levels.count(1) == 1, f"{name}: {levels}"
        jumps = [(a, b) for a, b in zip(levels, levels[1:], strict=False) if b > a + 1]
        assert not jumps, f"{name}: heading levels jump {jumps}"


@pytest.mark.slow
def test_search_index_knows_the_course_terms(site):
    index = (site / "searchindex.js").read_text(encoding="utf-8").lower()
    for term in ["multipli", "deadweight", "reserv", "procur"]:
        assert term in index


@pytest.mark.slow
def test_no_cell_failed_or_printed_a_traceback(site):
    for name in toc_files():
        text = (site / f"{name}.html").read_text(encoding="utf-8")
        assert "Traceback (most recent call last)" not in text, name
        assert 'class="output traceback' not in text, name
