from __future__ import annotations

import pytest

from backoffice.web.users import MemoryUsers, SQLiteUsers, UserError


class Clock:
    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "memory"])
def users(request, tmp_path):
    clock = Clock()
    store = SQLiteUsers(tmp_path / "queue.db", clock=clock) if request.param == "sqlite" else MemoryUsers(clock=clock)
    store.test_clock = clock
    yield store
    store.close()


def test_passwords_are_hashed_with_argon2_and_verified(users, tmp_path):
    users.add("alice", "correct horse", "supervisor")
    assert users.verify("alice", "correct horse").role == "supervisor"
    assert users.verify("alice", "wrong horse!") is None
    assert users.verify("nobody", "correct horse") is None
    if isinstance(users, SQLiteUsers):
        stored = users.conn.execute("SELECT password FROM users").fetchone()[0]
        assert stored.startswith("$argon2id$") and "correct horse" not in stored


def test_roles_rank_viewer_supervisor_admin(users):
    viewer = users.add("vera", "password-1", "viewer")
    admin = users.add("ada", "password-1", "admin")
    assert viewer.can("viewer") and not viewer.can("supervisor")
    assert admin.can("supervisor") and admin.can("admin")
    assert [u.name for u in users.list()] == ["ada", "vera"]


@pytest.mark.parametrize("name, password, role, message", [
    ("al ice", "password-1", "viewer", "user name"),
    ("alice", "short", "viewer", "at least 8"),
    ("alice", "password-1", "root", "role 'root'"),
])  # fmt: skip
def test_bad_users_are_refused(users, name, password, role, message):
    with pytest.raises(UserError, match=message):
        users.add(name, password, role)


def test_sessions_expire_and_end(users):
    user = users.add("alice", "password-1", "supervisor")
    token, session = users.start_session(user, ttl=60)
    assert users.session(token).user == user and users.session(token).csrf == session.csrf
    assert users.session("forged") is None
    users.test_clock.now += 61
    assert users.session(token) is None
    token, _ = users.start_session(user, ttl=60)
    users.end_session(token)
    assert users.session(token) is None


def test_removing_a_user_or_changing_the_password_ends_their_sessions(users):
    user = users.add("alice", "password-1", "supervisor")
    token, _ = users.start_session(user, ttl=60)
    users.add("alice", "password-2", "viewer")
    assert users.session(token) is None
    token, _ = users.start_session(users.verify("alice", "password-2"), ttl=60)
    users.remove("alice")
    assert users.session(token) is None
    with pytest.raises(UserError, match="no user named alice"):
        users.remove("alice")


def test_the_session_token_is_stored_only_as_a_hash(tmp_path):
    users = SQLiteUsers(tmp_path / "queue.db")
    token, _ = users.start_session(users.add("alice", "password-1", "admin"), ttl=60)
    stored = users.conn.execute("SELECT token_hash FROM user_sessions").fetchone()[0]
    assert token not in stored and len(stored) == 64
    users.close()
