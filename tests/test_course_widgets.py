"""The course's widgets and charts tell the truth, on the static site as well as in JupyterLab.

Without a browser: the stepped slider (``toolkit.present_widgets``) links each position to
its own precomputed figure; no chapter's widget cell uses a Python callback (which a web
page cannot run) or turns a fixed value into a slider; the options explorer's first view
shows the appraisal's own figures; charts keep their bars inside the frame and clear of the
legend; alt text gives the chart's unit; the presets table shows no ``NaN``; the footer is
configured where Jupyter Book reads it.

On the built site (``_build/html``, ``make book``), in headless Chromium: every stepped
slider is moved to several positions and the figure shown is compared with the toolkit's
own value there; the slider tracks are wide enough to see; at phone width (390 px) wide
formulas and tables scroll inside the page with a visible cue; every page has the footer.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
SITE = ROOT / "_build" / "html"
RIVERSIDE = BOOK / "data" / "riverside"
BRADFORD = {"boundary": {"name": "Bradford district", "postcodes": ["BD"]}}
#: The chapters whose widget cells this file checks.
WIDGET_CHAPTERS = ["why-local.md", "anchors/lm3-surveys.md", "anchors/strengthening.md",
                   "commissioners/appraising-options.md"]
CODE_CELL = re.compile(r"```\{code-cell\}[^\n]*\n(.*?)\n```", re.DOTALL)

widgets = pytest.importorskip("ipywidgets")


def code_cells(chapter: str) -> list[str]:
    return CODE_CELL.findall((BOOK / chapter).read_text(encoding="utf-8"))


def riverside_settings(**lm3):
    from toolkit.inputs.settings import load_settings

    return load_settings(overrides={**BRADFORD, **({"lm3": lm3} if lm3 else {})})


# ----------------------------------------------------------------- the stepped slider


def test_steps_are_rounded_and_bounded():
    from toolkit.present_widgets import MAX_POSITIONS, steps

    assert steps(0.0, 1.0, 0.1)[3] == 0.3
    assert len(steps(0.0, 1.0, 0.05)) == 21
    with pytest.raises(ValueError, match="at most"):
        steps(0.0, 1.0, 1 / MAX_POSITIONS / 1.5)


def test_stepped_slider_links_each_position_to_its_own_figure():
    from toolkit.present_widgets import FIGURE_CLASS, Position, stepped_slider

    positions = [Position(f"{i}0%", f"<p>figure {i}</p>") for i in range(5)]
    box = stepped_slider("Share", positions, start=2, fixed="Nothing else moves.")
    assert box.slider.options == tuple(p.label for p in positions)
    assert box.slider.index == box.stack.selected_index == 2
    assert [c.value for c in box.stack.children] == [
        f"<div class='{FIGURE_CLASS}'><p>figure {i}</p></div>" for i in range(5)]
    assert box.link.source == (box.slider, "index")
    assert box.link.target == (box.stack, "selected_index")


@pytest.mark.parametrize("labels", [[], [str(i) for i in range(26)], ["a", "a"]])
def test_stepped_slider_refuses_bad_positions(labels):
    from toolkit.present_widgets import Position, stepped_slider

    with pytest.raises(ValueError):
        stepped_slider("x", [Position(label, "") for label in labels])


@pytest.mark.parametrize("chapter", WIDGET_CHAPTERS)
def test_no_widget_cell_relies_on_python_running(chapter):
    """``interactive`` and ``observe`` need a kernel; a web page has none."""
    for cell in code_cells(chapter):
        assert "interactive(" not in cell and ".observe(" not in cell, cell
        assert "FloatSlider" not in cell and "IntSlider" not in cell, cell


def test_fixed_lm3s_are_not_sliders():
    cells = "\n".join(code_cells("commissioners/appraising-options.md"))
    assert "LM3_LOCAL, LM3_OTHER = 1.76, 1.36" in cells
    assert "lm3_local=" not in cells and "lm3_other=" not in cells


def test_premium_words_follow_the_break_even_ratio():
    from toolkit.appraisal.maths import break_even_ratio_by_weight
    from toolkit.appraisal.widgets import premium_words

    assert "break-even premium 9.4%" in premium_words(0.2, 0.0, 1.76, 1.36)
    assert "8.7%" in premium_words(0.2, 0.36, 1.76, 1.36)
    assert "no break-even" in premium_words(1.4, 0.0, 1.76, 1.36)
    assert break_even_ratio_by_weight(1.4, 0.76, 0.36) is None


def test_whatif_steps_show_run_whatif_at_each_position():
    from toolkit.inputs.workbook import read_workbook
    from toolkit.measures.lm3 import lm3_inputs
    from toolkit.measures.whatif import run_whatif, whatif_steps

    settings = riverside_settings()
    box = whatif_steps(read_workbook(RIVERSIDE), settings, category="food and catering")
    spend, staff = box.sliders
    inputs = lm3_inputs(read_workbook(RIVERSIDE), settings)
    for index in (3, 10):
        share = index / 10
        lm3 = run_whatif(inputs, settings, ["food and catering"], share).new.lm3
        assert f"LM3 {lm3:.2f} " in spend.stack.children[index].value
    assert len(staff.stack.children) <= 25
    assert "£" not in "".join(c.value for c in staff.stack.children)  # pay of a few people


# ----------------------------------------------------------------- the options explorer


def test_explorer_first_view_shows_the_appraisals_own_figures():
    """Sliders start at rounded values (an LM3 of 1.889 shows as 1.89); untouched, they
    must not change the figures the appraisal page states."""
    from toolkit.appraisal.appraise import appraise, gather_evidence, load_scenario
    from toolkit.appraisal.widgets import explorer
    from toolkit.inputs.settings import load_settings

    settings = load_settings()
    scenario = load_scenario(ROOT / "data" / "samples" / "calderdale_youth_scenario.yml")
    evidence = gather_evidence(scenario, settings)
    page = appraise(scenario, settings, evidence=evidence)
    box = explorer(scenario, settings, evidence)
    assert box.last.summary() == page.summary()
    for column in ("local_value", "lm3", "net_value", "total_score"):
        assert list(box.last.options[column]) == pytest.approx(list(page.options[column]))
    lam = next(c for c in box.children if getattr(c, "description", "").startswith("lambda"))
    lam.value = 0.5
    assert box.last.headline["lambda"] == 0.5


def test_moved_values_only_names_moved_sliders():
    from toolkit.appraisal.widgets import Slider, moved_values

    specs = [Slider(None, "local_value_weight", "lambda", 0, 1, 0.01, 0.2),
             Slider("A", "lm3", "A: LM3", 1, 3, 0.01, 1.89)]
    assert moved_values(specs, [0.2, 1.89], [0.2, 1.89]) == {}
    assert moved_values(specs, [0.2, 1.89], [0.2, 2.0]) == {("A", "lm3"): 2.0}


# ----------------------------------------------------------------- charts and tables


def _boxes_overlap(a, b) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


def test_scores_chart_legend_covers_no_bar():
    from toolkit.appraisal.appraise import appraise, load_scenario, scores_chart
    from toolkit.inputs.settings import load_settings

    scenario = load_scenario(ROOT / "data" / "samples" / "bradford_advice_scenario.yml")
    fig = scores_chart(appraise(scenario, load_settings()))
    fig.canvas.draw()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent()
    bars = [p.get_window_extent() for p in ax.patches]
    assert bars and not any(_boxes_overlap(legend, bar) for bar in bars)


def test_spending_chart_keeps_every_bar_inside_the_frame():
    from toolkit.inputs.geography import Boundary
    from toolkit.inputs.workbook import read_workbook
    from toolkit.measures.leakage import spending_by_place_chart

    spending = read_workbook(RIVERSIDE).table("spending")
    spending["local"] = spending["supplier_postcode"].map(
        Boundary.from_codes("Bradford district (BD)", ["BD"]).contains)
    fig = spending_by_place_chart(spending, "Riverside Community Trust", "2024-25")
    right = fig.axes[0].get_xlim()[1]
    largest = max(p.get_x() + p.get_width() for p in fig.axes[0].patches)
    assert largest == spending.groupby("category")["amount"].sum().max()
    assert right > largest * 1.02
    assert "subcontracted services £51,000" in fig.alt_text


def test_leakage_alt_text_gives_the_charts_pence():
    from toolkit.inputs.workbook import read_workbook
    from toolkit.measures.leakage import leakage

    text = (BOOK / "anchors" / "strengthening.md").read_text(encoding="utf-8")
    alt = re.search(r'alt: "(Horizontal bar chart of Riverside.*?)"', text, re.DOTALL).group(1)
    alt = " ".join(alt.split())
    assert "pence" in alt and not re.search(r"£\d[\d,]*\d", alt)  # no £ amounts, only "£1"
    top = leakage(read_workbook(RIVERSIDE), riverside_settings()).by_supplier.head(6)
    for row in top.to_dict("records"):
        assert f"{row['supplier']} {row['pence_per_pound']:g}p" in alt


def test_footer_is_configured_where_jupyter_book_reads_it():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    theme = config["sphinx"]["config"]["html_theme_options"]
    assert theme["extra_footer"] == config["html"]["extra_footer"]
    assert "not legal advice" in theme["extra_footer"].lower().replace("nothing here is", "not")


# ----------------------------------------------------------------- on the built site

browser_only = pytest.mark.skipif(not (SITE / "index.html").is_file(),
                                  reason=f"the course site is not built ({SITE}): make book")


@pytest.fixture(scope="module")
def base_url():
    from browser_support import QuietHandler

    handler = functools.partial(QuietHandler, directory=str(SITE))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    from browser_support import CHROMIUM, chromium_browser

    if not CHROMIUM.is_file():
        pytest.skip(f"{CHROMIUM} absent: install the Debian `chromium` package")
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    yield from chromium_browser()


def open_page(browser, base_url, page_path, width=1280):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.goto(base_url + page_path, wait_until="load")
    return page


def _lm3_at_supplier_rate(rate: float) -> str:
    from toolkit.inputs.workbook import read_workbook
    from toolkit.measures.lm3 import lm3_from_workbook

    own = riverside_settings(assumed_respend_suppliers={
        "value": rate, "low": max(rate - 0.2, 0.0), "high": min(rate + 0.2, 1.0)})
    return f"LM3 {lm3_from_workbook(read_workbook(RIVERSIDE), own).lm3:.2f} "


def _constant_share(share: float) -> str:
    from toolkit.measures.lm3 import constant_share_lm3

    return f"LM3 = {constant_share_lm3(share):.2f}."


def _premium(weight: float, v_zero: float) -> str:
    from toolkit.appraisal.maths import break_even_ratio_by_weight

    ratio = break_even_ratio_by_weight(weight, 0.76, 0.36, v_zero)
    return "no break-even" if ratio is None else f"break-even premium {ratio - 1:.1%} "


def _food_whatif(share: float) -> str:
    from toolkit.inputs.workbook import read_workbook
    from toolkit.measures.lm3 import lm3_inputs
    from toolkit.measures.whatif import run_whatif

    settings = riverside_settings()
    inputs = lm3_inputs(read_workbook(RIVERSIDE), settings)
    result = run_whatif(inputs, settings, ["food and catering"], share)
    return f"LM3 {result.new.lm3:.2f} " if share else f"stays at {result.today.lm3:.2f} "


def _percent(readout: str) -> float:
    return float(readout.strip().rstrip("%")) / 100


#: Each stepped slider on the site: page, its description, readout to value, and the figure
#: the toolkit gives at that value (a part of the sentence the page must show).
SLIDERS = [
    ("book/why-local.html", "Local share", _percent, _constant_share),
    ("book/anchors/lm3-surveys.html", "Assumed supplier re-spending", _percent,
     _lm3_at_supplier_rate),
    ("book/commissioners/appraising-options.html", "Weight on local income (lambda)", float,
     lambda w: _premium(w, 0.0)),
    ("book/commissioners/appraising-options.html", "Local income of other spending (v_0)",
     float, lambda v: _premium(0.2, v)),
    ("book/anchors/strengthening.html", "Share of food and catering moved to local suppliers",
     _percent, _food_whatif),
]


def _stepped(page, description):
    box = page.locator(".stepped-slider").filter(
        has=page.locator(".widget-label", has_text=description))
    box.first.wait_for(state="visible", timeout=20_000)
    return box.first


def _shown(box) -> tuple[str, str]:
    readout = box.locator(".widget-readout").first.inner_text()
    figure = [t for t in box.locator(".stepped-figure").all_inner_texts() if t.strip()]
    visible = box.locator(".stepped-figure:visible")
    return readout, (visible.first.inner_text() if visible.count() else " / ".join(figure))


@browser_only
@pytest.mark.browser
@pytest.mark.parametrize(("page_path", "description", "value_of", "expected"), SLIDERS,
                         ids=[s[1] for s in SLIDERS])
def test_moving_a_slider_shows_the_toolkits_figure(browser, base_url, page_path, description,
                                                   value_of, expected):
    page = open_page(browser, base_url, page_path)
    try:
        box = _stepped(page, description)
        seen = []
        handle = box.locator("[role=slider]").first
        handle.focus()
        for key in ("ArrowRight", "ArrowRight", "ArrowLeft"):
            page.keyboard.press(key)
            page.wait_for_function(
                "([el, before]) => el.innerText !== before",
                arg=[box.locator(".widget-readout").first.element_handle(),
                     seen[-1][0] if seen else ""], timeout=5_000)
            readout, figure = _shown(box)
            seen.append((readout, figure))
            assert expected(value_of(readout)) in figure, (readout, figure)
        assert len({r for r, _ in seen}) >= 2
    finally:
        page.close()


@browser_only
@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("page_path", sorted({s[0] for s in SLIDERS} | {
    "book/examples/appraisal.html", "book/examples/strengthening.html"}))
def test_slider_tracks_are_wide_enough_to_see(browser, base_url, page_path, width):
    page = open_page(browser, base_url, page_path, width)
    try:
        page.locator(".widget-slider").first.wait_for(state="visible", timeout=20_000)
        tracks = page.locator(".widget-slider .slider-container").all()
        widths = [t.bounding_box()["width"] for t in tracks if t.is_visible()]
        assert widths and min(widths) >= 150, widths
    finally:
        page.close()


#: Pages known to hold display formulas or tables (so the check below has work to do).
PAGES_WITH_WIDE_CONTENT = {"book/commissioners/appraising-options.html",
                           "book/anchors/lm3-surveys.html", "book/anchors/strengthening.html"}


def toc_pages() -> list[str]:
    """Every page of ``_toc.yml`` as its built HTML path."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    found = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            found.extend([entry["file"]] if "file" in entry else [])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    return [f"{name}.html" for name in found]


