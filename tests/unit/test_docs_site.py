"""The API reference (mkdocs.yml, docs/): every object a page documents exists, and the strict
build that scripts/lint.sh runs fails when one disappears."""

from __future__ import annotations

import importlib
import importlib.util
import re
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT

DOCS = ROOT / "docs"
DIRECTIVE = re.compile(r"^::: ([\w.]+)\s*$", re.MULTILINE)


def documented() -> list[str]:
    return [name for page in sorted(DOCS.rglob("*.md")) for name in DIRECTIVE.findall(page.read_text())]


def resolve(dotted: str) -> object:
    """The object ``dotted`` names: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            found = getattr(found, attribute)
        return found
    raise ModuleNotFoundError(dotted)


def test_the_reference_documents_the_public_api():
    names = documented()
    for public in (
        "backoffice.api.bot",
        "backoffice.api.Item",
        "backoffice.connectors.base.Source",
        "backoffice.connectors.base.Target",
        "backoffice.documents.models.Document",
        "backoffice.rules.RuleSet",
        "backoffice.rules.Verdict",
        "backoffice.queue.base.Store",
        "backoffice.queue.base.WorkItem",
    ):
        assert public in names


@pytest.mark.parametrize("dotted", documented())
def test_every_documented_object_exists(dotted):
    assert resolve(dotted) is not None


def test_resolve_fails_for_a_missing_object():
    with pytest.raises(AttributeError):
        resolve("backoffice.queue.base.NoSuchStore")


def build(tmp_path, page: str) -> subprocess.CompletedProcess:
    """A strict build of the real mkdocs.yml over a docs folder holding one page."""
    docs = tmp_path / "docs"
    docs.mkdir(parents=True)
    shutil.copy(DOCS / "griffe_roles.py", docs / "griffe_roles.py")
    (docs / "index.md").write_text(page)
    config = (ROOT / "mkdocs.yml").read_text()
    config = re.sub(r"(?ms)^nav:.*?(?=^\S)", "nav:\n  - Home: index.md\n", config)
    config = config.replace('paths: ["."]', f"paths: [{str(ROOT)!r}]")
    config = config.replace("docs/griffe_roles.py", str(docs / "griffe_roles.py"))
    (tmp_path / "mkdocs.yml").write_text(config)
    command = [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")]
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=300)


def test_the_strict_build_fails_when_a_documented_object_disappears(tmp_path):
    missing = build(tmp_path / "missing", "# API\n\n::: backoffice.queue.base.NoSuchStore\n")
    assert missing.returncode != 0
    assert "NoSuchStore" in missing.stdout + missing.stderr
    present = build(tmp_path / "present", "# API\n\n::: backoffice.queue.base.WorkItem\n")
    assert present.returncode == 0, present.stderr
    assert 'id="backoffice.queue.base.WorkItem"' in (tmp_path / "present" / "site" / "index.html").read_text()


def test_docstring_roles_read_as_code():
    # docs/griffe_roles.py is named by path in mkdocs.yml, not a module of the project: load it so
    spec = importlib.util.spec_from_file_location("griffe_roles", DOCS / "griffe_roles.py")
    assert spec is not None and spec.loader is not None
    roles = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(roles)
    plain = roles.plain
    text = "Uses :class:`~backoffice.queue.base.Store` and :mod:`backoffice.bots`. A tree::\n\n    a\n"
    assert plain(text) == "Uses `Store` and `backoffice.bots`. A tree:\n\n    a\n"
