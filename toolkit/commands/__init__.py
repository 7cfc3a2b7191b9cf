"""Subcommands of ``keepitlocal``; each module is found by ``toolkit.cli``."""
