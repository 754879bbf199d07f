"""A runner process's loop (backoffice.bots.service) on a SQLite queue: items are processed
continuously while the leader fires the schedules; status reports it; metrics count it."""

from __future__ import annotations

import random
import threading
import time

import pytest
from prometheus_client import generate_latest

from backoffice.bots import Runner
from backoffice.bots.registry import Registry
from backoffice.bots.service import Service
from backoffice.bots.status import status_report
from backoffice.config import load_config
from backoffice.metrics import Metrics, instrument
from backoffice.queue.base import NewItem, Status
from backoffice.queue.sqlite import SQLiteStore
from tests.fakes import RecordingTarget, invoice


@pytest.fixture(autouse=True)
def _reset_recorder():
    RecordingTarget.posts = []
    RecordingTarget.lookups = []


@pytest.fixture
def config(deployment):
    return load_config(deployment("""
        workspace: work
        runner: {poll_seconds: 0.1, leader_lease_seconds: 3}
        bots:
          - name: invoices
            schedule: every 1s
            source: {kind: folder, path: inbox, create: true}
            rules: rules/invoice.yaml
            targets: [{kind: "tests.fakes:RecordingTarget", name: erp}]
          - name: paused
            enabled: false
            source: {kind: folder, path: inbox2, create: true}
    """))


def queue(store, key: str, **values) -> None:
    store.enqueue(NewItem("invoices", key, payload={"file": f"{key}.pdf", "document": invoice(**values).to_dict()}))


def wait_until(condition, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)


def test_items_are_processed_while_the_leader_fires_the_schedule(config):
    store = SQLiteStore(config.workspace_path / "queue.db")
    runner = Runner(config, store, owner="r1", rng=random.Random(1))
    service = Service(runner)
    queue(store, "a")
    thread = threading.Thread(target=service.serve, daemon=True)
    thread.start()
    try:
        wait_until(lambda: store.counts().get("invoices", {}).get("done") == 1)
        queue(store, "b", invoice_number="INV-B-2")  # arrives between ticks: handled without waiting for one
        wait_until(lambda: store.counts()["invoices"].get("done") == 2)
        observer = Registry.for_store(store)
        wait_until(lambda: any(t.outcome == "ok" for t in observer.ticks("invoices")))
        report = status_report(config, store)
        assert report["leader"]["runner"] == "r1"
        assert [(r["name"], r["state"]) for r in report["runners"]] == [("r1", "running")]
        [bot, paused] = report["bots"]
        assert bot["last_run"]["outcome"] == "ok" and bot["next_run"] is not None
        assert paused == {"bot": "paused", "enabled": False, "schedule": "every 0.1s (poll)", "timezone": "UTC"}
        observer.close()
    finally:
        service.request_stop()
        thread.join(timeout=20)
        runner.close()
    assert not thread.is_alive()
    report = status_report(config, store)
    assert report["leader"] is None  # resigned on the way out
    assert report["runners"][0]["state"] == "gone"
    assert report["queue"] == {"invoices": {"done": 2}}
    assert "no runner is alive (start `backoffice run`)" in report["bots"][0]["not_run"]
    store.close()


def test_status_says_why_a_bot_did_not_run(config):
    store = SQLiteStore(config.workspace_path / "queue.db")
    registry = Registry.for_store(store)
    now = time.time()
    registry.start_tick("invoices", now - 10, "r1")
    registry.finish_tick("invoices", now - 10, "failed", "ConnectionError: inbox down")
    registry.skip_tick("invoices", now - 5, "r1", "holiday 2026-12-25")
    report = status_report(config, store)
    assert report["bots"][0]["last_run"]["outcome"] == "failed"
    reasons = report["bots"][0]["not_run"]
    assert any(r.endswith("holiday 2026-12-25") for r in reasons)
    assert "last run failed: ConnectionError: inbox down" in reasons
    registry.close()
    store.close()


def test_metrics_count_items_stages_exceptions_and_queue_depth(config):
    store = SQLiteStore(config.workspace_path / "queue.db")
    clock_now = time.time()
    runner = Runner(config, store, owner="r1", rng=random.Random(1))
    metrics = Metrics(store, clock=lambda: clock_now + 100)
    instrument(runner, metrics)
    queue(store, "good")
    queue(store, "bad", invoice_number="INV-BAD", grand_total="120.00")  # totals do not add up: exception
    queue(store, "waiting", invoice_number="INV-WAIT")
    assert runner.process_next().status == Status.DONE
    assert runner.process_next().status == Status.EXCEPTION
    text = generate_latest(metrics.registry).decode()
    assert 'backoffice_items{bot="invoices",status="done"} 1.0' in text
    assert 'backoffice_items{bot="invoices",status="pending"} 1.0' in text
    assert 'backoffice_items_handled_total{bot="invoices",outcome="exception"} 1.0' in text
    code = store.list(status=Status.EXCEPTION)[0].error_code
    assert f'backoffice_exceptions_total{{bot="invoices",code="{code}"}} 1.0' in text
    for stage in ("extract", "rules", "post", "item"):
        assert f'backoffice_stage_seconds_count{{bot="invoices",stage="{stage}"}}' in text
    age = next(line for line in text.splitlines() if line.startswith("backoffice_oldest_pending_age_seconds{"))
    assert 99 <= float(age.split()[-1]) <= 101
    runner.close()
    store.close()


def test_the_status_command_prints_text_and_json(config):
    import json

    from typer.testing import CliRunner

    from backoffice.cli import app

    store = SQLiteStore(config.workspace_path / "queue.db")
    queue(store, "a")
    registry = Registry.for_store(store)
    registry.skip_tick("invoices", time.time() - 5, "r1", "holiday 2026-12-25")
    registry.close()
    store.close()
    cli = CliRunner()
    result = cli.invoke(app, ["-c", str(config.path), "status", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["queue"] == {"invoices": {"pending": 1}} and report["leader"] is None
    text = cli.invoke(app, ["-c", str(config.path), "status"])
    assert text.exit_code == 0
    assert "leader: none" in text.stdout and "queue invoices: pending 1" in text.stdout
    assert "not run:" in text.stdout and "holiday 2026-12-25" in text.stdout
