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
using an attempt. A bot with layout templates reads its documents in the runner (the workers
read without templates).
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections import deque
from multiprocessing.pool import AsyncResult, Pool

from backoffice.bots import mail_parent, stages
from backoffice.documents.models import Document
from backoffice.documents.pool import SECONDS_PER_DOCUMENT, _read
from backoffice.errors import DocumentError, LeaseLost
from backoffice.processes import worker_count, worker_pool
from backoffice.queue.base import WorkItem

log = logging.getLogger(__name__)


class ExtractionWorkers:
    def __init__(self, runner, workers: int, *, timeout: float = SECONDS_PER_DOCUMENT):
        self.runner, self.workers, self.timeout = runner, workers, timeout
        self._pool: Pool | None = None
        self._waiting: deque[tuple[WorkItem, AsyncResult | None, float]] = deque()  # claimed, reading ahead

    @property
    def pool(self) -> Pool:
        if self._pool is None:
            self._pool = worker_pool(self.workers)
        return self._pool

    def _needs_reading(self, item: WorkItem) -> bool:
        return ("document" not in item.payload and "intake_error" not in item.payload and bool(item.files)
                and not mail_parent.is_mail_parent(item) and not self.runner.bots[item.bot].templates)  # fmt: skip

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
                reading = self.pool.apply_async(_read, (path, bot.config.extractor, False))
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
        try:
            found = result.get(timeout=self.timeout)
        except multiprocessing.TimeoutError:
            found = {"error": f"{name}: reading took longer than {self.timeout:.0f} s, or the reader crashed on it",
                     "code": "too-slow"}  # fmt: skip
        if "document" not in found:
            stored = self.runner.bots[item.bot].context.files.path(item.files[0]).name
            raise DocumentError(found["error"].replace(stored, name), code=found["code"])
        return stages.found(Document.from_dict(found["document"]), name)

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


__all__ = ["ExtractionWorkers", "worker_count"]
