"""The ``keepitlocal`` command line: a thin layer over the toolkit's functions.

Each subcommand lives in its own module under ``toolkit/commands/``. A module there
defines ``NAME`` (the subcommand), ``HELP`` (one line), ``add_arguments(parser)`` and
``run(args) -> int`` (the exit code), and may define ``ALIASES`` (other names it answers
to). This module finds them all, so adding a command never means editing a shared list.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import toolkit
import toolkit.commands


def _command_modules() -> list:
    """Import every command module under ``toolkit/commands/``, sorted by name."""
    modules = []
    for info in sorted(pkgutil.iter_modules(toolkit.commands.__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        modules.append(importlib.import_module(f"toolkit.commands.{info.name}"))
    return modules


def build_parser() -> argparse.ArgumentParser:
    """Return the argument parser with one subparser per command module."""
    parser = argparse.ArgumentParser(
        prog="keepitlocal",
        description="Keep It Local evidence toolkit: local multiplier (LM3), local spend, "
        "social value, financial resilience, council spending and commissioning options.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {toolkit.__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        sub = subparsers.add_parser(module.NAME, help=module.HELP, description=module.HELP,
                                    aliases=getattr(module, "ALIASES", ()))
        module.add_arguments(sub)
        sub.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except KeyboardInterrupt as exc:
        print(str(exc) or "Interrupted.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a command that stopped reading (head)
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except toolkit_user_errors() as exc:
        print(f"keepitlocal {args.command}: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a read-only or full disk, a folder given as a file
        from toolkit.inputs.errors import file_trouble_text

        message = file_trouble_text(exc)
        if message is None:
            raise
        print(f"keepitlocal {args.command}: {message}", file=sys.stderr)
        return 2


def toolkit_user_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that are the user's to fix: printed as one plain message, no traceback."""
    from toolkit.inputs.errors import InputError

    return (InputError, FileNotFoundError)
