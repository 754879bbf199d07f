"""Extraction in worker processes: the same outcome as in the runner, broken files to the
exception queue with their own name, unstarted items released on shutdown."""

from __future__ import annotations

import random

import pytest

from backoffice.bots import Runner
from backoffice.bots.workers import ExtractionWorkers
from backoffice.config import load_config
from backoffice.demo.invoices import generate
from backoffice.queue.base import Status
from backoffice.queue.memory import MemoryStore
from tests.fakes import RecordingTarget


@pytest.fixture(autouse=True)
def _reset_recorder():
    RecordingTarget.posts = []


@pytest.fixture
def setup(deployment, tmp_path):
    path = deployment("""
        workspace: work
        bots:
          - name: invoices
            source: {kind: folder, path: inbox, create: true, settle_seconds: 0}
            targets: [{kind: "tests.fakes:RecordingTarget", name: erp}]
    """)
    config = load_config(path)
    generate(config.workspace_path / "inbox", count=4, seed=5)
    (config.workspace_path / "inbox" / "broken.pdf").write_bytes(b"%PDF-1.4 this is not a pdf")
    store = MemoryStore()
    runner = Runner(config, store, owner="r1", rng=random.Random(1))
    assert runner.collect() == 5
    yield runner, store
    runner.close()


def test_workers_read_documents_like_the_runner_would(setup):
    runner, store = setup
    workers = ExtractionWorkers(runner, 2)
    try:
        handled = []
        while batch := workers.process_batch():
            handled += batch
    finally:
        workers.close()
    assert len(handled) == 5
    counts = store.counts()["invoices"]
    assert counts == {"done": 4, "exception": 1}
    [broken] = store.list(status=Status.EXCEPTION)
    assert "broken.pdf" in broken.reason
    done = store.list(status=Status.DONE)
    assert all(item.payload["document"]["source"] == item.payload.get("file", item.files[0].name) for item in done)
    assert len(RecordingTarget.posts) == 4
    # the same fields as reading in the runner itself
    from backoffice.documents import extract

    item = done[0]
    expected = extract(runner.bots["invoices"].context.files.path(item.files[0]), kind="invoice")
    got = item.payload["document"]["fields"]
    assert {k: v["value"] for k, v in got.items()} == {k: f.to_dict()["value"] for k, f in expected.fields.items()}


def test_items_not_started_are_released_when_the_runner_stops(setup):
    runner, store = setup
    workers = ExtractionWorkers(runner, 2)
    original = runner.handle

    def handle_then_stop(item, document=None):
        runner.request_stop()
        return original(item, document)

    runner.handle = handle_then_stop
    try:
        handled = workers.process_batch()
    finally:
        workers.close()
    assert [i.status for i in handled][-1] == Status.DONE  # the item being handled when asked to stop
    counts = store.counts()["invoices"]
    assert counts.get("processing", 0) == 0 and counts["pending"] == 5 - len(handled)
    released = [i for i in store.list(status=Status.PENDING) if store.journal(i.id)[-1].action == "release"]
    assert len(released) == 4 - len(handled) and all(i.attempts == 0 for i in released)


def test_a_bot_with_templates_reads_its_documents_in_the_runner(setup, monkeypatch):
    from backoffice.bots import stages

    runner, store = setup
    runner.bots["invoices"].templates = ["a template"]  # the workers read without templates
    real, seen = stages.documents.extract, []

    def extract(path, kind="auto", templates=None, **options):
        seen.append(templates)
        return real(path, kind=kind, **options)

    monkeypatch.setattr(stages.documents, "extract", extract)
    workers = ExtractionWorkers(runner, 2)
    try:
        while workers.process_batch():
            pass
        assert workers._pool is None  # no worker process was needed
    finally:
        workers.close()
    assert seen == [["a template"]] * 5
    assert store.counts()["invoices"] == {"done": 4, "exception": 1}


def test_items_claimed_ahead_stay_claimed_between_batches_and_close_releases_them(setup):
    runner, store = setup
    workers = ExtractionWorkers(runner, 2)
    try:
        first = workers.process_batch(limit=1)
        assert len(first) == 1 and first[0].status != Status.PROCESSING
        assert store.counts()["invoices"]["processing"] == 3  # two per worker claimed, one handled
    finally:
        workers.close()
    counts = store.counts()["invoices"]
    assert counts.get("processing", 0) == 0 and counts["pending"] == 4
    assert all(i.attempts == 0 for i in store.list(status=Status.PENDING))


def _killing_extract(real):
    """extract(), except that a file saying KILLER kills the process reading it (as the kernel's
    OOM killer, or a parser's abort at the memory cap, would)."""
    import os
    import signal
    from pathlib import Path

    def extract(path, kind="auto", **options):
        if b"KILLER" in Path(path).read_bytes()[:64]:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(path, kind=kind, **options)

    return extract


