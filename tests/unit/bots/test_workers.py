"""Extraction in worker processes: the same outcome as in the runner, broken files to the
exception queue with their own name, unstarted items released on shutdown."""

from __future__ import annotations

import csv
import random

import pytest

from backoffice import processes
from backoffice.bots import Runner
from backoffice.bots.workers import ItemWorkers
from backoffice.config import load_config
from backoffice.demo.invoices import generate
from backoffice.queue import open_store
from backoffice.queue.base import EffectState, Status
from tests.conftest import CORPUS

TARGETS = "targets: [{kind: files, path: out/posted.csv}]"


def posted(config) -> list[str]:
    """The sources of the rows the workers wrote to the files target."""
    path = config.workspace_path / "out" / "posted.csv"
    if not path.exists():
        return []
    with path.open(newline="") as handle:
        return [row["source"] for row in csv.DictReader(handle)]


def deploy(deployment, extra: str = ""):
    config = load_config(deployment(f"""
        workspace: work
        bots:
          - name: invoices
            source: {{kind: folder, path: inbox, create: true, settle_seconds: 0}}
            {TARGETS}
            {extra}
    """))  # fmt: skip
    store = open_store(config.queue_url)  # the workers open the same queue
    return config, store


@pytest.fixture
def setup(deployment):
    config, store = deploy(deployment)
    generate(config.workspace_path / "inbox", count=4, seed=5)
    (config.workspace_path / "inbox" / "broken.pdf").write_bytes(b"%PDF-1.4 this is not a pdf")
    runner = Runner(config, store, owner="r1", rng=random.Random(1))
    assert runner.collect() == 5
    yield runner, store
    runner.close()
    store.close()


def drain(workers: ItemWorkers) -> list:
    handled = []
    workers.start(wait=True)  # else the runner handles the first items itself while they start
    try:
        while batch := workers.process_batch():
            handled += batch
    finally:
        workers.close()
    return handled


def test_workers_handle_items_like_the_runner_would(setup):
    runner, store = setup
    handled = drain(ItemWorkers(runner, 2))
    assert len(handled) == 5
    counts = store.counts()["invoices"]
    assert counts == {"done": 4, "exception": 1}
    [broken] = store.list(status=Status.EXCEPTION)
    assert "broken.pdf" in broken.reason
    done = store.list(status=Status.DONE)
    assert all(item.payload["document"]["source"] == item.payload.get("file", item.files[0].name) for item in done)
    assert sorted(posted(runner.config)) == sorted(item.payload["file"] for item in done)  # posted once each
    for item in done:  # through the effect ledger, by the runner's lease owner
        [effect] = store.effects(item.id)
        assert effect.state == EffectState.DONE and item.refs == {effect.target: effect.external_id}
        assert [e.actor for e in store.journal(item.id) if e.action == "complete"] == ["r1"]
    # the same fields as reading in the runner itself
    from backoffice.documents import extract

    item = done[0]
    expected = extract(runner.bots["invoices"].context.files.path(item.files[0]), kind="invoice")
    got = item.payload["document"]["fields"]
    assert {k: v["value"] for k, v in got.items()} == {k: f.to_dict()["value"] for k, f in expected.fields.items()}


def test_the_workers_log_to_the_run_log_and_report_their_stages(setup):
    from backoffice.observer import Observer

    runner, store = setup
    seen = []

    class Watching(Observer):
        def stage(self, bot, stage, seconds):
            seen.append(stage)

        def item(self, bot, status, code, seconds):
            seen.append(status.value)

    runner.observer = Watching()
    runner.config.runner.__dict__["workers"] = 2  # frozen model; run --once with two workers
    runner.workers = ItemWorkers(runner, 2)
    runner.workers.start(wait=True)
    summary = runner.run_once()
    assert summary.outcomes == {"done": 4, "exception": 1}
    assert seen.count("done") == 4 and seen.count("exception") == 1
    assert seen.count("extract") == 4 and seen.count("rules") == 4 and seen.count("post") == 4
    import json

    lines = [json.loads(line) for line in open(summary.log_path)]
    posts = [line for line in lines if line.get("action") == "post"]
    assert len(posts) == 4 and all(line["run"] == summary.run_id and line["item"] for line in posts)


def test_items_not_started_are_released_when_the_runner_stops(setup):
    runner, store = setup
    workers = ItemWorkers(runner, 2)
    workers.start(wait=True)
    try:
        first = workers.process_batch(limit=1)
        runner.request_stop()
        rest = workers.process_batch()  # those being handled are finished, the others released
    finally:
        workers.close()
    handled = first + rest
    assert handled and all(i.status in (Status.DONE, Status.EXCEPTION) for i in handled)
    counts = store.counts()["invoices"]
    assert counts.get("processing", 0) == 0 and counts["pending"] == 5 - len(handled)
    released = store.list(status=Status.PENDING)
    assert all(store.journal(i.id)[-1].action == "release" and i.attempts == 0 for i in released)


@pytest.mark.skipif(not CORPUS.exists(), reason="../shared/corpus is not beside the project")
def test_a_bot_with_templates_reads_its_documents_with_them_in_the_workers(deployment):
    import os
    import shutil
    import time

    config, store = deploy(deployment, f"templates: {CORPUS / 'invoice2data' / 'templates'}")
    inbox = config.workspace_path / "inbox"
    inbox.mkdir(parents=True, exist_ok=True)
    shutil.copy(CORPUS / "invoice2data" / "compare" / "QualityHosting.pdf", inbox)
    os.utime(inbox / "QualityHosting.pdf", (time.time() - 10,) * 2)
    runner = Runner(config, store, owner="r1", rng=random.Random(1))
    assert runner.collect() == 1
    try:
        [item] = drain(ItemWorkers(runner, 2))
    finally:
        runner.close()
    document = item.payload["document"]
    assert item.status == Status.DONE and document["method"] == "template:de.qualityhosting"


