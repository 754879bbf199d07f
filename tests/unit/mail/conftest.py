from __future__ import annotations

import pytest
from fpdf import FPDF


def make_pdf(text: str = "Invoice INV-1 Total 10.00 EUR") -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text=text)
    return bytes(pdf.output())


@pytest.fixture(scope="session")
def pdf_bytes() -> bytes:
    return make_pdf()
