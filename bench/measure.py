"""What the benchmarks measure besides time: the memory of a process and its children."""

from __future__ import annotations

import os
import threading
from pathlib import Path


def rss_kb(pid: int | str = "self", field: str = "VmRSS") -> int:
    """A process's resident set (``VmRSS``) or its peak (``VmHWM``), in kB; 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def pss_kb(pid: int | str = "self") -> int:
    """A process's proportional set size (``Pss``: each shared page counted once over the
    processes sharing it, so the sum over a forked family is the memory it really holds), in kB;
    0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def tree(pid: int) -> list[int]:
    """The process and its descendants."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*/children"):
            try:
                todo.extend(int(c) for c in task.read_text().split())
            except OSError:
                pass
    return found


class PeakMemory(threading.Thread):
    """The largest sum of RSS over this process and its children, sampled every ``interval``
    seconds (forked children's shared pages are counted in each: an upper bound); with
    ``pss=True`` also the largest sum of their PSS (shared pages counted once), ``peak_pss_kb``,
    sampled every tenth time."""

    def __init__(self, interval: float = 0.05, pss: bool = False):
        super().__init__(daemon=True)
        self.interval, self.peak_kb, self.peak_pss_kb, self._done = interval, 0, 0, threading.Event()
        self.pss = pss

    def run(self) -> None:
        samples = 0
        while not self._done.wait(self.interval):
            family = tree(os.getpid())
            self.peak_kb = max(self.peak_kb, sum(rss_kb(p) for p in family))
            samples += 1
            if self.pss and samples % 10 == 1:  # the kernel walks every page for it: ten times less often
                self.peak_pss_kb = max(self.peak_pss_kb, sum(pss_kb(p) for p in family))

    def stop(self) -> float:
        """Stop sampling; the peak in MB."""
        self._done.set()
        self.join()
        return self.peak_kb / 1024
