"""What a document is, and where one invoice ends and the next begins in a batch PDF."""

from __future__ import annotations

import pypdfium2 as pdfium

from backoffice.demo.invoices import generate, generate_golden
from backoffice.documents import extract, extract_all
from backoffice.documents.kind import detect_kind
from backoffice.documents.layout import lines_of
from backoffice.documents.textgrid import text_to_words


def _kind(text: str) -> str:
    return detect_kind(lines_of(text_to_words(text, "t").pages[0]))


def test_kinds_from_titles_and_hints():
    assert _kind("ACME GmbH\nRechnung\nRechnungsnummer: 5\nFällig am 01.02.2024") == "invoice"
    assert _kind("ACME GmbH\nGutschrift\nzur Rechnung 5\nBetrag -10,00") == "credit_note"
    assert _kind("Timesheet\nEmployee: Ann\nDate  Project  Hours\n") == "timesheet"
    assert _kind("PURCHASE ORDER\nOrder number: 7\nDeliver to: Dock 4") == "order"
    assert _kind("Dear Sir,\nthank you for your letter.") == "unknown"


def test_invoices_in_further_languages_and_titles_that_carry_their_number():
    assert (
        _kind("Iberia a.s.\nFaktura - daňový doklad\nConsulting hours  2  298,84\nTraining hours  1  9,00") == "invoice"
    )
    assert _kind("Fattura\nNumero: 12\nTotale 10,00") == "invoice"
    # the title with its number and date, and the buyer's order only referred to
    assert _kind("Helios S.L.\nFactura nº INV-2024-81513 de fecha 04-08-2024\nSu pedido  728230/24") == "invoice"


def test_item_lines_that_say_hours_do_not_make_an_invoice_a_timesheet():
    items = "\n".join(f"Consulting hours  {n}  EUR 1 205,42  EUR {n} 205,42" for n in range(1, 5))
    assert (
        _kind(f"Polaris Lda.\nFatura n.º FA-24-19524 de 2024-05-04\n{items}\nIBAN PT33 4000\nTotal a pagar")
        == "invoice"
    )


def test_a_wrapped_thank_you_for_the_order_is_no_title():
    """A short page whose closing sentence wraps so that "Auftrag!" stands alone in the upper half."""
    page = "Lac Léman Services SA\nKunde:\nRechnungs-Nr.: F20211775\nFällig am: 15. Juli 2021\n"
    assert _kind(page + "Vielen Dank für Ihren\nAuftrag!") == "invoice"
    assert _kind("Auftrag\nAuftragsnummer 4711\nLiefertermin 03.05.2024") == "order"


def test_a_unit_of_quantity_in_an_items_row_is_no_title():
    """A print shop bills per job ("1 Auftrag"): the rows' units are no order's title."""
    items = "10  Jahresbericht 2024, A4    1 Auftrag   4'860.00\n40  Flyer A5, 2'000 Ex.    1 Auftrag   642.00\n"
    page = f"Alpenblick Druck AG\nRechnung Nr. 2025-0417\nIhre Bestellung  SB-2025-014\n{items}Rechnungstotal  CHF 5'502.00"
    assert _kind(page) == "invoice"


def test_credit_notes_in_further_languages():
    for title in ("Kreditnota", "Hyvityslasku", "Nota di credito", "Faktura korygująca", "Dobropis"):
        assert _kind(f"Vltava AB\n{title}\nFakturanr: 16/2021\nSumma SEK -95 424,23") == "credit_note", title


def _merge(paths, target):
    merged = pdfium.PdfDocument.new()
    for path in paths:
        source = pdfium.PdfDocument(path)
        merged.import_pages(source)
        source.close()
    merged.save(target)
    merged.close()
    return target


def test_a_batch_pdf_splits_into_its_invoices(tmp_path):
    singles = [g for g in generate(tmp_path / "in", count=3, seed=5) if not g.mistake] or generate(tmp_path / "b", 2, 8)
    long = generate_golden(tmp_path / "long", layouts=("classic-en",), line_counts=(40,))[0]
    batch = _merge([singles[0].path, long.path, *(g.path for g in singles[1:])], tmp_path / "batch.pdf")
    documents = extract_all(batch, kind="invoice")
    numbers = [d.fields["invoice_number"].value for d in documents if "invoice_number" in d.fields]
    assert numbers == [g.expected.get("invoice_number") for g in [singles[0], long, *singles[1:]]]
    assert documents[1].fields["grand_total"].value == long.expected["grand_total"]  # the 2-page one stays whole
    first = extract(batch, kind="invoice")
    assert first.fields["invoice_number"].value == numbers[0]
    assert any("invoices" in w for w in first.warnings)


def test_a_title_beside_the_sellers_name_outweighs_labels_that_name_an_order():
    """ "CREDIT NOTE" on the seller's line, "Order No." and "Invoice Address" among its details:
    a credit note; "Order No." and "Invoice Ref." are labels, no titles."""
    page = (
        "Pennine Office Supplies Ltd                         CREDIT NOTE\n"
        "Unit 12, Calder Valley                  Credit No.     CR0318\n"
        "Elland Road                             Invoice Ref.   SI-4820\n"
        "                                        Order No.      BH-PO-7715\n\n"
        " Invoice Address                        Delivery Address\n"
        " Bramwell & Hoyle LLP                   Bramwell & Hoyle LLP\n"
    )
    assert _kind(page) == "credit_note"
