"""Labels in the thirteen languages: a small invoice written in each is read whole, and a date
written with the language's month name parses."""

from __future__ import annotations

import pytest

from backoffice.documents.invoice import read_invoice
from backoffice.documents.labels import BY_LANGUAGE, match
from backoffice.documents.locale import infer_locale
from backoffice.documents.textgrid import text_to_words


def _candidates(text) -> dict:
    """Every candidate the reader proposes for each field of ``text`` (a PDF's words)."""
    from backoffice.documents.invoice import Reader, gather
    from backoffice.documents.line_items import read_lines

    reader = Reader(text)
    items, headers = read_lines(reader.lines, reader.decimal_mark)
    return gather(reader, items, headers, every=True)


# language -> (title, invoice number label, issue date label, due date label, net, tax, total, amount due,
#              decimal mark, currency sign, written issue date)
INVOICES: dict[str, tuple[str, ...]] = {
    "en": (
        "INVOICE",
        "Invoice No.",
        "Invoice date",
        "Due date",
        "Subtotal",
        "VAT 20%",
        "Total incl. VAT",
        "Amount due",
        ".",
        "£",
        "3 May 2024",
    ),
    "de": (
        "RECHNUNG",
        "Rechnungsnummer",
        "Rechnungsdatum",
        "Fällig am",
        "Nettobetrag",
        "MwSt. 19%",
        "Gesamtbetrag",
        "Zahlbetrag",
        ",",
        "€",
        "3. Mai 2024",
    ),
    "fr": (
        "FACTURE",
        "Facture n°",
        "Date de facture",
        "Date d'échéance",
        "Total HT",
        "TVA 20%",
        "Total TTC",
        "Net à payer",
        ",",
        "€",
        "3 mai 2024",
    ),
    "nl": (
        "FACTUUR",
        "Factuurnummer",
        "Factuurdatum",
        "Vervaldatum",
        "Subtotaal",
        "BTW 21%",
        "Totaal incl. BTW",
        "Te betalen",
        ",",
        "€",
        "3 mei 2024",
    ),
    "es": (
        "FACTURA",
        "Número de factura",
        "Fecha de factura",
        "Fecha de vencimiento",
        "Base imponible",
        "IVA 21%",
        "Total factura",
        "Total a pagar",
        ",",
        "€",
        "3 de mayo de 2024",
    ),
    "it": (
        "FATTURA",
        "Fattura n.",
        "Data fattura",
        "Scadenza",
        "Imponibile",
        "IVA 22%",
        "Totale documento",
        "Totale da pagare",
        ",",
        "€",
        "3 maggio 2024",
    ),
    "pt": (
        "FATURA",
        "Fatura n.º",
        "Data de emissão",
        "Vencimento",
        "Total sem IVA",
        "IVA 23%",
        "Total da fatura",
        "Valor a pagar",
        ",",
        "€",
        "3 de maio de 2024",
    ),
    "pl": (
        "FAKTURA VAT",
        "Faktura VAT nr",
        "Data wystawienia",
        "Termin płatności",
        "Wartość netto",
        "Kwota VAT",
        "Wartość brutto",
        "Do zapłaty",
        ",",
        "zł",
        "3 maja 2024",
    ),
    "cs": (
        "FAKTURA",
        "Faktura č.",
        "Datum vystavení",
        "Datum splatnosti",
        "Základ daně",
        "DPH 21%",
        "Celkem s DPH",
        "K úhradě",
        ",",
        "Kč",
        "3. května 2024",
    ),
    "sv": (
        "FAKTURA",
        "Fakturanummer",
        "Fakturadatum",
        "Förfallodatum",
        "Summa exkl. moms",
        "Moms 25%",
        "Summa inkl. moms",
        "Att betala",
        ",",
        "kr",
        "3 maj 2024",
    ),
    "da": (
        "FAKTURA",
        "Fakturanummer",
        "Fakturadato",
        "Forfaldsdato",
        "I alt ekskl. moms",
        "Moms 25%",
        "I alt inkl. moms",
        "At betale",
        ",",
        "kr",
        "3. maj 2024",
    ),
    "no": (
        "FAKTURA",
        "Fakturanummer",
        "Fakturadato",
        "Forfallsdato",
        "Sum eksl. mva",
        "MVA 25%",
        "Sum inkl. mva",
        "Å betale",
        ",",
        "kr",
        "3. mai 2024",
    ),
    "fi": (
        "LASKU",
        "Laskun numero",
        "Laskun päivämäärä",
        "Eräpäivä",
        "Veroton summa",
        "ALV 24%",
        "Verollinen summa",
        "Maksettava",
        ",",
        "€",
        "3. toukokuuta 2024",
    ),
}


def _invoice_text(language: str) -> str:
    title, number, issued, due, net, tax, total, payable, mark, sign, written = INVOICES[language]

    def money(value: str) -> str:
        return value.replace(".", mark) + f" {sign}"

    return "\n".join(
        [
            f"{title}",
            "",
            f"{number}: 2024-0117",
            f"{issued}: {written}",
            f"{due}: 02.06.2024",
            "",
            f"{net}:      {money('1000.00')}",
            f"{tax}:      {money('200.00')}",
            f"{total}:      {money('1200.00')}",
            f"{payable}:      {money('1200.00')}",
        ]
    )


@pytest.mark.parametrize("language", sorted(INVOICES))
def test_an_invoice_in_each_language_is_read_whole(language):
    document = read_invoice(text_to_words(_invoice_text(language), f"{language}.txt"))
    values = {name: found.value for name, found in document.fields.items()}
    assert values["invoice_number"] == "2024-0117"
    assert values["issue_date"] == "2024-05-03"
    assert values["due_date"] == "2024-06-02"
    assert (values["net_total"], values["tax_total"], values["grand_total"]) == ("1000.00", "200.00", "1200.00")
    assert values["amount_due"] == "1200.00"


