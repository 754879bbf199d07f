"""The scheduler against a clock the tests move: cron in time zones, intervals, the calendar,
jitter, misfire policies, no overlap, failed runs, and one firing per tick across runners."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from backoffice.bots.leader import Leader
from backoffice.bots.registry import Registry
from backoffice.bots.scheduler import Schedule, Scheduler, schedules_of
from backoffice.queue.memory import MemoryStore


class Clock:
    def __init__(self, moment: datetime):
        self.now = moment.timestamp()

    def __call__(self) -> float:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment.timestamp()

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Runs:
    """A start function that holds runs until the test lets them go (to test overlap)."""

    def __init__(self, hold: bool = False):
        self.hold, self.waiting, self.fired = hold, [], []

    def __call__(self, run) -> None:
        if self.hold:
            self.waiting.append(run)
        else:
            run()

    def finish_all(self) -> None:
        waiting, self.waiting = self.waiting, []
        for run in waiting:
            run()


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.fixture
def clock():
    return Clock(utc(2026, 3, 2, 8, 0, 30))  # a Monday


@pytest.fixture
def registry(clock):
    reg = Registry.for_store(MemoryStore(clock=clock), clock=clock)
    yield reg
    reg.close()


def make(schedule, registry, clock, *, runs=None, fire=None, owner="r1"):
    runs = runs if runs is not None else Runs()
    fired = runs.fired

    def default_fire(bot):
        fired.append((bot, clock.now))
        return 1

    return Scheduler([schedule], registry, owner, fire or default_fire, clock=clock, start=runs), runs


def ran(decisions):
    return [datetime.fromtimestamp(t, UTC) for _, t, what in decisions if what == "run"]


def test_cron_in_a_time_zone_fires_at_local_time_across_daylight_saving(registry, clock):
    clock.set(utc(2026, 3, 27, 12))  # Friday before the switch to summer time in Berlin
    scheduler, runs = make(Schedule("b", "0 9 * * *", timezone="Europe/Berlin"), registry, clock)
    assert scheduler.tick() == []
    fired = []
    for _ in range(3 * 24 * 4):  # three days in 15-minute steps
        clock.advance(900)
        fired += ran(scheduler.tick())
    berlin = ZoneInfo("Europe/Berlin")
    assert [f.astimezone(berlin).hour for f in fired] == [9, 9, 9]
    assert [f.hour for f in fired] == [8, 7, 7]  # UTC+1, then UTC+2 from Sunday 29 March
    assert len(runs.fired) == 3


def test_interval_ticks_are_aligned_so_every_runner_computes_the_same(registry, clock):
    scheduler, _ = make(Schedule("b", "every 10m"), registry, clock)
    assert datetime.fromtimestamp(scheduler.next_run("b"), UTC) == utc(2026, 3, 2, 8, 10)
    scheduler.tick()
    clock.set(utc(2026, 3, 2, 8, 10, 1))
    assert ran(scheduler.tick()) == [utc(2026, 3, 2, 8, 10)]


def test_calendar_skips_weekends_and_holidays_and_says_why(registry, clock):
    clock.set(utc(2026, 12, 24, 12))  # Thursday
    schedule = Schedule("b", "0 6 * * *", weekdays=("mon", "tue", "wed", "thu", "fri"),
                        holidays=frozenset({date(2026, 12, 25)}))  # fmt: skip
    scheduler, _ = make(schedule, registry, clock)
    scheduler.tick()
    assert datetime.fromtimestamp(scheduler.next_run("b"), UTC) == utc(2026, 12, 28, 6)
    decisions = []
    for _ in range(4 * 24):
        clock.advance(3600)
        decisions += scheduler.tick()
    assert [(datetime.fromtimestamp(t, UTC).day, what) for _, t, what in decisions] == [
        (25, "skipped: holiday 2026-12-25"),
        (26, "skipped: not a business day (sat)"),
        (27, "skipped: not a business day (sun)"),
        (28, "run"),
    ]
    assert {r.detail for r in registry.ticks("b") if r.outcome == "skipped"} == {
        "holiday 2026-12-25", "not a business day (sat)", "not a business day (sun)"}  # fmt: skip


def test_jitter_delays_each_tick_by_the_same_amount_on_every_runner(registry, clock):
    schedule = Schedule("b", "every 1h", jitter=600)
    first, _ = make(schedule, registry, clock)
    second, _ = make(schedule, registry, clock, owner="r2")
    first.tick(), second.tick()
    due = first.next_run("b")
    assert due == second.next_run("b")
    assert utc(2026, 3, 2, 9).timestamp() < due < utc(2026, 3, 2, 9, 10).timestamp()
    clock.now = due - 0.5
    assert first.tick() == []
    clock.now = due
    assert len(ran(first.tick())) == 1


@pytest.mark.parametrize(
    ("policy", "expected_runs", "expected_skips"),
    [("once", 1, 3), ("skip", 0, 4), ("all", 4, 0)],
)
def test_misfire_policies_after_an_outage(registry, clock, policy, expected_runs, expected_skips):
    scheduler, runs = make(Schedule("b", "0 * * * *", misfire=policy, grace=120), registry, clock)
    scheduler.tick()  # next tick 09:00
    clock.set(utc(2026, 3, 2, 12, 30))  # down from 08:00:30 to 12:30: ticks 9, 10, 11, 12 misfired
    decisions = []
    for _ in range(5):  # 'all' runs one missed tick per pass, never two at once
        decisions += scheduler.tick()
    assert len(runs.fired) == expected_runs
    assert sum(what.startswith("skipped") for *_, what in decisions) == expected_skips
    if policy == "skip":
        assert all("misfired by" in what for *_, what in decisions)
    if policy == "once":
        assert ran(decisions) == [utc(2026, 3, 2, 12)]
    clock.set(utc(2026, 3, 2, 13, 1))  # the next tick is on time under every policy
    assert ran(scheduler.tick()) == [utc(2026, 3, 2, 13)]


def test_a_late_tick_within_the_grace_time_still_runs_when_skipping(registry, clock):
    scheduler, runs = make(Schedule("b", "0 * * * *", misfire="skip", grace=300), registry, clock)
    scheduler.tick()
    clock.set(utc(2026, 3, 2, 9, 4, 59))
    assert ran(scheduler.tick()) == [utc(2026, 3, 2, 9)]


def test_never_two_runs_of_one_bot_at_once(registry, clock):
    runs = Runs(hold=True)
    scheduler, _ = make(Schedule("b", "every 1m", misfire="skip", grace=30), registry, clock, runs=runs)
    scheduler.tick()
    clock.set(utc(2026, 3, 2, 8, 1, 1))
    assert len(ran(scheduler.tick())) == 1
    for _ in range(5):  # the run takes five minutes: its ticks wait
        clock.advance(60)
        assert scheduler.tick() == []
    assert len(runs.waiting) == 1
    runs.finish_all()
    decisions = scheduler.tick()  # 08:06:01: 08:02..08:05 misfired, 08:06 is on time
    assert ran(decisions) == [utc(2026, 3, 2, 8, 6)]
    assert sum(what.startswith("skipped: misfired") for *_, what in decisions) == 4


def test_a_failed_run_is_recorded_and_never_blocks_the_next(registry, clock):
    calls = []

    def fire(bot):
        calls.append(clock.now)
        if len(calls) == 1:
            raise ConnectionError("inbox unreachable")
        return 3

    scheduler, _ = make(Schedule("b", "every 1m"), registry, clock, fire=fire)
    scheduler.tick()
    clock.set(utc(2026, 3, 2, 8, 1))
    scheduler.tick()
    clock.set(utc(2026, 3, 2, 8, 2))
    scheduler.tick()
    assert len(calls) == 2
    outcomes = [(r.outcome, r.detail) for r in reversed(registry.ticks("b"))]
    assert outcomes == [("failed", "ConnectionError: inbox unreachable"), ("ok", "3")]


def test_each_tick_fires_once_across_a_leader_change(registry, clock):
    schedule = Schedule("b", "every 1m", misfire="all", grace=30)
    first, runs = make(schedule, registry, clock, owner="r1")
    second, _ = make(schedule, registry, clock, runs=runs, owner="r2")
    lead1, lead2 = Leader(registry, "r1", 15), Leader(registry, "r2", 15)
    assert lead1.poll() and not lead2.poll()
    first.tick()
    for _ in range(3):
        clock.advance(60)
        assert lead1.poll() and not lead2.poll()
        first.tick()
    clock.advance(10)  # r1 dies; r2 takes over once the lease has expired, then catches up
    assert not lead2.poll()
    clock.advance(70)
    assert lead2.poll()
    second.reset()
    for _ in range(3):
        second.tick()
    clock.advance(60)
    second.tick()
    first.tick()  # the old leader wakes up, still believing it leads: nothing fires twice
    assert len(runs.fired) == 5
    records = registry.ticks("b")
    assert [r.runner for r in reversed(records)] == ["r1", "r1", "r1", "r2", "r2"]
    assert {r.outcome for r in records} == {"ok"}
    fired = sorted(r.tick for r in records)
    assert [b - a for a, b in zip(fired, fired[1:], strict=False)] == [60.0] * (len(fired) - 1)


def test_schedules_of_a_config(deployment):
    from backoffice.config import load_config

    path = deployment("""
        workspace: work
        runner: {poll_seconds: 7}
        bots:
          - name: a
            schedule: "30 6 * * 1-5"
            timezone: Europe/Berlin
            calendar: {weekdays: [mon, tue], holidays: [2026-12-25]}
            misfire: skip
            misfire_grace_seconds: 10
            jitter_seconds: 5
            source: {kind: folder, path: in, create: true}
          - name: b
            source: {kind: folder, path: in2, create: true}
    """)
    a, b = schedules_of(load_config(path))
    assert (a.timezone, a.weekdays, a.holidays, a.misfire, a.grace, a.jitter) == (
        "Europe/Berlin", ("mon", "tue"), frozenset({date(2026, 12, 25)}), "skip", 10.0, 5.0)  # fmt: skip
    assert b.expression == "every 7s"


def test_a_wrong_time_zone_or_misfire_policy_is_reported_with_its_line(deployment):
    from backoffice.config import load_config
    from backoffice.errors import ConfigError

    path = deployment("""
        bots:
          - name: a
            schedule: "0 6 * * *"
            timezone: Europe/Atlantis
            misfire: sometimes
            source: {kind: folder, path: in, create: true}
    """)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    text = str(caught.value)
    assert "bots.yaml:4: bots[0].timezone" in text and "Europe/Atlantis" in text
    assert "bots.yaml:5: bots[0].misfire" in text


def test_fire_now_collects_outside_the_schedule_but_never_beside_a_run(registry, clock):
    runs = Runs(hold=True)
    scheduler, _ = make(Schedule("b", "every 1h"), registry, clock, runs=runs)
    assert scheduler.fire_now("b") is True
    assert scheduler.fire_now("b") is False  # the first is still running
    runs.finish_all()
    assert len(runs.fired) == 1 and registry.ticks("b") == []  # not a tick: nothing recorded
    assert scheduler.fire_now("b") is True
