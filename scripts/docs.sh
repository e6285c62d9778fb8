#!/usr/bin/env bash
# The documentation site (MkDocs Material, mkdocs.yml): KaTeX copied from npm into
# docs/assets/katex (not committed), then `mkdocs build --strict`. CI runs it through
# scripts/test.sh; the site goes to a temporary folder unless --out DIR is given.
#
# Environment: DEPMAP_VENV (default .venv).
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${DEPMAP_VENV:-.venv}
OUT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="$2"; shift 2 ;;
    *) echo "unknown option $1 (use --out DIR)" >&2; exit 2 ;;
  esac
done
if [ ! -x "$VENV/bin/mkdocs" ]; then
  echo "==> pip install -e .[docs]"
  "$VENV/bin/pip" install -q -e ".[docs]"
fi
if [ ! -f web/node_modules/katex/dist/katex.min.js ]; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error)
fi
(cd web && npm run --silent docs-vendor)
TMP=""
if [ -z "$OUT" ]; then
  TMP=$(mktemp -d)
  OUT="$TMP/site"
  trap 'rm -rf "$TMP"' EXIT
fi
NO_MKDOCS_2_WARNING=1 "$VENV/bin/mkdocs" build --strict --clean --site-dir "$OUT"
echo "==> documentation built in $OUT${TMP:+ (temporary: removed on exit)}"
