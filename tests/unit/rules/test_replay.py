"""Replay: past items against the current rules, listing changed decisions, touching nothing."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

from backoffice.queue.base import NewItem
from backoffice.queue.memory import MemoryStore
from backoffice.rules.replay import replay
from tests.fakes import invoice

BEFORE = """
duplicates:
  - {id: number, key: [seller_name, invoice_number]}
rules:
  - {id: limit, check: grand_total <= 1000, message: "{grand_total} is over the limit"}
  - {id: today, check: issue_date <= today(), message: "dated in the future"}
  - {id: fill, set: {channel: "'scan'"}}
"""


def decided(store: MemoryStore, rules, key: str, released: dict | None = None, **values) -> int:
    """An item as the runner leaves it: its document (with set fields) and the Verdict."""
    document = invoice(**values)
    verdict = rules.evaluate(document, today=datetime.now(UTC).date())
    verdict.apply_to(document)
    stored = {**verdict.to_dict(), "released": released or {}}
    item, _ = store.enqueue(NewItem("invoices", key, payload={"document": document.to_dict(), "verdict": stored}))
    return item.id


def snapshot(store: MemoryStore):
    return copy.deepcopy([(i.to_dict(), store.journal(i.id)) for i in store.list(limit=1000)])


def test_replay_lists_the_decisions_that_would_change_and_touches_nothing(rules_of):
    old = rules_of(BEFORE)
    store = MemoryStore()
    small = decided(store, old, "a", grand_total="900.00", net_total=None, tax_total=None)
    big = decided(store, old, "b", invoice_number="INV-2", grand_total="1100.00", net_total=None, tax_total=None)
    decided(store, old, "c", invoice_number="INV-3")
    store.enqueue(NewItem("invoices", "d", payload={"file": "broken.pdf"}))
    before = snapshot(store)
    new = rules_of(BEFORE.replace("grand_total <= 1000", "grand_total <= 500"), "new.yaml")
    report = replay(store, {"invoices": new})
    assert (report.checked, report.skipped) == (3, 1)
    assert [c.to_dict() for c in report.changes] == [
        {"item": small, "bot": "invoices", "file": "", "status": "pending", "before": "pass",
         "after": "fail: limit", "rules": ["limit"]},
    ]  # fmt: skip
    assert big not in [c.item_id for c in report.changes]  # failed before, fails the same way now
    assert snapshot(store) == before


def test_replay_compares_with_items_before_each_one_and_keeps_releases(rules_of):
    rules = rules_of(BEFORE)
    store = MemoryStore()
    decided(store, rules, "a")
    decided(store, rules, "b")  # decided without history: passed
    assert [c.to_dict()["after"] for c in replay(store, {"invoices": rules}).changes] == ["fail: duplicate:number"]
    decided(store, rules, "c", released={"duplicate:number": "alice"}, invoice_number="INV-3")
    decided(store, rules, "d", released={"duplicate:number": "alice"}, invoice_number="INV-3")
    assert len(replay(store, {"invoices": rules}).changes) == 1


def test_replay_uses_the_day_each_item_was_decided_and_since(rules_of):
    clock = [datetime(2026, 1, 5, tzinfo=UTC).timestamp()]
    store = MemoryStore(clock=lambda: clock[0])
    rules = rules_of(BEFORE)
    decided(store, rules, "a", issue_date="2026-01-01")  # decided 4 days after its date
    clock[0] += timedelta(days=30).total_seconds()
    decided(store, rules, "b", invoice_number="INV-2", issue_date="2026-02-03")  # 1 day after
    stricter = rules_of(BEFORE.replace("issue_date <= today()", "today() - issue_date <= days(2)"), "new.yaml")
    assert [c.item_id for c in replay(store, {"invoices": stricter}).changes] == [1]
    assert replay(store, {"invoices": stricter}, since=datetime(2026, 2, 1, tzinfo=UTC)).checked == 1


def test_an_item_the_rules_cannot_read_is_skipped(rules_of):
    rules = rules_of(BEFORE)
    store = MemoryStore()
    decided(store, rules, "a")
    timesheet = {"kind": "timesheet", "method": "csv", "fields": {}}
    store.enqueue(NewItem("invoices", "t", payload={"document": timesheet, "verdict": {"passed": True}}))
    report = replay(store, {"invoices": rules})
    assert (report.checked, report.skipped, report.changes) == (1, 1, [])
