#!/usr/bin/env bash
# Run the whole test suite. pytest's exit code is passed on as it is: 5 (no tests ran) fails.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
scripts/system.sh
export OMP_THREAD_LIMIT=1
exec "$VENV/bin/python" -m pytest "$@"
