"""The work queue on SQLite: WAL mode, one writer transaction per operation.

Many processes may share one file: every write runs in ``BEGIN IMMEDIATE``, so claims are
serialised by SQLite's write lock and two runners never lease the same item.
Writers wait for the lock in SQLite's busy handler, not in turns on a lock file
(:mod:`backoffice.connectors.turns`, which the SQL target keeps): with four processes claiming and
completing at once, waiters looking for their turn every tenth of a millisecond took the two cores'
time from the writer (4 processes as in bench/queue.py, load 2.6: 3,200 items/s against 4,370
without turns), and the end-to-end run scales as well without them (bench/e2e.py, 1,000 documents:
2 workers 1.78x the runner alone, as with turns).

Durability, as on PostgreSQL: enqueueing, every failure, release and human action, and the
effect ledger wait for the disk (``synchronous=FULL``). The hot path (claims, lease renewals,
a stage's payload update, business keys, completions) commits with ``synchronous=NORMAL``:
it survives a crash of the process (SIGKILL) like any commit; a power loss may forget the last
of them (never an earlier one without the later ones), which only sends an item back to an
earlier state (pending or processing). It is handled again, and the durable effect ledger
keeps every target call from happening twice.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache, partial
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backoffice.queue import lifecycle
from backoffice.queue.base import NewItem, Status, WorkItem, to_ts
from backoffice.queue.codec import dumps, loads
from backoffice.queue.finder import COLUMNS, Dialect, Finder, SQLFinder
from backoffice.queue.sqlite_keys import SQLiteKeys
from backoffice.queue import sqlstore
from backoffice.queue.sqlstore import SQLStore, row_to_item

_encode = dumps

if TYPE_CHECKING:
    from backoffice.queue.layouts import LayoutRecords
    from backoffice.queue.registry import Registry
    from backoffice.queue.users import SQLUsers


def migrations() -> list[tuple[int, str]]:
    """The schema migrations, in order: ``(version, sql)``."""
    return sqlstore.migrations("sqlite")


_row_to_item = partial(row_to_item, decode=loads)


# How SQLite says what the UI's finder asks (backoffice.queue.finder.SQLFinder).
DIALECT = Dialect(
    name="sqlite", param=lambda name: f":{name}", like="LIKE", collate="",  # LIKE ignores ASCII case
    row=_row_to_item,
    # tables, views and indexes of migrations 7 and 10: no payload is read
    texts="id IN (SELECT item_id FROM item_texts WHERE texts LIKE :q ESCAPE '\\')",
    vendor="SELECT id FROM items INDEXED BY items_by_vendor WHERE vendor IN "
           "(SELECT vendor FROM item_vendors WHERE vendor LIKE :vendor ESCAPE '\\')",
    # the planner would take items_by_status and read every exception's payload to sort
    exceptions_by=lambda column: f"items INDEXED BY items_exceptions_by_{column}",
)  # fmt: skip


class SQLiteStore(SQLiteKeys, SQLStore):
    backend = "sqlite"

    def __init__(self, path: Path | str, *, clock: Callable[[], float] = time.time, timeout: float = 30.0):
        super().__init__()
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self._lock = threading.RLock()
        self._next_expiry_sweep = 0.0
        self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=timeout, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=FULL")
        self._synchronous = "FULL"
        self.conn.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    # -- plumbing ------------------------------------------------------------------------
    @contextmanager
    def _tx(self, durable: bool = True) -> Iterator[sqlite3.Connection]:
        """One write transaction. ``durable=False`` commits without waiting for the disk (WAL,
        ``synchronous=NORMAL``): it survives a crash of the process (SIGKILL) but a power loss
        may forget it, together with every later one, never an earlier one."""
        with self._lock:
            wanted = "FULL" if durable else "NORMAL"
            if wanted != self._synchronous:
                self.conn.execute(f"PRAGMA synchronous={wanted}")
                self._synchronous = wanted
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
                self.conn.execute("COMMIT")
            except BaseException:
                # SQLite rolls back by itself on a full disk or an I/O error; a second ROLLBACK
                # would replace the real error with "no transaction is active".
                if self.conn.in_transaction:
                    self.conn.execute("ROLLBACK")
                raise

    def _migrate(self) -> None:
        with self._tx() as conn:
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            for version, sql in migrations():
                if version > current:
                    for statement in _split_sql(sql):
                        conn.execute(statement)
                    if "writable_schema" in sql:  # edited the schema's text: other connections must reread it
                        schema = conn.execute("PRAGMA schema_version").fetchone()[0]
                        conn.execute(f"PRAGMA schema_version = {schema + 1:d}")
                    conn.execute(f"PRAGMA user_version = {version:d}")

    def learned_layouts(self) -> LayoutRecords:
        """The learned layouts, in this database (see :mod:`backoffice.queue.layouts`)."""
        from backoffice.queue.layouts import SQLLayoutRecords

        return SQLLayoutRecords(self.conn, self._tx, self._lock, self.clock, "sqlite")

    def registry(self, *, clock: Callable[[], float] | None = None) -> Registry:
        """The runners' registry, in this file on a connection of its own (see
        :mod:`backoffice.queue.registry`)."""
        if self.path == ":memory:":
            return super().registry(clock=clock)
        from backoffice.queue.registry import Registry

        conn = sqlite3.connect(self.path, isolation_level=None, timeout=30, check_same_thread=False)
        return Registry(conn, "sqlite", clock=clock or self.clock)

    def finder(self) -> Finder:
        """The UI's reader (see :mod:`backoffice.queue.finder`), on a read-only connection of its
        own: WAL lets it read while runners write."""
        if self.path == ":memory:":
            return SQLFinder(self.conn, DIALECT, lock=self._lock, owns_connection=False)
        conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False, timeout=30)
        return SQLFinder(conn, DIALECT)

    def users(self) -> SQLUsers:
        """The UI's users and sessions, in this database (see :mod:`backoffice.queue.users`)."""
        from backoffice.queue.users import SQLUsers

        return SQLUsers(self.conn, self._lock, self._tx, "sqlite", self.clock)

    def schema_version(self) -> int:
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    def _json(self, value: Any) -> str:
        return _encode(value)

    def _row(self, row: Sequence[Any]) -> WorkItem:
        return _row_to_item(row)

    def _notify(self, conn: sqlite3.Connection, bot: str | None = None) -> None:
        self.wake()  # this process's waiters (another process finds the work at its next poll)

    # -- intake --------------------------------------------------------------------------
    def enqueue_many(self, items: Iterable[NewItem], *, actor: str = "intake") -> int:
        now = self.clock()
        rows = [_item_row(item, now) for item in items]  # before taking the write lock
        with self._tx() as conn:
            last = conn.execute(self.q["last_id"]).fetchone()[0]
            created = _insert_items(conn, self.q["insert_items"], rows)
            if created:
                args = {"now": now, "actor": actor, "last": last}
                conn.execute(self.q["journal_enqueued_after"], args)
                conn.execute(self.q["index_texts_after"], {"last": last})  # no trigger: see migration 11
                self._notify(conn)
        return created

    def _insert_row(self, conn: sqlite3.Connection, item: NewItem, now: float) -> int | None:
        # enqueue_many's query and parameters, so the UI's columns are said once (insert_items)
        new = conn.execute(self.q["insert_items"] + " RETURNING id", _item_row(item, now)).fetchone()
        if new is None:
            return None
        conn.execute(self.q["index_texts_of"], {"id": new[0]})  # what the UI's search looks in (migration 11)
        return new[0]

    # -- the runner's side ---------------------------------------------------------------
    def _expire(self, conn: sqlite3.Connection, now: float) -> int:
        expired = conn.execute(self.q["expired_leases"], {"now": now}).fetchall()
        for item_id, owner, attempts, max_attempts in expired:
            to, sets, why = lifecycle.expired(owner, attempts, max_attempts)
            self._write_move(conn, item_id, Status.PROCESSING.value, to, sets, "queue", "lease-expired", why)
        return len(expired)

    def claim(
        self, owner: str, *, bots: Sequence[str] | None = None, lease: float = 300.0, limit: int = 1
    ) -> list[WorkItem]:
        now = self.clock()
        where = "status IN ('pending', 'retrying') AND not_before <= ?"
        args: list[Any] = [now]
        if bots is not None and not bots:
            return []  # no bots: nothing to claim (not: every bot's items)
        if bots:
            where += f" AND bot IN ({', '.join('?' * len(bots))})"
            args.extend(bots)
        with self._tx(durable=False) as conn:
            if now >= self._next_expiry_sweep:  # lease times are seconds; sweeping once a second is enough
                self._expire(conn, now)
                self._next_expiry_sweep = now + 1.0
            rows = conn.execute(
                # The partial index holds only claimable items, already in claim order; without
                # the hint SQLite picks items_by_bot and sorts every pending item of the bot.
                f"SELECT id, status FROM items INDEXED BY items_claimable WHERE {where} "
                "ORDER BY priority DESC, id LIMIT ?",
                (*args, limit),
            ).fetchall()
            if not rows:
                return []
            ids = [r[0] for r in rows]
            claimed = conn.execute(
                f"UPDATE items SET status = 'processing', lease_owner = ?, lease_expires = ?, "
                f"attempts = attempts + 1, updated_at = ? WHERE id IN ({', '.join('?' * len(ids))}) "
                f"RETURNING {COLUMNS}",
                (owner, now + lease, now, *ids),
            ).fetchall()
            conn.executemany(
                "INSERT INTO journal (item_id, at, actor, action, from_status, to_status, why) "
                "VALUES (?, ?, ?, 'claim', ?, 'processing', '')",
                [(item_id, now, owner, status) for item_id, status in rows],
            )
        return sorted((_row_to_item(r) for r in claimed), key=lambda i: (-i.priority, i.id))

    def complete(self, item_id: int, owner: str, *, why: str = "") -> WorkItem:
        # The hot path: one guarded UPDATE; the lifecycle explains the refusal when it matches nothing.
        with self._tx(durable=False) as conn:
            now = self.clock()
            row = conn.execute(self.q["complete"], {"now": now, "id": item_id, "owner": owner}).fetchone()
            if row is not None:
                self._journal_entry(conn, item_id, now, owner, "complete", "processing", "done", why)
        if row is not None:  # decoded after the commit, outside the write lock
            return _row_to_item(row)
        return super().complete(item_id, owner, why=why)


