"""When bots collect new work: APScheduler 3.11 triggers, a business calendar, jitter, a misfire
policy, and never two runs of one bot at once.

APScheduler computes the ticks (cron with a time zone and its daylight-saving rules, or an
interval aligned to 2000-01-01 so every runner computes the same ticks). Its scheduler loop is not
used: it reads the wall clock and keeps job state per process, while here ticks are decided
against an injectable clock and recorded once per ``(bot, tick)`` in the queue's database
(:class:`~backoffice.bots.registry.Registry`), so a leader change never fires a tick twice and
``backoffice status`` can say why a bot did not run.

A tick is *due* at its time plus the bot's jitter (a fixed offset per bot and tick, so every
runner agrees). It is on time while it is due by at most ``misfire_grace_seconds``; later it
has misfired and the policy decides: ``once`` runs all due ticks as one run, ``skip`` drops the
misfired ones, ``all`` runs each in turn. A tick on a day the calendar excludes is recorded as
skipped. While a run is in progress the bot's due ticks wait; the policy decides when it ends.
A run that fails is recorded as failed and never blocks the next.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from backoffice.bots.outages import SourceDown
from backoffice.bots.registry import Registry

log = logging.getLogger(__name__)

EVERY = re.compile(r"^every\s+(\d+)\s*([smhd])$")
UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALIGN = datetime(2000, 1, 1)


@dataclass(frozen=True)
class Schedule:
    """One bot's schedule (built from bots.yaml by :func:`schedules_of`)."""

    bot: str
    expression: str
    timezone: str = "UTC"
    weekdays: tuple[str, ...] | None = None  # None: every day
    holidays: frozenset[date] = frozenset()
    jitter: float = 0.0
    misfire: str = "once"
    grace: float = 60.0

    def trigger(self) -> BaseTrigger:
        zone = ZoneInfo(self.timezone)
        every = EVERY.match(self.expression.strip())
        if every:
            seconds = int(every.group(1)) * UNITS[every.group(2)]
            return IntervalTrigger(seconds=seconds, start_date=ALIGN.replace(tzinfo=zone), timezone=zone)
        return CronTrigger.from_crontab(self.expression, timezone=zone)

    def closed_because(self, tick: datetime) -> str | None:
        """Why the calendar excludes ``tick`` (in the schedule's zone), or None on a business day."""
        local = tick.astimezone(ZoneInfo(self.timezone))
        if local.date() in self.holidays:
            return f"holiday {local.date().isoformat()}"
        if self.weekdays is not None and WEEKDAYS[local.weekday()] not in self.weekdays:
            return f"not a business day ({WEEKDAYS[local.weekday()]})"
        return None

    def offset(self, tick: float) -> float:
        """The jitter of one tick: the same on every runner."""
        if not self.jitter:
            return 0.0
        return self.jitter * (zlib.crc32(f"{self.bot}|{tick:.6f}".encode()) / 2**32)


def schedules_of(config, poll_seconds: float | None = None) -> list[Schedule]:
    """The schedules of the enabled bots of a Config; a bot without one is collected every
    ``runner.poll_seconds``."""
    out = []
    for bot in config.bots:
        if not bot.enabled:
            continue
        expression = bot.schedule or f"every {max(1, round(poll_seconds or config.runner.poll_seconds))}s"
        calendar = bot.calendar
        out.append(Schedule(
            bot=bot.name, expression=expression, timezone=bot.timezone,
            weekdays=tuple(calendar.weekdays) if calendar else None,
            holidays=frozenset(calendar.holidays) if calendar else frozenset(),
            jitter=bot.jitter_seconds, misfire=bot.misfire, grace=bot.misfire_grace_seconds,
        ))  # fmt: skip
    return out


def _ts(moment: datetime) -> float:
    return moment.timestamp()


