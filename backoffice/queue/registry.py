"""What runners sharing one queue tell each other: who is alive, who leads, which schedule ticks
were fired. Tables ``runners``, ``leases`` and ``schedule_runs`` (migration ``*_003_runners.sql``)
live in the queue's own database, so SQLite and PostgreSQL deployments work alike; the queries
are written once (``queries/registry.sql``). A source that is down is a row of ``leases`` named
``source-down:<bot>`` (its reason as the holder).

Each backend gives its registry with ``Store.registry()``, on a connection of its own (a
heartbeat or a schedule never waits behind a claim). A memory store gets a private in-memory
SQLite database: one process, same semantics.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backoffice.queue import queries

if TYPE_CHECKING:
    from backoffice.queue.base import Store


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
    """Runner heartbeats, the leader lease and the schedule ticks, on the queue's database
    (``conn``: an autocommit connection of ``backend``, which the registry closes)."""

    def __init__(self, conn: Any, backend: str, *, clock: Callable[[], float] = time.time):
        self.conn, self.clock = conn, clock
        self.q = queries.load("registry", backend)
        self._lock = threading.RLock()

    @staticmethod
    def for_store(store: Store, *, clock: Callable[[], float] | None = None) -> Registry:
        """The registry of the store's backend (``store.registry()``)."""
        return store.registry(clock=clock)

    def _run(self, query: str, **args: Any) -> list[tuple]:
        with self._lock:
            cursor = self.conn.execute(self.q[query], args)
            return cursor.fetchall() if cursor.description else []

    # -- the leader lease ----------------------------------------------------------------
    def acquire(self, name: str, holder: str, seconds: float) -> bool:
        """Take or renew the lease ``name`` for ``seconds``; False when another holder has it."""
        now = self.clock()
        return bool(self._run("acquire", name=name, holder=holder, expires=now + seconds, now=now))

    def release(self, name: str, holder: str) -> None:
        self._run("release", name=name, holder=holder)

    def holder(self, name: str) -> tuple[str, float, float] | None:
        """``(holder, since, expires)`` of a lease that has not expired, else None."""
        rows = self._run("holder", name=name, now=self.clock())
        return tuple(rows[0]) if rows else None  # type: ignore[return-value]

    # -- runners -------------------------------------------------------------------------
    def beat(self, info: RunnerInfo) -> None:
        self._run(
            "beat", name=info.name, host=info.host, pid=info.pid, bots=json.dumps(info.bots), state=info.state,
            item_id=info.item_id, started_at=info.started_at, now=self.clock(),
        )  # fmt: skip

    def leave(self, name: str) -> None:
        self._run("leave", name=name, now=self.clock())

    def runners(self, *, since: float) -> list[RunnerInfo]:
        rows = self._run("runners", since=since)
        return [
            RunnerInfo(r[0], r[1], r[2], r[3] if isinstance(r[3], list) else json.loads(r[3]), *r[4:]) for r in rows
        ]

    # -- schedule ticks ------------------------------------------------------------------
    def start_tick(self, bot: str, tick: float, runner: str) -> bool:
        """Record that ``runner`` fires ``bot`` for ``tick``; False when the tick was fired already."""
        return bool(self._run("start_tick", bot=bot, tick=tick, runner=runner, now=self.clock()))

    def skip_tick(self, bot: str, tick: float, runner: str, why: str) -> None:
        self._run("skip_tick", bot=bot, tick=tick, runner=runner, now=self.clock(), why=why)

    def finish_tick(self, bot: str, tick: float, outcome: str, detail: str = "") -> None:
        self._run("finish_tick", bot=bot, tick=tick, outcome=outcome, detail=detail, now=self.clock())

    def last_tick(self, bot: str) -> float | None:
        rows = self._run("last_tick", bot=bot)
        return rows[0][0] if rows else None

    def ticks(self, bot: str | None = None, *, limit: int = 1000) -> list[TickRecord]:
        rows = self._run("ticks_of_bot", bot=bot, limit=limit) if bot else self._run("ticks", limit=limit)
        return [TickRecord(*r) for r in rows]

    # -- sources that are down (backoffice.bots.outages): a row of leases named source-down:<bot>
    def source_down(self, bot: str, reason: str, since: float) -> None:
        """Record that ``bot``'s source is down since ``since`` (kept when recorded already)."""
        self._run("source_down", name=f"source-down:{bot}", reason=reason[:1000], since=since)

    def source_up(self, bot: str) -> None:
        self._run("source_up", name=f"source-down:{bot}")

    def sources_down(self) -> dict[str, tuple[str, float]]:
        """``bot -> (reason, since)`` for each source recorded as down."""
        return {name.split(":", 1)[1]: (reason, since) for name, reason, since in self._run("sources_down")}

    def close(self) -> None:
        with self._lock:
            self.conn.close()


__all__ = ["Registry", "RunnerInfo", "TickRecord"]
