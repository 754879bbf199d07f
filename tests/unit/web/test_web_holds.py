"""Claims while working (issue 21): opening a waiting item holds it for that supervisor; others
see who holds it and the server refuses their actions (comments excepted) until the holder
leaves it, finishes it, or the hold runs out."""

from __future__ import annotations

from backoffice.queue.base import Status
from backoffice.web import state
from tests.unit.web.conftest import sign_in
from tests.unit.web.test_web_actions import totals_item


def test_a_second_supervisor_sees_the_holder_and_is_refused_until_the_first_leaves(client, ws):
    item = totals_item(ws)
    sign_in(client, "alice")
    mine = client.get(f"/items/{item.id}").text
    assert ws.store.holders() == {item.id: "alice"} and "You hold this item" in mine
    client.cookies.clear()
    csrf = sign_in(client, "bob")
    page = client.get(f"/items/{item.id}").text
    assert "Held by <strong>alice</strong>" in page and ws.store.holders() == {item.id: "alice"}
    assert f'action="/items/{item.id}/cancel"' not in page and f'action="/items/{item.id}/comment"' in page
    refused = client.post(f"/items/{item.id}/cancel", data={"csrf": csrf, "confirm": "1"},
                          headers={"accept": "application/json"})  # fmt: skip
    assert refused.status_code == 409
    assert refused.json()["error"].startswith(f"not done: alice is reviewing item {item.id} now")
    assert refused.json()["held_by"] == "alice" and ws.store.get(item.id).status == Status.EXCEPTION
    said = client.post(f"/items/{item.id}/comment", data={"csrf": csrf, "text": "I can take it"})
    assert said.status_code == 303 and ws.store.journal(item.id)[-1].why == "I can take it"
    client.cookies.clear()
    csrf = sign_in(client, "alice")
    left = client.post(f"/items/{item.id}/leave", data={"csrf": csrf})
    assert left.status_code == 303 and ws.store.holders() == {}
    client.cookies.clear()
    csrf = sign_in(client, "bob")
    assert "You hold this item" in client.get(f"/items/{item.id}").text
    done = client.post(f"/items/{item.id}/cancel", data={"csrf": csrf, "confirm": "1"})
    assert done.status_code == 303 and ws.store.get(item.id).status == Status.CANCELLED
    assert ws.store.holders() == {}  # a finished item is let go


def test_the_open_page_renews_the_hold_and_a_viewer_takes_none(client, ws):
    item = totals_item(ws)
    csrf = sign_in(client, "bob")
    renewed = client.post(f"/items/{item.id}/hold", data={"csrf": csrf}, headers={"accept": "application/json"})
    assert renewed.status_code == 200 and renewed.json()["held_by"] == "bob"
    assert state.RENEW_SECONDS * 2 < state.HOLD_SECONDS  # a missed renewal does not lose it
    ws.store.hold(item.id, "bob", seconds=0)
    client.cookies.clear()
    sign_in(client, "vera")
    client.get(f"/items/{item.id}")
    assert ws.store.holders() == {}


def test_views_mine_and_unassigned_with_counts_and_the_holder_in_the_list(client, ws):
    first = totals_item(ws)
    second = next(i for i in ws.store.list(status=Status.EXCEPTION) if i.id != first.id)
    ws.store.amend(first.id, actor="test", action="assign", payload={**first.payload, "assignee": "bob"})
    waiting = len(ws.store.list(status=Status.EXCEPTION, limit=1000))
    sign_in(client, "alice")
    client.get(f"/items/{second.id}")  # alice opens it: she holds it
    client.cookies.clear()
    sign_in(client, "bob")
    listed = client.get("/exceptions?format=json").json()
    assert listed["views"] == {"Everyone's": waiting, "Mine": 1, "Unassigned": waiting - 1,
                               "Waiting for my approval": 0}  # fmt: skip
    assert next(r for r in listed["items"] if r["id"] == second.id)["held_by"] == "alice"
    mine = client.get("/exceptions?assignee=bob&format=json").json()
    assert [r["id"] for r in mine["items"]] == [first.id]
    page = client.get("/exceptions?assignee=bob").text
    assert 'aria-current="page">Mine <span class="count">1</span>' in page
    nobodys = client.get("/exceptions?assignee=%28nobody%29&format=json").json()
    assert first.id not in [r["id"] for r in nobodys["items"]] and nobodys["total"] == waiting - 1
    assert "held by alice" in client.get("/exceptions").text


def test_bulk_actions_skip_the_items_another_supervisor_holds(client, ws):
    held, free = ws.store.list(status=Status.EXCEPTION)[:2]
    ws.store.hold(held.id, "alice")
    csrf = sign_in(client, "bob")
    form = {"csrf": csrf, "action": "cancel", "ids": [str(held.id), str(free.id)]}
    preview = client.post("/exceptions/bulk", data=form, headers={"accept": "application/json"}).json()
    assert [s["why"] for s in preview["skips"]] == ["alice is reviewing it now"]
    assert [t["id"] for t in preview["touches"]] == [free.id]
    client.post("/exceptions/bulk", data={**form, "confirm": "1"})
    assert ws.store.get(held.id).status == Status.EXCEPTION and ws.store.get(free.id).status == Status.CANCELLED


def test_taking_letting_go_and_a_refused_action_are_journaled_renewals_are_not(client, ws):
    item = totals_item(ws)
    alice = sign_in(client, "alice")
    client.get(f"/items/{item.id}")  # alice takes it
    client.get(f"/items/{item.id}")  # and renews it, twice
    client.post(f"/items/{item.id}/hold", data={"csrf": alice})
    client.cookies.clear()
    bob = sign_in(client, "bob")
    client.get(f"/items/{item.id}")  # viewing it while alice holds it says nothing
    client.post(f"/items/{item.id}/retry", data={"csrf": bob})  # refused: alice holds it
    client.cookies.clear()
    alice = sign_in(client, "alice")
    client.post(f"/items/{item.id}/leave", data={"csrf": alice})
    lines = [
        (e.actor, e.action, e.why) for e in ws.store.journal(item.id) if e.action in ("hold", "hold-refused", "let-go")
    ]
    assert [(actor, action) for actor, action, _ in lines] == [("alice", "hold"), ("bob", "hold-refused"),
                                                               ("alice", "let-go")]  # fmt: skip
    assert lines[1][2] == "retry refused: alice is reviewing the item" and lines[2][2] == "left it to others"
    page = client.get(f"/items/{item.id}").text  # the journal on the item page shows them
    assert "retry refused: alice is reviewing the item" in page
