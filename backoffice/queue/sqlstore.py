"""The work queue on SQL, written once for SQLite and PostgreSQL.

A backend (:mod:`backoffice.queue.sqlite`, :mod:`backoffice.queue.postgres`) is a narrow
transport, in the manner of procrastinate's connector: a connection, its transactions, how JSON
goes in and comes out, how waiters are woken, and the hot path where one backend can do it in
fewer round trips. Everything else is here: the moves (decided by
:mod:`backoffice.queue.lifecycle`), intake, the effect ledger, the journal and the reads, each a
named query of ``queries/items.sql`` and ``queries/effects.sql``; a query one backend says
otherwise is written again in ``queries/NAME.sqlite.sql`` or ``queries/NAME.postgres.sql``.
"""

from __future__ import annotations

import abc
import builtins
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any, NamedTuple, NoReturn

from backoffice.errors import ItemNotFound, LeaseLost, QueueError
from backoffice.queue import holds, lifecycle, queries
from backoffice.queue.base import (
    CLAIMABLE,
    Effect,
    EffectState,
    JournalEntry,
    NewItem,
    Status,
    Store,
    StoredFile,
    WorkItem,
    from_ts,
    to_ts,
)
from backoffice.queue.finder import COLUMNS


class _State(NamedTuple):
    """An item's row as :func:`lifecycle.decide` reads it (the query ``state``)."""

    status: str
    lease_owner: str | None
    attempts: int
    max_attempts: int


def row_to_item(row: Sequence[Any], decode: Callable[[Any], Any]) -> WorkItem:
    """A row of :data:`COLUMNS` as an item; ``decode`` reads a JSON column (identity when the
    driver has decoded it already)."""
    return WorkItem(
        id=row[0], bot=row[1], source_key=row[2], status=Status(row[3]), payload=decode(row[4]),
        files=tuple(StoredFile.from_dict(f) for f in decode(row[5])), parent_id=row[6], priority=row[7],
        deadline=from_ts(row[8]), not_before=from_ts(row[9]) if row[9] else None, attempts=row[10],
        max_attempts=row[11], lease_owner=row[12], lease_expires=from_ts(row[13]), reason=row[14],
        error_code=row[15], refs=decode(row[16]), created_at=from_ts(row[17]),  # type: ignore[arg-type]
        updated_at=from_ts(row[18]),  # type: ignore[arg-type]
    )  # fmt: skip


def row_to_effect(row: Sequence[Any]) -> Effect:
    return Effect(
        item_id=row[0], target=row[1], key=row[2], state=EffectState(row[3]), external_id=row[4],
        calls=row[5], reason=row[6], created_at=from_ts(row[7]), updated_at=from_ts(row[8]),  # type: ignore[arg-type]
    )  # fmt: skip


def migrations(backend: str) -> list[tuple[int, str]]:
    """The backend's schema migrations (``sql/BACKEND_NNN_*.sql``), in order: ``(version, sql)``."""
    found = []
    for entry in (resources.files("backoffice.queue") / "sql").iterdir():
        if entry.name.startswith(f"{backend}_") and entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_")[1]), entry.read_text()))
    return sorted(found)


def _entry(row: Sequence[Any]) -> JournalEntry:
    return JournalEntry(
        item_id=row[0], at=datetime.fromtimestamp(row[1], UTC), actor=row[2], action=row[3],
        from_status=Status(row[4]) if row[4] else None, to_status=Status(row[5]) if row[5] else None, why=row[6],
    )  # fmt: skip


@cache
def _update(columns: tuple[str, ...], backend: str) -> str:
    """``UPDATE items SET a = :a, … WHERE id = :id`` for the columns a move writes (names come
    from lifecycle, never from a caller)."""
    assignments = ", ".join(f"{name} = :{name}" for name in columns)
    return queries.adapt(f"UPDATE items SET {assignments} WHERE id = :id RETURNING {COLUMNS}", backend)


