"""Sign-in that resists guessing (an injected clock, no sleeping), the idle timeout, the sign-in
record, out-of-range ids and pages, HEAD, and security headers on every answer."""

from __future__ import annotations

import re

import pytest

from backoffice.web.throttle import Limits, wait
from backoffice.web.users import MemoryUsers, SignIn
from tests.unit.web.conftest import USERS, sign_in


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(ws, monkeypatch):
    clock = Clock()
    ws.users.clock = clock

    async def pause(seconds: float) -> None:  # the tarpit, without sleeping
        clock.paused = [*getattr(clock, "paused", []), seconds]

    monkeypatch.setattr("backoffice.web.auth.pause", pause)
    return clock


def attempt(client, name: str, password: str, agent: str = "guesser/1.0"):
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    return client.post("/login", data={"name": name, "password": password, "csrf": token},
                       headers={"accept": "application/json", "user-agent": agent})  # fmt: skip


def test_the_sixth_wrong_password_in_a_minute_is_refused_and_the_right_one_works_after_the_lockout(client, ws, clock):
    for n in range(5):
        clock.now += 5
        assert attempt(client, "alice", f"wrong-{n}").status_code == 401
    clock.now += 5
    sixth = attempt(client, "alice", "wrong-5")
    assert sixth.status_code == 429 and sixth.headers["retry-after"] == "56"
    assert "try again in 56 seconds" in sixth.json()["error"]
    assert attempt(client, "alice", USERS["alice"][1]).status_code == 429  # locked: not even the right one
    assert clock.paused == [1.0, 1.0]  # each locked answer held back a second
    assert attempt(client, "bob", USERS["bob"][1]).status_code == 200  # other accounts go on
    client.cookies.clear()
    clock.now += 56  # the lockout ends
    right = attempt(client, "alice", USERS["alice"][1], agent="Firefox/140")
    assert right.status_code == 200
    assert right.json()["notice"].startswith("5 failed sign-ins to your account since you last signed in, the last "
                                             "from testclient at ")  # fmt: skip
    assert "the account was locked for a while" in right.json()["notice"]
    assert "5 failed sign-ins" in client.get("/").text  # shown on the pages of that session
    records = [(a.name, a.address, a.agent, a.outcome) for a in ws.users.sign_ins(name="alice")]
    assert records[:5] == [("alice", "testclient", "guesser/1.0", "failed")] * 5
    assert records[5:] == [("alice", "testclient", "guesser/1.0", "locked")] * 2 + [
        ("alice", "testclient", "Firefox/140", "ok")
    ]
    client.cookies.clear()
    assert "notice" in attempt(client, "alice", USERS["alice"][1]).json()
    assert attempt(client, "alice", USERS["alice"][1]).json()["notice"] == ""  # told once


def test_each_further_failure_doubles_the_lock_and_the_address_is_throttled_too(clock):
    users, limits = MemoryUsers(clock=clock), Limits()
    for n in range(7):
        users.record_sign_in(SignIn(clock.now + n, "alice", "10.0.0.9", "x", "failed"))
    clock.now += 6
    assert wait(users, "alice", "10.0.0.8", limits) == 240  # 5 -> 60 s, 6 -> 120 s, 7 -> 240 s
    clock.now += 240
    assert wait(users, "alice", "10.0.0.8", limits) == 0
    for n in range(20):  # twenty failures from one address, each to another name
        users.record_sign_in(SignIn(clock.now, f"user{n}", "10.0.0.7", "x", "failed"))
    assert wait(users, "carol", "10.0.0.7", limits) == 60 and wait(users, "carol", "10.0.0.6", limits) == 0
    clock.now += limits.window + 1  # old failures are forgotten
    assert wait(users, "alice", "10.0.0.7", limits) == 0


def test_passwords_are_checked_in_a_bounded_pool_of_lower_priority_threads(client, ws):
    import os
    import sys
    import threading

    sign_in(client, "alice")
    sign_in(client, "bob")
    pool = [t for t in threading.enumerate() if t.name.startswith("password")]
    assert 1 <= len(pool) <= ws.settings.hash_threads
    if sys.platform == "linux":
        mine = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
        assert all(os.getpriority(os.PRIO_PROCESS, t.native_id) == min(mine + 10, 19) for t in pool)


def test_unknown_names_are_throttled_like_real_ones(client, clock):
    answers = [attempt(client, "nobody", "guess").status_code for _ in range(6)]
    assert answers == [401] * 5 + [429]


def test_an_idle_session_ends(client, ws, clock):
    sign_in(client, "alice")
    clock.now += 29 * 60
    assert client.get("/").status_code == 200  # used: the idle time starts again
    clock.now += 29 * 60
    assert client.get("/").status_code == 200
    clock.now += 30 * 60
    assert client.get("/").status_code == 303 and client.get("/?format=json").status_code == 401


@pytest.mark.parametrize("url, status", [
    ("/items/99999999999999999999999", 404), ("/items/99999999999999999999999?format=json", 404),
    ("/items/9223372036854775807", 404), ("/items/123456789012345678", 404),
    ("/items/1/pages/99999999999999999999.png", 404), ("/exceptions?page=99999999999999999999", 400),
    ("/exceptions?page=1000001&format=json", 400), ("/no/such/page", 404),
])  # fmt: skip
def test_out_of_range_ids_and_pages_answer_404_or_400_with_the_security_headers(client, url, status):
    sign_in(client, "alice")
    answer = client.get(url)
    assert answer.status_code == status, answer.text
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert answer.headers["x-content-type-options"] == "nosniff" and answer.headers["x-frame-options"] == "DENY"


def test_out_of_range_ids_in_a_bulk_action_answer_400(client, ws):
    csrf = sign_in(client, "alice")
    for given in ("99999999999999999999999", "0", "-3"):
        answer = client.post("/exceptions/bulk", data={"csrf": csrf, "action": "cancel", "ids": ["3", given]})
        assert answer.status_code == 400 and "from 1 to 18 digits" in answer.text
        assert answer.headers["x-frame-options"] == "DENY"


def test_an_unexpected_error_answers_500_with_the_security_headers(ws, monkeypatch):
    import warnings

    from backoffice.web.app import create_app

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    monkeypatch.setattr(ws.finder, "dashboard", lambda now: 1 / 0)
    with TestClient(create_app(ws), base_url="https://testserver", raise_server_exceptions=False) as client:
        sign_in(client, "alice")
        answer = client.get("/")
    assert answer.status_code == 500
    assert (
        answer.headers["x-frame-options"] == "DENY"
        and "default-src 'self'" in answer.headers["content-security-policy"]
    )


def test_head_answers_like_get_without_a_body(client):
    assert client.head("/exceptions").status_code == 303  # to the sign-in page, like GET
    assert client.head("/login").status_code == 200
    sign_in(client, "alice")
    answer = client.head("/exceptions")
    assert answer.status_code == 200 and answer.content == b"" and answer.headers["x-frame-options"] == "DENY"
    assert client.head("/items/1").status_code == 200
    assert client.head("/items/99999999999999999999").status_code == 404
