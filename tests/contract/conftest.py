"""Every queue backend runs the same contract tests (add PostgreSQL here when it exists)."""

from __future__ import annotations

import pytest

from backoffice.queue.memory import MemoryStore
from backoffice.queue.sqlite import SQLiteStore


class Clock:
    """A clock the tests move by hand."""

    def __init__(self, now: float = 1_700_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["memory", "sqlite"])
def store(request, tmp_path, clock):
    if request.param == "memory":
        backend = MemoryStore(clock=clock)
    else:
        backend = SQLiteStore(tmp_path / "queue.db", clock=clock)
    yield backend
    backend.close()
