#!/usr/bin/env bash
# Rebuild Remun's front-end assets into remun/static/ (committed to the repo,
# so the app runs without Node). Run from anywhere: bash assets/build.sh
#
#   remun/static/remun.css               GOV.UK Frontend + assets/scss/remun.scss
#   remun/static/govuk-frontend.min.js   GOV.UK Frontend ES module bundle
#   remun/static/init.js                 ES module that calls initAll()
#   remun/static/images/favicon.svg|ico  neutral Remun favicon (no crown)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

static=remun/static
gf=node_modules/govuk-frontend/dist/govuk

# Install exactly what package-lock.json says when node_modules is missing or
# older than the lockfile.
if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi

want=$(node -p 'require("./package.json").dependencies["govuk-frontend"]')
have=$(node -p 'require("govuk-frontend/package.json").version')
if [[ "$want" != "$have" ]]; then
  echo "build.sh: govuk-frontend $have installed but package.json pins $want; run npm ci" >&2
  exit 1
fi

mkdir -p "$static/images"

# CSS: system fonts, no @font-face, image URLs under /static/, no source map.
node_modules/.bin/sass \
  --no-source-map \
  --style=compressed \
  --load-path=node_modules \
  --quiet-deps \
  assets/scss/application.scss "$static/remun.css"

# JS: the bundle ends with a sourceMappingURL comment; we do not ship the map,
# so drop the comment (avoids a 404 whenever developer tools are open).
sed 's|//# sourceMappingURL=[^ ]*$||' "$gf/govuk-frontend.min.js" > "$static/govuk-frontend.min.js"
cp assets/js/init.js "$static/init.js"

# Favicon: our own (GOV.UK's favicons show the crown).
python3 assets/favicon.py "$static/images"

# ---- checks ----------------------------------------------------------------
css="$static/remun.css"
fail() { echo "build.sh: $*" >&2; exit 1; }

if grep -q "GDS Transport" "$css"; then fail "$css mentions GDS Transport"; fi
if grep -q "@font-face" "$css"; then fail "$css has an @font-face rule"; fi
if grep -qE "govuk-crest|govuk-icon|sourceMappingURL" "$css"; then fail "$css refers to a GOV.UK image or a source map"; fi
for selector in .govuk-header .govuk-generic-header .govuk-service-navigation .govuk-summary-list \
                .govuk-table .govuk-error-summary .govuk-tag .remun-chart .remun-numeric \
                .remun-status--parity .remun-status--gap .remun-status--none; do
  grep -qF "$selector" "$css" || fail "$css lacks $selector"
done
# Every url() in the CSS must be a file we ship under /static/.
{ grep -oE 'url\([^)]*\)' "$css" || true; } | sed -E 's/^url\(["'\'']?//; s/["'\'']?\)$//' | sort -u |
  while read -r url; do
    case "$url" in
      data:*) ;;
      /static/*) [[ -f "$static/${url#/static/}" ]] || fail "$css refers to missing $url" ;;
      *) fail "$css refers to $url outside /static/" ;;
    esac
  done
if grep -q "sourceMappingURL" "$static/govuk-frontend.min.js"; then fail "source map comment left in JS"; fi
grep -q 'const version="'"$want"'"' "$static/govuk-frontend.min.js" || fail "JS bundle is not v$want"

echo "Built:"
ls -l "$static/remun.css" "$static/govuk-frontend.min.js" "$static/init.js" \
      "$static/images/favicon.svg" "$static/images/favicon.ico"
echo "axe-core for browser tests: $(pwd)/node_modules/axe-core/axe.min.js"
