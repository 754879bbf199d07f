"""What the OCR reader makes of tesseract's words so that they carry the evidence a text layer's
words carry: a font size (not the height of the word's ink), a dash on its line, no word read
twice, an O or a zero as its shape shows."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from backoffice.documents import letterhead, ocr
from backoffice.documents.invoice import Reader
from backoffice.documents.layout import lines_of
from backoffice.documents.words import PdfText

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")


def test_words_of_one_line_get_one_size_whatever_their_letters_reach():
    data = {  # one 11-pt line at 200 dpi: "acme" is only x-height tall, "Shipping" reaches up and down
        "text": ["acme", "Shipping", "Co."],
        "conf": [95, 96, 94],
        "left": [100, 230, 480],
        "top": [108, 100, 100],
        "width": [110, 220, 60],
        "height": [16, 28, 22],
        "line": [0, 0, 0],
    }
    sizes = {w.text: w.size for w in ocr._words(data, 200 / 72, 1)}
    assert sizes["acme"] == sizes["Shipping"] == sizes["Co."]
    assert 10 <= sizes["acme"] <= 12.5  # a font size, not an ink height (16 px: 5.8 pt)


def test_sizes_close_together_are_made_one_and_far_apart_stay_apart():
    merged = ocr._merged([10.0, 10.4, 10.9, 9.8, 10.2, 18.0, 17.5, 8.0])
    assert len(set(merged[:5])) == 1 and merged[0] == pytest.approx(10.2)
    assert merged[5] == merged[6] != merged[0]
    assert merged[7] < merged[0]


def letter() -> Image.Image:
    """The top of an A4 page at 200 dpi: a 20-pt letterhead in capitals (no legal form), and an
    11-pt address block with a legal form, a street and a postcode below it."""
    image = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(image)
    big, body = ImageFont.load_default(size=56), ImageFont.load_default(size=31)
    draw.text((160, 150), "NORDWIND HANDEL", fill=0, font=big)
    for number, line in enumerate(["Gruppe Kunde GmbH", "Hauptstraße 5", "10115 Berlin"]):
        draw.text((160, 330 + 45 * number), line, fill=0, font=body)
    for number, line in enumerate(["Invoice number: 4711", "Date: 12.03.2024", "Total: 1,234.56 EUR"]):
        draw.text((1000, 330 + 45 * number), line, fill=0, font=body)
    return image


@needs_tesseract
def test_the_letterhead_read_by_ocr_is_the_largest_text_and_names_the_seller():
    """By the height of their ink, the capitals of the 20-pt letterhead (0.72 em: 14.4 pt) stood
    below the 11-pt "Gruppe Kunde GmbH" with its legal form and address (10.1 pt of ink + 5):
    the buyer was taken for the seller."""
    reader = ocr.PageReader("letter.png", languages="eng")
    words = reader.read_image(letter(), 1, 200)
    sizes = {w.text: w.size for w in words}
    assert sizes["NORDWIND"] == sizes["HANDEL"] > 1.6 * sizes["Gruppe"]
    assert sizes["Gruppe"] == sizes["Kunde"] == sizes["Berlin"] == sizes["Invoice"]
    read = Reader(PdfText("letter.png", 1, [words], [reader.sizes[1]], {1}))
    found = letterhead.seller_from_letterhead(read.lines, read.hits, read.height, set())
    assert found is not None and found.value == "NORDWIND HANDEL"


def test_a_dash_read_by_ocr_stays_on_its_line_and_in_its_phrase():
    data = {  # "SELLER: DMBP ROUX - 1535": the dash's ink is a sliver at half the letters' height
        "text": ["SELLER:", "ROUX", "-", "1535"],
        "conf": [92, 93, 93, 97],
        "left": [1393, 1505, 1593, 1612],
        "top": [767, 767, 779, 767],
        "width": [100, 78, 8, 65],
        "height": [23, 22, 3, 22],
        "line": [0, 0, 0, 0],
    }
    lines = lines_of(ocr._words(data, 200 / 72, 1))
    assert [p.text for line in lines for p in line.phrases] == ["SELLER: ROUX - 1535"]


def test_a_word_the_page_reading_has_is_not_taken_again_from_a_blank_box(monkeypatch):
    data = {  # tesseract's box of " " lay over "PURCHASE ORDER:" and a value it had missed
        "text": ["PURCHASE", "ORDER:", " "],
        "conf": [96, 96, 95],
        "left": [1395, 1604, 1380],
        "top": [157, 157, 150],
        "width": [170, 94, 700],
        "height": [25, 25, 40],
        "line": [0, 0, 1],
    }

    def read_box(image, languages, psm, seconds):
        return {  # the box's own reading: the same words again, and the value
            "text": ["URCHASE", "O", "1861727"],
            "conf": [92, 96, 97],
            "left": [45, 240, 590],
            "top": [17, 17, 16],
            "width": [131, 24, 134],
            "height": [26, 26, 27],
            "line": [0, 0, 0],
        }

    monkeypatch.setattr(ocr.ocr_engine, "read", read_box)
    out = ocr.PageReader("made.png", languages="eng")._blanks_read(Image.new("L", (2700, 1000), 255), data)
    assert out["text"] == ["PURCHASE", "ORDER:", "1861727"]
    assert out["line"][2] > 1  # the box's line is a line of its own


def printed(text: str) -> tuple[Image.Image, tuple[int, int, int, int]]:
    """``text`` printed in a proportional font at 11 pt and 200 dpi, and the box of its ink."""
    image = Image.new("L", (700, 70), 255)
    ImageDraw.Draw(image).text((10, 15), text, fill=0, font=ImageFont.load_default(size=31))
    rows, columns = np.nonzero(np.asarray(image) < 128)
    left, top = int(columns.min()) - 2, int(rows.min()) - 2
    return image, (left, top, int(columns.max()) - left + 3, int(rows.max()) - top + 3)


def test_an_o_or_a_zero_beside_digits_is_read_as_its_shape_shows():
    image, box = printed("PO123456789-R01")
    assert ocr.zero_or_o(image, "PO123456789-RO1", box) == "PO123456789-R01"  # a narrow oval: a zero
    assert ocr.zero_or_o(image, "P0123456789-R01", box) == "PO123456789-R01"  # round and wide: an O
    assert ocr.zero_or_o(image, "PO123456789-R01", box) == "PO123456789-R01"
    image, box = printed("INV-2024-0042")
    assert ocr.zero_or_o(image, "INV-2024-0042", box) == "INV-2024-0042"
    assert not ocr._doubtful("1,200.00") and not ocr._doubtful("ORDER") and ocr._doubtful("P0123")


def test_a_word_whose_letters_touch_is_left_as_read():
    image, box = printed("PO123456789-R01")
    left, top, width, height = box
    ImageDraw.Draw(image).line((left, top + height // 2, left + width, top + height // 2), fill=0, width=2)
    assert ocr.zero_or_o(image, "PO123456789-RO1", box) == "PO123456789-RO1"  # struck through: one blot


def test_a_dot_read_as_a_dash_keeps_its_own_box():
    data = {  # the faint colon of "FACTURE N° :" read as "-": its box is a dot, no dash's
        "text": ["FACTURE", "N°", "-"],
        "conf": [95, 58, 58],
        "left": [833, 943, 977],
        "top": [96, 95, 101],
        "width": [101, 26, 4],
        "height": [19, 20, 4],
        "line": [0, 0, 0],
    }
    dot = ocr._words(data, 200 / 72, 1)[-1]
    assert dot.text == "-" and (dot.top, dot.bottom) == pytest.approx((101 * 72 / 200, 105 * 72 / 200))
