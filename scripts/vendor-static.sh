#!/usr/bin/env bash
# Refresh the vendored front-end libraries from the npm registry.
#
# The minified files end with a sourceMappingURL comment naming a .map file. We strip
# that comment rather than ship the maps: the maps only help someone debugging the
# libraries themselves (about 1 MB more per release for nobody else), and production's
# static storage (whitenoise's manifest) follows every reference a file makes, so a
# reference to a file that is not shipped stops `kam collectstatic`.
# tests/core/test_production.py builds the static files in production mode and fetches
# every file the pages name.
set -euo pipefail
dest="$(cd "$(dirname "$0")/.." && pwd)/kam/ui/static/vendor"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent htmx.org@2.0.11 echarts@5.6.0 bootstrap@5.3.9 >/dev/null
for f in *.tgz; do mkdir -p "${f%.tgz}"; tar xzf "$f" -C "${f%.tgz}"; done
cp htmx.org-*/package/dist/htmx.min.js htmx.org-*/package/LICENSE "$dest/htmx/"
cp echarts-*/package/dist/echarts.min.js echarts-*/package/LICENSE "$dest/echarts/"
cp bootstrap-*/package/dist/css/bootstrap.min.css bootstrap-*/package/dist/js/bootstrap.bundle.min.js \
   bootstrap-*/package/LICENSE "$dest/bootstrap/"
# The source-map comments: `//# sourceMappingURL=x.map` (JavaScript) and
# `/*# sourceMappingURL=x.map */` (CSS), each on a line of its own at the end.
find "$dest" \( -name '*.js' -o -name '*.css' \) -exec sed -i -E \
  -e '/^\/\/# sourceMappingURL=/d' \
  -e '/^\/\*# sourceMappingURL=.*\*\/$/d' {} +
if grep -rl 'sourceMappingURL=' "$dest"; then
  echo "a vendored file still names a source map (above); strip it here" >&2
  exit 1
fi
echo "vendored into $dest"
