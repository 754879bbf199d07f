#!/usr/bin/env bash
# Lint and type check, before the tests (scripts/test.sh) and in CI: any finding fails.
#   ruff check            the rules of pyproject.toml [tool.ruff.lint] (a per-file baseline that only shrinks)
#   ruff format --check   every file but the [tool.ruff.format] exclude list (which only shrinks)
#   mypy                  strict on the modules pyproject.toml names; elsewhere no file may have more
#                         errors than scripts/mypy-baseline.txt allows (--update writes lower counts)
#   mkdocs build --strict the API reference (mkdocs.yml, docs/): a page naming an object that is gone,
#                         a broken link or a docstring griffe cannot read fails; offline, and no page
#                         may load a script or stylesheet from another host
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${VENV:-.venv}
"$VENV/bin/ruff" check --quiet .
"$VENV/bin/ruff" format --check --quiet .
found=$(mktemp)
trap 'rm -f "$found"' EXIT
status=0
"$VENV/bin/mypy" --no-error-summary > "$found" 2>&1 || status=$?
if [ "$status" -gt 1 ]; then  # 1: errors found (judged against the baseline); 2: mypy itself failed
    cat "$found" >&2
    exit "$status"
fi
"$VENV/bin/python" scripts/mypy_baseline.py "$@" < "$found"
site=$(mktemp -d)
trap 'rm -f "$found"; rm -rf "$site"' EXIT
"$VENV/bin/mkdocs" build --strict --quiet --site-dir "$site"
if grep -rlE '<(script|link|img)[^>]*(src|href)="(https?:)?//' "$site"; then
    echo "docs: the pages above load assets from another host; the site must work offline" >&2
    exit 1
fi
echo "lint: ruff, mypy and the API reference clean"
