#!/usr/bin/env bash
# Lint and type check (scripts/lint.sh), then run the whole test suite. A lint finding fails
# before any test runs; pytest's exit code is passed on as it is: 5 (no tests ran) fails.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
VENV=$VENV scripts/lint.sh
scripts/system.sh
export OMP_THREAD_LIMIT=1
exec "$VENV/bin/python" -m pytest "$@"
