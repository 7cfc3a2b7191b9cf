"""Put the toolkit's parameterised notebooks into the course as worked examples.

The notebooks in ``notebooks/`` are the ones the pack runner executes with papermill; the
course shows the same notebooks, run on the sample data, so that it teaches exactly what the
packs compute. Before Sphinx reads any source, this extension writes a copy of each into
``book/examples/`` (git-ignored there) with two changes a reader of the book needs:

- a Markdown title and a short introduction at the top, so that the page has one first-level
  heading and a place in the table of contents (a pack's own title is shown by a cell's output,
  which the book shows as a subtitle rather than a second first-level heading);
- like papermill's "injected-parameters" cell, a hidden cell after the parameters cell that
  re-points relative paths (``"../data/..."``) from ``notebooks/`` to ``book/examples/``.

The notebook itself is never changed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx

EXAMPLES = {
    "organisation": (
        "Worked example: an organisation's evidence pack",
        "The notebook the pack runner uses for one community anchor, run here on a fictional "
        "sample organisation. Every chapter of the anchor track explains one of its sections."),
    "strengthening": (
        "Worked example: strengthening an organisation's impact",
        "Leaks, what-ifs and what the buildings enable for one fictional sample organisation, "
        "as in the chapter [Strengthening your impact](../anchors/strengthening.md)."),
    "authority": (
        "Worked example: a council area's pack",
        "All the sample anchors of one council area together, with the council's spending "
        "analysis, as the pack runner makes it for each authority."),
    "appraisal": (
        "Worked example: a commissioning options appraisal",
        "A fictional options appraisal for a youth service, as in the chapter "
        "[Appraising options](../commissioners/appraising-options.md)."),
    "network": (
        "Worked example: the network summary",
        "The summary across every sample authority that a network coordinator receives."),
}
FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.DOTALL)
PARAMETERS_CELL = re.compile(
    r"(```\{code-cell\}[^\n]*\n:tags: \[parameters\]\n)(.*?)(\n```\n)", re.DOTALL)
PACK_TITLE = re.compile(r"<h1 class=(['\"])pack-title\1>(.*?)</h1>", re.DOTALL)


def repointed_parameters(cell_source: str) -> list[str]:
    """Return assignments re-pointing each relative-path parameter one folder deeper."""
    lines = []
    for node in ast.parse(cell_source).body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
                and node.value.value.startswith("../")):
            lines.append(f"{node.targets[0].id} = {('../' + node.value.value)!r}")
    return lines


def markdown_title_line(body: str) -> int | None:
    """Return the index of the first Markdown (not code) line that is a level-1 heading."""
    in_code = False
    for number, line in enumerate(body.split("\n")):
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("# "):
            return number
    return None


def example_source(text: str, title: str, intro: str) -> str:
    """Return a notebook's MyST text with a title and intro, and its paths re-pointed."""
    front = FRONT_MATTER.match(text)
    head, body = (front.group(0), text[front.end():]) if front else ("", text)
    about = (f"{intro}\n\n"
             "This page is the toolkit's own notebook, unchanged, run when the course is built. "
             "Open it from the `notebooks/` folder in JupyterLab to run it on your own data.\n")
    lines = body.split("\n")
    own_title = markdown_title_line(body)
    if own_title is None:
        lines.insert(0, f"\n# {title}\n\n{about}")
    else:
        lines.insert(own_title + 1, f"\n{about}")
    body = "\n".join(lines)
    match = PARAMETERS_CELL.search(body)
    if match:
        lines = repointed_parameters(match.group(2))
        if lines:
            injected = ("\n```{code-cell} ipython3\n:tags: [injected-parameters, remove-cell]\n\n"
                        "# The book runs this notebook from book/examples/, one folder deeper.\n"
                        + "\n".join(lines) + "\n```\n")
            body = body[:match.end()] + injected + body[match.end():]
    return head + body


def write_examples(app: Sphinx) -> None:
    """Write ``book/examples/<name>.md`` for every notebook named in :data:`EXAMPLES`."""
    root = Path(app.srcdir)
    out = root / "book" / "examples"
    out.mkdir(parents=True, exist_ok=True)
    (out / ".gitignore").write_text("# Written at build time by book/_ext/worked_examples.py\n*\n")
    for name, (title, intro) in EXAMPLES.items():
        source = root / "notebooks" / f"{name}.md"
        if not source.is_file():
            continue
        text = example_source(source.read_text(encoding="utf-8"), title, intro)
        target = out / f"{name}.md"
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")


def pack_title_as_subtitle(app: Sphinx, doctree, docname: str) -> None:
    """In the worked examples, show a pack's own title as a subtitle, not a second h1."""
    if not docname.startswith("book/examples/"):
        return
    for raw in doctree.findall(nodes.raw):
        text = raw.astext()
        if "pack-title" in text:
            new = PACK_TITLE.sub(r"<p class='pack-title h2' role='doc-subtitle'>\2</p>", text)
            raw.replace_self(nodes.raw("", new, format=raw.get("format", "html")))


def setup(app: Sphinx) -> dict:
    """Write the examples now (before any source is read) and register the title hook."""
    write_examples(app)
    app.connect("doctree-resolved", pack_title_as_subtitle)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1.0"}
