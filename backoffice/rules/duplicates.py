"""Possible duplicates: another item of the same bot with the same business key.

A rule file declares its keys (``duplicates:``): fields that must be equal, compared ignoring
case and spacing (amounts by value), and optionally a date field that may differ by up to
``within_days``. A document's keys are :class:`BusinessKey` values, one per entry whose parts
are all present; a :class:`History` answers which earlier item has each of them:

- :class:`QueueHistory`: the work queue, by its index of recorded keys (one lookup per key, not
  a scan). Checking an item first records its keys, replacing earlier ones, so later items find
  it by its current document; then it looks them up: an item with a lower id, or else one that
  was checked before this one (a later item another runner checked at the same moment, or
  while this one waited for a retry). So of two items with one key, never both pass, however
  many runners check them at once. Items keyed before a rule file changed (or before the queue
  had keys at all) are keyed again by :func:`backfill`, which the runner calls when it starts.
- :class:`DocumentsHistory`: documents given directly (a rule example's ``history``).
- :class:`IndexHistory`: an in-memory :class:`KeyIndex` that ``rules replay`` builds from the
  stored documents, as the current rule file keys them; it writes nothing.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any, Protocol

from backoffice.documents.models import Document, typed
from backoffice.documents.registry import field_types
from backoffice.queue.base import BusinessKey, Status, Store, day_range
from backoffice.rules.masterdata import key_of
from backoffice.rules.schema import Duplicate

log = logging.getLogger(__name__)
PAGE = 500
LONG_KEY = 200  # longer keys are stored as their SHA-256 (an index entry stays small)

Value = Callable[[str], Any]  # reads a field of a document, typed (None when missing)


class History(Protocol):
    def check(self, keys: Sequence[BusinessKey]) -> dict[str, int]:
        """``{duplicate id: id of the newest earlier item with the same key}`` for the keys of
        the document being checked (every key it has; a missing one is not compared)."""


def stored_fields(document: dict[str, Any]) -> Value:
    """A reader of the fields of a document as the queue stores it (no Document is built)."""
    fields = document.get("fields") or {}
    types = field_types(document.get("kind", ""))

    def value(name: str) -> Any:
        found = fields.get(name)
        try:
            return typed(found.get("value") if found else None, types.get(name, "text"))
        except ValueError:
            return None

    return value


def business_key(duplicate: Duplicate, value: Value) -> BusinessKey | None:
    """The key of a document (``value`` reads a field), or None when a part is missing."""
    parts = [key_of(value(name)) for name in duplicate.key]
    if any(p is None or p == "" for p in parts):
        return None
    day = value(duplicate.date) if duplicate.date else None
    if duplicate.date and not isinstance(day, date):
        return None
    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    if len(text) > LONG_KEY:
        text = "sha256:" + hashlib.sha256(text.encode()).hexdigest()
    return BusinessKey(duplicate.id, text, day, duplicate.within_days)


def business_keys(duplicates: Iterable[Duplicate], value: Value) -> list[BusinessKey]:
    return [k for d in duplicates if (k := business_key(d, value)) is not None]


def definition(duplicate: Duplicate) -> str:
    """What a recorded key depends on: its fields and date field (not ``within_days``)."""
    return json.dumps({"key": duplicate.key, "date": duplicate.date}, separators=(",", ":"))


class QueueHistory:
    """The bot's items in the work queue that came before item ``before`` (the item being
    checked; see :meth:`Store.find_keyed`), cancelled items left out, by their keys. Checking
    records the item's keys first (unless ``record`` is False), so later items find it.
    """

    def __init__(self, store: Store, bot: str, before: int | None = None, *, record: bool = True):
        self.store, self.bot, self.before, self.record = store, bot, before, record

    def check(self, keys: Sequence[BusinessKey]) -> dict[str, int]:
        if self.record and self.before is not None:
            self.store.record_keys({self.before: keys})
        return self.store.find_keyed(self.bot, keys, before=self.before) if keys else {}


class DocumentsHistory:
    """Documents given directly (an example's ``history``), numbered 1, 2, ... oldest first."""

    def __init__(self, documents: list[Document], duplicates: Sequence[Duplicate]):
        self.documents, self.duplicates = documents, duplicates

    def check(self, keys: Sequence[BusinessKey]) -> dict[str, int]:
        index = KeyIndex()
        for number, document in enumerate(self.documents, 1):
            index.add(number, business_keys(self.duplicates, document.value))
        return index.find(keys)


class KeyIndex:
    """Items' keys in memory (what the queue's find_keyed answers, without the queue)."""

    def __init__(self) -> None:
        self._found: dict[tuple[str, str], list[tuple[int, date | None]]] = {}  # by ascending id

    def add(self, item_id: int, keys: Iterable[BusinessKey]) -> None:
        for key in keys:
            bisect.insort(self._found.setdefault((key.rule, key.key), []), (item_id, key.day), key=_first)

    def find(self, keys: Sequence[BusinessKey], before: int | None = None) -> dict[str, int]:
        found: dict[str, int] = {}
        for key in keys:
            entries = self._found.get((key.rule, key.key), [])
            end = len(entries) if before is None else bisect.bisect_left(entries, before, key=_first)
            low, high = day_range(key.day, key.within_days) if key.day else (None, None)
            for item_id, day in reversed(entries[:end]):
                if low is None or (day is not None and low <= day <= high):  # type: ignore[operator]
                    found[key.rule] = item_id
                    break
        return found


class IndexHistory:
    """The items of a :class:`KeyIndex` below ``before`` (the item being checked); records nothing."""

    def __init__(self, index: KeyIndex, before: int | None = None):
        self.index, self.before = index, before

    def check(self, keys: Sequence[BusinessKey]) -> dict[str, int]:
        return self.index.find(keys, self.before)


def _first(entry: tuple[int, date | None]) -> int:
    return entry[0]


def backfill(store: Store, bot: str, duplicates: Sequence[Duplicate]) -> int:
    """Key the bot's items again when the queue's keys were recorded by other definitions than
    ``duplicates`` (a changed rule file, or items queued before the queue kept keys); return
    how many items were read (0: the keys were up to date)."""
    wanted = {d.id: definition(d) for d in duplicates}
    if store.key_definitions(bot) == wanted:
        return 0
    read = offset = 0
    while page := store.list(bot=bot, limit=PAGE, offset=offset):
        offset += len(page)
        read += len(page)
        store.record_keys({
            item.id: business_keys(duplicates, stored_fields(item.payload["document"]))
            for item in page if item.payload.get("document")
        })  # fmt: skip
    store.set_key_definitions(bot, wanted)
    log.info("keyed %d items of bot %s for the duplicate check", read, bot, extra={"bot": bot, "action": "keys"})
    return read


def replay_index(store: Store, bot: str, duplicates: Sequence[Duplicate]) -> KeyIndex:
    """Every item of the bot that is not cancelled, keyed from its stored document as
    ``duplicates`` define the keys (what ``rules replay`` compares with)."""
    index, offset = KeyIndex(), 0
    while page := store.list(bot=bot, limit=PAGE, offset=offset):
        offset += len(page)
        for item in page:
            if item.status != Status.CANCELLED and item.payload.get("document"):
                index.add(item.id, business_keys(duplicates, stored_fields(item.payload["document"])))
    return index


def describe(duplicate: Duplicate, item_id: int) -> str:
    same = ", ".join(duplicate.key)
    if duplicate.date:
        within = f"{duplicate.date} within {duplicate.within_days} days" if duplicate.within_days else duplicate.date
        same += f"; {within}"
    return f"possible duplicate of item {item_id} (same {same})"
