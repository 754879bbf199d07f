"""What the package imports is what pyproject.toml declares, and the reverse: no undeclared
import, no runtime dependency that nothing uses. Tests may use the test extras too."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

from tests.conftest import ROOT

# Declared but never imported by name: used through another package.
USED_INDIRECTLY = {
    "python-multipart": "starlette parses the UI's forms with it",
    "itsdangerous": "starlette's SessionMiddleware signs its cookie with it (issue 16's sign-in)",
}


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def declared() -> tuple[set[str], set[str]]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    runtime = {_name(r) for r in project["dependencies"]}
    test = {_name(r) for r in project["optional-dependencies"]["test"]}
    return runtime, test


def imported(folder: Path) -> dict[str, str]:
    """Top-level module -> the first file importing it (absolute imports, outside the project)."""
    local = {"backoffice", "tests", "bench", "conftest"}
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in local and top not in sys.stdlib_module_names:
                    found.setdefault(top, str(path.relative_to(ROOT)))
    return found


def distributions(modules: dict[str, str]) -> dict[str, str]:
    """Distribution (normalised) -> a file importing it; a module no installed package provides
    is kept under its own name (and then fails as undeclared)."""
    providers = packages_distributions()
    found = {}
    for module, path in modules.items():
        for dist in providers.get(module, [module]):
            found.setdefault(dist.lower().replace("_", "-"), path)
    return found


# A module of the package that needs an extra of its own (a command most users never run) and
# that extra: everything else the package imports must be a runtime dependency.
EXTRA_MODULES = {"backoffice/documents/ranker/train.py": "train"}


def test_the_package_imports_only_runtime_dependencies():
    runtime, _ = declared()
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    used = distributions(imported(ROOT / "backoffice"))
    undeclared = {
        dist: path
        for dist, path in used.items()
        if dist not in runtime
        and not (path in EXTRA_MODULES and dist in {_name(r) for r in extras[EXTRA_MODULES[path]]})
    }
    assert not undeclared, f"imported but not in [project] dependencies: {undeclared}"


def test_every_runtime_dependency_is_used():
    runtime, _ = declared()
    used = set(distributions(imported(ROOT / "backoffice")))
    unused = runtime - used - set(USED_INDIRECTLY)
    assert not unused, f"declared but never imported by backoffice/: {sorted(unused)}"


def test_the_tests_import_only_declared_dependencies():
    runtime, test = declared()
    used = distributions(imported(ROOT / "tests"))
    undeclared = {dist: path for dist, path in used.items() if dist not in runtime | test}
    assert not undeclared, f"imported by the tests but not declared (test extras): {undeclared}"
