"""``keepitlocal template PATH.xlsx``: write an empty organisation workbook to fill in."""

from __future__ import annotations

from pathlib import Path

from toolkit.inputs.errors import InputError

NAME = "template"
HELP = "Write an empty organisation workbook (.xlsx) with instructions and drop-down lists."


def add_arguments(parser) -> None:
    """Add the command's arguments."""
    parser.add_argument("path", help="where to write the workbook, such as my-year.xlsx")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")


def run(args) -> int:
    """Write the template and say where."""
    from toolkit.inputs.workbook import write_workbook

    path = Path(args.path)
    if path.suffix.casefold() != ".xlsx":
        raise InputError(f"{path}: the template is an Excel workbook; give a name ending .xlsx.")
    if path.exists() and not args.force:
        raise InputError(f"{path} already exists; use --force to overwrite it.")
    write_workbook(path)
    print(f"Wrote {path}. Fill it in, then run: keepitlocal check {path}")
    return 0
