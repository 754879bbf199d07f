"""Hostile input ends quickly as a clear DocumentError naming the file, never a crash or a hang."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from PIL import Image

from backoffice.documents import extract, ocr
from backoffice.documents.pdf import Word
from backoffice.errors import DocumentError


def _refused(path, code, **kwargs) -> DocumentError:
    with pytest.raises(DocumentError) as caught:
        extract(path, **kwargs)
    assert caught.value.code == code, caught.value
    assert path.name in str(caught.value)
    return caught.value


def test_a_thousand_page_pdf_is_refused_by_its_page_count(tmp_path):
    document = pdfium.PdfDocument.new()
    for _ in range(1000):
        document.new_page(595, 842)
    path = tmp_path / "thousand.pdf"
    document.save(path)
    document.close()
    assert "1000 pages" in str(_refused(path, "too-many-pages"))


def test_a_huge_image_is_refused_before_it_is_decoded(tmp_path):
    path = tmp_path / "poster.png"
    Image.new("1", (12_000, 9_000), 1).save(path)  # 108 million pixels, a few kB on disk
    assert "12000 × 9000" in str(_refused(path, "image-too-large"))


def test_a_corrupt_image_says_what_it_is(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(b"\xff\xd8\xff\xe0" + b"\x00" * 40)
    assert "JPEG" in str(_refused(path, "image-corrupt"))


def test_too_many_scanned_pages_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(ocr, "MAX_OCR_PAGES", 2)
    document = pdfium.PdfDocument.new()
    for _ in range(3):
        document.new_page(200, 200)
    path = tmp_path / "blank-scans.pdf"
    document.save(path)
    document.close()
    monkeypatch.setattr(ocr.PageReader, "read_page", lambda self, page, number: [])  # no tesseract needed for the count
    _refused(path, "no-text-layer")
    monkeypatch.setattr(ocr.PageReader, "read_page", lambda self, page, number: [Word("x", 1, 1, 2, 2, number)])
    _refused(path, "too-many-pages")


def test_an_empty_xml_and_a_corrupt_xlsx(tmp_path):
    xml = tmp_path / "empty.xml"
    xml.write_bytes(b"<?xml version='1.0'?>")
    _refused(xml, "xml-corrupt")
    xlsx = tmp_path / "sheet.xlsx"
    import zipfile

    with zipfile.ZipFile(xlsx, "w") as archive:
        archive.writestr("xl/workbook.xml", "not really")
    _refused(xlsx, "xlsx-corrupt")
