"""The supervisor UI over HTTP (in-process): sign-in, cookies, CSRF, roles, JSON twins."""

from __future__ import annotations

import re

import pytest

from backoffice.queue.base import Status
from tests.unit.web.conftest import USERS, sign_in


def exception_item(ws):
    return ws.store.list(status=Status.EXCEPTION)[-1]


def test_pages_need_a_session(client):
    answer = client.get("/exceptions?status=all")
    assert answer.status_code == 303 and answer.headers["location"] == "/login?next=%2Fexceptions%3Fstatus%3Dall"
    assert client.get("/exceptions?format=json").status_code == 401
    assert client.post("/items/1/retry", data={"csrf": "x"}).status_code == 401


def test_sign_in_sets_a_secure_httponly_expiring_cookie(client, ws):
    page = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    answer = client.post("/login", data={"name": "alice", "password": USERS["alice"][1], "csrf": token, "next": "/exceptions"})
    assert answer.status_code == 303 and answer.headers["location"] == "/exceptions"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("bo_session="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=lax" in cookie and "Max-Age=28800" in cookie
    assert client.get("/exceptions").status_code == 200


def test_sign_in_refuses_a_wrong_password_a_missing_token_and_a_foreign_next(client):
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    wrong = client.post("/login", data={"name": "alice", "password": "nope-nope", "csrf": token})
    assert wrong.status_code == 401 and "Wrong name or password" in wrong.text
    assert client.post("/login", data={"name": "alice", "password": USERS["alice"][1]}).status_code == 403
    away = client.post("/login", data={"name": "alice", "password": USERS["alice"][1], "csrf": token,
                                       "next": "//evil.example/"})  # fmt: skip
    assert away.headers["location"] == "/"


def test_an_expired_session_signs_you_out(client, ws):
    sign_in(client, "alice")
    ws.users.clock = lambda: 4_000_000_000.0
    assert client.get("/").status_code == 303


def test_posts_need_the_session_csrf_token(client, ws):
    csrf = sign_in(client, "alice")
    item = exception_item(ws)
    before = len(ws.store.journal(item.id))
    assert client.post(f"/items/{item.id}/comment", data={"text": "hi"}).status_code == 403
    assert client.post(f"/items/{item.id}/comment", data={"text": "hi", "csrf": "forged"}).status_code == 403
    assert len(ws.store.journal(item.id)) == before
    done = client.post(f"/items/{item.id}/comment", data={"text": "hi", "csrf": csrf})
    assert done.status_code == 303 and done.headers["location"] == f"/items/{item.id}?done=comment"
    by_header = client.post(f"/items/{item.id}/comment", data={"text": "from a script"},
                            headers={"x-csrf-token": csrf, "accept": "application/json"})  # fmt: skip
    assert by_header.status_code == 200 and by_header.json()["journal"][-1]["why"] == "from a script"
    assert [e.actor for e in ws.store.journal(item.id)[-2:]] == ["alice", "alice"]


@pytest.mark.parametrize("url", ["/items/{id}/retry", "/items/{id}/cancel", "/exceptions/bulk"])
def test_a_viewer_cannot_act(client, ws, url):
    csrf = sign_in(client, "vera")
    item = exception_item(ws)
    answer = client.post(url.format(id=item.id), data={"csrf": csrf, "ids": str(item.id), "action": "retry", "confirm": "1"})
    assert answer.status_code == 403 and "vera is a viewer" in answer.text
    assert ws.store.get(item.id).status == Status.EXCEPTION
    page = client.get(f"/items/{item.id}")
    assert page.status_code == 200 and "/retry" not in page.text


def test_only_admins_see_the_users(client):
    sign_in(client, "alice")
    assert client.get("/users").status_code == 403
    client.cookies.clear()
    sign_in(client, "ada")
    assert [u["name"] for u in client.get("/users?format=json").json()["users"]] == ["ada", "alice", "bob", "fran", "vera"]


def test_every_page_has_a_json_twin(client, ws):
    sign_in(client, "alice")
    item = exception_item(ws)
    board = client.get("/", headers={"accept": "application/json"}).json()
    assert sum(board["counts"]["invoices"].values()) == 12 + 3 and board["exceptions_by_reason"]  # 3 from the mailroom
    listing = client.get("/exceptions?format=json").json()
    assert listing["total"] == 3 + 2 and {i["status"] for i in listing["items"]} == {"exception"}
    shown = client.get(f"/items/{item.id}?format=json").json()
    assert shown["id"] == item.id and shown["pages"][0]["image"] == f"/items/{item.id}/pages/1.png"
    assert shown["failing_fields"] and shown["journal"][0]["action"] == "enqueue"
    assert client.get("/items/999?format=json").status_code == 404


def test_html_pages_are_escaped_and_carry_security_headers(client, ws):
    sign_in(client, "alice")
    item = exception_item(ws)
    ws.store.note(item.id, actor="alice", action="comment", why="<img src=x onerror=alert(1)>")
    page = client.get(f"/items/{item.id}")
    assert "&lt;img src=x onerror=alert(1)&gt;" in page.text and "<img src=x" not in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["cache-control"] == "no-store"
    assert page.headers["server-timing"].startswith("app;dur=")


def test_page_images_are_rendered_once_and_cached_on_disk(client, ws):
    sign_in(client, "alice")
    item = exception_item(ws)
    first = client.get(f"/items/{item.id}/pages/1.png")
    assert first.status_code == 200 and first.content.startswith(b"\x89PNG")
    cached = list((ws.config.workspace_path / "cache" / "pages").glob(f"{item.files[0].sha256}-1@*.png"))
    assert len(cached) == 1
    stamp = cached[0].stat().st_mtime_ns
    assert client.get(f"/items/{item.id}/pages/1.png").content == first.content
    assert cached[0].stat().st_mtime_ns == stamp
    assert client.get(f"/items/{item.id}/pages/9.png").status_code == 404


def test_files_are_served_only_for_their_own_item(client, ws):
    sign_in(client, "alice")
    item, other = ws.store.list(status=Status.EXCEPTION)[:2]
    own = client.get(f"/items/{item.id}/files/{item.files[0].sha256}")
    assert own.status_code == 200 and own.headers["content-disposition"].startswith("attachment")
    assert own.content.startswith(b"%PDF")
    assert client.get(f"/items/{item.id}/files/{other.files[0].sha256}").status_code == 404


def test_bulk_previews_then_runs(client, ws):
    csrf = sign_in(client, "alice")
    ids = [i.id for i in ws.store.list(status=Status.EXCEPTION)] + [ws.store.list(status=Status.DONE)[0].id]
    form = {"csrf": csrf, "action": "assign", "to": "bob", "ids": [str(i) for i in ids]}
    preview = client.post("/exceptions/bulk", data=form, headers={"accept": "application/json"}).json()
    assert len(preview["touches"]) == len(ids) and preview["skips"] == []
    assert all("assignee" not in ws.store.get(i).payload for i in ids)
    ran = client.post("/exceptions/bulk", data={**form, "confirm": "1"})
    assert ran.status_code == 303 and ran.headers["location"].startswith(f"/exceptions?done=assign&n={len(ids)}")
    assert {ws.store.get(i).payload["assignee"] for i in ids} == {"bob"}
    cancel = client.post("/exceptions/bulk", data={**form, "action": "cancel"}, headers={"accept": "application/json"}).json()
    assert [s["why"] for s in cancel["skips"]] == ["done: cannot be cancelled"]


def test_a_refused_action_redirects_to_the_item_which_shows_the_reason_once(client, ws):
    csrf = sign_in(client, "alice")
    item = exception_item(ws)
    answer = client.post(f"/items/{item.id}/correct", data={"csrf": csrf, "field": "grand_total", "value": "x", "why": "y"})
    assert answer.status_code == 303 and answer.headers["location"] == f"/items/{item.id}"
    shown = client.get(answer.headers["location"])
    assert shown.status_code == 200 and "must be an amount" in shown.text and f"Item #{item.id}" in shown.text
    assert "must be an amount" not in client.get(f"/items/{item.id}").text  # shown once: a reload is clean
    as_json = client.post(f"/items/{item.id}/correct", data={"csrf": csrf, "field": "grand_total", "value": "x", "why": "y"},
                          headers={"accept": "application/json"})  # fmt: skip
    assert as_json.status_code == 409 and "must be an amount" in as_json.json()["error"]


def test_a_wrong_password_keeps_the_name_and_the_page_you_were_going_to(client):
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login?next=/items/3").text).group(1)
    wrong = client.post("/login", data={"name": "alice", "password": "nope-nope", "csrf": token, "next": "/items/3"})
    assert wrong.status_code == 401
    assert 'name="name" value="alice"' in wrong.text and 'name="next" value="/items/3"' in wrong.text
    right = client.post("/login", data={"name": "alice", "password": USERS["alice"][1], "csrf": token, "next": "/items/3"})
    assert right.status_code == 303 and right.headers["location"] == "/items/3"