@pytest.mark.parametrize("language", sorted(INVOICES))
def test_the_page_says_its_language(language):
    assert infer_locale(_invoice_text(language).splitlines()).language == language


def test_every_language_names_every_key_field():
    for language, fields in BY_LANGUAGE.items():
        assert {
            "invoice_number",
            "issue_date",
            "due_date",
            "grand_total",
            "tax_total",
            "net_total",
            "amount_due",
            "seller_name",
            "buyer_name",
            "seller_vat_id",
        } <= set(fields), language


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Prodávající", "seller_name"),
        ("Odběratel:", "buyer_name"),
        ("Sprzedawca:", "seller_name"),
        ("Nabywca", "buyer_name"),
        ("Cessionario/committente", "buyer_name"),
        ("Partita IVA", "seller_vat_id"),
        ("DIČ:", "seller_vat_id"),
        ("Y-tunnus", "seller_vat_id"),
        ("Org.nr", "seller_vat_id"),
        ("Numer zamówienia", "order_reference"),
        ("Ordrenummer", "order_reference"),
        ("Moms 25%", "tax_total"),
        ("Recipient", "buyer_name"),
        ("Biller", "seller_name"),
        ("Bill From:", "seller_name"),
        ("Billed by", "seller_name"),
        ("Remit to", "seller_name"),
        ("Make checks payable to", "seller_name"),
        ("GST Reg. No.", "seller_vat_id"),
    ],
)
def test_party_and_identifier_labels(label, field):
    assert (field, True) in (match(label) or ())


@pytest.mark.parametrize(
    "label",
    [
        "Codice destinatario",  # the Italian e-invoice channel's code beside the buyer, no name
        "Data dostawy",
        "Datum uskutečnění zdanitelného plnění",
        "Leveransdatum",
        "Kundnummer",
        "Codice cliente",
        "Strona",
        "Zu Rechnung Nr.:",  # the invoice a credit note corrects
        "Original invoice",
        "Facture d'origine",
        "Vår ref.",  # the seller's own contact
        "Unsere Referenz",
        "Co. Reg. No.",  # the company registry's number, not the tax's
        "Company No.",
    ],
)
def test_labels_of_what_is_not_read_name_no_field(label):
    assert match(label) == ()


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Statement Date:", "issue_date"),
        ("Issuing Date:", "issue_date"),
        ("Receipt Date", "issue_date"),
        ("Dokumentdato:", "issue_date"),
        ("Receipt #", "invoice_number"),
        ("Amount due now", "amount_due"),
        ("Total payable", "amount_due"),
        ("Totalbeløp forfaller:", "amount_due"),
        ("Payable on or before", "due_date"),
        ("Date échéance", "due_date"),
        ("Fecha de Vencimiento de Pago:", "due_date"),
        ("Fecha de Vto. para el pago:", "due_date"),  # six words before a colon (an Argentine invoice)
        ("Comp. Nro:", "invoice_number"),  # the "comprobante" an Argentine invoice is
        ("Número de comprobante", "invoice_number"),
    ],
)
def test_more_ways_to_say_the_key_labels(label, field):
    assert (field, True) in (match(label) or ())


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("BTW plichtig bedrag", "net_total"),  # the amount the tax is taken of
        ("Taxable amount", "net_total"),
        ("Bemessungsgrundlage", "net_total"),
        ("Af te dragen BTW", "tax_total"),
        ("Transaction Tax", "tax_total"),  # a kind of sales tax, printed as a charge
        ("Rekeningsbedrag", "grand_total"),
        ("New Charges This Bill", "grand_total"),  # a utility bill's charges, before a previous balance
        ("Payable on or before due date", "amount_due"),
        ("Valor Líquido da NFS-e", "amount_due"),
        ("Uw bestelling", "order_reference"),
        ("Viitteenne", "order_reference"),
        ("Bestillingsnr.", "order_reference"),
        ("Deres referanse", "order_reference"),
        ("Customer PO No.", "order_reference"),
        ("Goods total", "net_total"),  # a credit note's totals
        ("Credit total £", "grand_total"),
        ("Buyer's Order No.", "order_reference"),  # the buyer's order in further wordings
        ("Votre bon de commande :", "order_reference"),
        ("Numer zamówienia nabywcy:", "order_reference"),
        ("Ert ordernummer", "order_reference"),
        ("V/ encomenda", "order_reference"),
        ("Requisição", "order_reference"),
        ("Schlussrechnung Nr.", "invoice_number"),
        ("Abschlagsrechnung Nr.", "invoice_number"),
        ("Without VAT", "net_total"),  # a VAT breakdown's columns: "VAT rate  Tax  Without VAT  With VAT"
        ("With VAT", "grand_total"),
        ("Sum (net)", "net_total"),  # a qualifier in brackets after the total's word
        ("Summe (netto)", "net_total"),
        ("Total (excl. GST)", "net_total"),
        ("Sum (gross)", "grand_total"),
        ("Total (incl. GST)", "grand_total"),
        ("Gross total", "grand_total"),
    ],
)
def test_labels_of_totals_and_references_in_more_wordings(label, field):
    assert (field, True) in (match(label) or ())


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("N.º documento", "invoice_number"),  # the document's number, as forms print it in many languages
        ("Nr dokumentu", "invoice_number"),
        ("Numero documento", "invoice_number"),
        ("Re.-Nr.", "invoice_number"),
        ("Factura número", "invoice_number"),
        ("Sidste rettidige betaling", "due_date"),
        ("Splatno dne", "due_date"),
        ("Forfall", "due_date"),
        ("Förfaller", "due_date"),
        ("Fecha vencimiento", "due_date"),
        ("Fakturaadress:", "buyer_name"),
        ("Laskutusosoite", "buyer_name"),
        ("Mittente", "seller_name"),
        ("Lähettäjä", "seller_name"),
        ("N.º contribuinte:", "seller_vat_id"),
        ("Momsreg.nr", "seller_vat_id"),
        ("NIF/CIF", "seller_vat_id"),
        ("Sum eks. mva", "net_total"),
        ("Beløb i alt", "grand_total"),
        ("Poskytovatel", "seller_name"),  # InvoiceGenerator's Czech: provider, customer, issued on
        ("Den vystavení daňového dokladu:", "issue_date"),
        ("Bez DPH", "net_total"),
        ("Fatura num.:", "invoice_number"),  # and its Brazilian Portuguese
        ("Fatura com impostos num.:", "invoice_number"),  # a title, a word or two, the number word
        ("Factura electrónica nº", "invoice_number"),
        ("Vat/Tax (20%)", "tax_total"),  # PyInvoice: two tax words in one
        ("Vat/Tax number:", "seller_vat_id"),
        ("Invoice due date:", "due_date"),
        ("VAT Paid", "tax_total"),  # microinvoice's example: a receipt's wording
        ("Total paid with VAT", "grand_total"),
        ("Total paid", "grand_total"),
        ("Current charges (incl. VAT)", "grand_total"),  # a bill's own period, before a balance brought forward
        ("Nachzahlung", "amount_due"),  # what a yearly utility bill asks beyond the instalments paid
        ("Základ DPH 20 %", "net_total"),  # the base of a rate's tax
        ("PVM 21 %", "tax_total"),  # the further EU languages' names of the tax
        ("PDV 25%", "tax_total"),
        ("ÁFA 27%", "tax_total"),
        ("Datum i vrijeme izdavanja:", "issue_date"),
        ("Serija ir Nr.", "invoice_number"),
        ("Prélevé le", "due_date"),  # a direct debit's date
        ("Will be debited on", "due_date"),
        ("Sum denne faktura", "grand_total"),  # this invoice's sum, before what an earlier one left unpaid
        ("Summa denna faktura", "grand_total"),
        ("Total s/ IVA", "net_total"),  # Portuguese: sem, and com, abbreviated
        ("Valor s/ IVA", "net_total"),
        ("Total c/ IVA", "grand_total"),
        ("Total ekskl. moms", "net_total"),
        ("Totalt exkl. moms", "net_total"),
        ("Totalt eks. mva", "net_total"),
    ],
)
def test_labels_in_the_further_wordings_of_the_thirteen_languages(label, field):
    assert (field, True) in (match(label) or ())


