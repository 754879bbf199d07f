from __future__ import annotations

from decimal import Decimal

import pytest

from backoffice.queue.base import Status
from backoffice.rules import approvals
from backoffice.web import actions
from backoffice.web.actions import ActionRefused
from backoffice.web.users import User

ALICE, BOB = User("alice", "supervisor"), User("bob", "supervisor")
FRAN = User("fran", "supervisor", ("finance-manager",))


def totals_item(ws):
    return next(i for i in ws.store.list(status=Status.EXCEPTION) if i.error_code == "rule:totals-add-up")


def right_total(item) -> str:
    fields = item.payload["document"]["fields"]
    return str(Decimal(fields["net_total"]["value"]) + Decimal(fields["tax_total"]["value"]))


def require_approval_above(ws, amount: int) -> None:
    """Make the sample rule file's approval route an error above ``amount`` (it holds the item)."""
    path = ws.config.rules_path(ws.config.bot("invoices"))
    text = path.read_text().replace("above: 10000}", f"above: {amount}}}")
    text = text.replace('needs a finance manager', 'needs a finance manager').replace(
        "a finance manager approves\"\n    severity: warning", "a finance manager approves\"\n    severity: error")
    assert "severity: error" in text.split("approval-above-10000")[1]
    path.write_text(text)


def test_a_correction_keeps_the_original_and_reruns_the_rules(ws):
    item = totals_item(ws)
    old = item.payload["document"]["fields"]["grand_total"]
    after = actions.correct(ws, item.id, ALICE, "grand_total", right_total(item), "paper original")
    assert after.payload["document"]["fields"]["grand_total"]["value"] == right_total(item)
    assert after.payload["document"]["fields"]["grand_total"]["method"] == "correction"
    assert after.payload["document"]["fields"]["grand_total"]["bbox"] == old["bbox"]  # still drawn where it was read
    assert after.payload["document_original"]["fields"]["grand_total"] == old
    (correction,) = after.payload["corrections"]
    assert {k: correction[k] for k in ("who", "field", "old", "new", "why")} == {
        "who": "alice", "field": "grand_total", "old": old["value"], "new": right_total(item), "why": "paper original"}
    assert after.payload["verdict"]["passed"] is True
    journal = ws.store.journal(item.id)
    assert [(e.actor, e.action) for e in journal[-2:]] == [("alice", "correct"), ("alice", "rerun-rules")]
    assert journal[-1].why == "pass" and old["value"] in journal[-2].why
    again = actions.correct(ws, item.id, BOB, "grand_total", "1.00", "typo")  # the first original stays
    assert again.payload["document_original"]["fields"]["grand_total"] == old
    assert again.payload["verdict"]["passed"] is False and len(again.payload["corrections"]) == 2


def test_a_correction_rekeys_the_item_for_the_duplicate_check(ws):
    from backoffice.rules.duplicates import business_key

    item = totals_item(ws)
    fields = {k: f["value"] for k, f in item.payload["document"]["fields"].items()}
    [number] = [d for d in ws.rules_for(item.bot).duplicates if d.key == ["seller_name", "invoice_number"]]

    def key(invoice_number: str):  # the key a later invoice of the same seller would have
        return [business_key(number, {**fields, "invoice_number": invoice_number}.get)]

    assert ws.store.find_keyed(item.bot, key(fields["invoice_number"])) == {number.id: item.id}
    actions.correct(ws, item.id, ALICE, "invoice_number", "INV-NEW-1", "typo")
    assert ws.store.find_keyed(item.bot, key("INV-NEW-1")) == {number.id: item.id}
    assert ws.store.find_keyed(item.bot, key(fields["invoice_number"])) == {}


@pytest.mark.parametrize("name, value, why, message", [
    ("grand_total", "twelve", "x", "must be an amount"), ("due_date", "31.12.2024", "x", "must be a date"),
    ("no_such_field", "1", "x", "is not a field"), ("grand_total", "1.00", "", "why is required"),
    ("grand_total", "", "x", "the new value is required"),
])  # fmt: skip
def test_a_correction_is_checked(ws, name, value, why, message):
    with pytest.raises(ActionRefused, match=message):
        actions.correct(ws, totals_item(ws).id, ALICE, name, value, why)


def test_a_done_item_cannot_be_corrected(ws):
    done = ws.store.list(status=Status.DONE)[0]
    with pytest.raises(ActionRefused, match="only a waiting item"):
        actions.correct(ws, done.id, ALICE, "grand_total", "1.00", "x")


def run_item(ws, item_id: int):
    """Let a runner handle the item (the only one due) and return it."""
    from backoffice.bots.runner import Runner

    runner = Runner(ws.config, ws.store, bots=["invoices"])
    try:
        handled = runner.process_next()
    finally:
        runner.close()
    assert handled is not None and handled.id == item_id
    return handled


