"""The learner's chapters read for a non-coder.

The quick tests read the chapters' sources: each anchor and commissioner chapter says what to do
in the app or on the command line before any Python, keeps its worked Python in collapsed "under
the bonnet" boxes, and the fixed errors stay fixed (the setup page's exercise, the two-minute
version, the boundary named beside every Bradford spending figure).

The slow test builds the pages and reads every cell's output as a reader sees it: no raw float
(``2.4400000000000004``), ``None``, ``NaN``, ``dtype`` or internal column name may show.
"""

from __future__ import annotations

import re
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")

#: The pages this test reads: the learner's chapters (the app chapter has its own tests).
CHAPTERS = sorted(str(p.relative_to(ROOT).with_suffix(""))
                  for folder in ("anchors", "commissioners") for p in (BOOK / folder).glob("*.md")
                  if p.stem != "own-pack-in-the-app")
PAGES = CHAPTERS + ["book/setup", "book/why-local", "book/intro", "book/glossary"]

#: Column names of the toolkit's tables that mean nothing to a reader.
INTERNAL_NAMES = ["in_lm3", "Spending rows", "supplier_postcode", "home_district", "gross_pay",
                  "unit_value", "year1_impact", "present_value", "drop_off", "benefit_period",
                  "ratio_down", "ratio_up", "gva_source", "net_low", "net_high", "hourly_wage",
                  "wage_source", "rise_per_10k", "pension_fund", "local_share_low",
                  "living_wage", "r2_staff", "lm3_low", "full_range_low"]

RAW_PATTERNS = {
    "a long float tail": re.compile(r"\d\.\d{6,}"),
    "NaN": re.compile(r"\bNaN\b|\bnan\b"),
    "None": re.compile(r"\bNone\b"),
    "dtype": re.compile(r"\bdtype\b"),
    "True/False": re.compile(r"\bTrue\b|\bFalse\b"),
    "a raw pandas table": re.compile(r"\[a raw pandas table\]"),
    "an unformatted amount": re.compile(r"(?<![\d,.])\d{4,}\.\d+\b"),
    "a snake_case name": re.compile(r"(?<![.\w/-])[a-z][a-z0-9]*_[a-z][a-z0-9_]*\b(?![.\w(])"),
}


def raw_outputs(text: str) -> list[str]:
    """Return what in one cell's output text a non-coder could not read, named."""
    found = [name for name, pattern in RAW_PATTERNS.items() if pattern.search(text)]
    return found + [f"column {name!r}" for name in INTERNAL_NAMES
                    if re.search(rf"(?<![.\w]){re.escape(name)}(?!\w)", text)]


class _Outputs(HTMLParser):
    """Collects the text a reader sees in each cell output (``div.cell_output``) of a page.

    Scripts and styles are skipped (a widget's state is not shown); a table pandas drew as
    it is, with its index and raw headings, is marked ``[a raw pandas table]``.
    """

    def __init__(self):
        super().__init__()
        self.outputs: list[str] = []
        self._depth = 0
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        classes = (dict(attrs).get("class") or "").split()
        if self._depth:
            self._depth += tag == "div"
            self._hidden += tag in {"script", "style"}
            if tag == "table" and "dataframe" in classes and "data-table" not in classes:
                self.outputs[-1] += " [a raw pandas table] "
        elif tag == "div" and "cell_output" in classes:
            self._depth = 1
            self.outputs.append("")

    def handle_endtag(self, tag):
        if self._depth and tag == "div":
            self._depth -= 1
        if self._depth and tag in {"script", "style"}:
            self._hidden -= 1

    def handle_data(self, data):
        if self._depth and not self._hidden:
            self.outputs[-1] += data + " "


def cell_outputs(html: str) -> list[str]:
    parser = _Outputs()
    parser.feed(html)
    return parser.outputs


def source(page: str) -> str:
    return (ROOT / f"{page}.md").read_text(encoding="utf-8")


def code_cells(text: str) -> list[str]:
    """The code cells of a MyST notebook, each from its fence to its closing fence."""
    return re.findall(r"^```\{code-cell\}[^\n]*\n(.*?)^```$", text, re.MULTILINE | re.DOTALL)


# ------------------------------------------------------------------------- the scanner


