"""Series of invoices with a line-item table the template-free reader reads wrong: each sender's
layout (as :mod:`backoffice.demo.series` draws it) gets a table whose column headings no reader
knows (``Particulars | No. of | Each | Line value``, ``Gegenstand | Stk | Je | Wert``) and whose
columns come in the sender's own order, with 1-5 items of varying data on every invoice.

Used by ``bench/learning.py`` and the learning tests: a person corrects the lines of the first
invoice of a series, the rest are read with the table that was learned.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path


from backoffice.demo.invoice_layouts import money
from backoffice.demo.series import SeriesInvoice, SeriesLayout, draw_labelled, draw_layout, first_page, printed

# Column headings per language, none of which the template-free reader takes for a column.
_HEADINGS = {
    "en": {"description": "Particulars", "quantity": "No. of", "unit_price": "Each", "amount": "Line value"},
    "de": {"description": "Gegenstand", "quantity": "Stk", "unit_price": "Je", "amount": "Wert"},
    "fr": {"description": "Objet", "quantity": "Nb", "unit_price": "L'unité", "amount": "Valeur"},
    "nl": {"description": "Omschr.", "quantity": "Aant.", "unit_price": "Per stuk", "amount": "Regel"},
    "es": {"description": "Detalle", "quantity": "Uds.", "unit_price": "Unidad", "amount": "Valor"},
}
_ORDERS = [
    ("description", "quantity", "unit_price", "amount"),
    ("quantity", "description", "unit_price", "amount"),
    ("description", "amount", "quantity", "unit_price"),
]
_WIDTHS = {"description": 70.0, "quantity": 18.0, "unit_price": 28.0, "amount": 30.0}
_ITEMS = [
    "Cleaning services",
    "Window frames",
    "Server rack rental",
    "Consulting hours",
    "Office chairs",
    "Printer toner",
    "Cable trays",
    "Safety gloves",
    "Paint white matt",
    "Delivery",
]
_CENT = Decimal("0.01")
TABLE_TOP = 108.0  # mm: the heading row; items follow 6 mm apart, the totals at 150 mm


@dataclass(frozen=True)
class TableInvoice(SeriesInvoice):
    """A series invoice and the line items printed on it (values as the reader normalises them)."""

    lines: list[dict[str, str]] = field(default_factory=list)


def draw_table_layout(rng: random.Random, index: int) -> tuple[SeriesLayout, tuple[str, ...]]:
    """A sender's layout and the order of its table's columns."""
    layout = draw_layout(rng, index)
    return layout, rng.choice(_ORDERS)


def write_table_invoice(
    layout: SeriesLayout, order: tuple[str, ...], rng: random.Random, path: Path, number: int
) -> TableInvoice:
    """One invoice of the series with 1-5 items, fresh data."""
    issued = date(2026, 1, 1) + timedelta(days=rng.randrange(300))
    due = issued + timedelta(days=rng.choice([14, 30, 45]))
    invoice_number = layout.number_style.format(p=layout.seller[:3].upper(), y=issued.year, n=number)
    items = []
    for description in rng.sample(_ITEMS, rng.randint(1, 5)):
        quantity = rng.randint(1, 24)
        price = Decimal(rng.randrange(150, 90000)) / 100
        items.append((description, quantity, price, (price * quantity).quantize(_CENT, ROUND_HALF_UP)))
    net = sum((amount for *_, amount in items), Decimal(0))
    tax = (net * Decimal(rng.choice([7, 10, 19, 20, 21])) / 100).quantize(_CENT, ROUND_HALF_UP)
    total = net + tax
    order_reference = f"PO-{rng.randrange(10000, 99999)}"
    values = printed(layout, invoice_number, issued, due, order_reference, net, tax, total)
    pdf = first_page(layout)
    draw_labelled(pdf, layout, values)
    headings = _HEADINGS[layout.language]
    x = 15.0
    pdf.set_font("Helvetica", "B", 9)
    for column in order:
        pdf.set_xy(x, TABLE_TOP)
        pdf.cell(_WIDTHS[column], 5, headings[column], align="L" if column == "description" else "R")
        x += _WIDTHS[column]
    pdf.set_font("Helvetica", "", 9)
    lines = []
    for row, (description, quantity, price, amount) in enumerate(items):
        cells = {
            "description": description,
            "quantity": str(quantity),
            "unit_price": money(price, layout.money_style),
            "amount": money(amount, layout.money_style),
        }
        x = 15.0
        for column in order:
            pdf.set_xy(x, TABLE_TOP + 7 + row * 6)
            pdf.cell(_WIDTHS[column], 5, cells[column], align="L" if column == "description" else "R")
            x += _WIDTHS[column]
        lines.append(
            {
                "description": description,
                "quantity": str(quantity),
                "unit_price": f"{price:.2f}",
                "amount": f"{amount:.2f}",
            }
        )
    pdf.output(str(path))
    expected = {
        "invoice_number": invoice_number,
        "issue_date": issued.isoformat(),
        "due_date": due.isoformat(),
        "order_reference": values["order_reference"],
        "net_total": f"{net:.2f}",
        "tax_total": f"{tax:.2f}",
        "grand_total": f"{total:.2f}",
        "iban": layout.iban,
        "seller_vat_id": layout.vat_id,
        "seller_name": layout.seller,
    }
    return TableInvoice(path, layout.name, layout.seller, expected, lines)


def generate_table_series(
    folder: Path, senders: int = 6, per_sender: int = 4, seed: int = 23
) -> list[list[TableInvoice]]:
    """``senders`` series of ``per_sender`` invoices with line tables, written into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    series = []
    for index in range(senders):
        layout, order = draw_table_layout(rng, 500 + index)
        series.append(
            [
                write_table_invoice(layout, order, rng, folder / f"{layout.name}-table-{n + 1:02d}.pdf", 60 + n * 5)
                for n in range(per_sender)
            ]
        )
    return series
