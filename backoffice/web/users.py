"""Local users of the supervisor UI and their sessions, kept in the queue's SQLite file.

Passwords are hashed with argon2id (argon2-cffi); a session is a random token whose SHA-256
is stored with the user, its CSRF token and when it expires, so a stolen database does not
give working cookies. :class:`MemoryUsers` is the in-memory twin for unit tests.
"""

from __future__ import annotations

import abc
import hashlib
import re
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from backoffice.errors import BackofficeError

ROLES = ("viewer", "supervisor", "admin")
RANK = {role: n for n, role in enumerate(ROLES)}
NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
_hasher = PasswordHasher()


class UserError(BackofficeError):
    """A user cannot be added, removed or found."""


@dataclass(frozen=True)
class User:
    name: str
    role: str

    def can(self, role: str) -> bool:
        """Whether this user has ``role`` or a higher one."""
        return RANK[self.role] >= RANK[role]

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "role": self.role}


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str
    expires: float


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_user(name: str, role: str) -> None:
    if not NAME.match(name):
        raise UserError(f"user name {name!r}: use 1-64 letters, digits, . _ @ or -")
    if role not in ROLES:
        raise UserError(f"role {role!r}: choose one of {', '.join(ROLES)}")


class UserStore(abc.ABC):
    """Users and sessions. ``clock`` gives UTC seconds."""

    clock: Callable[[], float]

    @abc.abstractmethod
    def add(self, name: str, password: str, role: str) -> User:
        """Add a user, or replace the password and role of an existing one."""

    @abc.abstractmethod
    def remove(self, name: str) -> None:
        """Remove a user and end their sessions (UserError when there is none)."""

    @abc.abstractmethod
    def list(self) -> list[User]:
        """Every user, by name."""

    @abc.abstractmethod
    def _hash_of(self, name: str) -> tuple[str, str] | None:
        """``(password hash, role)`` of a user."""

    @abc.abstractmethod
    def _save_session(self, token_hash: str, name: str, csrf: str, expires: float) -> None: ...

    @abc.abstractmethod
    def _load_session(self, token_hash: str) -> tuple[str, str, str, float] | None:
        """``(name, role, csrf, expires)``."""

    @abc.abstractmethod
    def _drop_session(self, token_hash: str) -> None: ...

    def verify(self, name: str, password: str) -> User | None:
        """The user when the password is right, else None (the same work either way)."""
        found = self._hash_of(name)
        if found is None:
            _hasher.hash(password)  # as slow as a wrong password: no hint that the name is unknown
            return None
        try:
            _hasher.verify(found[0], password)
        except (VerificationError, InvalidHashError):
            return None
        return User(name, found[1])

    def start_session(self, user: User, ttl: float) -> tuple[str, Session]:
        """A new session: the cookie's token and the session."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = self.clock() + ttl
        self._save_session(_token_hash(token), user.name, csrf, expires)
        return token, Session(user, csrf, expires)

    def session(self, token: str) -> Session | None:
        """The live session a cookie names; an expired one is removed."""
        found = self._load_session(_token_hash(token))
        if found is None:
            return None
        name, role, csrf, expires = found
        if expires <= self.clock():
            self._drop_session(_token_hash(token))
            return None
        return Session(User(name, role), csrf, expires)

    def end_session(self, token: str) -> None:
        self._drop_session(_token_hash(token))


SCHEMA = (
    "CREATE TABLE IF NOT EXISTS users (name TEXT PRIMARY KEY, password TEXT NOT NULL, role TEXT NOT NULL, "
    "created_at REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS user_sessions (token_hash TEXT PRIMARY KEY, "
    "name TEXT NOT NULL REFERENCES users (name) ON DELETE CASCADE, csrf TEXT NOT NULL, expires REAL NOT NULL)",
)


class SQLiteUsers(UserStore):
    """Users in the ``users`` and ``user_sessions`` tables of the queue's SQLite file."""

    def __init__(self, path: Path | str, *, clock: Callable[[], float] = time.time):
        self.clock = clock
        self._lock = threading.Lock()
        self.conn = sqlite3.connect(str(path), isolation_level=None, timeout=30, check_same_thread=False)
        self.conn.execute("PRAGMA foreign_keys=ON")
        with self._lock:
            for statement in SCHEMA:
                self.conn.execute(statement)

    def _run(self, sql: str, args: tuple = ()) -> sqlite3.Cursor:
        with self._lock:
            return self.conn.execute(sql, args)

    def add(self, name: str, password: str, role: str) -> User:
        check_user(name, role)
        if len(password) < 8:
            raise UserError("a password needs at least 8 characters")
        self._run(
            "INSERT INTO users (name, password, role, created_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (name) DO UPDATE SET password = excluded.password, role = excluded.role",
            (name, _hasher.hash(password), role, self.clock()),
        )
        self._run("DELETE FROM user_sessions WHERE name = ?", (name,))
        return User(name, role)

    def remove(self, name: str) -> None:
        if self._run("DELETE FROM users WHERE name = ?", (name,)).rowcount != 1:
            raise UserError(f"no user named {name}")

    def list(self) -> list[User]:
        return [User(n, r) for n, r in self._run("SELECT name, role FROM users ORDER BY name").fetchall()]

    def _hash_of(self, name: str) -> tuple[str, str] | None:
        return self._run("SELECT password, role FROM users WHERE name = ?", (name,)).fetchone()

    def _save_session(self, token_hash: str, name: str, csrf: str, expires: float) -> None:
        self._run("DELETE FROM user_sessions WHERE expires <= ?", (self.clock(),))
        self._run("INSERT INTO user_sessions VALUES (?, ?, ?, ?)", (token_hash, name, csrf, expires))

    def _load_session(self, token_hash: str) -> tuple[str, str, str, float] | None:
        return self._run(
            "SELECT s.name, u.role, s.csrf, s.expires FROM user_sessions s JOIN users u ON u.name = s.name "
            "WHERE s.token_hash = ?",
            (token_hash,),
        ).fetchone()

    def _drop_session(self, token_hash: str) -> None:
        self._run("DELETE FROM user_sessions WHERE token_hash = ?", (token_hash,))

    def close(self) -> None:
        with self._lock:
            self.conn.close()


