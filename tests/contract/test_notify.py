""" "Work is waiting": an idle runner sleeps in ``Store.wait_for_work`` and wakes when an item
may have become due, on every backend (a condition in the process on memory and SQLite,
LISTEN/NOTIFY on PostgreSQL)."""

from __future__ import annotations

import threading

import pytest

from backoffice.queue import NewItem


def later(action) -> threading.Thread:
    thread = threading.Thread(target=action)
    thread.start()
    return thread


@pytest.fixture
def idle(store):
    store.wait_for_work(0)  # whatever happened before is seen (PostgreSQL: LISTEN from now on)
    assert store.wait_for_work(0.05) is False  # nothing arrives: it times out
    return store


def test_enqueueing_wakes_a_waiter(idle):
    writer = later(lambda: idle.enqueue(NewItem("b", "k1")))
    assert idle.wait_for_work(30) is True
    writer.join()
    writer = later(lambda: idle.enqueue_many([NewItem("b", "k2"), NewItem("b", "k3")]))
    assert idle.wait_for_work(30) is True
    writer.join()


def test_a_release_or_a_retry_wakes_a_waiter(idle):
    idle.enqueue(NewItem("b", "k1"))
    idle.wait_for_work(30)
    [item] = idle.claim("r1")
    writer = later(lambda: idle.release(item.id, "r1"))
    assert idle.wait_for_work(30) is True
    writer.join()
    [item] = idle.claim("r1")
    idle.to_exception(item.id, "r1", reason="a person must look", code="x")
    writer = later(lambda: idle.retry(item.id, actor="alice"))
    assert idle.wait_for_work(30) is True
    writer.join()


def test_wake_wakes_a_waiter_and_work_that_came_first_is_not_missed(idle):
    writer = later(idle.wake)
    assert idle.wait_for_work(30) is True
    writer.join()
    idle.enqueue(NewItem("b", "k1"))  # before anyone waits
    assert idle.wait_for_work(30) is True
