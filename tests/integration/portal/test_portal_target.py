"""The order bot in real Chromium: every order is submitted once, through 500s, slow pages and
an expired session; refused data and a changed selector go to a person with evidence."""

from __future__ import annotations

import zipfile

import pytest
from rich.console import Console

from backoffice.bots import Runner
from backoffice.config import load_config
from backoffice.queue.base import Status
from backoffice.queue.sqlite import SQLiteStore
from backoffice.report import print_item
from tests.integration.portal.helpers import drop_orders, order_bot, wait_no_chromium, write_config

pytestmark = pytest.mark.integration


def run_bot(tmp_path, portal, bots: str, seeds: range, on_item=None):
    config = load_config(write_config(tmp_path, portal.url, bots))
    names = drop_orders(config.workspace_path / "inbox", seeds)
    store = SQLiteStore(config.workspace_path / "queue.db")
    runner = Runner(config, store)
    try:
        runner.run_once(on_item=on_item)
    finally:
        runner.close()
    assert wait_no_chromium() == []
    return store, names


@pytest.mark.parametrize("reuse", [True, False], ids=["reused-context", "context-per-item"])
def test_orders_are_submitted_once_through_500s_slow_pages_and_an_expired_session(portal, tmp_path, reuse):
    portal.faults(error_every=3, slow_every=4, slow_seconds=0.6)
    before = {o["reference"] for o in portal.orders()}
    stats_before = portal.stats()
    expired = []
    seeds = range(1, 4) if reuse else range(11, 14)  # the same files would have the same keys

    def expire_now(item):
        if len(expired) < 2:
            expired.append(portal.expire_sessions())

    try:
        store, names = run_bot(tmp_path, portal, order_bot(portal.url, reuse=reuse, timeout=3), seeds, expire_now)
    finally:
        portal.faults(error_every=0, slow_every=0)
    items = store.list(limit=100)
    assert len(items) == len(names) == 6
    assert all(i.status == Status.DONE for i in items), [(i.id, i.reason) for i in items if i.status != Status.DONE]
    orders = [o for o in portal.orders() if o["reference"] not in before]
    by_reference = {o["reference"]: o for o in orders}
    assert len(orders) == len(by_reference) == 6  # one order per item, none twice
    for item in items:
        document = {k: f["value"] for k, f in item.payload["document"]["fields"].items()}
        order = next(o for o in orders if o["confirmation"] == item.refs["order-portal"])
        assert order["order_number"] == document["order_number"] and order["total"] == document["total"]
        assert order["customer"] == document["buyer_name"]
    stats = portal.stats()
    assert stats["errors"] > stats_before.get("errors", 0)  # 500s happened and were survived
    assert stats["slow"] > stats_before.get("slow", 0)
    assert expired and expired[0] >= 1 and stats["logins"] >= stats_before.get("logins", 0) + (3 if reuse else 6)
    store.close()


def test_refused_data_goes_to_the_exception_queue_with_the_portals_message(portal, tmp_path):
    bots = order_bot(portal.url).replace('value: "{total}"', 'value: "{total} EUR"')
    before = len(portal.orders())
    store, _ = run_bot(tmp_path, portal, bots, range(21, 22))
    items = store.list(limit=10)
    assert [i.status for i in items] == [Status.EXCEPTION] * 2
    assert all("the portal refused the data: Total must be an amount like 1234.50" in i.reason for i in items)
    assert all(i.error_code == "portal-rejected" for i in items)
    assert {e["name"].rsplit(".", 1)[-1] for e in items[0].payload["evidence"]} == {"png", "html", "zip"}
    assert len(portal.orders()) == before
    store.close()


def test_a_changed_selector_fails_with_evidence_on_the_item(portal, tmp_path):
    bots = order_bot(portal.url, timeout=0.5, attempts=2).replace('"#customer"', '"#customer_name"')
    bots = bots.replace("max_attempts: 6", "max_attempts: 1")
    store, _ = run_bot(tmp_path, portal, bots, range(31, 32))
    config = load_config(tmp_path / "bots.yaml")
    item = store.list(limit=10)[0]
    assert item.status == Status.EXCEPTION
    assert "step 4 (fill #customer_name)" in item.reason and "Timeout" in item.reason
    evidence = {e["name"].rsplit(".", 1)[-1]: e for e in item.payload["evidence"]}
    assert set(evidence) == {"png", "html", "zip"}
    files = config.workspace_path / "files"
    html = (files / evidence["html"]["sha256"][:2] / evidence["html"]["sha256"][2:]).read_text()
    assert 'id="customer"' in html and "New order" in html  # the page as it was when the step failed
    png = files / evidence["png"]["sha256"][:2] / evidence["png"]["sha256"][2:]
    assert png.read_bytes().startswith(b"\x89PNG")
    with zipfile.ZipFile(files / evidence["zip"]["sha256"][:2] / evidence["zip"]["sha256"][2:]) as trace:
        assert any(name.endswith(".trace") for name in trace.namelist())

    console = Console(record=True, width=200)
    print_item(console, item, store.journal(item.id))
    shown = console.export_text()
    assert "evidence:" in shown and evidence["png"]["name"] in shown and evidence["zip"]["sha256"][:12] in shown
    store.close()


def test_a_session_that_expires_mid_form_is_signed_in_again_and_the_order_entered_once(portal, tmp_path):
    from tests.integration.portal import hooks

    bots = order_bot(portal.url).replace(
        '- {click: "#submit"', '- {call: "tests.integration.portal.hooks:expire_once"}\n          - {click: "#submit"'
    )
    hooks.expired_for.clear()
    before = {o["reference"] for o in portal.orders()}
    logins = portal.stats().get("logins", 0)
    store, _ = run_bot(tmp_path, portal, bots, range(4, 5))
    items = store.list(limit=10)
    assert [i.status for i in items] == [Status.DONE] * 2 and hooks.expired_for == {i.id for i in items}
    orders = [o for o in portal.orders() if o["reference"] not in before]
    assert sorted(o["confirmation"] for o in orders) == sorted(i.refs["order-portal"] for i in items)
    assert portal.stats()["logins"] == logins + 3  # the first sign-in, then once after each expiry
    store.close()
