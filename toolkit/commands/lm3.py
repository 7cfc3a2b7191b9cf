"""``keepitlocal lm3 WORKBOOK``: the local multiplier (LM3) of an organisation's income."""

from __future__ import annotations

import json
from pathlib import Path

from toolkit.lm3 import Lm3Result, choose_boundaries, lm3_for_boundaries
from toolkit.settings import load_settings
from toolkit.workbook import load_workbook

NAME = "lm3"
HELP = "Local multiplier (LM3): how much of each £1 stays and circulates locally."
DEFAULT_REGISTRY = Path("data/samples/authorities.yml")


def add_boundary_arguments(parser, innermost_only: bool = False) -> None:
    """Add the workbook, settings, boundary and JSON arguments shared by LM3's commands.

    Parameters
    ----------
    parser : argparse.ArgumentParser
    innermost_only : bool
        Whether the command uses only the first (innermost) boundary of the registry.
    """
    parser.add_argument("workbook", metavar="WORKBOOK",
                        help="organisation workbook (.xlsx) or folder of CSV files")
    parser.add_argument("--settings", metavar="FILE", help="your settings file (YAML)")
    parser.add_argument("--local-postcodes", metavar="CODES",
                        help='postcode areas, districts or sectors counted as local, such as '
                             '"BD1 BD2 HX" (overrides the settings and the registry)')
    which = "; the first (innermost) boundary is used" if innermost_only else ""
    parser.add_argument("--registry", metavar="FILE", type=Path, default=None,
                        help=f"authority registry giving the boundaries when neither of the "
                             f"above does (default {DEFAULT_REGISTRY}, if present){which}")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")


def add_arguments(parser) -> None:
    """Add the command's arguments."""
    add_boundary_arguments(parser)


def registry_or_none(path: Path | None):
    """Return the registry at ``path`` (or the default one if it exists), or ``None``."""
    from toolkit.registry import load_registry

    if path is not None:
        return load_registry(path)
    return load_registry(DEFAULT_REGISTRY) if DEFAULT_REGISTRY.exists() else None


def resolve(args, wb):
    """Return ``(settings, boundaries, authority)`` for a workbook and the command's options.

    The boundary comes from ``--local-postcodes``, else the settings' ``boundary.postcodes``,
    else the registry's authority for the organisation (all its boundaries, with its own
    settings file, if any, under the user's). ``boundaries`` is empty when none is defined.
    """
    from toolkit.lm3 import as_boundary, authority_for

    settings = load_settings(args.settings)
    if args.local_postcodes or settings.value("boundary.postcodes"):
        # A bad code here is the user's to fix: the message names it.
        return settings, choose_boundaries(wb, settings, args.local_postcodes), None
    registry = registry_or_none(args.registry)
    authority = authority_for(wb, registry) if registry is not None else None
    if authority is None:
        return settings, [], None
    if authority.settings is not None:
        settings = load_settings(authority.settings, args.settings)
        if settings.value("boundary.postcodes"):
            return settings, choose_boundaries(wb, settings), authority
    return settings, [as_boundary(spec) for spec in authority.boundaries], authority


def run(args) -> int:
    """Compute LM3 for each boundary and print it."""
    from toolkit.lm3 import boundary_from_settings

    wb = load_workbook(args.workbook)
    settings, boundaries, _ = resolve(args, wb)
    if not boundaries:
        boundary_from_settings(settings)  # raises the plain message naming the options
    results = lm3_for_boundaries(wb, settings, boundaries)
    if args.json:
        data = {"workbook": str(args.workbook), "organisation": wb.name,
                "financial_year": wb.financial_year, **results[0].to_dict(),
                "boundaries": [r.to_dict() for r in results]}
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(f"LM3 for {wb.name}, {wb.financial_year or 'year not given'}")
        for result in results:
            print()
            print(describe(result))
    return 0


def _money(value: float) -> str:
    return f"£{value:,.0f}" if abs(value) >= 100 else f"£{value:,.2f}"


def describe(result: Lm3Result) -> str:
    """Return an LM3 result as plain text: rounds, score, interval, assumptions, notes."""
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
        f"  LM3 {result.lm3:.2f}  ({pct}% interval {result.lm3_low:.2f} to "
        f"{result.lm3_high:.2f})",
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
    for note in result.notes:
        lines.append(f"  - {note}")
    return "\n".join(lines)
