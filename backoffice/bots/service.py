"""``backoffice run``: one runner process among any number sharing a queue.

Every runner processes queued items continuously (the runner's one loop, :meth:`Runner.loop`)
and waits for work with the store's ``wait_for_work`` (LISTEN/NOTIFY on PostgreSQL) when idle. A coordinator
thread announces the runner in the registry and polls the leader lease; only the leader fires
the bots' schedules. A scheduled run (collecting one bot's new work) is decided and recorded by
the coordinator and executed by the runner's own thread before its next claim, so sources and
targets keep running on one thread (a browser must), and the items a run collects are handled
at once. A run still queued when the runner stops stays recorded as started.

Shutdown: :meth:`Service.request_stop` stops claiming; the current item finishes (the CLI arms
a deadline after which the item is released, see :func:`backoffice.cli.run`); the leader
resigns so another runner takes the schedules at once, and the runner leaves the registry.
"""

from __future__ import annotations

import logging
import os
import queue
import socket
import threading
import time
from collections.abc import Callable

from backoffice.bots.leader import Leader
from backoffice.bots.outages import SourceDown, reason_of
from backoffice.bots.registry import Registry, RunnerInfo
from backoffice.bots.runner import Runner, RunSummary, new_run_id
from backoffice.bots.scheduler import Scheduler, schedules_of
from backoffice.connectors.base import Intake
from backoffice.logs import run_log
from backoffice.queue.base import WorkItem

log = logging.getLogger(__name__)


class Service:
    def __init__(self, runner: Runner, *, registry: Registry | None = None, clock: Callable[[], float] = time.time):
        self.runner, self.clock = runner, clock
        self.config = runner.config
        self.registry = registry or Registry.for_store(runner.store, clock=clock)
        self.leader = Leader(self.registry, runner.owner, self.config.runner.leader_lease_seconds)
        # Scheduled runs are decided on the coordinator thread and executed on the runner's own
        # thread between items, as before: sources and targets (a browser) stay on one thread.
        self._runs: queue.SimpleQueue[Callable[[], None]] = queue.SimpleQueue()
        self.scheduler = Scheduler(schedules_of(self.config), self.registry, runner.owner, self.collect,
                                   clock=clock, start=self._queue_run)  # fmt: skip
        self.scheduler.states = {b: s for b, s in self.scheduler.states.items() if b in runner.bots}
        self.started_at = clock()
        self.state = "running"
        self._coordinator: threading.Thread | None = None
        self._woken: set[str] = set()

    # -- the schedules' work -------------------------------------------------------------
    def collect(self, bot_name: str) -> int:
        """One scheduled run: ask the bot's source for new work (errors reach the scheduler)."""
        bot = self.runner.bots[bot_name]
        try:
            new = bot.source.collect(Intake(self.runner.store, bot.context))
        except Exception as exc:
            self.runner.outages.failed(bot_name, exc)  # told once per outage; the tick still fails
            raise SourceDown(f"source of bot {bot_name} is down: {reason_of(exc)}", code="source-down") from exc
        self.runner.outages.worked(bot_name)
        log.info("bot %s collected %s new items", bot_name, new, extra={"bot": bot_name, "action": "collect"})
        return new

    def _queue_run(self, run: Callable[[], None]) -> None:
        self._runs.put(run)
        wake = getattr(self.runner, "wake", None)
        if wake is not None:
            wake()

    def run_due(self) -> int:
        """Execute the scheduled runs the coordinator queued; returns how many."""
        done = 0
        while not self.runner.stopping:
            try:
                run = self._runs.get_nowait()
            except queue.Empty:
                break
            run()  # records its own outcome; never raises
            done += 1
        return done

    # -- coordination --------------------------------------------------------------------
    def _info(self) -> RunnerInfo:
        return RunnerInfo(
            name=self.runner.owner, host=socket.gethostname(), pid=os.getpid(), bots=list(self.runner.bots),
            state=self.state, item_id=self.runner.heartbeat._item, started_at=self.started_at, seen_at=self.clock(),
        )  # fmt: skip

    def coordinate_once(self) -> None:
        """Announce this runner, take or renew the lead, and fire what is due when leading."""
        try:
            self.registry.beat(self._info())
        except Exception:
            log.exception("cannot announce the runner", extra={"action": "heartbeat"})
        if self.leader.poll():
            try:
                self.scheduler.tick()
                while self._woken:  # sources that saw new work (IMAP IDLE) collect now
                    self.scheduler.fire_now(self._woken.pop())
            except Exception:
                log.exception("the scheduler failed; trying again", extra={"action": "schedule"})
        else:
            self._woken.clear()  # the leader's own sources watch too
            self.scheduler.reset()

    def _coordinate(self) -> None:
        interval = min(1.0, self.config.runner.leader_lease_seconds / 3)
        wake = getattr(self.runner, "_wake", self.runner._stop)
        while not self.runner.stopping:
            self.coordinate_once()
            wake.wait(interval)
            if not self.runner.stopping:
                wake.clear()

    def _watch(self) -> None:
        """Sources that can see new work arrive (IMAP IDLE) wake the coordinator."""
        for name, bot in self.runner.bots.items():
            if hasattr(bot.source, "watch"):
                bot.source.watch(lambda name=name: self._wake_for(name))

    def _wake_for(self, bot: str) -> None:
        self._woken.add(bot)
        self.runner.store.wake()
        wake = getattr(self.runner, "wake", None)
        if wake is not None:
            wake()

    # -- the loop ------------------------------------------------------------------------
    def _wait_for_work(self, seconds: float) -> None:
        if not self._runs.empty():
            return
        try:
            self.runner.store.wait_for_work(seconds)
        except Exception:
            log.exception("cannot listen for new work", extra={"action": "wait"})
            self.runner._stop.wait(seconds)

    def serve(self, on_item: Callable[[WorkItem], None] | None = None) -> RunSummary:
        """Process items until :meth:`request_stop`; the leader fires the schedules meanwhile."""
        runner = self.runner
        summary = RunSummary(new_run_id())
        runner.set_run(summary.run_id)
        with run_log(self.config.workspace_path / "logs", summary.run_id, **self.config.runner.log_options()) as path:
            summary.log_path = str(path)
            runner.set_run(summary.run_id, summary.log_path)
            log.info("runner %s started", runner.owner, extra={"action": "run-start"})
            self._watch()
            self._coordinator = threading.Thread(target=self._coordinate, name="coordinator", daemon=True)
            self._coordinator.start()
            try:
                runner.loop(summary, self._idle, on_item=on_item, between=self.run_due)
            finally:
                self.state = "stopping"
                runner.request_stop()
                self._coordinator.join(timeout=10)
                self._leave()
            log.info("runner %s stopped: %s", runner.owner, dict(summary.outcomes), extra={"action": "run-end"})
        return summary

    def _idle(self) -> bool:
        self._wait_for_work(min(1.0, self.config.runner.poll_seconds))
        return True

    def _leave(self) -> None:
        if self.runner.workers is not None:
            self.runner.workers.close()  # items claimed ahead go back to the queue
        try:
            self.leader.resign()
            self.registry.leave(self.runner.owner)
        except Exception:
            log.exception("cannot leave the registry", extra={"action": "stop"})
        self.registry.close()

    def request_stop(self) -> None:
        self.state = "stopping"
        self.runner.request_stop()


__all__ = ["Service"]
