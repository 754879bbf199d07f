"""A queue made by the release before the UI's tables moved into the migrations (SQLite
migration 7, PostgreSQL migration 6) opens with this one: its items, users and sessions are
kept, and its schema ends as a fresh queue's."""

from __future__ import annotations

import sqlite3
import uuid

import psycopg
import pytest
from argon2 import PasswordHasher

from backoffice.queue.base import NewItem
from backoffice.queue.finder import ItemFilter
from backoffice.queue.sqlite import SQLiteStore, migrations
from tests import pgdb

# What the previous release's supervisor UI made in the queue's SQLite file the first time it
# opened it (backoffice.web.users.SQLiteUsers, with its added columns), beside migrations 1-6.
PREVIOUS_UI = """
CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, password TEXT NOT NULL, role TEXT NOT NULL,
    created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS user_sessions (token_hash TEXT PRIMARY KEY,
    name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE, csrf TEXT NOT NULL, expires REAL NOT NULL);
CREATE TABLE IF NOT EXISTS sign_ins (at REAL NOT NULL, name TEXT NOT NULL, address TEXT NOT NULL,
    agent TEXT NOT NULL, outcome TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS sign_ins_name ON sign_ins (name, at);
CREATE INDEX IF NOT EXISTS sign_ins_address ON sign_ins (address, at);
CREATE INDEX IF NOT EXISTS sign_ins_at ON sign_ins (at);
ALTER TABLE users ADD COLUMN roles TEXT NOT NULL DEFAULT '';
ALTER TABLE user_sessions ADD COLUMN seen REAL NOT NULL DEFAULT 0;
ALTER TABLE user_sessions ADD COLUMN notice TEXT NOT NULL DEFAULT '';
"""


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    from argon2 import PasswordHasher

    monkeypatch.setattr("backoffice.queue.users._hasher", PasswordHasher(time_cost=1, memory_cost=512, parallelism=1))


def shape(conn: sqlite3.Connection) -> dict[str, object]:
    """Each table's columns and each index's columns (the text of a CREATE statement differs
    when a column was added later)."""
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
    indexes = conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'")
    return {
        "columns": {t: conn.execute(f"PRAGMA table_xinfo({t})").fetchall() for t in tables},
        "indexes": {name: (table, conn.execute(f"PRAGMA index_xinfo({name})").fetchall()) for name, table in indexes},
        "triggers": sorted(conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").fetchall()),
    }


def previous_release(path) -> None:
    """A queue file as the previous release left it: migrations 1-6, an item, the UI's users."""
    conn = sqlite3.connect(path)
    for version, sql in migrations():
        if version <= 6:
            conn.executescript(sql)
            conn.execute(f"PRAGMA user_version = {version}")
    conn.executescript(PREVIOUS_UI)
    conn.execute(
        "INSERT INTO items (bot, source_key, payload, created_at, updated_at) VALUES "
        """('invoices', 'a.pdf', '{"document": {"fields": {"seller_name": {"value": "Becker & Söhne"}}}}', 1, 1)"""
    )
    conn.execute(
        "INSERT INTO journal (item_id, at, actor, action, to_status) VALUES (1, 1, 'intake', 'enqueue', 'pending')"
    )
    conn.commit()
    conn.close()


def test_a_sqlite_queue_of_the_previous_release_migrates(tmp_path):
    previous_release(tmp_path / "old.db")
    with sqlite3.connect(tmp_path / "old.db") as conn:  # a user the previous release added
        conn.execute("INSERT INTO users (name, password, role, created_at, roles) VALUES (?, ?, 'admin', 1, 'cfo')",
                     ("alice", PasswordHasher().hash("password-1")))  # fmt: skip
    again = SQLiteStore(tmp_path / "old.db")
    fresh = SQLiteStore(tmp_path / "new.db")
    try:
        assert again.schema_version() == fresh.schema_version() == migrations()[-1][0]
        assert shape(again.conn) == shape(fresh.conn)
        assert again.users().verify("alice", "password-1").roles == ("cfo",)
        finder = again.finder()
        assert [i.source_key for i in finder.find(ItemFilter(status="", vendor="becker")).items] == ["a.pdf"]
        assert [i.source_key for i in finder.find(ItemFilter(status="", q="A.PDF")).items] == ["a.pdf"]  # migration 10
        finder.close()
        again.enqueue(NewItem("invoices", "b.pdf"))
        assert [i.source_key for i in again.list()] == ["b.pdf", "a.pdf"]
    finally:
        again.close()
        fresh.close()


@pytest.mark.integration
def test_a_postgres_queue_of_the_previous_release_migrates(postgres_url, monkeypatch):
    from backoffice.queue import postgres as pg

    everything = pg.migrations()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    monkeypatch.setattr(pg, "migrations", lambda: everything[:5])  # the previous release: migrations 1-5
    old = pg.PostgresStore(postgres_url, schema=schema)
    old.enqueue(NewItem("invoices", "a.pdf", {"document": {"fields": {"seller_name": {"value": "Becker & Söhne"}}}}))
    old.close()
    monkeypatch.undo()
    again = pg.PostgresStore(postgres_url, schema=schema)
    try:
        assert again.schema_version() == everything[-1][0]
        again.users().add("alice", "password-1", "admin")
        assert again.users().verify("alice", "password-1").role == "admin"
        finder = again.finder()
        assert [i.source_key for i in finder.find(ItemFilter(status="", vendor="SÖHNE")).items] == ["a.pdf"]
        assert [i.source_key for i in finder.find(ItemFilter(status="", q="A.PDF")).items] == ["a.pdf"]  # migration 10
        finder.close()
    finally:
        again.close()
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def test_a_sqlite_queue_of_release_8_finds_the_items_awaiting_an_approval(tmp_path):
    """Migration 9: the items an earlier release corrected or held for a person are the
    candidates of "waiting for my approval" at once; an item nobody touched is not."""
    conn = sqlite3.connect(tmp_path / "old.db")
    for version, sql in migrations():
        if version <= 8:
            conn.executescript(sql)
            conn.execute(f"PRAGMA user_version = {version}")
    for key, payload in (("corrected", '{"corrections": [{"who": "anna", "field": "iban"}]}'),
                         ("held", '{"verdict": {"holds": ["approval-above-10000"]}}'),
                         ("untouched", '{"verdict": {"holds": []}}'), ("not json", "{")):  # fmt: skip
        conn.execute("INSERT INTO items (bot, source_key, status, payload, created_at, updated_at) "
                     "VALUES ('invoices', ?, 'exception', ?, 1, 1)", (key, payload))  # fmt: skip
    conn.commit()
    conn.close()
    again = SQLiteStore(tmp_path / "old.db")
    try:
        assert again.schema_version() == migrations()[-1][0] >= 9
        finder = again.finder()
        found = finder.find(ItemFilter(approver="fran"))  # no judge: the queue's candidates
        assert sorted(i.source_key for i in found.items) == ["corrected", "held"]
        finder.close()
        plan = again.conn.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM items INDEXED BY items_awaiting_approval "
            "WHERE awaits_approval = TRUE AND status IN ('pending', 'retrying', 'exception')"
        )
        assert "items_awaiting_approval" in str(plan.fetchall())
    finally:
        again.close()


