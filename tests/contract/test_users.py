"""Users, sessions and sign-ins of the supervisor UI, kept with the queue: the same behaviour
from ``Store.users()`` on every backend."""

from __future__ import annotations

import pytest

from backoffice.queue.memory import MemoryStore
from backoffice.queue.postgres import PostgresStore
from backoffice.queue.sqlite import SQLiteStore
from backoffice.queue.users import SignIn, SQLUsers, UserError


@pytest.fixture(autouse=True)
def quick_hashes(monkeypatch):
    """argon2id with small costs: the same code path, milliseconds instead of a second per test."""
    from argon2 import PasswordHasher

    monkeypatch.setattr("backoffice.queue.users._hasher", PasswordHasher(time_cost=1, memory_cost=512, parallelism=1))


@pytest.fixture
def users(store, clock):
    found = store.users()
    found.test_clock = clock
    assert store.users().list() == []  # each call gives the same users
    return found


def test_passwords_are_hashed_with_argon2_and_verified(users, tmp_path):
    users.add("alice", "correct horse", "supervisor")
    assert users.verify("alice", "correct horse").role == "supervisor"
    assert users.verify("alice", "wrong horse!") is None
    assert users.verify("nobody", "correct horse") is None
    stored = (
        users.conn.execute("SELECT password FROM users").fetchone()[0]
        if isinstance(users, SQLUsers)
        else users._users["alice"][0]
    )
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


def test_the_session_token_is_stored_only_as_a_hash(users):
    token, _ = users.start_session(users.add("alice", "password-1", "admin"), ttl=60)
    if isinstance(users, SQLUsers):
        stored = users.conn.execute("SELECT token_hash FROM user_sessions").fetchone()[0]
    else:
        [stored] = users._sessions
    assert token not in stored and len(stored) == 64


def test_users_outlive_the_store_that_added_them(store, clock):
    if isinstance(store, MemoryStore):
        pytest.skip("the memory store keeps nothing")
    store.users().add("alice", "password-1", "admin", ["cfo"])
    token, _ = store.users().start_session(store.users().get("alice"), ttl=60)
    if isinstance(store, SQLiteStore):
        again = SQLiteStore(store.path, clock=clock)
    else:
        again = PostgresStore(store.url, schema=store.schema, clock=clock)
    try:
        assert again.users().get("alice").roles == ("cfo",) and again.users().session(token) is not None
    finally:
        again.close()


def test_sign_ins_are_kept_by_account_and_address_and_forgotten_when_old(users):
    for at, name, address in ((10.0, "alice", "10.0.0.1"), (20.0, "bob", "10.0.0.1"), (30.0, "alice", "10.0.0.2")):
        users.record_sign_in(SignIn(at, name, address, "agent", "failed"))
    assert [a.at for a in users.sign_ins(name="alice")] == [10.0, 30.0]
    assert [a.name for a in users.sign_ins(address="10.0.0.1", since=15.0)] == ["bob"]
    assert users.forget_sign_ins(25.0) == 2 and [a.at for a in users.sign_ins(name="alice")] == [30.0]


def test_roles_and_external_users(users):
    fran = users.add("fran", "password-1", "supervisor", ["finance-manager", "cfo"])
    assert fran.roles == ("cfo", "finance-manager") and users.get("fran") == fran
    with pytest.raises(UserError, match="approval role 'admin'"):
        users.add("fred", "password-1", "supervisor", ["admin"])
    carol = users.add_external("carol", "viewer", ["finance-manager"])
    assert users.verify("carol", "") is None and users.get("carol") == carol
    token, _ = users.start_session(carol, ttl=60)
    users.add_external("carol", "viewer", ["finance-manager"])  # the same roles: her session goes on
    assert users.session(token) is not None
    users.add_external("carol", "supervisor", [])  # other roles: signed out
    assert users.session(token) is None
    with pytest.raises(UserError, match="fran is a local user with a password"):
        users.add_external("fran", "admin")


def test_an_idle_session_ends_but_a_used_one_goes_on(users):
    token, _ = users.start_session(users.add("alice", "password-1", "supervisor"), ttl=3600)
    users.test_clock.now += 1000
    assert users.session(token, idle=1800) is not None
    users.test_clock.now += 1000
    assert users.session(token, idle=1800) is not None  # used 1000 s ago, not 2000
    users.test_clock.now += 1800
    assert users.session(token, idle=1800) is None and users.session(token) is None  # and it is gone
