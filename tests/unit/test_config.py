from __future__ import annotations

import json
import logging

import pytest

from backoffice.config import Config, json_schema, load_config
from backoffice.connectors.files import FilesSettings
from backoffice.connectors.folder import FolderSettings
from backoffice.errors import ConfigError
from backoffice.logs import JsonLinesFormatter
from tests.conftest import ROOT

GOOD = """
workspace: work
bots:
  - name: invoices
    source: {kind: folder, path: inbox, create: true}
    rules: rules/invoice.yaml
    targets:
      - {kind: files, path: out/invoices.csv}
"""


def problems_of(path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return caught.value.problems


def test_the_sample_deployment_is_valid():
    config = load_config(ROOT / "bots.yaml")
    assert [b.name for b in config.bots if b.enabled] == ["invoices", "mailroom"]  # the others need a mailbox or a portal
    assert config.workspace_path == ROOT / "work"
    assert config.queue_url == f"sqlite:///{ROOT / 'work' / 'queue.db'}"


def test_good_file_gives_typed_models(deployment):
    config = load_config(deployment(GOOD))
    bot = config.bot("invoices")
    assert isinstance(bot.source, FolderSettings) and bot.source.patterns == ["*.pdf", "*.png", "*.jpg", "*.jpeg", "*.tif", "*.tiff"]
    assert isinstance(bot.targets[0], FilesSettings)
    assert bot.retry.max_attempts == 5
    assert config.rules_path(bot).name == "invoice.yaml"


def test_missing_folder_names_file_line_and_field(deployment):
    path = deployment(
        """
        bots:
          - name: invoices
            source:
              kind: folder
              path: nowhere
        """
    )
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:5: bots[0].source.path: folder does not exist")


def test_every_problem_is_listed_with_its_line(deployment):
    path = deployment(
        """
        bots:
          - name: invoices
            schedule: "99 * * * *"
            sourc: {}
            source: {kind: ftp}
            rules: rules/none.yaml
            targets:
              - {kind: sql, tabel: x}
          - name: invoices
            source: {kind: folder, path: in, create: true}
        """
    )
    text = "\n".join(problems_of(path))
    assert f"{path}:3: bots[0].schedule: not a cron expression" in text
    assert f"{path}:4: bots[0].sourc: unknown field" in text
    assert f"{path}:5: bots[0].source.kind: unknown kind 'ftp': use one of folder" in text
    assert f"{path}:6: bots[0].rules: rule file does not exist" in text
    assert f"{path}:8: bots[0].targets[0].tabel: unknown field" in text


def test_duplicate_bot_names(deployment):
    path = deployment(
        """
        bots:
          - {name: a, source: {kind: folder, path: x, create: true}}
          - {name: a, source: {kind: folder, path: y, create: true}}
        """
    )
    assert problems_of(path) == [f"{path}:1: (top): bot names must be unique: a"]


def test_yaml_syntax_error_has_line_and_column(deployment):
    path = deployment("bots:\n  - name: [unclosed\n")
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:3:1: YAML syntax error")


def test_not_a_mapping(deployment):
    path = deployment("- just a list\n")
    assert problems_of(path) == [f"{path}:1: the file must be a mapping with a 'bots' list"]


def test_unreadable_file(tmp_path):
    [problem] = problems_of(tmp_path / "absent.yaml")
    assert "absent.yaml: cannot read" in problem


def test_env_secrets_are_substituted_and_masked_in_logs(deployment, monkeypatch):
    monkeypatch.setenv("ERP_PASSWORD", "s3cr3t-value")
    monkeypatch.setenv("ERP_HOST", "erp.example-host")
    path = deployment(
        """
        connections:
          erp: {url: "https://${ERP_HOST}", password: "${ERP_PASSWORD}"}
        bots:
          - {name: a, source: {kind: folder, path: "${INBOX:-inbox}", create: true}}
        """
    )
    config = load_config(path)
    assert config.connections["erp"].password.get_secret_value() == "s3cr3t-value"
    assert "s3cr3t-value" not in repr(config)
    assert config.bots[0].source.path == "inbox"
    record = logging.LogRecord("backoffice.x", logging.INFO, __file__, 1, "login with %s", ("s3cr3t-value",), None)
    assert json.loads(JsonLinesFormatter().format(record))["message"] == "login with ***"
    # Only secret-looking variables are masked; plain settings and defaults stay readable.
    record = logging.LogRecord("backoffice.x", logging.INFO, __file__, 1, "%s %s", ("erp.example-host", "inbox"), None)
    assert json.loads(JsonLinesFormatter().format(record))["message"] == "erp.example-host inbox"


def test_missing_env_var_is_named(deployment):
    path = deployment(
        """
        bots:
          - name: a
            source: {kind: folder, path: "${NOT_SET_ANYWHERE}", create: true}
        """
    )
    assert problems_of(path) == [f"{path}:3: bots[0].source.path: environment variable NOT_SET_ANYWHERE is not set"]


def test_third_party_connector_by_dotted_path(deployment, tmp_path, monkeypatch):
    (tmp_path / "myconnectors.py").write_text(
        "from typing import Literal\n"
        "from backoffice.connectors.base import Settings, Target\n"
        "class ErpSettings(Settings):\n"
        "    kind: str\n"
        "    endpoint: str\n"
        "class ErpTarget(Target):\n"
        "    Settings = ErpSettings\n"
        "    def post(self, item, document):\n"
        "        return 'x'\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    path = deployment(
        """
        bots:
          - name: a
            source: {kind: folder, path: in, create: true}
            targets:
              - {kind: "myconnectors:ErpTarget", endpoint: "https://erp"}
              - {kind: "myconnectors:ErpTarget", endpont: "typo"}
        """
    )
    text = "\n".join(problems_of(path))
    assert f"{path}:6: bots[0].targets[1].endpont: unknown field" in text
    path.write_text(path.read_text().replace("endpont", "endpoint"))
    config = load_config(path)
    assert config.bots[0].targets[0].endpoint == "https://erp"


def test_unimportable_connector(deployment):
    path = deployment(
        """
        bots:
          - name: a
            source: {kind: "no_such_module:Thing", create: true}
        """
    )
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:3: bots[0].source.kind: connector 'no_such_module:Thing': cannot import")


def test_workspace_override_and_retry_delay(deployment, tmp_path):
    config = load_config(deployment(GOOD), workspace=tmp_path / "elsewhere")
    assert config.workspace_path == (tmp_path / "elsewhere").resolve()
    policy = config.bots[0].retry.model_copy(update={"jitter": 0.0})
    assert [policy.delay(n) for n in (1, 2, 3)] == [30.0, 60.0, 120.0]
    assert policy.model_copy(update={"max_backoff_seconds": 50.0}).delay(5) == 50.0


def test_json_schema_describes_every_field():
    schema = json_schema()
    assert schema["title"] == "backoffice bots.yaml"
    bot = schema["$defs"]["Bot"]["properties"]
    assert {"name", "schedule", "source", "extractor", "rules", "targets", "retry"} <= set(bot)
    assert all("description" in spec for spec in bot.values())
    assert Config.model_fields["bots"].description


@pytest.mark.parametrize(
    ("module", "kind", "expected"),
    [
        ("class NoSettings:\n    pass\n", "brokenconn:NoSettings", "brokenconn:NoSettings is not a Target class with a Settings model"),
        ("raise RuntimeError('boom at import')\n", "explodes:Thing", "boom at import"),
        ("", "os.path:join", "os.path:join is not a Target class with a Settings model"),
    ],
)
def test_broken_custom_connectors_are_problems_not_crashes(deployment, tmp_path, monkeypatch, module, kind, expected):
    if module:
        (tmp_path / f"{kind.split(':')[0]}.py").write_text(module)
    monkeypatch.syspath_prepend(str(tmp_path))
    path = deployment(
        f"""
        bots:
          - name: a
            source: {{kind: folder, path: in, create: true}}
            targets: [{{kind: "{kind}"}}]
        """
    )
    [problem] = problems_of(path)
    assert problem.startswith(f"{path}:4: bots[0].targets[0].kind: ") and expected in problem


def test_problems_come_in_line_order(deployment):
    path = deployment(
        """
        bots:
          - name: a
            source: {kind: folder, path: "${NOT_SET_X}", create: true}
            sourc: 1
          - name: b
            source: {kind: folder, path: "${NOT_SET_Y}", create: true}
        """
    )
    lines = [int(p.split(":")[1]) for p in problems_of(path)]
    assert lines == sorted(lines) == [3, 4, 6]


BOMB = """
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
bots: [*i]
"""


def test_a_yaml_alias_bomb_is_refused_before_it_is_built(deployment):
    [problem] = problems_of(deployment(BOMB))
    assert "100,000 values" in problem and "alias bomb" in problem
    assert ":6:4:" in problem  # the first node past the bound (f: 9**6 values), with its line


def test_a_self_containing_alias_and_deep_nesting_are_refused(deployment):
    [problem] = problems_of(deployment("x: &x [1, *x]\nbots: []\n"))
    assert "contains it" in problem
    [problem] = problems_of(deployment("bots: " + "[" * 70 + "]" * 70 + "\n"))
    assert "64 levels" in problem


def test_a_small_anchor_is_still_fine(deployment):
    path = deployment(GOOD.replace("source: {kind: folder, path: inbox, create: true}",
                                   "source: &src {kind: folder, path: inbox, create: true}"))
    assert load_config(path).bots[0].source.path == "inbox"


def test_a_duplicate_key_is_refused_with_both_lines(deployment):
    path = deployment("workspace: work\nbots: []\nworkspace: other\n")
    assert problems_of(path) == [f"{path}:3:1: duplicate key 'workspace' (first at line 1)"]
