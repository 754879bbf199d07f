"""Worker processes for CPU-bound stages (reading documents, parsing mail, handling items).

:func:`worker_pool` starts a pool (pebble's ``ProcessPool``) whose workers are started by a
fork server (spawned where there is none), never forked from the caller, which runs threads
(a heartbeat, a coordinator, the pool's own): a fork copies one thread and every lock the
others held. The fork server preloads the modules the workers need, so a worker starts in a
moment. Each worker has its address space capped (``RLIMIT_AS``, at what it started with plus
a budget), so a hostile file that makes a parser allocate without end fails with MemoryError in
its worker instead of taking the machine's memory; it is replaced after ``tasks_per_child``
tasks, and exits when the process that started the pool is killed. A task may have a time
limit: a worker that overruns it is stopped (the pool starts another) and the task's future
raises TimeoutError; a worker that dies on a task makes its future raise ProcessExpired.

A pool can also say which worker took which task (``started``: each task calls
:func:`announce`), so the caller can watch the memory of a worker while it reads.
:func:`run_isolated` runs one call in a process of its own, capped and timed, and says how it
ended and how much memory it was seen to use.
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from concurrent import futures
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import pebble

log = logging.getLogger(__name__)

MEMORY_LIMIT_MB = 1024
# "module:function" names each worker process calls as it starts (after its limits are set),
# in pools and isolated processes started from now on: how a test or a plugin changes what a
# worker does (a worker does not see changes made to modules in this process).
WORKER_SETUP: list[str] = []
_budget_mb = 0  # in a worker: the budget limit_memory set
_started: Any = None  # in a worker of a pool that reports its tasks: where announce() writes
_creator: int | None = None  # in a worker: the process that started its pool


def worker_count(setting: int | None) -> int:
    """Processes to use: the setting, or one per core when None (0 or 1: none, work in place)."""
    return (os.cpu_count() or 1) if setting is None else setting


def limit_memory(megabytes: int, started: Any = None, setup: tuple[str, ...] = (), creator: int | None = None) -> None:
    """Run in each worker as it starts: cap its address space at what it has plus
    ``megabytes``; one OCR thread; leave when ``creator`` (the process that started the pool)
    is gone; then call each ``setup``."""
    os.environ.setdefault("OMP_THREAD_LIMIT", "1")
    global _budget_mb, _started
    _budget_mb, _started = megabytes, started
    limit = _address_space() + megabytes * 1024 * 1024
    try:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    except (ValueError, OSError):  # a platform without the limit still works
        log.debug("could not limit memory", exc_info=True)
    global _creator
    creator = _creator = creator or os.getppid()
    threading.Thread(target=_leave_with, args=(creator,), name="creator-watch", daemon=True).start()
    for name in setup:
        module, _, function = name.partition(":")
        getattr(importlib.import_module(module), function)()


def _address_space() -> int:
    """This process's virtual size in bytes (0 where /proc is not there)."""
    try:
        return int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def leave_if_orphaned() -> None:
    """In a worker, before a task: exit if the process that started the pool is gone."""
    if _creator is not None and not alive(_creator):
        os._exit(1)


def _leave_with(creator: int) -> None:
    """Exit as soon as the process that started this worker's pool is gone (SIGKILL leaves no
    time to stop the workers; the fork server that started them may outlive it): a worker must
    not go on with the tasks its pipe still holds for a runner that is dead."""
    while alive(creator):
        time.sleep(0.1)
    os._exit(1)


def memory_limit_mb() -> int:
    """The memory a worker may use beyond what it had when it started, in MB (what
    limit_memory was given), or the address-space cap where no worker started here."""
    return _budget_mb or resource.getrlimit(resource.RLIMIT_AS)[0] // 1024 // 1024


PRELOAD = ["backoffice.bots.item_worker", "backoffice.documents.pool", "backoffice.mail.readers"]


