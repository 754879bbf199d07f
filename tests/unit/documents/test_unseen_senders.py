"""What invoices from senders the reader had not seen taught it: labels and signs of more
countries, a table's heading row over its totals, a remark or a translation in brackets, a
series before a number, and values that only look like the field they sit beside."""

from __future__ import annotations

import pytest

from backoffice.documents.invoice import Reader, gather, read_invoice
from backoffice.documents.labels import match
from backoffice.documents.line_items import read_lines
from backoffice.documents.locale import infer_locale
from backoffice.documents.normalise import find_date, parse_amount
from backoffice.documents.textgrid import text_to_words


def _fields(text: str, name: str = "made.txt") -> dict[str, str]:
    return {key: found.value for key, found in read_invoice(text_to_words(text, name)).fields.items()}


def _candidates(text: str, field: str, every: bool = False) -> list[str]:
    """The values the reader proposes for ``field`` of ``text``, before any ranking."""
    reader = Reader(text_to_words(text, "made.txt"))
    items, headers = read_lines(reader.lines, reader.decimal_mark)
    return [c.value for c in gather(reader, items, headers, every=every)[field]]


@pytest.mark.parametrize(
    ("label", "fields"),
    [
        ("PO Box", ()),  # an address's post-office box, no purchase order
        ("P.O. Box", ()),
        ("CUST NO.", ()),  # a customer's number, no party's name
        ("CUST PO", (("order_reference", True),)),
        ("Your LPO No.", (("order_reference", True),)),  # a local purchase order (Nigeria, the Gulf)
        ("No. PO", (("order_reference", True),)),
        ("VAT Reg. TIN", (("seller_vat_id", True),)),
        ("KRA PIN", (("seller_vat_id", True),)),
        ("Our TIN", (("seller_vat_id", True),)),
        ("Supplier TRN", (("seller_vat_id", True),)),
        ("R.U.C. N°", (("seller_vat_id", True),)),
        ("NIT:", (("seller_vat_id", True),)),
        ("Kansas sales tax (6.50%)", (("tax_total", True),)),
        ("Sales tax (lump-sum contract)", (("tax_total", True),)),  # a remark in brackets
        ("Subtotal (services)", (("net_total", True),)),
        ("Número (No.):", (("invoice_number", False),)),
        ("Số (No.):", (("invoice_number", False),)),  # ours in brackets after a language we do not read
        ("Đơn vị bán hàng (Seller):", (("seller_name", True),)),
        ("BALANCE DUE AND OWING", (("amount_due", True),)),
        ("AMOUNT DUE THIS INVOICE", (("amount_due", True),)),
        ("Restbetrag zur Zahlung", (("amount_due", True),)),
        ("Offener Saldo EUR", (("amount_due", True),)),
        ("Nummer:", ()),  # alone, no field's: a party block's customer number as often
        ("Totale imposta", (("tax_total", True),)),
        ("Total factura rectificativa", (("grand_total", True),)),
        ("Op. Gravada S/", (("net_total", True),)),  # Peru's taxed sales, in soles
        ("I.G.V. 18% US$", (("tax_total", True),)),
        ("Importe Total S/", (("grand_total", True),)),
        ("Serie y Folio:", (("invoice_number", True),)),
        ("Folio fiscal (UUID):", ()),  # a CFDI's UUID, not its number
        ("Condición frente al IVA:", ()),
        ("Remito / O.C.:", (("order_reference", True),)),
        ("Sorszám / No.:", (("invoice_number", True),)),  # one field in two languages, strong in one
        ("Termen plată:", (("due_date", True),)),
        ("Conform comenzii nr.", (("order_reference", True),)),
        ("Jatuh Tempo", (("due_date", True),)),
        ("KEPADA YTH.", (("buyer_name", True),)),
        ("NPWP:", (("seller_vat_id", True),)),
        ("Mata Uang", (("currency", True),)),
    ],
)
def test_labels_of_more_senders(label, fields):
    assert match(label) == fields


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("₱99,491.00", "99491.00"),
        ("KSh 1,200.00", "1200.00"),
        ("Rp 1.500.000", "1500000"),
        ("S/ 1,234.00", "1234.00"),
        ("S/. 12.00", "12.00"),
        ("₦7,939,305.00", "7939305.00"),
    ],
)
def test_more_currency_signs_before_amounts(text, value):
    assert str(parse_amount(text)) == value