@pytest.mark.parametrize(
    "label", ["Rechnung Kunden Nr.", "Invoice customer no.", "Factura pedido nº", "Rechnung gemäß Bestellung Nr."]
)
def test_a_customer_or_order_number_after_a_title_is_no_invoice_number(label):
    assert ("invoice_number", True) not in (match(label) or ())


def test_to_heads_a_buyer_block_only_alone_or_before_a_colon():
    from backoffice.documents.labels import hits_of
    from backoffice.documents.layout import lines_of
    from backoffice.documents.pdf import Word

    def line(*texts):
        words, x = [], 50.0
        for text in texts:
            words.append(Word(text, x, 100.0, x + 6 * len(text), 108.0, 1))
            x += 6 * len(text) + 3
        return lines_of(words)[0]

    assert match("To:") == (("buyer_name", False),)
    assert [h.fields for h in hits_of(line("To:", "Test", "Business"))] == [(("buyer_name", False),)]
    assert not any(h.fields for h in hits_of(line("To", "learn", "more")))  # a sentence, no label
    # the same short headings in German, Dutch and Spanish; a name that opens with one is a name
    for heading, field in (
        ("Von:", "seller_name"),
        ("Van:", "seller_name"),
        ("An:", "buyer_name"),
        ("Aan:", "buyer_name"),
        ("Para:", "buyer_name"),
    ):
        assert match(heading) == ((field, False),), heading
    assert not any(h.fields for h in hits_of(line("Von", "der", "Heydt", "GmbH")))
    assert match("A") is None  # the letter of an Argentine invoice's type, no heading


@pytest.mark.parametrize("label", ["Referencia:", "Référence :", "Referenz:", "Riferimento:", "N.º", "n.º"])
def test_a_bare_reference_or_number_sign_may_be_the_invoice_number(label):
    assert ("invoice_number", False) in match(label)  # a bare reference may be the buyer's order too (below)


@pytest.mark.parametrize(
    ("title", "number", "issued"),
    [
        ("Daňový doklad 461 ze dne 01.05.2019", "461", "2019-05-01"),
        ("Fatura n.º FA-24-19524 de 2024-05-04", "FA-24-19524", "2024-05-04"),
        ("Faktura nr 12/2024 z dnia 03.05.2024", "12/2024", "2024-05-03"),
        ("Lasku nro 123 päivätty 03.05.2024", "123", "2024-05-03"),
        ("Fattura n. 77 del 3 maggio 2024", "77", "2024-05-03"),
    ],
)
def test_a_title_that_carries_number_and_date_in_each_language(title, number, issued):
    from backoffice.documents import letterhead
    from backoffice.documents.layout import lines_of

    lines = lines_of(text_to_words(f"Maple Bau s.r.o.\n{title}\n", "t").pages[0])
    found = {c.field: c.value for c in letterhead.from_title(lines, True)}
    assert found == {"invoice_number": number, "issue_date": issued}


def _title_fields(page: str) -> dict[str, str]:
    from backoffice.documents import letterhead
    from backoffice.documents.layout import lines_of

    return {c.field: c.value for c in letterhead.from_title(lines_of(text_to_words(page, "t").pages[0]), True)}


def test_a_title_after_a_separator_carries_number_and_date():
    page = "Trailhead Supply Co.\nOrder number: TS104382 · Placed on May 17, 2025 · Invoice INV-2025-018842 issued May 19, 2025\n"
    assert _title_fields(page) == {"invoice_number": "INV-2025-018842", "issue_date": "2025-05-19"}