@pytest.mark.integration
def test_a_postgres_queue_of_release_8_finds_the_items_awaiting_an_approval(postgres_url, monkeypatch):
    from backoffice.queue import postgres as pg

    everything = pg.migrations()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    monkeypatch.setattr(pg, "migrations", lambda: [m for m in everything if m[0] <= 8])
    old = pg.PostgresStore(postgres_url, schema=schema)
    for key, payload in (("corrected", {"corrections": [{"who": "anna", "field": "iban"}]}),
                         ("held", {"verdict": {"holds": ["approval-above-10000"]}}),
                         ("untouched", {"verdict": {"holds": []}}), ("odd", {"corrections": "none"})):  # fmt: skip
        item, _ = old.enqueue(NewItem("invoices", key, payload))
        old.claim("r", limit=1)
        old.to_exception(item.id, "r", reason="x", code="x")
    old.close()
    monkeypatch.undo()
    again = pg.PostgresStore(postgres_url, schema=schema)
    try:
        assert again.schema_version() == everything[-1][0] >= 9
        finder = again.finder()
        assert sorted(i.source_key for i in finder.find(ItemFilter(approver="fran")).items) == ["corrected", "held"]
        new, _ = again.enqueue(NewItem("invoices", "new", {"corrections": [{"who": "bea", "field": "bic"}]}))
        assert new.id in [i.id for i in finder.find(ItemFilter(status="pending", approver="fran")).items]
        finder.close()
    finally:
        again.close()
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def _trigram_index(store) -> list:
    return store.conn.execute("SELECT indexname FROM pg_indexes WHERE indexname = 'item_texts_by_trigram'").fetchall()


@pytest.mark.integration
def test_a_postgres_user_who_may_not_add_pg_trgm_gets_a_queue_that_searches_without_its_index(caplog):
    """Migration 10 adds the search's trigram index where the database has pg_trgm or the user may
    add it; a user without CREATE on the database gets the same queue without the index (a
    search reads item_texts whole), and ``item_texts_trigrams()`` adds it once an administrator
    has added the extension."""
    from backoffice.queue.postgres import PostgresStore

    role = f"bo_{uuid.uuid4().hex[:10]}"
    try:
        with pgdb.scratch_database("backoffice_no_trgm") as url:
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(f'CREATE ROLE "{role}" LOGIN')  # no CREATE on the database
                admin.execute(f'CREATE SCHEMA queue AUTHORIZATION "{role}"')
                store = PostgresStore(url.replace("postgres@", f"{role}@"), schema="queue")
                try:
                    assert store.schema_version() >= 10
                    assert _trigram_index(store) == []
                    assert "no trigram index (permission denied to create extension" in caplog.text
                    payload = {"file": "Rechnung-7.pdf", "document": {"fields": {"seller_name": {"value": "Becker"}}}}
                    store.enqueue(NewItem("invoices", "a.pdf", payload))
                    store.enqueue(NewItem("invoices", "b.pdf"))
                    finder = store.finder()
                    assert [i.source_key for i in finder.find(ItemFilter(status="", q="RECHNUNG-7")).items] == ["a.pdf"]
                    assert [i.source_key for i in finder.find(ItemFilter(status="", vendor="beck")).items] == ["a.pdf"]
                    admin.execute("CREATE EXTENSION pg_trgm")
                    assert store.conn.execute("SELECT item_texts_trigrams()").fetchone() == (True,)
                    assert _trigram_index(store) == [("item_texts_by_trigram",)]
                    assert [i.source_key for i in finder.find(ItemFilter(status="", q="rechnung-7")).items] == ["a.pdf"]
                    finder.close()
                finally:
                    store.close()
    finally:
        with psycopg.connect(pgdb.ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP ROLE IF EXISTS "{role}"')
