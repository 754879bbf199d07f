"""Local users of the supervisor UI, their sessions and sign-ins, kept in the queue's database.

A user has an access level (``role``: viewer, supervisor or admin) and any number of approval
roles (``roles``: the names rule files route approvals to, e.g. finance-manager). Passwords are
hashed with argon2id (argon2-cffi); a user who signs in with OpenID Connect has no password.
A session is a random token whose SHA-256 is stored with the user, its CSRF token, when it
expires and when it was last used (the idle timeout), so a stolen database does not give
working cookies. Every sign-in, failed or not, is recorded with the client's address and user
agent (the throttle reads them, see :mod:`backoffice.web.throttle`). Each backend gives its
own with ``Store.users()``: :class:`SQLUsers` on SQLite and PostgreSQL (tables from the
migrations, queries in ``queries/users.sql``), :class:`MemoryUsers` for the memory store.
"""

from __future__ import annotations

import abc
import hashlib
import re
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from backoffice.errors import BackofficeError
from backoffice.queue import queries

ROLES = ("viewer", "supervisor", "admin")
RANK = {role: n for n, role in enumerate(ROLES)}
NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
ROLE_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,63}$")
NO_PASSWORD = "!no-password"  # users who sign in with OpenID Connect: never verifies
# argon2id with the library's memory and time costs (64 MiB, 3 passes) in one lane: a password
# check keeps one core busy instead of four, so sign-ins never crowd out other users' pages.
_hasher = PasswordHasher(parallelism=1)


class UserError(BackofficeError):
    """A user cannot be added, removed or found."""


@dataclass(frozen=True)
class User:
    name: str
    role: str
    roles: tuple[str, ...] = ()  # approval roles

    def can(self, role: str) -> bool:
        """Whether this user has access level ``role`` or a higher one."""
        return RANK[self.role] >= RANK[role]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "roles": list(self.roles)}


@dataclass(frozen=True)
class Session:
    user: User
    csrf: str
    expires: float
    notice: str = ""  # shown on every page of the session (failed sign-ins since the last one)


@dataclass(frozen=True)
class SignIn:
    at: float
    name: str
    address: str
    agent: str
    outcome: str  # ok, failed, locked


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_user(name: str, role: str, roles: Sequence[str] = ()) -> tuple[str, ...]:
    """The approval roles, checked and in order (UserError naming what is wrong)."""
    if not NAME.match(name):
        raise UserError(f"user name {name!r}: use 1-64 letters, digits, . _ @ or -")
    if role not in ROLES:
        raise UserError(f"role {role!r}: choose one of {', '.join(ROLES)}")
    for extra in roles:
        if extra in ROLES or not ROLE_NAME.match(extra):
            raise UserError(f"approval role {extra!r}: use lower-case letters, digits, - or _ (not {', '.join(ROLES)})")
    return tuple(sorted(set(roles)))