@pytest.mark.parametrize(
    ("page", "number"),
    [
        (
            "nimbusforge                     INVOICE\n                                NF-2025-03-004417\n",
            "NF-2025-03-004417",
        ),
        (
            "Lusomar                         Fatura-Recibo\n                                FR 2025A1/1057\n",
            "FR 2025A1/1057",
        ),
        ("Pilvekiri                       Arve\n                                nr 2025-0214\n", "2025-0214"),
        ("Pilvekiri                       Statement\n                                2025-0214\n", None),  # no invoice
        ("Tatra                           FAKTURA\n                                No. 2024/117\n", "2024/117"),
        (
            "Coastline Cloud                 CC-2025-0917\n                                I N V O I C E\n",
            "CC-2025-0917",
        ),
        ("Coastline Cloud                 PURCHASE ORDER\n                                GPC-1140\n", None),
        ("Coastline Cloud                 INVOICE\n                                12.05.2024\n", None),  # a date
        ("Coastline Cloud                 INVOICE\n                                1,250.00\n", None),  # an amount
        ("Coastline Cloud                 INVOICE\n                                Page 1 of 2\n", None),
    ],
)
def test_the_number_alone_under_or_over_a_title_alone(page, number):
    assert _title_fields(page).get("invoice_number") == number


def test_a_number_shaped_like_a_date_after_the_title_is_a_number_where_dates_are_written_otherwise():
    from backoffice.documents import letterhead
    from backoffice.documents.layout import lines_of

    def numbers(page):
        lines = lines_of(text_to_words(page, "t").pages[0])
        return [c.value for c in letterhead.from_title(lines, True) if c.field == "invoice_number"]

    assert numbers("Faktura 5/05/2024\nData wystawienia   31.05.2024") == ["5/05/2024"]  # May's fifth invoice
    assert numbers("Faktura 5/05/2024\nTermin płatności   14/06/2024") == []  # a date like the others


def test_a_row_of_detail_labels_reads_the_row_of_values_under_it(make_pdf):
    """ "NÚMERO  FECHA  VENCIMIENTO" over their values: each weak label reads the value under it;
    "Ordernr.  Datum" (another document's number and date) does not date the invoice."""
    from backoffice.documents.pdf import read_words

    path = make_pdf(
        [
            (20, 20, "Factura", 14, "B"),
            (20, 30, "NÚMERO", 7),
            (60, 30, "FECHA", 7),
            (120, 30, "VENCIMIENTO", 7),
            (20, 34, "2024/061"),
            (60, 34, "2 de diciembre de 2024"),
            (120, 34, "1 de enero de 2025"),
            (20, 50, "Ordernr.", 7),
            (60, 50, "Datum", 7),
            (20, 54, "4550219"),
            (60, 54, "15.11.2024"),
        ]
    )
    found = _candidates(read_words(path))
    labelled = {
        name: {c.value for c in found[name] if c.method == "label"} for name in ("invoice_number", "issue_date")
    }
    assert labelled == {"invoice_number": {"2024/061"}, "issue_date": {"2024-12-02"}}


@pytest.mark.parametrize(
    ("footer", "vat_id"),
    [
        ("Penrose Office Supplies Ltd · Registered in England No. 06129384 · VAT No. 427 5624 85", "4275624 85"),
        ("Vestland Storkjøkken AS | Kontonr. 1503.41.32906 | Org.nr. NO 994 158 988 MVA", "NO994158988MVA"),
        ("Atelier Lac SA · N° TVA : CHE-502.847.091 TVA", "CHE-502.847.091TVA"),
        ("Co. Reg. No. & GST Reg. No.: 201834567K", "201834567K"),  # one number, both registries'
    ],
)
def test_a_tax_number_in_a_footer_of_items_parted_by_separators(footer, vat_id):
    """A label after a separator in a footer's line is a label; the tax number is read as printed
    (without spaces), its tax's name included though that name is a label too."""
    page = f"INVOICE 2024-17\nDate: 03/05/2024\n\nTotal   1,200.00 GBP\n\n{footer}\n"
    fields = read_invoice(text_to_words(page, "footer.txt")).fields
    assert fields["seller_vat_id"].value == vat_id.replace(" ", "")


def test_a_rand_sign_before_the_amounts_names_the_currency_and_reads_them():
    page = (
        "TAX INVOICE PC-INV-0098812\nDate: 2025/03/01\n\n"
        "Total excl. VAT          R 1,886.37\nVAT @ 15%                  R 282.96\n"
        "Current charges incl. VAT  R 2,169.33\nBalance brought forward    R 534.50\nTotal amount due     R 2,703.83\n"
    )
    fields = read_invoice(text_to_words(page, "za.txt")).fields
    got = {name: fields[name].value for name in ("currency", "net_total", "tax_total", "grand_total", "amount_due")}
    assert got == {
        "currency": "ZAR",
        "net_total": "1886.37",
        "tax_total": "282.96",
        "grand_total": "2169.33",
        "amount_due": "2703.83",
    }


