"""Business keys on PostgreSQL (tables ``item_keys`` and ``key_rules``, migration
``postgres_004_business_keys.sql``): the rules' duplicate check finds earlier items with the
same keys in one round trip, one index lookup per key.

A mixin of :class:`backoffice.queue.postgres.PostgresStore`: it uses the store's connection,
lock and transactions. The contract is in :class:`backoffice.queue.base.Store`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING

from backoffice.errors import ItemNotFound
from backoffice.queue import queries
from backoffice.queue.base import BusinessKey, day_range

if TYPE_CHECKING:
    import psycopg

NO_LIMIT = 2**63 - 1


class PostgresKeys:
    if TYPE_CHECKING:
        conn: psycopg.Connection
        _lock: threading.RLock
        _tx: Callable[..., AbstractContextManager[psycopg.Connection]]

    kq = queries.load("keys", "postgres")

    def record_keys(self, keys: Mapping[int, Sequence[BusinessKey]]) -> None:
        if not keys:
            return
        ids = list(keys)
        rows = [(item_id, key) for item_id, item_keys in keys.items() for key in {k.rule: k for k in item_keys}.values()]
        args = {"ids": ids, "items": [i for i, _ in rows], "rules": [k.rule for _, k in rows],
                "keys": [k.key for _, k in rows], "days": [k.day for _, k in rows]}  # fmt: skip
        # Not durable, like claims and completions (the connection's default): keys are derived
        # from the item's document, and an item whose keys a database crash forgot is handled,
        # and keyed, again.
        with self._lock:
            found = {row[0] for row in self.conn.execute(self.kq["record"], args).fetchall()}
        if missing := [i for i in ids if i not in found]:
            raise ItemNotFound(missing[0])

    def find_keyed(self, bot: str, keys: Sequence[BusinessKey], *, before: int | None = None) -> dict[str, int]:
        if not keys:
            return {}
        ranges = [day_range(k.day, k.within_days) if k.day else (None, None) for k in keys]
        args = {
            "bot": bot, "me": NO_LIMIT if before is None else before, "rules": [k.rule for k in keys],
            "keys": [k.key for k in keys], "lows": [r[0] for r in ranges], "highs": [r[1] for r in ranges],
        }  # fmt: skip
        with self._lock:
            rows = self.conn.execute(self.kq["find"], args).fetchall()
        return dict(rows)
