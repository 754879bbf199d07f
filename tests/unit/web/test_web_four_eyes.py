"""Four eyes through the HTTP API and the CLI: the bypass (correct -> approve -> correct ->
retry) posts nothing and says why, approvals need the role, one person's IBAN change goes to a
second person, and ``backoffice queue retry`` obeys the same rules."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from backoffice.cli import app
from backoffice.queue.base import Status
from tests.unit.web.conftest import sign_in
from tests.unit.web.test_web_actions import require_approval_above, right_total, run_item, totals_item

cli = CliRunner()


def act(client, csrf: str, item_id: int, action: str, **form):
    return client.post(
        f"/items/{item_id}/{action}", data={"csrf": csrf, **form}, headers={"accept": "application/json"}
    )


def as_user(client, name: str) -> str:
    client.cookies.clear()
    return sign_in(client, name)


def test_the_bypass_posts_nothing_and_says_why(client, ws):
    require_approval_above(ws, 1000)
    item = totals_item(ws)
    alice = as_user(client, "alice")
    assert (
        act(client, alice, item.id, "correct", field="grand_total", value=right_total(item), why="paper").status_code
        == 200
    )
    fran = as_user(client, "fran")
    approved = act(client, fran, item.id, "approve", why="checked")
    assert approved.status_code == 200 and approved.json()["approvals_missing"] == []
    assert act(client, fran, item.id, "retry").json()["status"] == "pending"
    alice = as_user(client, "alice")
    changed = act(client, alice, item.id, "correct", field="iban", value="DE89370400440532013000", why="phoned")
    assert changed.status_code == 200 and changed.json()["status"] == "pending"
    assert "approval by fran voided: alice changed iban" in changed.json()["approvals_missing"]
    page = client.get(f"/items/{item.id}")
    assert "voided: alice changed iban" in page.text and "Not posted until approved" in page.text
    refused = run_item(ws, item.id)
    assert refused.status == Status.EXCEPTION and ws.store.effects(item.id) == []
    shown = client.get(f"/items/{item.id}?format=json").json()
    assert shown["reason"].startswith("not posted: approval by fran voided: alice changed iban; needs an approval by "
                                      "a finance-manager (rule approval-above-10000")  # fmt: skip
    journal = [(e["actor"], e["action"], e["why"]) for e in shown["journal"]]
    assert ("alice", "approval-voided", "approval by fran voided: alice changed iban") in journal
    assert any(a == "fran" and w.startswith("approved as finance-manager") for a, _, w in journal)


def test_an_approval_without_the_role_is_refused(client, ws):
    require_approval_above(ws, 1000)
    item = totals_item(ws)
    alice = as_user(client, "alice")
    act(client, alice, item.id, "correct", field="grand_total", value=right_total(item), why="paper")
    bob = as_user(client, "bob")
    refused = act(client, bob, item.id, "approve")
    assert refused.status_code == 409
    assert "bob may not approve" in refused.json()["error"] and "it needs a finance-manager" in refused.json()["error"]
    assert "approvals" not in ws.store.get(item.id).payload
    assert act(client, bob, item.id, "retry").status_code == 409
    vera = as_user(client, "vera")  # a viewer never approves, whatever her roles
    assert act(client, vera, item.id, "approve").status_code == 403


def test_one_persons_iban_change_goes_to_a_second_person(client, ws):
    alice = as_user(client, "alice")
    act(client, alice, 6, "correct", field="invoice_number", value="INV-6-A", why="paper")
    act(client, alice, 6, "correct", field="iban", value="DE89370400440532013000", why="new bank")
    refused = act(client, alice, 6, "retry")
    assert refused.status_code == 409
    assert (
        "needs an approval by a second person (alice changed iban) from someone other than alice"
        in refused.json()["error"]
    )
    assert act(client, alice, 6, "approve").status_code == 409
    bob = as_user(client, "bob")
    assert act(client, bob, 6, "approve").status_code == 200
    assert act(client, bob, 6, "retry").json()["status"] == "pending"
    assert run_item(ws, 6).status == Status.DONE
    done = client.get("/items/6?format=json").json()
    assert done["journal"][-1]["why"].endswith("approved by bob (second person)")
    assert [e["state"] for e in done["effects"]] == ["done", "done"]


def test_the_cli_retry_obeys_the_same_rules(ws):
    require_approval_above(ws, 1000)
    from backoffice.web import actions
    from tests.unit.web.test_web_actions import ALICE, FRAN

    item = totals_item(ws)
    actions.correct(ws, item.id, ALICE, "grand_total", right_total(item), "paper")
    config = str(ws.config.path)
    refused = cli.invoke(app, ["-c", config, "queue", "retry", str(item.id), "--as", "alice", "--json"])
    assert refused.exit_code == 1
    [result] = json.loads(refused.stdout)
    assert result["error"].startswith(f"item {item.id} is not retried: needs an approval by a finance-manager")
    assert ws.store.get(item.id).status == Status.EXCEPTION
    actions.approve(ws, item.id, FRAN)
    actions.correct(ws, item.id, ALICE, "iban", "DE89370400440532013000", "phoned")  # voids it
    again = cli.invoke(app, ["-c", config, "queue", "retry", str(item.id), "--as", "alice"])
    assert again.exit_code == 1 and "approval by fran voided: alice changed iban" in again.output
    actions.approve(ws, item.id, FRAN)
    assert cli.invoke(app, ["-c", config, "queue", "retry", str(item.id), "--as", "fran"]).exit_code == 0
    assert run_item(ws, item.id).status == Status.DONE


def test_check_warns_about_a_role_no_user_holds(ws):
    ws.users.remove("fran")
    checked = cli.invoke(app, ["-c", str(ws.config.path), "check", "--json"])
    report = json.loads(checked.stdout)
    assert report["ok"] and any("rule approval-above-10000: routes approvals to finance-manager, and no user holds "
                                "that role" in w for w in report["warnings"])  # fmt: skip
    ws.users.add("fran", "fran-pass-123", "supervisor", ["finance-manager"])
    report = json.loads(cli.invoke(app, ["-c", str(ws.config.path), "check", "--json"]).stdout)
    assert not [w for w in report["warnings"] if "finance-manager" in w]


def test_waiting_for_my_approval_lists_what_my_role_may_approve_and_i_did_not_change(client, ws):
    require_approval_above(ws, 1000)
    item = totals_item(ws)
    alice = as_user(client, "alice")
    act(client, alice, item.id, "correct", field="grand_total", value=right_total(item), why="paper")
    mine = "/exceptions?status=all&approver={}&format=json"
    assert client.get(mine.format("alice")).json()["total"] == 0  # she changed it: four eyes
    listed = client.get("/exceptions?format=json").json()["views"]
    assert listed["Waiting for my approval"] == 0
    as_user(client, "bob")  # a supervisor without the finance-manager role
    assert client.get(mine.format("bob")).json()["total"] == 0
    fran = as_user(client, "fran")
    found = client.get(mine.format("fran")).json()
    assert [r["id"] for r in found["items"]] == [item.id]
    assert client.get("/exceptions?status=all&format=json").json()["views"]["Waiting for my approval"] == 1
    page = client.get("/exceptions?status=all&approver=fran").text
    assert 'aria-current="page">Waiting for my approval <span class="count">1</span>' in page
    # the list carries the view to the item page: after the approval, "next" stays in the view
    assert act(client, fran, item.id, "approve", why="checked").status_code == 200
    assert client.get(mine.format("fran")).json()["total"] == 0  # approved: nothing left for her
