"""Each kind of step in real Chromium against the demo portal, through the connector's attempts."""

from __future__ import annotations

import pytest

from backoffice.connectors.base import Context
from backoffice.connectors.portal.connector import Portal
from backoffice.connectors.portal.pool import POOL
from backoffice.connectors.portal.settings import PortalSourceSettings
from backoffice.errors import ApplicationError
from backoffice.queue.files import FileStore
from tests.integration.portal.helpers import PASSWORD, wait_no_chromium

pytestmark = pytest.mark.integration


def remember(page, item, variables):
    return {"title": page.title(), "item": item}


@pytest.fixture
def connect(portal, tmp_path):
    opened = []

    def make(steps: list[dict], **more) -> tuple[Portal, PortalSourceSettings]:
        values = {"kind": "portal", "url": portal.url, "username": "clerk", "password": PASSWORD,
                  "steps": steps, "items": {"key": "{ID}"}, **more}  # fmt: skip
        settings = PortalSourceSettings(**values)
        opened.append(Portal(settings, Context(bot="steps", workspace=tmp_path, files=FileStore(tmp_path / "f"))))
        return opened[-1], settings

    yield make
    for portal_ in opened:
        portal_.close()
    assert not POOL.running and wait_no_chromium() == []


def test_reading_steps(connect):
    portal, settings = connect([
        {"goto": "/timesheets?page=3"},
        {"expect": "h1", "text": "Timesheets"},
        {"wait_for": "table#timesheets tbody tr"},
        {"set": "pages", "read": ".pager .page", "pattern": r"of (\d+)"},
        {"set": "label", "value": "page {pages}"},
        {"set": "heading", "read": "h1:has-text('Timesheets')"},  # not plain CSS: Playwright's locator reads it
        {"set": "pdf_link", "read": "table#timesheets a.pdf", "attribute": "href"},
        {"screenshot": "timesheets-{pages}"},
        {"download": "a.csv", "via": "click", "into": "csv"},
        {"download": "{pdf_link}", "into": "pdf"},
        {"wait_for": "#no-such-thing", "timeout_seconds": 0.2, "optional": True},
        {"call": "tests.integration.portal.test_portal_browser_steps:remember"},
        {"extract_table": "table#timesheets", "links": {"pdf": "a.pdf"}},
    ])
    found = portal.attempt("read", lambda runner: runner.run(settings.steps, {}), item="an item")
    assert found["pages"] == "3" and found["label"] == "page 3" and found["pdf_link"] == "/timesheets/TS-0021.pdf"
    assert found["heading"] == "Timesheets"
    assert found["csv"].name == "TS-0021.csv" and found["csv"].data.startswith(b"Timesheet")
    assert found["pdf"].name == "TS-0021.pdf" and found["pdf"].data.startswith(b"%PDF")
    assert found["screenshots"][0].name == "timesheets-3.png" and found["screenshots"][0].media_type == "image/png"
    assert found["title"] == "Timesheets" and found["item"] == "an item"
    assert [row["ID"] for row in found["rows"]] == ["TS-0021", "TS-0022", "TS-0023"]
    assert found["rows"][0]["pdf"].endswith("/timesheets/TS-0021.pdf") and found["rows"][0]["Files"] == "PDF CSV"


def test_the_order_form_filled_in_one_go_and_sent_without_mouse(connect, portal):
    portal_, settings = connect([
        {"goto": "/orders/new"},
        {"fill_form": {"#reference": "{key}", "#order_number": "PO-77", "#customer": "Lindner Logistik AG",
                       "#delivery_date": "2024-05-11", "#total": "120.50", "#currency": "CHF"}},
        {"click": "#submit", "navigates": True, "mouse": False},
        {"reject_if": "#errors"},
        {"set": "reference", "read": "#confirmation"},
    ])  # fmt: skip
    found = portal_.attempt("order", lambda runner: runner.run(settings.steps, {"key": "REF-FORM-1"}))
    saved = next(o for o in portal.orders() if o["reference"] == "REF-FORM-1")
    assert found["reference"] == saved["confirmation"]
    assert (saved["order_number"], saved["customer"], saved["total"], saved["currency"]) == (
        "PO-77", "Lindner Logistik AG", "120.50", "CHF")  # fmt: skip


def test_a_failing_step_is_retried_then_raised_with_evidence(connect, portal):
    logins = portal.stats().get("logins", 0)
    steps = [{"goto": "/welcome"}, {"expect": "#welcome", "text": "Goodbye", "timeout_seconds": 0.3}]
    portal_, settings = connect(steps, retry={"attempts": 2, "backoff_seconds": 0.01})
    with pytest.raises(ApplicationError) as failure:
        portal_.attempt("expect", lambda runner: runner.run(settings.steps, {}))
    assert "step 2 (expect #welcome)" in failure.value.reason and "Goodbye" in failure.value.reason
    assert sorted(f.name for f in failure.value.evidence) == ["expect-trace.zip", "expect.html", "expect.png"]
    assert portal.stats()["logins"] == logins + 2  # a fresh context, signed in, per attempt


def test_wrong_credentials_fail_the_login_with_the_portals_message(connect):
    portal_, settings = connect([{"goto": "/welcome"}], password="wrong", retry={"attempts": 1})
    with pytest.raises(ApplicationError, match="Unknown user or wrong password") as failure:
        portal_.attempt("login", lambda runner: runner.run(settings.steps, {}))
    assert failure.value.code == "portal-login"


def test_rows_become_documents_deduplicated_by_their_key(portal, tmp_path):
    from backoffice.connectors.base import Intake
    from backoffice.connectors.portal.source import PortalSource
    from backoffice.queue.memory import MemoryStore

    settings = PortalSourceSettings(
        kind="portal", url=portal.url, username="clerk", password=PASSWORD,
        steps=[{"goto": "/timesheets"}, {"extract_table": "table#timesheets", "into": "sheets"}],
        items={"rows": "sheets", "key": "sheet-{ID}", "document": "timesheet"},
    )  # fmt: skip
    context = Context(bot="rows", workspace=tmp_path, files=FileStore(tmp_path / "f"))
    source, store = PortalSource(settings, context), MemoryStore()
    try:
        assert source.collect(Intake(store, context)) == 10
        assert source.collect(Intake(store, context)) == 0
    finally:
        source.close()
    items = sorted(store.list(limit=100), key=lambda i: i.id)
    assert [i.source_key for i in items][:2] == ["sheet-TS-0001", "sheet-TS-0002"] and not items[0].files
    document = items[0].payload["document"]
    assert document["kind"] == "timesheet" and document["method"] == "portal"
    assert document["fields"]["ID"]["value"] == "TS-0001" and document["fields"]["Hours"]["value"]
    assert not POOL.running and wait_no_chromium() == []
