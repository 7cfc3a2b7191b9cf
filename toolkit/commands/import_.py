"""``keepitlocal import``: read accounting, payroll and survey exports into a workbook."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from toolkit.imports import LAYOUT_NAMES

NAME = "import"
HELP = ("Read supplier transactions (Xero, QuickBooks, Sage or mapped), contacts, a payroll "
        "summary and survey replies into a workbook, with a summary of what went where.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the import options."""
    parser.add_argument("workbook", type=Path,
                        help="Workbook to write (.xlsx): created if absent, else updated.")
    files = parser.add_argument_group("files to import (any of them, each may repeat)")
    files.add_argument("--transactions", action="append", type=Path, default=[],
                       metavar="FILE", help="Supplier transactions export (CSV or .xlsx).")
    files.add_argument("--contacts", action="append", type=Path, default=[], metavar="FILE",
                       help="Contacts or suppliers export giving supplier postcodes.")
    files.add_argument("--payroll", action="append", type=Path, default=[], metavar="FILE",
                       help="Payroll summary: role, FTE or hours, pay, home postcode.")
    files.add_argument("--staff-survey", action="append", type=Path, default=[],
                       metavar="FILE", help="Staff survey replies from a form tool.")
    files.add_argument("--supplier-survey", action="append", type=Path, default=[],
                       metavar="FILE", help="Supplier survey replies from a form tool.")
    how = parser.add_argument_group("how to read them")
    how.add_argument("--layout", default="auto", choices=["auto", *LAYOUT_NAMES],
                     help="Layout of the transactions files (default: recognised by header).")
    how.add_argument("--map", action="append", default=[], metavar="SPEC",
                     help='Name the columns of a file from any package: "date=Txn date,'
                          'supplier=Payee,amount=Net"; prefix "payroll:", "contacts:", '
                          '"staff_survey:" or "supplier_survey:" for other kinds.')
    how.add_argument("--map-file", type=Path, metavar="YAML",
                     help="A YAML file of column mappings, one section per kind of file.")
    how.add_argument("--category-map", type=Path, metavar="CSV",
                     help="Your own account-to-category map, read before the shipped one "
                          "(toolkit/data/import_category_map.csv).")
    how.add_argument("--year", help="Financial year studied, such as 2024-25 (April to March); "
                                    "default: the workbook's.")
    how.add_argument("--from", dest="date_from", metavar="DATE",
                     help="First day of the year studied (with --to), such as 2024-01-01.")
    how.add_argument("--to", dest="date_to", metavar="DATE", help="Last day of the year.")
    how.add_argument("--full-time-hours", type=float, default=37.5,
                     help="Hours a week of a full-time post (assumed; default 37.5).")
    how.add_argument("--weeks-per-year", type=float, default=52.0,
                     help="Paid weeks a year, for hourly rates (assumed; default 52).")
    out = parser.add_argument_group("writing")
    mode = out.add_mutually_exclusive_group()
    mode.add_argument("--replace", action="store_const", dest="mode", const="replace",
                      help="Replace rows already in the tables being imported.")
    mode.add_argument("--append", action="store_const", dest="mode", const="append",
                      help="Add the imported rows after those already there.")
    out.add_argument("--dry-run", action="store_true",
                     help="Read and summarise only; write nothing.")
    out.add_argument("--partial", action="store_true",
                     help="Write even when some lines could not be read (they stay listed).")
    out.add_argument("--name", help="Organisation name, for a new workbook's About sheet.")
    out.add_argument("--org-id", help="Organisation id, for a new workbook.")
    out.add_argument("--la-code", help="Local authority code, for a new workbook.")
    parser.add_argument("--json", action="store_true", help="Print the summary as JSON.")


def _mapping(args: argparse.Namespace) -> dict:
    from toolkit.imports.formats import merge_maps, parse_map_text, read_map_file

    maps = [read_map_file(args.map_file)] if args.map_file else []
    maps += [parse_map_text(text) for text in args.map]
    return merge_maps(*maps)


def _about(args: argparse.Namespace) -> dict | None:
    about = {"name": args.name, "org_id": args.org_id, "la_code": args.la_code,
             "financial_year": args.year}
    return about if any(about.values()) else None


def run(args: argparse.Namespace) -> int:
    """Import the files, write the workbook unless told not to, print the summary."""
    from toolkit.imports.run import ImportOptions, import_exports, merge_into_workbook, period_from

    workbook_year = None
    if args.workbook.exists() and not (args.year or args.date_from):
        from toolkit.imports.run import existing_tables

        workbook_year = existing_tables(args.workbook)[1]
    options = ImportOptions(
        transactions=args.transactions, contacts=args.contacts, payroll=args.payroll,
        staff_survey=args.staff_survey, supplier_survey=args.supplier_survey,
        mapping=_mapping(args), layout=args.layout, category_map=args.category_map,
        period=period_from(args.year, args.date_from, args.date_to, workbook_year),
        full_time_hours=args.full_time_hours, weeks_per_year=args.weeks_per_year)
    result = import_exports(options)
    blocked = bool(result.report.errors) and not args.partial
    actions = None
    if not args.dry_run and not blocked:
        actions = merge_into_workbook(args.workbook, result, args.mode or "refuse",
                                      _about(args))
    _print(result, args, actions)
    if blocked:
        print(f"Nothing was written to {args.workbook.name}: {len(result.report.errors)} "
              "error(s) above. Fix them, or run again with --partial to write the lines "
              "that were read.", file=sys.stderr)
        return 2
    return 0


def _print(result, args, actions) -> None:
    from toolkit.imports.run import summary_dict, summary_text

    if args.json:
        data = summary_dict(result, str(args.workbook), actions)
        print(json.dumps(data, indent=2, default=str, ensure_ascii=False))
        return
    print(summary_text(result, args.workbook.name, actions))
    if actions:
        print(f"\nNext: fill in any sheets still empty, then run "
              f"'keepitlocal check {args.workbook}'.")
