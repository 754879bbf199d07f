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
    seconds (forked children's shared pages are counted in each: an upper bound)."""

    def __init__(self, interval: float = 0.05):
        super().__init__(daemon=True)
        self.interval, self.peak_kb, self._done = interval, 0, threading.Event()

    def run(self) -> None:
        while not self._done.wait(self.interval):
            self.peak_kb = max(self.peak_kb, sum(rss_kb(p) for p in tree(os.getpid())))

    def stop(self) -> float:
        """Stop sampling; the peak in MB."""
        self._done.set()
        self.join()
        return self.peak_kb / 1024
