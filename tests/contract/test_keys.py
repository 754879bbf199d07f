"""The business-key contract (record_keys, find_keyed, key definitions; see
backoffice/queue/base.py), run against every backend."""

from __future__ import annotations

from datetime import date

import pytest

from backoffice.errors import ItemNotFound
from backoffice.queue.base import BusinessKey, NewItem, Status


def items(store, count: int, bot: str = "invoices") -> list[int]:
    return [store.enqueue(NewItem(bot, f"{bot}-{n}"))[0].id for n in range(count)]


def number(key: str = '["acme","inv-1"]') -> BusinessKey:
    return BusinessKey("number", key)


def amount(day: date, within_days: int = 0) -> BusinessKey:
    return BusinessKey("amount", '["acme","119"]', day, within_days)


def test_the_newest_earlier_item_with_the_key_is_found(store):
    first, second, third, fourth = items(store, 4)
    store.record_keys({first: [number()], second: [number('["acme","inv-2"]')], third: [number()]})
    assert store.find_keyed("invoices", [number()], before=fourth) == {"number": third}
    assert store.find_keyed("invoices", [number()], before=third) == {"number": first}
    assert store.find_keyed("invoices", [number()], before=first) == {}
    assert store.find_keyed("invoices", [number()]) == {"number": third}  # no bound: every item
    assert store.find_keyed("invoices", [number('["acme","inv-9"]')], before=fourth) == {}


def test_a_later_item_recorded_first_is_found_by_the_earlier_one(store):
    """An earlier item checked after a later one (its extraction was retried, or another runner
    checked the later one first) finds it, once its own key is recorded."""
    first, second, third = items(store, 3)
    store.record_keys({second: [number()]})
    assert store.find_keyed("invoices", [number()], before=first) == {}  # first has no key yet
    store.record_keys({first: [number()]})
    assert store.find_keyed("invoices", [number()], before=first) == {"number": second}
    assert store.find_keyed("invoices", [number()], before=second) == {"number": first}  # lower ids first
    store.record_keys({third: [number()]})
    assert store.find_keyed("invoices", [number()], before=first) == {"number": second}  # not third: after it


def test_a_key_recorded_again_unchanged_keeps_its_place_a_changed_one_does_not(store):
    first, second = items(store, 2)
    store.record_keys({first: [number(), amount(date(2026, 1, 10))]})
    store.record_keys({second: [number(), amount(date(2026, 1, 10))]})
    store.record_keys({first: [number(), amount(date(2026, 1, 10))]})  # the rules ran again on the first
    assert store.find_keyed("invoices", [number(), amount(date(2026, 1, 10))], before=first) == {}
    store.record_keys({first: [number('["acme","inv-5"]'), amount(date(2026, 1, 11))]})  # corrected
    store.record_keys({first: [number(), amount(date(2026, 1, 10))]})  # and back: now after the second
    assert store.find_keyed("invoices", [number(), amount(date(2026, 1, 10))], before=first) == {
        "number": second, "amount": second}


@pytest.mark.parametrize("order", ["AaBb", "ABab", "ABba", "BAab", "BAba", "BbAa"])
def test_of_two_items_checked_at_once_at_least_one_finds_the_other(store, reopen, order):
    """Two runners each record an item's key (upper case) and then look it up (lower case), in
    every interleaving: never do both pass."""
    first, second = items(store, 2)
    runners = {"a": (store, first), "b": (reopen(), second)}
    found = {}
    for step in order:
        runner, item = runners[step.lower()]
        if step.isupper():
            runner.record_keys({item: [number()]})
        else:
            found[step] = runner.find_keyed("invoices", [number()], before=item)
    assert found["a"] or found["b"]
    if order.index("A") < order.index("b"):  # the later item finds the earlier one once it is recorded
        assert found["b"] == {"number": first}
    if order.index("b") < order.index("A"):  # else the earlier one finds the later one, checked first
        assert found["a"] == {"number": second}


def test_keys_are_per_bot_and_per_rule(store):
    [mine] = items(store, 1)
    [other_bot] = items(store, 1, bot="orders")
    store.record_keys({mine: [number()], other_bot: [number(), BusinessKey("seller", '["acme"]')]})
    assert store.find_keyed("invoices", [number(), BusinessKey("seller", '["acme"]')]) == {"number": mine}
    assert store.find_keyed("orders", [BusinessKey("number", '["acme","inv-1"]')]) == {"number": other_bot}
    assert store.find_keyed("nobody", [number()]) == {}


