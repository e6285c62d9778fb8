#!/usr/bin/env bash
# ruff (lint + format check), mypy and the import contract, as CI runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${DEPMAP_VENV:-.venv}
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
"$VENV/bin/mypy"
"$VENV/bin/lint-imports"
