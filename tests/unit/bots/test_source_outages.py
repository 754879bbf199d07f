"""A source that is down: one WARNING with the reason when the outage starts, quiet polls while
it lasts, one INFO when it ends; ``backoffice status`` shows it, since when and why."""

from __future__ import annotations

import logging

import pytest
from typer.testing import CliRunner

from backoffice.bots import Runner
from backoffice.bots.status import status_report
from backoffice.cli import app
from backoffice.config import load_config
from backoffice.mail.mailbox import MailboxDown
from backoffice.queue.sqlite import SQLiteStore


@pytest.fixture
def config_path(deployment):
    return deployment("""
        workspace: work
        bots:
          - name: mailbox
            source: {kind: folder, path: inbox, create: true}
            rules: rules/invoice.yaml
            targets: [{kind: "tests.fakes:RecordingTarget", name: erp}]
    """)


def test_an_outage_is_told_once_when_it_starts_and_once_when_it_ends(config_path, caplog, monkeypatch):
    config = load_config(config_path)
    store = SQLiteStore(config.workspace_path / "queue.db")
    runner = Runner(config, store)
    down = {"polls": 3}

    def collect(intake):
        if down["polls"]:
            down["polls"] -= 1
            raise MailboxDown("imap://mail.example:993: cannot connect: Connection refused", code="imap-unreachable")
        return 0

    monkeypatch.setattr(runner.bots["mailbox"].source, "collect", collect)
    caplog.set_level(logging.DEBUG, logger="backoffice.bots")
    for _ in range(3):
        runner.collect()
    told = [r for r in caplog.records if r.levelno >= logging.INFO and r.name == "backoffice.bots.outages"]
    assert [(r.levelname, r.getMessage()) for r in told] == [
        ("WARNING", "source of bot mailbox is down: imap://mail.example:993: cannot connect: Connection refused")
    ]
    assert not told[0].exc_info  # a known outage: no traceback

    report = status_report(config, store)
    assert report["bots"][0]["source_down"]["reason"].endswith("Connection refused")
    assert report["bots"][0]["source_down"]["since"] is not None
    shown = CliRunner().invoke(app, ["-c", str(config_path), "status"])
    assert shown.exit_code == 0 and "source down since" in shown.output and "Connection refused" in shown.output

    caplog.clear()
    runner.collect()
    runner.collect()
    back = [r for r in caplog.records if r.levelno >= logging.INFO and r.name == "backoffice.bots.outages"]
    assert (
        len(back) == 1 and back[0].levelname == "INFO" and "source of bot mailbox is back after" in back[0].getMessage()
    )
    assert "source_down" not in status_report(config, store)["bots"][0]
    runner.close()


def test_an_unexpected_failure_gets_its_traceback_once(config_path, caplog, monkeypatch):
    config = load_config(config_path)
    runner = Runner(config, SQLiteStore(config.workspace_path / "queue.db"))

    def collect(intake):
        raise KeyError("a bug")

    monkeypatch.setattr(runner.bots["mailbox"].source, "collect", collect)
    caplog.set_level(logging.INFO, logger="backoffice.bots")
    for _ in range(4):
        runner.collect()
    told = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(told) == 1 and told[0].exc_info  # an unexpected error: its traceback, once
    runner.close()
