from __future__ import annotations

import sqlite3

import pytest

from backoffice.queue.base import NewItem
from backoffice.queue.sqlite import SQLiteStore, migrations


def schema(conn: sqlite3.Connection) -> list[tuple]:
    return conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name").fetchall()


def test_schema_equals_the_migrations_applied_in_order(tmp_path):
    store = SQLiteStore(tmp_path / "queue.db")
    applied = sqlite3.connect(tmp_path / "by-hand.db")
    versions = []
    for version, sql in migrations():
        applied.executescript(sql)
        versions.append(version)
    assert versions == sorted(versions) and versions[0] == 1
    assert schema(store.conn) == schema(applied)
    assert store.schema_version() == versions[-1]


def test_reopening_does_not_migrate_twice(tmp_path):
    SQLiteStore(tmp_path / "q.db").enqueue(NewItem("b", "k"))
    again = SQLiteStore(tmp_path / "q.db")
    assert again.find("b", "k") is not None


def test_durable_wal_settings(tmp_path):
    store = SQLiteStore(tmp_path / "q.db")
    assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_intake_failures_and_the_ledger_wait_for_the_disk_the_hot_path_does_not(tmp_path):
    from backoffice.queue.base import BusinessKey

    store = SQLiteStore(tmp_path / "q.db")

    def synchronous_after(operation) -> str:  # the setting the operation's transaction committed with
        operation()
        return {1: "NORMAL", 2: "FULL"}[store.conn.execute("PRAGMA synchronous").fetchone()[0]]

    first, _ = store.enqueue(NewItem("b", "k1"))
    second, _ = store.enqueue(NewItem("b", "k2"))
    assert synchronous_after(lambda: store.claim("r", limit=2)) == "NORMAL"
    assert synchronous_after(lambda: store.enqueue(NewItem("b", "k3"))) == "FULL"
    assert synchronous_after(lambda: store.update(first.id, "r", payload={"document": {}})) == "NORMAL"
    assert synchronous_after(lambda: store.record_keys({first.id: [BusinessKey("n", "x")]})) == "NORMAL"
    assert synchronous_after(lambda: store.intend(first.id, "r", "erp", "key")) == "FULL"
    assert synchronous_after(lambda: store.extend(first.id, "r")) == "NORMAL"
    assert synchronous_after(lambda: store.settle(first.id, "erp", "E-1")) == "FULL"
    assert synchronous_after(lambda: store.complete(first.id, "r")) == "NORMAL"
    assert synchronous_after(lambda: store.to_exception(second.id, "r", reason="bad", code="x")) == "FULL"
    assert synchronous_after(lambda: store.retry(second.id, actor="alice")) == "FULL"


def test_the_journal_is_append_only(tmp_path):
    store = SQLiteStore(tmp_path / "q.db")
    store.enqueue(NewItem("b", "k"))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("UPDATE journal SET why = 'rewritten'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        store.conn.execute("DELETE FROM journal")


def test_status_values_are_checked_by_the_database(tmp_path):
    store = SQLiteStore(tmp_path / "q.db")
    item, _ = store.enqueue(NewItem("b", "k"))
    with pytest.raises(sqlite3.IntegrityError):
        store.conn.execute("UPDATE items SET status = 'lost' WHERE id = ?", (item.id,))


def test_the_effect_ledger_survives_a_reopen_and_checks_its_states(tmp_path):
    store = SQLiteStore(tmp_path / "q.db")
    store.enqueue(NewItem("b", "k"))
    [item] = store.claim("runner-1")
    store.intend(item.id, "runner-1", "erp", "key-1")
    store.close()  # the runner dies between the intent and the call's answer
    again = SQLiteStore(tmp_path / "q.db")
    [effect] = again.effects(item.id)
    assert (effect.key, effect.in_doubt) == ("key-1", True)
    with pytest.raises(sqlite3.IntegrityError):
        again.conn.execute("UPDATE effects SET state = 'maybe'")


def test_payloads_read_back_as_written_even_what_only_the_json_module_reads(tmp_path):
    store = SQLiteStore(tmp_path / "q.db")
    odd = {"ratio": float("inf"), "count": 2**70, "name": "Größe ✓", "nested": {"list": [1, 2.5, None, True]}}
    item, _ = store.enqueue(NewItem("b", "k", payload=odd))
    again = store.get(item.id).payload
    assert again == odd and again["count"] == 2**70 and again["ratio"] == float("inf")
    plain, _ = store.enqueue(NewItem("b", "k2", payload={"total": "19.99", "lines": [{"amount": 1.5}]}))
    assert store.get(plain.id).payload == {"total": "19.99", "lines": [{"amount": 1.5}]}