@pytest.mark.parametrize(
    ("line", "vat_id"),
    [
        ("EIN 93-4417802", "93-4417802"),  # a US employer number
        ("CIF: B46179768", "B46179768"),  # a Spanish company's, a letter first
        ("NIF: 48213457Y", "48213457Y"),  # a Spanish freelancer's, a check letter last
        ("UEN / GST Reg. No.: 201934718K", "201934718K"),  # Singapore
        ("RFC: SNA190312K77", "SNA190312K77"),  # Mexico
        ("Adószám: 12748536-2-41", "12748536-2-41"),  # Hungary
        ("Org.nr 825 797 637 MVA", "825797637MVA"),  # Norway, registered for VAT: the tax's name kept
        ("Federal EIN 91-1728499", "91-1728499"),
        ("N.I.F. B23310832", "B23310832"),
        ("P.IVA e C.F. 37789320662", "37789320662"),
        ("SST Registration No.: W10-1808-31000456", "W10-1808-31000456"),  # Malaysia
        ("TRN: 100234567800003", "100234567800003"),  # the Gulf's tax registration number
        ("UEN 201712345D · GST Reg. No. M2-0098765-4", "M2-0098765-4"),  # the registry's number gives way
        ("No. Pendaftaran SST / SST Reg. No.: W10-1904-32000781", "W10-1904-32000781"),  # seven words, two languages
    ],
)
def test_national_tax_numbers_beside_their_labels(line, vat_id):
    page = f"Acme Trading\n{line}\n\nINVOICE 2024-17\nDate: 03/05/2024\n\nTotal   1,200.00\n"
    assert read_invoice(text_to_words(page, "tax.txt")).fields["seller_vat_id"].value == vat_id


@pytest.mark.parametrize("label", ["Gutschriftsbetrag", "Montant de l'avoir", "Total avoir"])
def test_a_credit_notes_total_is_its_grand_total(label):
    assert ("grand_total", True) in (match(label) or ())


@pytest.mark.parametrize(
    "label",
    [
        "Your order ref:",
        "Su pedido nº:",
        "Requisição n.º:",
        "Votre commande n° :",
        "Jeres rekv.nr.",
        "Deres ordrenr.",
        "Inkoopnummer",
        "Tilaajan viite",
        "Ihre Auftragsnr.",
        "Ihre Bestell-Nr.",
        "V/ Requisição",
        "Uw bestelbon",
        "Référence client",
        "Rif. vs. ordine",
        "Naročilnica:",
    ],
)
def test_an_order_references_label_with_its_number_word(label):
    assert match(label) == (("order_reference", True),)


def test_a_reference_over_the_items_table_is_no_line_of_its_header():
    """ "Su pedido nº: 5567" right above "Descripción  Cant.  Precio  Importe": a label and its value."""
    page = (
        "Talleres Ebro S.L.                       FACTURA 2024-0311\n"
        "                                         Fecha: 03/06/2024\n"
        "                                         Su pedido nº: 5567\n"
        "Descripción                   Cant.      Precio      Importe\n"
        "Revisión caldera               1         120,00      120,00\n"
        "                               Total                 145,20\n"
    )
    fields = read_invoice(text_to_words(page, "es.txt")).fields
    assert fields["order_reference"].value == "5567"


FURTHER = {
    "sk": ("FAKTÚRA", "Faktúra č.", "Dátum vystavenia", "Dátum splatnosti", "Základ dane", "DPH spolu", "Spolu s DPH"),
    "hu": (
        "SZÁMLA",
        "Sorszám",
        "Számla kelte",
        "Fizetési határidő",
        "Nettó összesen",
        "ÁFA összesen",
        "Bruttó összesen",
    ),
    "ro": ("FACTURĂ", "Factura nr.", "Data emiterii", "Termen de plată", "Total fără TVA", "Total TVA", "Total cu TVA"),
    "hr": ("RAČUN", "Račun br.", "Datum izdavanja", "Datum dospijeća", "Osnovica", "Iznos PDV-a", "Ukupno s PDV-om"),
    "sl": ("RAČUN", "Številka računa", "Datum izdaje", "Rok plačila", "Znesek brez DDV", "Znesek DDV", "Skupaj z DDV"),
    "et": ("ARVE", "Arve nr", "Arve kuupäev", "Maksetähtaeg", "Summa km-ta", "Käibemaks", "Summa km-ga"),
    "lt": (
        "SĄSKAITA FAKTŪRA",
        "Sąskaitos faktūros nr.",
        "Išrašymo data",
        "Apmokėti iki",
        "Suma be PVM",
        "PVM suma",
        "Iš viso su PVM",
    ),
    "lv": ("RĒĶINS", "Rēķina nr.", "Rēķina datums", "Apmaksas termiņš", "Summa bez PVN", "PVN summa", "Kopā ar PVN"),
}


@pytest.mark.parametrize("language", sorted(FURTHER))
def test_an_invoice_in_a_further_eu_language_is_read(language):
    title, number, issued, due, net, tax, total = FURTHER[language]
    page = (
        f"Dunaj Trade\n{title}\n\n{number}: 2024-0117\n{issued}: 03.05.2024\n{due}: 02.06.2024\n\n"
        f"{net}:      1 000,00 EUR\n{tax}:      200,00 EUR\n{total}:      1 200,00 EUR\n"
    )
    values = {n: f.value for n, f in read_invoice(text_to_words(page, f"{language}.txt")).fields.items()}
    assert (values["invoice_number"], values["issue_date"], values["due_date"]) == (
        "2024-0117",
        "2024-05-03",
        "2024-06-02",
    )
    assert (values["net_total"], values["tax_total"], values["grand_total"]) == ("1000.00", "200.00", "1200.00")


@pytest.mark.parametrize("line", ["Pasūtījums: PO 24-0317", "Your order:   PO 4471-KL"])
def test_a_po_printed_before_the_buyers_order_number_is_part_of_it(line):
    page = f"Acme Trading\nINVOICE 2024-17\nDate: 03/05/2024\n{line}\n\nTotal   1,200.00\n"
    value = read_invoice(text_to_words(page, "po.txt")).fields["order_reference"].value
    assert value.replace(" ", "") == line.split(":")[-1].replace(" ", "")


def test_an_iban_a_paragraph_wraps_over_two_lines():
    page = (
        "Alpenstrom Vertrieb GmbH\nRechnung 2025/0041187\nDatum: 31.01.2025\n\nRechnungsbetrag brutto   € 4.336,37\n\n"
        "Bitte überweisen Sie den Betrag bis 21.02.2025 auf unser Konto bei der Raiffeisen-Landesbank, IBAN AT25\n"
        "3600 0000 1234 5678, BIC RZTIAT22, Verwendungszweck 2025/0041187.\n"
    )
    assert read_invoice(text_to_words(page, "at.txt")).fields["iban"].value == "AT253600000012345678"


