"""The rules stage with the work queue: duplicates against history, holds released by a person."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from backoffice.bots import stages
from backoffice.errors import BusinessError
from backoffice.queue.base import NewItem, Status
from backoffice.queue.memory import MemoryStore
from backoffice.rules import approvals
from tests.fakes import invoice

RULES = """
duplicates:
  - {id: number, key: [seller_name, invoice_number]}
rules:
  - id: big
    route: {to: exception, above: 1000}
    message: "{grand_total} needs a look"
  - id: huge
    route: {to: approval, role: finance-manager, above: 100000}
    message: "{grand_total} needs a finance manager"
  - {id: channel, set: {channel: "'scan'"}}
"""


@pytest.fixture
def bot(rules_of):
    return SimpleNamespace(name="invoices", rules=rules_of(RULES), rules_error=None)


def process(bot, store: MemoryStore, key: str, **values):
    """Enqueue a document, claim it and run the rules stage as the runner does."""
    store.enqueue(NewItem("invoices", key, payload={"document": invoice(**values).to_dict()}))
    [item] = store.claim("runner")
    return run_stage(bot, store, item)


def run_stage(bot, store, item):
    document = stages.extract(bot, item)
    verdict = stages.apply_rules(bot, document, item, store)
    item = store.update(item.id, "runner", payload={**item.payload, "document": document.to_dict(),
                                                    "verdict": verdict.to_dict()})  # fmt: skip
    try:
        stages.refuse_unapproved(item.payload, approvals.Policy())
        stages.reject_if_failed(verdict)
    except BusinessError as exc:
        return store.to_exception(item.id, "runner", reason=exc.reason, code=exc.code), verdict
    return store.complete(item.id, "runner"), verdict


def test_set_values_are_written_into_the_stored_document(bot):
    store = MemoryStore()
    item, verdict = process(bot, store, "a")
    assert item.status == Status.DONE and item.payload["document"]["fields"]["channel"]["value"] == "scan"
    assert item.payload["document"]["fields"]["channel"]["method"] == "rule"


def test_the_same_document_again_is_held_as_a_possible_duplicate(bot):
    store = MemoryStore()
    first, _ = process(bot, store, "a")
    second, verdict = process(bot, store, "b")
    assert second.status == Status.EXCEPTION and second.error_code == "rule:duplicate:number"
    assert second.reason == f"possible duplicate of item {first.id} (same seller_name, invoice_number)"
    assert verdict.holds == ["duplicate:number"]
    other, _ = process(bot, store, "c", invoice_number="INV-2")
    assert other.status == Status.DONE


def test_a_cancelled_item_is_not_a_duplicate(bot):
    store = MemoryStore()
    store.enqueue(NewItem("invoices", "gone", payload={"document": invoice().to_dict()}))
    store.cancel(1, actor="alice")
    item, _ = process(bot, store, "a")
    assert item.status == Status.DONE


def test_a_person_retrying_a_held_item_releases_the_hold(bot):
    store = MemoryStore()
    process(bot, store, "a")
    held, _ = process(bot, store, "b", grand_total="5000.00", net_total=None, tax_total=None, invoice_number="INV-7")
    assert held.status == Status.EXCEPTION and held.reason == "5000.00 needs a look"
    store.retry(held.id, actor="alice", why="approved")
    [again] = store.claim("runner")
    done, verdict = run_stage(bot, store, again)
    assert done.status == Status.DONE
    [(rule, by)] = verdict.released.items()
    assert rule == "big" and by.startswith("alice on ") and by.endswith(" (approved)")
    assert verdict.routes[0]["released_by"] == by


def test_a_retry_for_another_reason_keeps_earlier_releases(bot):
    store = MemoryStore()
    held, _ = process(bot, store, "a", grand_total="5000.00", net_total=None, tax_total=None)
    store.retry(held.id, actor="alice")
    [again] = store.claim("runner")
    _, verdict = run_stage(bot, store, again)
    assert set(verdict.released) == {"big"}
    stored = store.get(held.id)
    assert stored.payload["verdict"]["released"] == verdict.released


def test_without_the_queue_duplicates_are_recorded_as_not_checked(bot):
    verdict = stages.apply_rules(bot, invoice())
    [duplicate] = [o for o in verdict.outcomes if o.action == "duplicate"]
    assert duplicate.skipped and duplicate.message == "not checked: no queue history given"


def test_a_retry_alone_never_releases_a_route_to_approval_an_approval_does(bot):
    store = MemoryStore()
    held, _ = process(bot, store, "a", grand_total="150000.00", net_total=None, tax_total=None)
    assert held.status == Status.EXCEPTION and held.error_code == "approval"
    assert held.reason == "not posted: needs an approval by a finance-manager (rule huge, amount 150000.00)"
    store.retry(held.id, actor="alice", why="approved, trust me")
    [again] = store.claim("runner")
    still, verdict = run_stage(bot, store, again)
    assert still.status == Status.EXCEPTION and "huge" not in verdict.released
    entry = approvals.entry(still.payload, "fran", ["finance-manager"], ["finance-manager"], ["huge"], "2026-03-01", "")
    store.amend(held.id, actor="fran", action="approve", payload={**still.payload, "approvals": [entry]})
    store.retry(held.id, actor="alice")
    [again] = store.claim("runner")
    done, verdict = run_stage(bot, store, again)
    assert done.status == Status.DONE and verdict.released["huge"].startswith("approved by fran (finance-manager)")
