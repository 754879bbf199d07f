from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from backoffice.connectors.mapping import DocumentMapping, FieldSpec, Mapping, dig, nest
from backoffice.documents.models import INVOICE_FIELDS, Field
from backoffice.errors import BusinessError
from tests.fakes import invoice


def test_fields_keep_their_own_type_unless_told():
    mapping = Mapping(
        {"total": "grand_total", "issued": "issue_date", "seller": "seller_name",
         "total_text": {"field": "grand_total", "type": "string"}, "id": "$item_id", "flag": {"value": True}},
        INVOICE_FIELDS,
    )  # fmt: skip
    document = invoice()
    assert mapping.values(document.fields, {"$item_id": 7}) == {
        "total": Decimal("119.00"), "issued": date(2026, 1, 10), "seller": "Acme GmbH", "total_text": "119.00",
        "id": 7, "flag": True,
    }  # fmt: skip


def test_required_defaults_and_bad_values_name_the_field():
    fields = {"grand_total": Field("12,5x"), "quantity": Field("2.5")}
    with pytest.raises(BusinessError, match="invoice_number is missing") as caught:
        Mapping({"n": {"field": "invoice_number", "required": True}}, INVOICE_FIELDS).values(fields, {})
    assert caught.value.field == "invoice_number"
    assert Mapping({"n": {"field": "invoice_number", "default": "none"}}, INVOICE_FIELDS).values(fields, {}) == {"n": "none"}
    with pytest.raises(BusinessError, match="grand_total: '12,5x' is not a valid number"):
        Mapping({"t": "grand_total"}, INVOICE_FIELDS).values(fields, {})
    with pytest.raises(BusinessError, match="not a valid integer"):
        Mapping({"q": {"field": "quantity", "type": "integer"}}, {}).values(fields, {})


def test_a_spec_names_a_field_or_a_value_and_only_known_specials():
    with pytest.raises(ValidationError, match="either field or value"):
        FieldSpec(field="a", value="b")
    with pytest.raises(ValidationError, match="unknown \\$nope"):
        FieldSpec(field="$nope")


def test_default_mapping_covers_every_field_and_line_numbers():
    document = invoice()
    document.lines = [{"description": Field("a")}, {"description": Field("b"), "amount": Field("3.10")}]
    mapping = DocumentMapping(None, None, typed=False, fixed={"item_id": "$item_id"}, line_fixed={"no": "$line_no"})
    row = mapping.row(document, {"$item_id": 1})
    assert list(row)[:2] == ["item_id", "invoice_number"] and set(INVOICE_FIELDS) <= set(row)
    assert row["grand_total"] == "119.00" and row["iban"] is None
    lines = mapping.line_rows(document, {})
    assert [(ln["no"], ln["description"], ln["amount"]) for ln in lines] == [(1, "a", None), (2, "b", "3.10")]


def test_nest_and_dig():
    assert nest({"a.b": 1, "a.c": 2, "d": 3}) == {"a": {"b": 1, "c": 2}, "d": 3}
    data = {"data": {"items": [{"id": 5}]}}
    assert dig(data, "data.items.0.id") == 5
    assert dig(data, "data.items.3.id") is None and dig(data, "data.id.x") is None
