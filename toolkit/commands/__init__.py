"""Commands: one module per ``keepitlocal`` subcommand, found by ``toolkit.cli``.

The top floor with the app: a command may use any wing below. Each module defines ``NAME``,
``HELP``, ``add_arguments(parser)`` and ``run(args) -> int``; building a parser imports only
the standard library, PyYAML and light toolkit modules, and ``run`` imports what it needs.
Shared argument helpers (the boundary options, the registry lookup) are in ``_options``.
"""