def _dt(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@dataclass
class _State:
    schedule: Schedule
    trigger: BaseTrigger
    next_tick: float | None = None
    running: bool = False
    pending_runs: list[float] = field(default_factory=list)


def start_thread(run: Callable[[], None]) -> None:
    threading.Thread(target=run, name="schedule-run", daemon=True).start()


class Scheduler:
    """Decides, at each :meth:`tick`, which bots to fire; ``fire(bot)`` collects new work."""

    def __init__(
        self,
        schedules: list[Schedule],
        registry: Registry,
        owner: str,
        fire: Callable[[str], object],
        *,
        clock: Callable[[], float] = time.time,
        start: Callable[[Callable[[], None]], None] = start_thread,
    ):
        self.registry, self.owner, self.fire, self.clock, self.start = registry, owner, fire, clock, start
        self._lock = threading.Lock()
        self.states = {s.bot: _State(s, s.trigger()) for s in schedules}
        self._loaded = False

    # -- tick arithmetic -----------------------------------------------------------------
    @staticmethod
    def _after(state: _State, seconds: float | None, now: float) -> float | None:
        """The first tick strictly after ``seconds`` (None: the first at or after ``now``)."""
        if seconds is None:
            moment = state.trigger.get_next_fire_time(None, _dt(now))
        else:
            moment = state.trigger.get_next_fire_time(_dt(seconds), _dt(seconds))
        return None if moment is None else _ts(moment)

    def next_run(self, bot: str, after: float | None = None) -> float | None:
        """When ``bot`` fires next (its next business-day tick, jitter included)."""
        state = self.states[bot]
        tick = state.next_tick if after is None and self._loaded else self._after(state, after, self.clock())
        for _ in range(10_000):  # a calendar may close many days in a row, never forever
            if tick is None or state.schedule.closed_because(_dt(tick)) is None:
                break
            tick = self._after(state, tick, tick)
        return None if tick is None else tick + state.schedule.offset(tick)

    def reset(self) -> None:
        """Forget the in-memory ticks (leadership was lost): the next leader reads the registry."""
        with self._lock:
            self._loaded = False

    def _load(self, now: float) -> None:
        for state in self.states.values():
            last = self.registry.last_tick(state.schedule.bot)
            # A bot never fired starts with the next tick: ticks from before it existed are not missed.
            state.next_tick = self._after(state, last, now)
        self._loaded = True

    # -- deciding ------------------------------------------------------------------------
    def tick(self) -> list[tuple[str, float, str]]:
        """Fire what is due now; returns the decisions ``(bot, tick, run|skipped: why)``."""
        now = self.clock()
        decisions: list[tuple[str, float, str]] = []
        with self._lock:
            if not self._loaded:
                self._load(now)
            for state in self.states.values():
                decisions.extend(self._decide(state, now))
        return decisions

    def _due(self, state: _State, now: float) -> list[float]:
        due = []
        tick = state.next_tick
        while tick is not None and tick + state.schedule.offset(tick) <= now and len(due) < 100_000:
            due.append(tick)
            tick = self._after(state, tick, now)
        return due

    def _decide(self, state: _State, now: float) -> list[tuple[str, float, str]]:
        schedule, bot = state.schedule, state.schedule.bot
        if state.running:
            return []  # never two runs at once: due ticks wait for this one to end
        due = self._due(state, now)
        if not due:
            return []
        decisions = []
        runnable = []
        for tick in due:
            closed = schedule.closed_because(_dt(tick))
            if closed:
                decisions.append((bot, tick, f"skipped: {closed}"))
                self.registry.skip_tick(bot, tick, self.owner, closed)
            else:
                runnable.append(tick)
        late = [t for t in runnable if now - (t + schedule.offset(t)) > schedule.grace]
        on_time = [t for t in runnable if t not in late]
        if schedule.misfire == "all":
            chosen, dropped = runnable[:1], []
            state.next_tick = runnable[1] if len(runnable) > 1 else self._after(state, due[-1], now)
        else:
            if schedule.misfire == "skip":
                chosen = on_time[-1:]
                for tick in late:
                    why = f"misfired by {now - tick - schedule.offset(tick):.0f} s (grace {schedule.grace:g} s)"
                    decisions.append((bot, tick, f"skipped: {why}"))
                    self.registry.skip_tick(bot, tick, self.owner, why)
                dropped = on_time[:-1]
            else:  # once
                chosen, dropped = runnable[-1:], runnable[:-1]
            for tick in dropped:
                why = f"coalesced into the run of {_dt(chosen[0]).isoformat()}"
                decisions.append((bot, tick, f"skipped: {why}"))
                self.registry.skip_tick(bot, tick, self.owner, why)
            state.next_tick = self._after(state, due[-1], now)
        for tick in chosen:
            if not self.registry.start_tick(bot, tick, self.owner):
                decisions.append((bot, tick, "skipped: fired by another runner"))
                continue
            decisions.append((bot, tick, "run"))
            state.running = True
            self.start(lambda tick=tick: self._run(state, tick))
        return decisions

    def fire_now(self, bot: str) -> bool:
        """Collect ``bot`` now, outside its schedule (a source saw new work, e.g. IMAP IDLE);
        False when a run of it is in progress (that run or the next one picks the work up)."""
        with self._lock:
            state = self.states.get(bot)
            if state is None or state.running:
                return False
            state.running = True
        self.start(lambda: self._run_now(state))
        return True

    def _run_now(self, state: _State) -> None:
        try:
            self.fire(state.schedule.bot)
        except Exception as exc:
            if not isinstance(exc, SourceDown):  # an outage is told once, by backoffice.bots.outages
                log.exception("run of %s failed", state.schedule.bot, extra={"bot": state.schedule.bot, "action": "collect"})
        finally:
            state.running = False

    def _run(self, state: _State, tick: float) -> None:
        bot = state.schedule.bot
        try:
            result = self.fire(bot)
        except Exception as exc:  # a failed run never blocks the next one
            if not isinstance(exc, SourceDown):  # an outage is told once, by backoffice.bots.outages
                log.exception("scheduled run of %s failed", bot, extra={"bot": bot, "action": "schedule"})
            self._finish(state, tick, "failed", f"{type(exc).__name__}: {exc}")
        else:
            self._finish(state, tick, "ok", "" if result is None else str(result))

    def _finish(self, state: _State, tick: float, outcome: str, detail: str) -> None:
        try:
            self.registry.finish_tick(state.schedule.bot, tick, outcome, detail)
        except Exception:
            log.exception("cannot record the end of a run of %s", state.schedule.bot,
                          extra={"bot": state.schedule.bot, "action": "schedule"})  # fmt: skip
        finally:
            state.running = False


__all__ = ["Schedule", "Scheduler", "schedules_of", "start_thread"]
