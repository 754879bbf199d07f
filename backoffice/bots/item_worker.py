"""In a worker process: read an item's file, and take an item whose document was read through
its stages (rules, targets, completion), for a runner (:mod:`backoffice.bots.workers`).

A worker acts for the runner: it builds the same bots from the same ``bots.yaml``, opens the
same queue, and uses the runner's lease owner, so the leases, the effect ledger and the journal
read as if the runner had done the work itself (exactly-once posting is the ledger's, whoever
calls the target). Its log records go to the runner's run log; the stages it timed go back
with each item, for the runner's observer (metrics).

The job names how to build that runner (``Job.build``, the runner's ``for_worker``): this module
never imports the runner, which starts the workers (the layers test keeps it so).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backoffice.bots import reading, stages
from backoffice.observer import Recorder
from backoffice.documents.models import Document
from backoffice.errors import DocumentError
from backoffice.logs import follow_run_log
from backoffice.processes import announce, leave_if_orphaned, memory_limit_mb
from backoffice.queue.base import Store, WorkItem

if TYPE_CHECKING:
    from backoffice.config import Config


@dataclass(frozen=True)
class Job:
    """What a worker needs to act for a runner (sent with each task; small)."""

    config: str  # the path of bots.yaml
    queue: str  # the queue's URL
    owner: str  # the runner's lease owner
    bots: tuple[str, ...]
    run: str  # the run's id
    log: str | None  # the run's log file
    # (config, store, bots, owner) -> the runner the worker acts as; pickled by reference
    build: Callable[[Config, Store, list[str], str], Any]

    @property
    def key(self) -> tuple:
        return self.config, self.queue, self.owner, self.bots, self.build


_runner: Any = None  # this worker's Runner, built for the first job
_key: tuple | None = None
_recorder = Recorder()


def _runner_for(job: Job) -> Any:
    global _runner, _key
    if _runner is None or _key != job.key:
        from backoffice.config import load_config
        from backoffice.queue import open_store

        if _runner is not None:
            _runner.close()
            _runner.store.close()
        _runner = job.build(load_config(job.config), open_store(job.queue), list(job.bots), job.owner)
        _runner.observer = _recorder
        _key = job.key
    if job.log is not None:
        follow_run_log(Path(job.log), job.run)
    _runner.set_run(job.run)
    return _runner


def read(job: Job, item: WorkItem) -> dict[str, Any]:
    """The document in the item's file, or the error that stopped reading it."""
    leave_if_orphaned()  # a task still in the pipe of a runner that was killed is not done
    announce(item.id)  # the runner watches this worker's memory while it reads
    bot = _runner_for(job).bots[item.bot]
    start = time.perf_counter()
    try:
        document = stages.extract(bot, item)
    except DocumentError as exc:
        return {"error": exc.reason, "code": exc.code}
    except MemoryError:
        return {"error": f"{reading.file_name(item)}: reading it needed more than {memory_limit_mb()} MB",
                "code": "too-large"}  # fmt: skip
    return {"document": document.to_dict(), "seconds": time.perf_counter() - start}


def handle(job: Job, item: WorkItem, document: dict | None) -> tuple[WorkItem, list[tuple[str, str, float]], float]:
    """Take the item through its stages (``document``: what :func:`read` found, or None when the
    item needs no reading); the item after, the stages timed, and the seconds it took."""
    leave_if_orphaned()
    runner = _runner_for(job)
    _recorder.take()
    start = time.perf_counter()
    after = runner.handle(item, None if document is None else Document.from_dict(document))
    return after, _recorder.take(), time.perf_counter() - start


__all__ = ["Job", "handle", "read"]
