"""The demo ERP itself, over HTTP on loopback: vendors, purchase orders, invoices, faults."""

from __future__ import annotations

import httpx
import pytest

from backoffice.demo.erp import running_erp

pytestmark = pytest.mark.integration
INVOICE = {"vendor": "Acme GmbH", "number": "A-1", "currency": "EUR", "total": "119", "issue_date": "2026-01-10"}


def test_vendors_purchase_orders_and_invoices(erp):
    erp.faults()
    with httpx.Client(base_url=erp.url, timeout=5) as api:
        vendor = api.post("/api/vendors", json={"name": "Initech SA", "vat_id": "FR123"})
        assert vendor.status_code == 201
        assert api.get(f"/api/vendors/{vendor.json()['id']}").json()["vat_id"] == "FR123"
        assert api.post("/api/vendors", json={"name": "Initech SA"}).status_code == 409
        order = api.post("/api/purchase-orders", json={"number": "PO-7", "vendor": "Initech SA", "total": 500})
        assert order.status_code == 201 and api.get("/api/purchase-orders/PO-7").json()["vendor"] == "Initech SA"
        created = api.post("/api/invoices", json={**INVOICE, "vendor": "Initech SA", "po_number": "PO-7",
                                                   "reference": "ref-po-7"})  # fmt: skip
        assert created.status_code == 201 and created.json()["total"] == "119.00"
        assert api.get(created.headers["Location"]).json()["po_number"] == "PO-7"
        assert api.get("/api/invoices/by-reference/ref-po-7").json()["id"] == created.json()["id"]
        assert api.get("/api/invoices", params={"reference": "ref-po-7"}).json()["total"] == 1
        refused = api.post("/api/invoices", json={**INVOICE, "po_number": "PO-8"})
        assert refused.status_code == 422 and refused.json()["message"] == "purchase order 'PO-8' does not exist"
        assert api.post("/api/invoices", content=b"{not json").status_code == 400


def test_strict_erp_knows_its_vendors_and_refuses_duplicates(tmp_path):
    with running_erp(tmp_path / "erp.db", args=("--known-vendors-only", "--reject-duplicates")) as url:
        with httpx.Client(base_url=url, timeout=5) as api:
            unknown = api.post("/api/invoices", json=INVOICE)
            assert unknown.status_code == 422 and unknown.json()["message"] == "vendor 'Acme GmbH' is unknown"
            api.post("/api/vendors", json={"name": "Acme GmbH"})
            assert api.post("/api/invoices", json=INVOICE).status_code == 201
            duplicate = api.post("/api/invoices", json=INVOICE)
            assert duplicate.status_code == 409 and "already exists" in duplicate.json()["message"]


def test_faults_are_switchable_and_counted(erp):
    with httpx.Client(base_url=erp.url, timeout=5) as api:
        assert api.put("/_admin/faults", json={"rate": 2}).status_code == 422
        erp.faults(1.0, ("error",))
        before = erp.stats().get("fault-error", 0)
        answer = api.post("/api/invoices", json=INVOICE)
        assert answer.status_code == 500 and answer.json() == {"message": "injected failure"}
        assert erp.stats()["fault-error"] == before + 1
        assert api.get("/health").status_code == 200  # only /api/ is ever hit
        erp.faults(1.0, ("slow",), slow_seconds=0.01)
        assert api.get("/api/invoices").status_code == 200  # slow, but it answers
        erp.faults()