@pytest.mark.parametrize(
    ("sign", "code"),
    [("₱", "PHP"), ("₦", "NGN"), ("KSh", "KES"), ("Rp", "IDR"), ("US$", "USD"), ("S/", "PEN"), ("R$", "BRL")],
)
def test_a_sign_names_the_currency(sign, code):
    for gap in ("", " "):  # flush before the amount, or a word of its own
        text = f"INVOICE\nInvoice No: 7\nDate: 2024-03-01\n\nSubtotal   {sign}{gap}100.00\nTotal   {sign}{gap}100.00\n"
        assert _fields(text)["currency"] == code


def test_a_code_in_brackets_names_any_currency_and_a_rows_name_no_rand():
    text = "INVOICE\nInvoice No: 7\nDate: 2024-03-01\n\nItem   Amount (KES)\nR2 bolts   1,500.00\n\nTotal   1,500.00\n"
    assert _fields(text)["currency"] == "KES"


def test_a_po_box_is_no_order_and_a_customers_number_no_buyer():
    text = (
        "TRI-STATE AUTO PARTS INC.\nPO Box 1182\nAllentown PA 18109\n\n"
        "INVOICE NO. 0482217                 INVOICE DATE 11/08/24\n"
        "SOLD TO:                            CUST NO.     KOW100\n"
        "  KOWALSKI'S GARAGE & TOWING        CUST PO      8841\n\n"
        "MERCHANDISE     771.54\nSALES TAX 6.000%     46.29\nINVOICE TOTAL     817.83\n"
    )
    fields = _fields(text)
    assert fields["order_reference"] == "8841"
    assert fields.get("buyer_name") != "CUST NO."


def test_the_invoices_own_number_as_the_payments_reference_is_no_order():
    text = (
        "TAX INVOICE\nInvoice No. IN0045821\nInvoice Date 2024/06/19\n\n"
        "Subtotal   100.00\nVAT 15%   15.00\nTotal   115.00\n\nReference: IN0045821\n"
    )
    assert "order_reference" not in _fields(text)


def test_a_state_sales_tax_and_the_net_that_completes_a_labelled_total():
    text = (
        "Bluestem Power & Light\nACCOUNT STATEMENT\nAccount number: 240314-0087731\nStatement date: Mar 14, 2024\n\n"
        "Total electric charges          $371.63\n"
        "Kansas sales tax (6.50%)         $24.16\n"
        "Total current charges           $395.79\n"
    )
    fields = _fields(text)
    assert (fields["net_total"], fields["tax_total"], fields["grand_total"]) == ("371.63", "24.16", "395.79")


def test_a_share_capital_is_no_total():
    text = (
        "FATTURA N. 12/24\nData: 08/03/2024\n\nTotale imponibile   600,00\nIVA 22%   132,00\nTotale documento   732,00\n\n"
        "Cartotecnica Veneta S.r.l. – Cap. soc. Euro 100.000,00 i.v.\n"
    )
    totals = _candidates(text, "grand_total", every=True)
    assert "732.00" in totals and "100000.00" not in totals


def test_totals_under_a_tables_heading_row_in_right_aligned_cells():
    text = (
        "NOTA DI CREDITO N. NC-012/24\nData: 08/03/2024\n\n"
        "Esigibilità IVA   %IVA   Totale imponibile    Totale imposta    Totale documento\n"
        "I (immediata)     22,00                600,60             132,13               732,73\n"
    )
    fields = _fields(text)
    assert (fields["net_total"], fields["tax_total"], fields["grand_total"]) == ("-600.60", "-132.13", "-732.73")


def test_a_series_before_the_number_in_the_title():
    text = "Fatura-Recibo FR 2024/88\nData: 2024-03-19\n\nTotal   120,00 €\n"
    assert _fields(text)["invoice_number"] == "FR 2024/88"


def test_a_dutch_credit_notes_number_under_its_heading_not_the_invoice_it_corrects():
    text = (
        "Aan                       Creditnota                 Betreft\n"
        "Boekhandel De Leesmuis    Nummer: CN-2024-007        Factuur 2024-0412\n"
        "Veldstraat 62             Datum: 12-03-2024          van 26-02-2024\n\n"
        "Totaal   € -1.790,80\n"
    )
    assert _fields(text)["invoice_number"] == "CN-2024-007"


