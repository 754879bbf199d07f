"""Words into lines: a page's rows, each row's phrases left to right."""

from __future__ import annotations

from backoffice.documents.layout import lines_of
from backoffice.documents.words import Word


def test_small_print_set_a_hair_lower_keeps_out_of_the_row_beside_it():
    """Chromium's boxes as printed: an amount a fraction higher than its label, a small heading in
    the left column between them in reading order. Label and amount stay one row."""
    words = [
        Word("$5,564.97", 526.7, 413.14, 564.0, 421.61, 1, 11.0),
        Word("notes", 48.6, 413.33, 70.0, 417.79, 1, 8.0),
        Word("Subtotal", 357.6, 413.36, 388.0, 421.61, 1, 11.0),
        Word("Tax", 357.6, 431.0, 372.0, 440.0, 1, 11.0),
        Word("$0.00", 543.0, 431.2, 564.0, 440.0, 1, 11.0),
    ]
    rows = [[phrase.text for phrase in line.phrases] for line in lines_of(words)]
    assert rows == [["Subtotal", "$5,564.97"], ["notes"], ["Tax", "$0.00"]]


def test_rows_a_line_apart_stay_apart():
    words = [
        Word(text, 50.0 + 60 * (n % 2), 100.0 + 9.0 * (n // 2), 100.0 + 60 * (n % 2), 108.0 + 9.0 * (n // 2), 1, 8.0)
        for n, text in enumerate(["Net", "10.00", "VAT", "2.00", "Total", "12.00"])
    ]
    rows = [[phrase.text for phrase in line.phrases] for line in lines_of(words)]
    assert rows == [["Net", "10.00"], ["VAT", "2.00"], ["Total", "12.00"]]
