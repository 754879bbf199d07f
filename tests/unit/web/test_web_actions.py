from __future__ import annotations

from decimal import Decimal

import pytest

from backoffice.errors import IllegalTransition
from backoffice.queue.base import Status
from backoffice.web import actions
from backoffice.web.actions import ActionRefused
from backoffice.web.users import User

ALICE, BOB = User("alice", "supervisor"), User("bob", "supervisor")


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


def test_four_eyes_where_the_rules_require_an_approval(ws):
    require_approval_above(ws, 1000)
    item = totals_item(ws)
    after = actions.correct(ws, item.id, ALICE, "grand_total", right_total(item), "paper original")
    assert after.payload["verdict"]["holds"] == ["approval-above-10000"] and actions.needs_approval(after)
    with pytest.raises(ActionRefused, match="needs an approval"):
        actions.retry(ws, item.id, ALICE)
    with pytest.raises(ActionRefused, match="four eyes"):
        actions.approve(ws, item.id, ALICE)
    actions.approve(ws, item.id, BOB, "checked with the vendor")
    actions.correct(ws, item.id, ALICE, "iban", "DE89370400440532013000", "phoned the vendor")
    assert actions.approval(ws.store.get(item.id)) is None  # a later correction needs a new approval
    with pytest.raises(ActionRefused, match="needs an approval"):
        actions.retry(ws, item.id, ALICE)
    actions.approve(ws, item.id, BOB)
    retried = actions.retry(ws, item.id, ALICE)
    assert retried.status == Status.PENDING and ws.store.journal(item.id)[-1].why == "approved by bob"


def test_approve_refuses_while_rules_still_fail(ws):
    with pytest.raises(ActionRefused, match="rules still fail"):
        actions.approve(ws, totals_item(ws).id, BOB)


def test_retry_cancel_assign_and_comment_are_journaled_with_the_name(ws):
    item = totals_item(ws)
    actions.assign(ws, item.id, ALICE, "bob")
    actions.comment(ws, item.id, BOB, "looking at it")
    with pytest.raises(ActionRefused, match="no user named mallory"):
        actions.assign(ws, item.id, ALICE, "mallory")
    assert ws.store.get(item.id).payload["assignee"] == "bob"
    assert actions.cancel(ws, item.id, BOB, "duplicate").status == Status.CANCELLED
    assert actions.retry(ws, item.id, ALICE).status == Status.PENDING
    with pytest.raises(IllegalTransition):
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
    assert after.status == Status.CANCELLED
    ((server, message),) = sent
    assert message["To"] == "billing@vendor.example" and message["Subject"] == "Re: Invoice 7"
    assert "wrong totals" in message.get_content() and message["In-Reply-To"] == "<a@b>"
    assert ws.store.journal(item.id)[-1].action == "reject"
    assert "reply sent to billing@vendor.example" in ws.store.journal(item.id)[-1].why


def test_bulk_check_says_which_items_an_action_skips(ws):
    done = ws.store.list(status=Status.DONE)[0]
    waiting = totals_item(ws)
    assert actions.bulk_check(done, "retry") == "done: cannot be retried"
    assert actions.bulk_check(done, "cancel") == "done: cannot be cancelled"
    assert actions.bulk_check(waiting, "retry") == "" and actions.bulk_check(waiting, "assign") == ""
