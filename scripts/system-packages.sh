#!/usr/bin/env bash
# Install the system packages the toolkit uses, where this machine allows it:
#   Pango (libpango-1.0-0, libpangoft2-1.0-0) for PDF packs with WeasyPrint, and HarfBuzz's
#   subsetter (libharfbuzz-subset0), with which WeasyPrint embeds fonts in C (without it,
#   fontTools does it in Python: an equal PDF, about 0.4 processor-seconds a pack more);
#   Chromium (chromium) for the course's browser tests; DejaVu fonts for charts and PDFs;
#   npm (only if missing) to fetch the course site's own scripts once.
# Without root or apt-get it prints exactly what to install and carries on: packs are then
# written as HTML only, and browser tests skip with a reason.
#
# Usage: system-packages.sh [pdf|all]   (pdf: Pango and fonts only; all, the default: also Chromium)
set -u
PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"
[ "${1:-all}" = "pdf" ] || PACKAGES="$PACKAGES chromium"
# npm fetches the course site's own widget and MathJax scripts once (make book).
[ "${1:-all}" = "pdf" ] || command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES npm"
missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = "0" ]; then
  echo "Installing system packages:$missing"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null 2>&1 || true
  if apt-get install -y -qq --no-install-recommends $missing >/dev/null; then
    exit 0
  fi
  echo "apt-get could not install:$missing" >&2
fi
echo "Some system packages are missing:$missing" >&2
echo "Install them with:  sudo apt-get install -y$missing" >&2
echo "(PDF packs need the Pango ones; browser tests need chromium. Carrying on without them.)" >&2
exit 0
