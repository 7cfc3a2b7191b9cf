"""``keepitlocal leakage WORKBOOK``: where the money leaves the area, and the pence it costs."""

from __future__ import annotations

import json

from toolkit.commands._options import add_boundary_arguments, inputs_from_args, positive_int

NAME = "leakage"
HELP = ("Leakage: the largest non-local spending by supplier and by category, and the pence "
        "of each £1 lost in each round.")


def add_arguments(parser) -> None:
    """Add the command's arguments."""
    add_boundary_arguments(parser, innermost_only=True)
    parser.add_argument("--top", type=positive_int, default=10, metavar="N",
                        help="how many suppliers to list (default 10)")


def run(args) -> int:
    """Print the leakage tables (or JSON)."""
    from toolkit.measures.leakage import leakage

    wb, settings, inputs = inputs_from_args(args)
    result = leakage(inputs, settings)
    if args.json:
        from toolkit.measures.lm3 import boundary_result

        data = {"workbook": str(args.workbook), "organisation": wb.name,
                "financial_year": wb.financial_year, **result.to_dict(n=args.top),
                "boundaries": [boundary_result(result.lm3, inputs.boundary)]}
        print(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))
        return 0
    print(describe(result, wb.name, args.top))
    return 0


def describe(result, name: str, top: int = 10) -> str:
    """Return the leakage result as plain text."""
    lm3 = result.lm3
    lines = [f"Leakage for {name}: local area {result.boundary_name}",
             f"  LM3 {lm3.lm3:.2f} ({lm3.confidence:.0%} interval {lm3.lm3_low:.2f} to "
             f"{lm3.lm3_high:.2f})", "", "Pence of each £1 of income studied:"]
    for row in result.summary.to_dict("records"):
        lines.append(f"  Round {row['round']}: {row['entering']:.1f}p in, {row['kept']:.1f}p "
                     f"kept locally, {row['lost']:.1f}p lost")
    for row in result.rounds[~result.rounds["kept"]].to_dict("records"):
        if row["pence"]:
            lines.append(f"    round {row['round']} lost {row['pence']:5.1f}p  {row['line']} "
                         f"({row['basis']})")
    lines += ["", f"Largest spending leaving the area, by supplier (top {top}):"]
    suppliers = result.by_supplier.head(top)
    if suppliers.empty:
        lines.append("  none: all spending is with local suppliers")
    for row in suppliers.to_dict("records"):
        lines.append(f"  {row['rank']:>3}. {row['supplier']} ({row['categories']}): "
                     f"£{row['amount']:,.0f}, {row['pence_per_pound']:.1f}p of each £1"
                     f"{'' if row['status'] == 'not local' else ' [' + row['status'] + ']'}")
    lines += ["", "By category:"]
    for row in result.by_category.to_dict("records"):
        money = "£ not shown" if row["amount"] is None else f"£{row['amount']:,.0f}"
        lines.append(f"  {row['rank']:>3}. {row['category']}: {money}, "
                     f"{row['pence_per_pound']:.1f}p of each £1"
                     f"{' (' + row['note'] + ')' if row['note'] else ''}")
    lines.extend(f"Note: {n}" for n in result.notes)
    return "\n".join(lines)
