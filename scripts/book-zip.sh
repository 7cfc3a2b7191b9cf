#!/usr/bin/env bash
# Zip the built course site into dist/keepitlocal-course.zip (or the path given), for a
# release: unzipped anywhere, its keepitlocal-course/index.html opens from the folder
# (file://), offline, with no web server, no `make book` and no npm. Builds the site first
# (scripts/build-book.sh) when _build/html is absent. Called by `make book-zip`.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
OUT="${1:-dist/keepitlocal-course.zip}"

if [ ! -f _build/html/index.html ]; then
    bash scripts/build-book.sh
fi
mkdir -p "$(dirname "$OUT")"
"$VENV/bin/python" - "$OUT" <<'PY'
import sys
import zipfile
from pathlib import Path

site, out = Path("_build/html"), Path(sys.argv[1])
files = sorted(p for p in site.rglob("*") if p.is_file() and p.name != ".buildinfo")
partial = out.with_name(out.name + ".part")
with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
    for path in files:
        archive.write(path, Path("keepitlocal-course") / path.relative_to(site))
partial.replace(out)
size = out.stat().st_size / 1_000_000
print(f"Wrote {out}: {len(files):,} files, {size:,.1f} MB. Unzip it and open "
      "keepitlocal-course/index.html.")
PY
