"""Dovecot goes away and comes back: the runner tells the outage once, not once per poll, and
``backoffice status`` shows the source as down meanwhile."""

from __future__ import annotations

import logging
import textwrap

import pytest

from backoffice.bots import Runner
from backoffice.bots.status import status_report
from backoffice.config import load_config
from backoffice.queue.sqlite import SQLiteStore

pytestmark = pytest.mark.integration


def test_an_imap_outage_is_logged_once_and_shown_by_status(dovecot, tmp_path, caplog, monkeypatch):
    monkeypatch.setenv("TEST_IMAP_PASSWORD", "wonderland")
    path = tmp_path / "bots.yaml"
    path.write_text(
        textwrap.dedent(f"""
        workspace: work
        bots:
          - name: mailbox
            source: {{kind: imap, host: 127.0.0.1, port: {dovecot.port}, security: none, username: alice,
                      password: "${{TEST_IMAP_PASSWORD}}", idle: false, timeout: 5}}
            targets: [{{kind: files, path: out/x.jsonl}}]
    """)
    )
    config = load_config(path)
    store = SQLiteStore(config.workspace_path / "queue.db")
    runner = Runner(config, store)
    caplog.set_level(logging.INFO)
    try:
        runner.collect()
        dovecot.stop()
        for _ in range(4):
            runner.collect()
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]  # no traceback at ERROR per poll
        told = [r for r in caplog.records if r.levelno >= logging.WARNING and r.name == "backoffice.bots.outages"]
        assert len(told) == 1 and "source of bot mailbox is down" in told[0].getMessage() and not told[0].exc_info
        assert "cannot connect" in status_report(config, store)["bots"][0]["source_down"]["reason"]
        dovecot.start()
        runner.collect()
        assert any("source of bot mailbox is back" in r.getMessage() for r in caplog.records)
        assert "source_down" not in status_report(config, store)["bots"][0]
    finally:
        runner.close()
        if dovecot.process is None:
            dovecot.start()
