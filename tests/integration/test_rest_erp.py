"""The REST target against the demo ERP over HTTP on loopback, faults included."""

from __future__ import annotations

import random
import sqlite3

import pytest

from backoffice.connectors.base import Context
from backoffice.connectors.rest import RestSettings, RestTarget
from backoffice.demo.erp import running_erp
from backoffice.documents.models import Field
from backoffice.errors import BusinessError, TargetError
from backoffice.queue.base import NewItem
from backoffice.queue.files import FileStore
from backoffice.queue.memory import MemoryStore
from tests.fakes import invoice

pytestmark = pytest.mark.integration
BODY = {"vendor": "seller_name", "number": "invoice_number", "currency": "currency", "total": "grand_total",
        "issue_date": "issue_date", "reference": "$key"}  # fmt: skip


@pytest.fixture
def context(tmp_path):
    return Context(bot="invoices", workspace=tmp_path, files=FileStore(tmp_path / "files"))


@pytest.fixture
def items():
    store = MemoryStore()
    return [store.enqueue(NewItem("invoices", f"doc-{n}"))[0] for n in range(20)]


def rest(context, url: str, **settings) -> RestTarget:
    values = {
        "kind": "rest", "name": "erp", "base_url": url, "path": "/api/invoices", "body": BODY,
        "lines": {"fields": {"description": "description", "amount": "amount"}},
        "idempotency_header": "Idempotency-Key", "timeout_seconds": 0.5,
        "retry": {"attempts": 6, "backoff_seconds": 0.01, "max_backoff_seconds": 0.05},
        "circuit": {"failures": 50, "reset_seconds": 0.1},
    }  # fmt: skip
    values.update(settings)
    return RestTarget(RestSettings.model_validate(values), context, rng=random.Random(3))


def test_post_with_lines_then_a_repeat_is_the_same_invoice(erp, context, items):
    erp.faults()
    target = rest(context, erp.url)
    document = invoice(invoice_number="R-1")
    document.lines = [{"description": Field("Widget"), "amount": Field("119.00")}]
    ref = target.post(items[0], document)
    assert target.post(items[0], document) == ref  # the ERP deduplicates by the idempotency key
    [stored] = erp.invoices(number="R-1")
    assert (str(stored["id"]), stored["total"], stored["reference"]) == (ref, "119.00", target.idempotency_key(items[0]))
    assert stored["lines"] == [{"line_no": 1, "description": "Widget", "quantity": None, "unit_price": None,
                                "amount": "119.00"}]  # fmt: skip
    assert erp.stats()["replays"] >= 1
    target.close()


def test_a_dropped_connection_after_the_commit_is_found_by_lookup(erp, context, items):
    """The nasty case, with an API that has no idempotency: only the lookup prevents a duplicate."""
    target = rest(context, erp.url, idempotency_header=None, lookup={"path": "/api/invoices?reference={key}",
                                                                      "records": "items"})  # fmt: skip
    erp.faults(1.0, ("drop",))
    before = erp.stats().get("fault-drop", 0)
    with pytest.raises(TargetError):  # every answer is dropped, lookups too: cannot tell yet
        target.post(items[1], invoice(invoice_number="D-1"))
    erp.faults()
    assert target.lookup(items[1], invoice(invoice_number="D-1")) is not None  # it had landed
    erp.faults(0.5, ("drop",), seed=4)
    for item in items[2:8]:
        target.post(item, invoice(invoice_number=f"D-{item.id}"))
    erp.faults()
    assert erp.stats()["fault-drop"] - before >= 6
    for item in items[2:8]:
        assert len(erp.invoices(number=f"D-{item.id}")) == 1, item.id
    target.close()


def test_500s_timeouts_and_slow_answers_are_retried(erp, context, items):
    target = rest(context, erp.url, lookup={"path": "/api/invoices/by-reference/{key}"})
    erp.faults(0.5, ("error", "timeout", "slow"), slow_seconds=0.05, hang_seconds=0.7, seed=2)
    refs = [target.post(item, invoice(invoice_number=f"F-{item.id}")) for item in items[8:14]]
    erp.faults()
    stats = erp.stats()
    assert stats["fault-error"] and stats["fault-timeout"] and stats["fault-slow"]
    assert [erp.invoices(number=f"F-{item.id}")[0]["id"] for item in items[8:14]] == [int(r) for r in refs]
    target.close()


def test_refusals_carry_the_erps_message(erp, context, items):
    erp.faults()
    target = rest(context, erp.url, body={**BODY, "po_number": {"value": "PO-404"}})
    with pytest.raises(BusinessError, match="erp: purchase order 'PO-404' does not exist") as caught:
        target.post(items[14], invoice())
    assert caught.value.code == "http-422"
    with pytest.raises(BusinessError, match="currency must be an ISO 4217 code, not 'EURO'"):
        rest(context, erp.url).post(items[14], invoice(currency="EURO"))


@pytest.mark.parametrize(
    ("auth", "accepted"),
    [
        ({"type": "bearer", "token": "t0ken"}, True),
        ({"type": "bearer", "token": "wrong"}, False),
        ({"type": "basic", "username": "clerk", "password": "pw"}, True),
        ({"type": "oauth2", "token_url": "/oauth/token", "client_id": "bot", "client_secret": "s3cret"}, True),
    ],
)
def test_sign_in(tmp_path, context, items, auth, accepted):
    args = ("--token", "t0ken", "--user", "clerk:pw", "--client", "bot:s3cret")
    with running_erp(tmp_path / "erp.db", args=args) as url:
        target = rest(context, url, auth=auth)
        if accepted:
            assert target.post(items[15], invoice())
        else:
            with pytest.raises(TargetError, match="HTTP 401"):
                target.post(items[15], invoice())
        target.close()
    stored = sqlite3.connect(tmp_path / "erp.db").execute("SELECT COUNT(*) FROM invoices").fetchone()[0]
    assert stored == int(accepted)
