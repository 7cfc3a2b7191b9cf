"""``keepitlocal whatif WORKBOOK --category C --share 50``: LM3 if spending or staff moved local."""

from __future__ import annotations

import json

from toolkit.commands._options import add_boundary_arguments, inputs_from_args
from toolkit.inputs.errors import InputError

NAME = "whatif"
HELP = ("What-if: LM3 if a share of some categories' spending went to local suppliers, or "
        "more staff pay went to staff living locally, beside today's.")


def add_arguments(parser) -> None:
    """Add the command's arguments."""
    add_boundary_arguments(parser, innermost_only=True)
    parser.add_argument("--category", action="append", default=[], metavar="CATEGORY",
                        help='a spending category, such as "food and catering" (may be given '
                             'more than once)')
    parser.add_argument("--share", type=_number, default=None, metavar="PERCENT",
                        help="percent of those categories' spending known to be non-local "
                             "moved to local suppliers, 0 to 100 (spending of unknown location "
                             "is shown apart, never moved)")
    parser.add_argument("--staff-local-share", type=_number, default=0.0, metavar="POINTS",
                        help="percentage points by which the share of staff pay going to "
                             "staff living locally rises, such as +10")
    parser.add_argument("--rank", action="store_true",
                        help="also list the changes that raise LM3 most per £ moved")


def _number(text: str) -> float:
    try:
        return float(str(text).strip().rstrip("%"))
    except ValueError:
        raise InputError(f"{text!r} is not a number.") from None


def run(args) -> int:
    """Print today's LM3 and the what-if's, each with its interval."""
    if args.category and args.share is None:
        raise InputError("Give --share (a percent from 0 to 100) with --category.")
    if args.share is not None and not args.category:
        raise InputError("Give --category (such as \"food and catering\") with --share.")
    if not args.category and not args.staff_local_share and not args.rank:
        raise InputError("Nothing to change: give --category and --share, "
                         "--staff-local-share, or --rank.")
    for value, what in ((args.share, "--share"), (args.staff_local_share,
                                                   "--staff-local-share")):
        if value is not None and not 0.0 <= value <= 100.0:
            raise InputError(f"{what} must be from 0 to 100 (percent); got {value:g}.")
    from toolkit.measures.lm3 import compute_lm3
    from toolkit.measures.whatif import run_whatif, whatif_ranking

    wb, settings, inputs = inputs_from_args(args)
    today = compute_lm3(inputs, settings)
    result = run_whatif(inputs, settings, args.category, (args.share or 0.0) / 100.0,
                        args.staff_local_share / 100.0, today=today)
    ranking = whatif_ranking(inputs, settings, today=today) if args.rank else None
    if args.json:
        from toolkit.measures.lm3 import boundary_result

        data = {"workbook": str(args.workbook), "organisation": wb.name, **result.to_dict(),
                "boundaries": [boundary_result(today, inputs.boundary)]}
        if ranking is not None:
            data["ranking"] = _records(ranking)
        print(json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False))
        return 0
    print(describe(result, wb.name))
    if ranking is not None:
        print()
        print(describe_ranking(ranking))
    return 0


def _records(frame) -> list[dict]:
    """Return rows as JSON-ready dictionaries (NaN and NA become null)."""
    out = []
    for record in frame.to_dict("records"):
        out.append({k: None if _blank(v) else v.item() if hasattr(v, "item") else v
                    for k, v in record.items()})
    return out


def _blank(value) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def describe(result, name: str) -> str:
    """Return a what-if as plain text: today and the change, LM3 with intervals."""
    level = f"{result.today.confidence:.0%}"
    lines = [f"What-if for {name}: local area {result.today.boundary_name}"]
    for label, lm3 in (("Today", result.today), ("What-if", result.new)):
        lines.append(f"  {label:<8} LM3 {lm3.lm3:.3f} ({level} interval {lm3.lm3_low:.3f} to "
                     f"{lm3.lm3_high:.3f}); round 2 {lm3.pence_per_pound['round_2']:.1f}p, "
                     f"round 3 {lm3.pence_per_pound['round_3']:.1f}p of each £1")
    lines.append(f"  Change: {result.label}; £{result.moved:,.0f} moved; LM3 rises by "
                 f"{result.rise:.3f}.")
    if result.if_unknown_local is not None:
        lm3 = result.if_unknown_local
        lines.append(f"  Apart: {result.unknown_local_label}: LM3 {lm3.lm3:.3f} ({level} "
                     f"interval {lm3.lm3_low:.3f} to {lm3.lm3_high:.3f}); "
                     f"+{result.if_unknown_local_rise:.3f} on today")
    if result.new.assumed:
        lines.append("  Assumed: " + "; ".join(result.new.assumed))
    lines.extend(f"  Note: {n}" for n in result.notes)
    return "\n".join(lines)


def describe_ranking(ranking) -> str:
    """Return the ranking of changes per £ moved as plain text."""
    lines = ["Changes ranked by the rise in LM3 per £10,000 moved:"]
    for row in ranking.to_dict("records"):
        group = "" if _blank(row["equal_group"]) else f" [tied set {row['equal_group']}]"
        unknown = row.get("unknown_location")
        apart = ("" if _blank(unknown) or not unknown
                 else f"; £{unknown:,.0f} of unknown location not moved")
        lines.append(f"  {row['rank']:>3}. {row['change']}: +{row['rise_per_10k']:.4f} per "
                     f"£10,000; LM3 {row['lm3_new']:.3f}{group}{apart}")
    notes = dict.fromkeys(n for n in ranking["note"] if n)
    lines.extend(f"  {n}" for n in notes)
    return "\n".join(lines)