class SQLStore(Store):
    """The store's logic on a SQL backend; a subclass gives the transport."""

    backend: str  # "sqlite" or "postgres": which named queries
    conn: Any
    clock: Callable[[], float]
    _lock: threading.RLock

    def __init__(self) -> None:
        self.q = queries.load("items", self.backend)
        self.eq = queries.load("effects", self.backend)

    # -- the transport ----------------------------------------------------------------------
    @abc.abstractmethod
    def _tx(self, durable: bool = True) -> AbstractContextManager[Any]:
        """One write transaction on :attr:`conn` (``durable=False``: the hot path's commit)."""

    @abc.abstractmethod
    def _json(self, value: Any) -> Any:
        """A JSON value as the driver takes it for a JSON column."""

    @abc.abstractmethod
    def _row(self, row: Sequence[Any]) -> WorkItem:
        """A row of :data:`COLUMNS` as an item."""

    @abc.abstractmethod
    def _notify(self, conn: Any, bot: str | None = None) -> None:
        """Inside a transaction: work of ``bot`` (None: of any bot) may be due."""

    @abc.abstractmethod
    def _expire(self, conn: Any, now: float) -> int:
        """Inside a transaction: every lease run out by ``now`` as :func:`lifecycle.expired` says."""

    # -- plumbing -----------------------------------------------------------------------------
    def _one(self, query: str, args: Mapping[str, Any]) -> Any:
        with self._lock:
            return self.conn.execute(query, args).fetchone()

    def _all(self, query: str, args: Mapping[str, Any]) -> list[Any]:
        with self._lock:
            return self.conn.execute(query, args).fetchall()

    def _journal_entry(
        self, conn: Any, item_id: int, at: float, actor: str, action: str, frm: str | None, to: str | None, why: str
    ) -> None:
        conn.execute(self.q["journal_entry"], {"item_id": item_id, "at": at, "actor": actor, "action": action,
                                               "from_status": frm, "to_status": to, "why": why})  # fmt: skip

    def _exists(self, conn: Any, item_id: int) -> None:
        if conn.execute(self.q["item_exists"], {"id": item_id}).fetchone() is None:
            raise ItemNotFound(item_id)

    def _write_move(self, conn: Any, item_id: int, state: str, to: Status, sets: dict[str, Any],
                    actor: str, action: str, why: str) -> Any:  # fmt: skip
        """Write a decided move and its journal entry; the updated row."""
        now = self.clock()
        columns = {**sets, "status": to.value, "updated_at": now}
        row = conn.execute(_update(tuple(columns), self.backend), {**columns, "id": item_id}).fetchone()
        self._journal_entry(conn, item_id, now, actor, action, state, to.value, why)
        return row

    def _transition(self, item_id: int, move: lifecycle.Move) -> WorkItem:
        with self._tx() as conn:
            row = conn.execute(self.q["state"], {"id": item_id}).fetchone()
            if row is None:
                raise ItemNotFound(item_id)
            state = _State(*row)
            to, sets, why = lifecycle.decide(item_id, move, state)
            updated = self._write_move(conn, item_id, state.status, to, sets, move.actor, move.action, why)
            if move.wake and to in CLAIMABLE:
                self._notify(conn, updated[1])
        return self._row(updated)

    # -- intake -------------------------------------------------------------------------------
    def _item_args(self, item: NewItem, now: float) -> dict[str, Any]:
        return {
            "bot": item.bot, "source_key": item.source_key, "payload": self._json(item.payload or {}),
            "files": self._json([f.to_dict() for f in item.files]), "parent_id": item.parent_id,
            "priority": item.priority, "deadline": to_ts(item.deadline), "not_before": to_ts(item.not_before) or 0,
            "max_attempts": item.max_attempts, "now": now,
        }  # fmt: skip

    def _insert_row(self, conn: Any, item: NewItem, now: float) -> int | None:
        """The new row's id, or None when the item's key names one already."""
        new = conn.execute(self.q["insert_item"], self._item_args(item, now)).fetchone()
        return None if new is None else new[0]

    def _insert(self, conn: Any, item: NewItem, now: float, actor: str) -> tuple[int, bool]:
        """The item's id and whether it is new (journaled), or the id of the one its key names."""
        new = self._insert_row(conn, item, now)
        if new is not None:
            self._journal_entry(conn, new, now, actor, "enqueue", None, "pending", "")
            return new, True
        return conn.execute(self.q["id_of_key"], {"bot": item.bot, "source_key": item.source_key}).fetchone()[0], False

    def enqueue(self, item: NewItem, *, actor: str = "intake") -> tuple[WorkItem, bool]:
        now = self.clock()
        with self._tx() as conn:
            item_id, created = self._insert(conn, item, now, actor)
            if created:
                self._notify(conn, item.bot)
            row = conn.execute(self.q["item"], {"id": item_id}).fetchone()
        return self._row(row), created

    def enqueue_families(
        self,
        families: Iterable[tuple[NewItem, Sequence[NewItem]]],
        *,
        actor: str = "intake",
        notes: Iterable[tuple[int, str, str]] = (),
    ) -> list[tuple[WorkItem, bool]]:
        now = self.clock()
        added = []
        with self._tx() as conn:
            for item_id, action, why in notes:
                self._exists(conn, item_id)
                self._journal_entry(conn, item_id, now, actor, action, None, None, why)
            for parent, children in families:
                parent_id, created = self._insert(conn, parent, now, actor)
                if created:
                    ids = [self._insert(conn, replace(child, parent_id=parent_id), now, actor)[0] for child in children]
                    payload = self._json({**parent.payload, "children": ids})
                    row = conn.execute(self.q["link_children"], {"payload": payload, "id": parent_id}).fetchone()
                else:
                    row = conn.execute(self.q["item"], {"id": parent_id}).fetchone()
                added.append((self._row(row), created))
            if any(created for _, created in added):
                self._notify(conn)
        return added

    # -- the runner's side --------------------------------------------------------------------
    def expire_leases(self) -> int:
        with self._tx() as conn:
            return self._expire(conn, self.clock())

    def extend(self, item_id: int, owner: str, *, lease: float = 300.0) -> None:
        with self._tx(durable=False) as conn:
            args = {"expires": self.clock() + lease, "id": item_id, "owner": owner}
            if conn.execute(self.q["extend"], args).rowcount != 1:
                raise LeaseLost(item_id, owner)

    def update(
        self,
        item_id: int,
        owner: str,
        *,
        payload: dict[str, Any] | None = None,
        refs: dict[str, str] | None = None,
    ) -> WorkItem:
        args = {
            "payload": None if payload is None else self._json(payload),
            "refs": self._json(refs or {}),
            "id": item_id,
            "owner": owner,
        }  # fmt: skip  (encoded outside the lock)
        with self._tx(durable=False) as conn:
            row = conn.execute(self.q["update"], {**args, "now": self.clock()}).fetchone()
        if row is None:
            self.get(item_id)  # ItemNotFound when it does not exist at all
            raise LeaseLost(item_id, owner)
        return self._row(row)

    # -- the effect ledger --------------------------------------------------------------------
    def intend(self, item_id: int, owner: str, target: str, key: str) -> Effect:
        with self._tx() as conn:
            held = conn.execute(self.eq["lease"], {"item_id": item_id}).fetchone()
            if held is None:
                raise ItemNotFound(item_id)
            if held[0] != Status.PROCESSING or held[1] != owner:
                raise LeaseLost(item_id, owner)
            args = {"item_id": item_id, "target": target, "key": key, "now": self.clock()}
            row = conn.execute(self.eq["intend"], args).fetchone()
            if row is None:  # already done: left as it is
                row = conn.execute(self.eq["effect"], args).fetchone()
        return row_to_effect(row)

    def _decided(self, conn: Any, query: str, args: dict[str, Any]) -> tuple[Any, bool]:
        """An effect settled or rejected now (True), or as it was (a done one stays done)."""
        row = conn.execute(self.eq[query], args).fetchone()
        if row is not None:
            return row, True
        row = conn.execute(self.eq["effect"], args).fetchone()
        if row is None:
            self._no_intent(conn, args["item_id"], args["target"])
        return row, False

    def settle(self, item_id: int, target: str, external_id: str) -> Effect:
        with self._tx() as conn:
            now = self.clock()
            args = {"item_id": item_id, "target": target, "external_id": external_id, "now": now}
            row, settled = self._decided(conn, "settle", args)
            if settled:  # the item's refs name it; a done effect keeps its first id
                conn.execute(self.eq["name_ref"], {"refs": self._json({target: external_id}), **args})
        return row_to_effect(row)

    def reject(self, item_id: int, target: str, *, reason: str) -> Effect:
        with self._tx() as conn:
            args = {"item_id": item_id, "target": target, "reason": reason, "now": self.clock()}
            row, _ = self._decided(conn, "reject", args)
        return row_to_effect(row)

    def effects(self, item_id: int) -> builtins.list[Effect]:
        with self._lock:
            rows = self.conn.execute(self.eq["effects"], {"item_id": item_id}).fetchall()
            if not rows:
                self._exists(self.conn, item_id)
        return [row_to_effect(r) for r in rows]

    def _no_intent(self, conn: Any, item_id: int, target: str) -> NoReturn:
        self._exists(conn, item_id)
        raise QueueError(f"item {item_id}: no call to {target} was intended")

    # -- a person's side ----------------------------------------------------------------------
    def amend(self, item_id: int, *, actor: str, action: str, payload: dict[str, Any], why: str = "") -> WorkItem:
        with self._tx() as conn:
            row = conn.execute(self.q["status"], {"id": item_id}).fetchone()
            if row is None:
                raise ItemNotFound(item_id)
            lifecycle.check_amend(item_id, row[0], actor)
            now = self.clock()
            updated = conn.execute(self.q["amend"], {"payload": self._json(payload), "now": now, "id": item_id})
            updated = updated.fetchone()
            self._journal_entry(conn, item_id, now, actor, action, None, None, why)
        return self._row(updated)

    def note(self, item_id: int, *, actor: str, action: str, why: str = "") -> None:
        with self._tx() as conn:
            self._exists(conn, item_id)
            self._journal_entry(conn, item_id, self.clock(), actor, action, None, None, why)

    def hold(self, item_id: int, person: str, *, seconds: float = 300.0) -> str:
        with self._tx(durable=False) as conn:
            taken = holds.take(conn, self.backend, item_id, person, seconds=seconds, now=self.clock())
        if taken is None:  # let go of between two statements: take it now
            return self.hold(item_id, person, seconds=seconds)
        return taken

    def holders(self) -> dict[int, str]:
        with self._lock:
            return holds.running(self.conn, self.backend, self.clock())

    # -- reading --------------------------------------------------------------------------------
    def get(self, item_id: int) -> WorkItem:
        row = self._one(self.q["item"], {"id": item_id})
        if row is None:
            raise ItemNotFound(item_id)
        return self._row(row)

    def find(self, bot: str, source_key: str) -> WorkItem | None:
        row = self._one(self.q["item_of_key"], {"bot": bot, "source_key": source_key})
        return self._row(row) if row else None

    def list(
        self, *, status: Status | None = None, bot: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[WorkItem]:
        args = {"limit": limit, "offset": offset, "bot": bot}
        query = "list_by_bot" if bot is not None else "list"
        if status is not None:
            args["status"] = Status(status).value  # ValueError for a bogus status
            query = "list_by_status_bot" if bot is not None else "list_by_status"
        return [self._row(r) for r in self._all(self.q[query], args)]

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for bot, status, n in self._all(self.q["counts"], {}):
            out.setdefault(bot, {})[status] = n
        return out

    def oldest_pending(self) -> dict[str, float]:
        return dict(self._all(queries.load("status", self.backend)["oldest_pending"], {}))

    def journal(self, item_id: int) -> builtins.list[JournalEntry]:  # `list` is a method here
        rows = self._all(self.q["journal"], {"id": item_id})
        if not rows:
            self.get(item_id)  # ItemNotFound for an unknown item; a known one always has entries
        return [_entry(r) for r in rows]

    # -- the business keys' definitions (the keys themselves: sqlite_keys, postgres_keys) ------
    def key_definitions(self, bot: str) -> dict[str, str]:
        return dict(self._all(self.q["key_definitions"], {"bot": bot}))

    def set_key_definitions(self, bot: str, definitions: Mapping[str, str]) -> None:
        with self._tx() as conn:
            conn.execute(self.q["drop_key_definitions"], {"bot": bot})
            for rule, definition in definitions.items():
                conn.execute(self.q["put_key_definition"], {"bot": bot, "rule": rule, "definition": definition})

    def close(self) -> None:
        with self._lock:
            self.conn.close()


__all__ = ["SQLStore", "row_to_effect", "row_to_item"]
