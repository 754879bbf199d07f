"""Where learned layouts are kept: the queue's own database (tables ``learned_layouts``,
``layout_journal`` and ``layout_generation``; migrations ``sqlite_006_learned_layouts.sql`` and
``postgres_005_learned_layouts.sql``), so every runner of a deployment reads with what any
supervisor taught. ``Store.learned_layouts()`` gives the store's :class:`LayoutRecords`.

The queue keeps a layout as a :class:`LayoutRecord`: the columns it lists by and the body
(JSON) that :mod:`backoffice.learning` reads and writes; what a layout means is learning's
(:mod:`backoffice.learning.store` turns records into layouts), so the queue does not import it.

Every change (learn, revise, drop, delete) appends one journal entry: who, which item, which
fields; the journal outlives the layouts it speaks of. ``generation()`` changes with every
change, so a runner rebuilds its index only when something was learned or forgotten.
"""

from __future__ import annotations

import abc
import builtins
import json
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from backoffice.errors import QueueError
from backoffice.queue import queries


class LayoutNotFound(QueueError):
    """No learned layout has this id (the queue's database keeps them)."""

    def __init__(self, layout_id: int):
        super().__init__(f"no learned layout {layout_id}")
        self.layout_id = layout_id


@dataclass(frozen=True)
class LayoutRecord:
    """A learned layout as the queue keeps it (``id`` 0 until stored)."""

    kind: str
    body: dict[str, Any]  # what learning reads the layout from (its kind and senders too)
    senders: dict[str, str] = field(default_factory=dict)
    id: int = 0
    item: int | None = None  # the item of the last lesson
    taught_by: str = ""
    at: str = ""
    reads: int = 0
    corrected: int = 0


@dataclass(frozen=True)
class Change:
    """One journal entry of the learned layouts."""

    layout_id: int
    at: str
    actor: str
    item_id: int | None
    action: str  # learn, revise, drop, delete
    fields: tuple[str, ...]
    why: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "layout": self.layout_id,
            "at": self.at,
            "actor": self.actor,
            "item": self.item_id,
            "action": self.action,
            "fields": list(self.fields),
            "why": self.why,
        }


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


class LayoutRecords(abc.ABC):
    """Learned layouts and their journal."""

    @abc.abstractmethod
    def save(
        self,
        record: LayoutRecord,
        *,
        actor: str,
        item_id: int | None,
        action: str,
        fields: Sequence[str],
        why: str = "",
    ) -> LayoutRecord:
        """Add the record (``id`` 0) or replace the one with its id (keeping its reads); journal
        ``action``; return it stored."""

    @abc.abstractmethod
    def delete(
        self, layout_id: int, *, actor: str, item_id: int | None = None, action: str = "delete", why: str = ""
    ) -> None:
        """Forget a layout (LayoutNotFound when there is none); journal ``action``."""

    @abc.abstractmethod
    def get(self, layout_id: int) -> LayoutRecord:
        """The record, or LayoutNotFound."""

    @abc.abstractmethod
    def list(self) -> list[LayoutRecord]:
        """Every record, oldest first."""

    @abc.abstractmethod
    def count_read(self, layout_id: int) -> None:
        """One more document was read with the layout (a deleted one is left alone)."""

    @abc.abstractmethod
    def generation(self) -> int:
        """A number that changes whenever a layout is saved or deleted."""

    @abc.abstractmethod
    def journal(self, layout_id: int | None = None) -> builtins.list[Change]:  # list is a method here
        """The changes (to one layout, or to all), oldest first."""