def test_a_credit_notes_original_invoice_date_is_not_its_own():
    text = (
        "CREDIT NOTE                               CN-24-00087\n\n"
        "CREDIT TO                                 DATE\n"
        "Borneo Timber Traders Sdn. Bhd.           14/10/2024\n"
        "                                          ORIGINAL INVOICE\n"
        "                                          INV-24-01982\n"
        "                                          INVOICE DATE\n"
        "                                          02/09/2024\n\n"
        "Subtotal   2,292.00\nService Tax 8%   183.36\nTotal credit (RM)   2,475.36\n"
    )
    assert _fields(text)["issue_date"] == "2024-10-14"


def test_a_point_of_sale_before_the_number_and_a_names_caption_in_two_words():
    text = (
        "                                        A FACTURA\n"
        "METALÚRGICA DEL PLATA S.R.L.            Punto de Venta: 00004   Comp. Nro: 00001893\n"
        "Razón Social: Metalúrgica Del Plata S.R.L.\n"
        "Condición frente al IVA: IVA Responsable Inscripto     Nº 00004-00001893\n"
        "                                        Fecha de Emisión: 15/04/2024\n\n"
        "CUIT: 30-60517878-9      Apellido y Nombre / Razón Social: Agroinsumos Pampeanos S.A.\n\n"
        "Importe Total: $ 1.210,00\n"
    )
    assert _fields(text)["invoice_number"] == "00004-00001893"
    assert "Agroinsumos Pampeanos S.A." in _candidates(
        text, "buyer_name"
    )  # the caption's name, for the ranker to place


def test_a_caption_whose_colon_stands_apart():
    text = (
        "Distribuidora Patagonia Sur SpA\nFACTURA ELECTRÓNICA\nNº 4521\n\n"
        "SEÑOR(ES)                    : Sociedad Agrícola Los Maitenes Ltda.\n"
        "GIRO                         : Cultivo de frutas de carozo\n"
        "FECHA EMISIÓN                : 15 de Marzo de 2024\n\n"
        "TOTAL   $ 1.190.000\n"
    )
    document = read_invoice(text_to_words(text, "cl.txt"))
    assert document.fields["buyer_name"].value == "Sociedad Agrícola Los Maitenes Ltda."
    assert "buyer_address" not in document.fields  # the form's next rows are no address


def test_an_accounts_number_is_no_phone_and_a_countrys_tax_word_its_country():
    locale = infer_locale(
        ["NIT: 909.242.380-1", "Davivienda Cuenta de Ahorros No. 0045-7002-1187", "Total $ 2.551.795,00"]
    )
    assert locale.country == "CO"
    assert infer_locale(["Tel. 0045 33 12 34 56"]).country == "DK"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Date 08/07/2567", "2024-07-08"),  # the Buddhist era of a Thai date
        ("Jatuh Tempo 14 Agustus 2024", "2024-08-14"),
        ("Vade 15 Ağustos 2024", "2024-08-15"),
    ],
)
def test_more_calendars_and_month_names(text, iso):
    found = find_date(text, True)
    assert found is not None and found[0].isoformat() == iso


def test_an_indonesian_invoice_and_its_long_tax_number():
    text = (
        "PT Nusantara Kemas Mandiri              FAKTUR PENJUALAN\nNPWP: 08.964.375.3-863.000\n"
        "                                        No. INV/2024/07/0153\n\n"
        "KEPADA YTH.                             Tanggal        15 Juli 2024\n"
        "PT Tirta Rasa Makmur                    Jatuh Tempo    14 Agustus 2024\n"
        "                                        No. PO         PO-TRM-2407-221\n\n"
        "Subtotal   Rp 1.000.000,00\nPPN 11%   Rp 110.000,00\nTotal   Rp 1.110.000,00\n"
    )
    fields = _fields(text)
    assert fields["seller_vat_id"] == "08.964.375.3-863.000"
    assert (fields["due_date"], fields["order_reference"], fields["currency"]) == (
        "2024-08-14",
        "PO-TRM-2407-221",
        "IDR",
    )


