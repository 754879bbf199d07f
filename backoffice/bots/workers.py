"""Worker processes for the CPU-bound stage: one runner reads documents on every core.

:class:`ExtractionWorkers` keeps up to two due items per worker claimed ahead, their files
handed to a persistent pool of forked processes (:mod:`backoffice.documents.pool`'s reader, with its
memory cap), and handles the items one by one in the runner as their documents come back: the
document goes straight to the runner's stages (:meth:`Runner.handle`), which save it with the
Verdict in one update. Rules, the effect ledger and target calls stay in the runner: they are
I/O, and one lease owner per item keeps the exactly-once guarantees unchanged. So the workers
read the next documents while the runner thread applies the rules to and posts this one.

An item that waited in the batch for half its lease gets its lease renewed before it is handled
(a batch never outlives its leases), a file the reader cannot read goes to the exception queue
as the runner would send it, and on shutdown the items not yet started are released without
using an attempt. Each task reports which worker took it, so a worker that dies on an item (a
parser that aborts at the memory cap) is seen within a moment, not after the time limit, and a
worker that overruns the time limit on one item is killed (the pool starts another): the
other items never wait behind it. The item that killed its worker is retried, read next time
in a process of its own (:mod:`backoffice.bots.reading`); if that dies too it goes to the
exception queue naming the file and what was measured. A bot with layout templates reads its documents in the runner (the workers
read without templates).
"""

from __future__ import annotations

import logging
import os
import signal
import time
from collections import deque
from datetime import UTC, datetime, timedelta
from multiprocessing.pool import AsyncResult, Pool
from typing import Any

from backoffice.bots import mail_parent, reading, stages
from backoffice.documents.models import Document
from backoffice.documents.pool import SECONDS_PER_DOCUMENT, _read
from backoffice.errors import DocumentError, LeaseLost
from backoffice.processes import MEMORY_LIMIT_MB, alive, peak_mb, started_queue, worker_count, worker_pool
from backoffice.queue.base import WorkItem

GRACE_SECONDS = 1.0  # a worker gone without a result: wait this long for the result to arrive anyway

log = logging.getLogger(__name__)


