"""Fixtures for document tests: generated sample invoices and small hand-placed PDFs."""

from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF

from backoffice.demo.invoices import GeneratedInvoice, generate
from backoffice.documents import extract
from backoffice.documents.models import Document

SAMPLE_COUNT = 12
SAMPLE_SEED = 7


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[GeneratedInvoice, Document]]:
    """The demo's 12 sample invoices (seed 7), each with what the extractor read from it."""
    folder = tmp_path_factory.mktemp("samples")
    return [(generated, extract(generated.path)) for generated in generate(folder, SAMPLE_COUNT, SAMPLE_SEED)]


@pytest.fixture
def make_pdf(tmp_path: Path):
    """Write a one-page PDF from ``(x_mm, y_mm, text[, size[, style]])`` tuples; returns its path."""

    def write(items: list[tuple], name: str = "made.pdf", pages: int = 1) -> Path:
        pdf = FPDF(format="A4", unit="mm")
        for _ in range(pages):
            pdf.add_page()
            for item in items:
                x, y, text, *rest = item
                size = rest[0] if rest else 10
                style = rest[1] if len(rest) > 1 else ""
                pdf.set_font("Helvetica", style, size)
                pdf.set_xy(x, y)
                pdf.cell(pdf.get_string_width(text) + 1, size * 0.45, text)
        path = tmp_path / name
        pdf.output(str(path))
        return path

    return write
