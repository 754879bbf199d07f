"""Learned layouts as :mod:`backoffice.learning` reads them, kept by the queue (see
:mod:`backoffice.queue.layouts`: the tables, the journal, the generation). :func:`layouts`
gives a store's :class:`LayoutStore`: the queue's records turned into :class:`Layout` and back.
"""

from __future__ import annotations

import builtins
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from backoffice.learning.layout import Layout
from backoffice.queue.base import Store
from backoffice.queue.layouts import Change, LayoutNotFound, LayoutRecord, LayoutRecords, MemoryLayoutRecords, iso


def _record(layout: Layout) -> LayoutRecord:
    return LayoutRecord(kind=layout.kind, body=layout.body(), senders=dict(layout.senders), id=layout.id,
                        item=layout.item, taught_by=layout.taught_by, at=layout.at, reads=layout.reads,
                        corrected=layout.corrected)  # fmt: skip


def _layout(record: LayoutRecord) -> Layout:
    return Layout.from_body(record.body, id=record.id, item=record.item, taught_by=record.taught_by, at=record.at,
                            reads=record.reads, corrected=record.corrected)  # fmt: skip


class LayoutStore:
    """Learned layouts and their journal, over the queue's records."""

    def __init__(self, records: LayoutRecords):
        self.records = records

    def save(
        self, layout: Layout, *, actor: str, item_id: int | None, action: str, fields: Sequence[str], why: str = ""
    ) -> Layout:
        """Add the layout (``id`` 0) or replace the one with its id; journal ``action``; return it stored."""
        stored = self.records.save(_record(layout), actor=actor, item_id=item_id, action=action, fields=fields, why=why)
        return _layout(stored)

    def delete(
        self, layout_id: int, *, actor: str, item_id: int | None = None, action: str = "delete", why: str = ""
    ) -> None:
        """Forget a layout (LayoutNotFound when there is none); journal ``action``."""
        self.records.delete(layout_id, actor=actor, item_id=item_id, action=action, why=why)

    def get(self, layout_id: int) -> Layout:
        """The layout, or LayoutNotFound."""
        return _layout(self.records.get(layout_id))

    def list(self) -> list[Layout]:
        """Every layout, oldest first."""
        return [_layout(record) for record in self.records.list()]

    def count_read(self, layout_id: int) -> None:
        """One more document was read with the layout (a deleted one is left alone)."""
        self.records.count_read(layout_id)

    def generation(self) -> int:
        """A number that changes whenever a layout is saved or deleted."""
        return self.records.generation()

    def journal(self, layout_id: int | None = None) -> builtins.list[Change]:  # list is a method here
        """The changes (to one layout, or to all), oldest first."""
        return self.records.journal(layout_id)


def layouts(store: Store) -> LayoutStore:
    """The layouts people's corrections taught, kept with the store's queue."""
    return LayoutStore(store.learned_layouts())


def MemoryLayouts(clock: Callable[[], float] = time.time) -> LayoutStore:  # noqa: N802 - reads as the class it was
    """Layouts in memory only (unit tests, benchmarks)."""
    return LayoutStore(MemoryLayoutRecords(clock))


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


__all__ = ["Change", "LayoutNotFound", "LayoutStore", "MemoryLayouts", "iso", "layouts", "rows"]