def test_several_keys_are_answered_at_once(store):
    first, second, third = items(store, 3)
    store.record_keys({first: [number(), amount(date(2026, 1, 10))], second: [number('["acme","inv-2"]')]})
    found = store.find_keyed("invoices", [number(), number('["x"]'), amount(date(2026, 1, 10))], before=third)
    assert found == {"number": first, "amount": first}
    assert store.find_keyed("invoices", []) == {}


def test_recording_replaces_an_items_earlier_keys(store):
    first, second = items(store, 2)
    store.record_keys({first: [number(), amount(date(2026, 1, 10))]})
    store.record_keys({first: [number('["acme","inv-7"]')]})  # a person corrected the number
    assert store.find_keyed("invoices", [number(), amount(date(2026, 1, 10))], before=second) == {}
    assert store.find_keyed("invoices", [number('["acme","inv-7"]')], before=second) == {"number": first}
    store.record_keys({first: []})  # the document lost its number: no key at all
    assert store.find_keyed("invoices", [number('["acme","inv-7"]')], before=second) == {}
    store.record_keys({first: [number()], second: [number()]})
    store.record_keys({first: [number()], second: [number()]})  # recording twice changes nothing
    assert store.find_keyed("invoices", [number()]) == {"number": second}


def test_one_key_per_rule_and_item(store):
    [item] = items(store, 1)
    store.record_keys({item: [number('["a"]'), number('["b"]')]})  # the last one counts
    assert store.find_keyed("invoices", [number('["b"]')]) == {"number": item}
    assert store.find_keyed("invoices", [number('["a"]')]) == {}


def test_cancelled_items_are_left_out_until_retried(store):
    first, second, third = items(store, 3)
    store.record_keys({first: [number()], second: [number()]})
    store.cancel(second, actor="alice", why="sent twice")
    assert store.find_keyed("invoices", [number()], before=third) == {"number": first}
    store.cancel(first, actor="alice")
    assert store.find_keyed("invoices", [number()], before=third) == {}
    store.retry(second, actor="alice")
    assert store.get(second).status == Status.PENDING
    assert store.find_keyed("invoices", [number()], before=third) == {"number": second}


def test_rejected_items_are_left_out(store):
    first, second, third = items(store, 3)
    store.record_keys({first: [number()], second: [number()]})
    store.reject_item(second, actor="alice", why="not our invoice")
    assert store.find_keyed("invoices", [number()], before=third) == {"number": first}


@pytest.mark.parametrize(
    ("day", "within", "found"),
    [(date(2026, 1, 10), 0, True), (date(2026, 1, 11), 0, False), (date(2026, 1, 13), 3, True),
     (date(2026, 1, 7), 3, True), (date(2026, 1, 14), 3, False), (date(2026, 1, 6), 3, False)],
)  # fmt: skip
def test_a_key_with_a_day_matches_days_at_most_within_days_apart(store, day, within, found):
    first, second = items(store, 2)
    store.record_keys({first: [amount(date(2026, 1, 10))]})
    assert store.find_keyed("invoices", [amount(day, within)], before=second) == ({"amount": first} if found else {})


def test_the_newest_item_within_the_days_is_found_not_just_the_newest(store):
    first, second, third = items(store, 3)
    store.record_keys({first: [amount(date(2026, 1, 10))], second: [amount(date(2026, 3, 1))]})
    assert store.find_keyed("invoices", [amount(date(2026, 1, 12), 3)], before=third) == {"amount": first}


def test_a_key_without_a_day_matches_whatever_day_was_recorded(store):
    first, second = items(store, 2)
    store.record_keys({first: [amount(date(2026, 1, 10))]})
    assert store.find_keyed("invoices", [BusinessKey("amount", '["acme","119"]')], before=second) == {"amount": first}
    store.record_keys({first: [BusinessKey("amount", '["acme","119"]')]})  # recorded without a day
    assert store.find_keyed("invoices", [amount(date(2026, 1, 10), 366)], before=second) == {}


def test_extreme_days_do_not_overflow(store):
    first, second = items(store, 2)
    store.record_keys({first: [amount(date.max)], second: [amount(date.min)]})
    assert store.find_keyed("invoices", [amount(date(9999, 12, 30), 366)]) == {"amount": first}
    assert store.find_keyed("invoices", [amount(date(1, 1, 2), 366)]) == {"amount": second}


