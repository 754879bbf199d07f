"""Worker processes: started by a fork server, capped at what they start with plus a budget,
timed per task, and gone with their parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from backoffice.processes import worker_pool
from tests.conftest import ROOT
from tests.procs import alive, children_of


def descendants(pid: int) -> set[int]:
    found = set()
    for child in children_of(pid):
        found |= {child} | descendants(child)
    return found


def _grab(megabytes: int) -> str:
    try:
        bytearray(megabytes * 1024 * 1024)
        return "ok"
    except MemoryError:
        return "refused"


def test_a_worker_may_use_its_budget_beyond_what_it_inherited():
    ballast = [bytearray(64 * 1024 * 1024) for _ in range(4)]  # the parent holds 256 MB
    pool = worker_pool(1, memory_mb=300)
    try:
        assert pool.apply(_grab, (200,)) == "ok"  # within the budget, whatever the parent holds
        assert pool.apply(_grab, (600,)) == "refused"  # beyond it
    finally:
        pool.terminate()
        pool.join()
    del ballast


def test_workers_of_two_pools_exit_when_their_parent_is_killed(tmp_path):
    script = textwrap.dedent("""
        import os, sys, time
        from backoffice.processes import worker_pool
        first, second = worker_pool(2), worker_pool(2)
        pids = {first.apply(os.getpid), second.apply(os.getpid)}
        print(" ".join(map(str, pids)), flush=True)
        time.sleep(120)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    workers = {int(pid) for pid in parent.stdout.readline().split()}
    assert len(workers) == 2 and not workers & children_of(parent.pid)  # started by the fork server
    workers |= descendants(parent.pid)  # the fork server and the four workers it started, among others
    assert len(workers) >= 5 and all(alive(pid) for pid in workers)
    parent.send_signal(signal.SIGKILL)
    parent.wait(timeout=10)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(pid) for pid in workers)


def _abort() -> None:
    import faulthandler

    faulthandler.disable()  # pytest's would print this process's stack on the way out
    os.abort()


def _sleep() -> None:
    time.sleep(60)


def test_run_isolated_gives_the_value_or_says_how_the_process_ended():
    from backoffice.processes import run_isolated

    assert run_isolated(_grab, (50,), timeout=30, memory_mb=300).value == "ok"
    assert run_isolated(_grab, (600,), timeout=30, memory_mb=300).value == "refused"  # capped like a worker
    aborted = run_isolated(_abort, (), timeout=30)
    assert aborted.killed == "SIGABRT" and aborted.value is None
    slow = run_isolated(_sleep, (), timeout=0.5)
    assert slow.timed_out and slow.killed is None


def _pid_and_threads() -> tuple[int, int]:
    import threading

    return os.getpid(), threading.active_count()


def test_workers_are_not_forks_of_the_caller_and_a_task_past_its_time_limit_stops_only_its_worker():
    import threading
    from concurrent.futures import TimeoutError

    ticking = threading.Thread(target=time.sleep, args=(30,), daemon=True)  # the caller runs threads
    ticking.start()
    pool = worker_pool(2, memory_mb=300)
    try:
        pid, threads = pool.apply(_pid_and_threads)
        assert pid not in children_of(os.getpid())  # started by the fork server, not forked from here
        slow = pool.schedule(_sleep, timeout=0.5)
        fine = [pool.schedule(_grab, (10,)) for _ in range(4)]
        try:
            slow.result(timeout=30)
            raise AssertionError("the slow task was not stopped")
        except TimeoutError:
            pass
        assert [f.result(timeout=30) for f in fine] == ["ok"] * 4
    finally:
        pool.terminate()
        pool.join()
