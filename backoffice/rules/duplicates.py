"""Possible duplicates: another item of the same bot with the same business key.

A rule file declares its keys (``duplicates:``): fields that must be equal, compared ignoring
case and spacing (amounts by value), and optionally a date field that may differ by up to
``within_days``. The history is read through :class:`History`: the work queue's earlier items
(:class:`QueueHistory`, newest first, cancelled items left out) or an example's documents.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import Any, Protocol

from backoffice.documents.models import FIELDS_BY_KIND, Document, typed
from backoffice.queue.base import Status, Store
from backoffice.rules.masterdata import key_of
from backoffice.rules.schema import Duplicate

LOOK_BACK = 5_000
PAGE = 500


Value = Callable[[str], Any]  # reads a field of a document, typed (None when missing)


class History(Protocol):
    def earlier(self) -> Iterable[tuple[int, Value]]:
        """Earlier items' ids and their documents' fields, newest first."""


def stored_fields(document: dict[str, Any]) -> Value:
    """A reader of the fields of a document as the queue stores it (no Document is built)."""
    fields = document.get("fields") or {}
    types = FIELDS_BY_KIND.get(document.get("kind", ""), {})

    def value(name: str) -> Any:
        found = fields.get(name)
        try:
            return typed(found.get("value") if found else None, types.get(name, "text"))
        except ValueError:
            return None

    return value


class QueueHistory:
    """The bot's earlier items in the work queue: at most ``look_back`` of them, newest first."""

    def __init__(self, store: Store, bot: str, before: int | None = None, look_back: int = LOOK_BACK):
        self.store, self.bot, self.before, self.look_back = store, bot, before, look_back

    def earlier(self) -> Iterator[tuple[int, Value]]:
        offset = seen = 0
        while seen < self.look_back:
            items = self.store.list(bot=self.bot, limit=PAGE, offset=offset)
            if not items:
                return
            offset += len(items)
            for item in items:
                if (self.before is not None and item.id >= self.before) or item.status == Status.CANCELLED:
                    continue
                document = item.payload.get("document")
                if not document:
                    continue
                seen += 1
                yield item.id, stored_fields(document)


class DocumentsHistory:
    """Documents given directly (an example's ``history``), numbered 1, 2, ... oldest first."""

    def __init__(self, documents: list[Document]):
        self.documents = documents

    def earlier(self) -> Iterator[tuple[int, Value]]:
        for index in range(len(self.documents), 0, -1):
            yield index, self.documents[index - 1].value


def key(duplicate: Duplicate, value: Value) -> tuple[tuple, date | None] | None:
    """The key of a document (``value`` reads a field), or None when a part is missing."""
    parts = tuple(key_of(value(name)) for name in duplicate.key)
    if any(p is None or p == "" for p in parts):
        return None
    when = value(duplicate.date) if duplicate.date else None
    if duplicate.date and not isinstance(when, date):
        return None
    return parts, when


def find(duplicates: Iterable[Duplicate], value: Value, history: History) -> dict[str, int]:
    """``{duplicate id: id of the newest earlier item with the same key}``."""
    wanted = {d.id: (d, k) for d in duplicates if (k := key(d, value)) is not None}
    found: dict[str, int] = {}
    if not wanted:
        return found
    for item_id, other in history.earlier():
        for dup_id, (duplicate, mine) in wanted.items():
            if dup_id in found:
                continue
            theirs = key(duplicate, other)
            if theirs is None or theirs[0] != mine[0]:
                continue
            if duplicate.date and abs((theirs[1] - mine[1]).days) > duplicate.within_days:  # type: ignore[operator]
                continue
            found[dup_id] = item_id
        if len(found) == len(wanted):
            break
    return found


def describe(duplicate: Duplicate, item_id: int) -> str:
    same = ", ".join(duplicate.key)
    if duplicate.date:
        within = f"{duplicate.date} within {duplicate.within_days} days" if duplicate.within_days else duplicate.date
        same += f"; {within}"
    return f"possible duplicate of item {item_id} (same {same})"
