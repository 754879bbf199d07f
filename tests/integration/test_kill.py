"""A runner killed with SIGKILL mid-item (its worker processes with it): after restart every
document is processed once."""

from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlite_utils

from backoffice.queue.sqlite import SQLiteStore
from tests.conftest import ROOT

pytestmark = pytest.mark.integration


def start_runner(config: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "backoffice", "-c", str(config), "run"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def wait_for_lines(path: Path, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text().split()) >= count:
            return
        time.sleep(0.01)
    raise AssertionError(f"{path} never reached {count} lines")


def kill_inside_target_calls(config: Path, started: Path, kills: int, seed: int = 5) -> None:
    """Start a runner ``kills`` times and SIGKILL it while it (or one of its workers) is inside
    a slow target call (``started`` gets a line as each call begins), at a random moment of it."""
    rng = random.Random(seed)
    for _kill in range(kills):
        seen = len(started.read_text().split()) if started.exists() else 0
        runner = start_runner(config)
        try:
            wait_for_lines(started, seen + 1)
            time.sleep(rng.uniform(0, 0.5))  # inside the 1 s target call, whatever the load
        finally:
            runner.send_signal(signal.SIGKILL)
            runner.wait(timeout=30)
    time.sleep(1.2)  # the dead runners' leases (1 s) expire


def run_until_finished(config: Path, store: SQLiteStore, bot: str, total: int, timeout: float = 120) -> None:
    """Run one runner until ``total`` items of ``bot`` are done or in the exception queue, then
    stop it with SIGTERM, which it must obey cleanly."""
    runner = start_runner(config)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            counts = store.counts().get(bot, {})
            if counts.get("done", 0) + counts.get("exception", 0) == total:
                break
            time.sleep(0.2)
    finally:
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(timeout=30) == 0


@pytest.mark.parametrize("workers", [0, 2], ids=["in-the-runner", "two-workers"])
def test_sigkill_mid_item_then_restart_processes_each_document_once(tmp_path, workers):
    from backoffice.demo.invoices import generate

    slow_log = tmp_path / "slow.log"
    config = tmp_path / "bots.yaml"
    config.write_text(textwrap.dedent(f"""
        workspace: work
        runner: {{lease_seconds: 1, poll_seconds: 0.2, workers: {workers}}}
        bots:
          - name: invoices
            source: {{kind: folder, path: inbox, create: true, settle_seconds: 0}}
            rules: {ROOT / "rules" / "invoice.yaml"}
            targets:
              - {{kind: sql, url: "sqlite:///out/ledger.db", table: invoices}}
              - {{kind: "tests.fakes:SlowTarget", seconds: 1.0, log: "{slow_log}"}}
              - {{kind: files, path: out/invoices.csv}}
            retry: {{max_attempts: 10, backoff_seconds: 0.1, max_backoff_seconds: 0.5}}
    """))  # fmt: skip
    generated = generate(tmp_path / "work" / "inbox", count=10, seed=11)
    good = {g.path.name for g in generated if not g.mistake}
    kill_inside_target_calls(config, slow_log.with_suffix(".started"), kills=4)
    store = SQLiteStore(tmp_path / "work" / "queue.db")
    run_until_finished(config, store, "invoices", len(generated))

    items = store.list(limit=100)
    assert {i.payload["file"] for i in items if i.status == "done"} == good
    assert {i.payload["file"] for i in items if i.status == "exception"} == {g.path.name for g in generated} - good
    completes = [e for i in items for e in store.journal(i.id) if e.action == "complete"]
    assert len(completes) == len(good)  # each item completed exactly once
    assert any(e.action == "lease-expired" for i in items for e in store.journal(i.id)), "no kill landed mid-item"

    ledger = sqlite_utils.Database(tmp_path / "work" / "out" / "ledger.db")
    assert sorted(r["source"] for r in ledger["invoices"].rows) == sorted(good)
    with open(tmp_path / "work" / "out" / "invoices.csv", newline="") as handle:
        assert sorted(r["source"] for r in csv.DictReader(handle)) == sorted(good)
    assert sorted(p.name for p in (tmp_path / "work" / "inbox" / "processed").iterdir()) == sorted(
        g.path.name for g in generated
    )
    logs = list((tmp_path / "work" / "logs").glob("run-*.jsonl"))
    assert len(logs) == 5  # one per runner process, each line whole JSON with its run id
    for log in logs:
        assert all(json.loads(line)["run"] == log.stem.removeprefix("run-") for line in log.read_text().splitlines())