def test_an_approval_needs_the_role_the_rule_names_and_not_a_person_who_changed_the_data(ws):
    require_approval_above(ws, 1000)
    item = totals_item(ws)
    after = actions.correct(ws, item.id, ALICE, "grand_total", right_total(item), "paper original")
    assert after.payload["verdict"]["holds"] == ["approval-above-10000"] and actions.needs_approval(ws, after)
    with pytest.raises(ActionRefused, match="not retried: needs an approval by a finance-manager"):
        actions.retry(ws, item.id, ALICE)
    with pytest.raises(ActionRefused, match="four eyes: alice changed"):
        actions.approve(ws, item.id, ALICE)
    with pytest.raises(ActionRefused, match="bob may not approve .* it needs a finance-manager; they hold no approval role"):
        actions.approve(ws, item.id, BOB)
    approved = actions.approve(ws, item.id, FRAN, "checked with the vendor")
    [entry] = approved.payload["approvals"]
    assert entry["who"] == "fran" and entry["as"] == ["finance-manager"]
    assert entry["rules"] == ["approval-above-10000", "sensitive-fields"]
    assert entry["covers"] == approvals.covers(approved.payload)
    assert entry["fields"]["grand_total"] == right_total(item)
    assert ws.store.journal(item.id)[-1].why.startswith("approved as finance-manager: approval-above-10000, "
                                                         "sensitive-fields; covers " + entry["covers"][:12])
    retried = actions.retry(ws, item.id, ALICE)
    assert retried.status == Status.PENDING and ws.store.journal(item.id)[-1].why == "approved by fran"
    done = run_item(ws, item.id)
    assert done.status == Status.DONE and [e.state.value for e in ws.store.effects(item.id)] == ["done", "done"]
    assert ws.store.journal(item.id)[-1].why == (f"posted data {entry['covers'][:12]}, "
                                                 "approved by fran (finance-manager)")


def test_a_role_approves_up_to_its_limit_and_a_higher_role_above_it(ws):
    from dataclasses import replace

    require_approval_above(ws, 1000)
    roles = {"finance-manager": {"approve_up_to": 5000}, "cfo": {}}
    ws.config = ws.config.model_copy(update={"approvals": ws.config.approvals.model_validate({"roles": roles})})
    item = totals_item(ws)
    actions.correct(ws, item.id, ALICE, "grand_total", right_total(item), "paper original")
    with pytest.raises(ActionRefused, match=f"a finance-manager approves up to 5000; this is {right_total(item)}"):
        actions.approve(ws, item.id, FRAN)
    cfo = replace(BOB, roles=("cfo",))
    assert actions.approve(ws, item.id, cfo).payload["approvals"][0]["as"] == ["finance-manager"]
    assert actions.missing(ws, ws.store.get(item.id)) == []


def test_the_bypass_correct_approve_correct_retry_posts_nothing_and_says_why(ws):
    require_approval_above(ws, 1000)
    item = totals_item(ws)
    actions.correct(ws, item.id, ALICE, "grand_total", right_total(item), "paper original")
    actions.approve(ws, item.id, FRAN)
    actions.retry(ws, item.id, FRAN)
    after = actions.correct(ws, item.id, ALICE, "iban", "DE89370400440532013000", "the vendor phoned")
    assert after.status == Status.PENDING and after.payload["approvals"][0]["voided"] == "alice changed iban"
    notes = [(e.actor, e.action, e.why) for e in ws.store.journal(item.id) if e.action == "approval-voided"]
    assert notes == [("alice", "approval-voided", "approval by fran voided: alice changed iban")]
    refused = run_item(ws, item.id)
    assert refused.status == Status.EXCEPTION and refused.error_code == "approval"
    assert refused.reason == ("not posted: approval by fran voided: alice changed iban; needs an approval by a "
                              f"finance-manager (rule approval-above-10000, amount {right_total(item)}) from someone "
                              "other than alice; needs an approval by a second person (alice changed grand_total, "
                              "iban) from someone other than alice")
    assert ws.store.effects(item.id) == []  # nothing went to any target


def test_a_retry_that_skips_the_ui_is_refused_by_the_runner(ws):
    """The runner is the last word: an item a person sent back without the approval it needs
    (an older client, a direct queue call) is not posted."""
    item = ws.store.get(7)  # due date before issue date, below the approval threshold
    actions.correct(ws, item.id, ALICE, "due_date", "2024-12-26", "typo")
    actions.correct(ws, item.id, ALICE, "iban", "DE89370400440532013000", "new bank")
    ws.store.retry(item.id, actor="alice")
    refused = run_item(ws, item.id)
    assert refused.status == Status.EXCEPTION
    assert refused.reason == ("not posted: needs an approval by a second person (alice changed iban) "
                              "from someone other than alice")
    assert ws.store.effects(item.id) == []