def test_scanner_flags_what_a_reader_cannot_read():
    html = ('<div class="cell_output docutils container"><pre>2.4400000000000004</pre></div>'
            '<div class="cell_output"><div><table><tr><td>NaN</td><td>in_lm3</td></tr>'
            '</table><script>{"model_id": "x"}</script></div></div>'
            '<p>None outside an output is prose</p>'
            '<div class="cell_output"><table class="dataframe"><tr><td>1</td></tr></table></div>'
            '<div class="cell_output"><p>£1,234 and 57%</p></div>')
    outputs = cell_outputs(html)
    assert len(outputs) == 4 and "None" not in "".join(outputs)
    assert raw_outputs(outputs[0]) == ["a long float tail"]
    assert raw_outputs(outputs[1]) == ["NaN", "a snake_case name", "column 'in_lm3'"]
    assert raw_outputs(outputs[2]) == ["a raw pandas table"]
    assert raw_outputs(outputs[3]) == []
    assert raw_outputs("Name: amount, dtype: float64") == ["dtype"]
    assert raw_outputs("food and catering    37000.0") == ["an unformatted amount"]
    assert raw_outputs("rise_per_10k 0.5") == ["a snake_case name", "column 'rise_per_10k'"]
    assert raw_outputs("the setting lm3.assumed_respend_staff, in riverside_2024.csv") == []
    assert raw_outputs("setting volunteering.default\u200b_hourly_wage") == []


# ------------------------------------------------------------------------- sources (quick)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_says_what_to_do_before_any_python(chapter):
    text = source(chapter)
    first_code = text.index("```{code-cell}")
    before = text[:first_code]
    assert "keepitlocal" in before, f"{chapter}: no app or command before the first code cell"
    assert "under the bonnet" in text.lower(), f"{chapter}: no 'under the bonnet' box"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_worked_python_is_collapsed(chapter):
    """Every cell that shows an output hides its code, except widget and chart cells."""
    shown = [cell.splitlines()[0] for cell in code_cells(source(chapter))
             if "remove-cell" not in cell and "hide-input" not in cell
             and "remove-input" not in cell
             and not re.search(r"widgets\.|_widget\(|plt\.|display\(Image|chart", cell)]
    assert not shown, f"{chapter}: code shown in full: {shown}"


def test_setup_exercise_asks_about_a_row_the_table_shows():
    text = source("book/setup")
    assert "lm3.assumed_respend_staff" in text
    assert "assumptions.head(8)" not in text
    assert "METHODS §" not in text
    assert "methods.md" in text and "Methods chapter" in text


def test_setup_is_for_learners_without_developer_tools():
    text = source("book/setup")
    assert "unpack or clone" not in text
    assert "py -m pip" in text and "pip install ." in text
    assert "macOS" in text and "not tested" in text
    assert "[dev]" in text and "release" in text.lower()
    assert "Pango" in text and "print" in text.lower()


def test_the_two_minute_version_asks_for_two_minutes():
    text = source("book/anchors/telling-your-story")
    exercise = text[text.index("two-minute version"):]
    exercise = exercise[:exercise.index(":::")]
    assert "under a minute" not in exercise and "two minutes" in exercise


def test_the_weights_answer_says_what_the_figures_show():
    """Exercise 2's answer gives the computed totals and the swap; a hidden cell asserts it."""
    text = source("book/commissioners/commissioning-resilience")
    answer = text[text.index("Exercise 2: the weight"):text.index("## Check your understanding")]
    assert "its lead grows." not in answer and "swap" in answer
    assert "{glue:text}`after_regional" in answer
    assert 'order_after == ["Local consortium", "Regional charity", "National provider"]' in answer


def test_every_bradford_spending_figure_names_its_boundary():
    """Bradford's local spend differs by boundary: each page giving one names which."""
    spending = source("book/commissioners/council-spending")
    assert "BD postcode area" in spending and "Bradford's council area" in spending
    assert "{glue:text}`council_low" in spending  # the council area's share, computed
    assert "Bradford's council area" in source("book/commissioners/appraising-options")


# ------------------------------------------------------------------------- built pages (slow)


@pytest.fixture(scope="module")
def site(built_book):
    """The built course (built once per run, with warnings as errors: see conftest)."""
    return built_book


@pytest.mark.slow
@pytest.mark.parametrize("page", PAGES)
def test_no_raw_output_on_the_learners_pages(site, page):
    outputs = cell_outputs((site / f"{page}.html").read_text(encoding="utf-8"))
    problems = [(text.strip()[:120], found) for text in outputs if (found := raw_outputs(text))]
    assert not problems, f"{page}: {problems}"
