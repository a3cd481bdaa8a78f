#!/usr/bin/env bash
# Rebuild the query page's vendored editor from the npm registry:
#   ./refresh.sh            install exactly what package-lock.json names, bundle, list versions and licences
#   ./refresh.sh --upgrade  first move every package to its newest release within package.json's ranges
# Writes src/twinkg/server/static/vendor/{editor.js,VENDORED.md,LICENSES.txt}; commit them with package-lock.json.
# Needs node and npm; `make test` and `twinkg serve` do not.
set -euo pipefail
cd "$(dirname "$0")"
OUT=../src/twinkg/server/static/vendor
case "${1:-}" in
  --upgrade) npm update --no-audit --no-fund ;;
  "") npm ci --no-audit --no-fund ;;
  *) echo "usage: $0 [--upgrade]" >&2; exit 2 ;;
esac
mkdir -p "$OUT"
npx esbuild editor.js --bundle --minify --format=esm --target=es2020 --legal-comments=none \
  --metafile=node_modules/.editor-meta.json --outfile="$OUT/editor.js"
node licences.mjs node_modules/.editor-meta.json "$OUT"