def test_keys_of_an_unknown_item_are_refused_and_nothing_is_recorded(store):
    [item] = items(store, 1)
    with pytest.raises(ItemNotFound):
        store.record_keys({item: [number()], 999: [number()]})
    assert store.find_keyed("invoices", [number()]) == {}


def test_recording_needs_no_lease_and_changes_nothing_else(store):
    [item] = items(store, 1)
    [claimed] = store.claim("runner-1")
    store.record_keys({item: [number()]})  # the holder
    store.complete(item, "runner-1")
    store.record_keys({item: [number('["acme","inv-2"]')]})  # a done item is re-keyed too
    after = store.get(item)
    assert after.status == Status.DONE and after.payload == claimed.payload
    assert [e.action for e in store.journal(item)] == ["enqueue", "claim", "complete"]
    assert store.find_keyed("invoices", [number('["acme","inv-2"]')]) == {"number": item}


def test_many_items_are_recorded_at_once(store):
    ids = items(store, 1200)  # more than one statement's worth of parameters on SQLite
    store.record_keys({i: [number(f'["acme","inv-{i}"]'), amount(date(2026, 1, 1))] for i in ids})
    assert store.find_keyed("invoices", [number(f'["acme","inv-{ids[700]}"]')]) == {"number": ids[700]}
    assert store.find_keyed("invoices", [amount(date(2026, 1, 1))], before=ids[-1]) == {"amount": ids[-2]}


def test_key_definitions_are_kept_per_bot_and_replaced(store):
    assert store.key_definitions("invoices") == {}
    store.set_key_definitions("invoices", {"number": "a", "amount": "b"})
    store.set_key_definitions("orders", {"number": "c"})
    assert store.key_definitions("invoices") == {"number": "a", "amount": "b"}
    store.set_key_definitions("invoices", {"number": "a2"})
    assert store.key_definitions("invoices") == {"number": "a2"}
    assert store.key_definitions("orders") == {"number": "c"}
    store.set_key_definitions("orders", {})
    assert store.key_definitions("orders") == {}


@pytest.fixture
def reopen(store):
    """Another connection to the same queue (another runner); the memory store is shared as is."""
    from backoffice.queue.memory import MemoryStore
    from backoffice.queue.postgres import PostgresStore
    from backoffice.queue.sqlite import SQLiteStore

    opened = []

    def another():
        if isinstance(store, MemoryStore):
            return store
        other = (SQLiteStore(store.path, clock=store.clock) if isinstance(store, SQLiteStore)
                 else PostgresStore(store.url, schema=store.schema, clock=store.clock, migrate=False))  # fmt: skip
        opened.append(other)
        return other

    yield another
    for other in opened:
        other.close()


def test_runners_find_the_keys_other_runners_recorded(store, reopen):
    first, second = items(store, 2)
    other = reopen()
    other.record_keys({first: [number()]})
    assert store.find_keyed("invoices", [number()], before=second) == {"number": first}
    store.record_keys({first: [number('["acme","inv-2"]')]})
    assert other.find_keyed("invoices", [number()], before=second) == {}


def test_runners_rekeying_the_same_items_at_once_leave_one_key_per_rule(store, reopen):
    import threading

    ids = items(store, 30)
    runners = [reopen() for _ in range(3)]
    failures: list[BaseException] = []
    start = threading.Barrier(len(runners))

    def rekey(runner, n: int) -> None:
        try:
            start.wait()
            for round_ in range(15):
                value = f'["r{n}-{round_}"]'
                runner.record_keys({i: [number(value), amount(date(2026, 1, 1 + n))] for i in ids})
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=rekey, args=(r, n)) for n, r in enumerate(runners)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    last = [f'["r{n}-14"]' for n in range(len(runners))]  # one runner's last round wins for every item
    found = [store.find_keyed("invoices", [number(v)]) for v in last]
    assert [f for f in found if f] == [{"number": ids[-1]}]
    winner = last.index(next(v for v, f in zip(last, found, strict=True) if f))
    assert all(store.find_keyed("invoices", [number(last[winner])], before=i + 1) == {"number": i} for i in ids)
    assert store.find_keyed("invoices", [amount(date(2026, 1, 1 + winner))], before=ids[-1]) == {"amount": ids[-2]}
