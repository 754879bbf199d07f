"""A Python bot's runner killed with SIGKILL inside ``item.post`` (its worker processes with it):
after a restart every document is posted once, through the effect ledger (as test_kill shows
for the declarative bots)."""

from __future__ import annotations

import random
import signal
import textwrap
import time

import pytest

from backoffice.queue.sqlite import SQLiteStore
from tests.integration.test_kill import start_runner, wait_for_lines

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("workers", [0, 2], ids=["in-the-runner", "two-workers"])
def test_sigkill_inside_a_handlers_post_then_restart_posts_each_document_once(tmp_path, workers):
    from backoffice.demo.invoices import generate

    slow_log = tmp_path / "slow.log"
    config = tmp_path / "bots.yaml"
    config.write_text(textwrap.dedent(f"""
        workspace: work
        runner: {{lease_seconds: 1, poll_seconds: 0.2, workers: {workers}}}
        bots:
          - name: poster
            kind: python
            handler: tests.python_bots:post_document
            settings: {{target: slow}}
            source: {{kind: folder, path: inbox, create: true, settle_seconds: 0}}
            targets:
              - {{kind: "tests.fakes:SlowTarget", name: slow, seconds: 1.0, log: "{slow_log}"}}
            retry: {{max_attempts: 10, backoff_seconds: 0.1, max_backoff_seconds: 0.5}}
    """))  # fmt: skip
    generated = generate(tmp_path / "work" / "inbox", count=6, seed=11)
    started = slow_log.with_suffix(".started")

    rng = random.Random(5)
    for _kill in range(3):
        seen = len(started.read_text().split()) if started.exists() else 0
        runner = start_runner(config)
        try:
            wait_for_lines(started, seen + 1)  # inside a target call of the handler's item.post
            time.sleep(rng.uniform(0, 0.5))
        finally:
            runner.send_signal(signal.SIGKILL)
            runner.wait(timeout=30)

    time.sleep(1.2)  # the dead runners' leases expire
    runner = start_runner(config)
    store = SQLiteStore(tmp_path / "work" / "queue.db")
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            counts = store.counts().get("poster", {})
            if counts.get("done", 0) + counts.get("exception", 0) == len(generated):
                break
            time.sleep(0.2)
    finally:
        runner.send_signal(signal.SIGTERM)
        assert runner.wait(timeout=30) == 0

    items = store.list(limit=100)
    done = [i for i in items if i.status == "done"]
    assert len(done) == len(generated)  # no rule file: every invoice is posted
    posted = slow_log.read_text().split()
    assert sorted(posted) == sorted(str(i.id) for i in done)  # each one once, none twice
    assert all(i.refs == {"slow": f"slow-{i.id}"} for i in done)
    assert all(i.payload["posted"]["slow"]["kind"] == "invoice" for i in done)
    assert all([e.state.value for e in store.effects(i.id)] == ["done"] for i in done)
    assert any(e.action == "lease-expired" for i in items for e in store.journal(i.id)), "no kill landed mid-item"
    completes = [e for i in items for e in store.journal(i.id) if e.action == "complete"]
    assert len(completes) == len(done)
    store.close()
