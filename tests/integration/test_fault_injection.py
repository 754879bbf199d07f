"""500 invoices to the demo ERP while it fails 30% of requests in all four ways (500s, timeouts,
slow answers, connections dropped after the commit) and the runner is killed with SIGKILL at 10
random moments: at the end the ERP holds each invoice exactly once and every item is done.

The second test does the same with a target that has only a lookup (no idempotency key), where
the ERP's "timeout" fault is a late commit: the record lands 0.5 s after the request, when the
client gave up after 0.3 s. Each lookup must wait for such a commit, or the item is posted twice.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backoffice.documents.models import Field
from backoffice.queue.base import EffectState, NewItem
from backoffice.queue.sqlite import SQLiteStore
from tests.conftest import ROOT
from tests.fakes import invoice

pytestmark = pytest.mark.integration
ITEMS, KILLS = 500, 10
VENDORS = ["Acme GmbH", "Globex Ltd", "Initech SA", "Umbrella BV", "Stark AG"]


def deployment(folder: Path, erp_url: str, *, idempotent: bool = True) -> Path:
    target = {
        "kind": "rest", "name": "erp", "base_url": erp_url, "path": "/api/invoices",
        "body": {"vendor": "seller_name", "number": "invoice_number", "currency": "currency",
                 "total": "grand_total", "issue_date": "issue_date", "reference": "$key"},
        "lines": {"fields": {"description": "description", "amount": "amount"}},
        "idempotency_header": "Idempotency-Key",
        "lookup": {"path": "/api/invoices?reference={key}", "records": "items"},
        "timeout_seconds": 0.3, "connect_timeout_seconds": 0.5,
        "retry": {"attempts": 5, "backoff_seconds": 0.02, "max_backoff_seconds": 0.2},
        "circuit": {"failures": 8, "reset_seconds": 0.2},
    }  # fmt: skip
    if not idempotent:  # lookup alone: wait out the ERP's commit lag (0.5 s) before each lookup
        del target["idempotency_header"]
        target["settle_seconds"] = 1.0
    config = {
        "workspace": "work",
        "runner": {"lease_seconds": 1, "poll_seconds": 0.2},
        "bots": [{
            "name": "invoices",
            "source": {"kind": "folder", "path": "inbox", "create": True, "settle_seconds": 0},
            "targets": [target],
            "retry": {"max_attempts": 100, "backoff_seconds": 0.05, "max_backoff_seconds": 0.5},
        }],
    }  # fmt: skip
    path = folder / "bots.yaml"
    path.write_text(json.dumps(config, indent=1))  # JSON is YAML
    return path


def queue_items(store: SQLiteStore, rng: random.Random, count: int = ITEMS, prefix: str = "FI") -> None:
    items = []
    for n in range(count):
        document = invoice(invoice_number=f"{prefix}-{n:04d}", seller_name=rng.choice(VENDORS))
        document.lines = [{"description": Field(f"service {n}"), "amount": Field("119.00")}]
        key = f"doc-{n}" if prefix == "FI" else f"{prefix}-doc-{n}"  # the ERP is shared by this module's tests
        items.append(NewItem("invoices", key, payload={"file": f"fi-{n}.pdf", "document": document.to_dict()},
                             max_attempts=100))  # fmt: skip
    assert store.enqueue_many(items) == count


def start_runner(config: Path, log: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", "backoffice", "-c", str(config), "run"], env=env,
                                stdout=subprocess.DEVNULL, stderr=out)  # fmt: skip


def wait_until(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_each_invoice_once_despite_faults_and_kills(erp, tmp_path):
    rng = random.Random(2026)
    config = deployment(tmp_path, erp.url)
    store = SQLiteStore(tmp_path / "work" / "queue.db")
    queue_items(store, rng)
    erp.faults(0.3, ("error", "timeout", "slow", "drop"), slow_seconds=0.1, hang_seconds=0.5, seed=7)
    runner_log = tmp_path / "runner.log"

    def done() -> int:
        return store.counts().get("invoices", {}).get("done", 0)

    for _ in range(KILLS):
        runner = start_runner(config, runner_log)
        try:
            started = erp.stats()["requests"]
            wait_until(lambda s=started: erp.stats()["requests"] > s, 60, "the runner to reach the ERP")
            time.sleep(rng.uniform(0.0, 1.5))  # a random moment while it posts
        finally:
            runner.send_signal(signal.SIGKILL)
            runner.wait(timeout=30)
    assert done() < ITEMS, "the kills came too late to land mid-run"

    runner = start_runner(config, runner_log)
    try:
        wait_until(lambda: done() == ITEMS, 150, f"{ITEMS} done items (log: {runner_log})")
    finally:
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(timeout=30) == 0
    erp.faults()

    # The ERP holds exactly 500 invoices, each once.
    erp_db = sqlite3.connect(f"file:{erp.db}?mode=ro", uri=True)
    numbers = [n for (n,) in erp_db.execute("SELECT number FROM invoices ORDER BY number")]
    assert numbers == [f"FI-{n:04d}" for n in range(ITEMS)]
    references = dict(erp_db.execute("SELECT reference, id FROM invoices"))
    assert len(references) == ITEMS
    # The queue shows 500 done items, each settled with the id the ERP gave it.
    assert store.counts() == {"invoices": {"done": ITEMS}}
    items = store.list(limit=ITEMS)
    calls = []
    for item in items:
        [effect] = store.effects(item.id)
        assert effect.state == EffectState.DONE and effect.external_id == str(references[effect.key])
        assert item.refs == {"erp": effect.external_id}
        calls.append(effect.calls)
    # The faults and the kills really happened, and really put items in doubt.
    stats = erp.stats()
    assert all(stats.get(f"fault-{kind}", 0) > 0 for kind in ("error", "timeout", "slow", "drop")), stats
    assert stats["requests"] > ITEMS * 1.3
    assert stats.get("replays", 0) > 0  # a repeat with a key the ERP had already stored
    journal = [e.action for item in items for e in store.journal(item.id)]
    assert journal.count("lease-expired") >= 1 and journal.count("complete") == ITEMS
    assert max(calls) > 1  # an item whose earlier call was in doubt was handled again


LATE_ITEMS, LATE_KILLS = 200, 6


def test_lookup_alone_posts_each_invoice_once_despite_late_commits_and_kills(erp, tmp_path):
    rng = random.Random(2027)
    config = deployment(tmp_path, erp.url, idempotent=False)
    store = SQLiteStore(tmp_path / "work" / "queue.db")
    queue_items(store, rng, LATE_ITEMS, prefix="LC")
    before = erp.stats()  # the ERP serves this module's earlier test too
    erp.faults(0.3, ("error", "timeout", "slow", "drop"), slow_seconds=0.1, hang_seconds=0.5, seed=11)
    runner_log = tmp_path / "runner.log"

    def done() -> int:
        return store.counts().get("invoices", {}).get("done", 0)

    kills = 0
    for _ in range(LATE_KILLS):
        runner = start_runner(config, runner_log)
        try:
            started = erp.stats()["requests"]
            wait_until(lambda s=started: erp.stats()["requests"] > s, 60, "the runner to reach the ERP")
            time.sleep(rng.uniform(0.0, 1.5))
        finally:
            runner.send_signal(signal.SIGKILL)
            runner.wait(timeout=30)
            kills += 1
    runner = start_runner(config, runner_log)
    try:
        wait_until(lambda: done() == LATE_ITEMS, 300, f"{LATE_ITEMS} done items (log: {runner_log})")
    finally:
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(timeout=30) == 0
    stats = {name: count - before.get(name, 0) for name, count in erp.stats().items() if isinstance(count, int)}
    erp.faults()

    erp_db = sqlite3.connect(f"file:{erp.db}?mode=ro", uri=True)
    invoices, references = erp_db.execute(
        "SELECT count(*), count(DISTINCT reference) FROM invoices WHERE number LIKE 'LC-%'"
    ).fetchone()
    lost, duplicated = LATE_ITEMS - references, invoices - references
    print(
        f"late commits: {LATE_ITEMS} items, {kills} kills, {stats.get('fault-timeout', 0)} late commits, "
        f"{lost} lost, {duplicated} duplicated"
    )
    assert (lost, duplicated) == (0, 0)
    assert store.counts() == {"invoices": {"done": LATE_ITEMS}}
    assert stats.get("fault-timeout", 0) > 10 and stats.get("replays", 0) == 0  # no key: the lookup did it all
