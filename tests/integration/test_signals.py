"""SIGTERM/SIGINT: stop claiming and finish the current item; a second signal releases it."""

from __future__ import annotations

import signal
import textwrap
import time

import pytest

from backoffice.queue.sqlite import SQLiteStore
from tests.conftest import ROOT
from tests.integration.test_kill import start_runner, wait_for_lines

pytestmark = pytest.mark.integration


@pytest.fixture
def slow_deployment(tmp_path):
    from backoffice.demo.invoices import generate

    slow_log = tmp_path / "slow.log"
    config = tmp_path / "bots.yaml"
    config.write_text(textwrap.dedent(f"""
        workspace: work
        runner: {{poll_seconds: 0.2}}
        bots:
          - name: invoices
            source: {{kind: folder, path: inbox, create: true, settle_seconds: 0}}
            targets: [{{kind: "tests.fakes:SlowTarget", seconds: 1.5, log: "{slow_log}"}}]
    """))  # fmt: skip
    generate(tmp_path / "work" / "inbox", count=3, seed=2)
    return config, slow_log


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_one_signal_finishes_the_current_item_and_stops(slow_deployment, signum):
    config, slow_log = slow_deployment
    runner = start_runner(config)
    wait_for_lines(slow_log.with_suffix(".started"), 1)
    runner.send_signal(signum)
    assert runner.wait(timeout=30) == 0
    store = SQLiteStore(config.parent / "work" / "queue.db")
    assert store.counts()["invoices"] == {"done": 1, "pending": 2}
    assert slow_log.read_text().split() == ["1"]


def test_a_second_signal_releases_the_current_item(slow_deployment):
    config, slow_log = slow_deployment
    runner = start_runner(config)
    wait_for_lines(slow_log.with_suffix(".started"), 1)
    runner.send_signal(signal.SIGTERM)
    time.sleep(0.2)
    runner.send_signal(signal.SIGTERM)
    assert runner.wait(timeout=30) == 130
    store = SQLiteStore(config.parent / "work" / "queue.db")
    assert store.counts()["invoices"] == {"pending": 3}
    item = store.get(1)
    assert item.attempts == 0 and store.journal(1)[-1].action == "release"
    assert not slow_log.exists()
