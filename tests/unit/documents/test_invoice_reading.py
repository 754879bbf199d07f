"""How the invoice reader finds values: beside or below labels, by arithmetic, by prominence."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backoffice.documents.extract import extract
from backoffice.documents.invoice import Reader, read_invoice
from backoffice.documents.pdf import PdfText, Word, read_words


def _values(document) -> dict[str, str]:
    return {name: found.value for name, found in document.fields.items()}


def test_values_right_of_their_labels(make_pdf):
    path = make_pdf([
        (20, 20, "Invoice Number:"), (80, 20, "A-1001"),
        (20, 26, "Invoice Date:"), (80, 26, "5 Mar 2024"),
        (20, 32, "Due Date:"), (80, 32, "2024-04-04"),
    ])
    assert _values(extract(path)) == {"invoice_number": "A-1001", "issue_date": "2024-03-05", "due_date": "2024-04-04"}


def test_values_below_their_labels(make_pdf):
    path = make_pdf([
        (20, 20, "Invoice No.", 8, "B"), (70, 20, "Invoice Date", 8, "B"), (120, 20, "Due Date", 8, "B"),
        (20, 25, "7788"), (70, 25, "March 5, 2024"), (120, 25, "April 4, 2024"),
        (20, 40, "Bill To:", 8, "B"), (20, 45, "Larkspur Logistics Inc."),
    ])
    document = extract(path)
    assert _values(document) == {
        "invoice_number": "7788", "issue_date": "2024-03-05", "due_date": "2024-04-04",
        "buyer_name": "Larkspur Logistics Inc.",
    }
    assert document.fields["issue_date"].bbox[1] > 25 * 72 / 25.4 - 1  # the value's box, not the label's


def test_german_labels_and_amounts(make_pdf):
    path = make_pdf([
        (20, 20, "Rechnungsnr."), (70, 20, "RE-2024-17"),
        (20, 26, "Rechnungsdatum:"), (70, 26, "05.03.2024"),
        (20, 32, "Zahlbar bis:"), (70, 32, "19.03.2024"),
        (100, 60, "Nettobetrag"), (160, 60, "1.000,00 EUR"),
        (100, 66, "MwSt. 19 %"), (160, 66, "190,00 EUR"),
        (100, 72, "Gesamtbetrag"), (160, 72, "1.190,00 EUR"),
    ])
    document = extract(path)
    assert _values(document) == {
        "invoice_number": "RE-2024-17", "issue_date": "2024-03-05", "due_date": "2024-03-19",
        "net_total": "1000.00", "tax_total": "190.00", "grand_total": "1190.00", "currency": "EUR",
        "amount_due": "1190.00",  # no "zu zahlen" printed: the grand total (computed)
    }
    assert document.fields["grand_total"].confidence > 0.9
    assert document.warnings == []


def test_arithmetic_chooses_between_two_totals(make_pdf):
    path = make_pdf([
        (100, 60, "Subtotal"), (160, 60, "100.00"),
        (100, 66, "VAT 20%"), (160, 66, "20.00"),
        (100, 72, "Total"), (160, 72, "120.00"),
        (100, 90, "Total"), (160, 90, "150.00"),  # later on the page, but does not add up
    ])
    assert extract(path).fields["grand_total"].value == "120.00"


def test_two_tax_rates_add_up_to_the_tax_total(make_pdf):
    path = make_pdf([
        (100, 60, "Nettobetrag"), (160, 60, "200,00"),
        (100, 66, "MwSt. 7 %"), (160, 66, "7,00"),
        (100, 72, "MwSt. 19 %"), (160, 72, "19,00"),
        (100, 78, "Gesamtbetrag"), (160, 78, "226,00"),
    ])
    tax = extract(path).fields["tax_total"]
    assert (tax.value, tax.method) == ("26.00", "computed")


def test_a_totals_table_with_a_column_per_tax_rate_adds_them_up(make_pdf):
    path = make_pdf([
        (20, 60, "Imponibile"), (60, 60, "IVA 22%"), (100, 60, "IVA 10%"), (140, 60, "Totale fattura"),
        (20, 66, "1.000,00"), (60, 66, "110,00"), (100, 66, "50,00"), (140, 66, "1.160,00"),
    ])
    fields = extract(path).fields
    assert [fields[n].value for n in ("net_total", "tax_total", "grand_total")] == ["1000.00", "160.00", "1160.00"]


def test_an_amount_due_is_read_under_its_own_heading_in_a_totals_table(make_pdf):
    path = make_pdf([
        (20, 60, "Subtotal"), (50, 60, "VAT 20%"), (80, 60, "Total"), (110, 60, "Paid"), (135, 60, "Balance due"),
        (20, 66, "100.00"), (50, 66, "20.00"), (80, 66, "120.00"), (112, 66, "-20.00 100.00"),  # two cells as one phrase
    ])
    reader = Reader(read_words(path))
    found: dict[str, list] = {name: [] for name in ("net_total", "tax_total", "grand_total", "amount_due")}
    reader.column_total_candidates(found)
    assert [(c.value, c.method) for c in found["amount_due"]] == [("100.00", "table")]


_TOTALS_ONLY = [
    (20, 20, "Invoice No."), (70, 20, "INV-7"),
    (20, 26, "Terms:"), (70, 26, "Due on receipt"),  # a term, not a receipt
    (20, 32, "Please pay by direct deposit"),  # a way to pay, not a deposit paid
    (100, 60, "Subtotal"), (160, 60, "100.00"),
    (100, 66, "VAT 20%"), (160, 66, "20.00"),
    (100, 72, "Total"), (160, 72, "120.00"),
]


def test_an_invoice_that_prints_no_amount_due_asks_for_its_grand_total(make_pdf):
    fields = extract(make_pdf(_TOTALS_ONLY)).fields
    due = fields["amount_due"]
    assert (due.value, due.method, due.bbox) == ("120.00", "computed", fields["grand_total"].bbox)
    assert due.confidence <= 0.85  # never sure: the page does not say it


@pytest.mark.parametrize("paid", ["Deposit paid", "Anzahlung", "Acompte", "PAID", "Betaald"])
def test_no_amount_due_is_computed_where_the_page_says_something_was_paid(make_pdf, paid):
    fields = extract(make_pdf([*_TOTALS_ONLY, (20, 90, paid, 12, "B")])).fields
    assert fields["grand_total"].value == "120.00"
    assert "amount_due" not in fields


def test_a_printed_amount_due_is_not_replaced_by_the_grand_total(make_pdf):
    fields = extract(make_pdf([*_TOTALS_ONLY, (100, 78, "Balance due"), (160, 78, "70.00")])).fields
    assert (fields["amount_due"].value, fields["amount_due"].method) == ("70.00", "label")


def test_totals_that_do_not_add_up_are_kept_as_printed_with_a_warning(make_pdf):
    path = make_pdf([
        (100, 60, "Total HT"), (160, 60, "100,00"),
        (100, 66, "TVA 20 %"), (160, 66, "20,00"),
        (100, 72, "Total TTC"), (160, 72, "121,00"),
    ])
    document = extract(path)
    assert [document.fields[n].value for n in ("net_total", "tax_total", "grand_total")] == ["100.00", "20.00", "121.00"]
    assert document.warnings == ["totals do not add up: net 100.00 + tax 20.00 = 120.00, but the total says 121.00"]
    assert document.fields["grand_total"].confidence <= 0.5


def test_a_customer_number_is_not_an_invoice_number(make_pdf):
    path = make_pdf([(20, 20, "Customer No.:"), (70, 20, "12345"), (20, 26, "Kundennummer:"), (70, 26, "K-778")])
    assert "invoice_number" not in extract(path).fields


def test_the_seller_is_the_letterhead(make_pdf):
    path = make_pdf([
        (20, 15, "Harbour & Finch LLP", 16, "B"), (150, 15, "INVOICE", 20, "B"),
        (20, 24, "4 Canal Wharf, Reading", 8),
        (20, 40, "Bill To:", 8, "B"), (20, 45, "Greenway Architects Ltd"),
    ])
    fields = extract(path).fields
    assert fields["seller_name"].value == "Harbour & Finch LLP"
    assert fields["buyer_name"].value == "Greenway Architects Ltd"
    # a guess from the page's look, not a label; its confidence is what such guesses measured (ranker)
    assert fields["seller_name"].method == "pattern" and fields["buyer_name"].method == "label"


def test_a_labelled_seller_wins_over_the_letterhead(make_pdf):
    path = make_pdf([(20, 15, "ACME PORTAL EXPORT", 18, "B"), (20, 30, "Supplier:"), (60, 30, "Kestrel Facilities plc")])
    assert extract(path).fields["seller_name"].value == "Kestrel Facilities plc"


def test_credit_notes_are_recognised(make_pdf):
    for title in ("Credit Note", "Gutschrift", "Invoice"):
        path = make_pdf([(20, 15, title, 18, "B"), (20, 30, "Number:"), (60, 30, "CN-5")], name=f"{title}.pdf")
        assert extract(path).kind == ("invoice" if title == "Invoice" else "credit_note"), title


def test_line_items_with_a_continued_description(make_pdf):
    path = make_pdf([
        (20, 50, "Description", 9, "B"), (110, 50, "Qty", 9, "B"), (130, 50, "Unit Price", 9, "B"),
        (170, 50, "Amount", 9, "B"),
        (20, 57, "Website maintenance"), (112, 57, "2"), (133, 57, "150.00"), (171, 57, "300.00"),
        (20, 62, "March and April"),
        (20, 68, "Toner cartridge"), (112, 68, "3"), (135, 68, "45.50"), (171, 68, "136.50"),
        (120, 80, "Subtotal"), (171, 80, "436.50"),
    ])
    document = extract(path)
    assert document.line_values() == [
        {"description": "Website maintenance March and April", "quantity": 2, "unit_price": 150, "amount": 300},
        {"description": "Toner cartridge", "quantity": 3, "unit_price": 45.5, "amount": 136.5},
    ]
    assert document.fields["net_total"].value == "436.50"


_VOCABULARY = [
    "Invoice", "No.:", "Date:", "Total", "Subtotal", "VAT", "20%", "Bill", "To:", "Rechnung", "Nr.", "MwSt.",
    "Gesamtbetrag", "Description", "Qty", "Unit", "Price", "Amount", "€", "$", "EUR", "1.234,56", "1,234.56",
    "12", "0.00", "05.03.2024", "March", "5,", "2024", "Acme", "GmbH", "·", "-", ":", "IBAN", "DE89", "3704",
    "Gutschrift", "Name:", "Verkäufer", "#", "(380)", "vom", "Total HT", "TTC",
]


@settings(max_examples=150, deadline=None)
@given(st.lists(
    st.tuples(st.sampled_from(_VOCABULARY), st.integers(0, 60), st.integers(0, 40), st.sampled_from([7.0, 9.0, 14.0])),
    max_size=80,
))
def test_any_arrangement_of_words_reads_without_failing(words):
    page = [
        Word(text, x0=20 + column * 9.0, top=30 + row * 12.0, x1=20 + column * 9.0 + len(text) * size * 0.5,
             bottom=30 + row * 12.0 + size, page=1, size=size)
        for text, column, row, size in words
    ]
    document = read_invoice(PdfText(source="random.pdf", page_count=1, pages=[page], sizes=[(595.0, 842.0)]))
    assert document.kind in {"invoice", "credit_note"}
    for name, found in document.fields.items():
        assert found.value and found.page == 1 and found.bbox is not None, name
    for line in document.lines:
        assert "amount" in line
