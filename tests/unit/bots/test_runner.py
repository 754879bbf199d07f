from __future__ import annotations

import logging
import random

import pytest

from backoffice.bots import Interrupted, Runner
from backoffice.config import load_config
from backoffice.queue.base import NewItem, Status
from backoffice.queue.memory import MemoryStore
from tests.fakes import RecordingTarget, invoice


@pytest.fixture(autouse=True)
def _reset_recorder():
    RecordingTarget.posts = []
    RecordingTarget.lookups = []


def make_runner(deployment, targets: str, *, rules: bool = True, max_attempts: int = 3) -> tuple[Runner, MemoryStore]:
    path = deployment(
        f"""
        bots:
          - name: invoices
            source: {{kind: folder, path: inbox, create: true}}
            {"rules: rules/invoice.yaml" if rules else ""}
            targets: {targets}
            retry: {{max_attempts: {max_attempts}, backoff_seconds: 10, jitter: 0}}
        """
    )
    store = MemoryStore()
    return Runner(load_config(path), store, owner="test-runner", rng=random.Random(1)), store


def queue_document(store: MemoryStore, key: str = "doc-1", max_attempts: int = 3, **values):
    item, _ = store.enqueue(
        NewItem("invoices", key, payload={"file": f"{key}.pdf", "document": invoice(**values).to_dict()},
                max_attempts=max_attempts)  # fmt: skip
    )
    return item


RECORDING = '[{kind: "tests.fakes:RecordingTarget", name: erp}]'


def test_good_document_is_posted_and_done(deployment):
    runner, store = make_runner(deployment, RECORDING)
    item = queue_document(store)
    done = runner.process_next()
    assert done.status == Status.DONE
    assert done.refs == {"erp": f"erp-{item.id}"}
    assert done.payload["verdict"]["passed"] is True
    assert RecordingTarget.posts == [("erp", item.id)]
    assert runner.process_next() is None


def test_rule_failure_goes_to_exception_with_the_rules_message(deployment):
    runner, store = make_runner(deployment, RECORDING)
    queue_document(store, grand_total="120.00")
    item = runner.process_next()
    assert item.status == Status.EXCEPTION
    assert item.error_code == "rule:totals-add-up"
    assert item.reason == "net 100.00 + tax 19.00 does not equal the total 120.00"
    assert RecordingTarget.posts == []
    failed = [o for o in item.payload["verdict"]["outcomes"] if not o["ok"]]
    assert failed[0]["values"] == {"net_total": "100.00", "tax_total": "19.00", "grand_total": "120.00"}


def test_missing_required_field(deployment):
    runner, store = make_runner(deployment, RECORDING)
    queue_document(store, invoice_number=None)
    item = runner.process_next()
    assert (item.status, item.error_code, item.reason) == (Status.EXCEPTION, "rule:required:invoice_number", "invoice_number is missing")


def test_target_down_is_retried_with_backoff_then_done(deployment):
    runner, store = make_runner(deployment, '[{kind: "tests.fakes:RecordingTarget", name: erp, fail_with: target, fail_times: 1}]')
    queue_document(store)
    item = runner.process_next()
    assert item.status == Status.RETRYING and item.reason == "ERP answered 503"
    assert item.error_code == "target-unavailable"
    assert 9.0 < (item.not_before - item.updated_at).total_seconds() <= 10.5
    assert runner.process_next() is None  # not due yet
    store.clock = lambda: item.not_before.timestamp() + 1
    assert runner.process_next().status == Status.DONE


def test_retries_used_up_end_in_exception(deployment):
    runner, store = make_runner(deployment, '[{kind: "tests.fakes:RecordingTarget", fail_with: target, fail_times: 99}]')
    queue_document(store, max_attempts=2)
    first = runner.process_next()
    store.clock = lambda: first.not_before.timestamp() + 1
    final = runner.process_next()
    assert final.status == Status.EXCEPTION
    assert final.reason == "retries used up (2 attempts): ERP answered 503"


def test_unexpected_exception_is_retried_and_logged_with_traceback(deployment, caplog):
    runner, store = make_runner(deployment, '[{kind: "tests.fakes:RecordingTarget", fail_with: crash, fail_times: 1}]')
    queue_document(store)
    with caplog.at_level(logging.ERROR, logger="backoffice"):
        item = runner.process_next()
    assert item.status == Status.RETRYING
    assert (item.reason, item.error_code) == ("RuntimeError: boom", "unexpected")
    assert any(r.exc_info and "boom" in str(r.exc_info[1]) for r in caplog.records)


def test_business_error_from_a_target(deployment):
    runner, store = make_runner(deployment, '[{kind: "tests.fakes:RecordingTarget", fail_with: business, fail_times: 1}]')
    queue_document(store)
    item = runner.process_next()
    assert (item.status, item.error_code) == (Status.EXCEPTION, "erp-vendor")


def test_a_target_that_already_has_a_ref_is_not_posted_again(deployment):
    runner, store = make_runner(
        deployment,
        '[{kind: "tests.fakes:RecordingTarget", name: first}, '
        '{kind: "tests.fakes:RecordingTarget", name: second, fail_with: target, fail_times: 2}]',
    )
    item = queue_document(store)
    for _ in range(2):  # first posts once; second fails twice
        waiting = runner.process_next()
        assert waiting.status == Status.RETRYING and waiting.refs == {"first": f"first-{item.id}"}
        store.clock = lambda at=waiting.not_before: at.timestamp() + 1
    done = runner.process_next()
    assert done.status == Status.DONE
    assert RecordingTarget.posts == [("first", item.id), ("second", item.id)]


