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
from backoffice.queue.base import BusinessKey, day_range

if TYPE_CHECKING:
    import psycopg

NO_LIMIT = 2**63 - 1

# For each key wanted: the newest item with a lower id, or else the newest recorded with the key
# before item %(me)s was; a lateral index lookup per key.
_FIND = (
    "SELECT q.rule, found.item_id"
    " FROM unnest(%(rules)s::text[], %(keys)s::text[], %(lows)s::date[], %(highs)s::date[]) AS q(rule, key, low, high)"
    " CROSS JOIN LATERAL ("
    "  SELECT k.item_id FROM item_keys k JOIN items i ON i.id = k.item_id"
    "  WHERE k.bot = %(bot)s AND k.rule = q.rule AND k.key = q.key AND k.item_id <> %(me)s"
    "  AND i.status NOT IN ('cancelled', 'rejected') AND (q.low IS NULL OR k.day BETWEEN q.low AND q.high)"
    "  AND (k.item_id < %(me)s OR k.seq < (SELECT m.seq FROM item_keys m"
    "   WHERE m.item_id = %(me)s AND m.rule = q.rule AND m.key = q.key))"
    "  ORDER BY k.item_id < %(me)s DESC, k.item_id DESC LIMIT 1) AS found"
)
# One statement (one round trip, one transaction): the items' rows are locked in id order (two
# statements re-keying one item wait for each other), then the keys (an advisory lock each, in
# order: recording one key is serialised, so the order of recording is the order of commits and
# an item looking its key up after recording it sees every item recorded before it); the
# item's keys of other rules are deleted and the new keys upserted, a changed key (or day)
# taking a new place. Nothing is written unless every item exists.
_RECORD = (
    "WITH locked AS (SELECT id, bot FROM items WHERE id = ANY(%(ids)s) ORDER BY id FOR NO KEY UPDATE),"
    " every AS (SELECT count(*) = cardinality(%(ids)s::bigint[]) AS found FROM locked),"
    " serial AS (SELECT count(pg_advisory_xact_lock(h)) AS n FROM"
    "  (SELECT DISTINCT hashtextextended(l.bot || '/' || q.rule || '/' || q.key, 7001) AS h"
    "   FROM unnest(%(items)s::bigint[], %(rules)s::text[], %(keys)s::text[]) AS q(item_id, rule, key)"
    "   JOIN locked l ON l.id = q.item_id ORDER BY 1) AS hashes),"
    " new AS (SELECT * FROM unnest(%(items)s::bigint[], %(rules)s::text[], %(keys)s::text[], %(days)s::date[])"
    "  AS q(item_id, rule, key, day) WHERE (SELECT found FROM every) AND (SELECT n FROM serial) >= 0),"
    " gone AS (DELETE FROM item_keys k USING locked l WHERE k.item_id = l.id AND (SELECT found FROM every)"
    "  AND NOT EXISTS (SELECT 1 FROM new n WHERE n.item_id = k.item_id AND n.rule = k.rule)),"
    " put AS (INSERT INTO item_keys (item_id, rule, bot, key, day)"
    "  SELECT n.item_id, n.rule, l.bot, n.key, n.day FROM new n JOIN locked l ON l.id = n.item_id"
    "  ON CONFLICT (item_id, rule) DO UPDATE SET bot = excluded.bot, key = excluded.key, day = excluded.day,"
    "  seq = CASE WHEN item_keys.key = excluded.key AND item_keys.day IS NOT DISTINCT FROM excluded.day"
    "   THEN item_keys.seq ELSE excluded.seq END)"
    " SELECT id FROM locked"
)


class PostgresKeys:
    if TYPE_CHECKING:
        conn: psycopg.Connection
        _lock: threading.RLock
        _tx: Callable[..., AbstractContextManager[psycopg.Connection]]

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
            found = {row[0] for row in self.conn.execute(_RECORD, args).fetchall()}
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
            rows = self.conn.execute(_FIND, args).fetchall()
        return dict(rows)
