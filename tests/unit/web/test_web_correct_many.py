"""Correcting faster: several fields in one form with one "why" (all checked before any is
written, the rules run once), a suggested value where one follows (grand total = net + tax),
readable field names in the document's order, amounts with thousands separators."""

from __future__ import annotations

from decimal import Decimal

import pytest

from backoffice.web import actions, fieldview
from backoffice.web.render import _amount
from backoffice.web.state import ActionRefused
from tests.unit.web.conftest import sign_in
from tests.unit.web.test_web_actions import ALICE, right_total, totals_item


def test_several_fields_are_corrected_with_one_why_and_the_rules_run_once(ws):
    item = totals_item(ws)
    before = len(ws.store.journal(item.id))
    after = actions.correct_fields(ws, item.id, ALICE, {"grand_total": right_total(item), "buyer_name": "ACME AG",
                                                        "due_date": "", "currency": item.payload["document"]["fields"]
                                                        .get("currency", {}).get("value", "")}, "paper original")  # fmt: skip
    fields = after.payload["document"]["fields"]
    assert fields["grand_total"]["value"] == right_total(item) and fields["buyer_name"]["value"] == "ACME AG"
    assert [c["field"] for c in after.payload["corrections"]] == [
        "grand_total",
        "buyer_name",
    ]  # blank/unchanged left out
    assert {c["why"] for c in after.payload["corrections"]} == {"paper original"}
    actions_ = [e.action for e in ws.store.journal(item.id)[before:]]
    assert actions_ == ["correct", "correct", "rerun-rules"]
    totals = next(o for o in after.payload["verdict"]["outcomes"] if o["rule"] == "totals-add-up")
    assert totals["ok"]  # the rules ran on the corrected data


def test_one_bad_value_changes_nothing(ws):
    item = totals_item(ws)
    with pytest.raises(ActionRefused, match="issue_date must be a date"):
        actions.correct_fields(ws, item.id, ALICE, {"buyer_name": "ACME AG", "issue_date": "soon"}, "paper")
    with pytest.raises(ActionRefused, match="no field was given a new value"):
        actions.correct_fields(ws, item.id, ALICE, {"buyer_name": " "}, "paper")
    with pytest.raises(ActionRefused, match="why is required"):
        actions.correct_fields(ws, item.id, ALICE, {"buyer_name": "ACME AG"}, "")
    assert ws.store.get(item.id) == item


def test_suggestions_labels_order_and_amounts(ws):
    item = totals_item(ws)
    document = item.payload["document"]
    rows = {r.name: r for r in fieldview.rows(document, {})}
    assert (
        rows["grand_total"].suggestion == f"{Decimal(right_total(item)):.2f}" and rows["grand_total"].how == "net + tax"
    )
    assert fieldview.suggest({"net_total": {"value": "10"}, "tax_total": {"value": "1.9"}, "grand_total": {"value": "11.90"}},
                             "grand_total") == ("", "")  # fmt: skip
    assert fieldview.suggest({"grand_total": {"value": "119"}, "tax_total": {"value": "19"}}, "net_total") == (
        "100.00",
        "total − net".replace("net", "tax"),
    )
    names = [r.name for r in fieldview.rows(document, {})]
    assert (
        names.index("invoice_number")
        < names.index("issue_date")
        < names.index("net_total")
        < names.index("grand_total")
    )
    assert fieldview.label("seller_vat_id") == "Seller VAT ID" and fieldview.label("iban") == "IBAN"
    assert _amount("1234567.5") == "1,234,567.50" and _amount("n/a") == "n/a" and _amount(None) == ""


def test_the_page_form_posts_several_fields(client, ws):
    csrf = sign_in(client, "alice")
    item = totals_item(ws)
    page = client.get(f"/items/{item.id}").text
    assert 'name="set.grand_total"' in page and "net + tax" in page and "Grand total" in page
    answer = client.post(f"/items/{item.id}/correct", data={"csrf": csrf, "set.grand_total": right_total(item),
                                                             "set.buyer_name": "ACME AG", "set.iban": "", "why": "paper"})  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == f"/items/{item.id}?done=correct"
    assert [c["field"] for c in ws.store.get(item.id).payload["corrections"]] == ["grand_total", "buyer_name"]


def test_an_amount_due_computed_from_the_grand_total_follows_its_correction(ws):
    item = totals_item(ws)
    fields = item.payload["document"]["fields"]
    assert (
        fields["amount_due"]["method"] == "computed" and fields["amount_due"]["value"] == fields["grand_total"]["value"]
    )
    after = actions.correct_fields(ws, item.id, ALICE, {"grand_total": right_total(item)}, "paper original")
    fields = after.payload["document"]["fields"]
    assert fields["amount_due"]["value"] == right_total(item) == fields["grand_total"]["value"]
    assert fields["amount_due"]["method"] == "computed" and fields["amount_due"]["confidence"] <= 0.85
    assert [c["field"] for c in after.payload["corrections"]] == ["grand_total"]  # no one's correction but hers


def test_a_corrected_amount_due_no_longer_follows_the_grand_total(ws):
    item = totals_item(ws)
    actions.correct_fields(ws, item.id, ALICE, {"amount_due": "10.00"}, "paid in part")
    after = actions.correct_fields(ws, item.id, ALICE, {"grand_total": right_total(item)}, "paper original")
    assert after.payload["document"]["fields"]["amount_due"]["value"] == "10.00"