class ExtractionWorkers:
    def __init__(
        self, runner, workers: int, *, timeout: float = SECONDS_PER_DOCUMENT, memory_mb: int = MEMORY_LIMIT_MB
    ):
        self.runner, self.workers, self.timeout, self.memory_mb = runner, workers, timeout, memory_mb
        self._pool: Pool | None = None
        self._started: Any = None
        self._begun: dict[int, tuple[int, float]] = {}  # item id -> (worker pid, when it started reading)
        self._waiting: deque[tuple[WorkItem, AsyncResult | None, float]] = deque()  # claimed, reading ahead

    @property
    def pool(self) -> Pool:
        if self._pool is None:
            self._started = started_queue()
            self._pool = worker_pool(self.workers, memory_mb=self.memory_mb, started=self._started)
        return self._pool

    def _needs_reading(self, item: WorkItem) -> bool:
        return (
            reading.needs_reading(item)
            and not reading.suspect(item)
            and not mail_parent.is_mail_parent(item)
            and not self.runner.bots[item.bot].templates
        )

    def _claim(self, room: int) -> list[tuple[WorkItem, AsyncResult | None, float]]:
        runner = self.runner
        ready = [name for name, bot in runner.bots.items() if bot.paused_until() is None]
        if not ready or room <= 0 or runner.stopping:
            return []
        claimed = runner.store.claim(runner.owner, bots=ready, lease=runner.lease, limit=room)
        at = time.monotonic()
        out = []
        for item in claimed:
            reading = None
            if self._needs_reading(item):
                bot = runner.bots[item.bot]
                path = str(bot.context.files.path(item.files[0]))
                reading = self.pool.apply_async(_read, (path, bot.config.extractor, False, item.id))
            out.append((item, reading, at))
        return out

    def process_batch(self, limit: int | None = None) -> list[WorkItem]:
        """Handle due items, keeping up to two per worker in reading ahead of the one being
        handled; return those handled (at most ``limit``, default four per worker), [] when
        nothing is due. The items reading ahead stay claimed for the next call, so the workers
        go on reading while the caller does other work; :meth:`close` releases them."""
        runner, waiting = self.runner, self._waiting
        limit = limit or 4 * self.workers
        if not waiting:
            waiting.extend(self._claim(2 * self.workers))
        handled: list[WorkItem] = []
        while waiting and len(handled) < limit:
            if runner.stopping:
                self._release([item for item, _, _ in waiting])
                waiting.clear()
                break
            item, reading, claimed_at = waiting.popleft()
            if len(waiting) < self.workers:  # keep the workers busy while this item is handled
                waiting.extend(self._claim(2 * self.workers - len(waiting)))
            document = None
            try:
                if time.monotonic() - claimed_at >= runner.lease / 2:
                    runner.store.extend(item.id, runner.owner, lease=runner.lease)
                if reading is not None:
                    document = self._document(item, reading)
            except LeaseLost:
                log.warning("item %s: lease lost while waiting in a batch", item.id,
                            extra={"item": item.id, "action": "lease-lost"})  # fmt: skip
                continue
            except DocumentError as exc:
                handled.append(self._unreadable(item, exc))
                continue
            except WorkerKilled as exc:
                handled.append(self._killed(item, exc))
                continue
            try:
                handled.append(runner.handle(item, document))
            except BaseException:  # Interrupted (the shutdown deadline): the others go back too
                self._release([other for other, _, _ in waiting])
                waiting.clear()
                raise
        return handled

    def _document(self, item: WorkItem, result: AsyncResult) -> Document:
        """The document a worker read, or the DocumentError the runner would have raised."""
        name = item.payload.get("file") or item.files[0].name
        found = self._wait(item, result, name)
        if "killed" in found:
            raise WorkerKilled(found["killed"])
        if "document" not in found:
            stored = self.runner.bots[item.bot].context.files.path(item.files[0]).name
            raise DocumentError(found["error"].replace(stored, name), code=found["code"])
        return stages.found(Document.from_dict(found["document"]), name)

    def _wait(self, item: WorkItem, result: AsyncResult, name: str) -> dict[str, Any]:
        """The worker's answer; or, when the worker reading the item died, ``{"killed": reason}``;
        or a too-slow error when it read longer than the timeout (the worker is killed)."""
        peak, gone_at = 0, None
        self._drain(item.id)
        while not result.ready():
            self._drain(item.id)
            begun = self._begun.get(item.id)
            if begun is not None:
                pid, at = begun
                peak = max(peak, peak_mb(pid))
                if not alive(pid):
                    gone_at = gone_at or time.monotonic()
                    if time.monotonic() - gone_at > GRACE_SECONDS:
                        how = reading.measured("died", peak, self.memory_mb)
                        return {"killed": f"worker killed reading {name}: {how}"}
                elif time.time() - at > self.timeout:
                    _kill(pid)  # the pool starts another worker; the others read on
                    return {
                        "error": f"{name}: reading took longer than {self.timeout:.0f} s (the worker was stopped)",
                        "code": "too-slow",
                    }
            result.wait(0.05)
        self._begun.pop(item.id, None)
        return result.get()

    def _drain(self, current: int) -> None:
        """Take the workers' reports of the tasks they started (those of items still waiting)."""
        waiting = {current, *(waiting.id for waiting, _, _ in self._waiting)}
        while self._started is not None and not self._started.empty():
            token, pid, at = self._started.get()
            if token in waiting:
                self._begun[token] = (pid, at)

    def _killed(self, item: WorkItem, exc: WorkerKilled) -> WorkItem:
        """The first death: record it and retry the item (read next time in a process of its
        own); a worker killed by an item read alone already is its second: the exception queue."""
        runner, reason = self.runner, str(exc)
        self._begun.pop(item.id, None)
        log.warning("item %s: %s", item.id, reason, extra={"bot": item.bot, "item": item.id, "action": "reader-killed"})
        try:
            current = runner.store.get(item.id)
            killed = [*current.payload.get(reading.KILLED, []), reading.killed_entry(reason)]
            runner.store.update(item.id, runner.owner, payload={**current.payload, reading.KILLED: killed})
            retry = runner.bots[item.bot].config.retry
            not_before = datetime.now(UTC) + timedelta(seconds=retry.delay(item.attempts, runner.rng))
            return runner.store.retry_later(
                item.id, runner.owner, reason=reason, code="reader-killed", not_before=not_before
            )
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

    def _release(self, items: list[WorkItem]) -> None:
        for item in items:
            try:
                self.runner.store.release(item.id, self.runner.owner, why="runner stopping")
            except LeaseLost:
                pass

    def close(self) -> None:
        """Release the items still waiting (no attempt used) and stop the worker processes."""
        self._release([item for item, _, _ in self._waiting])
        self._waiting.clear()
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None
        self._begun.clear()


class WorkerKilled(Exception):
    """The worker reading an item died (its message names the file and what was measured)."""


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


__all__ = ["ExtractionWorkers", "worker_count"]
