"""Keep the course site self-contained, and check that it is, as part of the build.

Jupyter Book 1 always loads ``sphinx_thebe``, which puts a script on every page that names
a CDN address for Thebe (only fetched when a "live code" button is pressed; we have none).
This extension removes those scripts, then checks every page it wrote:

- no ``<script src=...>`` or stylesheet ``<link href=...>`` points off the site
  (``http:``, ``https:`` or ``//``);
- every ``<img>`` has non-empty alt text;
- no chart was printed as text (``<Figure size 640x480 with 1 Axes>``) instead of drawn.

A page that breaks either rule fails the build with a message naming the page, so the
site can be opened from a laptop with no internet and read with a screen reader.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ExtensionError

THEBE_MARKERS = ("sphinx-thebe", "THEBE_JS_URL", "thebe")
REMOTE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)
FIGURE_AS_TEXT = re.compile(r"<Figure size \d+x\d+ with \d+ Axes>")


def _is_thebe_script(script) -> bool:
    filename = str(getattr(script, "filename", "") or "")
    body = str(getattr(script, "attributes", {}).get("body", ""))
    return any(marker in filename or marker in body for marker in THEBE_MARKERS)


def drop_thebe_scripts(app, pagename, templatename, context, doctree) -> None:
    """Remove sphinx-thebe's scripts from a page (we offer no live-code button)."""
    scripts = context.get("script_files")
    if scripts:
        context["script_files"] = [s for s in scripts if not _is_thebe_script(s)]


class _PageAudit(HTMLParser):
    """Collect remote scripts and stylesheets and images without alt text in one page."""

    def __init__(self) -> None:
        super().__init__()
        self.remote: list[str] = []
        self.no_alt: list[str] = []
        self.undrawn: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and REMOTE.match(attributes.get("src") or ""):
            self.remote.append(f"script {attributes['src']}")
        is_stylesheet = tag == "link" and "stylesheet" in (attributes.get("rel") or "")
        if is_stylesheet and REMOTE.match(attributes.get("href") or ""):
            self.remote.append(f"stylesheet {attributes['href']}")
        if tag == "img" and not (attributes.get("alt") or "").strip():
            self.no_alt.append(attributes.get("src") or "(no src)")

    def handle_data(self, data):
        self.undrawn += FIGURE_AS_TEXT.findall(data)


def audit_page(path: Path) -> list[str]:
    """Return the problems found in one built HTML page, each as a sentence."""
    parser = _PageAudit()
    parser.feed(path.read_text(encoding="utf-8"))
    problems = [f"{path.name}: loads {item} from outside the site" for item in parser.remote]
    problems += [f"{path.name}: image {src} has no alt text" for src in parser.no_alt]
    problems += [f"{path.name}: a chart was printed as text ({text}), not drawn"
                 for text in parser.undrawn]
    return problems


def audit_site(app: Sphinx, exception) -> None:
    """After an HTML build, fail it if any page loads from off-site or lacks alt text."""
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    problems = []
    for page in sorted(outdir.rglob("*.html")):
        problems += [f"{page.relative_to(outdir).parent}/{p}" for p in audit_page(page)]
    if problems:
        raise ExtensionError(
            "The course site must work offline and be accessible:\n  " + "\n  ".join(problems))


def setup(app: Sphinx) -> dict:
    """Register the two hooks."""
    app.connect("html-page-context", drop_thebe_scripts, priority=900)
    app.connect("build-finished", audit_site)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
