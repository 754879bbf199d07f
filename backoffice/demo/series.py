"""Series of invoices from the same senders: one layout per sender (drawn at random: labels in
English, German, French, Dutch or Spanish, some of them unusual, fields placed anywhere, dates
and amounts printed the sender's way) and varying data on every invoice of the series.

Used by ``bench/learning.py`` and the learning tests: the template-free reader gets some fields
of some layouts wrong, a person corrects the first invoice of a series, the rest are read with
what was learned.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from fpdf import FPDF

from backoffice.demo.invoice_layouts import money
from backoffice.demo.invoices import _iban, _vat_id
from backoffice.demo.varied_words import month_names

_LABELS = {
    "en": {
        "invoice_number": ["Invoice No.", "Reference", "Document", "Our ref.", "Bill number"],
        "issue_date": ["Invoice Date", "Dated", "Issued", "Date of issue"],
        "due_date": ["Due Date", "Payable by", "Pay before", "Settle by"],
        "order_reference": ["PO Number", "Your order", "Order ref."],
        "net_total": ["Subtotal", "Net", "Goods"],
        "tax_total": ["Tax", "VAT", "Sales tax"],
        "grand_total": ["Total", "To pay", "Amount payable", "Sum"],
        "iban": ["IBAN", "Account"],
        "seller_vat_id": ["VAT No.", "VAT reg.", "Tax ID"],
        "buyer": ["Bill To", "Customer", "Sold to"],
    },
    "de": {
        "invoice_number": ["Rechnungsnummer", "Beleg", "Rechnung Nr.", "Vorgang"],
        "issue_date": ["Rechnungsdatum", "Datum", "Ausgestellt am"],
        "due_date": ["Fällig am", "Zahlbar bis", "Zahlungsziel"],
        "order_reference": ["Bestellnummer", "Ihre Bestellung", "Auftrag"],
        "net_total": ["Nettobetrag", "Summe netto", "Warenwert"],
        "tax_total": ["MwSt.", "Umsatzsteuer", "USt"],
        "grand_total": ["Gesamtbetrag", "Zu zahlen", "Endbetrag"],
        "iban": ["IBAN", "Konto"],
        "seller_vat_id": ["USt-IdNr.", "UID"],
        "buyer": ["Rechnungsempfänger", "Kunde", "An"],
    },
    "fr": {
        "invoice_number": ["Facture n°", "Référence", "Pièce"],
        "issue_date": ["Date", "Émise le", "Date de facture"],
        "due_date": ["Échéance", "À payer avant", "Date limite"],
        "order_reference": ["Commande", "Bon de commande"],
        "net_total": ["Total HT", "Montant HT"],
        "tax_total": ["TVA", "Montant TVA"],
        "grand_total": ["Total TTC", "Net à payer", "Montant dû"],
        "iban": ["IBAN", "RIB"],
        "seller_vat_id": ["TVA intracom.", "N° TVA"],
        "buyer": ["Client", "Facturé à"],
    },
    "nl": {
        "invoice_number": ["Factuurnummer", "Kenmerk", "Nummer"],
        "issue_date": ["Factuurdatum", "Datum"],
        "due_date": ["Vervaldatum", "Te betalen voor"],
        "order_reference": ["Bestelnummer", "Uw order"],
        "net_total": ["Subtotaal", "Netto"],
        "tax_total": ["BTW", "Btw-bedrag"],
        "grand_total": ["Totaal", "Te betalen"],
        "iban": ["IBAN", "Rekening"],
        "seller_vat_id": ["Btw-nummer", "BTW-nr."],
        "buyer": ["Klant", "Aan"],
    },
    "es": {
        "invoice_number": ["Factura n.º", "Número", "Referencia"],
        "issue_date": ["Fecha", "Fecha de emisión"],
        "due_date": ["Vencimiento", "Pagar antes de"],
        "order_reference": ["Pedido", "Su pedido"],
        "net_total": ["Base imponible", "Subtotal"],
        "tax_total": ["IVA", "Cuota IVA"],
        "grand_total": ["Total factura", "Total a pagar", "Importe"],
        "iban": ["IBAN", "Cuenta"],
        "seller_vat_id": ["NIF", "CIF"],
        "buyer": ["Cliente", "Facturar a"],
    },
}
_COUNTRY = {"en": ("GB", "GBP"), "de": ("DE", "EUR"), "fr": ("FR", "EUR"), "nl": ("NL", "EUR"), "es": ("ES", "EUR")}
_IBAN_LEN = {"GB": 18, "DE": 18, "FR": 23, "NL": 14, "ES": 20}
_NAMES = [
    "Alder",
    "Birch",
    "Cobalt",
    "Dune",
    "Ember",
    "Fjord",
    "Garnet",
    "Heron",
    "Indigo",
    "Juniper",
    "Kestrel",
    "Lumen",
    "Marlow",
    "Nimbus",
    "Onyx",
    "Pico",
    "Quarry",
    "Rowan",
    "Sable",
    "Tundra",
]
_SUFFIX = {"en": "Ltd", "de": "GmbH", "fr": "SARL", "nl": "B.V.", "es": "S.L."}
_BUYERS = ["Harbour Clinic", "Stadtwerke Nord", "Hotel Lumière", "Gemeente Oost", "Clínica Sol", "Riverside Group"]
_DATES = {"dmy.": "%d.%m.%Y", "dmy/": "%d/%m/%Y", "mdy/": "%m/%d/%Y", "iso": "%Y-%m-%d", "long": "long"}
_MONTHS = month_names("en")
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class SeriesLayout:
    """How one sender prints its invoices."""

    name: str
    language: str
    seller: str
    vat_id: str
    iban: str
    labels: dict[str, str]
    places: dict[str, tuple[float, float, str]]  # field -> (x, y, "right" | "below") in mm
    date_style: str
    money_style: str
    number_style: str


@dataclass(frozen=True)
class SeriesInvoice:
    path: Path
    layout: str
    sender: str
    expected: dict[str, str] = field(default_factory=dict)


def draw_layout(rng: random.Random, index: int) -> SeriesLayout:
    language = rng.choice(list(_LABELS))
    country, _ = _COUNTRY[language]
    labels = {name: rng.choice(options) for name, options in _LABELS[language].items()}
    head_x = rng.choice([15.0, 110.0, 120.0])
    head_y = rng.choice([40.0, 45.0, 55.0])
    gap = rng.choice([25.0, 35.0, 45.0])
    places: dict[str, tuple[float, float, str]] = {}
    style = rng.choice(["right", "below"])
    for row, name in enumerate(["invoice_number", "issue_date", "due_date", "order_reference"]):
        step = 5.0 if style == "right" else 9.0
        places[name] = (head_x, head_y + row * step, style)
    totals_x = rng.choice([110.0, 120.0, 130.0])
    for row, name in enumerate(["net_total", "tax_total", "grand_total"]):
        places[name] = (totals_x, 150.0 + row * 6, "right")
    places["iban"] = (15.0, 250.0, "right")
    places["seller_vat_id"] = (rng.choice([15.0, 110.0]), 24.0, "right")
    seller = f"{rng.choice(_NAMES)} {rng.choice(_NAMES)} {_SUFFIX[language]}"
    return SeriesLayout(
        name=f"series-{index:03d}-{language}",
        language=language,
        seller=seller,
        vat_id=_vat_id(country, rng),
        iban=_iban(country, _IBAN_LEN[country], rng),
        labels=labels,
        places={**places, "_gap": (gap, 0.0, "")},
        date_style=rng.choice(["dmy.", "dmy/", "iso", "long"] + (["mdy/"] if language == "en" else [])),
        money_style=rng.choice(["en", "de", "fr"]) if language != "en" else "en",
        number_style=rng.choice(["{p}-{y}-{n:04d}", "{n:06d}", "{p}{n:05d}", "{y}/{n:03d}"]),
    )


def _date(day: date, style: str) -> str:
    if style == "long":
        return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    return day.strftime(_DATES[style])


def printed(
    layout: SeriesLayout,
    invoice_number: str,
    issued: date,
    due: date,
    order: str,
    net: Decimal,
    tax: Decimal,
    total: Decimal,
) -> dict[str, str]:
    """The labelled values as the sender prints them, in the order they are drawn."""
    return {
        "invoice_number": invoice_number,
        "issue_date": _date(issued, layout.date_style),
        "due_date": _date(due, layout.date_style),
        "order_reference": order,
        "net_total": money(net, layout.money_style),
        "tax_total": money(tax, layout.money_style),
        "grand_total": money(total, layout.money_style),
        "iban": layout.iban,
        "seller_vat_id": layout.vat_id,
    }


def first_page(layout: SeriesLayout) -> FPDF:
    """An A4 page with the sender's name at its top."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.set_xy(15, 12)
    pdf.cell(0, 8, layout.seller)
    return pdf


