"""Where learned layouts are kept: the queue's own database (tables ``learned_layouts``,
``layout_journal`` and ``layout_generation``; migrations ``sqlite_006_learned_layouts.sql``
and ``postgres_005_learned_layouts.sql``), so every runner of a deployment reads with what
any supervisor taught. ``Store.layouts()`` gives the store's :class:`LayoutStore`.

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
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from backoffice.errors import QueueError
from backoffice.learning.layout import Layout


class LayoutNotFound(QueueError):
    """No learned layout has this id (the queue's database keeps them)."""

    def __init__(self, layout_id: int):
        super().__init__(f"no learned layout {layout_id}")
        self.layout_id = layout_id


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


class LayoutStore(abc.ABC):
    """Learned layouts and their journal."""

    @abc.abstractmethod
    def save(
        self, layout: Layout, *, actor: str, item_id: int | None, action: str, fields: Sequence[str], why: str = ""
    ) -> Layout:
        """Add the layout (``id`` 0) or replace the one with its id; journal ``action``; return it stored."""

    @abc.abstractmethod
    def delete(
        self, layout_id: int, *, actor: str, item_id: int | None = None, action: str = "delete", why: str = ""
    ) -> None:
        """Forget a layout (LayoutNotFound when there is none); journal ``action``."""

    @abc.abstractmethod
    def get(self, layout_id: int) -> Layout:
        """The layout, or LayoutNotFound."""

    @abc.abstractmethod
    def list(self) -> list[Layout]:
        """Every layout, oldest first."""

    @abc.abstractmethod
    def count_read(self, layout_id: int) -> None:
        """One more document was read with the layout (a deleted one is left alone)."""

    @abc.abstractmethod
    def generation(self) -> int:
        """A number that changes whenever a layout is saved or deleted."""

    @abc.abstractmethod
    def journal(self, layout_id: int | None = None) -> builtins.list[Change]:  # list is a method here
        """The changes (to one layout, or to all), oldest first."""


class MemoryLayouts(LayoutStore):
    """Layouts in a dict, for unit tests and the memory queue."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock = clock
        self._layouts: dict[int, Layout] = {}
        self._journal: list[Change] = []
        self._next = 1
        self._generation = 0
        self._lock = threading.Lock()

    def save(self, layout, *, actor, item_id, action, fields, why=""):
        with self._lock:
            if layout.id == 0:
                layout = replace(layout, id=self._next)
                self._next += 1
            elif layout.id not in self._layouts:
                raise LayoutNotFound(layout.id)
            self._layouts[layout.id] = replace(layout)
            self._journal.append(Change(layout.id, iso(self.clock()), actor, item_id, action, tuple(fields), why))
            self._generation += 1
            return replace(layout)

    def delete(self, layout_id, *, actor, item_id=None, action="delete", why=""):
        with self._lock:
            if self._layouts.pop(layout_id, None) is None:
                raise LayoutNotFound(layout_id)
            self._journal.append(Change(layout_id, iso(self.clock()), actor, item_id, action, (), why))
            self._generation += 1

    def get(self, layout_id):
        found = self._layouts.get(layout_id)
        if found is None:
            raise LayoutNotFound(layout_id)
        return replace(found)

    def list(self):
        return [replace(layout) for _, layout in sorted(self._layouts.items())]

    def count_read(self, layout_id):
        with self._lock:
            if layout_id in self._layouts:
                self._layouts[layout_id].reads += 1

    def generation(self):
        return self._generation

    def journal(self, layout_id=None):
        return [c for c in self._journal if layout_id is None or c.layout_id == layout_id]


_COLUMNS = "id, body, item_id, taught_by, at, reads, corrected"


class SQLLayouts(LayoutStore):
    """Layouts in the queue's SQL database, through the store's connection and transactions.
    The SQL is the same on SQLite and PostgreSQL but for the parameter mark."""

    def __init__(
        self,
        conn: Any,
        tx: Callable[..., AbstractContextManager[Any]],
        lock: AbstractContextManager,
        clock: Callable[[], float],
        mark: str = "?",
    ):
        self.conn, self._tx, self._lock, self.clock, self._mark = conn, tx, lock, clock, mark

    def _sql(self, query: str) -> str:
        return query if self._mark == "?" else query.replace("?", self._mark)

    def _journal_entry(
        self, conn: Any, layout_id: int, actor: str, item_id: int | None, action: str, fields: Sequence[str], why: str
    ) -> None:
        conn.execute(
            self._sql(
                "INSERT INTO layout_journal (layout_id, at, actor, item_id, action, fields, why) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)"
            ),
            (layout_id, iso(self.clock()), actor, item_id, action, json.dumps(list(fields)), why),
        )
        conn.execute("UPDATE layout_generation SET n = n + 1")

    def save(self, layout, *, actor, item_id, action, fields, why=""):
        body = json.dumps(layout.body(), ensure_ascii=False, sort_keys=True)
        # The columns both statements write, in their order: kind, senders, body, item_id, taught_by, at.
        written = (layout.kind, json.dumps(layout.senders), body, layout.item, layout.taught_by, layout.at)
        with self._tx() as conn:
            if layout.id == 0:
                row = conn.execute(
                    self._sql(
                        "INSERT INTO learned_layouts (kind, senders, body, item_id, taught_by, at, reads, corrected) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id"
                    ),
                    (*written, layout.reads, layout.corrected),
                ).fetchone()
                layout = replace(layout, id=row[0])
            else:
                row = conn.execute(
                    self._sql(
                        "UPDATE learned_layouts SET kind = ?, senders = ?, body = ?, item_id = ?, taught_by = ?, at = ?, "
                        "corrected = ? WHERE id = ? RETURNING reads"
                    ),
                    (*written, layout.corrected, layout.id),
                ).fetchone()
                if row is None:
                    raise LayoutNotFound(layout.id)
                layout = replace(layout, reads=row[0])
            self._journal_entry(conn, layout.id, actor, item_id, action, fields, why)
        return layout

    def delete(self, layout_id, *, actor, item_id=None, action="delete", why=""):
        with self._tx() as conn:
            if (
                conn.execute(
                    self._sql("DELETE FROM learned_layouts WHERE id = ? RETURNING id"), (layout_id,)
                ).fetchone()
                is None
            ):
                raise LayoutNotFound(layout_id)
            self._journal_entry(conn, layout_id, actor, item_id, action, (), why)

    @staticmethod
    def _layout(row: Sequence[Any]) -> Layout:
        return Layout.from_body(
            json.loads(row[1]), id=row[0], item=row[2], taught_by=row[3], at=row[4], reads=row[5], corrected=row[6]
        )

    def get(self, layout_id):
        with self._lock:
            row = self.conn.execute(
                self._sql(f"SELECT {_COLUMNS} FROM learned_layouts WHERE id = ?"), (layout_id,)
            ).fetchone()
        if row is None:
            raise LayoutNotFound(layout_id)
        return self._layout(row)

    def list(self):
        with self._lock:
            rows = self.conn.execute(f"SELECT {_COLUMNS} FROM learned_layouts ORDER BY id").fetchall()
        return [self._layout(row) for row in rows]

    def count_read(self, layout_id):
        with self._tx(durable=False) as conn:  # a count: not worth waiting for the disk
            conn.execute(self._sql("UPDATE learned_layouts SET reads = reads + 1 WHERE id = ?"), (layout_id,))

    def generation(self):
        with self._lock:
            return self.conn.execute("SELECT n FROM layout_generation").fetchone()[0]

    def journal(self, layout_id=None):
        query = "SELECT layout_id, at, actor, item_id, action, fields, why FROM layout_journal"
        args: tuple = ()
        if layout_id is not None:
            query, args = query + " WHERE layout_id = ?", (layout_id,)
        with self._lock:
            rows = self.conn.execute(self._sql(query + " ORDER BY seq"), args).fetchall()
        return [Change(r[0], r[1], r[2], r[3], r[4], tuple(json.loads(r[5])), r[6]) for r in rows]


def rows(layouts: LayoutStore) -> Iterator[dict[str, Any]]:
    """A summary per layout, for lists."""
    for layout in layouts.list():
        yield {
            "id": layout.id,
            "name": layout.name,
            "kind": layout.kind,
            "senders": layout.senders,
            "fields": sorted(layout.fields) + (["lines"] if layout.table is not None else []),  # its line table
            "reads": layout.reads,
            "corrected": layout.corrected,
            "item": layout.item,
            "taught_by": layout.taught_by,
            "at": layout.at,
        }
