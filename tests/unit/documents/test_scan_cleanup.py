"""Each clean-up step before OCR, on a generated page that it changes the reading of: the page read
with every step, and without that one step."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from backoffice.demo import scans
from backoffice.documents import ocr, scan

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")

LINES = [
    "Invoice INV-2024-0042",
    "Date 12.03.2024",
    "Customer Maple Street Bakery",
    "Total 1,234.56 EUR",
    "Payment within 30 days",
    "Thank you for your order",
]
EXPECTED = {"INV-2024-0042", "12.03.2024", "Maple", "Street", "Bakery", "1,234.56", "EUR", "Payment"}


def page(dpi: int = 200) -> Image.Image:
    """A half-letter page of six lines of 11-point text at ``dpi``, margins left white."""
    factor = dpi / 200
    image = Image.new("L", (int(1100 * factor), int(1000 * factor)), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=int(31 * factor))
    for number, line in enumerate(LINES):
        draw.text((int(160 * factor), int((140 + 120 * number) * factor)), line, fill=0, font=font)
    return image


def read(image: Image.Image, dpi: float | None, without: str | None = None) -> list[ocr.Word]:
    steps = tuple(s for s in scan.STEPS if s != without)
    return ocr.PageReader("made.png", languages="eng", steps=steps).read_image(image, 1, dpi)


def found(words: list[ocr.Word]) -> set[str]:
    return EXPECTED & {w.text for w in words}


@needs_tesseract
def test_page_finds_the_sheet_in_a_photo_and_squares_it():
    photo = scans.photograph(page(), random.Random(5))
    assert scan.find_page(np.asarray(page())) is None  # a page with no desk around it is left alone
    cleaned = scan.clean(photo, None)
    assert "page" in cleaned.steps
    ratio = cleaned.image.width / cleaned.image.height
    assert abs(ratio - 1.1) < 0.05  # the sheet's own shape, the desk gone
    starts = lambda words: [w.x0 for w in words if w.text in ("Invoice", "Date", "Customer", "Total")]  # noqa: E731
    squared, skewed = starts(read(photo, None)), starts(read(photo, None, without="page"))
    assert len(squared) == 4 and max(squared) - min(squared) < 3  # the left margin is straight again
    assert len(skewed) < 4 or max(skewed) - min(skewed) > 3


@needs_tesseract
def test_resolution_shrinks_a_600_dpi_scan_and_enlarges_a_small_photo():
    fine = page(600)
    cleaned = scan.clean(fine, 600)
    assert "resolution" in cleaned.steps and cleaned.image.width == fine.width // 3
    assert cleaned.scale == pytest.approx(200 / 72)
    assert found(read(fine, 600)) == EXPECTED
    small = page(200).resize((330, 300), Image.BILINEAR)  # 60 dpi, and the file does not say so
    assert scan.clean(small, None).image.width > 800
    assert found(read(small, None)) == EXPECTED
    assert len(found(read(small, None, without="resolution"))) < len(EXPECTED)


@needs_tesseract
def test_flatten_lifts_a_shadow_over_half_the_page():
    grey = np.asarray(page(), dtype=np.float32)
    shadow = np.ones_like(grey)
    shadow[:, grey.shape[1] // 2 :] = 0.3  # the right half in a deep shadow
    shadowed = Image.fromarray((grey * cv2.GaussianBlur(shadow, (0, 0), 15)).astype(np.uint8))
    assert found(read(shadowed, 200)) == EXPECTED
    assert len(found(read(shadowed, 200, without="flatten"))) < len(EXPECTED)


@needs_tesseract
def test_denoise_clears_speckles():
    noisy = np.asarray(page()).copy()
    rng = np.random.default_rng(3)
    mask = rng.random(noisy.shape) < 0.12
    noisy[mask] = rng.choice([0, 255], mask.sum())
    speckled = Image.fromarray(noisy)
    assert found(read(speckled, 200)) == EXPECTED
    assert len(found(read(speckled, 200, without="denoise"))) < len(EXPECTED)


@needs_tesseract
def test_borders_and_punch_holes_are_whited_out():
    grey = np.asarray(page()).copy()
    grey[:, :40] = 20  # the scanner lid's dark edge
    for y in (155, 515, 875):
        cv2.circle(grey, (110, y), 24, 0, -1)  # punch holes, 6 mm across, beside lines of text
    bordered = Image.fromarray(grey)
    cleaned, removed = scan.remove_borders(grey, 200)
    assert removed and cleaned[:, :130].min() == 255  # border and holes gone, the text untouched
    assert (cleaned[:, 150:] == grey[:, 150:]).all()
    junk = lambda words: [w.text for w in words if w.x0 < 140 * 72 / 200]  # noqa: E731 - words in the margin
    cleaned_words, kept_words = read(bordered, 200), read(bordered, 200, without="borders")
    assert junk(cleaned_words) == [] and found(cleaned_words) == EXPECTED
    assert junk(kept_words) != []  # the holes read as "@"


@needs_tesseract
def test_deskew_straightens_a_tilted_page():
    tilted = Image.fromarray(scan.rotate(np.asarray(page()), 5.0))
    assert scan.skew_angle(np.asarray(tilted)) == pytest.approx(-5.0, abs=0.3)
    assert found(read(tilted, 200)) == EXPECTED
    assert len(found(read(tilted, 200, without="deskew"))) < len(EXPECTED)


@needs_tesseract
def test_orientation_turns_a_page_lying_on_its_side():
    sideways = page().rotate(90, expand=True)
    assert found(read(sideways, 200)) == EXPECTED
    assert found(read(sideways, 200, without="orientation")) == set()
    assert scan.orientation(sideways) == 270
    assert scan.orientation(page()) == 0


@needs_tesseract
@pytest.mark.parametrize("turn", [180, 270])
def test_orientation_turns_a_page_upside_down_or_on_its_other_side(turn):
    words = read(page().rotate(turn, expand=True), 200)
    assert found(words) == EXPECTED
    assert all(w.x1 - w.x0 > w.bottom - w.top for w in words if len(w.text) >= 4)  # lines run left to right


def ruled_table(width: int = 4) -> Image.Image:
    """A table of three rows of two bordered cells at 200 dpi, each word touching its cell's left
    border (as in many order forms)."""
    image = Image.new("L", (1100, 700), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=31)
    for number, (label, value) in enumerate([("Order", "PO-77812"), ("Date", "12.03.2024"), ("Total", "1,234.56")]):
        top = 150 + 80 * number
        draw.rectangle((150, top, 500, top + 80), outline=0, width=width)
        draw.rectangle((500, top, 900, top + 80), outline=0, width=width)
        draw.text((156, top + 22), label, fill=0, font=font)
        draw.text((506, top + 22), value, fill=0, font=font)
    return image


@needs_tesseract
def test_rules_white_out_a_tables_borders_so_the_words_in_its_cells_are_read():
    table = ruled_table()
    words = {w.text for w in read(table, 200)}
    assert {"Order", "PO-77812", "Date", "12.03.2024", "Total", "1,234.56"} <= words
    assert not {"Date", "12.03.2024"} & {w.text for w in read(table, 200, without="rules")}
    cleaned = scan.clean(table, 200)
    assert "rules" in cleaned.steps and cleaned.shown is cleaned.ruled  # the UI still shows the table
    assert (np.asarray(cleaned.shown)[150:160, 300] < 128).any() and (
        np.asarray(cleaned.image)[148:160, 300] > 200
    ).all()


def test_rules_leave_letters_and_thick_bars_alone():
    plain = np.asarray(page())
    assert scan.remove_rules(plain, 200) is plain  # no line on the page: nothing to do
    barred = plain.copy()
    barred[40:70, 100:1000] = 0  # a shaded header band, 30 pixels high, is no rule
    assert (scan.remove_rules(barred, 200)[40:70, 100:1000] == 0).all()


CORPUS = Path(__file__).resolve().parents[3] / ".." / "shared" / "corpus"
RULED = (
    CORPUS / "real-invoices/Azure-Samples__azure-ai-document-processing-samples/samples/assets/invoices/invoice_1.pdf"
)


@pytest.mark.skipif(not RULED.exists(), reason="the shared corpus is not here")
def test_deskew_is_not_misled_by_the_ruling_of_a_form(tmp_path):
    """A fully ruled invoice form scanned with a 1° tilt: measured on too small a copy, its ruling
    once gave 6.25°, and the page was turned 5° the wrong way."""
    scanned = scans.scan(RULED, tmp_path / "ruled.pdf", seed=20, dpi=200)
    grey = np.asarray(scans.render(scanned, 200)[0])
    assert scan.skew_angle(grey) == pytest.approx(1.0, abs=0.3)
    assert abs(scan.skew_angle(np.asarray(scan.clean(Image.fromarray(grey), 200).image))) <= 0.3


def test_a_rule_read_at_the_edge_of_an_amount_costs_neither_the_amount_nor_its_mark():
    data = {
        "text": ["—55466.67", "|Sharp", "—", "Wrd", "12.50|"],
        "conf": [16, 80, 90, 16, 3],
        "left": [0, 100, 200, 300, 400],
        "top": [0, 0, 0, 0, 0],
        "width": [50, 50, 10, 30, 30],
        "height": [20, 20, 20, 20, 20],
    }
    words = ocr._words(data, 200 / 72, 1)
    assert [w.text for w in words] == ["55466.67", "Sharp"]  # unsure words that are no amounts stay out


def test_an_iban_whose_check_digits_ocr_read_as_letters_gets_them_back():
    assert ocr._iban("NLS8RABO0198723202") == "NL58RABO0198723202"  # the IBAN's own check holds
    assert ocr._iban("NLS9RABO0198723202") == "NLS9RABO0198723202"  # it does not: left as read
    assert ocr._iban("INVOICE12345678901") == "INVOICE12345678901"


def ruled_row() -> Image.Image:
    """One row of a ruled table at 200 dpi, a fifth of an inch high (too short for its cells'
    dividers to be rules by their length), each value a pixel right of its cell's divider."""
    image = Image.new("L", (1100, 400), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=31)
    draw.rectangle((100, 150, 1000, 190), outline=0, width=3)
    for x in (330, 560, 770):
        draw.line((x, 150, x, 190), fill=0, width=3)
    for x, text in ((106, "Total Pcs.:"), (333, "27"), (566, "Total Price:"), (773, "293.52")):
        draw.text((x, 154), text, fill=0, font=font)
    return image


