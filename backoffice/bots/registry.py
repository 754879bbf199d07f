"""What runners sharing one queue tell each other: who is alive, who leads, which schedule ticks
were fired. Tables ``runners``, ``leases`` and ``schedule_runs`` (migration ``*_003_runners.sql``)
live in the queue's own database, so SQLite and PostgreSQL deployments work alike. A source
that is down is a row of ``leases`` named ``source-down:<bot>`` (its reason as the holder).

The registry keeps its own connection (a heartbeat or a schedule never waits behind a claim).
A memory store gets a private in-memory SQLite database: one process, same semantics.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

from backoffice.queue.base import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunnerInfo:
    name: str
    host: str
    pid: int
    bots: list[str]
    state: str
    item_id: int | None
    started_at: float
    seen_at: float


@dataclass(frozen=True)
class TickRecord:
    bot: str
    tick: float
    runner: str
    started_at: float
    finished_at: float | None
    outcome: str | None  # None: started (or its runner died mid-run); ok, failed, skipped
    detail: str


class Registry:
    """Runner heartbeats, the leader lease and the schedule ticks, on the queue's database."""

    def __init__(self, conn: Any, *, postgres: bool, clock: Callable[[], float] = time.time):
        self.conn, self.postgres, self.clock = conn, postgres, clock
        self._lock = threading.RLock()

    @classmethod
    def for_store(cls, store: Store, *, clock: Callable[[], float] | None = None) -> Registry:
        from backoffice.queue.sqlite import SQLiteStore

        clock = clock or getattr(store, "clock", time.time)
        if type(store).__name__ == "PostgresStore":
            from backoffice.queue.postgres import connect

            return cls(connect(store.url, store.schema), postgres=True, clock=clock)  # type: ignore[attr-defined]
        if isinstance(store, SQLiteStore) and store.path != ":memory:":
            conn = sqlite3.connect(store.path, isolation_level=None, timeout=30, check_same_thread=False)
            return cls(conn, postgres=False, clock=clock)
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        conn.executescript((resources.files("backoffice.queue") / "sql" / "sqlite_003_runners.sql").read_text())
        return cls(conn, postgres=False, clock=clock)

    def _run(self, query: str, args: Sequence = ()) -> list[tuple]:
        if not self.postgres:
            query = query.replace("%s", "?")
        with self._lock:
            cursor = self.conn.execute(query, args)
            return cursor.fetchall() if cursor.description else []

    # -- the leader lease ----------------------------------------------------------------
    def acquire(self, name: str, holder: str, seconds: float) -> bool:
        """Take or renew the lease ``name`` for ``seconds``; False when another holder has it."""
        now = self.clock()
        rows = self._run(
            "INSERT INTO leases (name, holder, expires, since) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires = excluded.expires, "
            "since = CASE WHEN leases.holder = excluded.holder THEN leases.since ELSE excluded.since END "
            "WHERE leases.holder = excluded.holder OR leases.expires < excluded.since RETURNING holder",
            (name, holder, now + seconds, now),
        )
        return bool(rows)

    def release(self, name: str, holder: str) -> None:
        self._run("DELETE FROM leases WHERE name = %s AND holder = %s", (name, holder))

    def holder(self, name: str) -> tuple[str, float, float] | None:
        """``(holder, since, expires)`` of a lease that has not expired, else None."""
        rows = self._run("SELECT holder, since, expires FROM leases WHERE name = %s AND expires >= %s",
                         (name, self.clock()))  # fmt: skip
        return rows[0] if rows else None

    # -- runners -------------------------------------------------------------------------
    def beat(self, info: RunnerInfo) -> None:
        self._run(
            "INSERT INTO runners (name, host, pid, bots, state, item_id, started_at, seen_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (name) DO UPDATE SET state = excluded.state, "
            "item_id = excluded.item_id, seen_at = excluded.seen_at",
            (info.name, info.host, info.pid, json.dumps(info.bots), info.state, info.item_id,
             info.started_at, self.clock()),
        )  # fmt: skip

    def leave(self, name: str) -> None:
        self._run("UPDATE runners SET state = 'stopped', item_id = NULL, seen_at = %s WHERE name = %s",
                  (self.clock(), name))  # fmt: skip

    def runners(self, *, since: float) -> list[RunnerInfo]:
        rows = self._run(
            "SELECT name, host, pid, bots, state, item_id, started_at, seen_at FROM runners "
            "WHERE seen_at >= %s ORDER BY started_at",
            (since,),
        )
        return [RunnerInfo(r[0], r[1], r[2], r[3] if isinstance(r[3], list) else json.loads(r[3]), *r[4:]) for r in rows]

    # -- schedule ticks ------------------------------------------------------------------
    def start_tick(self, bot: str, tick: float, runner: str) -> bool:
        """Record that ``runner`` fires ``bot`` for ``tick``; False when the tick was fired already."""
        rows = self._run(
            "INSERT INTO schedule_runs (bot, tick, runner, started_at) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (bot, tick) DO NOTHING RETURNING bot",
            (bot, tick, runner, self.clock()),
        )
        return bool(rows)

    def skip_tick(self, bot: str, tick: float, runner: str, why: str) -> None:
        now = self.clock()
        self._run(
            "INSERT INTO schedule_runs (bot, tick, runner, started_at, finished_at, outcome, detail) "
            "VALUES (%s, %s, %s, %s, %s, 'skipped', %s) ON CONFLICT (bot, tick) DO NOTHING",
            (bot, tick, runner, now, now, why),
        )

    def finish_tick(self, bot: str, tick: float, outcome: str, detail: str = "") -> None:
        self._run("UPDATE schedule_runs SET finished_at = %s, outcome = %s, detail = %s WHERE bot = %s AND tick = %s",
                  (self.clock(), outcome, detail, bot, tick))  # fmt: skip

    def last_tick(self, bot: str) -> float | None:
        rows = self._run("SELECT max(tick) FROM schedule_runs WHERE bot = %s", (bot,))
        return rows[0][0] if rows else None

    def ticks(self, bot: str | None = None, *, limit: int = 1000) -> list[TickRecord]:
        where, args = ("WHERE bot = %s", [bot]) if bot else ("", [])
        rows = self._run(
            f"SELECT bot, tick, runner, started_at, finished_at, outcome, detail FROM schedule_runs {where} "
            "ORDER BY tick DESC LIMIT %s",
            (*args, limit),
        )
        return [TickRecord(*r) for r in rows]

    # -- sources that are down (backoffice.bots.outages): a row of leases named source-down:<bot>
    def source_down(self, bot: str, reason: str, since: float) -> None:
        """Record that ``bot``'s source is down since ``since`` (kept when recorded already)."""
        self._run("INSERT INTO leases (name, holder, expires, since) VALUES (%s, %s, %s, %s) "
                  "ON CONFLICT (name) DO UPDATE SET holder = excluded.holder",
                  (f"source-down:{bot}", reason[:1000], since, since))

    def source_up(self, bot: str) -> None:
        self._run("DELETE FROM leases WHERE name = %s", (f"source-down:{bot}",))

    def sources_down(self) -> dict[str, tuple[str, float]]:
        """``bot -> (reason, since)`` for each source recorded as down."""
        rows = self._run("SELECT name, holder, since FROM leases WHERE name LIKE %s", ("source-down:%",))
        return {name.split(":", 1)[1]: (reason, since) for name, reason, since in rows}

    def close(self) -> None:
        with self._lock:
            self.conn.close()


__all__ = ["Registry", "RunnerInfo", "TickRecord"]
