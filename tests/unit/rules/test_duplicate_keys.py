"""The duplicate check by the queue's recorded business keys: what checking records, cancelled
items, the backfill after a rule file changed (or for items queued before the queue kept keys),
and replay comparing by the current rule file. (A person's correction re-keying an item is in
tests/unit/web/test_web_actions.py.)"""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from backoffice.bots import stages
from backoffice.errors import BusinessError
from backoffice.queue.base import NewItem, Status
from backoffice.queue.memory import MemoryStore
from backoffice.rules.duplicates import QueueHistory, backfill, business_key, definition
from backoffice.rules.replay import replay
from tests.fakes import invoice

RULES = """
duplicates:
  - {id: number, key: [seller_name, invoice_number]}
  - {id: amount, key: [seller_name, grand_total], date: issue_date, within_days: 3, severity: warning}
"""


@pytest.fixture
def rules(rules_of):
    return rules_of(RULES)


@pytest.fixture
def bot(rules):
    return SimpleNamespace(name="invoices", rules=rules, rules_error=None)


def process(bot, store, key: str, **values):
    """Enqueue a document, claim it and run the rules stage as the runner does."""
    store.enqueue(NewItem("invoices", key, payload={"document": invoice(**values).to_dict()}))
    [item] = store.claim("runner")
    document = stages.extract(bot, item)
    verdict = stages.apply_rules(bot, document, item, store)
    item = store.update(item.id, "runner", payload={**item.payload, "document": document.to_dict(),
                                                    "verdict": verdict.to_dict()})  # fmt: skip
    try:
        stages.reject_if_failed(verdict)
    except BusinessError as exc:
        return store.to_exception(item.id, "runner", reason=exc.reason, code=exc.code)
    return store.complete(item.id, "runner")


def test_keys_are_normalized_like_the_comparison(rules):
    number = rules.duplicates[0]
    same = [business_key(number, invoice(seller_name=name).value) for name in ("Acme GmbH", "  ACME   gmbh ")]
    assert same[0] == same[1] and same[0].rule == "number" and same[0].day is None
    assert business_key(number, invoice(invoice_number=None).value) is None  # a part is missing
    amount = business_key(rules.duplicates[1], invoice(grand_total="119.0").value)
    assert amount == business_key(rules.duplicates[1], invoice(grand_total="119.00").value)
    assert str(amount.day) == "2026-01-10" and amount.within_days == 3
    long = business_key(number, invoice(invoice_number="9" * 500).value)
    assert long.key.startswith("sha256:") and len(long.key) == 71


def test_checking_an_item_records_its_keys_for_later_items(bot):
    store = MemoryStore()
    first = process(bot, store, "a")
    assert store.find_keyed("invoices", [business_key(bot.rules.duplicates[0], invoice().value)]) == {
        "number": first.id}
    second = process(bot, store, "b")
    assert second.status == Status.EXCEPTION and second.error_code == "rule:duplicate:number"
    assert second.reason == f"possible duplicate of item {first.id} (same seller_name, invoice_number)"
    warning = [o for o in second.payload["verdict"]["outcomes"] if o["rule"] == "duplicate:amount"]
    assert warning[0]["values"]["duplicate_of"] == str(first.id)


def test_an_item_processed_then_cancelled_is_not_a_duplicate(bot):
    store = MemoryStore()
    first = process(bot, store, "a")
    held = process(bot, store, "b")
    assert held.error_code == "rule:duplicate:number"
    store.cancel(held.id, actor="alice", why="sent twice")
    third = process(bot, store, "c")  # the cancelled item 2 is left out
    assert third.reason == f"possible duplicate of item {first.id} (same seller_name, invoice_number)"


def test_a_history_that_does_not_record_writes_nothing(bot):
    store = MemoryStore()
    item, _ = store.enqueue(NewItem("invoices", "a"))
    bot.rules.evaluate(invoice(), history=QueueHistory(store, "invoices", before=item.id, record=False))
    assert store.find_keyed("invoices", [business_key(bot.rules.duplicates[0], invoice().value)]) == {}