@browser_only
@pytest.mark.browser
@pytest.mark.parametrize("page_path", toc_pages())
def test_wide_content_scrolls_with_a_cue_at_phone_width(browser, base_url, page_path):
    page = open_page(browser, base_url, page_path, 390)
    try:
        page.wait_for_function("document.querySelectorAll('mjx-container').length > 0 || "
                               "!document.querySelector('div.math')", timeout=20_000)
        page.wait_for_timeout(300)  # one animation frame for wide-content.js (not a check)
        report = page.evaluate("""() => {
            const out = [];
            const all = document.querySelectorAll(
              ".bd-article mjx-container[display='true'], .bd-article table");
            for (const el of all) {
              let box = el;  // the nearest element that scrolls, or the element itself
              while (box.parentElement && getComputedStyle(box).overflowX === 'visible'
                     && !box.matches('.bd-article')) box = box.parentElement;
              const cut = el.getBoundingClientRect().right > window.innerWidth + 1;
              const scrolls = ['auto', 'scroll'].includes(getComputedStyle(box).overflowX);
              const wide = box.scrollWidth > box.clientWidth + 1;
              const hint = (box.closest('div.math') || box).previousElementSibling;
              out.push({tag: el.tagName, cut, scrolls, wide,
                        cued: !!(hint && hint.classList.contains('scroll-hint')
                                 && hint.offsetHeight > 0)});
            }
            return {items: out, page: document.scrollingElement.scrollWidth};
        }""")
        items = report["items"]
        if page_path in PAGES_WITH_WIDE_CONTENT:
            assert items, f"{page_path}: no formula or table found"
        assert report["page"] <= 391, f"{page_path}: the page itself scrolls sideways"
        for item in items:
            if item["cut"] or item["wide"]:
                assert item["scrolls"] and item["cued"], (page_path, item)
    finally:
        page.close()


@browser_only
def test_every_page_has_the_footer():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    words = " ".join(re.sub("<[^>]+>", " ", config["html"]["extra_footer"]).split())
    pages = sorted(SITE.glob("book/**/*.html"))
    assert len(pages) >= 10
    missing = [str(p.relative_to(SITE)) for p in pages
               if words not in " ".join(p.read_text(encoding="utf-8").split())]
    assert not missing, f"no footer disclaimer on {missing}"


@browser_only
def test_appraisal_examples_sliders_start_at_the_pages_figures():
    """The worked appraisal's live explorer, as embedded in the built page, states the same
    £ figures as the page's own tables and sentences."""
    import json

    text = (SITE / "book" / "examples" / "appraisal.html").read_text(encoding="utf-8")
    state = re.search(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)'
                      r"</script>", text, re.DOTALL).group(1)
    page = text.replace(state, "")
    outputs = [json.dumps(m["state"].get("outputs", []), ensure_ascii=False)
               for m in json.loads(state)["state"].values()
               if m["state"].get("_model_name") == "OutputModel"]
    figures = set(re.findall(r"£\d{1,3}(?:,\d{3}){2,}", " ".join(outputs)))
    assert len(figures) >= 6, figures
    assert not sorted(f for f in figures if f not in page)
