"""``keepitlocal finance WORKBOOK...``: financial resilience, years side by side."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from toolkit.measures.finance import FinanceResult


import json

from toolkit.inputs.errors import InputError

NAME = "finance"
HELP = ("Financial resilience: free reserves (CC19), months of spending covered, income "
        "concentration, margin; several workbooks give years side by side.")


def add_arguments(parser) -> None:
    """Add the command's arguments."""
    parser.add_argument("workbooks", metavar="WORKBOOK", nargs="+",
                        help="organisation workbook(s) (.xlsx or CSV folder), one per "
                             "financial year of the same organisation")
    parser.add_argument("--settings", metavar="FILE", help="your settings file (YAML)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


def run(args) -> int:
    """Compute financial resilience for each workbook and print it."""
    from toolkit.inputs.settings import load_settings
    from toolkit.inputs.workbook import load_workbook
    from toolkit.measures.finance import finance_from_workbook, years_table
    from toolkit.measures.volunteering import records

    settings = load_settings(args.settings)
    books = [load_workbook(path) for path in args.workbooks]
    ids = sorted({wb.org_id for wb in books})
    if len(ids) > 1:
        raise InputError(f"The workbooks belong to different organisations ({', '.join(ids)}); "
                         "give one organisation's workbooks, one per year.")
    results = [finance_from_workbook(wb, settings) for wb in books]
    table = years_table(results) if len(results) > 1 else None
    if args.json:
        data = {"workbooks": [str(p) for p in args.workbooks], "organisation": books[0].name,
                "years": [r.to_dict() for r in sorted(results, key=_year)],
                "side_by_side": records(table) if table is not None else None}
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    print(f"Financial resilience for {books[0].name}")
    for result in sorted(results, key=_year):
        print()
        print(describe(result))
    if table is not None:
        print()
        print("Years side by side:")
        print(table.to_string(index=False, float_format=lambda v: f"{v:,.2f}"))
    return 0


def _year(result: FinanceResult) -> str:
    return result.financial_year or ""


def _show(value, unit: str) -> str:
    if value is None:
        return "not defined"
    if unit == "£":
        return f"-£{-value:,.0f}" if value < 0 else f"£{value:,.0f}"
    if unit == "share":
        return f"{value:.0%}"
    return f"{value:,.2f}"


def describe(result: FinanceResult) -> str:
    """Return one year's measures as plain text, with readings against the settings."""
    lines = [f"{result.financial_year or 'Year not given'}"]
    for rec in result.measures.to_dict("records"):
        reading = f"  [{rec['reading']}]" if rec["reading"] else ""
        lines.append(f"  {rec['measure']}: {_show(rec['value'], rec['unit'])}{reading}")
    lines.append("  Income by payer:")
    for rec in result.payers.to_dict("records"):
        named = rec.get("share_of_named")
        of_named = "" if named is None or named != named else f"; {named:.0%} of named payers'"
        lines.append(f"  - {rec['payer']} ({rec['types']}; {rec['counted_as']}): "
                     f"£{rec['amount']:,.0f}, {rec['share']:.0%} of all income{of_named}")
    lines.extend(f"  {line}" for line in result.readings)
    lines.extend(f"  {problem.text()}" for problem in result.report.problems)
    return "\n".join(lines)
