"""What can be a party's name: legal forms, address lines, web domains and column heads."""

from __future__ import annotations

from backoffice.documents import letterhead
from backoffice.documents.layout import Phrase
from backoffice.documents.pdf import Word


def _phrase(text: str) -> Phrase:
    words, x = [], 50.0
    for token in text.split():
        words.append(Word(token, x, 700.0, x + 6 * len(token), 708.0, 1, 7.0))
        x += 6 * len(token) + 3
    return Phrase(words)


def test_names_are_not_domains_formulas_column_heads_or_a_legal_form_alone():
    assert letterhead.plausible_name("Enbridge Gas Distribution Inc.")
    assert letterhead.plausible_name("Becker Design s.r.o.")
    assert not letterhead.plausible_name("enbridgegas.com")
    assert not letterhead.plausible_name("( ELECTRONIC BILL VERIFICATION CODE = 248CU959 )")
    assert not letterhead.plausible_name("PRESTADOR / FORNECEDOR")
    assert not letterhead.plausible_name("SARL")
    assert not letterhead.plausible_name("TAX INVOICE")


def test_legal_forms_of_many_countries_and_not_a_capitalised_sentence():
    for name in ("Iberia Software a.s.", "Delta s.r.o.", "Firma Sp. z o.o.", "Nordic AB", "Kone Oy", "Snill AS, Oslo"):
        assert letterhead.LEGAL.search(name), name
    assert not letterhead.LEGAL.search("PAID AS AGREED")


def test_a_footer_line_gives_the_company_that_opens_it():
    phrase = _phrase("Microsoft Ireland Operations Ltd, One Microsoft Place, Dublin 18")
    words = letterhead.legal_name(phrase)
    assert words is not None and " ".join(w.text for w in words) == "Microsoft Ireland Operations Ltd,"
    assert letterhead.legal_name(_phrase("One Microsoft Place, Dublin 18")) is None


def test_address_lines_read_as_addresses_and_names_do_not():
    for line in ("TORONTO ON M4J 3G3", "Unit 1, Fork Works, Rotherham, S1 1RT", "13 LE PEREY", "Hauptstraße 7"):
        assert letterhead.address_like(line), line
    for name in ("Kitchener Utilities", "Scrooge McDuck", "Orange Demo Inc."):
        assert not letterhead.address_like(name), name
