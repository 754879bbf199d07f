"""The README's connector example is a valid deployment (it must not drift from the code)."""

from __future__ import annotations

import re

import yaml

from backoffice.config import load_config
from backoffice.connectors.files import FilesSettings
from backoffice.connectors.rest import RestSettings
from backoffice.connectors.sql import SqlSettings
from tests.conftest import ROOT


def test_the_readme_connector_example_loads(tmp_path, monkeypatch):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Connectors") :]
    example = yaml.safe_load(re.search(r"```yaml\n(.*?)```", section, re.S).group(1))
    example["bots"][0]["source"] = {"kind": "folder", "path": "inbox", "create": True}
    for name in ("ERP_PASSWORD", "ERP_SECRET"):
        monkeypatch.setenv(name, "x")
    path = tmp_path / "bots.yaml"
    path.write_text(yaml.safe_dump(example))
    targets = load_config(path).bots[0].targets
    assert [type(t) for t in targets] == [RestSettings, SqlSettings, FilesSettings]
    assert targets[0].lookup.records == "items" and targets[1].key == ["vendor", "number"]