class MemoryUsers(UserStore):
    def __init__(self, *, clock: Callable[[], float] = time.time):
        self.clock = clock
        self._users: dict[str, tuple[str, str]] = {}
        self._sessions: dict[str, tuple[str, str, float]] = {}

    def add(self, name: str, password: str, role: str) -> User:
        check_user(name, role)
        if len(password) < 8:
            raise UserError("a password needs at least 8 characters")
        self._users[name] = (_hasher.hash(password), role)
        self._sessions = {k: v for k, v in self._sessions.items() if v[0] != name}
        return User(name, role)

    def remove(self, name: str) -> None:
        if self._users.pop(name, None) is None:
            raise UserError(f"no user named {name}")
        self._sessions = {k: v for k, v in self._sessions.items() if v[0] != name}

    def list(self) -> list[User]:
        return [User(n, r) for n, (_, r) in sorted(self._users.items())]

    def _hash_of(self, name: str) -> tuple[str, str] | None:
        return self._users.get(name)

    def _save_session(self, token_hash: str, name: str, csrf: str, expires: float) -> None:
        self._sessions[token_hash] = (name, csrf, expires)

    def _load_session(self, token_hash: str) -> tuple[str, str, str, float] | None:
        found = self._sessions.get(token_hash)
        if found is None or found[0] not in self._users:
            return None
        return found[0], self._users[found[0]][1], found[1], found[2]

    def _drop_session(self, token_hash: str) -> None:
        self._sessions.pop(token_hash, None)

    def close(self) -> None:
        pass