def test_one_persons_iban_change_goes_to_a_second_person(ws):
    item = ws.store.get(7)
    actions.correct(ws, item.id, ALICE, "due_date", "2024-12-26", "typo")
    assert actions.retry(ws, item.id, ALICE).status == Status.PENDING  # no sensitive field: no approval
    assert run_item(ws, item.id).status == Status.DONE
    other = ws.store.get(6)  # invoice number missing
    actions.correct(ws, other.id, ALICE, "invoice_number", "INV-6-A", "paper original")
    actions.correct(ws, other.id, ALICE, "iban", "DE89370400440532013000", "new bank")
    with pytest.raises(ActionRefused, match=r"needs an approval by a second person \(alice changed iban\)"):
        actions.retry(ws, other.id, ALICE)
    with pytest.raises(ActionRefused, match="four eyes"):
        actions.approve(ws, other.id, ALICE)
    assert actions.bulk_check(ws.store.get(other.id), "retry", ws.policy) == "needs an approval first"
    actions.approve(ws, other.id, BOB)
    actions.retry(ws, other.id, ALICE)
    posted = run_item(ws, other.id)
    assert posted.status == Status.DONE and "approved by bob (second person)" in ws.store.journal(other.id)[-1].why


def test_an_item_that_needs_no_approval_is_not_approved(ws):
    with pytest.raises(ActionRefused, match="needs no approval"):
        actions.approve(ws, ws.store.get(7).id, BOB)


def test_approve_refuses_while_rules_still_fail(ws):
    require_approval_above(ws, 1000)
    item = actions.rerun(ws, totals_item(ws).id, ALICE)  # the route holds it too now
    with pytest.raises(ActionRefused, match=r"rules still fail \(totals-add-up\)"):
        actions.approve(ws, item.id, FRAN)


def test_retry_cancel_assign_and_comment_are_journaled_with_the_name(ws):
    item = totals_item(ws)
    actions.assign(ws, item.id, ALICE, "bob")
    actions.comment(ws, item.id, BOB, "looking at it")
    with pytest.raises(ActionRefused, match="no user named mallory"):
        actions.assign(ws, item.id, ALICE, "mallory")
    assert ws.store.get(item.id).payload["assignee"] == "bob"
    assert actions.cancel(ws, item.id, BOB, "duplicate").status == Status.CANCELLED
    assert actions.retry(ws, item.id, ALICE).status == Status.PENDING
    with pytest.raises(ActionRefused, match="pending: it cannot be retried"):
        actions.retry(ws, item.id, ALICE)
    tail = [(e.actor, e.action, e.why) for e in ws.store.journal(item.id)[-4:]]
    assert tail == [("alice", "assign", "assigned to bob"), ("bob", "comment", "looking at it"),
                    ("bob", "cancel", "duplicate"), ("alice", "retry", "")]  # fmt: skip


def test_reject_replies_to_the_sender_when_asked(ws, monkeypatch):
    from dataclasses import replace

    from backoffice.mail.send import SmtpServer

    item = totals_item(ws)
    payload = {**item.payload, "mail": {"from": "billing@vendor.example", "subject": "Invoice 7", "message_id": "<a@b>"}}
    ws.store.amend(item.id, actor="test", action="test", payload=payload)
    sent = []
    monkeypatch.setattr(actions, "send", lambda server, message: sent.append((server, message)))
    with pytest.raises(ActionRefused, match="no SMTP server"):
        actions.reject(ws, item.id, ALICE, "wrong totals", reply=True)
    ws.settings = replace(ws.settings, smtp=SmtpServer("127.0.0.1", "ap@example.com", port=2525, security="none"))
    after = actions.reject(ws, item.id, ALICE, "wrong totals", reply=True)
    assert after.status == Status.REJECTED
    ((server, message),) = sent
    assert message["To"] == "billing@vendor.example" and message["Subject"] == "Re: Invoice 7"
    assert "wrong totals" in message.get_content() and message["In-Reply-To"] == "<a@b>"
    assert ws.store.journal(item.id)[-1].action == "reject"
    assert "reply sent to billing@vendor.example" in ws.store.journal(item.id)[-1].why


def test_bulk_check_says_which_items_an_action_skips(ws):
    done = ws.store.list(status=Status.DONE)[0]
    waiting = totals_item(ws)
    assert actions.bulk_check(done, "retry", ws.policy) == "done: cannot be retried"
    assert actions.bulk_check(done, "cancel", ws.policy) == "done: cannot be cancelled"
    assert actions.bulk_check(waiting, "retry", ws.policy) == "" and actions.bulk_check(waiting, "assign", ws.policy) == ""
