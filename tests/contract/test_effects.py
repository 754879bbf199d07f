"""The effect ledger (see backoffice/queue/base.py), run against every backend."""

from __future__ import annotations

import pytest

from backoffice.errors import ItemNotFound, LeaseLost, QueueError
from backoffice.queue.base import EffectState, NewItem, Status


@pytest.fixture
def claimed(store):
    store.enqueue(NewItem("invoices", "doc-1"))
    [item] = store.claim("runner-1", lease=60)
    return item


def test_intend_records_the_call_before_it_is_made(store, claimed, clock):
    effect = store.intend(claimed.id, "runner-1", "erp", "key-1")
    assert (effect.item_id, effect.target, effect.key) == (claimed.id, "erp", "key-1")
    assert (effect.state, effect.calls, effect.external_id) == (EffectState.INTENDED, 1, None)
    assert effect.in_doubt
    assert store.effects(claimed.id) == [effect]


def test_intend_needs_the_lease(store, claimed):
    with pytest.raises(LeaseLost):
        store.intend(claimed.id, "runner-2", "erp", "key-1")
    store.release(claimed.id, "runner-1")
    with pytest.raises(LeaseLost):
        store.intend(claimed.id, "runner-1", "erp", "key-1")
    assert store.effects(claimed.id) == []


def test_intending_again_keeps_the_first_key_and_counts_calls(store, claimed, clock):
    first = store.intend(claimed.id, "runner-1", "erp", "key-1")
    clock.advance(5)
    again = store.intend(claimed.id, "runner-1", "erp", "other-key")
    assert (again.key, again.calls, again.state) == ("key-1", 2, EffectState.INTENDED)
    assert again.created_at == first.created_at and again.updated_at > first.updated_at


def test_settle_records_the_external_id_and_names_it_in_the_refs(store, claimed):
    store.intend(claimed.id, "runner-1", "erp", "key-1")
    done = store.settle(claimed.id, "erp", "INV-9")
    assert (done.state, done.external_id, done.in_doubt) == (EffectState.DONE, "INV-9", False)
    assert store.get(claimed.id).refs == {"erp": "INV-9"}
    assert store.effects(claimed.id) == [done]


def test_a_done_effect_is_never_reopened_and_keeps_its_first_id(store, claimed):
    store.intend(claimed.id, "runner-1", "erp", "key-1")
    done = store.settle(claimed.id, "erp", "INV-9")
    assert store.intend(claimed.id, "runner-1", "erp", "key-2") == done
    assert store.settle(claimed.id, "erp", "INV-10") == done
    assert store.reject(claimed.id, "erp", reason="late refusal") == done
    assert store.get(claimed.id).refs == {"erp": "INV-9"}


def test_settle_needs_an_intent_but_no_lease(store, claimed, clock):
    with pytest.raises(QueueError, match="no call to erp was intended"):
        store.settle(claimed.id, "erp", "INV-9")
    store.intend(claimed.id, "runner-1", "erp", "key-1")
    clock.advance(61)
    store.expire_leases()  # the runner lost its lease while the call was in flight
    assert store.get(claimed.id).status == Status.PENDING
    assert store.settle(claimed.id, "erp", "INV-9").state == EffectState.DONE  # what happened is kept
    assert store.get(claimed.id).refs == {"erp": "INV-9"}


def test_reject_means_nothing_was_written_and_a_later_intent_reopens_it(store, claimed):
    store.intend(claimed.id, "runner-1", "erp", "key-1")
    rejected = store.reject(claimed.id, "erp", reason="vendor unknown")
    assert (rejected.state, rejected.reason, rejected.in_doubt) == (EffectState.REJECTED, "vendor unknown", False)
    store.to_exception(claimed.id, "runner-1", reason="vendor unknown", code="erp")
    store.retry(claimed.id, actor="alice")
    store.claim("runner-1")
    again = store.intend(claimed.id, "runner-1", "erp", "key-2")
    assert (again.state, again.calls, again.key, again.reason) == (EffectState.INTENDED, 2, "key-1", None)


def test_effects_survive_a_lease_expiry_and_are_per_target(store, claimed, clock):
    store.intend(claimed.id, "runner-1", "erp", "key-erp")
    store.settle(claimed.id, "erp", "INV-9")
    clock.advance(1)
    store.intend(claimed.id, "runner-1", "ledger", "key-ledger")
    clock.advance(61)
    [again] = store.claim("runner-2", lease=60)  # the first runner died; the lease ran out
    assert again.id == claimed.id
    by_target = {e.target: e for e in store.effects(claimed.id)}
    assert [e.target for e in store.effects(claimed.id)] == ["erp", "ledger"]
    assert by_target["erp"].state == EffectState.DONE and not by_target["erp"].in_doubt
    assert by_target["ledger"].in_doubt  # runner-2 must ask the ledger before posting again
    assert store.intend(claimed.id, "runner-2", "ledger", "new").calls == 2


def test_effects_of_an_unknown_item(store):
    for call in (
        lambda: store.effects(404),
        lambda: store.intend(404, "r", "erp", "k"),
        lambda: store.settle(404, "erp", "x"),
        lambda: store.reject(404, "erp", reason="x"),
    ):
        with pytest.raises(ItemNotFound):
            call()


def test_effect_to_dict_is_json_ready(store, claimed):
    import json

    effect = store.intend(claimed.id, "runner-1", "erp", "key-1")
    assert json.loads(json.dumps(effect.to_dict()))["state"] == "intended"
