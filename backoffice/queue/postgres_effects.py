"""The effect ledger on PostgreSQL (table ``effects``, migration ``postgres_002_effects.sql``).

A mixin of :class:`backoffice.queue.postgres.PostgresStore`: it uses the store's connection,
lock, clock and transactions. The contract is in :class:`backoffice.queue.base.Store`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, NoReturn

from psycopg.types.json import Jsonb

from backoffice.errors import ItemNotFound, LeaseLost, QueueError
from backoffice.queue.base import Effect, EffectState, from_ts

if TYPE_CHECKING:
    import psycopg

EFFECT_COLUMNS = "item_id, target, key, state, external_id, calls, reason, created_at, updated_at"


def _row_to_effect(row: tuple) -> Effect:
    return Effect(
        item_id=row[0], target=row[1], key=row[2], state=EffectState(row[3]), external_id=row[4],
        calls=row[5], reason=row[6], created_at=from_ts(row[7]), updated_at=from_ts(row[8]),  # type: ignore[arg-type]
    )  # fmt: skip


class PostgresEffects:
    if TYPE_CHECKING:
        conn: psycopg.Connection
        clock: Callable[[], float]
        _lock: AbstractContextManager
        _tx: Callable[[], AbstractContextManager[psycopg.Connection]]

    def _effect_row(self, conn: psycopg.Connection, item_id: int, target: str) -> tuple | None:
        return conn.execute(
            f"SELECT {EFFECT_COLUMNS} FROM effects WHERE item_id = %s AND target = %s", (item_id, target)
        ).fetchone()

    def intend(self, item_id: int, owner: str, target: str, key: str) -> Effect:
        with self._tx() as conn:
            # FOR SHARE: the lease cannot change hands before the intent is written.
            held = conn.execute(
                "SELECT status, lease_owner FROM items WHERE id = %s FOR SHARE", (item_id,)
            ).fetchone()
            if held is None:
                raise ItemNotFound(item_id)
            if held[0] != "processing" or held[1] != owner:
                raise LeaseLost(item_id, owner)
            now = self.clock()
            row = conn.execute(
                "INSERT INTO effects (item_id, target, key, created_at, updated_at) VALUES (%s, %s, %s, %s, %s) "
                "ON CONFLICT (item_id, target) DO UPDATE SET state = 'intended', calls = effects.calls + 1, "
                "reason = NULL, updated_at = excluded.updated_at WHERE effects.state != 'done' "
                f"RETURNING {EFFECT_COLUMNS}",
                (item_id, target, key, now, now),
            ).fetchone()
            if row is None:  # already done: left as it is
                row = self._effect_row(conn, item_id, target)
        return _row_to_effect(row)  # type: ignore[arg-type]

    def settle(self, item_id: int, target: str, external_id: str) -> Effect:
        with self._tx() as conn:
            now = self.clock()
            row = conn.execute(
                "UPDATE effects SET state = 'done', external_id = %s, reason = NULL, updated_at = %s "
                f"WHERE item_id = %s AND target = %s AND state != 'done' RETURNING {EFFECT_COLUMNS}",
                (external_id, now, item_id, target),
            ).fetchone()
            if row is None:
                row = self._effect_row(conn, item_id, target)
                if row is None:
                    self._no_intent(conn, item_id, target)
                return _row_to_effect(row)  # already done: the first external id stays
            conn.execute(
                "UPDATE items SET refs = refs || %s, updated_at = %s WHERE id = %s",
                (Jsonb({target: external_id}), now, item_id),
            )
        return _row_to_effect(row)

    def reject(self, item_id: int, target: str, *, reason: str) -> Effect:
        with self._tx() as conn:
            row = conn.execute(
                "UPDATE effects SET state = 'rejected', reason = %s, updated_at = %s "
                f"WHERE item_id = %s AND target = %s AND state != 'done' RETURNING {EFFECT_COLUMNS}",
                (reason, self.clock(), item_id, target),
            ).fetchone()
            if row is None:
                row = self._effect_row(conn, item_id, target)
                if row is None:
                    self._no_intent(conn, item_id, target)
        return _row_to_effect(row)  # type: ignore[arg-type]

    def effects(self, item_id: int) -> list[Effect]:
        with self._lock:
            rows = self.conn.execute(
                f"SELECT {EFFECT_COLUMNS} FROM effects WHERE item_id = %s ORDER BY created_at, target", (item_id,)
            ).fetchall()
            if not rows and self.conn.execute("SELECT 1 FROM items WHERE id = %s", (item_id,)).fetchone() is None:
                raise ItemNotFound(item_id)
        return [_row_to_effect(r) for r in rows]

    @staticmethod
    def _no_intent(conn: psycopg.Connection, item_id: int, target: str) -> NoReturn:
        if conn.execute("SELECT 1 FROM items WHERE id = %s", (item_id,)).fetchone() is None:
            raise ItemNotFound(item_id)
        raise QueueError(f"item {item_id}: no call to {target} was intended")