def test_a_column_of_labels_over_their_values_gives_a_weak_labels_value_too():
    text = (
        "TAX INVOICE                         Invoice Date\n"
        "                                    02/04/2024\n"
        "Southern Alps Adventure Tours Ltd   Invoice Number\n"
        "PO Box 1182                         KC-0893\n"
        "Queenstown 9348                     Reference\n"
        "                                    SAAT-PO-7731\n\n"
        "Subtotal   8,698.50\nTOTAL GST 15%   1,304.78\nTOTAL NZD   10,003.28\n"
    )
    fields = _fields(text)
    assert (fields["invoice_number"], fields["order_reference"]) == ("KC-0893", "SAAT-PO-7731")


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("請求日：2024 年 6 月 28 日", "2024-06-28"),
        ("2024年6月28日", "2024-06-28"),
        ("작성일자 2024년 10월 15일", "2024-10-15"),
    ],
)
def test_dates_written_with_year_month_and_day_signs(text, iso):
    found = find_date(text, True)
    assert found is not None and found[0].isoformat() == iso


def test_the_yens_closing_dash_is_no_minus():
    assert (str(parse_amount("¥355,665-")), str(parse_amount("￥69,169")), str(parse_amount("1.234,56-"))) == (
        "355665",
        "69169",
        "-1234.56",
    )


def test_a_japanese_invoice_its_labels_glued_to_their_values_and_its_addressee():
    text = (
        "                    請 求 書\n"
        "〒150-0002                                  請求書番号：2406-0152\n"
        "                                            請求日：2024年6月28日\n"
        "株式会社ひかり建設 御中                     株式会社みどり商事\n"
        "                                            登録番号：T6176581785561\n\n"
        "お支払期限    2024年7月31日\n\n"
        "                         小計（税抜）   ¥326,330\n"
        "                         消費税          ¥29,335\n"
        "                         合計           ¥355,665\n"
    )
    fields = _fields(text)
    assert (fields["invoice_number"], fields["issue_date"], fields["due_date"]) == (
        "2406-0152",
        "2024-06-28",
        "2024-07-31",
    )
    assert (fields["net_total"], fields["tax_total"], fields["grand_total"]) == ("326330.00", "29335.00", "355665.00")
    assert (fields["buyer_name"], fields["currency"]) == ("株式会社ひかり建設", "JPY")


def test_a_korean_approval_number_is_no_hungarian_account():
    text = "승인번호 20241015-41000087-52318476\n전자세금계산서\n\n작성일자  2024-10-15\n\n합계금액   9,460,000\n"
    assert _fields(text)["invoice_number"] == "20241015-41000087-52318476"


@pytest.mark.parametrize(
    ("label", "fields"),
    [
        ("Regningsnr.", (("invoice_number", True),)),
        ("Restbeløb til betaling DKK", (("amount_due", True),)),
        ("Celkem k úhradě Kč", (("amount_due", True),)),  # a local sign ends the label
        ("Razem do zapłaty zł", (("amount_due", True),)),
        ("ALV rek.", (("seller_vat_id", True),)),
        ("Prejemnik:", (("buyer_name", True),)),
        ("Útgáfudagur", (("issue_date", True),)),
        ("Samtals með VSK", (("grand_total", True),)),
        ("Til greiðslu kr.", (("amount_due", True),)),
        ("Kennitala", ()),
    ],
)
def test_nordic_and_central_european_labels(label, fields):
    assert match(label) == fields


def test_the_buyers_vat_id_beside_its_company_number_under_its_heading():
    text = (
        " Dodavatel:                               Odběratel:\n"
        "  Stavebniny Novák s.r.o.                   IČO: 69294143        DIČ: CZ69294143\n"
        "  Hradecká 1247                             Stavby Šimek s.r.o.\n"
        "  IČO:  28183657                            Pražská třída 318\n"
        "  DIČ:  CZ28183657\n\n"
        " FAKTURA č. 2025010147\n Datum vystavení:  14. 3. 2025\n\n Celkem k úhradě:   94 719,00 Kč\n"
    )
    assert _fields(text)["seller_vat_id"] == "CZ28183657"


def test_a_currencys_code_in_an_items_name_counts_less_than_a_sign_at_an_amount():
    text = (
        "FAKTURA č. 2025010147\nDatum vystavení:  14. 3. 2025\n\n"
        "Paleta EUR – vratná     14 ks     3 500,00\n\nCelkem k úhradě:   3 500,00 Kč\n"
    )
    assert _fields(text)["currency"] == "CZK"


