"""``keepitlocal lm3 WORKBOOK``: the local multiplier (LM3) of an organisation's income."""

from __future__ import annotations

import json

from toolkit.commands._options import add_boundary_arguments, resolve

NAME = "lm3"
HELP = "Local multiplier (LM3): how much of each £1 stays and circulates locally."


def add_arguments(parser) -> None:
    """Add the command's arguments."""
    add_boundary_arguments(parser)


def run(args) -> int:
    """Compute LM3 for each boundary and print it."""
    from toolkit.inputs.workbook import load_workbook
    from toolkit.measures.lm3 import (
        as_boundary,
        boundary_from_settings,
        boundary_result,
        lm3_for_boundaries,
    )

    wb = load_workbook(args.workbook)
    settings, boundaries, _ = resolve(args, wb)
    if not boundaries:
        boundary_from_settings(settings)  # raises the plain message naming the options
    boundaries = [as_boundary(b) for b in boundaries]
    results = lm3_for_boundaries(wb, settings, boundaries)
    if args.json:
        # Each entry is the boundary's LM3 result with the shared boundary fields added
        # (name, codes, level, kind, inside, share_low/central/high, directory release).
        data = {"workbook": str(args.workbook), "organisation": wb.name,
                "financial_year": wb.financial_year, **results[0].to_dict(),
                "boundaries": [{**r.to_dict(), **boundary_result(r, b)}
                               for r, b in zip(results, boundaries, strict=True)]}
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(f"LM3 for {wb.name}, {wb.financial_year or 'year not given'}")
        for result in results:
            print()
            print(describe(result))
    return 0


def _money(value: float) -> str:
    return f"£{value:,.0f}" if abs(value) >= 100 else f"£{value:,.2f}"


def describe(result) -> str:
    """Return an LM3 result as plain text: rounds, score, both ranges, assumptions, notes."""
    from toolkit.present import LM3_MEANING

    pct = int(round(result.confidence * 100))
    lines = [
        f"Local area: {result.boundary_name}",
        f"  Round 1  income studied      {_money(result.r1):>14}",
        f"  Round 2  spent locally       {_money(result.r2):>14}  "
        f"({result.pence_per_pound['round_2']:.0f}p of each £1; staff {_money(result.r2_staff)},"
        f" suppliers {_money(result.r2_suppliers)})",
        f"  Round 3  re-spent locally    {_money(result.r3):>14}  "
        f"({result.pence_per_pound['round_3']:.0f}p of each £1; staff {_money(result.r3_staff)},"
        f" suppliers {_money(result.r3_suppliers)})",
        f"  LM3 {result.lm3:.2f}  (full range {result.full_low:.2f} to {result.full_high:.2f};"
        f" survey {pct}% interval {result.lm3_low:.2f} to {result.lm3_high:.2f})",
        f"  {result.full_range_covers}",
        f"  Survey respondents: staff {result.respondents_staff}, local suppliers "
        f"{result.respondents_suppliers}",
        "  Assumed: " + ("; ".join(result.assumed) if result.assumed
                         else "no re-spending rate (both groups surveyed)"),
    ]
    north = result.northumberland
    if north:
        non_local = (f"£{north['nonlocal_per_pound']:.2f}" if north["nonlocal_per_pound"]
                     is not None else "not evidenced")
        lines.append(f"  nef local/non-local supplier comparison: £1 to a local supplier is worth "
                     f"£{north['local_per_pound']:.2f} to the area"
                     f"{' (assumed rate)' if north['rho_local_assumed'] else ''}; to a non-local"
                     f" one {non_local}.")
    lines.append(f"  {LM3_MEANING}")
    for note in result.notes:
        lines.append(f"  - {note}")
    return "\n".join(lines)