def test_a_bare_reference_heading_may_name_the_buyers_order():
    """Xero's "Reference" over the buyer's PO, the invoice's own number labelled apart."""
    assert match("Reference") == (("invoice_number", False), ("order_reference", False))
    page = (
        "Wattle Creek Brewing                 TAX INVOICE\n"
        "                                     Invoice Number    Reference\n"
        "                                     INV-3381          WCB-PO-077\n"
        "                                     Invoice Date: 3 Mar 2025\n\n"
        "Kegs   2   180.00   360.00\n"
        "                                     Total AUD   396.00\n"
    )
    fields = read_invoice(text_to_words(page, "au.txt")).fields
    assert fields["invoice_number"].value == "INV-3381"
    assert fields["order_reference"].value == "WCB-PO-077"


def test_a_letters_reference_line_dates_the_letter(make_pdf):
    """DIN 5008's reference line ("Unser Zeichen  Kundennummer  Datum") over its values: the date
    under "Datum" is the issue date, not the date of the invoice a subject line refers to."""
    from backoffice.documents.pdf import read_words

    path = make_pdf(
        [
            (20, 60, "Unser Zeichen", 7),
            (80, 60, "Kundennummer", 7),
            (150, 60, "Datum", 7),
            (20, 64, "na/rem"),
            (80, 64, "20877"),
            (150, 64, "03.03.2025"),
            (20, 80, "Gutschrift Nr. GS-2025-0042 zur Rechnung Nr. 2025-1187 vom 12.02.2025", 11, "B"),
        ]
    )
    found = _candidates(read_words(path))
    assert {c.value for c in found["issue_date"] if c.method == "label"} == {"2025-03-03"}


def test_one_heading_of_two_meanings_over_a_tables_codes_is_no_invoice_number(make_pdf):
    """ "Référence" may name the invoice or the buyer's order; alone over a table's article codes
    it is neither."""
    from backoffice.documents.pdf import read_words

    path = make_pdf(
        [
            (120, 20, "Facture FR51284736", 12, "B"),
            (20, 60, "Référence", 8),
            (50, 60, "Désignation", 8),
            (150, 60, "Qté", 8),
            (20, 66, "SRV-ADV2"),
            (50, 66, "Serveur dédié Advance-2"),
            (150, 66, "1"),
        ]
    )
    found = _candidates(read_words(path))
    assert "SRV-ADV2" not in {c.value for c in found["invoice_number"] if c.method == "label"}


@pytest.mark.parametrize(
    ("label", "fields"),
    [
        ("Faktura VAT / Invoice nr", (("invoice_number", True),)),  # the number word printed once
        ("Invoice Address", (("buyer_name", True),)),
        ("Adresse de facturation", (("buyer_name", True),)),
        ("N° d'avoir :", (("invoice_number", True),)),
        ("Honorarnote Nr.", (("invoice_number", True),)),
        ("Notanummer", (("invoice_number", True),)),
        ("Notadatum", (("issue_date", True),)),
        ("Invoice / Rechnung date", None),
        ("Restbetrag zu unseren Gunsten CHF", (("amount_due", True),)),
        ("Total Honorarnote CHF", (("grand_total", True),)),
        ("Invoice date / Date of supply", (("issue_date", True),)),  # one part names a field, the other none
        ("Kunden-Nr. / Rechnungs-Nr.", None),  # the first value would be the customer's number
        ("Tax point", ()),
        ("Warenwert netto", (("net_total", True),)),
        ("Total HTVA", (("net_total", True),)),
        ("Total HT", (("net_total", True),)),
        ("Total TVAC", (("grand_total", True),)),
        ("Subtotal (excl. tax)", (("net_total", True),)),
        ("Exkl. moms", (("net_total", True),)),
        ("Total charges before VAT", (("net_total", True),)),
        ("VAT at 5%", (("tax_total", True),)),
        ("Vencimiento / fecha de cargo:", (("due_date", True),)),  # a direct debit's date
        ("Note de crédit n°:", (("invoice_number", True),)),
        ("TILAUSNUMERONNE", (("order_reference", True),)),
        ("Charges this bill (incl. VAT)", (("grand_total", True),)),
        ("Tämän laskun summa", (("grand_total", True),)),
        ("Guest name", ()),  # a hotel's guest, not the party billed
        ("Departure", ()),
    ],
)
def test_more_labels(label, fields):
    assert match(label) == fields


@pytest.mark.parametrize(
    ("dates", "number"),
    [
        ("Data wystawienia:   2025-03-14", "FV 14/03/2025"),  # dates written otherwise: a number
        ("Data wystawienia:   14/03/2025", None),  # a date like the page's others
    ],
)
def test_a_series_and_a_number_shaped_like_a_date(dates, number):
    page = f"Kowalczyk Systemy IT Sp. z o.o.\n{dates}\n\nFaktura VAT nr FV 14/03/2025\n\nRazem   1 230,00 PLN\n"
    found = read_invoice(text_to_words(page, "pl.txt")).fields.get("invoice_number")
    assert (found.value if found else None) == number


@pytest.mark.parametrize(
    ("line", "date"),
    [
        ("Zürich, 5. April 2024", "2024-04-05"),
        ("München, den 01.11.2024", "2024-11-01"),
        ("Mandat 21-0488, 5. April 2024", None),  # not a place
    ],
)
def test_a_place_and_a_date_alone_date_the_letter(line, date):
    from backoffice.documents import letterhead
    from backoffice.documents.layout import lines_of

    lines = lines_of(text_to_words(f"Meier Rechtsanwälte AG\n\n{line}\n", "t").pages[0])
    assert [c.value for c in letterhead.place_and_date(lines, True)] == ([date] if date else [])