def test_backfill_keys_items_queued_before_the_queue_kept_keys(bot):
    store = MemoryStore()
    later = datetime(2100, 1, 1, tzinfo=UTC)  # not due: process() below claims only its own item
    for key, number in [("a", "INV-1"), ("b", "INV-2"), ("gone", "INV-3")]:
        document = invoice(invoice_number=number).to_dict()
        store.enqueue(NewItem("invoices", key, payload={"document": document}, not_before=later))
    store.enqueue(NewItem("invoices", "unread", payload={"file": "x.pdf"}, not_before=later))
    store.cancel(3, actor="alice")
    assert backfill(store, "invoices", bot.rules.duplicates) == 4
    assert store.key_definitions("invoices") == {d.id: definition(d) for d in bot.rules.duplicates}
    assert backfill(store, "invoices", bot.rules.duplicates) == 0  # up to date: nothing read
    assert process(bot, store, "c", invoice_number="INV-2").reason.startswith("possible duplicate of item 2 ")
    assert process(bot, store, "d", invoice_number="INV-3").status == Status.DONE  # item 3 is cancelled


def test_a_changed_rule_file_keys_the_items_again(bot, rules_of):
    store = MemoryStore()
    process(bot, store, "a", seller_vat_id="DE1")
    backfill(store, "invoices", bot.rules.duplicates)
    by_vat_id = rules_of(RULES.replace("key: [seller_name, invoice_number]", "key: [seller_vat_id, invoice_number]"),
                         "new.yaml")  # fmt: skip
    assert backfill(store, "invoices", by_vat_id.duplicates) == 1
    new_bot = SimpleNamespace(name="invoices", rules=by_vat_id, rules_error=None)
    held = process(new_bot, store, "b", seller_vat_id="DE1", seller_name="Acme Holding")
    assert held.reason.startswith("possible duplicate of item 1 (same seller_vat_id, invoice_number)")


def test_the_runner_backfills_when_it_starts(deployment, tmp_path):
    from backoffice.bots import Runner
    from backoffice.config import load_config

    (tmp_path / "dups.yaml").write_text(RULES)
    config = load_config(deployment(f"""
        workspace: work
        bots:
          - name: invoices
            source: {{kind: folder, path: inbox, create: true}}
            rules: {tmp_path / "dups.yaml"}
            targets: [{{kind: "tests.fakes:RecordingTarget", name: erp}}]
    """))  # fmt: skip
    store = MemoryStore()
    store.enqueue(NewItem("invoices", "old", payload={"document": invoice().to_dict()}))
    runner = Runner(config, store, owner="r1")
    runner.close()
    duplicates = runner.bots["invoices"].rules.duplicates
    assert store.key_definitions("invoices") == {d.id: definition(d) for d in duplicates}
    assert store.find_keyed("invoices", [business_key(duplicates[0], invoice().value)]) == {"number": 1}


def test_replay_keys_items_by_the_current_rule_file_and_writes_nothing(bot, rules_of):
    store = MemoryStore()
    process(bot, store, "a", seller_vat_id="DE1")
    process(bot, store, "b", seller_vat_id="DE1", seller_name="Acme Holding")  # another seller name: passed
    by_vat_id = rules_of(RULES.replace("key: [seller_name, invoice_number]", "key: [seller_vat_id, invoice_number]"),
                         "new.yaml")  # fmt: skip
    keys_before = store.find_keyed("invoices", [business_key(by_vat_id.duplicates[0], invoice(seller_vat_id="DE1").value)])
    report = replay(store, {"invoices": by_vat_id})
    assert [(c.item_id, c.after) for c in report.changes] == [(2, "fail: duplicate:number")]
    assert store.find_keyed("invoices", [business_key(by_vat_id.duplicates[0], invoice(seller_vat_id="DE1").value)]) \
        == keys_before == {}  # fmt: skip


def test_an_earlier_item_retried_after_a_later_one_was_posted_is_held_as_its_duplicate(bot):
    now = [datetime(2026, 3, 1, tzinfo=UTC).timestamp()]
    store = MemoryStore(clock=lambda: now[0])
    store.enqueue(NewItem("invoices", "a", payload={"document": invoice().to_dict()}))
    [first] = store.claim("runner")  # its target was down: it waits for a retry
    store.retry_later(first.id, "runner", reason="erp down", code="target", not_before=datetime(2026, 3, 2, tzinfo=UTC))
    later = process(bot, store, "b")
    assert later.status == Status.DONE  # the first had no key yet
    now[0] = datetime(2026, 3, 3, tzinfo=UTC).timestamp()
    [again] = store.claim("runner")
    assert again.id == first.id
    document = stages.extract(bot, again)
    verdict = stages.apply_rules(bot, document, again, store)
    assert verdict.holds == ["duplicate:number"]
    assert verdict.errors[0].message == f"possible duplicate of item {later.id} (same seller_name, invoice_number)"
