#!/usr/bin/env bash
# Make the app's screenshots for the course (book/images/app-*.png) again, by walking each
# page of the app in headless Chromium as a user does (tests/test_app_browser.py's walks).
# Each walk also checks that each view still shows the controls its screenshot shows
# (tests/app_screenshots.py). Called by `make screenshots`; needs Chromium
# (`make system`). Commit the new pictures after looking at them.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
KEEPITLOCAL_APP_SCREENSHOTS="$PWD/book/images" "$VENV/bin/python" -m pytest -q \
    tests/test_app_browser.py -k walk "$@"
ls -l book/images/app-*.png
