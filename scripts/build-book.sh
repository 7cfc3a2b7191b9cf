#!/usr/bin/env bash
# Build the course website (Jupyter Book 1) into _build/html, with warnings as errors, so a
# chapter cell that fails, prints a warning, or a page that loads anything from off the site
# fails the build. Called by `make book`; extra arguments go to `jupyter-book build`.
# Every page is rebuilt (--all) and every chapter re-run, so a change in the toolkit that
# breaks a chapter is caught even when the chapter itself did not change.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"

# The site serves its own widget and MathJax scripts (fetched once with npm, then offline).
bash scripts/fetch_widgets_js.sh
# Build matplotlib's font cache now, so that no chapter's first chart writes to stderr.
"$VENV/bin/python" -c "import matplotlib.pyplot" >/dev/null 2>&1
"$VENV/bin/jupyter-book" build . --builder html --warningiserror --nitpick --keep-going --all "$@"
