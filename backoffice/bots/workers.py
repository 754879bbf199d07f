"""Worker processes for the CPU-bound stage: one runner reads documents on every core.

:class:`ExtractionWorkers` keeps up to two due items per worker claimed ahead, their files
handed to a persistent pool of forked processes (:mod:`backoffice.documents.pool`'s reader, with its
memory cap), and handles the items one by one in the runner as their documents come back, the
extracted document saved in the item's payload first (so the runner's extract stage takes it
as it is). Rules, the effect ledger and target calls stay in the runner: they are I/O, and
one lease owner per item keeps the exactly-once guarantees unchanged.

Each item's lease is renewed just before it is handled (a batch never outlives its leases), a
file the reader cannot read goes to the exception queue as the runner would send it, and on
shutdown the items not yet started are released without using an attempt.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from multiprocessing.pool import AsyncResult, Pool

from backoffice.documents.pool import SECONDS_PER_DOCUMENT, MEMORY_LIMIT_MB, _limit_memory, _read
from backoffice.errors import LeaseLost
from backoffice.queue.base import WorkItem

log = logging.getLogger(__name__)


def worker_count(setting: int | None) -> int:
    """Processes to use: the setting, or one per core when None (0 or 1: read in the runner)."""
    return (os.cpu_count() or 1) if setting is None else setting


class ExtractionWorkers:
    def __init__(self, runner, workers: int, *, timeout: float = SECONDS_PER_DOCUMENT):
        self.runner, self.workers, self.timeout = runner, workers, timeout
        self._pool: Pool | None = None

    @property
    def pool(self) -> Pool:
        if self._pool is None:
            context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
            self._pool = context.Pool(self.workers, initializer=_limit_memory, initargs=(MEMORY_LIMIT_MB,),
                                      maxtasksperchild=200)  # fmt: skip
        return self._pool

    def _needs_reading(self, item: WorkItem) -> bool:
        return "document" not in item.payload and "intake_error" not in item.payload and bool(item.files)

    def _claim(self, room: int) -> list[tuple[WorkItem, AsyncResult | None]]:
        runner = self.runner
        ready = [name for name, bot in runner.bots.items() if bot.paused_until() is None]
        if not ready or room <= 0 or runner.stopping:
            return []
        claimed = runner.store.claim(runner.owner, bots=ready, lease=runner.lease, limit=room)
        out = []
        for item in claimed:
            reading = None
            if self._needs_reading(item):
                bot = runner.bots[item.bot]
                path = str(bot.context.files.path(item.files[0]))
                reading = self.pool.apply_async(_read, (path, bot.config.extractor, False))
            out.append((item, reading))
        return out

    def process_batch(self) -> list[WorkItem]:
        """Handle due items until none is left, keeping up to two per worker in reading ahead of
        the one being handled; [] when nothing is due."""
        runner = self.runner
        waiting = deque(self._claim(2 * self.workers))
        handled = []
        while waiting:
            if runner.stopping:
                self._release([item for item, _ in waiting])
                break
            item, reading = waiting.popleft()
            if len(waiting) < self.workers:  # keep the workers busy while this item is handled
                waiting.extend(self._claim(2 * self.workers - len(waiting)))
            try:
                runner.store.extend(item.id, runner.owner, lease=runner.lease)
                if reading is not None:
                    item = self._with_document(item, reading)
                    if item.status.value != "processing":
                        handled.append(item)
                        continue
            except LeaseLost:
                log.warning("item %s: lease lost while waiting in a batch", item.id,
                            extra={"item": item.id, "action": "lease-lost"})  # fmt: skip
                continue
            try:
                handled.append(runner.handle(item))
            except BaseException:  # Interrupted (the shutdown deadline): the others go back too
                self._release([other for other, _ in waiting])
                raise
        return handled

    def _with_document(self, item: WorkItem, result: AsyncResult) -> WorkItem:
        runner, name = self.runner, item.payload.get("file") or item.files[0].name
        try:
            found = result.get(timeout=self.timeout)
        except multiprocessing.TimeoutError:
            found = {"error": f"{name}: reading took longer than {self.timeout:.0f} s, or the reader crashed on it",
                     "code": "too-slow"}  # fmt: skip
        if "document" not in found:
            reason = found["error"].replace(runner.bots[item.bot].context.files.path(item.files[0]).name, name)
            log.info("item %s to exception queue: %s", item.id, reason,
                     extra={"bot": item.bot, "item": item.id, "action": "exception"})  # fmt: skip
            return runner.store.to_exception(item.id, runner.owner, reason=reason, code=found["code"])
        document = {**found["document"], "source": name}
        return runner.store.update(item.id, runner.owner, payload={**item.payload, "document": document})

    def _release(self, items: list[WorkItem]) -> None:
        for item in items:
            try:
                self.runner.store.release(item.id, self.runner.owner, why="runner stopping")
            except LeaseLost:
                pass

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


__all__ = ["ExtractionWorkers", "worker_count"]
