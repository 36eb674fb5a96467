#!/usr/bin/env bash
# Refresh the vendored front-end libraries from the npm registry.
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
echo "vendored into $dest"
