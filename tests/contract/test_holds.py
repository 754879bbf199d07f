"""Holds: who reviews an item in the UI now (see Store.hold), run against every backend."""

from __future__ import annotations

import pytest

from backoffice.errors import ItemNotFound
from backoffice.queue.base import NewItem


def test_one_person_holds_an_item_until_the_hold_runs_out(store, clock):
    item, _ = store.enqueue(NewItem("invoices", "a"))
    other, _ = store.enqueue(NewItem("invoices", "b"))
    assert store.holders() == {}
    assert store.hold(item.id, "alice", seconds=300) == "alice"
    assert store.hold(item.id, "bob", seconds=300) == "alice"  # bob sees who holds it
    assert store.hold(other.id, "bob", seconds=300) == "bob"
    assert store.holders() == {item.id: "alice", other.id: "bob"}
    clock.advance(200)
    assert store.hold(item.id, "alice", seconds=300) == "alice"  # renewed while her page is open
    clock.advance(200)
    assert store.hold(item.id, "bob", seconds=300) == "alice"
    assert store.holders() == {item.id: "alice"}  # bob's ran out
    clock.advance(101)
    assert store.hold(item.id, "bob", seconds=300) == "bob"  # alice's ran out: bob takes it


def test_letting_go_frees_the_item_at_once(store):
    item, _ = store.enqueue(NewItem("invoices", "a"))
    store.hold(item.id, "alice")
    assert store.hold(item.id, "alice", seconds=0) == "alice" and store.holders() == {}
    assert store.hold(item.id, "bob") == "bob"


def test_an_unknown_item_cannot_be_held(store):
    with pytest.raises(ItemNotFound):
        store.hold(999, "alice")
    assert store.holders() == {}
