"""The demo portal over HTTP (no browser): login with CSRF, sessions that expire, pages,
faults, order validation and search."""

from __future__ import annotations

import re

import httpx
import pytest

from backoffice.demo.portal import Faults, validate_order
from tests.integration.portal.helpers import PASSWORD

pytestmark = pytest.mark.integration


def csrf(text: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', text).group(1)


@pytest.fixture
def client(portal):
    with httpx.Client(base_url=portal.url, follow_redirects=True, timeout=10) as client:
        yield client


def sign_in(client, next_url: str = "/"):
    form = client.get(f"/login?next={next_url}")
    return client.post("/login", data={"csrf_token": csrf(form.text), "next": next_url,
                                       "username": "clerk", "password": PASSWORD})  # fmt: skip


def test_pages_need_a_session_and_login_needs_the_csrf_token(client):
    assert client.get("/timesheets", follow_redirects=False).headers["location"] == "/login?next=/timesheets"
    client.get("/login")
    refused = client.post("/login", data={"csrf_token": "forged", "username": "clerk", "password": PASSWORD})
    assert refused.status_code == 403 and "expired" in refused.text
    wrong = client.post("/login", data={"csrf_token": csrf(client.get("/login").text), "username": "clerk",
                                        "password": "nope"})  # fmt: skip
    assert "Unknown user or wrong password" in wrong.text
    assert sign_in(client, "/timesheets").url.path == "/timesheets"
    assert "<frameset" in client.get("/").text and "target='main'" in client.get("/menu").text


def test_sessions_expire(client):
    sign_in(client)
    client.put("/_admin/faults", json={"session_seconds": 0})
    assert client.get("/welcome").status_code == 200
    sign_in(client)
    assert client.get("/welcome", follow_redirects=False).status_code == 303
    client.put("/_admin/faults", json={"session_seconds": 1800})
    sign_in(client)
    assert client.post("/_admin/expire").json()["ended"] >= 1
    assert client.get("/welcome").url.path == "/login"


def test_timesheet_pages_and_downloads(client):
    sign_in(client)
    pages = [client.get(f"/timesheets?page={n}").text for n in (1, 2, 3)]
    assert [p.count("class='pdf'") for p in pages] == [10, 10, 3]
    assert "rel='next'" in pages[1] and "rel='next'" not in pages[2]
    pdf = client.get("/timesheets/TS-0023.pdf")
    assert pdf.content.startswith(b"%PDF") and "TS-0023.pdf" in pdf.headers["content-disposition"]
    assert client.get("/timesheets/TS-0001.csv").text.startswith("Timesheet")
    assert client.get("/timesheets/TS-9999.pdf").status_code == 404


def test_faults_on_every_page(client):
    sign_in(client)
    client.put("/_admin/faults", json={"error_every": 1})
    assert [client.get("/orders").status_code for _ in range(2)] == [500, 500]
    client.put("/_admin/faults", json={"error_every": 0})
    assert client.get("/orders").status_code == 200
    assert client.put("/_admin/faults", json={"nonsense": 1}).status_code == 422


def test_orders_are_validated_saved_confirmed_and_found_by_reference(client):
    sign_in(client)
    form = client.get("/orders/new")
    values = {"reference": "R-1", "order_number": "PO-1", "customer": "ACME", "delivery_date": "2024-13-01",
              "total": "12,50", "currency": "EUR"}  # fmt: skip
    refused = client.post("/orders/new", data={**values, "csrf_token": csrf(form.text)})
    assert re.findall(r"<li>(.*?)</li>", refused.text) == ["Total must be an amount like 1234.50",
                                                           "Delivery date must be a date YYYY-MM-DD"]
    saved = client.post("/orders/new", data={**values, "total": "12.50", "delivery_date": "2024-12-01",
                                             "csrf_token": csrf(refused.text)})  # fmt: skip
    confirmation = re.search(r"id='confirmation'>([^<]+)<", saved.text).group(1)
    assert saved.url.path == f"/orders/confirmation/{confirmation}"
    assert confirmation in client.get("/orders?reference=R-1").text
    assert "No orders found" in client.get("/orders?reference=R-2").text
    assert client.get(f"/orders/{confirmation}.pdf").content.startswith(b"%PDF")
    assert client.get("/_admin/orders").json()["orders"][0]["reference"] == "R-1"


def test_validate_order_and_fault_settings():
    assert validate_order({"reference": "r", "order_number": "o", "customer": "c", "delivery_date": "2024-01-02",
                           "total": "1.5", "currency": "EUR"}) == []  # fmt: skip
    assert "Customer is required" in validate_order({"total": "0", "currency": "XXX"})
    with pytest.raises(ValueError):
        Faults().update({"error_rate": -1})