def test_a_hotel_folios_guest_beside_the_bill_to_heading_is_not_the_buyer():
    page = (
        "HARCOURT LODGE\n\n"
        "Bill to:                                    Guest name        Ms Aoife Brennan\n"
        "Corrib Analytics Ltd                        Room              412\n"
        "14 Eyre Square                              Invoice no.       HLH-24-03317\n"
        "Galway H91 X2C4                             Invoice date      14-Mar-2024\n\n"
        "Total                                                         €793.30\n"
    )

    found = _candidates(text_to_words(page, "folio.txt"))
    assert {c.value for c in found["buyer_name"] if c.method == "label"} == {"Corrib Analytics Ltd"}


def test_a_label_of_six_words_that_is_its_whole_phrase_is_read():
    from backoffice.documents.labels import hits_of
    from backoffice.documents.layout import lines_of

    line = lines_of(text_to_words("Invoice date / Date of supply      9 March 2025\n", "t").pages[0])[0]
    assert [(h.start, h.end, h.fields) for h in hits_of(line)] == [(0, 6, (("issue_date", True),))]


def test_a_number_word_opening_the_value_beside_a_label_is_part_of_the_value():
    page = "FACTURE F-2024-117\nDate : 12/03/2024\nVotre commande :     n° BC-2024-0193 du 4 mars 2024\n\nTotal TTC   1 200,00 €\n"
    assert read_invoice(text_to_words(page, "fr.txt")).fields["order_reference"].value == "BC-2024-0193"


@pytest.mark.parametrize(
    ("line", "reference"),
    [
        ("Your ref:       Job 2291", "Job 2291"),
        ("Ihre Referenz:  Mandat 2024/17", "Mandat 2024/17"),
        ("Deres ref.:     Innkjøp 8821", "Innkjøp 8821"),
        ("Your ref:       March 2024", None),  # a month, no reference
        ("Your ref:       Job 2291 of the plumbing", None),  # a sentence
    ],
)
def test_a_word_and_a_number_that_make_the_whole_value_are_one_reference(line, reference):
    page = f"INVOICE 2024-17\nDate: 03/05/2024\n{line}\n\nTotal   1,200.00 GBP\n"
    found = read_invoice(text_to_words(page, "ref.txt")).fields.get("order_reference")
    assert (found.value if found else None) == reference


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("No. Bil / Bill No.", "invoice_number"),  # a language we do not read, then ours
        ("Tarikh Bil / Bill Date", "issue_date"),
        ("Jumlah Caj Semasa / Total Current Charges", "grand_total"),
        ("Cukai Perkhidmatan / Service Tax 8%", "tax_total"),
    ],
)
def test_a_label_in_an_unknown_language_beside_ours_names_what_ours_names(label, field):
    assert (field, True) in (match(label) or ())


def test_a_ringgit_sign_names_the_currency_and_reads_the_amounts():
    page = "TAX INVOICE\nInvoice No.: KCS-2504-00087\nDate: 12/05/2025\n\nTotal Amount Due   RM 213.72\n"
    fields = read_invoice(text_to_words(page, "my.txt")).fields
    assert (fields["currency"].value, fields["grand_total"].value) == ("MYR", "213.72")


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("ΣΕΙΡΑ – ΑΡΙΘΜΟΣ", "invoice_number"),  # Greek, matched without its accents
        ("Ημερομηνία έκδοσης", "issue_date"),
        ("Λήξη πληρωμής:", "due_date"),
        ("Α.Φ.Μ.:", "seller_vat_id"),
        ("Σύνολο καθαρής αξίας", "net_total"),
        ("Σύνολο ΦΠΑ", "tax_total"),
        ("ΦΠΑ 24%", "tax_total"),
        ("ΠΛΗΡΩΤΕΟ", "amount_due"),
        ("ΣΤΟΙΧΕΙΑ ΠΕΛΑΤΗ", "buyer_name"),
        ("Фактура №", "invoice_number"),  # Bulgarian
        ("Дата на издаване", "issue_date"),
        ("ИН по ДДС:", "seller_vat_id"),
        ("Данъчна основа:", "net_total"),
        ("ДДС 20%:", "tax_total"),
        ("Сума за плащане:", "amount_due"),
        ("Получател", "buyer_name"),
        ("Доставчик", "seller_name"),
        ("Kelt:", "issue_date"),  # Hungarian
        ("Vevő (számlázási cím)", "buyer_name"),
        ("Základ", "net_total"),  # a Czech VAT recap's column: the base
        ("Apmaksāt līdz:", "due_date"),  # Latvian
        ("TPS (5 %)", "tax_total"),  # Canada's sales taxes, federal and provincial
        ("TVQ (9,975 %)", "tax_total"),
        ("PST (BC) 7%", "tax_total"),
        ("Líquido a percibir", "amount_due"),  # a Spanish invoice after its income tax withholding
        ("Fatura No:", "invoice_number"),  # Turkish, its dotless i either way
        ("VKN:", "seller_vat_id"),
        ("KDV Matrahı (%20)", "net_total"),  # the rate after its percent sign
        ("Hesaplanan KDV(%20)", "tax_total"),
        ("Vergiler Dahil Toplam Tutar", "grand_total"),
        ("Ödenecek Tutar", "amount_due"),
        ("SAYIN", "buyer_name"),
        ("R.U.T.:", "seller_vat_id"),  # Chile
        ("RFC emisor:", "seller_vat_id"),  # Mexico
        ("MONTO NETO", "net_total"),
        ("I.V.A. 19%", "tax_total"),
        ("Señor(es):", "buyer_name"),
    ],
)
def test_greek_bulgarian_and_more_hungarian_labels(label, field):
    assert (field, True) in (match(label) or ())


