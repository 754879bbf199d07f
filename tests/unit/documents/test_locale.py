"""The locale of a document, from all of its words together: language, country, date order,
decimal mark and what ``$`` means."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backoffice.documents.extract import extract
from backoffice.documents.invoice import read_invoice
from backoffice.documents.locale import infer_locale
from backoffice.documents.normalise import currency_named, month_names, parse_date
from backoffice.documents.textgrid import text_to_words

CORPUS = Path(__file__).resolve().parents[3] / ".." / "shared" / "corpus" / "real-invoices"


@pytest.mark.parametrize(
    ("lines", "language"),
    [
        (["Invoice", "Please pay the amount due by the due date", "Thank you for your order"], "en"),
        (["Rechnung", "Bitte zahlen Sie den Betrag bis zum Fälligkeitsdatum", "Summe netto"], "de"),
        (["Facture", "Montant à payer avant la date d'échéance", "Total TTC"], "fr"),
        (["Factuur", "Het bedrag te betalen voor de vervaldatum", "Totaal excl. btw"], "nl"),
        (["Factura", "Importe total a pagar antes de la fecha de vencimiento"], "es"),
        (["Fattura", "Importo totale da pagare entro la data di scadenza"], "it"),
        (["Fatura", "Valor total a pagar até a data de vencimento", "Descrição"], "pt"),
        (["Faktura VAT", "Termin płatności", "Razem do zapłaty", "Sprzedawca", "Nabywca"], "pl"),
        (["Faktura - daňový doklad", "Datum splatnosti", "Celkem k úhradě", "Dodavatel", "Odběratel"], "cs"),
        (["Faktura", "Att betala", "Förfallodatum", "Summa att betala och moms"], "sv"),
        (["Faktura", "Beløb i alt", "Forfaldsdato", "Moms og betaling"], "da"),
        (["Faktura", "Beløp å betale", "Forfallsdato", "Sum mva og betaling"], "no"),
        (["Lasku", "Eräpäivä", "Yhteensä", "Alv ja veroton hinta", "Maksu"], "fi"),
    ],
)
def test_language_from_the_words(lines, language):
    assert infer_locale(lines).language == language


def test_too_few_words_name_no_language():
    assert infer_locale(["12345", "2024-05-03"]).language is None


def test_a_uk_invoice_in_pounds_reads_slashed_dates_day_first():
    locale = infer_locale(["INVOICE", "Date: 09/05/2016", "VAT Reg No: GB 123 4567 89", "Total £ 1,234.50"])
    assert (locale.country, locale.day_first, locale.decimal_mark, locale.currency) == ("GB", True, ".", "GBP")
    document = read_invoice(
        text_to_words("INVOICE\nInvoice date: 09/05/2016\nVAT Reg No: GB 123 4567 89\nTotal: £1,234.50\n", "uk.txt")
    )
    assert document.fields["issue_date"].value == "2016-05-09"


def test_a_us_invoice_reads_them_month_first():
    locale = infer_locale(["Invoice", "Date 03/04/2024", "Total $ 1,500.00", "Thank you for your order"])
    assert (locale.country, locale.day_first, locale.currency) == ("US", False, "USD")


def test_one_date_with_a_day_above_12_settles_all_of_them():
    assert infer_locale(["Invoice", "Date 03/04/2024", "Due 13/04/2024", "Total $ 10.00"]).day_first is True
    assert infer_locale(["Rechnung", "Datum 03/04/2024", "Fällig 04/13/2024", "Summe 10,00 €"]).day_first is False


def test_the_decimal_mark_comes_from_all_amounts_together():
    assert infer_locale(["Summe 1.234,56 EUR", "MwSt 19,00", "Datum 03.05.2024"]).decimal_mark == ","
    assert infer_locale(["Total $1,234.56", "Tax 0.00"]).decimal_mark == "."
    # no amount says it: the language and country do (CLDR)
    assert infer_locale(["Rechnung", "Bitte zahlen Sie bis", "USt-IdNr. DE136695976", "1.234"]).decimal_mark == ","


def test_dollar_signs_with_pesos_are_not_us_dollars():
    locale = infer_locale(["FACTURA", "Fecha 03/04/2024", "Total $ 1.500,00 PESOS"])
    assert locale.dollar is None and locale.currency is None
    document = read_invoice(
        text_to_words("FACTURA\nFactura N° 0001-00000123\nFecha: 03/04/2024\nTotal: $ 1.500,00 PESOS\n", "ar.txt")
    )
    assert "currency" not in document.fields
    assert document.fields["grand_total"].value == "1500.00"


def test_a_canadian_bill_in_dollars_is_in_canadian_dollars():
    locale = infer_locale(["Electricity bill", "Amount due $123.45", "GST/HST 123456789", "Kitchener ON N2G 4G7"])
    assert (locale.country, locale.dollar, locale.currency) == ("CA", "CAD", "CAD")
    assert any("N2G 4G7" in line for line in locale.evidence)


def test_country_from_vat_id_iban_and_phone():
    locale = infer_locale(
        ["Fattura n. 5", "Partita IVA IT00743110157", "IBAN IT60 X054 2811 1010 0000 0123 456", "Tel. +39 02 1234567"]
    )
    assert locale.country == "IT"
    assert any("VAT id IT00743110157" in line for line in locale.evidence)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("3 May 2024", "2024-05-03"),
        ("16. září 2018", "2018-09-16"),
        ("3 maggio 2024", "2024-05-03"),
        ("3 de maio de 2024", "2024-05-03"),
        ("3 maja 2024", "2024-05-03"),
        ("3. toukokuuta 2024", "2024-05-03"),
        ("3. Okt. 2024", "2024-10-03"),
        ("12 janv. 2024", "2024-01-12"),
        ("3 mei 2024", "2024-05-03"),
        ("3. mars 2024", "2024-03-03"),
        ("1. prosince 2018", "2018-12-01"),
        ("3. Jänner 2024", "2024-01-03"),
        ("3 dicembre 2024", "2024-12-03"),
        ("3 okt 2024", "2024-10-03"),
        ("May 3, 2024", "2024-05-03"),
    ],
)
def test_written_months_in_every_language(text, iso):
    assert parse_date(text).isoformat() == iso


def test_month_names_come_from_cldr_for_each_language():
    names = month_names()
    assert names["září"] == names["zari"] == 9  # also without accents, as OCR often reads them
    assert names["maggio"] == names["toukokuuta"] == names["maja"] == 5
    assert parse_date("3 items 2024") is None  # a word between a day and a year is no month by shape


CANADIAN_BILL = CORPUS / "ryanfobel__utility-bill-scraper" / "tests" / "Kitchener Utilities"


@pytest.mark.skipif(not CANADIAN_BILL.exists(), reason="the shared corpus is not here")
def test_a_real_canadian_utility_bill_is_read_in_canadian_dollars():
    path = next(CANADIAN_BILL.glob("*.pdf"))
    assert extract(path, ignore_embedded=True).fields["currency"].value == "CAD"


def test_local_signs_from_cldr_name_the_currency():
    czech = read_invoice(
        text_to_words("Faktura č. 2018-0042\nDatum vystavení: 16. září 2018\nCelkem k úhradě: 1 210,00 Kč\n", "cz.txt")
    )
    assert czech.fields["currency"].value == "CZK" and czech.fields["currency"].text == "Kč"
    assert czech.fields["issue_date"].value == "2018-09-16"
    swedish = read_invoice(
        text_to_words(
            "Faktura\nFakturanummer: 5512\nOrg.nr 556677-8899\nMomsreg.nr SE556677889901\nAtt betala: 1 250,00 kr\n",
            "se.txt",
        )
    )
    assert swedish.fields["currency"].value == "SEK"  # "kr" is the crown of the country the VAT id names


def test_the_locale_as_features_for_a_ranker():
    settled = infer_locale(["Rechnung", "Bitte zahlen Sie bis zum 13.04.2024", "Summe 1.234,56 EUR"])
    assert settled.dates_settled and settled.amounts_settled
    features = settled.features()
    assert features["language_de"] == 1.0 and features["language_en"] == 0.0
    assert (features["day_first"], features["decimal_comma"], features["dates_settled"]) == (1.0, 1.0, 1.0)
    guessed = infer_locale(["Invoice", "Date 03/04/2024", "Thank you for your order"])
    assert not guessed.dates_settled and guessed.features()["dates_settled"] == 0.0
    assert all(isinstance(value, float) for value in features.values())


def test_a_number_with_leading_zeros_is_no_phone_prefix():
    assert infer_locale(["Invoice Number INV-0046", "Total $ 10.00"]).country == "US"  # not Sweden (+46)
    assert infer_locale(["Tel. 0046 8 123 456", "Faktura"]).country == "SE"


@given(
    st.lists(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)), min_size=1, max_size=6), st.booleans()
)
@settings(max_examples=200, deadline=None)
def test_any_date_with_a_day_above_12_settles_the_order_of_all(days, day_first):
    if not any(d.day > 12 for d in days):
        days = [*days, date(2024, 5, 20)]
    lines = [f"Date {d:%d/%m/%Y}" if day_first else f"Date {d:%m/%d/%Y}" for d in days]
    assert infer_locale(["Invoice", *lines]).day_first is day_first


@given(st.lists(st.decimals(min_value=1, max_value=999999, places=2), min_size=1, max_size=8), st.booleans())
@settings(max_examples=200, deadline=None)
def test_amounts_written_either_way_give_their_decimal_mark(amounts, comma):
    lines = [f"{a:,.2f}".replace(",", "\u00a0" if comma else ",").replace(".", "," if comma else ".") for a in amounts]
    assert infer_locale(lines).decimal_mark == ("," if comma else ".")


@pytest.mark.parametrize(
    ("lines", "country", "dollar"),
    [
        (["Tax Invoice", "ABN 51 824 753 556", "Total $1,234.00"], "AU", "AUD"),  # an ABN whose checksum holds
        (["Invoice", "Sydney NSW 2000", "Phone +61 2 9876 5432", "Total $1,234.00"], "AU", "AUD"),
        (["Invoice", "GST/HST 123456789 RT0001", "Total $1,234.00"], "CA", "CAD"),  # a Canadian business number
        (["Invoice", "Tel. +1 416 555 1234", "Total $1,234.00"], "CA", "CAD"),  # +1 with a Toronto area code
        (["Invoice", "Portland, OR 97205", "(503) 555-1234", "Total $1,234.00"], "US", "USD"),
    ],
)
def test_which_dollar_from_the_country_the_page_points_to(lines, country, dollar):
    locale = infer_locale(lines)
    assert (locale.country, locale.dollar, locale.currency) == (country, dollar, dollar)
    assert not locale.dollar_doubt


def test_a_dollar_sign_that_nothing_explains_is_read_without_confidence():
    lines = ["Invoice", "Invoice No.: 2019-967", "Total incl. VAT: $117,484.97", "VAT Reg. No.: GB195198828"]
    assert infer_locale(lines).dollar_doubt
    document = read_invoice(text_to_words("\n".join(lines) + "\n", "gb-dollars.txt"))
    assert document.fields["currency"].confidence <= 0.5
    assert any("which dollar" in warning for warning in document.warnings)
    # a code says which: no doubt
    assert not infer_locale(["Invoice", "Total: USD 10.00 ($10.00)", "VAT Reg. No.: GB195198828"]).dollar_doubt


def test_a_date_that_reads_both_ways_where_country_and_currency_disagree_is_not_sure():
    lines = ["INVOICE F2024/7610 - 03/12/2024", "London EC1A 1BB", "VAT number: GB879800895", "Total: USD 501.60"]
    locale = infer_locale(lines)
    assert locale.day_first and locale.order_doubt
    document = read_invoice(text_to_words("\n".join(lines) + "\n", "gb-usd.txt"))
    assert document.fields["issue_date"].confidence <= 0.5
    # a date with a day above 12 settles it; and a UK invoice in pounds has nothing to doubt
    assert not infer_locale([*lines, "Due 28/12/2024"]).order_doubt
    assert not infer_locale(["Invoice date: 09/05/2016", "VAT Reg No: GB 123 4567 89", "Total £ 1,234.50"]).order_doubt


def test_one_address_printed_thrice_is_one_vote_against_a_vat_id():
    address = "Keizersgracht 123, Austin, TX 78701"
    lines = ["FATURA", address, address, "Data 22/07/2025", address, "N.º contribuinte: PT248704941"]
    assert infer_locale(lines).country == "PT"


@pytest.mark.parametrize(
    ("text", "language", "code"),
    [
        ("Swiss francs", None, "CHF"),
        ("svenska kronor", "sv", "SEK"),
        ("česká koruna", "cs", "CZK"),
        ("złoty polski", "pl", "PLN"),
        ("norske kroner", "no", "NOK"),
        ("Schweizer Franken", "de", "CHF"),
    ],
)
def test_currency_names_come_from_cldr(text, language, code):
    assert currency_named(text, language) == (code, 2)


def test_a_currency_written_out_beside_its_label_is_read():
    document = read_invoice(
        text_to_words("Faktura\nFakturanummer: 5512\nValuta: svenska kronor\nAtt betala: 1 250,00\n", "se.txt")
    )
    assert document.fields["currency"].value == "SEK" and document.fields["currency"].text == "svenska kronor"
    assert currency_named("dollars") is None  # several currencies are dollars: the name says none of them


def test_a_country_domain_and_a_bracketed_code_say_which_dollar():
    """A New Zealand plumber's invoice: "$" on every amount, "Amount Due (NZD)" once and a .co.nz
    mail address; the dollars are New Zealand's and the dates day first."""
    page = (
        "Kiwi Plumbing & Gas Limited                    TAX INVOICE\n"
        "Phone: 07 847 2213 Email: office@kiwiplumbinggas.co.nz\n"
        "Invoice No 7731       Date 04/07/2024\n\n"
        "Labour - registered plumber     5.5     115.00     $632.50\n"
        "Subtotal (excl GST)    $632.50\nGST 15%    $94.88\nAmount Due (NZD)    $727.38\n"
    )
    locale = infer_locale(page.splitlines())
    assert locale.country == "NZ" and locale.dollar == "NZD" and locale.day_first
    fields = read_invoice(text_to_words(page, "nz.txt")).fields
    assert fields["currency"].value == "NZD" and fields["issue_date"].value == "2024-07-04"
