#!/usr/bin/env bash
# Vendor the browser assets the static book needs, so no page loads anything from a CDN:
#   require.js                        -> book/_vendor/vendor/requirejs/require.js
#   @jupyter-widgets/html-manager 1.x -> book/_vendor/vendor/html-manager/ (embed-amd.js + its Font Awesome fonts)
#   MathJax 3 (tex-mml-chtml)         -> book/_vendor/vendor/mathjax/       (component, extensions, fonts)
#   json-logic-js 2.x                 -> book/_vendor/vendor/json-logic-js/logic.js (the in-browser algorithm
#                                        explorer evaluates the pathways' JsonLogic conditions with it)
#   Font Awesome Free 6.5.2 (CSS)     -> book/_vendor/vendor/fontawesome/ (the theme's icons as a web font: the
#                                        same version as the theme's 1.5 MB SVG+JS bundle, a sixth of its weight)
# Versions come from package-lock.json (`npm ci`, registry integrity hashes checked); book/_vendor/ is published
# at the site root through html_extra_path (see _config.yml). Safe to re-run: does nothing when up to date.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=book/_vendor
DEST="$OUT/vendor"
STAMP="$OUT/.package-lock.sha256"

command -v npm >/dev/null 2>&1 || { echo "vendor-assets: npm not found (make system-deps installs it)" >&2; exit 1; }

lock_sum="$(sha256sum package-lock.json package.json scripts/vendor-assets.sh | sha256sum | cut -d' ' -f1)"
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$lock_sum" ] && [ -f "$DEST/html-manager/embed-amd.js" ] \
  && [ -f "$DEST/json-logic-js/logic.js" ] && [ -f "$DEST/fontawesome/css/fontawesome.min.css" ]; then
  exit 0
fi

# npm ci: exactly the lock file's versions; no install scripts are needed for static files.
if [ ! -f node_modules/.package-lock.json ] || ! cmp -s <(sha256sum package-lock.json) node_modules/.nmd-lock.sha256 2>/dev/null; then
  echo "vendor-assets: npm ci (package-lock.json)"
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  sha256sum package-lock.json > node_modules/.nmd-lock.sha256
fi

NM=node_modules
mkdir -p "$OUT"
tmp="$(mktemp -d "$OUT/.tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/vendor/requirejs" "$tmp/vendor/html-manager" "$tmp/vendor/mathjax" "$tmp/vendor/json-logic-js"
mkdir -p "$tmp/vendor/fontawesome/css" "$tmp/vendor/fontawesome/webfonts"

cp "$NM/requirejs/require.js" "$NM/requirejs/package.json" "$tmp/vendor/requirejs/"
cp "$NM/requirejs/LICENSE" "$tmp/vendor/requirejs/" 2>/dev/null || true

hm="$NM/@jupyter-widgets/html-manager"
cp "$hm/dist/embed-amd.js" "$hm/package.json" "$tmp/vendor/html-manager/"
cp "$hm/dist/embed.js.LICENSE.txt" "$tmp/vendor/html-manager/" 2>/dev/null || true
cp "$hm/LICENSE" "$tmp/vendor/html-manager/" 2>/dev/null || true
# webpack emits the Font Awesome fonts under hashed names next to the bundle; the bundle finds them through its
# public path (the require.config line the Sphinx extension adds points @jupyter-widgets here).
find "$hm/dist" -maxdepth 1 -type f \( -name '*.woff2' -o -name '*.woff' -o -name '*.ttf' -o -name '*.eot' -o -name '*.svg' \) \
  -exec cp {} "$tmp/vendor/html-manager/" \;

mj="$NM/mathjax"
cp "$mj/es5/tex-mml-chtml.js" "$mj/package.json" "$tmp/vendor/mathjax/"
cp "$mj/LICENSE" "$tmp/vendor/mathjax/" 2>/dev/null || true
# What the component loads lazily: TeX extensions (autoload), CHTML fonts, the menu, accessibility and speech.
for part in input output/chtml ui a11y sre adaptors; do
  mkdir -p "$tmp/vendor/mathjax/$(dirname "$part")"
  cp -r "$mj/es5/$part" "$tmp/vendor/mathjax/$part"
done

# A UMD file: with require.js on the page it is an anonymous AMD module, otherwise it sets window.jsonLogic.
jl="$NM/json-logic-js"
cp "$jl/logic.js" "$jl/package.json" "$tmp/vendor/json-logic-js/"
cp "$jl/LICENSE" "$tmp/vendor/json-logic-js/" 2>/dev/null || true

# The CSS finds its fonts in ../webfonts/; a browser fetches only the woff2 of the styles a page uses.
fa="$NM/@fortawesome/fontawesome-free"
for style in fontawesome solid regular brands; do cp "$fa/css/$style.min.css" "$tmp/vendor/fontawesome/css/"; done
cp "$fa"/webfonts/fa-{solid-900,regular-400,brands-400}.{woff2,ttf} "$tmp/vendor/fontawesome/webfonts/"
cp "$fa/LICENSE.txt" "$fa/package.json" "$tmp/vendor/fontawesome/"

rm -rf "$DEST"
mv "$tmp/vendor" "$DEST"
echo "$lock_sum" > "$STAMP"
echo "vendor-assets: $(du -sh "$DEST" | cut -f1) in $DEST"
