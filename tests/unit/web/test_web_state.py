"""The item's current state: the reason from the current Verdict (approvals first), the actions
offered are exactly those that are accepted, cancel and reject ask for a confirmation, and every
browser POST answers with a redirect."""

from __future__ import annotations

import pytest

from backoffice.queue.base import Status
from backoffice.web import actions, state
from backoffice.web.state import ActionRefused
from tests.unit.web.conftest import sign_in
from tests.unit.web.test_web_actions import ALICE, BOB, FRAN, require_approval_above, right_total, totals_item

ACTIONS = ("approve", "retry", "correct", "review", "rerun", "cancel", "reject", "assign", "comment")


def offer(ws, item_id, user):
    item = ws.store.get(item_id)
    return state.offered(item, user, ws.policy, ws.store.journal(item_id), True)


def accepted(ws, item_id, user, name) -> bool:
    """Whether the action runs (on a copy of the state: a refusal changes nothing)."""
    calls = {
        "approve": lambda: actions.approve(ws, item_id, user), "retry": lambda: actions.retry(ws, item_id, user),
        "correct": lambda: actions.correct(ws, item_id, user, "buyer_name", "ACME", "paper"),
        "review": lambda: actions.review(ws, item_id, user, {}, "", ["buyer_name"]),
        "rerun": lambda: actions.rerun(ws, item_id, user), "cancel": lambda: actions.cancel(ws, item_id, user),
        "reject": lambda: actions.reject(ws, item_id, user, "wrong"),
        "assign": lambda: actions.assign(ws, item_id, user, "bob"),
        "comment": lambda: actions.comment(ws, item_id, user, "hi"),
    }  # fmt: skip
    try:
        calls[name]()
    except ActionRefused:
        return False
    return True


def test_the_reason_is_the_current_verdicts_and_approvals_come_first(ws):
    require_approval_above(ws, 1000)
    item = totals_item(ws)
    assert item.error_code == "rule:totals-add-up"
    fixed = actions.correct(ws, item.id, ALICE, "grand_total", right_total(item), "paper")
    code, text = state.current_reason(fixed, ws.policy)
    assert code == "approval" and text.startswith("needs an approval by a finance-manager")
    assert "totals-add-up" not in text and fixed.reason and "totals-add-up" in fixed.error_code  # the stale one
    approved = actions.approve(ws, item.id, FRAN)
    assert state.current_reason(approved, ws.policy) == ("", "the rules pass now; retry to post it")


def test_a_failing_rule_is_the_reason_while_it_fails(ws):
    item = totals_item(ws)
    code, text = state.current_reason(item, ws.policy)
    assert code == "rule:totals-add-up" and text.startswith("totals-add-up: ")


@pytest.mark.parametrize("who", ["alice", "bob", "fran"])
def test_every_action_not_offered_is_refused_by_the_action_itself(ws, who):
    """Walk an item through correct -> approve -> reject; at each step, for each person, every
    action the page does not offer is refused by the action (a refusal changes nothing)."""
    require_approval_above(ws, 1000)
    user = {"alice": ALICE, "bob": BOB, "fran": FRAN}[who]
    item = totals_item(ws)
    steps = [lambda: None, lambda: actions.correct(ws, item.id, ALICE, "grand_total", right_total(item), "paper"),
             lambda: actions.approve(ws, item.id, FRAN), lambda: actions.reject(ws, item.id, BOB, "not ours")]  # fmt: skip
    refused_somewhere = set()
    for step in steps:
        step()
        for name, why in offer(ws, item.id, user).items():
            if why:
                refused_somewhere.add(name)
                before = ws.store.get(item.id)
                assert not accepted(ws, item.id, user, name), (who, name, why)
                assert ws.store.get(item.id) == before
    assert {"approve", "retry", "correct", "cancel", "reject"} <= refused_somewhere


def test_approve_is_not_offered_to_the_corrector_nor_without_a_need_nor_twice(ws):
    require_approval_above(ws, 1000)
    item = totals_item(ws)
    assert "needs no approval" in offer(ws, item.id, FRAN)["approve"]
    assert not accepted(ws, item.id, FRAN, "approve")
    actions.correct(ws, item.id, ALICE, "grand_total", right_total(item), "paper")
    assert "four eyes" in offer(ws, item.id, ALICE)["approve"] and not accepted(ws, item.id, ALICE, "approve")
    assert "finance-manager" in offer(ws, item.id, BOB)["approve"] and not accepted(ws, item.id, BOB, "approve")
    assert offer(ws, item.id, FRAN)["approve"] == "" and accepted(ws, item.id, FRAN, "approve")
    assert "approved already" in offer(ws, item.id, FRAN)["approve"] and not accepted(ws, item.id, FRAN, "approve")
    assert offer(ws, item.id, BOB)["retry"] == ""


def test_a_rejected_item_is_rejected_and_offers_only_what_the_queue_accepts(ws):
    item = totals_item(ws)
    before = len(ws.store.journal(item.id))
    actions.reject(ws, item.id, ALICE, "not our invoice")
    rejected = ws.store.get(item.id)
    assert rejected.status == Status.REJECTED
    assert state.current_reason(rejected, ws.policy) == ("rejected", "not our invoice")
    journal = ws.store.journal(item.id)
    assert [(e.actor, e.action, e.to_status, e.why) for e in journal[before:]] == [
        ("alice", "reject", Status.REJECTED, "not our invoice")]  # fmt: skip
    assert state.rejected(rejected, journal)
    offered = offer(ws, item.id, BOB)
    refused = ("retry", "approve", "correct", "review", "rerun", "cancel", "reject")
    assert all(offered[name] for name in refused) and offered["comment"] == offered["assign"] == ""
    assert "rejected: it cannot be retried" in offered["retry"]
    for name in refused:
        assert not accepted(ws, item.id, BOB, name), name
    assert accepted(ws, item.id, BOB, "comment") and accepted(ws, item.id, BOB, "assign")
    assert ws.store.get(item.id).status == Status.REJECTED