def test_crowns_on_a_danish_page_are_danish():
    text = "Sydjysk Vand & Varme A/S\nCVR DK89542200\nRegningsnr.  4100873215\nDato  10. april 2025\n\nTil betaling   6.454,16 kr.\n"
    fields = _fields(text)
    assert (fields["invoice_number"], fields["currency"]) == ("4100873215", "DKK")


def test_a_weak_heading_among_strong_ones_over_a_totals_row():
    text = (
        "FAKTURA 2025-118\nFakturadatum 2025-03-05\n\n"
        "   Netto          Moms 25 %         Summa        Öresavrundning     Att betala SEK\n"
        "   277 140,50     69 285,13         346 425,63   0,37               346 426,00\n"
    )
    fields = _fields(text)
    assert (fields["grand_total"], fields["amount_due"]) == ("346425.63", "346426.00")


def test_a_slovenian_number_under_its_title():
    text = "Računovodstvo Zupan d.o.o.                 RAČUN\n                                           št. 2025-147\n\nDatum izdaje  15. 4. 2025\n\nZa plačilo   1.220,00 EUR\n"
    assert _fields(text)["invoice_number"] == "2025-147"


def test_a_country_alone_is_no_party_and_a_customers_code_no_name():
    from backoffice.documents import address

    assert address.country("AUSTRALIA") and address.country("Deutschland", "de")
    assert not address.country("Deutschland") and not address.country("Swan Valley Winery Group Pty Ltd")
    text = (
        "                                           CLIENTE\n"
        "Distribuciones Almanzora S.L.              Cód. cliente: 000318\n"
        "Ctra. de Huércal, km 2,5                   Hostelería La Marina S.L.\n"
        "CIF: B62536826                             Paseo Marítimo 41\n\n"
        "FACTURA  2024-A-1187     Fecha 15-03-2024\n\nTotal factura   1.246,55 €\n"
    )
    reader = Reader(text_to_words(text, "es.txt"))
    items, headers = read_lines(reader.lines, reader.decimal_mark)
    named = gather(reader, items, headers, every=False)["buyer_name"]
    assert [c.value for c in named if c.method == "label"] == ["Hostelería La Marina S.L."]


def test_a_heading_of_two_captions_parted_by_a_dash_over_its_value():
    text = (
        "FATTURA N. 118/2024\nData: 05/03/2024\n\n"
        "Dati ordine di acquisto – Id documento          Data              CIG\n"
        "4500/24                                         01-03-2024        Z1A3B4C5D6\n\n"
        "Totale documento   1.220,00\n"
    )
    assert _candidates(text, "order_reference") == ["4500/24"]


def test_titles_parted_by_slashes_and_a_footnotes_company_are_no_party():
    from backoffice.documents.kind import is_title
    from backoffice.documents.letterhead import plausible_name

    assert is_title("Tax Invoice/Bill of Supply/Cash Memo") and is_title("Rechnung / Invoice")
    assert not is_title("Provider / Purchaser")
    assert not plausible_name("*ASSPL-Kartmela Seller Services Pvt. Ltd.")
    assert plausible_name("Kartmela Seller Services Pvt. Ltd.")


@pytest.mark.parametrize(
    ("label", "fields"),
    [
        ("Korrektur-Nr.", (("invoice_number", True),)),
        ("Creditfactuurnummer", (("invoice_number", True),)),
        ("Btw 21% over € 12.050,00", (("tax_total", True),)),  # the base after "over", its sign too
        ("IGST18 (18%)", (("tax_total", True),)),  # the rate glued to the tax's name
        ("VAT 2024", None),
        ("Zamówienie nabywcy:", (("order_reference", True),)),
    ],
)
def test_labels_of_invoicing_software(label, fields):
    assert match(label) == fields


