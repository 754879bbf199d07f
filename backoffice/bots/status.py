"""``backoffice status``: the runners sharing a queue, the leader, each bot's last and next run
(and why it did not run when it should have), and the queue depth by status."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from backoffice.bots.leader import LEASE
from backoffice.bots.registry import Registry
from backoffice.bots.scheduler import Scheduler, schedules_of
from backoffice.queue.base import Store


def _iso(seconds: float | None) -> str | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC).isoformat(timespec="seconds")


def status_report(config, store: Store, *, clock: Callable[[], float] = time.time) -> dict[str, Any]:
    """Everything ``backoffice status`` shows, JSON-ready."""
    registry = Registry.for_store(store, clock=clock)
    try:
        return _report(config, store, registry, clock)
    finally:
        registry.close()


def _report(config, store: Store, registry: Registry, clock: Callable[[], float]) -> dict[str, Any]:
    now = clock()
    lease = config.runner.leader_lease_seconds
    alive_since = now - max(3 * min(1.0, lease / 3), lease)
    runners = [r for r in registry.runners(since=now - 24 * 3600)]
    live = [r for r in runners if r.seen_at >= alive_since and r.state != "stopped"]
    held = registry.holder(LEASE)
    scheduler = Scheduler(schedules_of(config), registry, "status", lambda bot: None, clock=clock)
    bots = []
    down = registry.sources_down()
    for bot in config.bots:
        entry: dict[str, Any] = {"bot": bot.name, "enabled": bot.enabled, "schedule": bot.schedule or
                                 f"every {config.runner.poll_seconds:g}s (poll)", "timezone": bot.timezone}  # fmt: skip
        if bot.enabled:
            ticks = registry.ticks(bot.name, limit=50)
            ran = next((t for t in ticks if t.outcome != "skipped"), None)
            entry["last_run"] = None if ran is None else {
                "tick": _iso(ran.tick), "started": _iso(ran.started_at), "finished": _iso(ran.finished_at),
                "runner": ran.runner, "outcome": ran.outcome or "running (or its runner died)", "detail": ran.detail,
            }  # fmt: skip
            last_tick = ticks[0].tick if ticks else None
            entry["next_run"] = _iso(scheduler.next_run(bot.name, after=last_tick) if last_tick else
                                     scheduler.next_run(bot.name, after=None))  # fmt: skip
            entry["not_run"] = _why_not(ticks, ran, live, held)
            if bot.name in down:
                entry["source_down"] = {"since": _iso(down[bot.name][1]), "reason": down[bot.name][0]}
        bots.append(entry)
    return {
        "at": _iso(now),
        "queue": store.counts(),
        "leader": None if held is None else {"runner": held[0], "since": _iso(held[1]), "lease_until": _iso(held[2])},
        "runners": [
            {"name": r.name, "host": r.host, "pid": r.pid, "state": r.state if r in live else "gone",
             "item": r.item_id, "bots": r.bots, "started": _iso(r.started_at), "seen": _iso(r.seen_at)}
            for r in runners
        ],  # fmt: skip
        "bots": bots,
    }


def _why_not(ticks, ran, live, held) -> list[str]:
    """Reasons a bot did not run when it should have: skipped ticks since its last run, a failed
    last run, no runner alive, no leader."""
    reasons = []
    for tick in ticks:
        if ran is not None and tick.tick <= ran.tick:
            break
        if tick.outcome == "skipped":
            reasons.append(f"{_iso(tick.tick)}: {tick.detail}")
    if ran is not None and ran.outcome == "failed":
        reasons.append(f"last run failed: {ran.detail}")
    if not live:
        reasons.append("no runner is alive (start `backoffice run`)")
    elif held is None:
        reasons.append("no runner holds the schedule lease yet")
    return reasons


__all__ = ["status_report"]
