"""Worker processes for CPU-bound stages (reading documents, parsing mail).

:func:`worker_pool` forks (the parsers are imported already; spawn where there is no fork) a
pool whose workers have their address space capped (``RLIMIT_AS``, at what they inherited plus
a budget), so a hostile file that makes a parser allocate without end fails with MemoryError
in its worker instead of taking the machine's memory, that are replaced after
``tasks_per_child`` tasks, and that exit when the process that started them is killed.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import threading
import time
from multiprocessing import pool as mp_pool
from pathlib import Path

log = logging.getLogger(__name__)

MEMORY_LIMIT_MB = 1024
_budget_mb = 0  # in a worker: the budget limit_memory set


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
    """Run in each worker as it starts: cap its address space at what it has (a forked worker
    inherits its parent's, the malloc arenas of all its threads included) plus ``megabytes``;
    one OCR thread; and leave when the parent is gone."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    global _budget_mb
    _budget_mb = megabytes
    limit = _address_space() + megabytes * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):  # a platform without the limit still works
        log.debug("could not limit memory", exc_info=True)
    threading.Thread(target=_leave_with_parent, args=(os.getppid(),), name="parent-watch", daemon=True).start()


def _address_space() -> int:
    """This process's virtual size in bytes (0 where /proc is not there)."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _leave_with_parent(parent: int) -> None:
    """A worker whose parent was killed (SIGKILL) is adopted by another process; it then exits.
    (Its task pipe alone does not end it: workers forked later hold that pipe open too.)"""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(1)


def memory_limit_mb() -> int:
    """The memory a worker may use beyond what it had when it started, in MB (what
    limit_memory was given), or the address-space cap where no worker started here."""
    return _budget_mb or resource.getrlimit(resource.RLIMIT_AS)[0] // 1024 // 1024


def worker_pool(workers: int, *, memory_mb: int = MEMORY_LIMIT_MB, tasks_per_child: int = 200) -> mp_pool.Pool:
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    return _Pool(workers, initializer=limit_memory, initargs=(memory_mb,), maxtasksperchild=tasks_per_child,
                 context=context)  # fmt: skip
