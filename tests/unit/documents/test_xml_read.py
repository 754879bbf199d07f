"""XML e-invoices, e-orders and time cards: parsed safely, read into the right kind and fields."""

from __future__ import annotations

from pathlib import Path

import pytest

from backoffice.documents import extract
from backoffice.documents.xml import read_xml
from backoffice.documents.xml.safe import parse
from backoffice.errors import DocumentError

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="no shared corpus")

UBL_CREDIT_NOTE = b"""<?xml version="1.0"?>
<CreditNote xmlns="urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2">
 <cbc:ID>CN-7</cbc:ID><cbc:IssueDate>2024-02-03</cbc:IssueDate><cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
 <cac:AccountingSupplierParty><cac:Party><cac:PartyName><cbc:Name>Seller SA</cbc:Name></cac:PartyName></cac:Party></cac:AccountingSupplierParty>
 <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">-1.90</cbc:TaxAmount></cac:TaxTotal>
 <cac:LegalMonetaryTotal><cbc:TaxExclusiveAmount currencyID="EUR">-10.00</cbc:TaxExclusiveAmount>
 <cbc:TaxInclusiveAmount currencyID="EUR">-11.90</cbc:TaxInclusiveAmount></cac:LegalMonetaryTotal>
 <cac:CreditNoteLine><cbc:ID>1</cbc:ID><cbc:CreditedQuantity unitCode="C62">2</cbc:CreditedQuantity>
 <cbc:LineExtensionAmount currencyID="EUR">-10.00</cbc:LineExtensionAmount><cac:Item><cbc:Name>Returned cable</cbc:Name></cac:Item>
 </cac:CreditNoteLine>
</CreditNote>"""


def test_an_external_entity_is_refused_not_fetched(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    data = f"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file://{secret}">]><Invoice>&e;</Invoice>""".encode()
    with pytest.raises(DocumentError) as caught:
        parse(data, "evil.xml")
    assert caught.value.code == "xml-entities" and "evil.xml" in str(caught.value)


def test_entity_expansion_is_refused():
    bomb = b"""<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><r>&b;</r>"""
    with pytest.raises(DocumentError, match="entities"):
        parse(bomb, "bomb.xml")


def test_broken_xml_names_the_file():
    with pytest.raises(DocumentError) as caught:
        parse(b"<Invoice><ID>1</Invoice>", "broken.xml")
    assert caught.value.code == "xml-corrupt" and str(caught.value).startswith("broken.xml:")


def test_a_ubl_credit_note_is_a_credit_note_with_negative_totals():
    document = read_xml(UBL_CREDIT_NOTE, "cn.xml")
    assert document.kind == "credit_note"
    values = {k: f.value for k, f in document.fields.items()}
    assert values == {"invoice_number": "CN-7", "issue_date": "2024-02-03", "seller_name": "Seller SA",
                      "currency": "EUR", "net_total": "-10.00", "grand_total": "-11.90", "tax_total": "-1.90",
                      "document_type": "credit_note"}
    assert {k: f.value for k, f in document.lines[0].items()} == {
        "description": "Returned cable", "quantity": "2", "unit": "C62", "amount": "-10.00"}
    assert all(f.method == "xml" and f.confidence == 1.0 for f in document.fields.values())


@needs_corpus
@pytest.mark.parametrize(("name", "kind", "number"), [
    ("akretion-factur-x/tests/fixtures/xml/factur-x-en16931.xml", "invoice", "F20260023"),
    ("akretion-factur-x/tests/fixtures/xml/zugferd-comfort.xml", "invoice", "471102"),
    ("akretion-factur-x/tests/fixtures/xml/ubl-21-en16931.xml", "invoice", "F124212"),
    ("horstoeko-zugferd/tests/assets/xml_xrechnung_1.xml", "invoice", "471102"),
    ("akretion-factur-x/tests/fixtures/xml/order-x-basic.xml", "order", "PO123456789"),
])
def test_bare_e_invoice_and_order_files_are_read_by_content(name, kind, number):
    document = extract(CORPUS / name, kind="auto")
    assert document.kind == kind and document.method == "xml"
    assert document.fields["invoice_number" if kind == "invoice" else "order_number"].value == number
    assert document.lines


@needs_corpus
def test_a_ubl_order_and_a_setu_time_card():
    order = extract(next(CORPUS.rglob("ordering-3.0/Order_Example.xml")), kind="order")
    assert (order.fields["order_number"].value, order.fields["currency"].value, order.fields["total"].value) == (
        "34", "NOK", "6372.50")
    card = extract(next(CORPUS.rglob("TimecardExample_v1.4.xml")), kind="timesheet")
    assert card.fields["employee_name"].value == "Piet van der Berg"
    assert card.fields["approver"].value == "Jan Pietersen"
    assert [(e["date"].value, e["hours"].value, e["type"].value) for e in card.lines][:2] == [
        ("2017-08-07", "8", "regular"), ("2017-08-07", "2", "overtime")]
    assert card.fields["total_hours"].value == "34" and card.fields["total_hours"].method == "computed"


@needs_corpus
def test_the_embedded_invoice_wins_unless_ignored():
    path = CORPUS / "akretion-factur-x/tests/fixtures/pdf/invoice_EN16931.pdf"
    embedded = extract(path)
    assert embedded.method == "embedded-xml" and embedded.fields["grand_total"].confidence == 1.0
    printed = next(f for f in embedded.fields.values() if f.page is not None)
    assert printed.bbox is not None  # the XML value is also found on the page
    visual = extract(path, ignore_embedded=True)
    assert visual.method == "text-layer" and all(f.method != "embedded-xml" for f in visual.fields.values())


def test_asking_for_another_kind_is_a_clear_error(tmp_path):
    path = tmp_path / "cn.xml"
    path.write_bytes(UBL_CREDIT_NOTE)
    with pytest.raises(DocumentError) as caught:
        extract(path, kind="timesheet")
    assert caught.value.code == "wrong-kind" and "credit note" in str(caught.value)
    assert extract(path, kind="invoice").kind == "credit_note"
