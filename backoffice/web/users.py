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


def SQLiteUsers(path: Path | str, *, clock: Callable[[], float] = time.time) -> SQLUsers:  # noqa: N802 - was a class
    """The users of a SQLite queue file, on a store of their own that closing them closes (for
    callers that hold a path, not a store)."""
    from backoffice.queue.sqlite import SQLiteStore

    store = SQLiteStore(path, clock=clock)
    users = store.users()
    users.owner = store
    return users


__all__ = [
    "NAME", "NO_PASSWORD", "RANK", "ROLES", "ROLE_NAME", "MemoryUsers", "SQLUsers", "SQLiteUsers", "Session",
    "SignIn", "User", "UserError", "UserStore", "check_user",
]  # fmt: skip
