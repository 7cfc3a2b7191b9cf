"""``keepitlocal jobs WORKBOOK``: local jobs (FTE, FTE-years), local pay, real Living Wage."""

from __future__ import annotations

import json
from pathlib import Path

from toolkit.commands._options import add_authority_arguments

NAME = "jobs"
HELP = "Local jobs and pay: FTE, FTE-years, pay to local residents, real Living Wage."


def add_arguments(parser) -> None:
    """Add the command's arguments."""
    parser.add_argument("workbook", metavar="WORKBOOK",
                        help="organisation workbook (.xlsx) or folder of CSV files")
    parser.add_argument("--years", type=float, default=1.0, metavar="N",
                        help="period for FTE-years (default 1)")
    parser.add_argument("--settings", metavar="FILE", help="your settings file (YAML)")
    parser.add_argument("--local-postcodes", metavar="CODES",
                        help='postcode areas or districts counted as local, such as "BD1 HX"')
    add_authority_arguments(parser)
    parser.add_argument("--registry", metavar="FILE", type=Path, default=None,
                        help="authority registry giving the boundary when neither of the above "
                             "does (default data/samples/authorities.yml, if present)")
    parser.add_argument("--full-time-hours", type=float, default=None, metavar="H",
                        help="hours a week of one FTE for checking 'yes' answers to the Living "
                             "Wage against pay (default: the setting "
                             "jobs.full_time_hours_a_week, 37.5)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def run(args) -> int:
    """Summarise jobs and pay and print it."""
    from toolkit.commands._options import resolve
    from toolkit.inputs.workbook import load_workbook
    from toolkit.measures.jobs import jobs_from_workbook

    wb = load_workbook(args.workbook)
    settings, boundaries, authority = resolve(args, wb)
    boundary = boundaries[0] if boundaries else None  # without one, local figures are noted
    london = authority.london if authority is not None else None
    result = jobs_from_workbook(wb, settings, boundary, years=args.years, london=london,
                                full_time_hours=args.full_time_hours)
    if args.json:
        print(json.dumps({"workbook": str(args.workbook), "organisation": wb.name,
                          **result.to_dict(), "boundaries": _boundaries(result, wb, boundary)},
                         indent=2, ensure_ascii=False))
    else:
        print(describe(result, wb.name))
    return 0


def _boundaries(result, wb, boundary) -> list[dict]:
    """The shared boundaries list: shares of staff pay paid to people living inside."""
    from toolkit.measures.jobs import partial_pay

    if boundary is None or result.pay_local is None or not hasattr(boundary, "result"):
        return []
    total = result.pay_total
    _, counted = partial_pay(wb.table("staff"), boundary)

    def share(value):
        return value / total if total > 0 else None

    central = result.pay_local + counted
    return [boundary.result(central, (share(result.pay_local), share(central),
                                      share(result.pay_local + result.pay_unknown)), total)]


def _pct(value: float | None) -> str:
    return "not known" if value is None else f"{value:.0%}"


def describe(result, name: str = "") -> str:
    """Return a jobs result as plain text."""
    local = "not worked out (no boundary)" if result.fte_local is None else (
        f"{result.fte_local:.1f} FTE live in {result.boundary_name}"
        f" ({result.fte_unknown:.1f} unknown)")
    rate = (f"£{result.living_wage_rate:.2f} an hour ({result.living_wage_area} rate, "
            f"{result.financial_year})" if result.living_wage_rate is not None else "not set")
    lines = [
        f"Jobs and pay: {name}".rstrip(": "),
        f"  Staff: {result.staff_count} ({result.fte:.1f} FTE); {local}",
        f"  FTE-years over {result.years:g} year(s): {result.fte_years:.1f}"
        + ("" if result.fte_years_local is None else f", local {result.fte_years_local:.1f}"),
        f"  Gross pay £{result.pay_total:,.0f}; share to local residents "
        f"{_pct(result.local_pay_share)}",
        f"  Paid at least the real Living Wage ({rate}): {_pct(result.living_wage_share)} of "
        f"staff who answered ({result.living_wage_yes} yes, {result.living_wage_no} no, "
        f"{result.living_wage_unknown} blank)",
    ]
    if result.full_time_hours is not None and result.living_wage_rate is not None:
        lines.append(f"  Checked against pay at {result.full_time_hours:g} hours a week: "
                     f"{_pct(result.living_wage_share_checked)} ('yes' and pay at or above "
                     f"the rate; {len(result.below_rate_rows)} 'yes' row(s) below it)")
    lines += [f"  - {note}" for note in result.notes]
    return "\n".join(lines)