def test_an_item_rejected_before_the_rejected_status_is_still_not_retried(ws):
    item = totals_item(ws)
    ws.store.cancel(item.id, actor="alice", why="rejected: not our invoice")  # what reject wrote before
    assert "was rejected" in offer(ws, item.id, BOB)["retry"] and not accepted(ws, item.id, BOB, "retry")


def test_a_cancelled_item_may_be_retried_but_not_corrected_or_approved(ws):
    item = totals_item(ws)
    actions.cancel(ws, item.id, ALICE, "by mistake")
    offered = offer(ws, item.id, BOB)
    assert offered["retry"] == "" and offered["correct"] and offered["approve"]
    assert not accepted(ws, item.id, BOB, "correct") and accepted(ws, item.id, BOB, "retry")


def post(client, csrf, item_id, action, **form):
    return client.post(f"/items/{item_id}/{action}", data={"csrf": csrf, **form})


def test_cancel_and_reject_need_the_confirmation(client, ws):
    csrf = sign_in(client, "alice")
    item = totals_item(ws)
    for name, form in (("cancel", {}), ("reject", {"why": "not ours"})):
        answer = post(client, csrf, item.id, name, **form)
        assert answer.status_code == 303 and answer.headers["location"] == f"/items/{item.id}"
        assert ws.store.get(item.id).status == Status.EXCEPTION
        assert "needs a confirmation" in client.get(f"/items/{item.id}").text
    answer = post(client, csrf, item.id, "reject", why="not ours", confirm="1")
    assert answer.status_code == 303 and answer.headers["location"] == f"/items/{item.id}?done=reject"
    page = client.get(answer.headers["location"]).text
    assert ws.store.get(item.id).status == Status.REJECTED and "Rejected." in page
    assert f'action="/items/{item.id}/retry"' not in page and f'action="/items/{item.id}/correct"' not in page
    assert '<span class="status status-rejected">rejected</span>' in page
    assert "<code>rejected</code> not ours" in page  # the reason shown is the rejection


def test_the_list_and_the_dashboard_know_rejected_items(client, ws):
    sign_in(client, "alice")
    item = totals_item(ws)
    actions.reject(ws, item.id, ALICE, "not ours")
    waiting = client.get("/exceptions").text
    assert f'value="{item.id}"' not in waiting  # the default list shows what waits on a person
    listed = client.get("/exceptions?status=rejected").text
    assert f'value="{item.id}"' in listed and "<option selected>rejected</option>" in listed
    assert "<th>rejected</th>" in client.get("/").text
    assert 'status=rejected">1</a>' in client.get("/").text  # the dashboard counts it, with a link to them


def test_every_browser_post_answers_with_a_redirect(client, ws):
    csrf = sign_in(client, "alice")
    item = totals_item(ws)
    for name, form in (("comment", {"text": "hi"}), ("approve", {}), ("retry", {}), ("rerun", {}),
                       ("assign", {"to": "mallory"}), ("cancel", {}), ("correct", {"field": "nope"})):  # fmt: skip
        answer = post(client, csrf, item.id, name, **form)
        assert answer.status_code == 303, (name, answer.status_code)
        assert answer.headers["location"].startswith(f"/items/{item.id}")


def test_the_page_shows_the_current_reason_and_only_the_accepted_buttons(client, ws):
    require_approval_above(ws, 1000)
    item = totals_item(ws)
    actions.correct(ws, item.id, ALICE, "grand_total", right_total(item), "paper")
    sign_in(client, "alice")
    page = client.get(f"/items/{item.id}").text
    head = page.split('class="item-head"')[1].split("</header>")[0]
    assert "needs an approval by a finance-manager" in head and "does not equal" not in head
    assert f'action="/items/{item.id}/approve"' not in page and "No Approve: four eyes" in page
    listed = client.get("/exceptions?status=exception&format=json").json()["items"]
    row = next(r for r in listed if r["id"] == item.id)
    assert row["current_code"] == "approval" and row["error_code"] == "rule:totals-add-up"
    client.cookies.clear()
    ws.store.hold(item.id, "alice", seconds=0)  # alice left it (she opened it: she held it)
    sign_in(client, "fran")
    assert f'action="/items/{item.id}/approve"' in client.get(f"/items/{item.id}").text


def test_the_dashboard_shows_the_current_reason(client, ws):
    item = totals_item(ws)
    actions.correct(ws, item.id, ALICE, "grand_total", right_total(item), "paper")
    sign_in(client, "bob")
    page = client.get("/").text
    row = page.split(f'href="/items/{item.id}"')[1].split("</tr>")[0]
    assert "needs an approval by a second person" in row and "does not equal" not in row


def test_the_list_names_a_failing_rule_once(client, ws):
    sign_in(client, "alice")
    item = totals_item(ws)
    listed = client.get("/exceptions").text
    row = listed.split(f'value="{item.id}"')[1].split("</tr>")[0]
    reason = row.split('class="reason">')[1].split("</td>")[0]
    assert reason.startswith("<code>rule:totals-add-up</code> net ") and "does not equal" in reason
