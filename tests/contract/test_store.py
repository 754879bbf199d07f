"""The store contract (see backoffice/queue/base.py), run against every backend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backoffice.errors import IllegalTransition, ItemNotFound, LeaseLost
from backoffice.queue.base import NewItem, Status, StoredFile


def new(key: str = "a", bot: str = "invoices", **kw) -> NewItem:
    return NewItem(bot=bot, source_key=key, **kw)


def test_enqueue_returns_pending_item_with_everything_it_was_given(store):
    deadline = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    pdf = StoredFile(name="a.pdf", sha256="ab" * 32, size=10, media_type="application/pdf")
    item, created = store.enqueue(
        new(payload={"subject": "Invoice 7"}, files=(pdf,), priority=3, deadline=deadline, max_attempts=2)
    )
    assert created
    assert item.status == Status.PENDING
    assert item.payload == {"subject": "Invoice 7"}
    assert item.files == (pdf,)
    assert (item.priority, item.deadline, item.max_attempts, item.attempts) == (3, deadline, 2, 0)
    assert store.get(item.id) == item


def test_same_source_key_twice_is_one_item(store):
    first, created_first = store.enqueue(new("doc-1"))
    again, created_again = store.enqueue(new("doc-1", payload={"other": True}))
    assert (created_first, created_again) == (True, False)
    assert again.id == first.id and again.payload == {}
    assert store.enqueue(new("doc-1", bot="other-bot"))[1] is True


def test_enqueue_many_skips_duplicates_and_journals_new_items(store):
    store.enqueue(new("k1"))
    created = store.enqueue_many([new("k1"), new("k2"), new("k3"), new("k2")])
    assert created == 2
    assert sum(store.counts()["invoices"].values()) == 3
    for item in store.list():
        assert [e.action for e in store.journal(item.id)] == ["enqueue"]


def test_parent_and_children(store):
    parent, _ = store.enqueue(new("mail-1"))
    child, _ = store.enqueue(new("mail-1/a.pdf", parent_id=parent.id))
    assert store.get(child.id).parent_id == parent.id


def test_claim_leases_to_one_owner_and_counts_an_attempt(store, clock):
    store.enqueue(new("a"))
    [item] = store.claim("runner-1", lease=60)
    assert item.status == Status.PROCESSING
    assert item.lease_owner == "runner-1" and item.attempts == 1
    assert item.lease_expires == datetime.fromtimestamp(clock.now + 60, UTC)
    assert store.claim("runner-2") == []


def test_claim_order_is_priority_then_age_and_respects_limit_and_bots(store):
    store.enqueue(new("low"))
    store.enqueue(new("high", priority=5))
    store.enqueue(new("other", bot="timesheets", priority=9))
    claimed = store.claim("r", bots=["invoices"], limit=5)
    assert [i.source_key for i in claimed] == ["high", "low"]
    assert [i.source_key for i in store.claim("r", limit=5)] == ["other"]


def test_not_before_postpones_an_item(store, clock):
    later = datetime.fromtimestamp(clock.now + 100, UTC)
    store.enqueue(new("later", not_before=later))
    assert store.claim("r") == []
    clock.advance(101)
    assert [i.source_key for i in store.claim("r")] == ["later"]


def test_complete_requires_the_lease_owner(store):
    store.enqueue(new())
    [item] = store.claim("r1")
    with pytest.raises(LeaseLost):
        store.complete(item.id, "r2")
    done = store.complete(item.id, "r1", why="posted")
    assert done.status == Status.DONE and done.lease_owner is None
    with pytest.raises(IllegalTransition):
        store.retry(item.id, actor="alice")


def test_update_saves_payload_and_merges_refs(store):
    store.enqueue(new(payload={"a": 1}))
    [item] = store.claim("r")
    store.update(item.id, "r", refs={"erp": "INV-1"})
    updated = store.update(item.id, "r", payload={"a": 2}, refs={"csv": "out.csv#1"})
    assert updated.payload == {"a": 2}
    assert updated.refs == {"erp": "INV-1", "csv": "out.csv#1"}
    assert store.get(item.id).refs == updated.refs
    with pytest.raises(LeaseLost):
        store.update(item.id, "someone-else", payload={})


def test_retry_later_backs_off_then_goes_to_exception_when_attempts_are_used_up(store, clock):
    store.enqueue(new(max_attempts=2))
    [item] = store.claim("r")
    retry_at = datetime.fromtimestamp(clock.now + 30, UTC)
    waiting = store.retry_later(item.id, "r", reason="ERP down", code="target", not_before=retry_at)
    assert waiting.status == Status.RETRYING and waiting.reason == "ERP down" and waiting.error_code == "target"
    assert store.claim("r") == []
    clock.advance(31)
    [again] = store.claim("r")
    assert again.attempts == 2
    final = store.retry_later(again.id, "r", reason="ERP down", code="target", not_before=retry_at)
    assert final.status == Status.EXCEPTION
    assert "retries used up" in final.reason and "ERP down" in final.reason


def test_business_error_goes_straight_to_exception(store):
    store.enqueue(new())
    [item] = store.claim("r")
    stopped = store.to_exception(item.id, "r", reason="net + tax != total", code="rule:totals")
    assert (stopped.status, stopped.reason, stopped.error_code) == (
        Status.EXCEPTION, "net + tax != total", "rule:totals",
    )  # fmt: skip


def test_expired_lease_returns_item_to_pending_counted_as_an_attempt(store, clock):
    store.enqueue(new(max_attempts=3))
    [item] = store.claim("dead-runner", lease=10)
    clock.advance(11)
    [again] = store.claim("live-runner", lease=10)
    assert again.id == item.id and again.attempts == 2 and again.lease_owner == "live-runner"
    with pytest.raises(LeaseLost):
        store.complete(item.id, "dead-runner")
    actions = [(e.action, e.to_status) for e in store.journal(item.id)]
    assert ("lease-expired", Status.PENDING) in actions


def test_expired_lease_with_no_attempts_left_goes_to_exception(store, clock):
    store.enqueue(new(max_attempts=1))
    [item] = store.claim("dead", lease=5)
    clock.advance(6)
    assert store.expire_leases() == 1
    stopped = store.get(item.id)
    assert stopped.status == Status.EXCEPTION and stopped.error_code == "lease-expired"


def test_extend_keeps_the_lease(store, clock):
    store.enqueue(new())
    [item] = store.claim("r", lease=10)
    clock.advance(8)
    store.extend(item.id, "r", lease=10)
    clock.advance(8)
    assert store.claim("other") == []
    with pytest.raises(LeaseLost):
        store.extend(item.id, "other")


def test_release_gives_the_attempt_back(store):
    store.enqueue(new())
    [item] = store.claim("r")
    released = store.release(item.id, "r", why="shutting down")
    assert released.status == Status.PENDING and released.attempts == 0 and released.lease_owner is None


def test_person_retries_and_cancels(store):
    store.enqueue(new("x", max_attempts=1))
    [item] = store.claim("r")
    store.to_exception(item.id, "r", reason="bad", code="rule:x")
    retried = store.retry(item.id, actor="alice", why="fixed the vendor")
    assert retried.status == Status.PENDING and retried.attempts == 0 and retried.reason is None
    cancelled = store.cancel(item.id, actor="bob", why="duplicate")
    assert cancelled.status == Status.CANCELLED
    assert store.retry(item.id, actor="bob").status == Status.PENDING
    journal = store.journal(item.id)
    assert [(e.actor, e.action) for e in journal][-3:] == [("alice", "retry"), ("bob", "cancel"), ("bob", "retry")]
    assert journal[-2].why == "duplicate"


def test_a_rejected_item_is_rejected_for_good_with_the_persons_reason(store):
    store.enqueue(new("x", max_attempts=1))
    [item] = store.claim("r")
    store.to_exception(item.id, "r", reason="net + tax does not equal the total", code="rule:totals")
    rejected = store.reject_item(item.id, actor="bob", why="not our invoice")
    assert rejected.status == Status.REJECTED
    assert (rejected.reason, rejected.error_code) == ("not our invoice", "rejected")
    assert store.get(item.id) == rejected
    last = store.journal(item.id)[-1]
    assert (last.actor, last.action, last.from_status, last.to_status, last.why) == (
        "bob", "reject", Status.EXCEPTION, Status.REJECTED, "not our invoice")  # fmt: skip
    for refused in (lambda: store.retry(item.id, actor="bob"), lambda: store.cancel(item.id, actor="bob"),
                    lambda: store.reject_item(item.id, actor="bob", why="again")):  # fmt: skip
        with pytest.raises(IllegalTransition):
            refused()
    assert store.claim("r") == []
    assert len(store.journal(item.id)) == 4  # enqueue, claim, exception, reject: one line for the rejection
    assert [i.id for i in store.list(status=Status.REJECTED)] == [item.id]
    assert store.counts() == {"invoices": {"rejected": 1}}


def test_pending_and_retrying_items_may_be_rejected_but_not_held_or_finished_ones(store, clock):
    pending, _ = store.enqueue(new("p"))
    assert store.reject_item(pending.id, actor="a", why="spam").status == Status.REJECTED
    store.enqueue(new("r"))
    [waiting] = store.claim("r")
    store.retry_later(waiting.id, "r", reason="timeout", code="app", not_before=datetime.now(UTC) + timedelta(hours=1))
    assert store.reject_item(waiting.id, actor="a", why="sent twice").status == Status.REJECTED
    store.enqueue(new("h"))
    [held] = store.claim("r")
    with pytest.raises(IllegalTransition):
        store.reject_item(held.id, actor="a", why="no")
    store.complete(held.id, "r")
    with pytest.raises(IllegalTransition):
        store.reject_item(held.id, actor="a", why="no")
    assert store.get(held.id).status == Status.DONE


@pytest.mark.parametrize(
    ("setup", "action"),
    [
        ("pending", lambda s, i: s.complete(i, "r")),
        ("pending", lambda s, i: s.retry(i, actor="a")),
        ("done", lambda s, i: s.cancel(i, actor="a")),
        ("processing", lambda s, i: s.cancel(i, actor="a")),
    ],
)
def test_illegal_transitions_are_refused(store, setup, action):
    item, _ = store.enqueue(new())
    if setup in ("processing", "done"):
        store.claim("r")
    if setup == "done":
        store.complete(item.id, "r")
    with pytest.raises((IllegalTransition, LeaseLost)):
        action(store, item.id)
    assert store.get(item.id).status == Status(setup)


def test_unknown_item(store):
    with pytest.raises(ItemNotFound):
        store.get(999)
    with pytest.raises(ItemNotFound):
        store.retry(999, actor="a")
    assert store.find("invoices", "nope") is None


def test_journal_records_every_transition_in_order(store, clock):
    item, _ = store.enqueue(new())
    store.claim("r")
    store.retry_later(item.id, "r", reason="timeout", code="target",
                      not_before=datetime.fromtimestamp(clock.now, UTC))  # fmt: skip
    store.claim("r")
    store.complete(item.id, "r")
    steps = [(e.action, e.from_status, e.to_status) for e in store.journal(item.id)]
    assert steps == [
        ("enqueue", None, Status.PENDING),
        ("claim", Status.PENDING, Status.PROCESSING),
        ("fail", Status.PROCESSING, Status.RETRYING),
        ("claim", Status.RETRYING, Status.PROCESSING),
        ("complete", Status.PROCESSING, Status.DONE),
    ]
    assert store.journal(item.id)[2].why == "timeout"


def test_list_filters_and_counts(store):
    for key in "abc":
        store.enqueue(new(key))
    store.enqueue(new("t", bot="timesheets"))
    [item] = store.claim("r", bots=["invoices"])
    store.to_exception(item.id, "r", reason="bad", code="x")
    assert [i.source_key for i in store.list(status=Status.EXCEPTION)] == ["a"]
    assert [i.source_key for i in store.list(bot="invoices")] == ["c", "b", "a"]
    assert [i.source_key for i in store.list(limit=2, offset=1)] == ["c", "b"]
    assert store.counts() == {"invoices": {"exception": 1, "pending": 2}, "timesheets": {"pending": 1}}


def test_to_dict_is_json_ready(store):
    import json

    item, _ = store.enqueue(new(deadline=datetime.now(UTC) + timedelta(days=1)))
    data = json.loads(json.dumps(item.to_dict()))
    assert data["status"] == "pending" and data["source_key"] == "a"


def test_a_person_cannot_retry_or_cancel_an_item_a_runner_holds(store):
    item, _ = store.enqueue(new())
    store.claim("runner-a")
    with pytest.raises(IllegalTransition):
        store.retry(item.id, actor="alice")
    with pytest.raises(IllegalTransition):
        store.cancel(item.id, actor="alice")
    held = store.get(item.id)
    assert held.status == Status.PROCESSING and held.lease_owner == "runner-a"
    assert store.claim("runner-b") == []


def test_claiming_for_no_bots_claims_nothing(store):
    store.enqueue(new())
    assert store.claim("r", bots=[]) == []
    assert store.get(1).status == Status.PENDING


def test_notes_are_journaled_without_a_transition(store):
    item, _ = store.enqueue(new())
    store.note(item.id, actor="alice", action="comment", why="called the vendor")
    last = store.journal(item.id)[-1]
    assert (last.actor, last.action, last.why, last.from_status, last.to_status) == (
        "alice", "comment", "called the vendor", None, None,
    )  # fmt: skip
    assert store.get(item.id).status == Status.PENDING
    with pytest.raises(ItemNotFound):
        store.note(999, actor="alice", action="comment")


def test_journal_of_an_unknown_item(store):
    with pytest.raises(ItemNotFound):
        store.journal(999)


def test_payload_comes_back_as_json_and_as_a_copy(store):
    from datetime import date
    from decimal import Decimal

    item, _ = store.enqueue(new(payload={"due": date(2026, 1, 2), "total": Decimal("1.10"), "tags": ["a"]}))
    assert item.payload == {"due": "2026-01-02", "total": "1.10", "tags": ["a"]}
    item.payload["tags"].append("changed by the caller")
    assert store.get(item.id).payload["tags"] == ["a"]


def test_listing_a_status_that_does_not_exist(store):
    with pytest.raises(ValueError):
        store.list(status="bogus")


def test_a_person_amends_the_payload_of_an_item_no_runner_holds(store):
    item, _ = store.enqueue(new(payload={"document": {"fields": {"total": "1.00"}}}))
    amended = store.amend(item.id, actor="alice", action="correct", why="total is 10.00",
                          payload={"document": {"fields": {"total": "10.00"}}, "corrections": [{"by": "alice"}]})  # fmt: skip
    assert amended.payload["document"]["fields"]["total"] == "10.00" and amended.status == Status.PENDING
    last = store.journal(item.id)[-1]
    assert (last.actor, last.action, last.why, last.to_status) == ("alice", "correct", "total is 10.00", None)
    store.claim("r")
    with pytest.raises(IllegalTransition):
        store.amend(item.id, actor="alice", action="correct", payload={})
    with pytest.raises(ItemNotFound):
        store.amend(999, actor="alice", action="correct", payload={})


def test_release_with_not_before_postpones_without_using_an_attempt(store, clock):
    item, _ = store.enqueue(new())
    store.claim("r")
    later = datetime.fromtimestamp(clock.now + 60, UTC)
    waiting = store.release(item.id, "r", why="waiting for its documents", not_before=later)
    assert (waiting.status, waiting.attempts, waiting.not_before) == (Status.PENDING, 0, later)
    assert store.claim("r") == []
    clock.advance(61)
    assert [i.id for i in store.claim("r")] == [item.id]


def test_due_now_makes_a_postponed_item_claimable_at_once_and_nothing_else(store, clock):
    item, _ = store.enqueue(new())
    store.claim("r")
    later = datetime.fromtimestamp(clock.now + 600, UTC)
    store.release(item.id, "r", why="waiting for its documents", not_before=later)
    assert store.claim("r") == []
    due = store.due_now(item.id, actor="r", why="its last document is done")
    assert (due.status, due.attempts, due.not_before) == (Status.PENDING, 0, None)
    assert [(e.action, e.why) for e in store.journal(item.id)][-1] == ("due-now", "its last document is done")
    [claimed] = store.claim("r")
    assert claimed.id == item.id
    with pytest.raises(IllegalTransition):  # a runner holds it: not a person's or a child's to hurry
        store.due_now(item.id, actor="r", why="again")
