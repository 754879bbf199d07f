"""A Python bot's runner killed with SIGKILL inside ``item.post`` (its worker processes with it):
after a restart every document is posted once, through the effect ledger (as test_kill shows
for the declarative bots)."""

from __future__ import annotations

import textwrap

import pytest

from backoffice.queue.sqlite import SQLiteStore
from tests.integration.test_kill import kill_inside_target_calls, run_until_finished

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
    kill_inside_target_calls(config, slow_log.with_suffix(".started"), kills=3)  # inside the handler's item.post
    store = SQLiteStore(tmp_path / "work" / "queue.db")
    run_until_finished(config, store, "poster", len(generated))

    items = store.list(limit=100)
    done = [i for i in items if i.status == "done"]
    assert len(done) == len(generated)  # no rule file: every invoice is posted
    posted = slow_log.read_text().split()
    assert sorted(posted) == sorted(str(i.id) for i in done)  # each one once, none twice
    assert all(i.refs == {"slow": f"slow-{i.id}"} for i in done)
    assert all("posted" not in i.payload and i.payload["document"]["kind"] == "invoice" for i in done)  # as read
    assert all([e.state.value for e in store.effects(i.id)] == ["done"] for i in done)
    assert any(e.action == "lease-expired" for i in items for e in store.journal(i.id)), "no kill landed mid-item"
    completes = [e for i in items for e in store.journal(i.id) if e.action == "complete"]
    assert len(completes) == len(done)
    store.close()