def draw_labelled(pdf: FPDF, layout: SeriesLayout, values: dict[str, str]) -> None:
    """Each value beside or below its label, where the sender's layout places it."""
    gap = layout.places["_gap"][0]
    for name, text in values.items():
        x, y, style = layout.places[name]
        pdf.set_font("Helvetica", "B", 9)
        pdf.set_xy(x, y)
        pdf.cell(0, 4, layout.labels[name])
        if style == "below":
            pdf.set_xy(x, y + 4)
        else:  # the label's width in its own (bold) font
            pdf.set_xy(x + max(gap, pdf.get_string_width(layout.labels[name]) + 6), y)
        pdf.set_font("Helvetica", "", 9)
        pdf.cell(0, 4, text)


def write_invoice(layout: SeriesLayout, rng: random.Random, path: Path, number: int) -> SeriesInvoice:
    """One invoice of the series, with fresh data."""
    issued = date(2026, 1, 1) + timedelta(days=rng.randrange(300))
    due = issued + timedelta(days=rng.choice([14, 30, 45]))
    invoice_number = layout.number_style.format(p=layout.seller[:3].upper(), y=issued.year, n=number)
    order = f"PO-{rng.randrange(10000, 99999)}"
    net = Decimal(rng.randrange(5000, 900000)) / 100
    rate = Decimal(rng.choice([7, 10, 19, 20, 21]))
    tax = (net * rate / 100).quantize(_CENT, ROUND_HALF_UP)
    total = net + tax
    buyer = rng.choice(_BUYERS)
    values = printed(layout, invoice_number, issued, due, order, net, tax, total)
    pdf = first_page(layout)
    pdf.set_font("Helvetica", "", 9)
    pdf.set_xy(15, 60 if layout.places["invoice_number"][0] > 100 else 100)
    pdf.cell(0, 5, f"{layout.labels['buyer']}: {buyer}")
    draw_labelled(pdf, layout, values)
    pdf.set_xy(15, 120)
    pdf.cell(0, 5, f"{rng.choice(['Services', 'Goods', 'Maintenance'])} {issued:%B %Y}  x{rng.randrange(1, 9)}")
    pdf.output(str(path))
    expected = {
        "invoice_number": invoice_number,
        "issue_date": issued.isoformat(),
        "due_date": due.isoformat(),
        "order_reference": order,
        "net_total": f"{net:.2f}",
        "tax_total": f"{tax:.2f}",
        "grand_total": f"{total:.2f}",
        "iban": layout.iban,
        "seller_vat_id": layout.vat_id,
        "seller_name": layout.seller,
    }
    return SeriesInvoice(path, layout.name, layout.seller, expected)


def generate_series(folder: Path, senders: int = 10, per_sender: int = 5, seed: int = 17) -> list[list[SeriesInvoice]]:
    """``senders`` series of ``per_sender`` invoices each, written into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    series = []
    for index in range(senders):
        layout = draw_layout(rng, index)
        series.append(
            [
                write_invoice(layout, rng, folder / f"{layout.name}-{n + 1:02d}.pdf", 40 + n * 7 + index)
                for n in range(per_sender)
            ]
        )
    return series
