"""Hostile input ends quickly as a clear DocumentError naming the file, never a crash or a hang."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from PIL import Image

from backoffice.documents import extract, ocr
from backoffice.documents.pdf import Word
from backoffice.errors import DocumentError
from tests.conftest import ROOT
from tests.hostile_pdfs import pdf_with_embedded, zeros


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


def test_an_embedded_xml_bomb_is_refused_at_the_limit_not_after(tmp_path):
    """200 MB of zeros packed into 200 kB: the inflating stops at 20 MB; peak memory stays low."""
    import resource

    path = pdf_with_embedded(tmp_path / "bomb.pdf", zeros(200 * 1024 * 1024))
    assert path.stat().st_size < 1024 * 1024
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reason = str(_refused(path, "attachment-too-large"))
    assert "factur-x.xml" in reason and "20 MB" in reason
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 100, grown_mb  # 200 MB inflated whole would show here


def test_an_embedded_invoice_within_the_limit_is_read(tmp_path):

    xml = (ROOT / "../shared/corpus/akretion-factur-x/tests/fixtures/xml/factur-x-basicwl.xml").read_bytes()
    document = extract(pdf_with_embedded(tmp_path / "hybrid.pdf", [xml]))
    assert document.method == "embedded-xml" and document.fields["invoice_number"].value


def test_the_page_limit_holds_for_e_invoices_too(tmp_path):

    xml = (ROOT / "../shared/corpus/akretion-factur-x/tests/fixtures/xml/factur-x-basicwl.xml").read_bytes()
    path = pdf_with_embedded(tmp_path / "long-hybrid.pdf", [xml], pages=300)
    assert "300 pages" in str(_refused(path, "too-many-pages"))
    assert extract(path, max_pages=300).method == "embedded-xml"


def test_an_xxe_attempt_in_embedded_xml_is_refused_and_says_so(tmp_path):
    xxe = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
           b'<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100">'
           b"&xxe;</rsm:CrossIndustryInvoice>")  # fmt: skip
    reason = str(_refused(pdf_with_embedded(tmp_path / "xxe.pdf", [xxe]), "xml-entities"))
    assert "factur-x.xml" in reason and "refused" in reason


def test_a_workbook_that_unpacks_past_the_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    import zipfile

    from backoffice.documents import sniff

    monkeypatch.setattr(sniff, "MAX_UNPACKED_BYTES", 5_000_000)  # 200 MB in production
    path = tmp_path / "hours.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 6_000_000)  # 6 MB in a few kB
    assert path.stat().st_size < 100_000
    assert "unpacks to 6 MB" in str(_refused(path, "too-large", kind="timesheet"))
