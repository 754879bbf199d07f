"""Opening files as PDFs: bad input is refused with a DocumentError that names the file."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from fpdf import FPDF

from backoffice import documents
from backoffice.documents.extract import extract
from backoffice.documents.pdf import read_words
from backoffice.errors import BusinessError, DocumentError

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"


def _pdf_bytes(text: str = "Invoice No.: 4711", *, owner: str | None = None, user: str | None = None) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(text=text)
    if owner:
        pdf.set_encryption(owner_password=owner, user_password=user)
    return bytes(pdf.output())


def _refused(path: Path, code: str, **kwargs) -> DocumentError:
    with pytest.raises(DocumentError) as caught:
        extract(path, **kwargs)
    error = caught.value
    assert error.code == code
    assert path.name in str(error)
    assert isinstance(error, BusinessError)
    return error


def test_an_empty_file_is_refused(tmp_path):
    path = tmp_path / "invoice.pdf"
    path.write_bytes(b"")
    error = _refused(path, "empty-file")
    assert str(error) == "invoice.pdf: the file is empty (0 bytes)"


def test_a_broken_image_named_pdf_is_not_a_pdf_and_says_what_it_looks_like(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(PNG)
    assert "PNG image" in str(_refused(path, "not-a-pdf"))


def test_binary_data_is_refused_saying_what_it_looks_like(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"\x00\x01\x02\x03binary\xff\xfe")
    assert "binary data" in str(_refused(path, "unsupported-format"))


def test_a_zip_named_pdf_is_refused(tmp_path):
    path = tmp_path / "invoice.pdf"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("invoice.pdf", _pdf_bytes())
    assert "ZIP" in str(_refused(path, "unsupported-format"))


def test_plain_text_named_pdf_is_read_as_text(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"Invoice No.: 4711\nTotal: 10.00 EUR\n")
    document = extract(path)
    assert document.method == "text" and document.fields["invoice_number"].value == "4711"


def test_xml_of_a_kind_we_do_not_read_is_refused(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(b"<?xml version='1.0'?><Catalogue/>")
    assert "Catalogue" in str(_refused(path, "xml-unknown"))


def test_content_decides_not_the_extension(tmp_path):
    path = tmp_path / "invoice.bin"
    path.write_bytes(_pdf_bytes("Invoice No.: 4711"))
    assert extract(path).fields["invoice_number"].value == "4711"


def test_an_encrypted_pdf_with_an_empty_user_password_opens(tmp_path):
    path = tmp_path / "open.pdf"
    path.write_bytes(_pdf_bytes("Invoice No.: 4711", owner="owner-secret", user=""))
    assert extract(path).fields["invoice_number"].value == "4711"


def test_an_encrypted_pdf_with_a_user_password_is_refused(tmp_path):
    path = tmp_path / "locked.pdf"
    path.write_bytes(_pdf_bytes(owner="owner-secret", user="user-secret"))
    assert "password" in str(_refused(path, "pdf-encrypted"))


@pytest.mark.parametrize("keep", [0.5, 0.2])
def test_a_truncated_pdf_is_corrupt(tmp_path, keep):
    data = _pdf_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: int(len(data) * keep)])
    _refused(path, "pdf-corrupt")


def test_a_pdf_header_over_garbage_is_corrupt_and_carries_the_parser_message(tmp_path):
    path = tmp_path / "garbage.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 4)
    error = _refused(path, "pdf-corrupt")
    assert "(" in str(error) and str(error).endswith(")")


def test_a_pdf_without_any_text_even_by_ocr_is_refused(tmp_path):
    pdf = FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 50, style="F")
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    _refused(path, "no-text-layer")


def test_too_many_pages_are_refused(tmp_path, make_pdf):
    path = make_pdf([(20, 20, "Invoice No.: 1")], name="long.pdf", pages=3)
    assert "3 pages" in str(_refused(path, "too-many-pages", max_pages=2))
    assert extract(path, max_pages=3).pages == 3


def test_a_missing_file_is_a_system_fault_not_a_document_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        extract(tmp_path / "gone.pdf")


def test_an_unknown_kind_is_a_value_error(tmp_path, make_pdf):
    with pytest.raises(ValueError, match="receipt"):
        extract(make_pdf([(20, 20, "hello")]), kind="receipt")


def test_words_come_with_boxes_and_one_based_pages(make_pdf):
    text = read_words(make_pdf([(20, 30, "Invoice No.: 4711")], pages=2))
    assert text.page_count == 2
    assert [[w.text for w in page] for page in text.pages] == [["Invoice", "No.:", "4711"]] * 2
    first = text.pages[0][0]
    assert first.page == 1 and text.pages[1][0].page == 2
    assert 20 * 72 / 25.4 - 1 < first.x0 < first.x1 < 200
    assert 30 * 72 / 25.4 - 1 < first.top < first.bottom < 30 * 72 / 25.4 + 20


def test_the_package_function_works_on_every_call(make_pdf):
    # The package re-exports the function; importing the submodule must not shadow it.
    path = make_pdf([(20, 20, "Invoice No.: 4711")])
    for _ in range(2):
        assert documents.extract(path, kind="auto").fields["invoice_number"].value == "4711"
