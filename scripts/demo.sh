#!/usr/bin/env bash
# The demo: install what is missing, load the data into PostGIS, serve the API and
# the map on port 8000 (http://localhost:8000/docs, /map).
#
# DEPMAP_DATA_DIR: the data folder (the shared data, or one `depmap fetch` filled).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
VENV=${DEPMAP_VENV:-.venv}
export DATABASE_URL=${DATABASE_URL:-postgresql://depmap:depmap@localhost:5432/depmap}
if [ -z "${DEPMAP_DATA_DIR:-}" ]; then
  echo "DEPMAP_DATA_DIR is not set: fetching the official files into ./data" >&2
  "$VENV/bin/depmap" fetch --dest data
  export DEPMAP_DATA_DIR=data
fi
"$VENV/bin/depmap" load all --data-dir "$DEPMAP_DATA_DIR"
"$VENV/bin/depmap" status
export DEPMAP_API_TOKEN=${DEPMAP_API_TOKEN:-$(python3 -c "import secrets; print(secrets.token_urlsafe(24))")}
echo "==> write token for POST/DELETE /areas: DEPMAP_API_TOKEN=$DEPMAP_API_TOKEN"
exec "$VENV/bin/depmap" serve --host "${DEPMAP_HOST:-0.0.0.0}" --port "${DEPMAP_PORT:-8000}" \
  --workers "${DEPMAP_WORKERS:-2}"
