"""The trainer's kit: session plans that fit the chapters, and materials that exist.

Quick tests read the sources. Each chapter states its length ("**Teaching:** 35 minutes.
**Exercises:** 25 minutes."); each session plan's slot that teaches a chapter must be at least
that long, or say what to cut ("Cut 15 min: ... (10 min); ... (5 min)"), so that the slot plus
the cut is the chapter's full time. The answers page has a list of common wrong answers for
every anchor and commissioner chapter, each with why it is wrong and the right answer.

The print and prebuilt-site tests are in ``tests/test_trainer_print.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import toc_files

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
FACILITATORS = BOOK / "facilitators"
PLANS = [FACILITATORS / "half-day.md", FACILITATORS / "full-day.md"]

DURATION = re.compile(r"\*\*Teaching:\*\*\s+(\d+) minutes\.\s+\*\*Exercises:\*\*\s+(\d+) minutes")
SLOT = re.compile(r"^\| (\d{1,2}):(\d\d) \| (\d+) min \|")
CUT = re.compile(r"\bCut (\d+) min:(.*)", re.IGNORECASE)
PART = re.compile(r"\((?:[^()]*?, )?(\d+) min\)")
LINK = re.compile(r"\]\(([^)#\s]+\.md)(?:#[^)]*)?\)")


TRACK_CHAPTERS = [ROOT / f"{f}.md" for f in toc_files()
                  if f.startswith(("book/anchors/", "book/commissioners/"))]


def chapter_minutes(chapter: Path) -> int:
    """Return a chapter's stated length: its teaching plus its exercise minutes."""
    found = DURATION.search(chapter.read_text(encoding="utf-8"))
    if found is None:
        raise AssertionError(f"{chapter.relative_to(ROOT)} states no Teaching/Exercises time")
    return int(found[1]) + int(found[2])


@dataclass(frozen=True)
class Slot:
    """One track's part of one row of a plan's table."""

    table: int
    column: str
    start: str
    length: int
    chapters: tuple[Path, ...]
    cut: str


def cells(line: str) -> list[str]:
    """Return the cells of a Markdown table row."""
    return [c.strip() for c in line.strip().strip("|").split("|")]


def chapters_in(cell: str, plan: Path) -> tuple[Path, ...]:
    """Return the chapters a cell links to (not the facilitators' own pages)."""
    linked = [(plan.parent / target).resolve() for target in LINK.findall(cell)]
    return tuple(sorted({p for p in linked if FACILITATORS not in p.parents}))


def plan_slots(text: str, plan: Path) -> list[Slot]:
    """Read every slot that teaches a chapter from a plan's tables.

    A cut is read from the chapter's own cell, or else from the row's "What to cut" cell.
    """
    slots, header, table = [], [], -1
    for line in text.splitlines():
        if line.startswith("| Time |"):
            header, table = cells(line), table + 1
            continue
        row = SLOT.match(line)
        if not row:
            continue
        values = dict(zip(header, cells(line), strict=False))
        for column, cell in values.items():
            chapters = chapters_in(cell, plan)
            if not chapters or column == "What to cut":
                continue
            cut = cell if CUT.search(cell) else values.get("What to cut", "")
            slots.append(Slot(table, column, f"{row[1]}:{row[2]}", int(row[3]), chapters, cut))
    return slots


def cut_minutes(cut: str) -> tuple[int, list[int]]:
    """Return a cut's stated total and the minutes of each thing it names."""
    found = CUT.search(cut)
    if found is None:
        return 0, []
    return int(found[1]), [int(m) for m in PART.findall(found[2])]


def shortfalls(text: str, plan: Path) -> list[str]:
    """Return one line for each chapter a plan gives too little time without a stated cut.

    Slots of one table and column that teach the same chapters are added together (a chapter
    may run over two slots). With a cut, slot plus cut must be the chapter's time exactly, and
    the cut's parts must add up to its total.
    """
    totals: dict[tuple, list] = {}
    for slot in plan_slots(text, plan):
        key = (slot.table, slot.column, slot.chapters)
        given, cut, parts, starts = totals.setdefault(key, [0, 0, [], []])
        total, named = cut_minutes(slot.cut)
        totals[key] = [given + slot.length, cut + total, parts + named, starts + [slot.start]]
    problems = []
    for (_, column, chapters), (given, cut, parts, starts) in totals.items():
        needed = sum(chapter_minutes(c) for c in chapters)
        names = ", ".join(c.stem for c in chapters)
        where = f"{plan.name} {column} at {'/'.join(starts)} ({names})"
        if cut and parts and sum(parts) != cut:
            problems.append(f"{where}: the cut's parts add to {sum(parts)} min, not {cut}")
        if cut and given + cut != needed:
            problems.append(f"{where}: {given} min + cut {cut} min is not the chapter's {needed}")
        if not cut and given < needed:
            problems.append(f"{where}: {given} min against the chapter's {needed}, no cut stated")
    return problems


# --------------------------------------------------------------------- the plans


