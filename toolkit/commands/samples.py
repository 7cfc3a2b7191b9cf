"""``keepitlocal samples``: make the fictional sample data again (seeded, so reproducible)."""

from __future__ import annotations

from toolkit.samples import DEFAULT_SEED

NAME = "samples"
HELP = "Write the fictional sample workbooks, payments files and registry (seeded)."


def add_arguments(parser) -> None:
    """Add the command's arguments."""
    parser.add_argument("--out", default="data/samples", help="folder to write (data/samples)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed")


def run(args) -> int:
    """Write the samples and say where the registry is."""
    from toolkit.samples.organisations import write_samples

    registry = write_samples(args.out, seed=args.seed)
    print(f"Wrote the samples and their registry {registry}.")
    return 0