def test_an_item_that_kills_its_worker_twice_goes_to_the_exception_queue_and_holds_up_nothing(
        deployment, monkeypatch):  # fmt: skip
    import importlib

    from backoffice.bots import stages

    extract_module = importlib.import_module("backoffice.documents.extract")  # the package shadows the name

    killing = _killing_extract(extract_module.extract)
    monkeypatch.setattr(extract_module, "extract", killing)  # what the forked workers call
    monkeypatch.setattr(stages.documents, "extract", killing)  # what the runner calls
    path = deployment("""
        workspace: work
        bots:
          - name: invoices
            source: {kind: folder, path: inbox, create: true, settle_seconds: 0}
            targets: [{kind: "tests.fakes:RecordingTarget", name: erp}]
            retry: {backoff_seconds: 0.01, max_backoff_seconds: 0.01}
    """)
    config = load_config(path)
    inbox = config.workspace_path / "inbox"
    generate(inbox, count=4, seed=5)
    (inbox / "bomb.pdf").write_bytes(b"%PDF-1.4 KILLER")
    store = MemoryStore()
    runner = Runner(config, store, owner="r1", rng=random.Random(1))
    assert runner.collect() == 5
    workers = ExtractionWorkers(runner, 2, timeout=600)  # a death must be seen at once, not at the timeout
    try:
        outcomes = []
        while batch := workers.process_batch():
            outcomes += [(i.payload.get("file"), i.status) for i in batch]
    finally:
        workers.close()
        runner.close()
    assert store.counts()["invoices"] == {"done": 4, "exception": 1}
    assert len(RecordingTarget.posts) == 4
    assert ("bomb.pdf", Status.RETRYING) in outcomes  # the first death: retried
    [bomb] = store.list(status=Status.EXCEPTION)
    assert bomb.reason.startswith("worker killed reading bomb.pdf: ") and "memory limit" in bomb.reason
    assert "before: worker killed reading bomb.pdf" in bomb.reason and bomb.error_code == "reader-killed"


def test_a_runner_that_died_while_reading_is_followed_by_a_reading_in_a_process_of_its_own(setup, monkeypatch):
    import importlib

    from backoffice.bots import reading, stages

    runner, store = setup
    real = stages.documents.extract

    def dies(path, kind="auto", **options):  # the runner is gone mid-read (nothing catches this)
        raise KeyboardInterrupt

    monkeypatch.setattr(stages.documents, "extract", dies)
    [item] = store.claim("r1", bots=["invoices"], lease=60)
    with pytest.raises(KeyboardInterrupt):
        runner.handle(item)
    marked = store.get(item.id)
    assert marked.payload[reading.READING]["by"] == "r1"  # left behind by the dead runner
    store.release(item.id, "r1", why="lease expired")  # what the lease's expiry does

    extract_module = importlib.import_module("backoffice.documents.extract")
    monkeypatch.setattr(stages.documents, "extract", _killing_extract(real))
    name = marked.payload.get("file") or marked.files[0].name
    path = runner.bots["invoices"].context.files.path(marked.files[0])
    path.chmod(0o644)
    path.write_bytes(b"%PDF-1.4 KILLER")  # reading it kills whoever reads it
    assert extract_module  # (the isolated reader forks from here and calls stages.documents.extract)
    [again] = store.claim("r1", bots=["invoices"], lease=60)
    assert again.id == item.id
    done = runner.handle(again)
    assert done.status == Status.EXCEPTION and done.error_code == "reader-killed"
    assert done.reason.startswith(f"worker killed reading {name}: SIGKILL")
    assert "before: runner r1 stopped while reading it" in done.reason
    assert store.counts()["invoices"]["pending"] == 4  # nothing else was touched


def test_a_marked_item_that_reads_fine_in_its_own_process_is_done_and_unmarked(setup):
    from backoffice.bots import reading

    runner, store = setup
    for item in store.claim("r1", bots=["invoices"], lease=60, limit=5):
        if "broken" in (item.payload.get("file") or ""):
            store.release(item.id, "r1", why="not this one")
            continue
        item = store.update(item.id, "r1", payload={**item.payload, reading.READING: {"by": "r0"}})
        done = runner.handle(item)
        assert done.status == Status.DONE and reading.READING not in done.payload


def test_a_worker_past_the_time_limit_on_one_item_is_stopped_and_the_others_are_read(deployment, monkeypatch):
    import importlib
    import time
    from pathlib import Path

    extract_module = importlib.import_module("backoffice.documents.extract")
    real = extract_module.extract

    def slow(path, kind="auto", **options):
        if b"SLOW" in Path(path).read_bytes()[:64]:
            time.sleep(120)
        return real(path, kind=kind, **options)

    monkeypatch.setattr(extract_module, "extract", slow)  # what the forked workers call
    path = deployment("""
        workspace: work
        bots:
          - name: invoices
            source: {kind: folder, path: inbox, create: true, settle_seconds: 0}
            targets: [{kind: "tests.fakes:RecordingTarget", name: erp}]
    """)
    config = load_config(path)
    inbox = config.workspace_path / "inbox"
    generate(inbox, count=3, seed=5)
    (inbox / "endless.pdf").write_bytes(b"%PDF-1.4 SLOW")
    store = MemoryStore()
    runner = Runner(config, store, owner="r1", rng=random.Random(1))
    assert runner.collect() == 4
    workers = ExtractionWorkers(runner, 2, timeout=1)
    try:
        while workers.process_batch():
            pass
    finally:
        workers.close()
        runner.close()
    assert store.counts()["invoices"] == {"done": 3, "exception": 1}
    [slow_item] = store.list(status=Status.EXCEPTION)
    assert slow_item.reason == "endless.pdf: reading took longer than 1 s (the worker was stopped)"
