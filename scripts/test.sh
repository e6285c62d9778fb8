#!/usr/bin/env bash
# The tests: install what is missing, start PostGIS, run lint, build the documentation
# (mkdocs build --strict) and run the whole suite against a real PostGIS and the shared
# data (DEPMAP_DATA_DIR). Fails if any test was skipped.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --browser
VENV=${DEPMAP_VENV:-.venv}
export DATABASE_URL=${DATABASE_URL:-postgresql://depmap:depmap@localhost:5432/depmap}
: "${DEPMAP_DATA_DIR:?set DEPMAP_DATA_DIR to the shared data folder}"
export DEPMAP_DATA_DIR
export DEPMAP_FAIL_ON_SKIP=1
scripts/lint.sh
scripts/docs.sh
exec "$VENV/bin/python" -m pytest -q -p no:cacheprovider "$@"
