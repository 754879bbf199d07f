"""A notifier for "work is waiting": an idle runner sleeps on it instead of polling.

On SQLite and the memory store it is a condition in the process: enqueueing, a retry and a
release wake it (a runner in another process sharing a SQLite file finds such work at its next
poll). PostgreSQL's store has its own, on ``LISTEN``/``NOTIFY`` (see
:meth:`backoffice.queue.postgres.PostgresStore.wait_for_work`), which reaches every process.
"""

from __future__ import annotations

import threading


class Notifier:
    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._waiting = False  # work arrived and no waiter has seen it yet

    def notify(self) -> None:
        """Work may be due: wake every waiter (or the next one to wait)."""
        with self._condition:
            self._waiting = True
            self._condition.notify_all()

    def wait(self, timeout: float) -> bool:
        """Block until :meth:`notify` or ``timeout`` seconds; whether work may be due."""
        with self._condition:
            woke = self._waiting or self._condition.wait(timeout)
            self._waiting = False
            return woke


__all__ = ["Notifier"]
