"""Targets name connections of bots.yaml; secrets come from the environment."""

from __future__ import annotations

import pytest

from backoffice.bots.bot import build_bots
from backoffice.config import load_config
from backoffice.connectors.rest import RestTarget
from backoffice.connectors.sql import SqlTarget
from backoffice.errors import ConfigError
from backoffice.queue.files import FileStore

DEPLOYMENT = """
connections:
  erp: {url: "http://127.0.0.1:9/api/", username: bot, password: "${ERP_PASSWORD}"}
  ledger: {url: "sqlite:///out/ledger.db"}
bots:
  - name: a
    source: {kind: folder, path: in, create: true}
    targets:
      - {kind: rest, connection: erp, path: invoices, idempotency_header: Idempotency-Key}
      - {kind: sql, connection: ledger, table: invoices}
      - {kind: sql, connection: ledgr}
"""


def test_an_unknown_connection_is_reported_with_file_and_line(deployment, monkeypatch):
    monkeypatch.setenv("ERP_PASSWORD", "pw")
    path = deployment(DEPLOYMENT)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.problems == [
        f"{path}:10: bots[0].targets[2].connection: no connection named 'ledgr' (known: erp, ledger)"
    ]


def test_targets_take_url_and_secret_from_the_named_connection(deployment, monkeypatch, tmp_path):
    monkeypatch.setenv("ERP_PASSWORD", "from-env")
    path = deployment(DEPLOYMENT.replace("      - {kind: sql, connection: ledgr}\n", ""))
    config = load_config(path)
    [bot] = build_bots(config, FileStore(tmp_path / "files")).values()
    rest, sql = bot.targets
    assert isinstance(rest, RestTarget) and rest.base_url == "http://127.0.0.1:9/api/"
    assert rest.client.build_request("POST", "invoices").url == "http://127.0.0.1:9/api/invoices"
    assert isinstance(sql, SqlTarget) and sql.dialect.path == config.workspace_path / "out" / "ledger.db"
    assert "from-env" not in repr(config.connections["erp"])
    bot.close()
