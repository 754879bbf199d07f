"""The PostgreSQL queue on the real server of this machine (a scratch database per module):
schema and migrations, SKIP LOCKED claims from many connections, LISTEN/NOTIFY, the URL."""

from __future__ import annotations

import threading
import uuid

import psycopg
import pytest

from backoffice.queue import open_store
from backoffice.queue import postgres as pg
from backoffice.queue.base import NewItem, Status

pytestmark = pytest.mark.integration


def catalog(url: str, schema: str) -> dict:
    """Everything that makes up a schema: columns, constraints, indexes, triggers, functions."""
    with psycopg.connect(url) as conn:

        def rows(query: str) -> list:  # the schema's own name is not part of its shape
            found = conn.execute(query, (schema,)).fetchall()
            return sorted(tuple(str(v).replace(f"{schema}.", "S.") for v in row) for row in found)

        return {
            "columns": rows("SELECT table_name, column_name, data_type, is_nullable, column_default, is_identity "
                            "FROM information_schema.columns WHERE table_schema = %s"),
            "constraints": rows("SELECT conrelid::regclass::text, pg_get_constraintdef(c.oid) FROM pg_constraint c "
                                "JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = %s"),
            "indexes": rows("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %s"),
            "triggers": rows("SELECT event_object_table, trigger_name, event_manipulation, action_statement "
                             "FROM information_schema.triggers WHERE trigger_schema = %s"),
            "functions": rows("SELECT p.proname, p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                              "WHERE n.nspname = %s"),
            "views": rows("SELECT viewname, definition FROM pg_views WHERE schemaname = %s"),
        }  # fmt: skip


def test_schema_equals_the_migrations_applied_in_order(url, monkeypatch):
    """A fresh database and one upgraded release by release end with the same schema."""
    everything = pg.migrations()
    assert [v for v, _ in everything] == list(range(1, len(everything) + 1))  # numbered without gaps
    fresh, stepwise = f"t_{uuid.uuid4().hex[:10]}", f"t_{uuid.uuid4().hex[:10]}"
    try:
        store = pg.PostgresStore(url, schema=fresh)
        assert store.schema_version() == len(everything)
        store.close()
        for upto in range(1, len(everything) + 1):  # each release migrates the one before
            monkeypatch.setattr(pg, "migrations", lambda upto=upto: everything[:upto])
            store = pg.PostgresStore(url, schema=stepwise)
            assert store.schema_version() == upto
            store.close()
        monkeypatch.undo()
        again = pg.PostgresStore(url, schema=stepwise)  # nothing left to apply
        assert again.migrate() == len(everything)
        again.close()
        assert catalog(url, fresh) == catalog(url, stepwise)
        # the tables, and the view item_vendors (migration 10)
        assert {c[0] for c in catalog(url, fresh)["columns"]} == {
            "items", "journal", "effects", "runners", "leases", "schedule_runs", "schema_version", "item_keys",
            "key_rules", "learned_layouts", "layout_journal", "layout_generation", "users", "user_sessions",
            "sign_ins", "item_texts", "item_holds", "item_vendors"}  # fmt: skip
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            for name in (fresh, stepwise):
                conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def test_the_journal_is_append_only(url, schema):
    store = pg.PostgresStore(url, schema=schema)
    item, _ = store.enqueue(NewItem("b", "k"))
    for statement in ("UPDATE journal SET why = 'x'", "DELETE FROM journal", "TRUNCATE journal"):
        with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
            store.conn.execute(statement)
    assert [e.action for e in store.journal(item.id)] == ["enqueue"]
    store.close()


def test_many_connections_claim_in_batches_without_ever_sharing_an_item(url, schema):
    store = pg.PostgresStore(url, schema=schema)
    assert store.enqueue_many(NewItem("b", f"k{i}") for i in range(600)) == 600
    claimed: dict[str, list[int]] = {}
    barrier = threading.Barrier(4)

    def worker(name: str) -> None:
        mine = pg.PostgresStore(url, schema=schema, migrate=False)
        got = claimed.setdefault(name, [])
        barrier.wait()
        while batch := mine.claim(name, limit=25):
            got.extend(i.id for i in batch)
            assert len(mine.complete_many([i.id for i in batch], name)) == len(batch)
        mine.close()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    ids = [i for got in claimed.values() for i in got]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 600
    assert store.counts() == {"b": {"done": 600}}
    assert [e.action for e in store.journal(ids[0])] == ["enqueue", "claim", "complete"]
    store.close()


def test_complete_many_leaves_items_another_owner_holds(url, schema):
    store = pg.PostgresStore(url, schema=schema)
    store.enqueue_many(NewItem("b", f"k{i}") for i in range(3))
    first = store.claim("r1", limit=2)
    other = store.claim("r2")
    done = store.complete_many([*(i.id for i in first), other[0].id], "r1")
    assert done == [i.id for i in first]
    assert store.get(other[0].id).status == Status.PROCESSING
    store.close()


def test_an_idle_runner_wakes_when_work_arrives(url, schema):
    waiter = pg.PostgresStore(url, schema=schema)
    producer = pg.PostgresStore(url, schema=schema, migrate=False)
    assert waiter.wait_for_work(0.05) is False  # nothing arrives: it times out
    woke = threading.Event()
    ready = threading.Event()

    def wait() -> None:
        ready.set()
        if waiter.wait_for_work(30):
            woke.set()

    waiter.wait_for_work(0)  # LISTEN before the producer writes
    thread = threading.Thread(target=wait)
    thread.start()
    ready.wait(5)
    producer.enqueue(NewItem("b", "k"))
    thread.join(timeout=30)
    assert woke.is_set()
    waiter.close()
    producer.close()


def test_open_store_selects_postgresql_with_a_schema_from_the_url(url, schema):
    store = open_store(f"{url}?schema={schema}")
    assert isinstance(store, pg.PostgresStore) and store.schema == schema
    store.enqueue(NewItem("b", "k"))
    with psycopg.connect(url) as conn:
        assert conn.execute(f'SELECT count(*) FROM "{schema}".items').fetchone()[0] == 1
    store.close()
