"""Worker processes: capped at what they inherit plus a budget, and gone with their parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from backoffice.processes import worker_pool
from tests.conftest import ROOT
from tests.procs import alive


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
        import sys, time
        from backoffice.processes import worker_pool
        first, second = worker_pool(2), worker_pool(2)  # the second's workers hold the first's pipe
        pids = [p.pid for p in first._pool + second._pool]
        print(" ".join(map(str, pids)), flush=True)
        time.sleep(120)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})  # fmt: skip
    workers = [int(pid) for pid in parent.stdout.readline().split()]
    assert len(workers) == 4 and all(alive(pid) for pid in workers)
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