def test_items_claimed_ahead_stay_claimed_between_batches_and_close_releases_them(setup):
    runner, store = setup
    workers = ItemWorkers(runner, 2)
    workers.start(wait=True)
    try:
        first = workers.process_batch(limit=1)
        assert len(first) == 1 and first[0].status != Status.PROCESSING
        assert store.counts()["invoices"]["processing"] == 4  # two per worker in flight
    finally:
        workers.close()
    # Closing releases the items claimed ahead that no worker has started; one a worker is
    # already handling (read, now posting) is finished, never cut off: at most one per worker.
    counts = store.counts()["invoices"]
    finished_while_closing = counts.get("done", 0) + counts.get("exception", 0) - len(first)
    assert counts.get("processing", 0) == 0 and counts["pending"] + finished_while_closing == 4
    assert counts["pending"] >= 2
    assert all(i.attempts == 0 for i in store.list(status=Status.PENDING))


def kill_readers_of_killer_files() -> None:
    """In a worker (processes.WORKER_SETUP): a file saying KILLER kills the process reading it
    (as the kernel's OOM killer, or a parser's abort at the memory cap, would)."""
    import os
    import signal
    from pathlib import Path

    from backoffice import documents

    real = documents.extract

    def extract(path, kind="auto", **options):
        if b"KILLER" in Path(path).read_bytes()[:64]:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(path, kind=kind, **options)

    documents.extract = extract


def stall_on_slow_files() -> None:
    """In a worker: a file saying SLOW takes two minutes to read."""
    import time
    from pathlib import Path

    from backoffice import documents

    real = documents.extract

    def extract(path, kind="auto", **options):
        if b"SLOW" in Path(path).read_bytes()[:64]:
            time.sleep(120)
        return real(path, kind=kind, **options)

    documents.extract = extract


def test_an_item_that_kills_its_worker_twice_goes_to_the_exception_queue_and_holds_up_nothing(
        deployment, monkeypatch):  # fmt: skip
    monkeypatch.setattr(processes, "WORKER_SETUP", [f"{__name__}:kill_readers_of_killer_files"])
    config, store = deploy(deployment, "retry: {backoff_seconds: 0.01, max_backoff_seconds: 0.01}")
    inbox = config.workspace_path / "inbox"
    generate(inbox, count=4, seed=5)
    (inbox / "bomb.pdf").write_bytes(b"%PDF-1.4 KILLER")
    runner = Runner(config, store, owner="r1", rng=random.Random(1))
    assert runner.collect() == 5
    workers = ItemWorkers(runner, 2, timeout=600)  # a death must be seen at once, not at the timeout
    try:
        outcomes = [(i.payload.get("file"), i.status) for i in drain(workers)]
    finally:
        runner.close()
    assert store.counts()["invoices"] == {"done": 4, "exception": 1}
    assert len(posted(config)) == 4
    assert ("bomb.pdf", Status.RETRYING) in outcomes  # the first death: retried
    [bomb] = store.list(status=Status.EXCEPTION)
    assert bomb.reason.startswith("worker killed reading bomb.pdf: ") and "memory limit" in bomb.reason
    assert "before: worker killed reading bomb.pdf: SIGKILL" in bomb.reason and bomb.error_code == "reader-killed"


def test_a_runner_that_died_while_reading_is_followed_by_a_reading_in_a_process_of_its_own(setup, monkeypatch):
    from backoffice.bots import reading, stages

    runner, store = setup

    def dies(path, kind="auto", **options):  # the runner is gone mid-read (nothing catches this)
        raise KeyboardInterrupt

    monkeypatch.setattr(stages.documents, "extract", dies)
    [item] = store.claim("r1", bots=["invoices"], lease=60)
    with pytest.raises(KeyboardInterrupt):
        runner.handle(item)
    marked = store.get(item.id)
    assert marked.payload[reading.READING]["by"] == "r1"  # left behind by the dead runner
    store.release(item.id, "r1", why="lease expired")  # what the lease's expiry does

    monkeypatch.setattr(processes, "WORKER_SETUP", [f"{__name__}:kill_readers_of_killer_files"])
    name = marked.payload.get("file") or marked.files[0].name
    path = runner.bots["invoices"].context.files.path(marked.files[0])
    path.chmod(0o644)
    path.write_bytes(b"%PDF-1.4 KILLER")  # reading it kills whoever reads it
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
    monkeypatch.setattr(processes, "WORKER_SETUP", [f"{__name__}:stall_on_slow_files"])
    config, store = deploy(deployment)
    inbox = config.workspace_path / "inbox"
    generate(inbox, count=3, seed=5)
    (inbox / "endless.pdf").write_bytes(b"%PDF-1.4 SLOW")
    runner = Runner(config, store, owner="r1", rng=random.Random(1))
    assert runner.collect() == 4
    try:
        drain(ItemWorkers(runner, 2, timeout=1))
    finally:
        runner.close()
    assert store.counts()["invoices"] == {"done": 3, "exception": 1}
    [slow_item] = store.list(status=Status.EXCEPTION)
    assert slow_item.reason == "endless.pdf: reading took longer than 1 s (the worker was stopped)"
