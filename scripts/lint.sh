#!/usr/bin/env bash
# ruff (lint + format check) and mypy, as CI runs them.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${DEPMAP_VENV:-.venv}
"$VENV/bin/ruff" check .
"$VENV/bin/mypy"