@needs_tesseract
def test_rules_white_out_the_short_dividers_of_a_ruled_row(monkeypatch):
    row = ruled_row()
    cleaned = np.asarray(scan.clean(row, 200).image)
    assert (cleaned[156:186, 768:772] > 200).all()  # the divider left of "293.52" is gone
    assert (cleaned[156:186, 773:795] < 128).any()  # the "2" beside it is not
    assert {"27", "293.52"} <= {w.text for w in read(row, 200)}
    monkeypatch.setattr(scan, "_dividers", lambda ink, *args: np.zeros_like(ink))
    assert not {"27", "293.52"} & {w.text for w in read(row, 200)}  # "\\27", "[293.52"


def test_a_letters_stem_or_a_free_standing_bar_is_no_divider():
    plain = np.asarray(page())
    barred = plain.copy()
    barred[600:640, 1000:1003] = 0  # a bar 0.2" high, on no rule
    assert scan.remove_rules(barred, 200) is barred


def test_a_sign_tesseract_split_off_its_word_is_put_back():
    data = {  # tesseract gave the sign first, as it did on a French invoice
        "text": ["°", "FACTURE", "N", "052273"],
        "conf": [92, 93, 93, 94],
        "left": [259, 86, 236, 284],
        "top": [565, 565, 565, 562],
        "width": [9, 140, 19, 89],
        "height": [8, 20, 20, 20],
    }
    assert [w.text for w in ocr._words(data, 200 / 72, 1)] == ["FACTURE", "N°", "052273"]


