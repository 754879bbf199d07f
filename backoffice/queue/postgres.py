"""The work queue on PostgreSQL (psycopg 3), shared by many runners on many machines.

- Claims pick due items with ``FOR UPDATE SKIP LOCKED``: runners never wait for each other and
  never lease the same item; ``claim(limit=N)`` leases a batch in one statement.
- Every operation is one transaction (mostly one statement: the journal entry is written by a
  data-modifying CTE in the same round trip). A claim and a completion are one prepared
  statement each; since migration 007 they write no entry in the list indexes (partial: no
  processing or done rows) and the journal row runs no foreign-key check (items are never
  deleted; triggers refuse it). ``complete_many`` completes a batch and returns only the ids.
- Enqueueing, a retry and a release ``NOTIFY backoffice_items``; :meth:`PostgresStore.wait_for_work`
  blocks on ``LISTEN`` so an idle runner wakes as soon as work arrives.
- Durability: enqueueing, every failure, release and human action, and the effect ledger commit
  durably. Claims, completions, lease renewals and expiries (the hot path) commit with
  ``synchronous_commit = off``: a crash of the *database server* may forget the last fraction
  of a second of them, which only sends an item back to an earlier state (processing or
  pending); it is handled again, and the durable effect ledger keeps every target call from
  happening twice. ``durable_claims=True`` makes them durable too (about a third the rate).
- The package creates and migrates the schema (``sql/postgres_NNN_*.sql``, applied in order under
  an advisory lock, version in ``schema_version``). ``schema=`` puts the tables in their own
  PostgreSQL schema (tests use one per run).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from importlib import resources
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb, set_json_loads

from backoffice.errors import IllegalTransition, ItemNotFound, LeaseLost
from backoffice.queue import holds
from backoffice.queue.base import (
    CANCEL_FROM,
    REJECT_FROM,
    RETRY_FROM,
    NewItem,
    Status,
    Store,
    WorkItem,
    after_failure,
    check_transition,
    to_ts,
)
from backoffice.queue.codec import loads
from backoffice.queue.postgres_effects import PostgresEffects
from backoffice.queue.postgres_keys import PostgresKeys
from backoffice.queue.finder import Finder, SQLFinder
from backoffice.queue.postgres_reads import COLUMNS, DIALECT, PostgresReads
from backoffice.queue.postgres_reads import row_to_item as _row_to_item

if TYPE_CHECKING:
    from backoffice.learning.store import LayoutStore
    from backoffice.queue.registry import Registry
    from backoffice.queue.users import UserStore

log = logging.getLogger(__name__)

CHANNEL = "backoffice_items"
MIGRATION_LOCK = 7_000_001  # pg_advisory_xact_lock key: one migrator at a time
_JOURNAL = "INSERT INTO journal (item_id, at, actor, action, from_status, to_status, why) "
_dumps = json.JSONEncoder(default=str, ensure_ascii=False, separators=(",", ":")).encode


def _jsonb(value: Any) -> Jsonb:
    return Jsonb(value, dumps=_dumps)


def migrations() -> list[tuple[int, str]]:
    """The schema migrations, in order: ``(version, sql)``."""
    folder = resources.files("backoffice.queue") / "sql"
    found = []
    for entry in folder.iterdir():
        if entry.name.startswith("postgres_") and entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_")[1]), entry.read_text()))
    return sorted(found)


def connect(url: str, schema: str | None = None, **kwargs: Any) -> psycopg.Connection:
    """An autocommit connection whose ``search_path`` is ``schema`` (created when missing)."""
    conn = psycopg.connect(url, autocommit=True, **kwargs)
    set_json_loads(loads, conn)  # json and jsonb columns (payloads) read with orjson
    if schema:
        conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
    return conn


class PostgresStore(PostgresReads, PostgresEffects, PostgresKeys, Store):
    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        clock: Callable[[], float] = time.time,
        migrate: bool = True,
        durable_claims: bool = False,
    ):
        self.url, self.schema, self.clock = url, schema, clock
        self.durable_claims = durable_claims
        self._lock = threading.RLock()
        self._next_expiry_sweep = 0.0
        self._listener: psycopg.Connection | None = None
        self.conn = connect(url, schema)
        if not durable_claims:  # claim, complete, extend and lease expiry: see the module docstring
            self.conn.execute("SET synchronous_commit TO off")
        if migrate:
            self.migrate()

    # -- plumbing ------------------------------------------------------------------------
    @contextmanager
    def _tx(self, durable: bool = True) -> Iterator[psycopg.Connection]:
        with self._lock, self.conn.transaction():
            if durable and not self.durable_claims:
                self.conn.execute("SET LOCAL synchronous_commit TO on")
            yield self.conn

    def _one(self, query: str, args: Sequence = ()) -> tuple | None:
        with self._lock:
            return self.conn.execute(query, args).fetchone()

    def migrate(self) -> int:
        """Apply the migrations this database has not seen; return the schema version."""
        with self._tx() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
            current = row[0] or 0
            for version, script in migrations():
                if version > current:
                    log.info("migrating the queue schema to version %s", version, extra={"action": "migrate"})
                    conn.execute(script.encode())
                    conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (version,))
                    current = version
        return current

    def layouts(self) -> LayoutStore:
        """The learned layouts, in this database (see :mod:`backoffice.learning.store`)."""
        from backoffice.learning.store import SQLLayouts

        return SQLLayouts(self.conn, self._tx, self._lock, self.clock, "%s")

    def registry(self, *, clock: Callable[[], float] | None = None) -> Registry:
        """The runners' registry, in this database on a connection of its own (see
        :mod:`backoffice.queue.registry`)."""
        from backoffice.queue.registry import Registry

        return Registry(connect(self.url, self.schema), "postgres", clock=clock or self.clock)

    def finder(self) -> Finder:
        """The UI's reader (see :mod:`backoffice.queue.finder`), on a connection of its own."""
        return SQLFinder(connect(self.url, self.schema), DIALECT)

    def users(self) -> UserStore:
        """The UI's users and sessions, in this database (see :mod:`backoffice.queue.users`)."""
        from backoffice.queue.users import SQLUsers

        return SQLUsers(self.conn, self._lock, self._tx, "postgres", self.clock)

    def schema_version(self) -> int:
        return self._one("SELECT max(version) FROM schema_version")[0] or 0  # type: ignore[index]

    def notify(self, conn: psycopg.Connection, bot: str | None = None) -> None:
        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, bot or ""))

    def wake(self) -> None:
        """NOTIFY every listener (in every process: a spurious wake-up costs one claim)."""
        with self._lock:
            self.notify(self.conn)

    def wait_for_work(self, timeout: float) -> bool:
        """Block until an item may have become due (NOTIFY) or ``timeout`` passes."""
        with self._lock:
            if self._listener is None:
                self._listener = connect(self.url, self.schema)
                self._listener.execute(f"LISTEN {CHANNEL}")
            listener = self._listener
        woke = False
        for _ in listener.notifies(timeout=timeout, stop_after=1):
            woke = True
        return woke

    def _move(
        self,
        item_id: int,
        to: Status,
        *,
        actor: str,
        action: str,
        why: str = "",
        owner: str | None = None,
        sets: dict[str, Any] | None = None,
        decide: Callable[[tuple], tuple[Status, dict[str, Any], str]] | None = None,
        allowed_from: tuple[Status, ...] | None = None,
        wake: bool = False,
    ) -> WorkItem:
        """Check and apply one transition with its journal entry, in one transaction."""
        with self._tx() as conn:
            row = conn.execute(
                "SELECT status, lease_owner, attempts, max_attempts FROM items WHERE id = %s FOR UPDATE", (item_id,)
            ).fetchone()
            if row is None:
                raise ItemNotFound(item_id)
            if owner is not None and (row[0] != Status.PROCESSING or row[1] != owner):
                raise LeaseLost(item_id, owner)
            columns = dict(sets or {})
            if decide is not None:
                to, extra, why = decide(row)
                columns.update(extra)
            check_transition(item_id, row[0], to, allowed_from)
            now = self.clock()
            columns.update(status=to.value, updated_at=now)
            assignments = sql.SQL(", ").join(
                sql.SQL("{} = %s").format(sql.Identifier(name)) for name in columns
            )
            updated = conn.execute(
                sql.SQL("UPDATE items SET {} WHERE id = %s RETURNING " + COLUMNS).format(assignments),
                (*columns.values(), item_id),
            ).fetchone()
            conn.execute(_JOURNAL + "VALUES (%s, %s, %s, %s, %s, %s, %s)",
                         (item_id, now, actor, action, row[0], to.value, why))  # fmt: skip
            if wake and to in (Status.PENDING, Status.RETRYING):
                self.notify(conn, updated[1])
        return _row_to_item(updated)

    # -- intake --------------------------------------------------------------------------
    @staticmethod
    def _insert_args(item: NewItem, now: float) -> tuple:
        return (
            item.bot, item.source_key, _jsonb(item.payload or {}),
            _jsonb([f.to_dict() for f in item.files]), item.parent_id, item.priority,
            to_ts(item.deadline), to_ts(item.not_before) or 0, item.max_attempts, now, now,
        )  # fmt: skip

    _INSERT = (
        "INSERT INTO items (bot, source_key, payload, files, parent_id, priority, deadline, "
        "not_before, max_attempts, created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
        "ON CONFLICT (bot, source_key) DO NOTHING RETURNING id"
    )

    def enqueue(self, item: NewItem, *, actor: str = "intake") -> tuple[WorkItem, bool]:
        now = self.clock()
        with self._tx() as conn:
            new = conn.execute(self._INSERT, self._insert_args(item, now)).fetchone()
            if new is not None:
                conn.execute(_JOURNAL + "VALUES (%s, %s, %s, 'enqueue', NULL, 'pending', '')", (new[0], now, actor))
                self.notify(conn, item.bot)
            row = conn.execute(
                f"SELECT {COLUMNS} FROM items WHERE bot = %s AND source_key = %s", (item.bot, item.source_key)
            ).fetchone()
        return _row_to_item(row), new is not None

    def enqueue_many(self, items: Iterable[NewItem], *, actor: str = "intake") -> int:
        now = self.clock()
        rows = [self._insert_args(item, now) for item in items]
        if not rows:
            return 0
        with self._tx() as conn, conn.cursor() as cursor:
            cursor.executemany(self._INSERT, rows, returning=True)
            ids = []
            while True:
                found = cursor.fetchone()
                if found is not None:
                    ids.append(found[0])
                if not cursor.nextset():
                    break
            if ids:
                cursor.execute(
                    _JOURNAL + "SELECT id, %s, %s, 'enqueue', NULL, 'pending', '' FROM unnest(%s::bigint[]) AS id",
                    (now, actor, ids),
                )
                self.notify(conn)
        return len(ids)

    def enqueue_families(
        self,
        families: Iterable[tuple[NewItem, Sequence[NewItem]]],
        *,
        actor: str = "intake",
        notes: Iterable[tuple[int, str, str]] = (),
    ) -> list[tuple[WorkItem, bool]]:
        from dataclasses import replace

        def insert(conn: psycopg.Connection, item: NewItem) -> tuple[int, bool]:
            new = conn.execute(self._INSERT, self._insert_args(item, now)).fetchone()
            if new is not None:
                conn.execute(_JOURNAL + "VALUES (%s, %s, %s, 'enqueue', NULL, 'pending', '')", (new[0], now, actor))
                return new[0], True
            found = conn.execute("SELECT id FROM items WHERE bot = %s AND source_key = %s", (item.bot, item.source_key))
            return found.fetchone()[0], False  # type: ignore[index]

        now = self.clock()
        added = []
        with self._tx() as conn:
            for item_id, action, why in notes:
                if conn.execute("SELECT 1 FROM items WHERE id = %s", (item_id,)).fetchone() is None:
                    raise ItemNotFound(item_id)
                conn.execute(_JOURNAL + "VALUES (%s, %s, %s, %s, NULL, NULL, %s)", (item_id, now, actor, action, why))
            for parent, children in families:
                parent_id, created = insert(conn, parent)
                if created:
                    ids = [insert(conn, replace(child, parent_id=parent_id))[0] for child in children]
                    row = conn.execute(
                        f"UPDATE items SET payload = %s WHERE id = %s RETURNING {COLUMNS}",
                        (_jsonb({**parent.payload, "children": ids}), parent_id),
                    ).fetchone()
                else:
                    row = conn.execute(f"SELECT {COLUMNS} FROM items WHERE id = %s", (parent_id,)).fetchone()
                added.append((_row_to_item(row), created))
            if any(created for _, created in added):
                self.notify(conn)
        return added

    # -- the runner's side ---------------------------------------------------------------
    _EXPIRE = (
        "WITH gone AS ("
        " SELECT id, lease_owner, attempts >= max_attempts AS used_up, attempts FROM items"
        " WHERE status = 'processing' AND lease_expires < %(now)s FOR UPDATE SKIP LOCKED),"
        " moved AS ("
        " UPDATE items i SET status = CASE WHEN g.used_up THEN 'exception' ELSE 'pending' END,"
        " lease_owner = NULL, lease_expires = NULL,"
        " reason = CASE WHEN g.used_up THEN 'lease of ' || g.lease_owner || ' expired; retries used up ('"
        "   || g.attempts || ')' ELSE i.reason END,"
        " error_code = CASE WHEN g.used_up THEN 'lease-expired' ELSE i.error_code END, updated_at = %(now)s"
        " FROM gone g WHERE i.id = g.id RETURNING i.id, i.status, g.lease_owner)"
        " INSERT INTO journal (item_id, at, actor, action, from_status, to_status, why)"
        " SELECT id, %(now)s, 'queue', 'lease-expired', 'processing', status, 'lease of ' || lease_owner || ' expired'"
        " FROM moved"
    )

    def _expire(self, conn: psycopg.Connection, now: float) -> int:
        return conn.execute(self._EXPIRE, {"now": now}).rowcount

    def expire_leases(self) -> int:
        with self._tx() as conn:
            return self._expire(conn, self.clock())

    _CLAIM = (
        "WITH picked AS ("
        " SELECT id, status FROM items WHERE status IN ('pending', 'retrying') AND not_before <= %(now)s{bots}"
        " ORDER BY priority DESC, id LIMIT %(limit)s FOR UPDATE SKIP LOCKED),"
        " claimed AS ("
        " UPDATE items i SET status = 'processing', lease_owner = %(owner)s, lease_expires = %(expires)s,"
        " attempts = i.attempts + 1, updated_at = %(now)s FROM picked p WHERE i.id = p.id"
        " RETURNING {columns}, p.status AS was),"
        " journaled AS ("
        " INSERT INTO journal (item_id, at, actor, action, from_status, to_status, why)"
        " SELECT id, %(now)s, %(owner)s, 'claim', was, 'processing', '' FROM claimed)"
        " SELECT {columns} FROM claimed ORDER BY priority DESC, id"
    )
    _I_COLUMNS = ", ".join(f"i.{name.strip()}" for name in COLUMNS.split(","))
    _CLAIM_ALL = _CLAIM.format(bots="", columns=_I_COLUMNS).replace(
        f"SELECT {_I_COLUMNS} FROM claimed", f"SELECT {COLUMNS} FROM claimed")
    _CLAIM_BOTS = _CLAIM.format(bots=" AND bot = ANY(%(bots)s)", columns=_I_COLUMNS).replace(
        f"SELECT {_I_COLUMNS} FROM claimed", f"SELECT {COLUMNS} FROM claimed")

    def claim(
        self, owner: str, *, bots: Sequence[str] | None = None, lease: float = 300.0, limit: int = 1
    ) -> list[WorkItem]:
        if bots is not None and not bots:
            return []  # no bots: nothing to claim (not: every bot's items)
        now = self.clock()
        args = {"now": now, "owner": owner, "expires": now + lease, "limit": limit, "bots": list(bots or ())}
        if now >= self._next_expiry_sweep:  # lease times are seconds; sweeping once a second is enough
            self._next_expiry_sweep = now + 1.0
            with self._tx(durable=False) as conn:
                self._expire(conn, now)
        with self._lock:
            rows = self.conn.execute(self._CLAIM_BOTS if bots else self._CLAIM_ALL, args, prepare=True).fetchall()
        return [_row_to_item(r) for r in rows]

    def extend(self, item_id: int, owner: str, *, lease: float = 300.0) -> None:
        with self._lock:
            cursor = self.conn.execute(
                "UPDATE items SET lease_expires = %s WHERE id = %s AND status = 'processing' AND lease_owner = %s",
                (self.clock() + lease, item_id, owner),
            )
        if cursor.rowcount != 1:
            raise LeaseLost(item_id, owner)

    def update(
        self,
        item_id: int,
        owner: str,
        *,
        payload: dict[str, Any] | None = None,
        refs: dict[str, str] | None = None,
    ) -> WorkItem:
        with self._lock:
            row = self.conn.execute(
                f"UPDATE items SET refs = refs || %s, payload = COALESCE(%s, payload), updated_at = %s "
                f"WHERE id = %s AND status = 'processing' AND lease_owner = %s RETURNING {COLUMNS}",
                (_jsonb(refs or {}), None if payload is None else _jsonb(payload), self.clock(), item_id, owner),
            ).fetchone()
        if row is None:
            self.get(item_id)  # ItemNotFound when it does not exist at all
            raise LeaseLost(item_id, owner)
        return _row_to_item(row)

    _UNLEASE = {"lease_owner": None, "lease_expires": None}
    _COMPLETE = (
        "WITH done AS ("
        " UPDATE items SET status = 'done', lease_owner = NULL, lease_expires = NULL, reason = NULL,"
        " error_code = NULL, updated_at = %(now)s"
        " WHERE id = ANY(%(ids)s) AND status = 'processing' AND lease_owner = %(owner)s"
        " RETURNING {columns}),"
        " journaled AS ("
        " INSERT INTO journal (item_id, at, actor, action, from_status, to_status, why)"
        " SELECT id, %(now)s, %(owner)s, 'complete', 'processing', 'done', %(why)s FROM done)"
        " SELECT {columns} FROM done ORDER BY id"
    )
    _COMPLETE_ONE = _COMPLETE.format(columns=COLUMNS)
    _COMPLETE_IDS = _COMPLETE.format(columns="id")

    def complete(self, item_id: int, owner: str, *, why: str = "") -> WorkItem:
        # The hot path: one guarded statement; _move explains the refusal when it matches nothing.
        with self._lock:
            row = self.conn.execute(
                self._COMPLETE_ONE, {"now": self.clock(), "ids": [item_id], "owner": owner, "why": why}, prepare=True
            ).fetchone()
        if row is not None:
            return _row_to_item(row)
        return self._move(item_id, Status.DONE, actor=owner, action="complete", why=why, owner=owner)

    def complete_many(self, item_ids: Sequence[int], owner: str, *, why: str = "") -> list[int]:
        """Complete a batch the owner holds in one statement; returns the ids completed, in order
        (an item whose lease was lost meanwhile is left as it is)."""
        with self._lock:
            rows = self.conn.execute(
                self._COMPLETE_IDS, {"now": self.clock(), "ids": list(item_ids), "owner": owner, "why": why},
                prepare=True,
            ).fetchall()
        return [r[0] for r in rows]

    def retry_later(
        self, item_id: int, owner: str, *, reason: str, code: str, not_before: datetime
    ) -> WorkItem:
        def decide(row: tuple) -> tuple[Status, dict[str, Any], str]:
            to, why = after_failure(row[2], row[3], reason)
            return to, ({"reason": why} if to == Status.EXCEPTION else {"not_before": to_ts(not_before)}), why

        return self._move(
            item_id, Status.RETRYING, actor=owner, action="fail", owner=owner,
            sets={**self._UNLEASE, "reason": reason, "error_code": code}, decide=decide,
        )  # fmt: skip

    def to_exception(self, item_id: int, owner: str, *, reason: str, code: str) -> WorkItem:
        return self._move(
            item_id, Status.EXCEPTION, actor=owner, action="exception", why=reason, owner=owner,
            sets={**self._UNLEASE, "reason": reason, "error_code": code},
        )  # fmt: skip

    def release(
        self, item_id: int, owner: str, *, why: str = "released", not_before: datetime | None = None
    ) -> WorkItem:
        return self._move(
            item_id, Status.PENDING, actor=owner, action="release", why=why, owner=owner, wake=True,
            sets={**self._UNLEASE, "not_before": to_ts(not_before) or 0},
            decide=lambda row: (Status.PENDING, {"attempts": max(row[2] - 1, 0)}, why),
        )  # fmt: skip

    # -- a person's side -----------------------------------------------------------------
    def retry(self, item_id: int, *, actor: str, why: str = "") -> WorkItem:
        return self._move(
            item_id, Status.PENDING, actor=actor, action="retry", why=why, allowed_from=RETRY_FROM, wake=True,
            sets={"attempts": 0, "not_before": 0, "reason": None, "error_code": None},
        )  # fmt: skip

    def cancel(self, item_id: int, *, actor: str, why: str = "") -> WorkItem:
        return self._move(item_id, Status.CANCELLED, actor=actor, action="cancel", why=why, allowed_from=CANCEL_FROM)

    def reject_item(self, item_id: int, *, actor: str, why: str) -> WorkItem:
        return self._move(
            item_id, Status.REJECTED, actor=actor, action="reject", why=why, allowed_from=REJECT_FROM,
            sets={"reason": why, "error_code": "rejected"},
        )

    def amend(self, item_id: int, *, actor: str, action: str, payload: dict[str, Any], why: str = "") -> WorkItem:
        with self._tx() as conn:
            row = conn.execute("SELECT status FROM items WHERE id = %s FOR UPDATE", (item_id,)).fetchone()
            if row is None:
                raise ItemNotFound(item_id)
            if row[0] == Status.PROCESSING:
                raise IllegalTransition(item_id, row[0], f"{row[0]} (amended by {actor})")
            now = self.clock()
            updated = conn.execute(
                f"UPDATE items SET payload = %s, updated_at = %s WHERE id = %s RETURNING {COLUMNS}",
                (_jsonb(payload), now, item_id),
            ).fetchone()
            conn.execute(_JOURNAL + "VALUES (%s, %s, %s, %s, NULL, NULL, %s)", (item_id, now, actor, action, why))
        return _row_to_item(updated)

    def note(self, item_id: int, *, actor: str, action: str, why: str = "") -> None:
        with self._tx() as conn:
            if conn.execute("SELECT 1 FROM items WHERE id = %s", (item_id,)).fetchone() is None:
                raise ItemNotFound(item_id)
            conn.execute(_JOURNAL + "VALUES (%s, %s, %s, %s, NULL, NULL, %s)",
                         (item_id, self.clock(), actor, action, why))  # fmt: skip

    def hold(self, item_id: int, person: str, *, seconds: float = 300.0) -> str:
        with self._tx() as conn:
            taken = holds.take(conn, "postgres", item_id, person, seconds=seconds, now=self.clock())
        if taken is None:  # let go of between two statements: take it now
            return self.hold(item_id, person, seconds=seconds)
        return taken

    def holders(self) -> dict[int, str]:
        with self._lock:
            return holds.running(self.conn, "postgres", self.clock())

    def close(self) -> None:
        with self._lock:
            self.conn.close()
            if self._listener is not None:
                self._listener.close()
                self._listener = None


__all__ = ["CHANNEL", "PostgresStore", "connect", "migrations"]
