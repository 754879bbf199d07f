"""The further fields a back office posts: buyer VAT id, payment terms, bank details, addresses,
service period, discount, previous balance, tax lines with their base, per-line extras, credit
notes."""

from __future__ import annotations

from pathlib import Path

import pytest

from backoffice.documents import extract
from backoffice.documents.invoice import read_invoice
from backoffice.documents.textgrid import text_to_words

INVOICE = """\
Nordwind Handel GmbH
Hafenstraße 5
20457 Hamburg
USt-IdNr.: DE136695976

Rechnung an:
Brightline Systems B.V.
Keizersgracht 100
1015 AA Amsterdam
USt-IdNr. des Kunden: NL004271920B01

Lieferadresse:
Lager Süd
Industrieweg 8
3542 AD Utrecht

Rechnungsnummer: RE-2024-117
Rechnungsdatum: 03.05.2024
Leistungszeitraum: 01.04.2024 - 30.04.2024
Zahlungsbedingungen: 14 Tage netto

Art.-Nr.   Beschreibung            Menge  Einheit  Einzelpreis  MwSt.  Betrag
A-100      Beratung                 2      Std     100,00       19%    200,00
B-220      Lizenz                   1      Stk     800,00       19%    800,00

Nettobetrag:          1.000,00 EUR
Rabatt:                  50,00 EUR
MwSt. 19% auf 950,00:   180,50 EUR
Gesamtbetrag:         1.130,50 EUR

IBAN: DE89 3704 0044 0532 0130 00
BIC: COBADEFFXXX
Kontonummer: 532013000
"""


def _fields(text: str) -> dict[str, str]:
    document = read_invoice(text_to_words(text, "made.txt"))
    return {name: found.value for name, found in document.fields.items()}


def test_party_details_bank_and_terms():
    fields = _fields(INVOICE)
    assert fields["buyer_vat_id"] == "NL004271920B01"
    assert fields["seller_address"] == "Hafenstraße 5, 20457 Hamburg"
    assert fields["buyer_address"] == "Keizersgracht 100, 1015 AA Amsterdam"
    assert fields["shipping_address"] == "Lager Süd Industrieweg 8 3542 AD Utrecht"
    assert fields["payment_terms"] == "14 Tage netto"
    assert fields["bic"] == "COBADEFFXXX"
    assert fields["bank_account"] == "532013000"
    assert (fields["service_start"], fields["service_end"]) == ("2024-04-01", "2024-04-30")
    assert fields["discount_total"] == "50.00"


def test_every_further_field_has_provenance():
    document = read_invoice(text_to_words(INVOICE, "made.txt"))
    for name in ("buyer_vat_id", "bic", "bank_account", "payment_terms", "service_start", "discount_total"):
        found = document.fields[name]
        assert found.page == 1 and found.bbox is not None and found.text and 0 < found.confidence < 1, name


def test_line_items_carry_code_unit_and_tax_rate():
    document = read_invoice(text_to_words(INVOICE, "made.txt"))
    assert [line["amount"].value for line in document.lines] == ["200.00", "800.00"]
    first = {name: found.value for name, found in document.lines[0].items()}
    assert (first.get("product_code"), first.get("unit"), first.get("tax_rate")) == ("A-100", "Std", "19")


def test_a_tax_line_gets_its_base():
    text = "INVOICE\nInvoice No: 77\nSubtotal: 100.00\nVAT 20% on 100.00:   20.00\nTotal: 120.00\n"
    document = read_invoice(text_to_words(text, "made.txt"))
    assert [{k: f.value for k, f in t.items()} for t in document.tax_lines] == [
        {"rate": "20", "amount": "20.00", "base": "100.00"}
    ]


def test_a_previous_balance_and_a_bic_that_is_no_word():
    text = (
        "ELECTRICITY BILL\nAccount: 55-123\nPrevious balance:   $ 80.00\nAmount due:   $ 75.20\n"
        "IBAN: FR14 2004 1010 0505 0001 3M02 606\nVIREMENT SEPA\n"
    )
    fields = _fields(text)
    assert fields["previous_balance"] == "80.00"
    assert "bic" not in fields  # VIREMENT has the shape of a BIC, but not the IBAN's country


def test_a_line_date_and_an_unlabelled_period():
    text = (
        "INVOICE\nInvoice No: 9\n\nDate        Description   Qty  Price   Amount\n"
        "2024-04-02  Support call    1  50.00    50.00\n2024-04-09  Support call    2  50.00   100.00\n"
        "\nTotal:  150.00\n"
    )
    document = read_invoice(text_to_words(text, "made.txt"))
    assert [line["date"].value for line in document.lines] == ["2024-04-02", "2024-04-09"]


def test_a_credit_note_says_so_and_its_amounts_share_one_sign():
    text = (
        "CREDIT NOTE\nCredit note No: CN-5\nDate: 2024-05-03\n\nDescription   Qty  Price   Amount\n"
        "Returned item   1  50.00    50.00\n\nSubtotal:  -50.00\nVAT 20%:  -10.00\nTotal:  -60.00\n"
    )
    document = read_invoice(text_to_words(text, "made.txt"))
    assert document.kind == "credit_note"
    assert document.fields["document_type"].value == "credit_note"
    assert document.fields["document_type"].text == "CREDIT NOTE"
    assert document.fields["grand_total"].value == "-60.00"
    assert [line["amount"].value for line in document.lines] == ["-50.00"]


