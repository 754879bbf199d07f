"""OCR keeps word boxes; many documents are read in parallel processes; the typed models validate."""

from __future__ import annotations

import shutil
import time
from decimal import Decimal

import pytest
from PIL import Image, ImageDraw, ImageFont

from backoffice.demo.invoices import generate
from backoffice.documents import Field, extract, ocr
from backoffice.documents.models import Document
from backoffice.documents.pool import extract_many
from backoffice.documents.schemas import Invoice, Order, Timesheet, to_model
from pydantic import ValidationError

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")


@needs_tesseract
def test_ocr_words_come_back_in_points_with_confidence():
    image = Image.new("L", (1200, 300), 255)
    font = ImageFont.load_default(size=48)
    ImageDraw.Draw(image).text((150, 100), "Invoice Total", fill=0, font=font)
    words = ocr.read_image(image, 1, 300 / 72, name="made.png")
    assert [w.text for w in words] == ["Invoice", "Total"]
    first = words[0]
    assert 150 * 72 / 300 - 3 < first.x0 < first.x1 < 1200 * 72 / 300 and 0.5 < first.conf <= 1
    assert first.page == 1 and first.top < first.bottom < 300 * 72 / 300


def test_many_documents_in_two_processes_in_order_with_errors_per_item(tmp_path):
    paths = [g.path for g in generate(tmp_path, count=4, seed=2)]
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n" + bytes(range(256)))
    outcomes = extract_many([*paths[:2], broken, *paths[2:]], kind="invoice", workers=2)
    assert [o.path for o in outcomes] == [*paths[:2], broken, *paths[2:]]
    assert [o.error.code if o.error else None for o in outcomes] == [None, None, "pdf-corrupt", None, None]
    assert outcomes[0].document.to_dict() == {**extract(paths[0]).to_dict(), "source": paths[0].name}


def test_models_give_typed_values_with_provenance():
    document = Document("invoice", "text-layer", fields={
        "issue_date": Field("2024-03-05", 0.9, 1, (1, 2, 3, 4), "05.03.2024", "label"),
        "grand_total": Field("119.00", 0.99, 1, (5, 6, 7, 8), "119,00 EUR", "label"),
        "currency": Field("EUR", 0.8, 1, None, "EUR", "pattern")})
    invoice = to_model(document)
    assert isinstance(invoice, Invoice)
    assert invoice.grand_total.value == Decimal("119.00") and invoice.issue_date.value.isoformat() == "2024-03-05"
    assert invoice.grand_total.bbox == (5, 6, 7, 8) and invoice.grand_total.text == "119,00 EUR"
    assert isinstance(to_model(Document("timesheet", "csv", fields={"total_hours": Field("7.5")})), Timesheet)
    assert isinstance(to_model(Document("order", "xml", fields={"total": Field("1.00")})), Order)


def test_a_bad_value_fails_validation():
    with pytest.raises(ValidationError):
        to_model(Document("invoice", "x", fields={"currency": Field("euro")}))
    with pytest.raises(ValueError, match="unknown"):
        to_model(Document("unknown", "x"))


def test_old_queue_payloads_still_load():
    old = {"kind": "invoice", "method": "text-layer", "fields": {"invoice_number": {"value": "1"}},
           "line_fields": [], "warnings": []}
    document = Document.from_dict(old)
    assert document.tax_lines == [] and document.fields["invoice_number"].value == "1"
    assert Document.from_dict(document.to_dict()) == document


def _hanging_reader(path, kind, ignore_embedded):
    time.sleep(30)


def test_a_document_that_hangs_its_worker_is_a_timeout_not_a_hang(tmp_path, monkeypatch):
    from backoffice.documents import pool

    monkeypatch.setattr(pool, "_read", _hanging_reader)
    [generated] = generate(tmp_path, count=1, seed=2)
    [outcome] = extract_many([generated.path], workers=1, timeout=0.5)
    assert outcome.error.code == "too-slow" and generated.path.name in str(outcome.error)


def _greedy_extract(path, kind, ignore_embedded=False):
    return bytearray(8 * 1024**3)  # 8 GB: far past the worker's address-space limit


def read_greedily() -> None:
    """In a worker (processes.WORKER_SETUP): reading a file wants 8 GB."""
    import importlib

    importlib.import_module("backoffice.documents.extract").extract = _greedy_extract  # the package exports a function of that name


def test_a_document_that_needs_too_much_memory_fails_alone(tmp_path, monkeypatch):
    from backoffice import processes

    monkeypatch.setattr(processes, "WORKER_SETUP", [f"{__name__}:read_greedily"])
    [generated] = generate(tmp_path, count=1, seed=2)
    [outcome] = extract_many([generated.path], workers=1, memory_mb=3072)
    assert outcome.error.code == "too-large" and "3072 MB" in str(outcome.error)