def test_a_stacked_label_reads_below_not_the_next_columns_words_and_an_attention_line_marks_the_buyer():
    text = (
        "CREDIT NOTE\n"
        "Tui Street Café Ltd          Date                    Kōwhai Print & Signage Ltd\n"
        "Attention: Hemi Walker       8 Nov 2023              Unit 3, 27 Ash Street\n"
        "14 Tui Street                Credit Note Number      Auckland 1026\n"
        "Auckland 1022                CN-0042                 NEW ZEALAND\n"
        "                             GST Number              09 555 0192\n"
        "                             132-247-293\n\n"
        "Subtotal   711.50\nTOTAL GST 15%   106.73\nTOTAL NZD   818.23\n"
    )
    fields = _fields(text)
    assert (fields["invoice_number"], fields["seller_vat_id"]) == ("CN-0042", "132-247-293")
    assert fields["buyer_name"] == "Tui Street Café Ltd"


def test_a_dutch_credit_invoices_own_factuurdatum_stays_its_date():
    text = (
        "Creditfactuur\nCreditfactuurnummer   2024-0031\nFactuurdatum          20 maart 2024\n"
        "Betreft factuur       2024-0027 van 4 maart 2024\n\nTotaal   € -1.210,00\n"
    )
    fields = _fields(text)
    assert (fields["invoice_number"], fields["issue_date"]) == ("2024-0031", "2024-03-20")


def test_a_sentence_after_a_due_label_is_no_amount_and_a_space_grouped_rand_amount_names_its_currency():
    assert match("Balance payable on completion, within 7") is None  # "on" a base only with a figure
    text = (
        "TAX INVOICE\nInvoice #   INV0417\nDate   2024/03/12\n\n"
        "Sub Total   R 130 120,00\nVAT 15%   R 19 518,00\nTotal   R 149 638,00\n"
        "Less: deposit received 2024/02/20   R -65 000,00\nAmount Due   R 84 638,00\n\n"
        "Balance payable on completion, within 7 days. Goods remain ours until paid in full.\n"
    )
    fields = _fields(text)
    assert (fields["currency"], fields["amount_due"]) == ("ZAR", "84638.00")


def test_a_letters_subject_line_names_the_invoice_and_the_balance_due_upon_receipt():
    text = (
        "March 4, 2024\n\nMrs. Eleanor Whitcomb\n27 Orchard Lane\n\nRe: Invoice No. 2024-017 – kitchen built-ins\n\n"
        "Subtotal   9,477.40\nVermont sales tax (6%)   568.64\nTotal   $10,046.04\n"
        "Less deposit received January 30, 2024   -3,000.00\nBalance due upon receipt   $7,046.04\n"
    )
    fields = _fields(text)
    assert (fields["invoice_number"], fields["amount_due"]) == ("2024-017", "7046.04")


def test_the_buyers_id_in_its_block_under_an_attention_line_and_after_its_label():
    text = (
        "Tischlerei Gruber e.U.                     Halleiner Landesstraße 52\n\n"
        "Gasthof Zur Post Leitner KG                Rechnung Nr.    AR-2024-041\n"
        "z. H. Herrn Josef Leitner                  Datum           12. März 2024\n"
        "Marktplatz 3\n5440 Golling an der Salzach\nUID: ATU90399701\n\n\n"
        "RECHNUNG\n\nPos  Bezeichnung            Menge   Einzelpreis   Gesamtpreis\n"
        "1    Zirbenstube Tisch          1      9.800,00      9.800,00\n"
        "2    Eckbank Zirbe              1      5.748,00      5.748,00\n\n"
        "Summe netto   15.548,00\nUSt. 20 %   3.109,60\nSumme   18.657,60\n\n"
        "Tischlerei Gruber e.U. · FN 398812 m · UID ATU74208751\n"
    )
    assert _fields(text)["seller_vat_id"] == "ATU74208751"
    from backoffice.documents.labels import MORE, clean, compile_pattern

    assert compile_pattern(MORE["buyer_vat_id"]).fullmatch(clean("USt-Id Nr. Kunde:"))  # the customer's VAT id


@pytest.mark.parametrize(
    ("text", "department"),
    [("Afdeling Vastgoedonderhoud", True), ("Abteilung Einkauf", True), ("Woningcorporatie Het Lage Land", False)],
)
def test_a_department_word_opens_a_department(text, department):
    from backoffice.documents import address
    from backoffice.documents.letterhead import department as is_department

    assert is_department(text) == department
    assert address.line("Woningcorporatie Het Lage Land") is False  # a Dutch "-tie" is no Finnish road
