"""The staff and supplier questionnaires behind round 3 of LM3, printable or as text.

Round 3 of LM3 is only as good as the question asked (METHODS §1): staff are asked what share
of their *take-home* pay they spend locally and whether they live in the area (or their
postcode district); the pay band is optional. Suppliers are asked nef's two questions (the
share of their spending with local businesses, the share of their wage bill paid to local
staff) and their staff-cost share, or one combined share. Each questionnaire is built from the
workbook's own survey sheets (:mod:`toolkit.inputs.schema`): the questions follow its columns
in order, the pay bands are its drop-down list, and each question names the column its answer
goes in, so answers can be copied into the workbook without reinterpretation. Each carries a
short privacy notice.

The wording lives in ``toolkit/data/questionnaire_staff.md`` and
``questionnaire_supplier.md``; this module fills in the organisation and the area and renders
it as plain text (to paste into an online form tool), Markdown, or a printable HTML page.

References
----------
nef, *The Money Trail* (J. Sacks, 2002): the LM3 staff and supplier surveys (METHODS §1).
METHODS §1: staff are asked about take-home pay and where they live; suppliers nef's two
questions and their staff-cost share, or one combined answer.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from pathlib import Path
from string import Template

from toolkit.inputs.errors import InputError
from toolkit.inputs.schema import table
from toolkit.resources import data_file

KINDS = {"staff": "staff_survey", "supplier": "supplier_survey"}
FORMATS = ("text", "markdown", "html")
PLACEHOLDERS = {
    "organisation": "[your organisation]",
    "area": "[your local area]",
    "contact": "[name and email of the person to ask]",
    "retention": "[when: such as 'once the analysis is finished']",
}


@dataclass(frozen=True)
class Question:
    """One question and the workbook column its answer goes in."""

    number: int
    key: str
    text: str
    help: str
    sheet: str
    header: str
    kind: str
    choices: tuple[str, ...] = ()
    required: bool = True

    @property
    def answer(self) -> str:
        """How to answer, in words."""
        if self.choices:
            return "Choose one"
        if self.kind == "percent":
            return "A whole number from 0 to 100 (%)"
        if self.kind == "yesno":
            return "Yes or no"
        return "Short answer"


@dataclass(frozen=True)
class Questionnaire:
    """A questionnaire's parts, ready to render."""

    kind: str
    title: str
    introduction: str
    questions: tuple[Question, ...]
    privacy: str
    thanks: str


def _sections(path: Path) -> dict[str, str]:
    """Read ``## key`` sections of a wording file into one paragraph each."""
    text = re.sub(r"<!--.*?-->", "", path.read_text(encoding="utf-8"), flags=re.S)
    sections: dict[str, str] = {}
    for chunk in re.split(r"^## ", text, flags=re.M)[1:]:
        key, _, body = chunk.partition("\n")
        sections[key.strip()] = " ".join(body.split())
    return sections


def questionnaire(kind: str, organisation: str | None = None, area: str | None = None,
                  contact: str | None = None, retention: str | None = None,
                  small_group: int = 5) -> Questionnaire:
    """Return the staff or supplier questionnaire, worded for an organisation and area.

    Parameters
    ----------
    kind : {"staff", "supplier"}
    organisation : str, optional
        The organisation's name; a visible placeholder when not given.
    area : str, optional
        The area called local, as respondents know it ("Bradford district").
    contact : str, optional
        Who to ask about the survey.
    retention : str, optional
        When answers are deleted ("once the analysis is finished").
    small_group : int
        Fewest people any reported figure is about (``checks.small_group_threshold``).

    Returns
    -------
    Questionnaire

    References
    ----------
    nef, *The Money Trail* (Sacks 2002); METHODS §1.
    """
    if kind not in KINDS:
        raise InputError(f"No questionnaire {kind!r}: choose staff or supplier.")
    given = {"organisation": organisation, "area": area, "contact": contact,
             "retention": retention}
    values = {k: (v.strip() if v and v.strip() else PLACEHOLDERS[k]) for k, v in given.items()}
    values["small_group"] = str(int(small_group))
    words = {k: Template(v).safe_substitute(values)
             for k, v in _sections(data_file(f"questionnaire_{kind}.md")).items()}
    spec = table(KINDS[kind])
    questions = []
    for number, column in enumerate(spec.columns, start=1):
        if f"question {column.key}" not in words:
            raise InputError(f"The {kind} questionnaire's wording has no question for the "
                             f"workbook column {column.header!r}.")
        questions.append(Question(number, column.key, words[f"question {column.key}"],
                                  words.get(f"help {column.key}", ""), spec.sheet,
                                  column.header, column.kind, tuple(column.choices),
                                  column.required))
    return Questionnaire(kind, words["title"], words["introduction"], tuple(questions),
                         words["privacy"], words["thanks"])