def context() -> multiprocessing.context.BaseContext:
    """How worker processes start: from a fork server that has the parsers and the runner's
    modules imported already (spawned where there is no fork server)."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    forkserver = multiprocessing.get_context("forkserver")
    forkserver.set_forkserver_preload(PRELOAD)  # read when the server starts, once per process
    return forkserver


class WorkerPool:
    """A pool of capped worker processes (see the module's doc)."""

    def __init__(self, workers: int, *, memory_mb: int = MEMORY_LIMIT_MB, tasks_per_child: int = 200,
                 started: Any = None):  # fmt: skip
        self.workers = workers
        self.pool = pebble.ProcessPool(max_workers=workers, max_tasks=tasks_per_child, initializer=limit_memory,
                                       initargs=(memory_mb, started, tuple(WORKER_SETUP), os.getpid()), context=context())  # fmt: skip
        # Ready when its workers are: their start (the fork server's, the first time) is not
        # counted in the time of the first tasks.
        futures.wait([self.pool.schedule(os.getpid) for _ in range(workers)])

    def schedule(self, function: Callable[..., Any], args: tuple = (), timeout: float | None = None) -> Future:
        """Run ``function(*args)`` in a worker; past ``timeout`` seconds from its start the worker
        is stopped and the future raises TimeoutError."""
        return self.pool.schedule(function, args=args, timeout=timeout)

    def apply(self, function: Callable[..., Any], args: tuple = ()) -> Any:
        return self.schedule(function, args).result()

    def apply_async(self, function: Callable[..., Any], args: tuple = ()) -> Pending:
        return Pending(self.schedule(function, args))

    def terminate(self) -> None:
        """Stop the workers now, tasks running or not."""
        self.pool.stop()

    def join(self) -> None:
        self.pool.join()


class Pending:
    """The result of :meth:`WorkerPool.apply_async`, as ``multiprocessing``'s AsyncResult has
    it; :meth:`get` raises ProcessExpired when the worker died on the task."""

    def __init__(self, future: Future):
        self.future = future

    def ready(self) -> bool:
        return self.future.done()

    def wait(self, timeout: float | None = None) -> None:
        futures.wait([self.future], timeout=timeout)

    def get(self, timeout: float | None = None) -> Any:
        try:
            return self.future.result(timeout=timeout)
        except futures.TimeoutError:
            if self.future.done():
                raise  # the task's own time limit
            raise multiprocessing.TimeoutError from None


def worker_pool(
    workers: int, *, memory_mb: int = MEMORY_LIMIT_MB, tasks_per_child: int = 200, started: Any = None
) -> WorkerPool:
    """A pool of capped workers; with ``started`` (a queue from :func:`started_queue`) each task
    that calls :func:`announce` reports (token, worker pid, when) there as it starts."""
    return WorkerPool(workers, memory_mb=memory_mb, tasks_per_child=tasks_per_child, started=started)


def started_queue() -> Any:
    return context().SimpleQueue()


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
    """``function(*args)`` in a process of its own (started by the fork server), its memory
    capped at ``memory_mb`` beyond what it starts with and its time at ``timeout`` seconds
    (then it is killed)."""
    start = context()
    receive, send = start.Pipe(duplex=False)
    setup = tuple(WORKER_SETUP)
    process = start.Process(target=_isolated, args=(send, memory_mb, setup, os.getpid(), function, args), daemon=True)
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
                    outcome.killed = ending(process.exitcode if process.exitcode is not None else -9)
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


def _isolated(
    send: Any, memory_mb: int, setup: tuple[str, ...], creator: int, function: Callable[..., Any], args: tuple
) -> None:
    limit_memory(memory_mb, None, setup, creator)
    send.send(function(*args))
    send.close()


def ending(exitcode: int) -> str:
    if exitcode < 0:
        try:
            return signal.Signals(-exitcode).name
        except ValueError:
            return f"signal {-exitcode}"
    return f"exit code {exitcode}"