class UserStore(abc.ABC):
    """Users, sessions and sign-ins. ``clock`` gives UTC seconds."""

    clock: Callable[[], float]

    @abc.abstractmethod
    def _put(self, name: str, password_hash: str, role: str, roles: tuple[str, ...]) -> None:
        """Add a user or replace one, and end their sessions."""

    @abc.abstractmethod
    def remove(self, name: str) -> None:
        """Remove a user and end their sessions (UserError when there is none)."""

    @abc.abstractmethod
    def list(self) -> list[User]:
        """Every user, by name."""

    @abc.abstractmethod
    def _hash_of(self, name: str) -> tuple[str, User] | None:
        """``(password hash, user)``."""

    @abc.abstractmethod
    def _save_session(self, token_hash: str, name: str, csrf: str, expires: float, notice: str) -> None: ...

    @abc.abstractmethod
    def _load_session(self, token_hash: str) -> tuple[User, str, float, float, str] | None:
        """``(user, csrf, expires, last seen, notice)``."""

    @abc.abstractmethod
    def _touch_session(self, token_hash: str, seen: float) -> None: ...

    @abc.abstractmethod
    def _drop_session(self, token_hash: str) -> None: ...

    @abc.abstractmethod
    def record_sign_in(self, attempt: SignIn) -> None:
        """Keep one sign-in attempt."""

    @abc.abstractmethod
    def sign_ins(self, *, name: str | None = None, address: str | None = None, since: float = 0.0) -> Sequence[SignIn]:
        """The attempts for an account or from an address since ``since``, oldest first."""

    @abc.abstractmethod
    def forget_sign_ins(self, before: float) -> int:
        """Delete the attempts made before ``before``; return how many."""

    def add(self, name: str, password: str, role: str, roles: Sequence[str] = ()) -> User:
        """Add a user, or replace the password and roles of an existing one."""
        extra = check_user(name, role, roles)
        if len(password) < 8:
            raise UserError("a password needs at least 8 characters")
        self._put(name, _hasher.hash(password), role, extra)
        return User(name, role, extra)

    def add_external(self, name: str, role: str, roles: Sequence[str] = ()) -> User:
        """A user who signs in elsewhere (OpenID Connect): no password; roles as the provider says.
        Their sessions go on when the roles are unchanged."""
        extra = check_user(name, role, roles)
        found = self._hash_of(name)
        if found is not None and found[0] != NO_PASSWORD:
            raise UserError(
                f"{name} is a local user with a password here; an administrator removes that user "
                "before they sign in with the OpenID provider"
            )
        if found is None or found[1] != User(name, role, extra):
            self._put(name, NO_PASSWORD, role, extra)
        return User(name, role, extra)

    def get(self, name: str) -> User | None:
        found = self._hash_of(name)
        return found[1] if found else None

    def verify(self, name: str, password: str) -> User | None:
        """The user when the password is right, else None (the same work either way)."""
        found = self._hash_of(name)
        if found is None or found[0] == NO_PASSWORD:
            _hasher.hash(password)  # as slow as a wrong password: no hint that the name is unknown
            return None
        try:
            _hasher.verify(found[0], password)
        except (VerificationError, InvalidHashError):
            return None
        return found[1]

    def start_session(self, user: User, ttl: float, notice: str = "") -> tuple[str, Session]:
        """A new session: the cookie's token and the session."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = self.clock() + ttl
        self._save_session(_token_hash(token), user.name, csrf, expires, notice)
        return token, Session(user, csrf, expires, notice)

    def session(self, token: str, idle: float | None = None) -> Session | None:
        """The live session a cookie names, marked as used now; one past its expiry or unused
        for ``idle`` seconds is removed."""
        key = _token_hash(token)
        found = self._load_session(key)
        if found is None:
            return None
        user, csrf, expires, seen, notice = found
        now = self.clock()
        if expires <= now or (idle is not None and seen + idle <= now):
            self._drop_session(key)
            return None
        if now - seen >= 5:  # one write per few seconds of use is enough for an idle timeout in minutes
            self._touch_session(key, now)
        return Session(user, csrf, expires, notice)

    def end_session(self, token: str) -> None:
        self._drop_session(_token_hash(token))

    def close(self) -> None:  # noqa: B027 - optional for stores with nothing to close
        """Release what these users hold."""


class SQLUsers(UserStore):
    """Users in the ``users``, ``user_sessions`` and ``sign_ins`` tables of the queue's database,
    on the store's connection: ``run`` reads, ``tx`` is the store's write transaction."""

    def __init__(self, conn: Any, lock: Any, tx: Callable[[], Any], backend: str, clock: Callable[[], float]):
        self.conn, self._lock, self._tx, self.clock = conn, lock, tx, clock
        self.q = queries.load("users", backend)
        self.owner: Any = None  # a store opened only for these users, closed with them

    def _run(self, query: str, **args: Any) -> Any:
        with self._lock:
            return self.conn.execute(self.q[query], args)

    def _write(self, *steps: tuple[str, dict[str, Any]]) -> int:
        """Run the named statements in one durable transaction; the last one's row count."""
        count = 0
        with self._tx() as conn:
            for name, args in steps:
                count = conn.execute(self.q[name], args).rowcount
        return count

    def _put(self, name: str, password_hash: str, role: str, roles: tuple[str, ...]) -> None:
        user = {"name": name, "password": password_hash, "role": role, "roles": ",".join(roles), "now": self.clock()}
        self._write(("put", user), ("end_sessions", {"name": name}))

    def remove(self, name: str) -> None:
        if self._write(("end_sessions", {"name": name}), ("remove", {"name": name})) != 1:
            raise UserError(f"no user named {name}")

    @staticmethod
    def _user(name: str, role: str, roles: str) -> User:
        return User(name, role, tuple(r for r in roles.split(",") if r))

    def list(self) -> list[User]:
        return [self._user(*row) for row in self._run("list").fetchall()]

    def _hash_of(self, name: str) -> tuple[str, User] | None:
        row = self._run("hash_of", name=name).fetchone()
        return (row[0], self._user(*row[1:])) if row else None

    def _save_session(self, token_hash: str, name: str, csrf: str, expires: float, notice: str) -> None:
        now = self.clock()
        session = {
            "token_hash": token_hash,
            "name": name,
            "csrf": csrf,
            "expires": expires,
            "now": now,
            "notice": notice,
        }
        self._write(("drop_expired_sessions", {"now": now}), ("save_session", session))

    def _load_session(self, token_hash: str) -> tuple[User, str, float, float, str] | None:
        row = self._run("load_session", token_hash=token_hash).fetchone()
        return (self._user(*row[:3]), *row[3:]) if row else None

    def _touch_session(self, token_hash: str, seen: float) -> None:
        self._write(("touch_session", {"token_hash": token_hash, "seen": seen}))

    def _drop_session(self, token_hash: str) -> None:
        self._write(("drop_session", {"token_hash": token_hash}))

    def record_sign_in(self, attempt: SignIn) -> None:
        self._write(("record_sign_in", {"at": attempt.at, "name": attempt.name, "address": attempt.address,
                                        "agent": attempt.agent, "outcome": attempt.outcome}))  # fmt: skip

    def sign_ins(self, *, name: str | None = None, address: str | None = None, since: float = 0.0) -> Sequence[SignIn]:
        if name is not None:
            rows = self._run("sign_ins_of_name", name=name, since=since).fetchall()
        else:
            rows = self._run("sign_ins_from_address", address=address, since=since).fetchall()
        return [SignIn(*row) for row in rows]

    def forget_sign_ins(self, before: float) -> int:
        return self._write(("forget_sign_ins", {"before": before}))

    def close(self) -> None:
        """Close the store opened for these users, if any (else the connection is the store's)."""
        if self.owner is not None:
            self.owner.close()