def test_denoise_keeps_a_colon_standing_apart_and_clears_a_speck_beside_it():
    image = Image.new("L", (1100, 300), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=31)
    draw.text((100, 120), "Bestellung", fill=0, font=font)
    draw.text((500, 120), ":", fill=0, font=font)  # a colon in its own column, as forms print it
    draw.text((560, 120), "2013-471331", fill=0, font=font)
    grey = np.asarray(image).copy()
    grey[60:63, 400:403] = 0  # a speck, far from every letter
    cleaned, changed = scan.despeckle(grey, 200)
    assert changed and (cleaned[60:63, 400:403] == 255).all()
    assert (cleaned[120:160, 500:520] < 128).sum() == (grey[120:160, 500:520] < 128).sum()  # both dots stay


def test_a_box_tesseract_gave_no_text_for_is_read_again_on_its_own(monkeypatch):
    data = {
        "text": ["Invoice", " ", "Number"],
        "conf": [96, 95, 97],
        "left": [969, 1217, 1052],
        "top": [331, 327, 331],
        "width": [70, 144, 80],
        "height": [22, 70, 22],
    }
    asked = []

    def read_box(image, languages, psm, seconds):
        asked.append((image.size, psm))
        return {
            "text": ["INV-3337", "12345"],
            "conf": [90, 91],
            "left": [23, 23],
            "top": [9, 52],
            "width": [99, 60],
            "height": [18, 18],
        }

    monkeypatch.setattr(ocr.ocr_engine, "read", read_box)
    out = ocr.PageReader("made.png", languages="eng")._blanks_read(Image.new("L", (1700, 2200), 255), data)
    assert asked == [((144 + 2 * 17, 70 + 2 * 17), ocr.BLOCK)]
    assert out["text"] == ["Invoice", "INV-3337", "12345", "Number"]
    assert out["left"][1:3] == [1217 - 17 + 23, 1217 - 17 + 23] and out["top"][1:3] == [327 - 17 + 9, 327 - 17 + 52]


