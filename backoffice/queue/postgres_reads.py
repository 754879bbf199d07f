"""Reading the work queue on PostgreSQL: a mixin of :class:`backoffice.queue.postgres.PostgresStore`
(it uses the store's connection and lock). The contract is in :class:`backoffice.queue.base.Store`."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from backoffice.errors import ItemNotFound
from backoffice.queue import queries
from backoffice.queue.base import JournalEntry, Status, StoredFile, WorkItem, from_ts
from backoffice.queue.finder import Dialect

if TYPE_CHECKING:
    import psycopg

COLUMNS = (
    "id, bot, source_key, status, payload, files, parent_id, priority, deadline, not_before, "
    "attempts, max_attempts, lease_owner, lease_expires, reason, error_code, refs, created_at, updated_at"
)


def row_to_item(row: Sequence) -> WorkItem:
    return WorkItem(
        id=row[0], bot=row[1], source_key=row[2], status=Status(row[3]), payload=row[4],
        files=tuple(StoredFile.from_dict(f) for f in row[5]), parent_id=row[6], priority=row[7],
        deadline=from_ts(row[8]), not_before=from_ts(row[9]) if row[9] else None, attempts=row[10],
        max_attempts=row[11], lease_owner=row[12], lease_expires=from_ts(row[13]), reason=row[14],
        error_code=row[15], refs=row[16], created_at=from_ts(row[17]),  # type: ignore[arg-type]
        updated_at=from_ts(row[18]),  # type: ignore[arg-type]
    )  # fmt: skip


def _json_text(path: str) -> str:
    return f"(payload #>> '{{{','.join(path.removeprefix('$.').split('.'))}}}')"


# How PostgreSQL says what the UI's finder asks (backoffice.queue.finder.SQLFinder).
DIALECT = Dialect(
    name="postgres", param=lambda name: f"%({name})s", text=_json_text, like="ILIKE",
    collate=' COLLATE "C"', row=row_to_item, payload_text="", refs_text="refs::text",
    # a narrow table a trigger keeps (migration 6), instead of every payload
    vendor="SELECT item_id FROM item_texts WHERE vendor ILIKE %(vendor)s ESCAPE '\\'",
    texts="id IN (SELECT item_id FROM item_texts WHERE texts ILIKE %(q)s ESCAPE '\\')",
    exceptions_by=lambda column: "items",  # the planner finds the partial index by itself
)  # fmt: skip


class PostgresReads:
    if TYPE_CHECKING:
        conn: psycopg.Connection
        _lock: threading.RLock

        def _one(self, query: str, args: Sequence = ()) -> tuple | None: ...

    def get(self, item_id: int) -> WorkItem:
        row = self._one(f"SELECT {COLUMNS} FROM items WHERE id = %s", (item_id,))
        if row is None:
            raise ItemNotFound(item_id)
        return row_to_item(row)

    def find(self, bot: str, source_key: str) -> WorkItem | None:
        row = self._one(f"SELECT {COLUMNS} FROM items WHERE bot = %s AND source_key = %s", (bot, source_key))
        return row_to_item(row) if row else None

    def list(
        self, *, status: Status | None = None, bot: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[WorkItem]:
        clauses, args = [], []
        if status is not None:
            clauses.append("status = %s")
            args.append(Status(status).value)
        if bot is not None:
            clauses.append("bot = %s")
            args.append(bot)
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        with self._lock:
            rows = self.conn.execute(
                f"SELECT {COLUMNS} FROM items {where} ORDER BY id DESC LIMIT %s OFFSET %s", (*args, limit, offset)
            ).fetchall()
        return [row_to_item(r) for r in rows]

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        with self._lock:
            rows = self.conn.execute("SELECT bot, status, COUNT(*) FROM items GROUP BY bot, status").fetchall()
        for bot, status, n in rows:
            out.setdefault(bot, {})[status] = n
        return out

    def oldest_pending(self) -> dict[str, float]:
        """``{bot: created_at}`` of the oldest claimable item of each bot (for metrics)."""
        with self._lock:
            return dict(self.conn.execute(queries.load("status", "postgres")["oldest_pending"]).fetchall())

    def journal(self, item_id: int) -> list[JournalEntry]:
        with self._lock:
            rows = self.conn.execute(
                "SELECT item_id, at, actor, action, from_status, to_status, why FROM journal "
                "WHERE item_id = %s ORDER BY id",
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
