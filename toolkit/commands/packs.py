"""``keepitlocal packs``: make every evidence pack a registry asks for, in batch; or one pack.

Without a registry (the one-off forms), through the same notebooks and runner:

- ``--workbook WORKBOOK [--local-authorities NAMES | --local-postcodes CODES | --within D]
  --out DIR``: one organisation's pack;
- ``--payments FILE... [--suppliers LIST] [--council NAME] [--local-authorities NAMES]
  --out DIR``: one council's spending pack;
- ``--scenario FILE --out DIR``: one options appraisal.

Each is planned by a function of :mod:`toolkit.packs.plan` (``plan_organisation_pack``,
``plan_spending_pack``, ``plan_appraisal_pack``) that the app calls too.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from toolkit.commands._options import (
    DEFAULT_REGISTRY,
    add_area_arguments,
    area_boundaries,
    default_registry,
)

NAME = "packs"
#: ``keepitlocal pack --workbook WORKBOOK ...`` reads as one pack, in one step.
ALIASES = ("pack",)
HELP = ("Make the evidence packs (HTML, A4 PDF, CSV tables) for every organisation and "
        "authority, or one pack.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the command's options to ``parser``."""
    parser.add_argument("--registry", type=Path, default=None,
                        help=f"authority registry (default {DEFAULT_REGISTRY}, or the samples "
                             "shipped with the toolkit when there is none here)")
    parser.add_argument("--out", type=Path, default=Path("packs"),
                        help="folder for the packs, index and manifest (default packs/)")
    parser.add_argument("--settings", type=Path, default=None,
                        help="settings file merged over the defaults for every pack")
    parser.add_argument("--workers", type=int, default=None,
                        help="worker processes (default: the number of cores; 0 runs in this "
                        "process)")
    parser.add_argument("--only", action="append", metavar="ID", default=[],
                        help="make only this pack (an organisation's or authority's id, a "
                        "scenario's name, or a kind such as 'authority'); may be repeated")
    parser.add_argument("--force", action="store_true",
                        help="make every pack even when nothing it depends on changed")
    parser.add_argument("--notebooks", type=Path, default=None,
                        help="folder of the pack notebooks (default: the repository's notebooks/)")
    parser.add_argument("--timeout", type=int, default=None, metavar="SECONDS",
                        help="longest time one notebook cell may run (default 300)")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    parser.add_argument("--json", action="store_true",
                        help="print the outcome of every pack as JSON")
    one_off = parser.add_argument_group(
        "one pack without a registry", "give one of --workbook, --payments or --scenario, "
        "with the area counted as local")
    one_off.add_argument("--workbook", type=Path, action="append", default=[],
                         metavar="WORKBOOK", help="one organisation's workbook (.xlsx or CSV "
                         "folder); repeat for each financial year, oldest first")
    one_off.add_argument("--payments", type=Path, nargs="+", default=[], metavar="FILE",
                         help="one council's payments files, as published")
    one_off.add_argument("--suppliers", type=Path, default=None, metavar="LIST",
                         help="supplier list for --payments (postcodes, VCSE, size)")
    one_off.add_argument("--council", default=None, metavar="NAME",
                         help='who spent the money in --payments, such as "Calderdale Council"')
    one_off.add_argument("--scenario", type=Path, default=None, metavar="FILE",
                         help="one options-appraisal scenario file (YAML)")
    add_area_arguments(one_off)


def one_off_jobs(args: argparse.Namespace) -> list | None:
    """Return the one pack the one-off options ask for, or ``None`` when none is given."""
    from toolkit.inputs.errors import InputError
    from toolkit.packs import plan

    forms = [name for name, given in (("--workbook", args.workbook),
                                      ("--payments", args.payments),
                                      ("--scenario", args.scenario)) if given]
    if not forms:
        if args.suppliers or args.council:
            raise InputError("--suppliers and --council go with --payments.")
        return None
    if len(forms) > 1 or args.registry is not None or args.only:
        raise InputError(f"{' and '.join(forms)} each make one pack on their own: give one "
                         "of them, without --registry or --only.")
    if args.scenario:
        return plan.plan_appraisal_pack(args.scenario, args.settings, args.notebooks)
    if args.workbook:
        from toolkit.inputs.workbook import read_workbook

        centre = read_workbook(args.workbook[-1]).about.get("postcode")
        boundaries = area_boundaries(args, centre=centre)
        return plan.plan_organisation_pack(args.workbook, boundaries, args.out, args.settings,
                                           args.notebooks)
    return plan.plan_spending_pack(args.payments, area_boundaries(args), args.out,
                                   args.suppliers, args.council, args.settings, args.notebooks)


def run(args: argparse.Namespace) -> int:
    """Plan and make the packs; print a summary; return 0 only when every pack is complete."""
    from toolkit.inputs.errors import InputError
    from toolkit.packs.plan import plan_packs, select
    from toolkit.packs.runner import CELL_TIMEOUT, run_packs

    if args.workers is not None and args.workers < 0:
        raise InputError("--workers must be 0 or more.")
    if args.timeout is not None and args.timeout < 1:
        raise InputError("--timeout must be at least 1 second.")
    jobs = one_off_jobs(args)
    one_off = jobs is not None
    if jobs is None:
        registry = args.registry if args.registry is not None else default_registry()
        jobs = select(plan_packs(registry, args.settings, args.notebooks), args.only)
    summary = run_packs(jobs, args.out, workers=args.workers, force=args.force,
                        progress=not args.no_progress and not args.json,
                        timeout=args.timeout or CELL_TIMEOUT,
                        prune=not args.only and not one_off)
    if args.json:
        print(json.dumps({"exit_code": summary.exit_code, "seconds": round(summary.seconds, 3),
                          "packs": [vars(r) for r in summary.results]}, indent=2, default=str))
    else:
        print(summary.text())
    return summary.exit_code