def test_chapter_durations_are_read():
    minutes = {c.stem: chapter_minutes(c) for c in TRACK_CHAPTERS}
    assert len(minutes) >= 11
    assert all(20 <= m <= 120 for m in minutes.values()), minutes


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.stem)
def test_every_slot_fits_its_chapter_or_states_its_cut(plan):
    text = plan.read_text(encoding="utf-8")
    assert len(plan_slots(text, plan)) >= 4, f"{plan.name}: no slot links a chapter"
    problems = shortfalls(text, plan)
    assert not problems, "\n".join(problems)


SAMPLE_PLAN = """
| Time | Length | Activity | Chapter | What to cut |
| --- | --- | --- | --- | --- |
| 0:00 | {length} min | Mapping | [Mapping](../anchors/mapping-money.md) | {cut} |
"""


@pytest.mark.parametrize("cut, fails", [
    ("", True),                                                   # too short, nothing said
    ("Cut 5 min: Exercise 3 (5 min)", True),                      # says too little
    ("Cut 20 min: Exercise 3 (10 min); the Xero example (5 min)", True),  # parts disagree
    ("Cut 20 min: Exercise 3 (10 min); the Xero example (10 min)", False),
])
def test_a_short_slot_without_a_true_cut_fails(cut, fails):
    """The sample slot is 20 minutes shorter than the chapter, whatever the chapter says."""
    plan = FACILITATORS / "half-day.md"
    length = chapter_minutes(BOOK / "anchors" / "mapping-money.md") - 20
    text = SAMPLE_PLAN.format(length=length, cut=cut)
    assert bool(shortfalls(text, plan)) is fails


def test_every_plan_table_has_materials():
    for plan in PLANS:
        headers = [cells(line) for line in plan.read_text().splitlines()
                   if line.startswith("| Time |")]
        assert headers, plan.name
        assert all("Materials" in h for h in headers), f"{plan.name}: a table lacks Materials"


# --------------------------------------------------------------------- the materials


def answer_sections() -> dict[Path, str]:
    """Return each chapter's section of the answers page, by the chapter its heading links."""
    text = (FACILITATORS / "answers.md").read_text(encoding="utf-8")
    sections = {}
    for part in re.split(r"^## ", text, flags=re.MULTILINE)[1:]:
        heading = part.splitlines()[0]
        for chapter in chapters_in(heading, FACILITATORS / "answers.md"):
            sections[chapter] = part
    return sections


WRONG_ANSWER = re.compile(r"^- \*\*Wrong:\*\*\s.+?\*Why\s+it\s+is\s+wrong:\*\s.+?\*Right:\*\s+\S",
                          re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("chapter", TRACK_CHAPTERS, ids=lambda p: p.stem)
def test_every_chapter_has_common_wrong_answers(chapter):
    section = answer_sections().get(chapter.resolve())
    assert section is not None, f"answers.md has no section linking {chapter.name}"
    assert "### Common wrong answers" in section
    wrong = section.split("### Common wrong answers", 1)[1]
    items = re.split(r"^(?=- \*\*Wrong:\*\*)", wrong, flags=re.MULTILINE)[1:]
    assert len(items) >= 2, f"{chapter.name}: fewer than two common wrong answers"
    for item in items:
        assert WRONG_ANSWER.match(item), f"{chapter.name}: an item lacks why or the right one"


def test_the_guide_lists_only_pages_that_exist():
    guide = (FACILITATORS / "guide.md").read_text(encoding="utf-8")
    for target in LINK.findall(guide):
        assert (FACILITATORS / target).resolve().is_file(), f"guide.md links {target}"
    for page in ["feedback-form.md", "projection.md", "handouts.md"]:
        assert f"]({page}" in guide, f"the guide does not link {page}"


def test_facilitator_pages_are_in_the_toc():
    listed = set(toc_files())
    for page in FACILITATORS.glob("*.md"):
        assert f"book/facilitators/{page.stem}" in listed, f"{page.name} not in _toc.yml"


def test_every_planned_chapter_has_a_projection_plan():
    projection = (FACILITATORS / "projection.md").read_text(encoding="utf-8")
    planned = {c for plan in PLANS for s in plan_slots(plan.read_text(), plan)
               for c in s.chapters}
    projected = set(chapters_in(projection, FACILITATORS / "projection.md"))
    assert planned - projected == set(), "chapters in a plan with no projection plan"


def test_room_plan_describes_the_app_as_it_is():
    """The guide's room plan quotes the command, and what it prints, word for word."""
    from toolkit.commands.app import sharing_text

    guide = " ".join((FACILITATORS / "guide.md").read_text(encoding="utf-8").split())
    assert "keepitlocal app --ip 0.0.0.0" in guide
    printed = sharing_text("0.0.0.0", 8866, "TOKEN")
    url = next(line.strip() for line in printed.splitlines() if "://" in line)
    assert url.endswith(":8866/voila/render/index.ipynb?token=TOKEN")
    assert ":8866/voila/render/index.ipynb?token=..." in guide
    for paragraph in printed.replace(url, "").split("\n\n"):
        words = " ".join(paragraph.split())
        assert not words or words in guide, f"the guide does not quote: {words!r}"
