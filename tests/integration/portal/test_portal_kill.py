"""Runner processes killed with SIGKILL between an order's submit and its commit: after a
restart every order is in the portal exactly once, and no Chromium is left behind."""

from __future__ import annotations

import signal
import time

import pytest

from backoffice.queue.base import Status
from backoffice.queue.sqlite import SQLiteStore
from tests.integration.portal.helpers import (
    drop_orders,
    order_bot,
    our_chromium,
    start_runner,
    stop,
    wait_no_chromium,
    write_config,
)

pytestmark = pytest.mark.integration


def wait_for(condition, timeout: float = 60, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_sigkill_between_submit_and_commit_never_submits_an_order_twice(portal, tmp_path):
    config = write_config(tmp_path, portal.url, order_bot(portal.url, timeout=10), lease=1)
    names = drop_orders(tmp_path / "work" / "inbox", range(41, 44))
    before = len(portal.orders())
    portal.faults(confirm_delay=4)  # the order is saved, the answer comes 4 s later
    try:
        for kill in range(2):
            runner = start_runner(config)
            try:
                wait_for(lambda: len(portal.orders()) > before + kill, what=f"submit {kill + 1}")
            finally:
                stop(runner, signal.SIGKILL)  # submitted, not yet committed to the ledger
            assert wait_no_chromium() == []  # the browser died with its runner
        portal.faults(confirm_delay=0)
        time.sleep(1.2)  # the dead runners' leases expire
        runner = start_runner(config)
        store = SQLiteStore(tmp_path / "work" / "queue.db")
        try:
            wait_for(lambda: store.counts().get("orders", {}).get("done", 0) == len(names), 120, "every order done")
            assert our_chromium() != []  # the runner's browser, still running
        finally:
            assert stop(runner, signal.SIGTERM) == 0
    finally:
        portal.faults(confirm_delay=0)
    assert wait_no_chromium() == []

    items = store.list(limit=100)
    orders = portal.orders()[before:]
    assert len(orders) == len(names) == 6  # none twice
    assert sorted(o["confirmation"] for o in orders) == sorted(i.refs["order-portal"] for i in items)
    assert {o["reference"] for o in orders} == {effect.key for i in items for effect in store.effects(i.id)}
    assert all(i.status == Status.DONE for i in items)
    journal = [e for i in items for e in store.journal(i.id)]
    assert sum(e.action == "lease-expired" for e in journal) >= 2  # both kills landed mid-item
    store.close()


def test_sigterm_stops_the_runner_and_its_browser(portal, tmp_path):
    config = write_config(tmp_path, portal.url, order_bot(portal.url))
    drop_orders(tmp_path / "work" / "inbox", range(51, 52))
    runner = start_runner(config)
    store = SQLiteStore(tmp_path / "work" / "queue.db")
    try:
        wait_for(lambda: store.counts().get("orders", {}).get("done", 0) == 2, 60, "both orders done")
        assert our_chromium() != []
    finally:
        assert stop(runner, signal.SIGTERM) == 0
    assert wait_no_chromium() == []
    store.close()
