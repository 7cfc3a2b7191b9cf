"""``keepitlocal check WORKBOOK``: read a workbook and report every problem in plain English."""

from __future__ import annotations

import json

NAME = "check"
HELP = "Check an organisation workbook (or CSV folder) and list every problem found."


def add_arguments(parser) -> None:
    """Add the command's arguments."""
    parser.add_argument("workbooks", nargs="+", metavar="WORKBOOK",
                        help="workbook (.xlsx) or folder of CSV files")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args) -> int:
    """Check each workbook; exit 1 if any has errors."""
    from toolkit.inputs.workbook import read_workbook

    results = []
    failed = False
    for path in args.workbooks:
        workbook = read_workbook(path)
        report = workbook.report
        failed = failed or not report.ok
        results.append({"workbook": str(path), "ok": report.ok, "problems": report.to_list()})
        if not args.json:
            verdict = "passes its checks" if report.ok else "has errors to fix"
            print(f"{path} ({workbook.name}): {verdict}.")
            if report.problems:
                print(report.text())
            print()
    if args.json:
        print(json.dumps(results if len(results) > 1 else results[0], indent=2))
    return 1 if failed else 0
