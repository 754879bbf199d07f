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
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb, set_json_loads

from backoffice.queue.base import NewItem, WorkItem
from backoffice.queue.codec import loads
from backoffice.queue.finder import Dialect, Finder, SQLFinder
from backoffice.queue.postgres_keys import PostgresKeys
from backoffice.queue import sqlstore
from backoffice.queue.sqlstore import SQLStore, row_to_item

if TYPE_CHECKING:
    from backoffice.queue.layouts import LayoutRecords
    from backoffice.queue.registry import Registry
    from backoffice.queue.users import UserStore

log = logging.getLogger(__name__)

CHANNEL = "backoffice_items"
MIGRATION_LOCK = 7_000_001  # pg_advisory_xact_lock key: one migrator at a time
_dumps = json.JSONEncoder(default=str, ensure_ascii=False, separators=(",", ":")).encode


def _row_to_item(row: Sequence[Any]) -> WorkItem:
    """A row as an item (psycopg has decoded the JSON columns already)."""
    return row_to_item(row, _same)


def _same(value: Any) -> Any:
    return value


# How PostgreSQL says what the UI's finder asks (backoffice.queue.finder.SQLFinder).
DIALECT = Dialect(
    name="postgres", param=lambda name: f"%({name})s", like="ILIKE", collate=' COLLATE "C"', row=_row_to_item,
    # a narrow table a trigger keeps (migrations 6 and 10), instead of every payload: the vendor's
    # few distinct names, then their ids, from one index; the searched texts lower-cased, with a
    # trigram index where the database has pg_trgm
    vendor="SELECT item_id FROM item_texts WHERE vendor IN "
           "(SELECT vendor FROM item_vendors WHERE vendor ILIKE %(vendor)s ESCAPE '\\')",
    texts="id IN (SELECT item_id FROM item_texts WHERE texts LIKE lower(%(q)s) ESCAPE '\\')",
    exceptions_by=lambda column: "items",  # the planner finds the partial index by itself
)  # fmt: skip


def migrations() -> list[tuple[int, str]]:
    """The schema migrations, in order: ``(version, sql)``."""
    return sqlstore.migrations("postgres")


def connect(url: str, schema: str | None = None, **kwargs: Any) -> psycopg.Connection:
    """An autocommit connection whose ``search_path`` is ``schema`` (created when missing)."""
    conn = psycopg.connect(url, autocommit=True, **kwargs)
    set_json_loads(loads, conn)  # json and jsonb columns (payloads) read with orjson
    if schema:
        # only when missing: CREATE SCHEMA asks for CREATE on the database even when the schema exists
        if not conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone():
            conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
        conn.execute(sql.SQL("SET search_path TO {}").format(sql.Identifier(schema)))
    return conn


def _log_warning(notice: psycopg.errors.Diagnostic) -> None:
    """A migration's RAISE WARNING (what it could not do, e.g. migration 10's trigram index) in our log."""
    if notice.severity_nonlocalized == "WARNING":
        log.warning("%s", notice.message_primary, extra={"action": "migrate"})