def test_resumes_after_partial_posting(deployment):
    runner, store = make_runner(
        deployment, '[{kind: "tests.fakes:RecordingTarget", name: first}, {kind: "tests.fakes:RecordingTarget", name: second}]'
    )
    item = queue_document(store)
    [claimed] = store.claim("test-runner")
    store.update(claimed.id, "test-runner", refs={"first": "posted-before-crash"})
    store.release(claimed.id, "test-runner")
    done = runner.process_next()
    assert done.refs == {"first": "posted-before-crash", "second": f"second-{item.id}"}
    assert RecordingTarget.posts == [("second", item.id)]


def test_invalid_rule_file_sends_items_to_exception_with_the_error(deployment, tmp_path):
    runner_path = deployment(
        """
        bots:
          - name: invoices
            source: {kind: folder, path: inbox, create: true}
            rules: rules/broken.yaml
        """
    )
    (tmp_path / "rules" / "broken.yaml").write_text("kind: invoice\nrules:\n  - id: x\n    check: totl > 0\n    message: m\n")
    store = MemoryStore()
    runner = Runner(load_config(runner_path), store, owner="r")
    queue_document(store)
    item = runner.process_next()
    assert item.status == Status.EXCEPTION and item.error_code == "rules-invalid"
    assert "broken.yaml:4:12: rules[0].check: unknown field 'totl'" in item.reason


def test_interrupted_item_is_released(deployment, monkeypatch):
    runner, store = make_runner(deployment, RECORDING)
    item = queue_document(store)

    def interrupt(*args):
        raise Interrupted()

    monkeypatch.setattr(RecordingTarget, "post", interrupt)
    with pytest.raises(Interrupted):
        runner.process_next()
    released = store.get(item.id)
    assert released.status == Status.PENDING and released.attempts == 0


def test_stop_request_stops_claiming(deployment):
    runner, store = make_runner(deployment, RECORDING)
    for n in range(3):
        queue_document(store, key=f"d{n}")
    seen = []

    def after_first(item):
        seen.append(item.id)
        runner.request_stop()

    summary = runner.run_once(on_item=after_first)
    assert len(seen) == 1 and summary.outcomes == {"done": 1}
    assert store.counts()["invoices"] == {"done": 1, "pending": 2}


def test_the_service_loop_survives_a_queue_failure(deployment, monkeypatch, caplog):
    import sqlite3

    from backoffice.bots.service import Service

    runner, store = make_runner(deployment, RECORDING)
    runner.config.runner.__dict__["poll_seconds"] = 0.01  # frozen model; fast retries for the test
    queue_document(store)
    real_claim, calls = store.claim, []

    def flaky_claim(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise sqlite3.OperationalError("database is locked")
        return real_claim(*args, **kwargs)

    def stop_when_done(item):
        runner.request_stop()

    monkeypatch.setattr(store, "claim", flaky_claim)
    with caplog.at_level(logging.ERROR, logger="backoffice"):
        summary = Service(runner).serve(on_item=stop_when_done)  # the loop `backoffice run` runs
    assert summary.outcomes == {"done": 1}
    assert any("cannot claim from the queue" in r.getMessage() for r in caplog.records)


def test_run_once_waits_for_a_paused_target_while_items_are_due(deployment):
    import time

    runner, store = make_runner(deployment, RECORDING)
    for n in range(3):
        queue_document(store, key=f"d{n}", invoice_number=f"INV-{n}")
    target = runner.bots["invoices"].targets[0]
    until = time.monotonic() + 0.3  # its circuit opened a moment ago
    target.paused_until = lambda: until if time.monotonic() < until else None
    summary = runner.run_once()
    assert summary.outcomes == {"done": 3} and store.counts()["invoices"] == {"done": 3}


def test_run_once_ends_on_a_queue_failure(deployment, monkeypatch):
    import sqlite3

    runner, store = make_runner(deployment, RECORDING)
    queue_document(store)

    def locked(*args, **kwargs):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(store, "claim", locked)
    with pytest.raises(sqlite3.OperationalError):  # `run --once` says so and exits, it does not wait
        runner.run_once()


def test_run_once_rolls_its_log_over_as_configured(deployment):
    path = deployment("""
        workspace: work
        runner: {log_max_mb: 0.002, log_backups: 2}
        bots:
          - name: invoices
            source: {kind: folder, path: inbox, create: true}
            targets: [{kind: "tests.fakes:RecordingTarget", name: erp}]
    """)
    store = MemoryStore()
    runner = Runner(load_config(path), store, owner="test-runner", rng=random.Random(1))
    for n in range(40):
        queue_document(store, key=f"d{n}", invoice_number=f"INV-{n}")
    summary = runner.run_once()
    assert summary.outcomes == {"done": 40}
    log = runner.config.workspace_path / "logs" / f"run-{summary.run_id}.jsonl"
    parts = sorted(p.name for p in log.parent.glob(f"{log.name}*"))
    assert parts == [log.name, f"{log.name}.1", f"{log.name}.2"]  # rolled at 2 kB, two backups kept
    assert all(p.stat().st_size < 4_000 for p in log.parent.glob(f"{log.name}*"))


def test_run_once_does_not_wait_for_a_paused_target_with_nothing_due(deployment):
    import time

    runner, store = make_runner(deployment, RECORDING)
    target = runner.bots["invoices"].targets[0]
    target.paused_until = lambda: time.monotonic() + 3600  # paused for an hour, and no work
    assert runner.run_once().outcomes == {}