@pytest.mark.parametrize(
    "label",
    ["ΣΕΙΡΑ", "Δ.Ο.Υ.:", "ЕИК:", "Eredeti számla kelte:", "Előlegszámla:", "Vergi Dairesi:", "SHIPPING METHOD"],
)
def test_a_series_a_tax_office_a_registry_and_an_earlier_invoice_name_no_field(label):
    assert match(label) == ()
    assert ("tax_total", True) not in (match("PST No.") or ())  # a province's registration, no amount of tax


def test_a_greek_invoice_reads_its_number_in_greek_letters_and_its_totals():
    page = (
        "ΙΟΝΙΑ ΤΡΟΦΟΔΟΣΙΑ Α.Ε.\nΑΦΜ: 099722519\n\n"
        "ΤΙΜΟΛΟΓΙΟ\nΣειρά – Αριθμός: ΤΔΑ-04417\nΗμερομηνία έκδοσης: 21/07/2025\n\n"
        "Σύνολο καθαρής αξίας     2.411,39 €\nΣύνολο ΦΠΑ      407,26 €\nΣύνολο     2.818,65 €\n"
    )
    fields = read_invoice(text_to_words(page, "el.txt")).fields
    got = {name: fields[name].value for name in ("invoice_number", "issue_date", "seller_vat_id", "grand_total")}
    assert got == {
        "invoice_number": "ΤΔΑ-04417",
        "issue_date": "2025-07-21",
        "seller_vat_id": "099722519",
        "grand_total": "2818.65",
    }


def test_lev_and_forint_signs_name_their_currencies():
    page = "ФАКТУРА\nФактура №: 0000002841\nДата на издаване: 12.03.2025\n\nСума за плащане:   15 646,80 лв.\n"
    fields = read_invoice(text_to_words(page, "bg.txt")).fields
    assert (fields["currency"].value, fields["amount_due"].value) == ("BGN", "15646.80")
    page = "SZÁMLA\nSorszám: ZR/2025/0412\nKelt: 2025.06.16.\n\nBruttó végösszeg:   900 684 Ft\n"
    fields = read_invoice(text_to_words(page, "hu.txt")).fields
    assert (fields["currency"].value, fields["grand_total"].value) == ("HUF", "900684.00")


def test_a_hungarian_tax_number_gives_way_to_its_eu_vat_id_and_an_account_number_is_no_invoice_number():
    page = (
        "Zempléni Rendezvényház Kft.\nAdószám: 14599273-2-05\nKözösségi adószám: HU14599273\n"
        "Számlaszám: 11736006-34167216-00000000\n\nSZÁMLA\nKelt: 2025.06.16.\n\nBruttó végösszeg:   900 684 Ft\n"
    )
    fields = read_invoice(text_to_words(page, "hu.txt")).fields
    assert fields["seller_vat_id"].value == "HU14599273"
    assert "invoice_number" not in fields or fields["invoice_number"].value != "11736006-34167216-00000000"


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2025. gada 12. martā", "2025-03-12"),  # Latvian: the locative, which CLDR does not give
        ("Apmaksas termiņš: 2025. gada 26. martā", "2025-03-26"),
        ("2025. gada 3. janvārī", "2025-01-03"),
        ("12. aprīļa 2025", "2025-04-12"),  # the genitive
    ],
)
def test_latvian_dates_in_words(text, day):
    from backoffice.documents.normalise import find_date

    found = find_date(text)
    assert found is not None and found[0].isoformat() == day


def test_a_series_before_the_number_word_is_part_of_the_number():
    page = (
        "PVM SĄSKAITA FAKTŪRA\nSerija MPC Nr. 01187\nIšrašymo data: 2025-05-14\n\n"
        "Apmokėjimo terminas: 2025 m. birželio 13 d.\n\nIš viso su PVM:   1 210,00 EUR\n"
    )
    fields = read_invoice(text_to_words(page, "lt.txt")).fields
    assert fields["invoice_number"].value == "MPC 01187"
    assert fields["due_date"].value == "2025-06-13"
    page = "ФАКТУРА   № 0000002841\nДата на издаване: 12.03.2025\n\nСума за плащане:   15 646,80 лв.\n"
    assert read_invoice(text_to_words(page, "bg.txt")).fields["invoice_number"].value == "0000002841"


def test_a_consignee_is_no_seller_and_chinas_credit_code_is_the_sellers_tax_id():
    assert match("Sold to / Consignee:") == (("buyer_name", True),)
    page = (
        "Shenzhen Huaxin Electronics Co., Ltd.\nTel: +86 755 2663 8812 · Unified Social Credit Code: 91440300MA5F3K2L8G\n"
        "COMMERCIAL INVOICE\nSold to / Consignee:          Invoice No.: HX-CI-250314\n"
        "Nordic Lighting Distribution AB          Date: Mar. 14, 2025\nVAT No. SE556823419101\n\n"
        "TOTAL     USD 26,474.00\n"
    )
    assert read_invoice(text_to_words(page, "cn.txt")).fields["seller_vat_id"].value == "91440300MA5F3K2L8G"


def test_a_value_and_a_label_parted_by_a_bar_are_no_label_of_two_languages():
    assert match("Rendelésszám: WEB-2025-118734 | Számla kelte:") is None  # a value in the first part
    assert match("/") is None and match(" | ") is None
    assert ("order_reference", True) in (match("Rendelésszám:") or ())


def test_a_phone_number_in_the_next_column_is_no_reference():
    page = (
        "TAX INVOICE\nInvoice Number     INV-20931\n"
        "Reference                                     02 9555 0173\n\nTotal AUD   1,234.00\n"
    )
    fields = read_invoice(text_to_words(page, "au.txt")).fields
    assert "order_reference" not in fields or fields["order_reference"].value != "02"
    assert "invoice_number" in fields and fields["invoice_number"].value == "INV-20931"