class PostgresStore(PostgresKeys, SQLStore):
    backend = "postgres"

    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        clock: Callable[[], float] = time.time,
        migrate: bool = True,
        durable_claims: bool = False,
    ):
        super().__init__()
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

    def migrate(self) -> int:
        """Apply the migrations this database has not seen; return the schema version."""
        with self._tx() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
            current = row[0] or 0
            conn.add_notice_handler(_log_warning)
            try:
                for version, script in migrations():
                    if version > current:
                        log.info("migrating the queue schema to version %s", version, extra={"action": "migrate"})
                        conn.execute(script.encode())
                        conn.execute("INSERT INTO schema_version (version) VALUES (%s)", (version,))
                        current = version
            finally:
                conn.remove_notice_handler(_log_warning)
        return current

    def learned_layouts(self) -> LayoutRecords:
        """The learned layouts, in this database (see :mod:`backoffice.queue.layouts`)."""
        from backoffice.queue.layouts import SQLLayoutRecords

        return SQLLayoutRecords(self.conn, self._tx, self._lock, self.clock, "postgres")

    def registry(self, *, clock: Callable[[], float] | None = None) -> Registry:
        """The runners' registry, in this database on a connection of its own (see
        :mod:`backoffice.queue.registry`)."""
        from backoffice.queue.registry import Registry

        return Registry(connect(self.url, self.schema), "postgres", clock=clock or self.clock)

    def finder(self) -> Finder:
        """The UI's reader (see :mod:`backoffice.queue.finder`), on a connection of its own."""
        # never prepared: psycopg prepares a statement run 5 times, and PostgreSQL may then plan
        # it once for any value; a search for "ab" (no trigram) took the trigram index's plan
        # for "inv-00123" and read the whole index (220 ms instead of 50 at 100,000 items)
        return SQLFinder(connect(self.url, self.schema, prepare_threshold=None), DIALECT)

    def users(self) -> UserStore:
        """The UI's users and sessions, in this database (see :mod:`backoffice.queue.users`)."""
        from backoffice.queue.users import SQLUsers

        return SQLUsers(self.conn, self._lock, self._tx, "postgres", self.clock)

    def schema_version(self) -> int:
        with self._lock:
            return self.conn.execute("SELECT max(version) FROM schema_version").fetchone()[0] or 0  # type: ignore[index]

    def _json(self, value: Any) -> Jsonb:
        return Jsonb(value, dumps=_dumps)

    def _row(self, row: Sequence[Any]) -> WorkItem:
        return _row_to_item(row)

    def _notify(self, conn: psycopg.Connection, bot: str | None = None) -> None:
        conn.execute(self.q["notify"], {"channel": CHANNEL, "bot": bot or ""})

    def wake(self) -> None:
        """NOTIFY every listener (in every process: a spurious wake-up costs one claim)."""
        with self._lock:
            self._notify(self.conn)

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

    # -- intake --------------------------------------------------------------------------
    def enqueue_many(self, items: Iterable[NewItem], *, actor: str = "intake") -> int:
        now = self.clock()
        rows = [self._item_args(item, now) for item in items]
        if not rows:
            return 0
        with self._tx() as conn, conn.cursor() as cursor:
            cursor.executemany(self.q["insert_item"], rows, returning=True)
            ids = []
            while True:
                found = cursor.fetchone()
                if found is not None:
                    ids.append(found[0])
                if not cursor.nextset():
                    break
            if ids:
                cursor.execute(self.q["journal_enqueued"], {"now": now, "actor": actor, "ids": ids})
                self._notify(conn)
        return len(ids)

    # -- the runner's side ---------------------------------------------------------------
    def _expire(self, conn: psycopg.Connection, now: float) -> int:
        return conn.execute(self.q["expire"], {"now": now}).rowcount

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
            rows = self.conn.execute(self.q["claim_of_bots" if bots else "claim"], args, prepare=True).fetchall()
        return [_row_to_item(r) for r in rows]

    def complete(self, item_id: int, owner: str, *, why: str = "") -> WorkItem:
        # The hot path: one guarded statement; the lifecycle explains the refusal when it matches nothing.
        with self._lock:
            args = {"now": self.clock(), "ids": [item_id], "owner": owner, "why": why}
            row = self.conn.execute(self.q["complete"], args, prepare=True).fetchone()
        if row is not None:
            return _row_to_item(row)
        return super().complete(item_id, owner, why=why)

    def complete_many(self, item_ids: Sequence[int], owner: str, *, why: str = "") -> list[int]:
        """Complete a batch the owner holds in one statement; returns the ids completed, in order
        (an item whose lease was lost meanwhile is left as it is)."""
        with self._lock:
            args = {"now": self.clock(), "ids": list(item_ids), "owner": owner, "why": why}
            rows = self.conn.execute(self.q["complete_ids"], args, prepare=True).fetchall()
        return [r[0] for r in rows]

    def close(self) -> None:
        with self._lock:
            self.conn.close()
            if self._listener is not None:
                self._listener.close()
                self._listener = None


__all__ = ["CHANNEL", "PostgresStore", "connect", "migrations"]
