#!/usr/bin/env bash
# Remake book/images/first-page-*.png, the course's picture of "what you will get": the
# first page of one sample pack of each kind (organisation, authority, network, appraisal),
# rendered from the PDF at 50 dpi (each well under 150 KB). Needs pdftoppm (poppler-utils).
# Run after a change that moves a first page's figures; dated by SOURCE_DATE_EPOCH (default:
# the last commit's time), so the same commit gives the same pictures.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v pdftoppm >/dev/null || { echo "pdftoppm not found: apt-get install -y poppler-utils" >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
.venv/bin/keepitlocal packs --out "$out" --no-progress --only halifax-northgate-centre \
    --only calderdale --only network --only calderdale_youth_scenario
for pair in organisations/halifax-northgate-centre:organisation authorities/calderdale:authority \
            network/network:network appraisals/calderdale-youth-scenario:appraisal; do
    pdftoppm -png -r 50 -f 1 -l 1 -singlefile "$out/${pair%%:*}.pdf" \
        "book/images/first-page-${pair##*:}"
done
ls -l book/images/first-page-*.png
