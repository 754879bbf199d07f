"""The timesheet bot in real Chromium: it logs in through the frameset, reads every page of the
timesheet table, downloads each row's PDF and reads it; nothing is fetched twice. It shares the
runner's one browser with the order bot."""

from __future__ import annotations

import pytest

from backoffice.bots import Runner
from backoffice.config import load_config
from backoffice.demo.portal import make_timesheets
from backoffice.queue.base import Status
from backoffice.queue.sqlite import SQLiteStore
from backoffice.connectors.portal.pool import POOL
from tests.integration.portal.helpers import TIMESHEET_BOT, drop_orders, order_bot, wait_no_chromium, write_config

pytestmark = pytest.mark.integration


def test_timesheet_bot_scrapes_and_downloads_every_page(portal, tmp_path):
    config = load_config(write_config(tmp_path, portal.url, TIMESHEET_BOT + order_bot(portal.url)))
    drop_orders(config.workspace_path / "inbox", range(61, 62))
    store = SQLiteStore(config.workspace_path / "queue.db")
    runner = Runner(config, store)
    try:
        summary = runner.run_once()
        again = runner.collect()
        source, target = runner.bots["timesheets"].source, runner.bots["orders"].targets[0]
        assert source.portal.session._browser is target.portal.session._browser is not None  # one browser
    finally:
        runner.close()
    assert not POOL.running and wait_no_chromium() == []

    expected = {s["id"]: s for s in make_timesheets(23, 3)}
    assert summary.outcomes["done"] == 25 and store.counts()["orders"]["done"] == 2
    items = [i for i in store.list(limit=100) if i.bot == "timesheets"]
    assert summary.collected == 25 and again == 0  # three pages; the second collect finds nothing new
    assert {i.source_key for i in items} == set(expected)
    assert all(i.status == Status.DONE for i in items), [(i.source_key, i.reason) for i in items if i.status != Status.DONE]
    for item in items:
        sheet = expected[item.source_key]
        assert item.files[0].name == f"{item.source_key}.pdf" and item.files[0].media_type == "application/pdf"
        fields = {name: f["value"] for name, f in item.payload["document"]["fields"].items()}
        assert fields["employee_name"] == sheet["employee_name"]
        assert fields["total_hours"] == sheet["total_hours"]
        assert item.payload["row"]["Employee"] == sheet["employee_name"]
    assert portal.stats()["downloads"] >= 23
    store.close()
