"""Worker processes for CPU-bound stages (reading documents, parsing mail).

:func:`worker_pool` forks (the parsers are imported already; spawn where there is no fork) a
pool whose workers have their address space capped (``RLIMIT_AS``, at what they inherited plus
a budget), so a hostile file that makes a parser allocate without end fails with MemoryError
in its worker instead of taking the machine's memory, that are replaced after
``tasks_per_child`` tasks, and that exit when the process that started them is killed.

A pool can also say which worker took which task (``started``: each task calls
:func:`announce`), so the caller can tell a worker that died on a task (a C parser that aborts
when the memory cap refuses it an allocation) from one that is slow, at once and per task.
:func:`run_isolated` runs one call in a process of its own, capped and timed, and says how it
ended and how much memory it was seen to use.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing import pool as mp_pool
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

MEMORY_LIMIT_MB = 1024
_budget_mb = 0  # in a worker: the budget limit_memory set
_started: Any = None  # in a worker of a pool that reports its tasks: where announce() writes


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


def limit_memory(megabytes: int, started: Any = None) -> None:
    """Run in each worker as it starts: cap its address space at what it has (a forked worker
    inherits its parent's, the malloc arenas of all its threads included) plus ``megabytes``;
    one OCR thread; and leave when the parent is gone."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    global _budget_mb, _started
    _budget_mb, _started = megabytes, started
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


def worker_pool(
    workers: int, *, memory_mb: int = MEMORY_LIMIT_MB, tasks_per_child: int = 200, started: Any = None
) -> mp_pool.Pool:
    """A pool of capped workers; with ``started`` (a queue from :func:`started_queue`) each task
    that calls :func:`announce` reports (token, worker pid, when) there as it starts."""
    context = multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn")
    return _Pool(workers, initializer=limit_memory, initargs=(memory_mb, started), maxtasksperchild=tasks_per_child,
                 context=context)  # fmt: skip


def started_queue() -> Any:
    return multiprocessing.get_context("fork" if hasattr(os, "fork") else "spawn").SimpleQueue()


def announce(token: Any) -> None:
    """In a worker: report that the task ``token`` starts here (nothing outside such a pool)."""
    if _started is not None:
        _started.put((token, os.getpid(), time.time()))


def alive(pid: int) -> bool:
    """Whether process ``pid`` is running (a zombie, or no such process: no)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return not Path("/proc").is_dir()  # where there is no /proc, a signal is all we can send
    return state not in ("Z", "X")


def peak_mb(pid: int) -> int:
    """The largest resident size process ``pid`` has had (VmHWM), in MB; 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


@dataclass
class Isolated:
    """How a call run by :func:`run_isolated` ended: its ``value``, or ``killed`` (the signal or
    exit code) or ``timed_out``; ``peak_mb`` is the most memory it was seen to use."""

    value: Any = None
    killed: str | None = None
    timed_out: bool = False
    peak_mb: int = 0
    limit_mb: int = MEMORY_LIMIT_MB
    seconds: float = 0.0


def run_isolated(
    function: Callable[..., Any], args: tuple, *, timeout: float, memory_mb: int = MEMORY_LIMIT_MB
) -> Isolated:
    """``function(*args)`` in a forked process of its own, its memory capped at ``memory_mb``
    beyond what it inherits and its time at ``timeout`` seconds (then it is killed)."""
    context = multiprocessing.get_context("fork") if hasattr(os, "fork") else multiprocessing.get_context("spawn")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_isolated, args=(send, memory_mb, function, args), daemon=True)
    started = time.monotonic()
    process.start()
    send.close()
    pid = process.pid or 0  # set by start(); 0 would only read as "gone"
    outcome = Isolated(limit_mb=memory_mb)
    try:
        while True:
            outcome.peak_mb = max(outcome.peak_mb, peak_mb(pid))
            if receive.poll(0.05):
                try:
                    outcome.value = receive.recv()
                    break
                except EOFError:  # it died before it could answer
                    process.join(timeout=5)
                    outcome.killed = _ending(process.exitcode if process.exitcode is not None else -9)
                    break
            if time.monotonic() - started > timeout:
                outcome.timed_out = True
                break
    finally:
        outcome.seconds = time.monotonic() - started
        if process.is_alive():
            process.kill()
        process.join(timeout=5)
        receive.close()
    return outcome


def _isolated(send: Any, memory_mb: int, function: Callable[..., Any], args: tuple) -> None:
    limit_memory(memory_mb)
    send.send(function(*args))
    send.close()


def _ending(exitcode: int) -> str:
    if exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit code {exitcode}"
