"""``keepitlocal questionnaire staff|supplier``: the surveys behind round 3 of LM3."""

from __future__ import annotations

from pathlib import Path

from toolkit.measures.surveys import FORMATS, KINDS, questionnaire, render

NAME = "questionnaire"
HELP = "Print the staff or supplier questionnaire (text to paste into a form tool, or HTML)."


def add_arguments(parser) -> None:
    """Add the command's arguments."""
    parser.add_argument("kind", choices=sorted(KINDS), help="which questionnaire")
    parser.add_argument("--format", choices=FORMATS, default="text",
                        help="text (to paste into an online form tool), markdown, or html "
                             "(printable); default text")
    parser.add_argument("--organisation", metavar="NAME", help="your organisation's name")
    parser.add_argument("--area", metavar="NAME",
                        help="the local area as respondents know it (default: boundary.name "
                             "from the settings)")
    parser.add_argument("--contact", metavar="TEXT", help="who to ask about the survey")
    parser.add_argument("--retention", metavar="TEXT",
                        help="when answers are deleted, such as 'by 31 March 2026'")
    parser.add_argument("--settings", metavar="FILE", help="your settings file (YAML)")
    parser.add_argument("--output", metavar="FILE", type=Path,
                        help="write to this file instead of printing")


def run(args) -> int:
    """Render the questionnaire and print or write it."""
    from toolkit.inputs.settings import load_settings

    settings = load_settings(args.settings)
    area = args.area or settings.value("boundary.name")
    form = questionnaire(args.kind, organisation=args.organisation, area=area,
                         contact=args.contact, retention=args.retention,
                         small_group=int(settings.value("checks.small_group_threshold")))
    text = render(form, args.format)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"Wrote the {args.kind} questionnaire to {args.output}.")
    else:
        print(text, end="")
    return 0