class MemoryUsers(UserStore):
    def __init__(self, *, clock: Callable[[], float] = time.time):
        self.clock = clock
        self._users: dict[str, tuple[str, User]] = {}
        self._sessions: dict[str, list[Any]] = {}  # token hash -> [name, csrf, expires, seen, notice]
        self._sign_ins: list[SignIn] = []

    def _put(self, name: str, password_hash: str, role: str, roles: tuple[str, ...]) -> None:
        self._users[name] = (password_hash, User(name, role, roles))
        self._sessions = {k: v for k, v in self._sessions.items() if v[0] != name}

    def remove(self, name: str) -> None:
        if self._users.pop(name, None) is None:
            raise UserError(f"no user named {name}")
        self._sessions = {k: v for k, v in self._sessions.items() if v[0] != name}

    def list(self) -> list[User]:
        return [user for _, (_, user) in sorted(self._users.items())]

    def _hash_of(self, name: str) -> tuple[str, User] | None:
        return self._users.get(name)

    def _save_session(self, token_hash: str, name: str, csrf: str, expires: float, notice: str) -> None:
        self._sessions[token_hash] = [name, csrf, expires, self.clock(), notice]

    def _load_session(self, token_hash: str) -> tuple[User, str, float, float, str] | None:
        found = self._sessions.get(token_hash)
        if found is None or found[0] not in self._users:
            return None
        return self._users[found[0]][1], found[1], found[2], found[3], found[4]

    def _touch_session(self, token_hash: str, seen: float) -> None:
        if token_hash in self._sessions:
            self._sessions[token_hash][3] = seen

    def _drop_session(self, token_hash: str) -> None:
        self._sessions.pop(token_hash, None)

    def record_sign_in(self, attempt: SignIn) -> None:
        self._sign_ins.append(attempt)

    def sign_ins(self, *, name: str | None = None, address: str | None = None, since: float = 0.0) -> Sequence[SignIn]:
        return [
            a
            for a in self._sign_ins
            if a.at >= since and (a.name == name if name is not None else a.address == address)
        ]

    def forget_sign_ins(self, before: float) -> int:
        kept = [a for a in self._sign_ins if a.at >= before]
        gone, self._sign_ins = len(self._sign_ins) - len(kept), kept
        return gone

    def close(self) -> None:
        pass
