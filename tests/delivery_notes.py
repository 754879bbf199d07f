"""Delivery notes written by the tests with fpdf2 (never stored in the repository), for the sample
plugin kind ``backoffice.samples.kinds.delivery_note``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF


@dataclass
class DeliveryNote:
    """What a generated delivery note prints, as the reader should give it (normalised strings)."""

    delivery_number: str = "DN-2026-0815"
    delivery_date: tuple[str, str] = ("14.03.2026", "2026-03-14")  # (printed, ISO)
    order_number: str = "PO-4711"
    supplier: str = "Northwind Supplies GmbH"
    lines: list[tuple[str, str, str]] = field(
        default_factory=lambda: [
            ("A-100", "Steel bolts M8", "200"),
            ("B-220", "Washers 8 mm", "400"),
            ("C-310", "Hex nuts M8", "150"),
        ]
    )

    def fields(self) -> dict[str, str]:
        return {
            "delivery_number": self.delivery_number,
            "delivery_date": self.delivery_date[1],
            "order_number": self.order_number,
            "supplier": self.supplier,
        }


def write(path: Path, note: DeliveryNote | None = None) -> Path:
    """A one-page delivery note: a title, labelled header fields, a table of delivered lines."""
    note = note or DeliveryNote()
    pdf = FPDF(format="A4", unit="mm")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.set_xy(20, 20)
    pdf.cell(100, 8, "DELIVERY NOTE")
    pdf.set_font("Helvetica", "", 10)
    for row, (label, value) in enumerate(
        [
            ("Supplier:", note.supplier),
            ("Delivery note no:", note.delivery_number),
            ("Delivery date:", note.delivery_date[0]),
            ("Order no:", note.order_number),
        ]
    ):
        pdf.set_xy(20, 40 + row * 7)
        pdf.cell(40, 6, label)
        pdf.set_xy(62, 40 + row * 7)
        pdf.cell(80, 6, value)
    columns = [(20, "Product code"), (60, "Description"), (150, "Quantity")]
    pdf.set_font("Helvetica", "B", 10)
    for x, title in columns:
        pdf.set_xy(x, 80)
        pdf.cell(40, 6, title)
    pdf.set_font("Helvetica", "", 10)
    for row, values in enumerate(note.lines):
        for (x, _), value in zip(columns, values, strict=True):
            pdf.set_xy(x, 88 + row * 7)
            pdf.cell(40, 6, value)
    pdf.set_xy(20, 100 + len(note.lines) * 7)
    pdf.cell(80, 6, "Received in good order:  ______________")
    pdf.output(str(path))
    return path
