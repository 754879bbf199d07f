"""In a worker process: take an item through its stages for a runner (:mod:`backoffice.bots.workers`):
read its file, then rules, targets and completion, in one task, so the document never travels
back to the runner and out again.

A worker acts for the runner: it builds the same bots from the same ``bots.yaml``, opens the
same queue, and uses the runner's lease owner, so the leases, the effect ledger and the journal
read as if the runner had done the work itself (exactly-once posting is the ledger's, whoever
calls the target). It tells the runner when it starts reading an item and when it is past
reading (:func:`backoffice.processes.announce`): the runner watches its memory and the reading's
time limit only while it reads, and a death while reading is the file's. Its log records go to
the runner's run log; the stages it timed go back with each item, for the runner's observer
(metrics).

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


READING, HANDLING = "reading", "handling"  # what a worker announces as it goes


def work(job: Job, item: WorkItem, read: bool, limit: float) -> dict[str, Any]:
    """Read the item's file (``read``; a Python bot's handler reads itself), then take the item
    through its stages. ``{"item", "timed", "seconds"}`` when it was handled; ``{"error",
    "code"}`` when its file could not be read (nothing was written: the runner records it).
    A reading that took longer than ``limit`` seconds goes no further (the runner stops a worker
    that reads for longer than that, and must not stop one that is posting)."""
    leave_if_orphaned()  # a task still in the pipe of a runner that was killed is not done
    runner = _runner_for(job)
    _recorder.take()
    document = None
    if read:
        announce((item.id, READING))  # the runner watches this worker's memory while it reads
        start = time.perf_counter()
        try:
            document = stages.extract(runner.bots[item.bot], item)
        except DocumentError as exc:
            return {"error": exc.reason, "code": exc.code}
        except MemoryError:
            return {"error": f"{reading.file_name(item)}: reading it needed more than {memory_limit_mb()} MB",
                    "code": "too-large"}  # fmt: skip
        took = time.perf_counter() - start
        if took > limit:
            return {"error": f"{reading.file_name(item)}: reading took longer than {limit:.0f} s",
                    "code": "too-slow"}  # fmt: skip
        runner.observer.stage(item.bot, "extract", took)
    announce((item.id, HANDLING))  # past reading: a death from now on is not the file's
    start = time.perf_counter()
    after = runner.handle(item, document)
    return {"item": after, "timed": _recorder.take(), "seconds": time.perf_counter() - start}


__all__ = ["HANDLING", "READING", "Job", "work"]
