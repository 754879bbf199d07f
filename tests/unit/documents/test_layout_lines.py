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


def test_a_paragraph_set_close_to_the_totals_column_parts_where_that_column_starts():
    """Chromium's boxes of a payment note beside the totals: "GST" starts 8.5 pt after the note's
    last word (less than a phrase gap) where "Subtotal" and "Total" start; it is a phrase of its own.
    The same gap elsewhere in the note, where no column starts, parts nothing."""

    def word(text, x0, x1, top, size=10.7):
        return Word(text, x0, top, x1, top + 9, 1, size)

    words = [
        word("Roasters", 205.3, 237.1, 440.0),
        word("Subtotal", 291.7, 323.8, 440.0, 11.7),
        word("$2,271.00", 509.4, 548.5, 440.0, 11.7),
        word("use", 200.0, 214.0, 460.0),
        word("number", 222.5, 245.4, 460.0),
        word("00002317", 247.7, 283.2, 460.0),
        word("GST", 291.7, 309.5, 460.5, 11.7),
        word("$67.00", 521.6, 548.5, 460.5, 11.7),
        word("Total", 291.7, 310.0, 480.0, 11.7),
        word("$2,271.00", 509.4, 548.5, 480.0, 11.7),
    ]
    rows = [[phrase.text for phrase in line.phrases] for line in lines_of(words)]
    assert rows[1] == ["use number 00002317", "GST", "$67.00"]
