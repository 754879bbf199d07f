"""The language of a scan told from a first OCR pass in English (accents dropped), named as
tesseract's language packs are, with the invoice reader's own vocabulary (documents/locale.py)."""

from __future__ import annotations

import pytest

from backoffice.documents import locale, ocr_language


def test_every_language_the_reader_knows_has_a_tesseract_pack():
    assert set(ocr_language.CODES) == set(locale.WORDS)
    assert all(len(code) == 3 for code in ocr_language.CODES.values())


@pytest.mark.parametrize(
    "words,expected",
    [
        (["Invoice", "Number", "Date", "Total", "due", "Thank", "you", "for", "your", "order"], "eng"),
        (["Rechnung", "Rechnungsdatum", "Gesamtbetrag", "zahlbar", "bis", "fur", "Ihre", "Bestellung"], "deu"),
        (["FACTURE", "Date", "Montant", "total", "TTC", "TVA", "echeance", "pour", "le", "client"], "fra"),
        (["Factuur", "factuurdatum", "Totaal", "btw", "betaling", "voor", "het", "bedrag"], "nld"),
        (["Faktura", "Sprzedawca", "Nabywca", "Razem", "netto", "brutto", "termin", "zaplaty"], "pol"),
    ],
)
def test_the_first_pass_words_name_the_language(words, expected):
    assert ocr_language.guess(words) == expected


def test_too_few_words_name_no_language():
    assert ocr_language.guess(["12.03.2024", "1,234.56", "ACME"]) is None
