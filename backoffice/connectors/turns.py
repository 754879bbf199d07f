"""Writers of one SQLite file take turns on a lock file before their transaction.

When the file is locked SQLite sleeps and tries again 1, 2, 5, 10, 15... ms later (its busy
handler), however soon the lock is free: with worker processes writing to one queue, a short
write often waited several times as long as the write before it took. Writers that go through
:class:`Turns` wait instead for an advisory lock (``flock``) on ``<database>-lock``, looking
every tenth of a millisecond (every millisecond once they have waited 20 ms), and so go almost
as soon as the writer before them is done.

It only orders the writers that take turns. Past ``timeout`` seconds (a writer that holds its
turn and does not come back), or against a writer that does not take turns (the sqlite3 shell,
another program), SQLite's own locking and busy timeout decide, as without it. A lock file that
cannot be opened (a read-only folder) leaves SQLite alone to decide too.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

log = logging.getLogger(__name__)

POLL_SECONDS = 0.0001  # how often a waiting writer looks again, for the first LONG_WAIT seconds
LONG_WAIT, LONG_POLL_SECONDS = 0.02, 0.001  # then less often: a long wait is not worth 10,000 looks a second


class Turns:
    def __init__(self, database: str, timeout: float):
        self.path, self.timeout = f"{database}-lock", timeout
        self._fd: int | None = None
        self._unavailable = False

    def _file(self) -> int | None:
        if self._fd is None and not self._unavailable:
            try:
                self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError as exc:
                log.debug("%s: no turns taken (%s)", self.path, exc)
                self._unavailable = True
        return self._fd

    @contextmanager
    def turn(self) -> Iterator[None]:
        """This writer's turn: held until the block ends (the caller's transaction)."""
        fd = self._file()
        if fd is None or not _take(fd, self.timeout):
            yield  # SQLite's own locking decides
            return
        try:
            yield
        finally:
            if self._fd == fd:  # else closed meanwhile, which let go of the lock
                fcntl.flock(fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Close the lock file (a later turn opens it again)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _take(fd: int, timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for the lock; whether it is held."""
    started = time.monotonic()
    deadline = started + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            now = time.monotonic()
            if now >= deadline:
                return False
            time.sleep(POLL_SECONDS if now - started < LONG_WAIT else LONG_POLL_SECONDS)


__all__ = ["Turns"]
