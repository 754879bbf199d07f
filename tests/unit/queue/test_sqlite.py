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


def test_a_batch_goes_in_many_rows_a_statement_in_the_order_given(tmp_path):
    """enqueue_many inserts up to 128 rows a statement (then 64, 32, ... for the rest): the ids
    follow the order given across the statements, a key taken before or earlier in the batch is
    left out and not counted, and what one item's enqueue writes, a batch writes too."""
    from datetime import UTC, datetime

    store = SQLiteStore(tmp_path / "q.db")
    first, _ = store.enqueue(NewItem("b", "k-5"))
    due = datetime(2026, 5, 1, 12, 30, tzinfo=UTC)
    keys = [f"k-{n}" for n in range(300)] + ["k-7", "k-299"]  # 128 + 128 + 32 + 8 + 4 + 2
    batch = [NewItem("b", key, {"file": f"{key}.pdf"}, deadline=due if key == "k-3" else None,
                     parent_id=first.id if key == "k-4" else None, priority=n % 3) for n, key in enumerate(keys)]  # fmt: skip
    assert store.enqueue_many(batch) == 299
    rows = store.conn.execute("SELECT id, source_key FROM items ORDER BY id").fetchall()
    assert [key for _, key in rows] == ["k-5", *(k for k in dict.fromkeys(keys) if k != "k-5")]
    assert [item_id for item_id, _ in rows] == list(range(1, 301))
    assert store.find("b", "k-3").deadline == due and store.find("b", "k-4").parent_id == first.id
    assert store.find("b", "k-2").deadline is None and store.find("b", "k-2").parent_id is None
    unset = store.conn.execute("SELECT COUNT(*) FROM items WHERE parent_id IS NULL AND deadline IS NULL")
    assert unset.fetchone() == (298,)
    assert store.find("b", "k-8").priority == 2
    one, created = store.enqueue(NewItem("b", "single", {"file": "single.pdf"}))
    assert created
    written = "SELECT files, parent_id, deadline, not_before, vendor, amount, awaits_approval, texts " \
              "FROM items JOIN item_texts ON item_id = id WHERE source_key = ?"  # fmt: skip
    as_one = store.conn.execute(written, ("single",)).fetchone()
    in_batch = store.conn.execute(written, ("k-2",)).fetchone()
    assert as_one[:-1] == in_batch[:-1]
    assert (as_one[-1], in_batch[-1]) == ("single single.pdf" + " " * 8, "k-2 k-2.pdf" + " " * 8)
    assert store.conn.execute("SELECT COUNT(*) FROM journal WHERE action = 'enqueue'").fetchone() == (301,)
    assert store.conn.execute("SELECT COUNT(*) FROM item_texts").fetchone() == (301,)


def test_a_batch_goes_in_under_a_lower_limit_of_parameters(tmp_path):
    """An SQLite built with fewer parameters a statement (999 before 3.32) gets fewer rows each."""
    store = SQLiteStore(tmp_path / "q.db")
    store.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 999)  # 90 rows of 11
    assert store.enqueue_many(NewItem("b", f"k-{n}") for n in range(200)) == 200
    keys = [key for (key,) in store.conn.execute("SELECT source_key FROM items ORDER BY id")]
    assert keys == [f"k-{n}" for n in range(200)]
