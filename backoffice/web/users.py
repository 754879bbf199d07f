"""The supervisor UI's users: kept with the queue, each backend's from ``Store.users()`` (see
:mod:`backoffice.queue.users`, whose names this module gives the UI)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from backoffice.queue.users import (
    NAME,
    NO_PASSWORD,
    RANK,
    ROLE_NAME,
    ROLES,
    MemoryUsers,
    Session,
    SignIn,
    SQLUsers,
    User,
    UserError,
    UserStore,
    check_user,
)


class SQLiteUsers(SQLUsers):
    """The users of a SQLite queue file, with a store of their own (for callers that hold a
    path, not a store)."""

    def __init__(self, path: Path | str, *, clock: Callable[[], float] = time.time):
        from backoffice.queue.sqlite import SQLiteStore

        self.store = SQLiteStore(path, clock=clock)
        super().__init__(self.store.conn, self.store._lock, self.store._tx, "sqlite", clock)

    def close(self) -> None:
        self.store.close()


__all__ = [
    "NAME", "NO_PASSWORD", "RANK", "ROLES", "ROLE_NAME", "MemoryUsers", "SQLUsers", "SQLiteUsers", "Session",
    "SignIn", "User", "UserError", "UserStore", "check_user",
]  # fmt: skip