def render(form: Questionnaire, fmt: str = "text") -> str:
    """Return a questionnaire as ``text``, ``markdown`` or printable ``html``.

    Text is laid out to paste into an online form tool: one question per block, the answer
    type, and each option on its own line.
    """
    if fmt not in FORMATS:
        raise InputError(f"Unknown format {fmt!r}: choose {', '.join(FORMATS)}.")
    return {"text": _text, "markdown": _markdown, "html": _html}[fmt](form)


def _where(q: Question) -> str:
    return f"Workbook: sheet '{q.sheet}', column '{q.header}'."


def _text(form: Questionnaire) -> str:
    lines = [form.title, "", form.introduction, "", "Privacy: " + form.privacy, ""]
    for q in form.questions:
        need = "required" if q.required else "optional"
        lines += [f"Question {q.number} ({need}): {q.text}", q.help, f"Answer: {q.answer}"]
        lines += [f"  {choice}" for choice in q.choices]
        lines += [f"({_where(q)})", ""]
    lines.append(form.thanks)
    return "\n".join(lines) + "\n"


def _markdown(form: Questionnaire) -> str:
    lines = [f"# {form.title}", "", form.introduction, "", f"**Privacy.** {form.privacy}", ""]
    for q in form.questions:
        lines += [f"## {q.number}. {q.text}", "", q.help, "", f"*{q.answer}*", ""]
        if q.choices:
            lines += [f"- [ ] {choice}" for choice in q.choices] + [""]
        elif q.kind == "yesno":
            lines += ["- [ ] Yes", "- [ ] No", ""]
        else:
            lines += ["Answer: ______________________" + (" %" if q.kind == "percent" else ""),
                      ""]
        lines += [f"<small>{_where(q)}</small>", ""]
    lines.append(form.thanks)
    return "\n".join(lines) + "\n"


_CSS = """
body { font-family: Arial, Helvetica, sans-serif; font-size: 12pt; max-width: 42em;
       margin: 2em auto; line-height: 1.4; color: #000; }
h1 { font-size: 18pt; } h2 { font-size: 13pt; margin-top: 1.5em; }
.privacy { border: 1px solid #555; padding: 0.5em 1em; }
.box { display: inline-block; width: 6em; height: 1.6em; border: 1px solid #000;
       vertical-align: middle; }
.line { display: block; border-bottom: 1px solid #000; height: 1.8em; }
.where { font-size: 9pt; color: #444; }
ul.choices { list-style: none; padding-left: 0.5em; }
@page { size: A4; margin: 18mm; }
"""


def _html(form: Questionnaire) -> str:
    esc = html.escape
    body = [f"<h1>{esc(form.title)}</h1>", f"<p>{esc(form.introduction)}</p>",
            f'<p class="privacy"><strong>Privacy.</strong> {esc(form.privacy)}</p>']
    for q in form.questions:
        body += [f"<h2>{q.number}. {esc(q.text)}</h2>", f"<p>{esc(q.help)}</p>",
                 f"<p><em>{esc(q.answer)}</em></p>"]
        if q.choices:
            body.append('<ul class="choices">' + "".join(
                f"<li>&#9744; {esc(choice)}</li>" for choice in q.choices) + "</ul>")
        elif q.kind == "yesno":
            body.append('<ul class="choices"><li>&#9744; Yes</li><li>&#9744; No</li></ul>')
        elif q.kind == "percent":
            body.append('<p><span class="box" aria-label="answer"></span> %</p>')
        else:
            body.append('<p><span class="line" aria-label="answer"></span></p>')
        body.append(f'<p class="where">{esc(_where(q))}</p>')
    body.append(f"<p>{esc(form.thanks)}</p>")
    return ("<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<title>{esc(form.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            + "\n".join(body) + "\n</body>\n</html>\n")


__all__ = ["Question", "Questionnaire", "questionnaire", "render", "KINDS", "FORMATS"]
