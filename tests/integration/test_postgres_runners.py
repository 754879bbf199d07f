"""Runner processes on one PostgreSQL queue: SIGTERM's deadline releases a slow item; one leader
at a time, and a new one within the lease time when the leader is killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid

import pytest

from backoffice.bots.status import status_report
from backoffice.config import load_config
from backoffice.demo.invoices import generate
from backoffice.queue.postgres import PostgresStore
from tests import pgdb
from tests.conftest import ROOT
from tests.integration.test_kill import wait_for_lines

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def database():
    if not pgdb.available():
        pytest.fail("PostgreSQL is not listening on 127.0.0.1:5432")
    with pgdb.scratch_database() as url:
        yield url


@pytest.fixture
def deployment(tmp_path, database):
    slow_log = tmp_path / "slow.log"
    schema = f"r_{uuid.uuid4().hex[:8]}"
    config = tmp_path / "bots.yaml"
    config.write_text(textwrap.dedent(f"""
        workspace: work
        queue: "{database}?schema={schema}"
        runner: {{poll_seconds: 0.2, leader_lease_seconds: 1.5, shutdown_seconds: 0.5}}
        bots:
          - name: invoices
            schedule: every 1s
            source: {{kind: folder, path: inbox, create: true, settle_seconds: 0}}
            targets: [{{kind: "tests.fakes:SlowTarget", seconds: 4, log: "{slow_log}"}}]
    """))  # fmt: skip
    return config, slow_log, schema


def start(config) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen([sys.executable, "-m", "backoffice", "-c", str(config), "run"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip


def wait_until(condition, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError("condition not met in time")


def test_sigterm_releases_an_item_that_overruns_the_shutdown_deadline(deployment, database):
    config, slow_log, schema = deployment
    generate(config.parent / "work" / "inbox", count=2, seed=3)
    runner = start(config)
    try:
        wait_for_lines(slow_log.with_suffix(".started"), 1)
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(timeout=30) == 130  # the 4 s post overran the 0.5 s deadline
    finally:
        if runner.poll() is None:
            runner.kill()
            runner.wait()
    store = PostgresStore(database, schema=schema)
    assert store.counts()["invoices"] == {"pending": 2}
    claimed = [i for i in store.list() if any(e.action == "claim" for e in store.journal(i.id))]
    assert claimed  # the slow one, and any item the runner had claimed ahead for its workers
    assert all(store.journal(i.id)[-1].action == "release" and i.attempts == 0 for i in claimed)
    report = status_report(load_config(config), store)
    assert report["leader"] is None and [r["state"] for r in report["runners"]] == ["gone"]
    store.close()


def test_one_leader_and_a_takeover_within_the_lease_when_it_is_killed(deployment, database):
    config, _, schema = deployment
    cfg = load_config(config)
    store = PostgresStore(database, schema=schema)
    runners = [start(config), start(config)]
    try:
        first = wait_until(lambda: (status_report(cfg, store)["leader"] or {}).get("runner"))
        report = wait_until(lambda: (r := status_report(cfg, store)) and len(
            [x for x in r["runners"] if x["state"] == "running"]) == 2 and r)  # fmt: skip
        pids = {r["name"]: r["pid"] for r in report["runners"]}
        leader_process = next(p for p in runners if p.pid == pids[first])
        leader_process.send_signal(signal.SIGKILL)
        leader_process.wait(timeout=10)
        second = wait_until(lambda: (l := status_report(cfg, store)["leader"]) and l["runner"] != first
                            and l["runner"], seconds=15)  # fmt: skip
        assert second != first
        # the new leader fires the schedule
        run = wait_until(lambda: (b := status_report(cfg, store)["bots"][0]["last_run"]) and b["runner"] == second
                         and b, seconds=15)  # fmt: skip
        assert run["outcome"] in ("ok", "running (or its runner died)")
    finally:
        for proc in runners:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in runners:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        store.close()
