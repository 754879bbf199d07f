"""The work queue on SQLite: WAL mode, one writer transaction per operation.

Many processes may share one file: every write runs in ``BEGIN IMMEDIATE``, so claims are
serialised by SQLite's write lock and two runners never lease the same item.

Durability, as on PostgreSQL: enqueueing, every failure, release and human action, and the
effect ledger wait for the disk (``synchronous=FULL``). The hot path (claims, lease renewals,
a stage's payload update, business keys, completions) commits with ``synchronous=NORMAL``:
it survives a crash of the process (SIGKILL) like any commit; a power loss may forget the last
of them (never an earlier one without the later ones), which only sends an item back to an
earlier state (pending or processing). It is handled again, and the durable effect ledger
keeps every target call from happening twice.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backoffice.errors import IllegalTransition, ItemNotFound, LeaseLost
from backoffice.queue.base import (
    CANCEL_FROM,
    REJECT_FROM,
    RETRY_FROM,
    JournalEntry,
    NewItem,
    Status,
    Store,
    StoredFile,
    WorkItem,
    after_failure,
    check_transition,
    from_ts,
    to_ts,
)
from backoffice.queue import holds, queries
from backoffice.queue.codec import loads
from backoffice.queue.finder import Dialect, Finder, SQLFinder
from backoffice.queue.sqlite_effects import SQLiteEffects
from backoffice.queue.sqlite_keys import SQLiteKeys

_encode = json.JSONEncoder(default=str, ensure_ascii=False, separators=(",", ":")).encode

if TYPE_CHECKING:
    from backoffice.learning.store import LayoutStore
    from backoffice.queue.registry import Registry
    from backoffice.queue.users import SQLUsers

COLUMNS = (
    "id, bot, source_key, status, payload, files, parent_id, priority, deadline, not_before, "
    "attempts, max_attempts, lease_owner, lease_expires, reason, error_code, refs, created_at, updated_at"
)


def migrations() -> list[tuple[int, str]]:
    """The schema migrations, in order: ``(version, sql)``."""
    folder = resources.files("backoffice.queue") / "sql"
    found = []
    for entry in folder.iterdir():
        if entry.name.startswith("sqlite_") and entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_")[1]), entry.read_text()))
    return sorted(found)


def _row_to_item(row: Sequence[Any]) -> WorkItem:
    return WorkItem(
        id=row[0],
        bot=row[1],
        source_key=row[2],
        status=Status(row[3]),
        payload=loads(row[4]),
        files=tuple(StoredFile.from_dict(f) for f in json.loads(row[5])),
        parent_id=row[6],
        priority=row[7],
        deadline=from_ts(row[8]),
        not_before=from_ts(row[9]) if row[9] else None,
        attempts=row[10],
        max_attempts=row[11],
        lease_owner=row[12],
        lease_expires=from_ts(row[13]),
        reason=row[14],
        error_code=row[15],
        refs=json.loads(row[16]),
        created_at=from_ts(row[17]),  # type: ignore[arg-type]
        updated_at=from_ts(row[18]),  # type: ignore[arg-type]
    )


def _json_text(path: str) -> str:
    return f"json_extract(payload, '{path}')"


# How SQLite says what the UI's finder asks (backoffice.queue.finder.SQLFinder).
DIALECT = Dialect(
    name="sqlite", param=lambda name: f":{name}", text=_json_text, like="LIKE", collate="",  # LIKE ignores ASCII case
    row=_row_to_item, payload_text="payload", refs_text="refs",
    # the virtual column's index holds every vendor: scanning it reads no payload (migration 007)
    texts="",  # built from the payload, after a cheap test of its raw text
    vendor="SELECT id FROM items INDEXED BY items_by_vendor WHERE vendor >= '' AND vendor LIKE :vendor ESCAPE '\\'",
    # the planner would take items_by_status and read every exception's payload to sort
    exceptions_by=lambda column: f"items INDEXED BY items_exceptions_by_{column}",
)  # fmt: skip


class SQLiteStore(SQLiteKeys, SQLiteEffects, Store):
    def __init__(self, path: Path | str, *, clock: Callable[[], float] = time.time, timeout: float = 30.0):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self.clock = clock
        self._lock = threading.RLock()
        self._next_expiry_sweep = 0.0
        self.conn = sqlite3.connect(
            self.path, isolation_level=None, timeout=timeout, check_same_thread=False
        )
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

    def layouts(self) -> LayoutStore:
        """The learned layouts, in this database (see :mod:`backoffice.learning.store`)."""
        from backoffice.learning.store import SQLLayouts

        return SQLLayouts(self.conn, self._tx, self._lock, self.clock, "?")

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

    def _journal(
        self,
        conn: sqlite3.Connection,
        item_id: int,
        at: float,
        actor: str,
        action: str,
        from_status: str | None,
        to_status: str | None,
        why: str,
    ) -> None:
        conn.execute(
            "INSERT INTO journal (item_id, at, actor, action, from_status, to_status, why) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (item_id, at, actor, action, from_status, to_status, why),
        )

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
        decide: Callable[[sqlite3.Row], tuple[Status, dict[str, Any], str]] | None = None,
        allowed_from: tuple[Status, ...] | None = None,
    ) -> WorkItem:
        """Check and apply one transition with its journal entry, in one transaction.

        ``owner`` requires the item to be leased to that runner. ``decide`` may change the
        target status, the columns and the reason after seeing the current row.
        """
        with self._tx() as conn:
            row = conn.execute(
                "SELECT status, lease_owner, attempts, max_attempts FROM items WHERE id = ?", (item_id,)
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
            assignments = ", ".join(f"{name} = ?" for name in columns)
            updated = conn.execute(
                f"UPDATE items SET {assignments} WHERE id = ? RETURNING {COLUMNS}",
                (*columns.values(), item_id),
            ).fetchone()
            self._journal(conn, item_id, now, actor, action, row[0], to.value, why)
        return _row_to_item(updated)

    # -- intake --------------------------------------------------------------------------
    def _insert_args(self, item: NewItem, now: float) -> tuple:
        return (
            item.bot,
            item.source_key,
            _encode(item.payload) if item.payload else "{}",
            _encode([f.to_dict() for f in item.files]) if item.files else "[]",
            item.parent_id,
            item.priority,
            to_ts(item.deadline),
            to_ts(item.not_before) or 0,
            item.max_attempts,
            now,
            now,
        )

    _INSERT = (
        "INSERT INTO items (bot, source_key, payload, files, parent_id, priority, deadline, "
        "not_before, max_attempts, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (bot, source_key) DO NOTHING"
    )

    def enqueue(self, item: NewItem, *, actor: str = "intake") -> tuple[WorkItem, bool]:
        now = self.clock()
        with self._tx() as conn:
            cursor = conn.execute(self._INSERT, self._insert_args(item, now))
            created = cursor.rowcount == 1
            if created:
                self._journal(conn, cursor.lastrowid, now, actor, "enqueue", None, "pending", "")
            row = conn.execute(
                f"SELECT {COLUMNS} FROM items WHERE bot = ? AND source_key = ?", (item.bot, item.source_key)
            ).fetchone()
        if created:
            self.wake()
        return _row_to_item(row), created

    def enqueue_many(self, items: Iterable[NewItem], *, actor: str = "intake") -> int:
        now = self.clock()
        with self._tx() as conn:
            last = conn.execute("SELECT COALESCE(MAX(id), 0) FROM items").fetchone()[0]
            before = conn.total_changes
            conn.executemany(self._INSERT, (self._insert_args(item, now) for item in items))
            created = conn.total_changes - before
            conn.execute(
                "INSERT INTO journal (item_id, at, actor, action, from_status, to_status, why) "
                "SELECT id, ?, ?, 'enqueue', NULL, 'pending', '' FROM items WHERE id > ?",
                (now, actor, last),
            )
        if created:
            self.wake()
        return created

    def enqueue_families(
        self,
        families: Iterable[tuple[NewItem, Sequence[NewItem]]],
        *,
        actor: str = "intake",
        notes: Iterable[tuple[int, str, str]] = (),
    ) -> list[tuple[WorkItem, bool]]:
        from dataclasses import replace

        def insert(conn: sqlite3.Connection, item: NewItem) -> tuple[int, bool]:
            cursor = conn.execute(self._INSERT, self._insert_args(item, now))
            if cursor.rowcount == 1:
                self._journal(conn, cursor.lastrowid, now, actor, "enqueue", None, "pending", "")
                return cursor.lastrowid, True
            found = conn.execute("SELECT id FROM items WHERE bot = ? AND source_key = ?", (item.bot, item.source_key))
            return found.fetchone()[0], False

        now = self.clock()
        added = []
        with self._tx() as conn:
            for item_id, action, why in notes:
                if conn.execute("SELECT 1 FROM items WHERE id = ?", (item_id,)).fetchone() is None:
                    raise ItemNotFound(item_id)
                self._journal(conn, item_id, now, actor, action, None, None, why)
            for parent, children in families:
                parent_id, created = insert(conn, parent)
                if created:
                    ids = [insert(conn, replace(child, parent_id=parent_id))[0] for child in children]
                    row = conn.execute(
                        f"UPDATE items SET payload = ? WHERE id = ? RETURNING {COLUMNS}",
                        (_encode({**parent.payload, "children": ids}), parent_id),
                    ).fetchone()
                else:
                    row = conn.execute(f"SELECT {COLUMNS} FROM items WHERE id = ?", (parent_id,)).fetchone()
                added.append((_row_to_item(row), created))
        if any(created for _, created in added):
            self.wake()
        return added

    # -- the runner's side ---------------------------------------------------------------
    def _expire(self, conn: sqlite3.Connection, now: float) -> int:
        expired = conn.execute(
            "SELECT id, lease_owner, attempts, max_attempts FROM items "
            "WHERE status = 'processing' AND lease_expires < ?",
            (now,),
        ).fetchall()
        for item_id, owner, attempts, max_attempts in expired:
            why = f"lease of {owner} expired"
            if attempts >= max_attempts:
                to, reason, code = Status.EXCEPTION, f"{why}; retries used up ({attempts})", "lease-expired"
            else:
                to, reason, code = Status.PENDING, None, None
            conn.execute(
                "UPDATE items SET status = ?, lease_owner = NULL, lease_expires = NULL, reason = COALESCE(?, reason), "
                "error_code = COALESCE(?, error_code), updated_at = ? WHERE id = ?",
                (to.value, reason, code, now, item_id),
            )
            self._journal(conn, item_id, now, "queue", "lease-expired", "processing", to.value, why)
        return len(expired)

    def expire_leases(self) -> int:
        with self._tx() as conn:
            return self._expire(conn, self.clock())

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

    def extend(self, item_id: int, owner: str, *, lease: float = 300.0) -> None:
        with self._tx(durable=False) as conn:
            cursor = conn.execute(
                "UPDATE items SET lease_expires = ? WHERE id = ? AND status = 'processing' AND lease_owner = ?",
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
        sets: dict[str, Any] = {} if payload is None else {"payload": _encode(payload)}  # encoded outside the lock
        with self._tx(durable=False) as conn:
            if refs:
                row = conn.execute(
                    "SELECT refs FROM items WHERE id = ? AND status = 'processing' AND lease_owner = ?",
                    (item_id, owner),
                ).fetchone()
                if row is not None:
                    sets["refs"] = json.dumps({**json.loads(row[0]), **refs})
            sets["updated_at"] = self.clock()
            assignments = ", ".join(f"{name} = ?" for name in sets)
            updated = conn.execute(
                f"UPDATE items SET {assignments} WHERE id = ? AND status = 'processing' AND lease_owner = ? "
                f"RETURNING {COLUMNS}",
                (*sets.values(), item_id, owner),
            ).fetchone()
            if updated is None:
                self.get(item_id)  # ItemNotFound when it does not exist at all
                raise LeaseLost(item_id, owner)
        return _row_to_item(updated)

    _UNLEASE = {"lease_owner": None, "lease_expires": None}

    def complete(self, item_id: int, owner: str, *, why: str = "") -> WorkItem:
        # The hot path: one guarded UPDATE; _move explains the refusal when it matches nothing.
        with self._tx(durable=False) as conn:
            now = self.clock()
            row = conn.execute(
                "UPDATE items SET status = 'done', lease_owner = NULL, lease_expires = NULL, reason = NULL, "
                f"error_code = NULL, updated_at = ? WHERE id = ? AND status = 'processing' AND lease_owner = ? "
                f"RETURNING {COLUMNS}",
                (now, item_id, owner),
            ).fetchone()
            if row is not None:
                self._journal(conn, item_id, now, owner, "complete", "processing", "done", why)
        if row is not None:  # decoded after the commit, outside the write lock
            return _row_to_item(row)
        return self._move(item_id, Status.DONE, actor=owner, action="complete", why=why, owner=owner)

    def retry_later(
        self, item_id: int, owner: str, *, reason: str, code: str, not_before: datetime
    ) -> WorkItem:
        def decide(row: sqlite3.Row) -> tuple[Status, dict[str, Any], str]:
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
        released = self._move(
            item_id, Status.PENDING, actor=owner, action="release", why=why, owner=owner,
            sets={**self._UNLEASE, "not_before": to_ts(not_before) or 0},
            decide=lambda row: (Status.PENDING, {"attempts": max(row[2] - 1, 0)}, why),
        )  # fmt: skip
        self.wake()
        return released

    # -- a person's side -----------------------------------------------------------------
    def retry(self, item_id: int, *, actor: str, why: str = "") -> WorkItem:
        retried = self._move(
            item_id, Status.PENDING, actor=actor, action="retry", why=why, allowed_from=RETRY_FROM,
            sets={"attempts": 0, "not_before": 0, "reason": None, "error_code": None},
        )  # fmt: skip
        self.wake()
        return retried

    def cancel(self, item_id: int, *, actor: str, why: str = "") -> WorkItem:
        return self._move(item_id, Status.CANCELLED, actor=actor, action="cancel", why=why, allowed_from=CANCEL_FROM)

    def reject_item(self, item_id: int, *, actor: str, why: str) -> WorkItem:
        return self._move(
            item_id, Status.REJECTED, actor=actor, action="reject", why=why, allowed_from=REJECT_FROM,
            sets={"reason": why, "error_code": "rejected"},
        )

    def amend(self, item_id: int, *, actor: str, action: str, payload: dict[str, Any], why: str = "") -> WorkItem:
        with self._tx() as conn:
            row = conn.execute("SELECT status FROM items WHERE id = ?", (item_id,)).fetchone()
            if row is None:
                raise ItemNotFound(item_id)
            if row[0] == Status.PROCESSING:
                raise IllegalTransition(item_id, row[0], f"{row[0]} (amended by {actor})")
            now = self.clock()
            updated = conn.execute(
                f"UPDATE items SET payload = ?, updated_at = ? WHERE id = ? RETURNING {COLUMNS}",
                (_encode(payload), now, item_id),
            ).fetchone()
            self._journal(conn, item_id, now, actor, action, None, None, why)
        return _row_to_item(updated)

    def note(self, item_id: int, *, actor: str, action: str, why: str = "") -> None:
        with self._tx() as conn:
            if conn.execute("SELECT 1 FROM items WHERE id = ?", (item_id,)).fetchone() is None:
                raise ItemNotFound(item_id)
            self._journal(conn, item_id, self.clock(), actor, action, None, None, why)

    def hold(self, item_id: int, person: str, *, seconds: float = 300.0) -> str:
        with self._tx(durable=False) as conn:
            taken = holds.take(conn, "sqlite", item_id, person, seconds=seconds, now=self.clock())
        if taken is None:  # let go of between two statements: take it now
            return self.hold(item_id, person, seconds=seconds)
        return taken

    def holders(self) -> dict[int, str]:
        with self._lock:
            return holds.running(self.conn, "sqlite", self.clock())

    # -- reading -------------------------------------------------------------------------
    def get(self, item_id: int) -> WorkItem:
        with self._lock:
            row = self.conn.execute(f"SELECT {COLUMNS} FROM items WHERE id = ?", (item_id,)).fetchone()
        if row is None:
            raise ItemNotFound(item_id)
        return _row_to_item(row)

    def find(self, bot: str, source_key: str) -> WorkItem | None:
        with self._lock:
            row = self.conn.execute(
                f"SELECT {COLUMNS} FROM items WHERE bot = ? AND source_key = ?", (bot, source_key)
            ).fetchone()
        return _row_to_item(row) if row else None

    def list(
        self, *, status: Status | None = None, bot: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[WorkItem]:
        clauses, args = [], []
        if status is not None:
            clauses.append("status = ?")
            args.append(Status(status).value)
        if bot is not None:
            clauses.append("bot = ?")
            args.append(bot)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._lock:
            rows = self.conn.execute(
                f"SELECT {COLUMNS} FROM items {where} ORDER BY id DESC LIMIT ? OFFSET ?", (*args, limit, offset)
            ).fetchall()
        return [_row_to_item(r) for r in rows]

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        with self._lock:
            rows = self.conn.execute("SELECT bot, status, COUNT(*) FROM items GROUP BY bot, status").fetchall()
        for bot, status, n in rows:
            out.setdefault(bot, {})[status] = n
        return out

    def oldest_pending(self) -> dict[str, float]:
        with self._lock:
            return dict(self.conn.execute(queries.load("status", "sqlite")["oldest_pending"]).fetchall())

    def journal(self, item_id: int) -> list[JournalEntry]:
        with self._lock:
            rows = self.conn.execute(
                "SELECT item_id, at, actor, action, from_status, to_status, why FROM journal "
                "WHERE item_id = ? ORDER BY id",
                (item_id,),
            ).fetchall()
        if not rows:
            self.get(item_id)  # ItemNotFound for an unknown item; a known one always has entries
        return [
            JournalEntry(
                item_id=r[0], at=from_ts(r[1]), actor=r[2], action=r[3],  # type: ignore[arg-type]
                from_status=Status(r[4]) if r[4] else None, to_status=Status(r[5]) if r[5] else None, why=r[6],
            )  # fmt: skip
            for r in rows
        ]

    def close(self) -> None:
        with self._lock:
            self.conn.close()


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
