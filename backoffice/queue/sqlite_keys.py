"""Business keys on SQLite (tables ``item_keys`` and ``key_rules``, migration
``sqlite_005_business_keys.sql``): the rules' duplicate check finds an earlier item with the
same key by one index lookup per key.

A mixin of :class:`backoffice.queue.sqlite.SQLiteStore`: it uses the store's connection, lock
and write transactions. The contract is in :class:`backoffice.queue.base.Store`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from backoffice.errors import ItemNotFound
from backoffice.queue import queries
from backoffice.queue.base import BusinessKey, day_range

NO_LIMIT = 2**63 - 1


class SQLiteKeys:
    if TYPE_CHECKING:
        conn: sqlite3.Connection
        _lock: AbstractContextManager
        _tx: Callable[..., AbstractContextManager[sqlite3.Connection]]

    kq = queries.load("keys", "sqlite")

    def record_keys(self, keys: Mapping[int, Sequence[BusinessKey]]) -> None:
        if not keys:
            return
        ids = list(keys)
        with self._tx(durable=False) as conn:  # derived from the item's document: see _tx
            listed = json.dumps(ids)
            bots: dict[int, str] = dict(conn.execute(self.kq["bots_of"], {"ids": listed}).fetchall())
            kept = {(i, rule): (key, day) for i, rule, key, day in conn.execute(self.kq["keys_of"], {"ids": listed})}
            if missing := [i for i in ids if i not in bots]:
                raise ItemNotFound(missing[0])
            wanted = {
                (item_id, key.rule): (key.key, key.day.isoformat() if key.day else None)
                for item_id, item_keys in keys.items() for key in item_keys
            }  # fmt: skip
            # A key recorded again unchanged keeps its row (its place in the order of recording).
            conn.executemany(self.kq["drop"], [{"item_id": i, "rule": rule}
                                               for (i, rule), old in kept.items() if wanted.get((i, rule)) != old])  # fmt: skip
            conn.executemany(self.kq["put"], [{"item_id": i, "rule": rule, "bot": bots[i], "key": key, "day": day}
                                              for (i, rule), (key, day) in wanted.items() if kept.get((i, rule)) != (key, day)])  # fmt: skip

    def find_keyed(self, bot: str, keys: Sequence[BusinessKey], *, before: int | None = None) -> dict[str, int]:
        found: dict[str, int] = {}
        me = NO_LIMIT if before is None else before
        with self._lock:
            for key in keys:
                args = {"bot": bot, "rule": key.rule, "key": key.key, "me": me}
                if key.day is None:
                    row = self.conn.execute(self.kq["find"], args).fetchone()
                else:
                    low, high = day_range(key.day, key.within_days)
                    row = self.conn.execute(self.kq["find_in_days"], {**args, "low": low.isoformat(), "high": high.isoformat()}).fetchone()
                if row is not None:
                    found[key.rule] = row[0]
        return found