def test_a_credit_note_printed_positive_credits_its_amounts():
    text = (
        "CREDIT NOTE\nCredit note No: CN-6\nDate: 2024-05-03\n\nDescription   Qty  Price   Amount\n"
        "Returned item   1  50.00    50.00\n\nSubtotal:  50.00\nVAT 20%:  10.00\nTotal:  60.00\n"
    )
    document = read_invoice(text_to_words(text, "made.txt"))
    fields = {name: found.value for name, found in document.fields.items()}
    assert (fields["net_total"], fields["tax_total"], fields["grand_total"]) == ("-50.00", "-10.00", "-60.00")
    assert fields["amount_due"] == "-60.00"
    assert [line["amount"].value for line in document.lines] == ["-50.00"]


def test_a_credit_notes_lines_of_both_signs_keep_them_and_a_self_billed_gutschrift_its_signs():
    correction = (
        "CREDIT NOTE\nCredit note No: CN-7\nDate: 2024-05-03\n\nDescription   Qty  Price   Amount\n"
        "Returned item   1  80.00    -80.00\nRestocking fee   1  30.00    30.00\n\nTotal:  -50.00\n"
    )
    document = read_invoice(text_to_words(correction, "made.txt"))
    assert document.fields["grand_total"].value == "-50.00"
    assert [line["amount"].value for line in document.lines] == ["-80.00", "30.00"]
    self_billed = (
        "GUTSCHRIFT\nGutschrift Nr. G-12\nDatum: 03.05.2024\n\nAbrechnung im Gutschriftsverfahren\n\n"
        "Netto:  100,00\nUSt 19%:  19,00\nGesamt:  119,00\n"
    )
    document = read_invoice(text_to_words(self_billed, "made.txt"))
    assert document.kind == "credit_note"
    assert document.fields["grand_total"].value == "119.00"


CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus" / "real-invoices"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason="no shared corpus")


def _corpus_fields(name: str) -> dict[str, str]:
    path = next(CORPUS.rglob(name))
    return {key: found.value for key, found in extract(path, ignore_embedded=True).fields.items()}


@needs_corpus
def test_a_real_dutch_invoice_gives_terms_bank_and_the_buyers_vat_id():
    fields = _corpus_fields("issue-1062-filters.pdf")  # SAP invoice of Lenze B.V.
    assert fields["payment_terms"] == "30 dagen netto na rek.datum"
    assert fields["bic"] == "DEUTNL2A"
    assert fields["buyer_vat_id"] == "NL001901308B01" != fields["seller_vat_id"]


@needs_corpus
def test_a_real_french_invoice_gives_the_bic_and_the_delivery_place():
    fields = _corpus_fields("Issue557.pdf")  # Sage 1000 invoice, reverse charge: the buyer's VAT id is printed
    assert fields["bic"] == "BNPAFRPPCRO"
    assert fields["buyer_vat_id"] == "FR77496680018"
    assert "22330 LE MENE" in fields["shipping_address"]


@needs_corpus
def test_a_real_polish_invoice_gives_addresses_and_the_tax_base():
    path = next(CORPUS.rglob("issue-625-identity-cmap.pdf"))  # wFirma.pl
    document = extract(path, ignore_embedded=True)
    assert document.fields["seller_address"].value == "Kacza 11/2, 91-504 Łódź"
    assert document.fields["buyer_address"].value == "ul. Żwirki i Wigury 16, 02-092 Warszawa"
    assert [{k: f.value for k, f in t.items()} for t in document.tax_lines] == [
        {"rate": "23", "base": "121.00", "amount": "27.83"}
    ]


def test_a_period_printed_as_a_range_without_a_label():
    text = "INVOICE\nInvoice No: 12\nDec 21, 2016 - Jan 23, 2017\nTotal:  10.00\n"
    fields = _fields(text)
    assert (fields["service_start"], fields["service_end"]) == ("2016-12-21", "2017-01-23")
    assert "service_start" not in _fields("INVOICE\nInvoice No: 12\n03.05.2024\nTotal:  10.00\n")


def test_a_label_and_value_line_is_no_address():
    text = "Nordwind Handel GmbH\nInvoice number: 2024/117\n\nINVOICE\nTotal:  10.00\n"
    document = read_invoice(text_to_words(text, "made.txt"))
    assert "seller_address" not in document.fields


@pytest.mark.parametrize(("label", "amount"), [("Tidigare saldo", "246.09"), ("Saldo poprzednie", "246.09")])
def test_a_previous_balance_in_further_wordings(label, amount):
    fields = _fields(f"FAKTURA\nFakturanr: 24345\n{label}:   246,09 SEK\nAtt betala:   65 630,88 SEK\n")
    assert fields["previous_balance"] == amount


def test_a_discount_printed_as_an_item_row_is_its_amount_not_its_count():
    text = "INVOICE\nInvoice Number: 1\n\nDescription      Quantity    Subtotal\nNike Air Max     1           53 EUR\n"
    text += "Discount         1           -10 EUR\n\nTotal without VAT     43 EUR\nVAT Paid     8.6 EUR\n"
    text += "Total paid with VAT   51.6 EUR\n"
    fields = _fields(text)
    assert fields["discount_total"] == "10.00"
    assert [fields[n] for n in ("net_total", "tax_total", "grand_total")] == ["43.00", "8.60", "51.60"]
