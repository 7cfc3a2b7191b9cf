#!/usr/bin/env bash
# Fetch the JavaScript the course site serves itself, so that no page loads from a CDN.
#
#   scripts/fetch_widgets_js.sh [DEST]      (DEST defaults to _widgets/ at the repo root)
#
# Puts into DEST (git-ignored):
#   site/jupyter-widgets/embed.js (+ fonts)   @jupyter-widgets/html-manager, renders ipywidgets
#   site/mathjax/tex-chtml.js (+ fonts)       MathJax 3, renders the formulas
#   test/axe.min.js                           axe-core, for the browser test's accessibility
#                                             checks (not part of the site)
# DEST/site is added to the site by `html_static_path` in _config.yml.
#
# Uses `npm pack` (the ordinary npm client, which checks each tarball against the registry's
# integrity hash); we also compare with the hashes pinned below. Runs once: if DEST already
# holds the pinned versions it does nothing, so `make book` works offline after the first run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="${1:-$ROOT/_widgets}"

# html-manager 1.0.x matches ipywidgets 8.1.x (the Python side in requirements.txt).
WIDGETS_PKG="@jupyter-widgets/html-manager@1.0.15"
WIDGETS_SHA="sha512-5thBIV6ymNgmPVOHvzx+gGy8ZSKmSazhtGw4/c4xJDVzRhG9PTeQsRjF3FUTopvFi//SABeNz1yp47bCrJ3CQA=="
MATHJAX_PKG="mathjax@3.2.2"
MATHJAX_SHA="sha512-Bt+SSVU8eBG27zChVewOicYs7Xsdt40qm4+UpHyX7k0/O9NliPc+x77k1/FEsPsjKPZGJvtRZM1vO+geW0OhGw=="
AXE_PKG="axe-core@4.10.3"
AXE_SHA="sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGfTs/PbZhideTcEg=="
STAMP="$DEST/VERSIONS.txt"
WANT="$WIDGETS_PKG $MATHJAX_PKG $AXE_PKG"
SITE="$DEST/site"

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$WANT" && -f "$SITE/jupyter-widgets/embed.js" \
      && -f "$SITE/mathjax/tex-chtml.js" && -f "$DEST/test/axe.min.js" ]]; then
    echo "widget and MathJax scripts already in $DEST ($WANT)"
    exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
    echo "npm is needed once to fetch $WANT into $DEST (install Node.js and npm)" >&2
    exit 1
fi

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

fetch() {  # fetch PACKAGE EXPECTED_INTEGRITY -> unpacks into $WORK/<name>/package
    local pkg="$1" want="$2" json got file name
    json="$(cd "$WORK" && npm pack "$pkg" --json --prefer-offline --silent)"
    got="$(printf '%s' "$json" | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{const j=JSON.parse(s)[0];console.log(j.integrity+" "+j.filename)})')"
    file="${got#* }"
    if [[ "${got%% *}" != "$want" ]]; then
        echo "integrity of $pkg is ${got%% *}, expected $want: not using it" >&2
        exit 1
    fi
    name="${pkg%@*}"; name="${name//[@\/]/_}"
    mkdir -p "$WORK/$name"
    tar xzf "$WORK/$file" -C "$WORK/$name"
    echo "$WORK/$name/package"
}

W="$(fetch "$WIDGETS_PKG" "$WIDGETS_SHA")"
M="$(fetch "$MATHJAX_PKG" "$MATHJAX_SHA")"
A="$(fetch "$AXE_PKG" "$AXE_SHA")"

rm -rf "$DEST/jupyter-widgets" "$DEST/mathjax" "$SITE" "$DEST/test"
mkdir -p "$SITE/jupyter-widgets" "$SITE/mathjax/output" "$DEST/test"
# embed.js is the stand-alone build (no require.js); its fonts sit beside it, because it
# finds them relative to its own address.
cp "$W/dist/embed.js" "$W/dist/embed.js.LICENSE.txt" "$SITE/jupyter-widgets/"
find "$W/dist" -maxdepth 1 -regextype posix-extended \
    -regex '.*\.(woff2?|ttf|eot|svg)' -exec cp {} "$SITE/jupyter-widgets/" \;
cp "$W/LICENSE" "$SITE/jupyter-widgets/LICENSE" 2>/dev/null || true

cp "$M/es5/tex-chtml.js" "$SITE/mathjax/"
cp -r "$M/es5/input" "$M/es5/ui" "$M/es5/a11y" "$SITE/mathjax/"
cp -r "$M/es5/output/chtml" "$SITE/mathjax/output/"
cp "$M/LICENSE" "$SITE/mathjax/LICENSE"

cp "$A/axe.min.js" "$A/LICENSE" "$DEST/test/"

printf '%s' "$WANT" > "$STAMP"
echo "fetched $WANT into $DEST"