# The payload's keys the view item_derived reads (migration 11), at its top level.
_DERIVED_FROM = frozenset({"document", "assignee", "verdict", "corrections"})


def _item_row(item: NewItem, now: float) -> tuple[Any, ...]:
    """The parameters of the query ``insert_items``, by position (SQLStore._item_args by name),
    for enqueue_many and for one item alike."""
    payload = _encode(item.payload) if item.payload else "{}"
    # NaN and Infinity (the json module writes them) are not JSON to SQLite: let SQLite decide
    derive = not _DERIVED_FROM.isdisjoint(item.payload or ()) or "NaN" in payload or "Infinity" in payload
    deadline = to_ts(item.deadline)
    return (
        item.bot, item.source_key, payload, _encode([f.to_dict() for f in item.files]) if item.files else "[]",
        "" if item.parent_id is None else item.parent_id, item.priority, "" if deadline is None else deadline,
        to_ts(item.not_before) or 0, item.max_attempts, now, 1 if derive else 0,
    )  # fmt: skip


# The rows of one insert statement: the most, then fewer by halves, so that a batch of any
# size needs at most eight statements' shapes (sqlite3 keeps 128 compiled statements).
_ROWS = (128, 64, 32, 16, 8, 4, 2, 1)


@cache
def _many_rows(query: str, rows: int) -> str:
    """The query ``insert_items`` (one row of VALUES) for ``rows`` rows."""
    one = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
    assert query.count(one) == 1, "insert_items names one row of parameters"
    return query.replace(one, ", ".join([one] * rows))


def _insert_items(conn: sqlite3.Connection, query: str, rows: Sequence[tuple[Any, ...]]) -> int:
    """Insert the rows of :func:`_item_row` in their order; the number inserted (an item whose key
    is taken, by an earlier item or one of these, is left out)."""
    created, offset = 0, 0
    most = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // 11  # 250,000 parameters here; 999 before 3.32
    for size in _ROWS:
        if size > most:
            continue
        query_of_size = _many_rows(query, size)
        while len(rows) - offset >= size:
            # rowcount: the rows this statement inserted (DO NOTHING leaves the others uncounted)
            created += conn.execute(query_of_size, tuple(chain.from_iterable(rows[offset : offset + size]))).rowcount
            offset += size
    return created


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (triggers contain ``;`` inside ``BEGIN … END``)."""
    statements, current = [], []
    for line in script.splitlines():
        if line.lstrip().startswith("--") or not line.strip():
            continue
        current.append(line)
        joined = "\n".join(current)
        if sqlite3.complete_statement(joined):
            statements.append(joined)
            current = []
    return statements


__all__ = ["SQLiteStore", "migrations"]
