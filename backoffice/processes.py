"""Worker processes for CPU-bound stages (reading documents, parsing mail).

:func:`worker_pool` forks (the parsers are imported already; spawn where there is no fork) a
pool whose workers have their address space capped (``RLIMIT_AS``), so a hostile file that
makes a parser allocate without end fails with MemoryError in its worker instead of taking the
machine's memory, and that are replaced after ``tasks_per_child`` tasks.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
from multiprocessing import pool as mp_pool

log = logging.getLogger(__name__)

MEMORY_LIMIT_MB = 1024


class _Pool(mp_pool.Pool):
    """multiprocessing's Pool, except that its worker-handler thread does not wake up for every
    result: it waits on the result pipe too, so until the result-handler thread has read a
    result it loops without blocking, taking the GIL from the caller's thread. Workers that
    exit (and the pool's own changes) still wake it."""

    def _get_sentinels(self) -> list:
        return [self._change_notifier._reader]


def worker_count(setting: int | None) -> int:
    """Processes to use: the setting, or one per core when None (0 or 1: none, work in place)."""
    return (os.cpu_count() or 1) if setting is None else setting


def limit_memory(megabytes: int) -> None:
    """Run in each worker as it starts: cap its address space, one OCR thread."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    limit = megabytes * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):  # a platform without the limit still works
        log.debug("could not limit memory", exc_info=True)


def memory_limit_mb() -> int:
    """The address-space cap of this process in MB (in a worker: what limit_memory set)."""
    return resource.getrlimit(resource.RLIMIT_AS)[0] // 1024 // 1024


def worker_pool(workers: int, *, memory_mb: int = MEMORY_LIMIT_MB, tasks_per_child: int = 200) -> mp_pool.Pool:
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    return _Pool(workers, initializer=limit_memory, initargs=(memory_mb,), maxtasksperchild=tasks_per_child,
                 context=context)  # fmt: skip