class MemoryLayoutRecords(LayoutRecords):
    """Records in a dict, for unit tests and the memory queue."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock = clock
        self._records: dict[int, LayoutRecord] = {}
        self._journal: builtins.list[Change] = []
        self._next = 1
        self._generation = 0
        self._lock = threading.Lock()

    def save(self, record, *, actor, item_id, action, fields, why=""):
        with self._lock:
            if record.id == 0:
                record = replace(record, id=self._next)
                self._next += 1
            elif record.id not in self._records:
                raise LayoutNotFound(record.id)
            else:
                record = replace(record, reads=self._records[record.id].reads)
            self._records[record.id] = record
            self._journal.append(Change(record.id, iso(self.clock()), actor, item_id, action, tuple(fields), why))
            self._generation += 1
            return record

    def delete(self, layout_id, *, actor, item_id=None, action="delete", why=""):
        with self._lock:
            if self._records.pop(layout_id, None) is None:
                raise LayoutNotFound(layout_id)
            self._journal.append(Change(layout_id, iso(self.clock()), actor, item_id, action, (), why))
            self._generation += 1

    def get(self, layout_id):
        found = self._records.get(layout_id)
        if found is None:
            raise LayoutNotFound(layout_id)
        return found

    def list(self):
        return [record for _, record in sorted(self._records.items())]

    def count_read(self, layout_id):
        with self._lock:
            if layout_id in self._records:
                record = self._records[layout_id]
                self._records[layout_id] = replace(record, reads=record.reads + 1)

    def generation(self):
        return self._generation

    def journal(self, layout_id=None):
        return [c for c in self._journal if layout_id is None or c.layout_id == layout_id]


class SQLLayoutRecords(LayoutRecords):
    """Records in the queue's SQL database, through the store's connection and transactions
    (named queries: ``queries/layouts.sql``)."""

    def __init__(
        self,
        conn: Any,
        tx: Callable[..., AbstractContextManager[Any]],
        lock: AbstractContextManager,
        clock: Callable[[], float],
        backend: str,
    ):
        self.conn, self._tx, self._lock, self.clock = conn, tx, lock, clock
        self.q = queries.load("layouts", backend)

    def _journal_entry(
        self, conn: Any, layout_id: int, actor: str, item_id: int | None, action: str, fields: Sequence[str], why: str
    ) -> None:
        conn.execute(self.q["journal_entry"], {"layout_id": layout_id, "at": iso(self.clock()), "actor": actor,
                     "item_id": item_id, "action": action, "fields": json.dumps(list(fields)), "why": why})  # fmt: skip
        conn.execute(self.q["changed"])

    def save(self, record, *, actor, item_id, action, fields, why=""):
        columns = {
            "kind": record.kind, "senders": json.dumps(record.senders), "item_id": record.item,
            "body": json.dumps(record.body, ensure_ascii=False, sort_keys=True), "taught_by": record.taught_by,
            "at": record.at, "reads": record.reads, "corrected": record.corrected, "id": record.id,
        }  # fmt: skip
        with self._tx() as conn:
            if record.id == 0:
                record = replace(record, id=conn.execute(self.q["insert"], columns).fetchone()[0])
            else:
                row = conn.execute(self.q["update"], columns).fetchone()
                if row is None:
                    raise LayoutNotFound(record.id)
                record = replace(record, reads=row[0])
            self._journal_entry(conn, record.id, actor, item_id, action, fields, why)
        return record

    def delete(self, layout_id, *, actor, item_id=None, action="delete", why=""):
        with self._tx() as conn:
            if conn.execute(self.q["delete"], {"id": layout_id}).fetchone() is None:
                raise LayoutNotFound(layout_id)
            self._journal_entry(conn, layout_id, actor, item_id, action, (), why)

    @staticmethod
    def _record(row: Sequence[Any]) -> LayoutRecord:
        body = json.loads(row[1])
        return LayoutRecord(kind=body["kind"], body=body, senders=dict(body.get("senders", {})), id=row[0],
                            item=row[2], taught_by=row[3], at=row[4], reads=row[5], corrected=row[6])  # fmt: skip

    def get(self, layout_id):
        with self._lock:
            row = self.conn.execute(self.q["get"], {"id": layout_id}).fetchone()
        if row is None:
            raise LayoutNotFound(layout_id)
        return self._record(row)

    def list(self):
        with self._lock:
            rows = self.conn.execute(self.q["list"]).fetchall()
        return [self._record(row) for row in rows]

    def count_read(self, layout_id):
        with self._tx(durable=False) as conn:  # a count: not worth waiting for the disk
            conn.execute(self.q["count_read"], {"id": layout_id})

    def generation(self):
        with self._lock:
            return self.conn.execute(self.q["generation"]).fetchone()[0]

    def journal(self, layout_id=None):
        with self._lock:
            if layout_id is None:
                rows = self.conn.execute(self.q["journal"]).fetchall()
            else:
                rows = self.conn.execute(self.q["journal_of"], {"layout_id": layout_id}).fetchall()
        return [Change(r[0], r[1], r[2], r[3], r[4], tuple(json.loads(r[5])), r[6]) for r in rows]


__all__ = [
    "Change",
    "LayoutNotFound",
    "LayoutRecord",
    "LayoutRecords",
    "MemoryLayoutRecords",
    "SQLLayoutRecords",
    "iso",
]
