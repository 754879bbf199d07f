"""The registry of runners sharing a queue (runners, the leader lease, schedule ticks, sources
that are down): the same behaviour from ``Store.registry()`` on every backend."""

from __future__ import annotations

import pytest

from backoffice.queue.memory import MemoryStore
from backoffice.queue.registry import RunnerInfo


@pytest.fixture
def registry(store, clock):
    found = store.registry()
    yield found
    found.close()


def test_one_holder_of_a_lease_until_it_expires_or_is_released(registry, clock):
    assert registry.acquire("leader", "a", 30) and not registry.acquire("leader", "b", 30)
    assert registry.holder("leader") == ("a", clock.now, clock.now + 30)
    clock.advance(10)
    assert registry.acquire("leader", "a", 30)  # renewed: still held since the first time
    assert registry.holder("leader") == ("a", clock.now - 10, clock.now + 30)
    clock.advance(31)
    assert registry.holder("leader") is None
    assert registry.acquire("leader", "b", 30) and registry.holder("leader")[:2] == ("b", clock.now)
    registry.release("leader", "a")  # not its holder: nothing happens
    assert registry.holder("leader")[0] == "b"
    registry.release("leader", "b")
    assert registry.holder("leader") is None and registry.acquire("leader", "a", 30)


def test_runners_beat_and_leave(registry, clock):
    started = clock.now
    registry.beat(RunnerInfo("r1", "host-1", 101, ["invoices", "orders"], "running", None, started, 0))
    clock.advance(5)
    registry.beat(RunnerInfo("r2", "host-2", 202, [], "running", None, clock.now, 0))
    registry.beat(RunnerInfo("r1", "host-1", 101, ["invoices", "orders"], "busy", 7, started, 0))
    found = registry.runners(since=0)
    assert [(r.name, r.bots, r.state, r.item_id, r.seen_at) for r in found] == [
        ("r1", ["invoices", "orders"], "busy", 7, clock.now), ("r2", [], "running", None, clock.now)]  # fmt: skip
    clock.advance(5)
    registry.leave("r1")
    assert [(r.name, r.state, r.item_id) for r in registry.runners(since=clock.now)] == [("r1", "stopped", None)]


def test_each_tick_starts_once_and_is_finished_or_skipped(registry, clock):
    assert registry.last_tick("b") is None and registry.ticks() == []
    assert registry.start_tick("b", 100.0, "r1") and not registry.start_tick("b", 100.0, "r2")
    clock.advance(3)
    registry.finish_tick("b", 100.0, "failed", "the inbox is down")
    registry.skip_tick("b", 200.0, "r2", "a holiday")
    registry.skip_tick("b", 200.0, "r1", "fired twice")  # recorded already: kept as it was
    assert registry.start_tick("other", 150.0, "r1")
    assert registry.last_tick("b") == 200.0
    assert [(t.tick, t.runner, t.outcome, t.detail) for t in registry.ticks("b")] == [
        (200.0, "r2", "skipped", "a holiday"), (100.0, "r1", "failed", "the inbox is down")]  # fmt: skip
    first = registry.ticks("b")[1]
    assert (first.started_at, first.finished_at) == (clock.now - 3, clock.now)
    assert [t.tick for t in registry.ticks(limit=2)] == [200.0, 150.0]


def test_sources_down_are_kept_with_their_first_time_and_the_latest_reason(registry):
    registry.source_down("invoices", "IMAP refused the login", 10.0)
    registry.source_down("invoices", "connection refused: 100% of tries", 20.0)
    registry.source_down("orders", "x" * 2000, 30.0)
    assert registry.acquire("leader", "a", 30)  # a lease beside them is not a source
    assert registry.sources_down() == {"invoices": ("connection refused: 100% of tries", 10.0),
                                       "orders": ("x" * 1000, 30.0)}  # fmt: skip
    registry.source_up("invoices")
    assert set(registry.sources_down()) == {"orders"}


def test_two_registries_of_one_queue_see_each_other(store, registry):
    if isinstance(store, MemoryStore):
        pytest.skip("each registry of a memory store is private to it")
    other = store.registry()
    try:
        assert registry.acquire("leader", "a", 30) and not other.acquire("leader", "b", 30)
    finally:
        other.close()