SAMPLE = CORPUS / "real-invoices/aws-samples__amazon-textract-textractor/tests/fixtures/sample-invoice.pdf"


@needs_tesseract
@pytest.mark.skipif(not SAMPLE.exists(), reason="the shared corpus is not here")
def test_the_cells_of_a_light_grid_tesseract_read_as_blank_are_read(tmp_path, monkeypatch):
    """The scan of a real invoice whose number sits in a cell of a light grey grid: the page's
    reading gave the cells of "INV-3337" and "12345" as one box of no text."""
    scanned = scans.scan(SAMPLE, tmp_path / "sample.pdf", seed=81, dpi=200)
    image = scans.render(scanned, 200)[0]
    texts = [w.text for w in ocr.PageReader("sample.pdf", languages="eng").read_image(image, 1, 200)]
    assert "INV-3337" in texts
    monkeypatch.setattr(ocr.PageReader, "_blanks_read", lambda self, image, data: data)
    assert "INV-3337" not in [w.text for w in ocr.PageReader("sample.pdf", languages="eng").read_image(image, 1, 200)]


def banded() -> Image.Image:
    """The page with a letterhead in white on a dark band across its top (a designed invoice's)."""
    image = page()
    draw = ImageDraw.Draw(image)
    draw.rectangle((60, 20, 1040, 115), fill=70)
    draw.text((110, 35), "Nordwind Handel", fill=245, font=ImageFont.load_default(size=56))
    return image


@needs_tesseract
def test_invert_makes_light_text_on_a_dark_band_readable():
    scanned = scans.add_noise(banded(), random.Random(4), tilt=0.8)
    assert "invert" in scan.clean(scanned, 200).steps
    assert {"Nordwind", "Handel"} <= {w.text for w in read(scanned, 200)}
    assert not {"Nordwind", "Handel"} <= {w.text for w in read(scanned, 200, without="invert")}
    assert "invert" not in scan.clean(scans.add_noise(page(), random.Random(4)), 200).steps


def test_a_shadow_or_bold_dark_text_is_not_inverted():
    grey = np.asarray(page(), dtype=np.float32)
    shadow = np.ones_like(grey)
    shadow[:, grey.shape[1] // 2 :] = 0.45  # dark text in a deep shadow: darker than its ground
    shadowed = (grey * cv2.GaussianBlur(shadow, (0, 0), 15)).astype(np.uint8)
    assert scan.invert_bands(shadowed, 200)[1] is False
    bold = Image.new("L", (1100, 400), 255)
    ImageDraw.Draw(bold).text((60, 80), "INVOICE", fill=0, font=ImageFont.load_default(size=200), stroke_width=8)
    assert scan.invert_bands(np.asarray(bold), 200)[1] is False
