"""Business keys on SQLite (tables ``item_keys`` and ``key_rules``, migration
``sqlite_005_business_keys.sql``): the rules' duplicate check finds an earlier item with the
same key by one index lookup per key.

A mixin of :class:`backoffice.queue.sqlite.SQLiteStore`: it uses the store's connection, lock
and write transactions. The contract is in :class:`backoffice.queue.base.Store`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from backoffice.errors import ItemNotFound
from backoffice.queue.base import BusinessKey, day_range

NO_LIMIT = 2**63 - 1

# The newest item with a lower id, or else the newest recorded with the key before item ? was.
_FIND = (
    "SELECT k.item_id FROM item_keys k INDEXED BY item_keys_lookup JOIN items i ON i.id = k.item_id "
    "WHERE k.bot = :bot AND k.rule = :rule AND k.key = :key AND k.item_id <> :me AND i.status NOT IN ('cancelled', 'rejected') "
    "AND (k.item_id < :me OR k.seq < (SELECT m.seq FROM item_keys m WHERE m.item_id = :me AND m.rule = :rule "
    "AND m.key = :key)) {days}ORDER BY k.item_id < :me DESC, k.item_id DESC LIMIT 1"
)
_FIND_ANY_DAY = _FIND.format(days="")
_FIND_DAYS = _FIND.format(days="AND k.day BETWEEN :low AND :high ")


class SQLiteKeys:
    if TYPE_CHECKING:
        conn: sqlite3.Connection
        _lock: AbstractContextManager
        _tx: Callable[..., AbstractContextManager[sqlite3.Connection]]

    def record_keys(self, keys: Mapping[int, Sequence[BusinessKey]]) -> None:
        if not keys:
            return
        ids = list(keys)
        with self._tx(durable=False) as conn:  # derived from the item's document: see _tx
            bots, kept = {}, {}
            for start in range(0, len(ids), 500):  # SQLite allows so many ? per statement
                chunk, marks = ids[start : start + 500], ", ".join("?" * min(500, len(ids) - start))
                bots.update(conn.execute(f"SELECT id, bot FROM items WHERE id IN ({marks})", chunk).fetchall())
                for item_id, rule, key, day in conn.execute(
                    f"SELECT item_id, rule, key, day FROM item_keys WHERE item_id IN ({marks})", chunk
                ):
                    kept[(item_id, rule)] = (key, day)
            if missing := [i for i in ids if i not in bots]:
                raise ItemNotFound(missing[0])
            wanted = {
                (item_id, key.rule): (key.key, key.day.isoformat() if key.day else None)
                for item_id, item_keys in keys.items() for key in item_keys
            }  # fmt: skip
            # A key recorded again unchanged keeps its row (its place in the order of recording).
            conn.executemany("DELETE FROM item_keys WHERE item_id = ? AND rule = ?",
                             [pair for pair, old in kept.items() if wanted.get(pair) != old])  # fmt: skip
            conn.executemany(
                "INSERT INTO item_keys (item_id, rule, bot, key, day) VALUES (?, ?, ?, ?, ?)",
                [(i, rule, bots[i], key, day) for (i, rule), (key, day) in wanted.items() if kept.get((i, rule)) != (key, day)],
            )

    def find_keyed(self, bot: str, keys: Sequence[BusinessKey], *, before: int | None = None) -> dict[str, int]:
        found: dict[str, int] = {}
        me = NO_LIMIT if before is None else before
        with self._lock:
            for key in keys:
                args = {"bot": bot, "rule": key.rule, "key": key.key, "me": me}
                if key.day is None:
                    row = self.conn.execute(_FIND_ANY_DAY, args).fetchone()
                else:
                    low, high = day_range(key.day, key.within_days)
                    row = self.conn.execute(_FIND_DAYS, {**args, "low": low.isoformat(), "high": high.isoformat()}).fetchone()
                if row is not None:
                    found[key.rule] = row[0]
        return found
