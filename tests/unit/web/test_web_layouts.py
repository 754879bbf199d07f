"""The learned layouts page: admins only, as HTML and JSON, with the journal of changes."""

from __future__ import annotations

from backoffice.learning.store import layouts
from backoffice.learning.layout import FieldRule, Layout
from tests.unit.web.conftest import sign_in


def test_admins_see_the_learned_layouts_and_their_changes(client, ws):
    rule = FieldRule("invoice_number", 1, (400, 100, 450, 109), "Beleg", (300, 100, 330, 109), (100, 0))
    learned = layouts(ws.store).save(
        Layout("invoice", frozenset({"beleg@12,4"}), {"invoice_number": rule}, {"seller_vat_id": "DE123456789"},
               item=3, taught_by="alice", at="2026-03-02T10:00:00+00:00", name="Becker GmbH"),
        actor="alice", item_id=3, action="learn", fields=["invoice_number"])  # fmt: skip
    sign_in(client, "alice")
    assert client.get("/layouts").status_code == 403
    client.cookies.clear()
    sign_in(client, "ada")
    html = client.get("/layouts").text
    assert "Becker GmbH" in html and "DE123456789" in html and "item 3</a> by alice 2026-03-02" in html
    data = client.get("/layouts?format=json").json()
    assert [(row["id"], row["fields"]) for row in data["layouts"]] == [(learned.id, ["invoice_number"])]
    assert [(c["action"], c["actor"], c["item"]) for c in data["journal"]] == [("learn", "alice", 3)]
