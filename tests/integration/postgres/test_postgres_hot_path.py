"""The PostgreSQL queue's hot path after migration 007 (partial list indexes, the journal without
its per-row foreign-key check, items guarded against deletion): a queue made before it, with
items in every state, carries on unchanged after it; the guarantees the foreign key gave hold."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import psycopg
import pytest

from backoffice.errors import ItemNotFound
from backoffice.queue import postgres as pg
from backoffice.queue.base import NewItem, Status

pytestmark = pytest.mark.integration

HOT_PATH = 7  # backoffice/queue/sql/postgres_007_hot_path.sql


def older_release(url: str, schema: str, monkeypatch) -> pg.PostgresStore:
    """A queue made by the release before migration 007, with items in every state."""
    before = [m for m in pg.migrations() if m[0] < HOT_PATH]
    monkeypatch.setattr(pg, "migrations", lambda: before)
    old = pg.PostgresStore(url, schema=schema)
    monkeypatch.undo()
    assert old.schema_version() == before[-1][0]
    assert old.enqueue_many(NewItem("invoices", f"k{i}", payload={"n": i}) for i in range(6)) == 6
    sheet, _ = old.enqueue(NewItem("timesheets", "t0"))
    done, held, failed, broken, dropped = old.claim("r1", bots=["invoices"], limit=5)
    old.complete(done.id, "r1")
    old.retry_later(failed.id, "r1", reason="timeout", code="target", not_before=datetime.now(UTC))
    old.to_exception(broken.id, "r1", reason="no vendor", code="rules")
    old.release(dropped.id, "r1")
    old.cancel(sheet.id, actor="ann")
    assert old.get(held.id).status == Status.PROCESSING
    return old


def test_a_queue_made_before_the_migration_carries_on_after_it(url, schema, monkeypatch):
    old = older_release(url, schema, monkeypatch)
    before = {i.id: (i.status, [(e.action, e.to_status) for e in old.journal(i.id)]) for i in old.list(limit=100)}
    counts = old.counts()
    old.close()

    new = pg.PostgresStore(url, schema=schema)  # migrates
    assert new.schema_version() == pg.migrations()[-1][0] >= HOT_PATH
    after = {i.id: (i.status, [(e.action, e.to_status) for e in new.journal(i.id)]) for i in new.list(limit=100)}
    assert after == before and new.counts() == counts
    by_status = {s: [i.source_key for i in new.list(status=s)] for s in Status}
    assert by_status == {
        Status.PENDING: ["k5", "k4"], Status.PROCESSING: ["k1"], Status.RETRYING: ["k2"],
        Status.EXCEPTION: ["k3"], Status.DONE: ["k0"], Status.CANCELLED: ["t0"], Status.REJECTED: [],
    }  # fmt: skip
    assert [i.source_key for i in new.list(bot="invoices", status=Status.PENDING)] == ["k5", "k4"]

    held = new.find("invoices", "k1")
    assert held is not None and new.complete(held.id, "r1").status == Status.DONE  # a lease from before
    claimed = new.claim("r3", limit=10)
    assert {i.source_key for i in claimed} == {"k2", "k4", "k5"}  # retrying, pending; not done, exception, cancelled
    assert new.complete_many([i.id for i in claimed], "r3") == sorted(i.id for i in claimed)
    assert new.counts() == {"invoices": {"done": 5, "exception": 1}, "timesheets": {"cancelled": 1}}
    retried = new.find("invoices", "k2")
    assert retried is not None
    assert [(e.action, e.from_status, e.to_status) for e in new.journal(retried.id)] == [
        ("enqueue", None, Status.PENDING), ("claim", Status.PENDING, Status.PROCESSING),
        ("fail", Status.PROCESSING, Status.RETRYING), ("claim", Status.RETRYING, Status.PROCESSING),
        ("complete", Status.PROCESSING, Status.DONE),
    ]  # fmt: skip
    new.close()


def test_items_with_a_history_cannot_disappear(url, schema):
    store = pg.PostgresStore(url, schema=schema)
    item, _ = store.enqueue(NewItem("b", "k"))
    for statement in ("DELETE FROM items", f"DELETE FROM items WHERE id = {item.id}", "TRUNCATE items CASCADE"):
        with pytest.raises(psycopg.errors.RaiseException, match="never deleted|append-only"):
            store.conn.execute(statement)
    assert [e.action for e in store.journal(item.id)] == ["enqueue"]
    with pytest.raises(ItemNotFound):
        store.note(999, actor="ann", action="comment")  # no journal row for an item that does not exist
    assert store.conn.execute("SELECT count(*) FROM journal WHERE item_id = 999").fetchone()[0] == 0
    store.close()


def test_claims_and_completions_leave_the_list_indexes_alone(url, schema):
    """Processing, done and rejected rows are in none of the list indexes (so a claim and a completion write
    no entries there); the indexes still serve the states people look for."""
    store = pg.PostgresStore(url, schema=schema)
    predicates = dict(
        store.conn.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %s AND tablename = 'items'", (schema,)
        ).fetchall()
    )
    for name in ("items_by_status", "items_by_bot"):
        assert "WHERE (status <> ALL (ARRAY['processing'::text, 'done'::text, 'rejected'::text]))" in predicates[name]
    assert store.conn.execute(
        "SELECT count(*) FROM pg_constraint WHERE conrelid = 'journal'::regclass AND contype = 'f'"
    ).fetchone()[0] == 0  # fmt: skip
    store.close()


def test_many_runners_on_a_migrated_queue_share_nothing_and_journal_everything(url, schema, monkeypatch):
    old = older_release(url, schema, monkeypatch)
    old.enqueue_many(NewItem("load", f"l{i}") for i in range(400))
    old.close()
    pg.PostgresStore(url, schema=schema).close()  # migrates
    taken: dict[str, list[int]] = {}
    barrier = threading.Barrier(4)

    def runner(name: str, batch: int) -> None:
        mine = pg.PostgresStore(url, schema=schema, migrate=False)
        got = taken.setdefault(name, [])
        barrier.wait()
        while claimed := mine.claim(name, bots=["load"], limit=batch):
            if batch == 1:
                got.append(mine.complete(claimed[0].id, name).id)
            else:
                got.extend(mine.complete_many([i.id for i in claimed], name))
        mine.close()

    threads = [threading.Thread(target=runner, args=(f"w{i}", 1 if i % 2 else 25)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    ids = [i for got in taken.values() for i in got]
    assert len(ids) == len(set(ids)) == 400
    store = pg.PostgresStore(url, schema=schema, migrate=False)
    rows = store.conn.execute(
        "SELECT item_id, array_agg(action ORDER BY id) FROM journal WHERE item_id = ANY(%s) GROUP BY item_id", (ids,)
    ).fetchall()
    assert len(rows) == 400 and all(actions == ["enqueue", "claim", "complete"] for _, actions in rows)
    store.close()
