"""Worker processes that handle a runner's items, so that one runner uses every core.

:class:`ItemWorkers` keeps up to two due items per worker claimed ahead and hands each to a
pool of worker processes (:mod:`backoffice.processes`, started by a fork server) in one task:
reading its file, then taking it through its stages, rules, targets and completion
(:mod:`backoffice.bots.item_worker`). The workers act with the runner's lease owner on the same
queue, so leases, the effect ledger and the journal keep their exactly-once guarantees; the
runner's own thread only claims, renews the leases of items that wait, watches those being
read, and counts. A mail's parent item, and an item whose reading killed a reader before, are
handled in the runner itself (the first needs the source's connection, the second a process of
its own), and so is every item while the workers start (the fork server imports the parsers
first).

A file the reader cannot read goes to the exception queue as the runner would send it. Each
worker says when it starts reading an item and when it is past reading, so the runner watches
that worker's memory and the reading's time limit: a worker still reading an item past the
limit is stopped (the pool starts another) and that item goes to the exception queue, the
other items never wait behind it; a worker past the limit stops by itself before posting. A
worker that dies reading an item (a parser that aborts at the memory cap) is seen at once, and
the item is retried, read next time in a process of its own (:mod:`backoffice.bots.reading`);
if that dies too it goes to the exception queue naming the file and what was measured. A
worker that dies later, while it posts, leaves the item to a retry (the ledger knows what was
sent). On shutdown the items not being handled yet (waiting, or being read) are released
without using an attempt; those being handled are finished.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent import futures
from concurrent.futures import CancelledError, Future
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from pebble import ProcessExpired

from backoffice.bots import item_worker, mail_parent, reading
from backoffice.documents.pool import SECONDS_PER_DOCUMENT
from backoffice.errors import DocumentError, LeaseLost
from backoffice.processes import MEMORY_LIMIT_MB, WorkerPool, ending, peak_mb, started_queue, worker_count
from backoffice.queue.base import WorkItem

log = logging.getLogger(__name__)

AHEAD = 2  # items in flight per worker: one read or handled, one waiting
# A worker reading past the time limit is stopped this much later: by then one that finished
# reading in time has said so (it posts nothing past the limit), so none is stopped while posting.
GRACE_SECONDS = 1.0


@dataclass
class _Flight:
    """An item claimed for the workers: reading, or being handled."""

    item: WorkItem
    future: Future
    phase: str = ""  # what its worker said last: item_worker.READING or HANDLING ("": not begun)
    pid: int = 0  # the worker that took it
    reading_since: float = 0.0  # when that worker began reading it (time.time())
    renewed: float = field(default_factory=time.monotonic)  # when its lease was last taken or renewed
    started: float = field(default_factory=time.monotonic)
    peak_mb: int = 0
    too_slow: bool = False  # stopped for reading past the time limit


class ItemWorkers:
    def __init__(
        self, runner: Any, workers: int, *, timeout: float = SECONDS_PER_DOCUMENT, memory_mb: int = MEMORY_LIMIT_MB
    ):
        self.runner, self.workers, self.timeout, self.memory_mb = runner, workers, timeout, memory_mb
        self._pool: WorkerPool | None = None
        self._starting: threading.Thread | None = None
        self._started: Any = None
        self._flights: dict[int, _Flight] = {}  # by item id
        self._job: tuple[tuple, item_worker.Job] | None = None

    def start(self, wait: bool = False) -> bool:
        """Start the worker processes in the background (``wait``: until they are up); whether
        they are up. Until then the runner handles items itself (a worker starts in seconds
        on a busy machine: the fork server imports the parsers first)."""
        if self._starting is None:
            self._started = started_queue()
            self._starting = threading.Thread(target=self._start, name="start-workers", daemon=True)
            self._starting.start()
        if wait:
            self._starting.join()
        return self._pool is not None

    def _start(self) -> None:
        try:
            self._pool = WorkerPool(self.workers, memory_mb=self.memory_mb, tasks_per_child=1000,
                                    started=self._started)  # fmt: skip
        except Exception:  # the runner goes on handling items itself
            log.exception("the worker processes did not start", extra={"action": "workers"})

    @property
    def pool(self) -> WorkerPool:
        self.start(wait=True)
        if self._pool is None:
            raise RuntimeError("the worker processes did not start (see the log)")
        return self._pool

    def job(self) -> item_worker.Job:
        """What the workers need to act for the runner, in its current run."""
        runner = self.runner
        if self._job is None or self._job[0] != (runner.run_id, runner.log_path):
            job = item_worker.Job(config=str(runner.config.path), queue=runner.config.queue_url, owner=runner.owner,
                                  bots=tuple(runner.bots), run=runner.run_id, log=runner.log_path,
                                  build=type(runner).for_worker)  # fmt: skip
            self._job = ((runner.run_id, runner.log_path), job)
        return self._job[1]

    # -- the batch -----------------------------------------------------------------------
    def process_batch(self, limit: int | None = None) -> list[WorkItem]:
        """Handle due items, keeping up to two per worker in flight; return those handled (at
        most ``limit``, default four per worker), [] when nothing is due. The items in flight
        stay claimed for the next call, so the workers go on while the caller does other work;
        :meth:`close` releases them."""
        runner = self.runner
        if not self.start() and not self._flights:  # the workers are starting: the runner works meanwhile
            item = runner.process_next()
            return [] if item is None else [item]
        limit = limit or 4 * self.workers
        handled: list[WorkItem] = []
        self._fill(handled)
        while self._flights and (len(handled) < limit or runner.stopping):  # stopping: finish those handled
            if runner.stopping:
                self._release_unread()
                if not self._flights:
                    break
            self._advance(handled)
            self._fill(handled)
        return handled

    def _fill(self, handled: list[WorkItem]) -> None:
        runner = self.runner
        room = AHEAD * self.workers - len(self._flights)
        ready = [name for name, bot in runner.bots.items() if bot.paused_until() is None]
        if room <= 0 or not ready or runner.stopping:
            return
        for item in runner.store.claim(runner.owner, bots=ready, lease=runner.lease, limit=room):
            if mail_parent.is_mail_parent(item) or reading.suspect(item):
                handled.append(runner.handle(item))  # here: the source's connection, a process of its own
                continue
            read = reading.needs_reading(item) and runner.bots[item.bot].handler is None  # a handler reads itself
            future = self.pool.schedule(item_worker.work, (self.job(), item, read, self.timeout))
            self._flights[item.id] = _Flight(item, future)

    def _advance(self, handled: list[WorkItem]) -> None:
        """Wait a moment for the workers; act on what they finished; watch those reading."""
        futures.wait([f.future for f in self._flights.values()], timeout=0.05, return_when=futures.FIRST_COMPLETED)
        self._drain()
        now, clock = time.monotonic(), time.time()
        for flight in list(self._flights.values()):
            if flight.phase == item_worker.READING and not flight.future.done():
                flight.peak_mb = max(flight.peak_mb, peak_mb(flight.pid))
                if clock - flight.reading_since > self.timeout + GRACE_SECONDS:
                    flight.too_slow = flight.future.cancel()  # the pool stops its worker
            if flight.future.done():
                del self._flights[flight.item.id]
                after = self._land(flight)
                if after is not None:
                    handled.append(after)
                continue
            if now - flight.renewed >= self.runner.lease / 2:  # a batch never outlives its leases
                self._renew(flight, now)

    def _renew(self, flight: _Flight, now: float) -> None:
        runner = self.runner
        try:
            runner.store.extend(flight.item.id, runner.owner, lease=runner.lease)
            flight.renewed = now
        except LeaseLost:
            log.warning("item %s: lease lost while waiting for a worker", flight.item.id,
                        extra={"item": flight.item.id, "action": "lease-lost"})  # fmt: skip
            flight.future.cancel()
            del self._flights[flight.item.id]

    def _drain(self) -> None:
        """Take the workers' reports: which began reading an item, which is past reading."""
        while self._started is not None and not self._started.empty():
            (item_id, phase), pid, at = self._started.get()
            flight = self._flights.get(item_id)
            if flight is not None:
                flight.phase, flight.pid = phase, pid
                if phase == item_worker.READING:
                    flight.reading_since = at

    # -- what came back ------------------------------------------------------------------
    def _land(self, flight: _Flight) -> WorkItem | None:
        """The item's outcome once its task ended; None when it was cancelled (the runner stops)."""
        item = flight.item
        name = reading.file_name(item)
        try:
            answer = flight.future.result()
        except CancelledError:
            if not flight.too_slow:
                return None
            message = f"{name}: reading took longer than {self.timeout:.0f} s (the worker was stopped)"
            return self._finished(flight, self._unreadable(item, DocumentError(message, code="too-slow")))
        except ProcessExpired as exc:
            how = reading.measured(ending(exc.exitcode), flight.peak_mb, self.memory_mb)
            if flight.phase != item_worker.HANDLING:
                return self._finished(flight, self._killed(item, f"worker killed reading {name}: {how}"))
            return self._finished(flight, self._retry(item, f"worker died handling {name}: {how}", "worker-died"))
        except Exception as exc:  # noqa: BLE001 - a task that failed in the pool (unpicklable, say): retried
            log.error("item %s: its worker failed", item.id, exc_info=True, extra={"item": item.id, "action": "fail"})
            return self._finished(flight, self._retry(item, f"{type(exc).__name__}: {exc}", "unexpected"))
        if "item" not in answer:
            return self._finished(flight, self._unreadable(item, DocumentError(answer["error"], code=answer["code"])))
        for bot, stage, took in answer["timed"]:
            self.runner.observer.stage(bot, stage, took)
        self.runner.observer.finished(answer["item"], answer["seconds"])
        return answer["item"]

    def _finished(self, flight: _Flight, after: WorkItem) -> WorkItem:
        self.runner.observer.finished(after, time.monotonic() - flight.started)
        return after

    def _killed(self, item: WorkItem, reason: str) -> WorkItem:
        """The first death: record it and retry the item (read next time in a process of its
        own); a worker killed by an item read alone already is its second: the exception queue."""
        runner = self.runner
        log.warning("item %s: %s", item.id, reason, extra={"bot": item.bot, "item": item.id, "action": "reader-killed"})
        try:
            current = runner.store.get(item.id)
            killed = [*current.payload.get(reading.KILLED, []), reading.killed_entry(reason)]
            runner.store.update(item.id, runner.owner, payload={**current.payload, reading.KILLED: killed})
        except LeaseLost:
            return runner.store.get(item.id)
        return self._retry(item, reason, "reader-killed")

    def _retry(self, item: WorkItem, reason: str, code: str) -> WorkItem:
        runner = self.runner
        retry = runner.bots[item.bot].config.retry
        not_before = datetime.now(UTC) + timedelta(seconds=retry.delay(item.attempts, runner.rng))
        try:
            return runner.store.retry_later(item.id, runner.owner, reason=reason, code=code, not_before=not_before)
        except LeaseLost:
            return runner.store.get(item.id)

    def _unreadable(self, item: WorkItem, exc: DocumentError) -> WorkItem:
        runner = self.runner
        log.info("item %s to exception queue: %s", item.id, exc.reason,
                 extra={"bot": item.bot, "item": item.id, "action": "exception"})  # fmt: skip
        try:
            return runner.store.to_exception(item.id, runner.owner, reason=exc.reason, code=exc.code)
        except LeaseLost:
            log.warning("item %s: lease lost; another runner has it", item.id,
                        extra={"item": item.id, "action": "lease-lost"})  # fmt: skip
            return runner.store.get(item.id)

    # -- stopping ------------------------------------------------------------------------
    def _release_unread(self) -> None:
        """The runner stops: items not being handled yet (waiting for a worker, or being read) go
        back to the queue, no attempt used; a worker reading one is stopped."""
        self._drain()
        for flight in [f for f in self._flights.values() if f.phase != item_worker.HANDLING]:
            flight.future.cancel()
            del self._flights[flight.item.id]
            self._release(flight.item)

    def _release(self, item: WorkItem) -> None:
        try:
            self.runner.store.release(item.id, self.runner.owner, why="runner stopping")
        except LeaseLost:
            pass

    def close(self) -> None:
        """Stop the worker processes and release every item still in flight (no attempt used;
        one a worker was posting when stopped is in doubt in the ledger, which the next
        attempt asks the target about)."""
        if self._starting is not None:
            self._starting.join()
            self._starting = None
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        for flight in self._flights.values():
            self._release(flight.item)
        self._flights.clear()


__all__ = ["ItemWorkers", "worker_count"]
