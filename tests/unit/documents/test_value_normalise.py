"""Printed amounts, dates, currencies and identifiers to normalised values, in several locales."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backoffice.documents.normalise import (
    currency_of,
    find_date,
    find_iban,
    find_vat_id,
    format_amount,
    format_quantity,
    guess_day_first,
    guess_decimal_mark,
    iban_valid,
    parse_amount,
    parse_date,
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1,234.56", "1234.56"),  # en
        ("1.234,56", "1234.56"),  # de
        ("1 234,56", "1234.56"),  # fr, with a space
        ("1\u202f234,56", "1234.56"),  # fr, with a narrow no-break space
        ("1'234.56", "1234.56"),  # ch
        ("2’500.00", "2500.00"),  # ch, with a typographic apostrophe
        ("18’655.00 CHF", "18655.00"),
        ("?1,787.50", "1787.50"),  # a currency sign the PDF's font could not encode
        ("1.234.567,89", "1234567.89"),
        ("$4.11", "4.11"),
        ("€ 399,00", "399.00"),
        ("45,93 €", "45.93"),
        ("12,50 EUR", "12.50"),
        ("USD 1,000.00", "1000.00"),
        ("£9,030.59", "9030.59"),
        ("Rs 1939", "1939.00"),
        ("29.99 € TTC", "29.99"),
        ("(40.00)", "-40.00"),
        ("-14,99", "-14.99"),
        ("0 €", "0.00"),
        ("0.125", "0.125"),
        ("-£247.50", "-247.50"),  # a sign or brackets outside the currency sign
        ("−€ 12,00", "-12.00"),
        ("($1,500.00)", "-1500.00"),
        ("R 1,886.37", "1886.37"),  # the South African rand
        ("10,94,981.00", "1094981.00"),  # India: lakh and crore
        ("₹ 4,85,000.00", "485000.00"),
        ("CA$1,446.40", "1446.40"),  # a dollar with its country's letters
        ("AU$ 12.00", "12.00"),
        ("RM 213.72", "213.72"),  # the ringgit, the forint, the lev
        ("900 684 Ft", "900684.00"),
        ("15 646,80 лв.", "15646.80"),
    ],
)
def test_amounts(text, value):
    assert format_amount(parse_amount(text)) == value


@pytest.mark.parametrize(
    "text",
    [
        "15.00%",
        "abc",
        "1,2,3",
        "12 34",
        "EUR",
        "",
        "3 , 2014",
        "1.23.45",
        "XYZ 12.00",
        "12’5",
        "1’23.00",
        "12,34.00",
        "1,23,45.00",
    ],
)
def test_what_is_not_an_amount(text):
    assert parse_amount(text) is None


def test_a_lone_separator_before_three_digits_follows_the_document():
    assert parse_amount("1,234") == Decimal("1234")
    assert parse_amount("1,234", decimal_mark=",") == Decimal("1.234")
    assert parse_amount("1.234", decimal_mark=".") == Decimal("1.234")
    assert parse_amount("1.234", decimal_mark=",") == Decimal("1234")


def test_the_decimal_mark_is_guessed_from_how_amounts_end():
    assert guess_decimal_mark(["Summe 1.234,56 EUR", "MwSt 19,00"]) == ","
    assert guess_decimal_mark(["Total $1,234.56", "Tax 0.00"]) == "."
    assert guess_decimal_mark(["no amounts here"]) is None


def _printed(value: Decimal, style: str) -> str:
    text = f"{value:,.2f}"
    if style == "de":
        return text.replace(",", "_").replace(".", ",").replace("_", ".")
    if style == "fr":
        return text.replace(",", " ").replace(".", ",")
    return text


@given(
    value=st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False),
    style=st.sampled_from(["en", "de", "fr"]),
)
def test_any_printed_amount_reads_back(value, style):
    mark = "." if style == "en" else ","
    assert parse_amount(_printed(value, style), decimal_mark=mark) == value


def test_money_and_quantities_are_formatted_plainly():
    assert format_amount(Decimal("1234.5")) == "1234.50"
    assert format_amount(Decimal("12")) == "12.00"
    assert format_quantity(Decimal("2.50")) == "2.5"
    assert format_quantity(Decimal("10")) == "10"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2024-03-05", "2024-03-05"),
        ("05.03.2024", "2024-03-05"),
        ("5.3.24", "2024-03-05"),
        ("05/03/2024", "2024-03-05"),
        ("05-03-2024", "2024-03-05"),
        ("March 5, 2024", "2024-03-05"),
        ("Mar 5 2024", "2024-03-05"),
        ("5 Mar 2024", "2024-03-05"),
        ("5th March 2024", "2024-03-05"),
        ("August 3 , 2014", "2014-08-03"),
        ("7. Mai 2014", "2014-05-07"),
        ("5. März 2024", "2024-03-05"),
        ("02 Juillet 2015", "2015-07-02"),
        ("12 févr. 2024", "2024-02-12"),
        ("19 april 2014", "2014-04-19"),
        ("5 de marzo de 2024", "2024-03-05"),
        ("03/20/2023", "2023-03-20"),
        ("27-Feb-2019", "2019-02-27"),  # the month's name between hyphens or slashes
        ("27/feb/19", "2019-02-27"),
        ("03-MAR-24", "2024-03-03"),
        ("8. 3. 2025", "2025-03-08"),  # Czech and Slovak: a space after each dot
        ("11. 7. 2024", "2024-07-11"),
        ("2025. 03. 08.", "2025-03-08"),  # Hungarian: the year first
        ("2025. április 1.", "2025-04-01"),  # and with the month's name
        ("2024 m. kovo 14 d.", "2024-03-14"),  # Lithuanian, the month's name in the genitive
    ],
)
def test_dates(text, iso):
    assert parse_date(text).isoformat() == iso


def test_slashed_dates_follow_the_document_when_both_parts_could_be_the_month():
    assert parse_date("05/03/2024", day_first=True) == date(2024, 3, 5)
    assert parse_date("05/03/2024", day_first=False) == date(2024, 5, 3)
    assert parse_date("05.03.2024", day_first=False) == date(2024, 3, 5)  # dots are always day first
    assert guess_day_first(["Date: 03/20/2023"]) is False
    assert guess_day_first(["Date: 20/03/2023"]) is True
    assert guess_day_first(["Date: 03/04/2023"], currency="USD") is False
    assert guess_day_first(["Date: 03/04/2023"], currency="EUR") is True


@pytest.mark.parametrize(
    "text",
    ["31.02.2024", "31 février 2024", "13/13/2024", "2024", "Invoice 12345", "05.03.", "1. 2. 3", "21.00% 3 570,64"],
)
def test_what_is_not_a_date(text):
    assert parse_date(text) is None


def test_a_date_is_found_inside_text_with_its_span():
    found = find_date("TOTAL AMOUNT DUE ON August 3 , 2014")
    assert found is not None
    assert found[0] == date(2014, 8, 3)
    assert "TOTAL AMOUNT DUE ON August 3 , 2014"[slice(*found[1])] == "August 3 , 2014"
    assert parse_date("ON August 3 , 2014") is None  # not a date on its own


@pytest.mark.parametrize(
    ("token", "code"),
    [
        ("€", "EUR"),
        ("$", "USD"),
        ("£", "GBP"),
        ("EUR", "EUR"),
        ("(CHF)", "CHF"),
        ("Rs.", "INR"),
        ("euro", "EUR"),
        ("Eur", None),
        ("ABC", None),
    ],
)
def test_currencies(token, code):
    assert currency_of(token) == code


def test_ibans_are_checked_and_compacted():
    assert iban_valid("DE89 3704 0044 0532 0130 00")
    assert not iban_valid("DE88 3704 0044 0532 0130 00")
    assert find_iban("IBAN: DE89 3704 0044 0532 0130 00 BIC: COBADEFFXXX")[0] == "DE89370400440532013000"
    assert find_iban("IBAN : FR76 10107 00245 00617052317 39 - BIC")[0] == "FR7610107002450061705231739"
    assert find_iban("Account DE88 3704 0044 0532 0130 00") is None


def test_vat_ids_lose_their_spaces():
    assert find_vat_id("USt-IdNr.: DE 232 446 240")[0] == "DE232446240"
    assert find_vat_id("BTW NL810433941B01")[0] == "NL810433941B01"
    assert find_vat_id("MVA-nr.: NO 550 469 511 MVA")[0] == "NO550469511MVA"  # Norway: NO ... MVA
    assert find_vat_id("VAT Reg. No. GB 423 6671 27")[0] == "GB423667127"
    assert find_vat_id("UID-Nr.: ATU 68451237")[0] == "ATU68451237"  # a space after the country's prefix
    assert find_vat_id("VAT Reg. No.: IE 3478219LH")[0] == "IE3478219LH"
    assert find_vat_id("N° TVA intra : FR 11 123 456 782")[0] == "FR11123456782"
    assert find_vat_id("Tax ID 12-3456789") is None


def test_vat_ids_keep_their_printed_marks():
    """As a person copies them and the corpus's rules score them: the dots and dashes stay, with a
    Swiss number's tax name; a label's own next label does not cut them ("Org.nr. NO ... MVA")."""
    assert find_vat_id("UID: CHE-116.281.710 MWST")[0] == "CHE-116.281.710MWST"
    assert find_vat_id("N° TVA : CHE-502.847.091 TVA")[0] == "CHE-502.847.091TVA"
    assert find_vat_id("BTW BE 0463.630.108")[0] == "BE0463.630.108"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("MVA-reg.nr. IE 8256796 U", "IE8256796U"),  # an EU number printed with spaces, its check digits right
        ("ABN : 16 084 165 328", "16084165328"),
        ("CNPJ 81.583.054/0001-29", "81.583.054/0001-29"),
        ("GSTIN: 29AAHCS6672E1ZZ", "29AAHCS6672E1ZZ"),
        ("GSTIN/UIN: 29AAHCS6672E 1ZZ", "29AAHCS6672E1ZZ"),  # parted by OCR, its check digit right
        ("GST/HST # 12201 6769 RT0001", "122016769RT0001"),
        ("NIP 531-941-95-88", "531-941-95-88"),  # as printed, only its spaces gone
        ("CUIT 20-12345678-6", "20-12345678-6"),
        ("Registration No.: T4010001234567", "T4010001234567"),  # Japan's invoice registration, its check right
    ],
)
def test_tax_numbers_by_shape_and_checksum(text, found):
    assert find_vat_id(text)[0] == found


@pytest.mark.parametrize(
    "text", ["Total 12 345 678 901", "CNPJ 81.583.054/0001-28", "IE 8256796 X", "Call 20-12345678-1"]
)
def test_shapes_whose_checksum_fails_are_no_tax_numbers(text):
    assert find_vat_id(text) is None


@pytest.mark.parametrize(("text", "value"), [("75.61CR", "-75.61"), ("5.73 CR", "-5.73"), ("12.00 DR", "12.00")])
def test_a_credit_marked_cr_is_negative(text, value):
    assert parse_amount(text) == Decimal(value)
