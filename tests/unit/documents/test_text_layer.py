"""Bad text layers are read by OCR instead; a good one over a scan is kept; a PDF with text on
some pages and scans on others reads each page its own way."""

from __future__ import annotations

import random
import shutil

import pytest
from fpdf import FPDF
from fpdf.enums import TextMode

from backoffice.demo import invoices, scans
from backoffice.documents import extract
from backoffice.documents.pdf import Word, read_words
from backoffice.documents.text_layer import garbage

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")


def _words(texts: list[str]) -> list[Word]:
    return [Word(t, 10 + 40 * i, 10, 40 + 40 * i, 20, 1) for i, t in enumerate(texts)]


def test_garbage_is_told_from_text():
    invoice = "Invoice INV-2024-0042 Date 12.03.2024 Total 1,234.56 EUR Thank you for your order".split()
    assert not garbage(_words(invoice * 2))
    assert not garbage(_words("Rechnung Größe Straße Müller Überweisung Fälligkeit".split() * 3))
    assert not garbage(_words("Счёт Итого Дата Покупатель Поставщик".split() * 3))  # letters of another script
    assert garbage(_words(["\ufffd\ufffd", "¤¦¬", "I\ue001nv", "¦¦¦"] * 5))  # replacement, private use, junk
    assert garbage(_words("Tlrx Bcdfg Wrtz Nmkl Hklm Invoice Prtz Sdfg Ghjk Lkjh Zxcv".split() * 2))  # no vowels
    assert not garbage(_words(["¤"]))  # too little to judge


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    folder = tmp_path_factory.mktemp("layers")
    generated = invoices.generate_golden(folder, seed=5, layouts=("classic-en",), line_counts=(3,))[0]
    image = folder / "page.png"
    scans.pages(generated.path, "scan", dpi=150, seed=1)[0].save(image, dpi=(150, 150))
    return generated, image, read_words(generated.path)


def _scan_with_layer(path, image, words: list[Word], shift: float = 0.0):
    """An A4 PDF page holding ``image`` with ``words`` as an invisible text layer (as a scanner's OCR)."""
    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    pdf.image(str(image), 0, 0, w=595.28, h=841.89)
    pdf.text_mode = TextMode.INVISIBLE
    for word in words:
        pdf.set_font("helvetica", size=max(4.0, word.bottom - word.top))
        pdf.text(word.x0 + shift, word.bottom + shift, word.text)
    pdf.output(str(path))
    return path


@needs_tesseract
def test_a_good_ocr_layer_over_a_scan_is_kept(tmp_path, source):
    _, image, text = source
    path = _scan_with_layer(tmp_path / "good.pdf", image, text.pages[0])
    assert read_words(path).ocr_pages == set()


@needs_tesseract
@pytest.mark.parametrize("spoil", ["garbage", "misaligned", "thin"])
def test_a_bad_ocr_layer_is_read_by_ocr_instead(tmp_path, source, spoil):
    generated, image, text = source
    words = text.pages[0]
    if spoil == "garbage":
        rng = random.Random(2)
        words = [Word("".join(rng.choice("¤¦¬©®±") for _ in w.text), w.x0, w.top, w.x1, w.bottom, 1) for w in words]
    elif spoil == "thin":
        words = [w for w in words if w.text.startswith("INV-")]  # a fax header's few words
    path = _scan_with_layer(tmp_path / f"{spoil}.pdf", image, words, shift=160.0 if spoil == "misaligned" else 0.0)
    assert read_words(path).ocr_pages == {1}
    document = extract(path)
    assert document.method == "ocr"
    assert document.fields["grand_total"].value == generated.expected["grand_total"]


@needs_tesseract
def test_text_pages_and_scanned_pages_in_one_pdf_each_read_their_way(tmp_path, source):
    generated, image, text = source
    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    pdf.image(str(image), 0, 0, w=595.28, h=841.89)
    scanned = tmp_path / "scanned.pdf"
    pdf.output(str(scanned))
    import pypdfium2 as pdfium

    mixed = pdfium.PdfDocument.new()
    for part in (generated.path, scanned, generated.path):
        with pdfium.PdfDocument(part) as piece:
            mixed.import_pages(piece)
    path = tmp_path / "mixed.pdf"
    mixed.save(path)
    mixed.close()
    read = read_words(path)
    assert read.ocr_pages == {2}
    assert [w.text for w in read.pages[0]] == [w.text for w in text.pages[0]] == [w.text for w in read.pages[2]]
    assert generated.expected["invoice_number"] in {w.text for w in read.pages[1]}


def test_a_value_printed_right_after_its_labels_colon_is_a_word_of_its_own(tmp_path):
    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    pdf.set_font("Helvetica", size=10)
    for y, text in enumerate(
        ["Datos del cliente:Helios Logistics S.A.", "Total:123.00", "at 12:30 urn:cen.eu:en16931"]
    ):
        pdf.text(50, 60 + 20 * y, text)
    path = tmp_path / "glued.pdf"
    pdf.output(str(path))
    words = [w.text for w in read_words(path, ocr=False).pages[0]]
    assert words[:6] == ["Datos", "del", "cliente:", "Helios", "Logistics", "S.A."]
    assert words[6:8] == ["Total:", "123.00"]
    assert words[8:] == ["at", "12:30", "urn:cen.eu:en16931"]  # times and identifiers stay whole
