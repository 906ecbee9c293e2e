#!/usr/bin/env bash
# Refresh the vendored front-end assets under static/vendor/ from the npm registry.
# Run by hand when upgrading; the files are committed, so nothing is fetched at run or test time.
set -euo pipefail
cd "$(dirname "$0")/.."
TABLER=1.6.1
HTMX=2.0.11
ECHARTS=6.1.0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
( cd "$tmp" && npm pack --silent "@tabler/core@$TABLER" "htmx.org@$HTMX" "echarts@$ECHARTS" >/dev/null )
for f in "$tmp"/*.tgz; do mkdir -p "${f%.tgz}" && tar -xzf "$f" -C "${f%.tgz}"; done
out=static/vendor
rm -rf "$out" && mkdir -p "$out"/{tabler,htmx,echarts}
cp "$tmp"/tabler-core-*/package/dist/css/tabler.min.css "$out/tabler/"
cp "$tmp"/tabler-core-*/package/LICENSE "$out/tabler/" 2>/dev/null || true
cp "$tmp"/htmx.org-*/package/dist/htmx.min.js "$out/htmx/"
cp "$tmp"/htmx.org-*/package/LICENSE "$out/htmx/" 2>/dev/null || true
cp "$tmp"/echarts-*/package/dist/echarts.min.js "$out/echarts/"
cp "$tmp"/echarts-*/package/LICENSE "$out/echarts/" 2>/dev/null || true
# Source maps are not shipped: drop their references so collectstatic's manifest finds every file.
find "$out" -name "*.js" -o -name "*.css" | xargs sed -i -E 's@/\*# sourceMappingURL=[^*]*\*/@@; s@//# sourceMappingURL=.*$@@'
cat > "$out/VERSIONS" <<V
@tabler/core $TABLER (the CSS only: no Tabler JavaScript is used)
htmx.org $HTMX
echarts $ECHARTS
V
echo "vendored into $out"; du -sh "$out"/*
