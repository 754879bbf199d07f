#!/usr/bin/env bash
# Write the repository's bots.yaml and rules/ from the packaged sample deployment
# (backoffice/samples/, the source: edit there). tests/unit/test_install.py fails until they match.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-${VENV:-.venv}/bin/python}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
PYTHONPATH=$PWD "$PYTHON" -m backoffice init --example all "$tmp/sample" >/dev/null
cp "$tmp/sample/bots.yaml" bots.yaml
rm -rf rules
cp -r "$tmp/sample/rules" rules
echo "bots.yaml and rules/ now equal backoffice/samples/"
