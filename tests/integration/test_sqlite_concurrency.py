"""Four processes claim from one SQLite queue at once: no item is leased twice."""

from __future__ import annotations

import multiprocessing
import time

import pytest

from backoffice.queue.base import NewItem, Status
from backoffice.queue.sqlite import SQLiteStore

pytestmark = pytest.mark.integration


def _worker(path: str, name: str, results, start) -> None:
    store = SQLiteStore(path)
    mine = []
    start.wait(timeout=60)
    while claimed := store.claim(name, limit=3):
        for item in claimed:
            store.complete(item.id, name)
            mine.append(item.id)
        # A real runner works between claims, outside the write lock; without this pause SQLite's
        # unfair busy handler may let one process take nearly everything.
        time.sleep(0.001)
    results.put((name, mine))


def test_four_processes_never_claim_the_same_item(tmp_path):
    path = str(tmp_path / "queue.db")
    store = SQLiteStore(path)
    assert store.enqueue_many(NewItem("b", f"k{i}") for i in range(600)) == 600
    context = multiprocessing.get_context("spawn")
    results, start = context.Queue(), context.Barrier(4)
    workers = [context.Process(target=_worker, args=(path, f"w{n}", results, start)) for n in range(4)]
    for worker in workers:
        worker.start()
    claimed = dict(results.get(timeout=120) for _ in workers)
    for worker in workers:
        worker.join(timeout=30)
    every_id = [i for ids in claimed.values() for i in ids]
    assert len(every_id) == len(set(every_id)) == 600
    assert sum(1 for ids in claimed.values() if ids) >= 2  # the work really was shared
    assert store.counts() == {"b": {Status.DONE.value: 600}}
    for item_id in (1, 300, 600):
        assert [e.action for e in store.journal(item_id)] == ["enqueue", "claim", "complete"]
