"""Sample invoice PDFs for the demo and the tests, with the values printed on them.

Four layouts (an American invoice, a German Rechnung, a compact British tax invoice, a French
facture), random vendors, buyers and lines from a seeded ``random.Random``, and a few deliberate
mistakes for the rule files to catch. The same seed gives the same files, byte for byte.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from fpdf import FPDF

log = logging.getLogger(__name__)

LAYOUTS = ("classic-en", "rechnung-de", "compact-uk", "facture-fr")
MISTAKES = ("totals", "missing-number", "due-before-issue")
_CENT = Decimal("0.01")
_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]


@dataclass(frozen=True)
class GeneratedInvoice:
    """One sample file and what an extractor should read from it (normalised strings)."""

    path: Path
    layout: str
    expected: dict[str, str]
    lines: list[dict[str, str]] = field(default_factory=list)
    mistake: str | None = None


@dataclass
class Party:
    name: str
    street: str
    city: str


@dataclass
class Item:
    description: str
    quantity: Decimal
    price: Decimal

    @property
    def amount(self) -> Decimal:
        return (self.quantity * self.price).quantize(_CENT, ROUND_HALF_UP)


@dataclass
class Sample:
    layout: str
    number: str | None
    issued: date
    due: date
    seller: Party
    buyer: Party
    currency: str
    rate: Decimal
    items: list[Item]
    order: str | None = None
    vat_id: str | None = None
    iban: str | None = None
    total_error: Decimal = Decimal(0)

    @property
    def net(self) -> Decimal:
        return sum((i.amount for i in self.items), Decimal(0))

    @property
    def tax(self) -> Decimal:
        return (self.net * self.rate / 100).quantize(_CENT, ROUND_HALF_UP)

    @property
    def total(self) -> Decimal:
        """The total as printed, wrong on purpose when ``total_error`` is set."""
        return self.net + self.tax + self.total_error


_LOCALES = {
    "classic-en": {
        "sellers": ["Northwind Traders Inc.", "Acme Analytics LLC", "Blue Harbor Consulting Inc.",
                    "Summit Office Supply Co.", "Cedar & Pine Design LLC"],
        "buyers": ["Riverside Dental Group", "Larkspur Logistics Inc.", "Maple Street Bakery",
                   "Quantum Freight LLC", "Evergreen Property Management"],
        "streets": ["1200 Market Street", "45 Harbor Way", "880 Elm Avenue", "17 Lakeview Drive"],
        "cities": ["Springfield, IL 62701", "Portland, OR 97205", "Austin, TX 78701", "Denver, CO 80202"],
        "items": [("Consulting hours", 90, 180), ("Printer paper, 10 reams", 35, 60), ("Toner cartridge", 45, 120),
                  ("Website maintenance", 150, 400), ("Cloud backup, monthly", 20, 80), ("Office chair", 120, 350),
                  ("Network switch 24-port", 180, 420), ("Training workshop", 300, 900)],
        "rates": ["0", "6.25", "7.25", "8.25", "8.875"], "currency": "USD",
    },
    "rechnung-de": {
        "sellers": ["Becker & Söhne GmbH", "Nordlicht Software GmbH", "Huber Maschinenbau KG",
                    "Weber Elektrotechnik GmbH", "Schmidt Bürobedarf e.K."],
        "buyers": ["Stadtwerke Musterstadt GmbH", "Bäckerei Krause", "Lindner Logistik AG",
                   "Praxis Dr. Meier", "Kaiser Immobilien GmbH"],
        "streets": ["Hauptstraße 12", "Industrieweg 7", "Am Markt 3", "Lindenallee 48"],
        "cities": ["10115 Berlin", "80331 München", "50667 Köln", "20095 Hamburg"],
        "items": [("Wartungsvertrag Heizung", 90, 450), ("Kopierpapier A4, 5 Pakete", 18, 40),
                  ("Montagearbeiten (Std.)", 55, 95), ("Netzwerkkabel Cat6, 10 m", 8, 25),
                  ("Softwarelizenz, jährlich", 240, 1200), ("Schulung vor Ort", 400, 1500),
                  ("Ersatzteil Pumpe", 60, 300), ("Fahrtkostenpauschale", 25, 60)],
        "rates": ["19", "19", "7"], "currency": "EUR",
    },
    "compact-uk": {
        "sellers": ["Thames Valley Print Ltd", "Oakridge IT Services Ltd", "Harbour & Finch LLP",
                    "Pennine Catering Supplies Ltd", "Kestrel Facilities plc"],
        "buyers": ["Bristol Community Trust", "Greenway Architects Ltd", "St Albans Veterinary Practice",
                   "Northgate Hotels Ltd", "Wexford & Lane Solicitors"],
        "streets": ["4 Canal Wharf", "22 King's Road", "Unit 9, Riverside Park", "101 High Street"],
        "cities": ["Reading RG1 8DB", "Leeds LS1 4AP", "Bristol BS1 5TR", "Manchester M1 2HF"],
        "items": [("Brochure print run", 180, 950), ("Laptop setup and imaging", 60, 140),
                  ("On-site support (hour)", 55, 95), ("Catering for 20 guests", 240, 520),
                  ("Window cleaning, quarterly", 80, 210), ("Business cards, 500", 25, 70)],
        "rates": ["20", "20", "5"], "currency": "GBP",
    },
    "facture-fr": {
        "sellers": ["Atelier Dupont SARL", "Lumière Conseil SAS", "Boulangerie Martin SARL",
                    "Transports Garnier SA", "Informatique Leroy SAS"],
        "buyers": ["Mairie de Villeurbanne", "Cabinet Rousseau", "Hôtel des Arts SARL",
                   "Clinique Saint-Joseph", "Librairie Moreau"],
        "streets": ["12 rue de la République", "8 avenue Jean Jaurès", "27 boulevard Voltaire", "3 place Bellecour"],
        "cities": ["69002 Lyon", "75011 Paris", "33000 Bordeaux", "13001 Marseille"],
        "items": [("Maintenance informatique", 80, 400), ("Livraison express", 15, 60),
                  ("Formation bureautique", 350, 1200), ("Cartouches d'encre", 20, 75),
                  ("Audit de sécurité", 900, 2400), ("Location de salle", 150, 600)],
        "rates": ["20", "20", "10", "5.5"], "currency": "EUR",
    },
}
_IBAN_COUNTRY = {"rechnung-de": ("DE", 18), "compact-uk": ("GB", 18), "facture-fr": ("FR", 23)}


def generate(folder: Path, count: int = 12, seed: int = 7) -> list[GeneratedInvoice]:
    """Write ``count`` sample invoices into ``folder`` and return what each one holds.

    About one in four carries a mistake, cycling through :data:`MISTAKES`.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    wrong = sorted(rng.sample(range(count), k=min(count, max(1, count // 4)))) if count else []
    mistakes = {index: MISTAKES[n % len(MISTAKES)] for n, index in enumerate(wrong)}
    width = max(2, len(str(count)))
    generated = []
    for index in range(count):
        layout = LAYOUTS[index % len(LAYOUTS)]
        sample = _sample(rng, layout, index, mistakes.get(index))
        path = folder / f"invoice-{index + 1:0{width}d}-{layout}.pdf"
        _RENDER[layout](sample).output(str(path))
        generated.append(GeneratedInvoice(path, layout, _expected(sample), _expected_lines(sample),
                                          mistakes.get(index)))
    log.info("generated sample invoices", extra={"folder": str(folder), "count": count, "seed": seed})
    return generated


def _sample(rng: random.Random, layout: str, index: int, mistake: str | None) -> Sample:
    data = _LOCALES[layout]
    issued = date(2024, 1, 2) + timedelta(days=rng.randrange(0, 360))
    due = issued + timedelta(days=rng.choice([14, 30, 30, 45]))
    if mistake == "due-before-issue":
        due = issued - timedelta(days=rng.randrange(3, 20))
    names = rng.sample(data["sellers"], 1) + rng.sample(data["buyers"], 1)
    seller = Party(names[0], rng.choice(data["streets"]), rng.choice(data["cities"]))
    buyer = Party(names[1], rng.choice(data["streets"]), rng.choice(data["cities"]))
    items, prices = [], {}
    for description, low, high in [rng.choice(data["items"]) for _ in range(rng.randint(1, 12))]:
        hours = "Std." in description or "hour" in description.lower()
        quantity = Decimal(rng.choice([1, 2, 3, 5, 8])) + (Decimal("0.5") if hours and rng.random() < 0.5 else 0)
        price = prices.setdefault(description, Decimal(rng.randrange(low * 100, high * 100)) / 100)
        items.append(Item(description, quantity, price))
    prefix = {"classic-en": "INV-", "rechnung-de": "RE-", "compact-uk": "", "facture-fr": "F"}[layout]
    number = f"{prefix}{issued.year}-{1000 + index * 7 + rng.randrange(7):05d}"
    sample = Sample(
        layout=layout, number=None if mistake == "missing-number" else number, issued=issued, due=due,
        seller=seller, buyer=buyer, currency=data["currency"], rate=Decimal(rng.choice(data["rates"])),
        items=items,
    )
    if rng.random() < 0.5:
        sample.order = f"PO-{rng.randrange(10000, 99999)}"
    if layout in _IBAN_COUNTRY:
        country, length = _IBAN_COUNTRY[layout]
        sample.iban = _iban(country, length, rng)
        sample.vat_id = _vat_id(country, rng)
    if mistake == "totals":
        sample.total_error = rng.choice([Decimal("10.00"), Decimal("100.00"), Decimal("-1.00"), Decimal("0.10")])
    return sample


def _iban(country: str, length: int, rng: random.Random) -> str:
    if country == "GB":
        bban = "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(4))
        bban += "".join(rng.choice("0123456789") for _ in range(14))
    else:
        bban = "".join(rng.choice("0123456789") for _ in range(length))
    digits = "".join(str(int(ch, 36)) for ch in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def _vat_id(country: str, rng: random.Random) -> str:
    digits = "".join(rng.choice("0123456789") for _ in range(11))
    return {"DE": f"DE{digits[:9]}", "GB": f"GB{digits[:9]}", "FR": f"FR{digits}"}[country]


def _expected(sample: Sample) -> dict[str, str]:
    expected = {
        "issue_date": sample.issued.isoformat(), "due_date": sample.due.isoformat(),
        "seller_name": sample.seller.name, "buyer_name": sample.buyer.name, "currency": sample.currency,
        "net_total": f"{sample.net:.2f}", "tax_total": f"{sample.tax:.2f}", "grand_total": f"{sample.total:.2f}",
    }
    if sample.number:
        expected["invoice_number"] = sample.number
    if sample.layout in ("classic-en", "facture-fr"):
        expected["amount_due"] = f"{sample.total:.2f}"
    for name, value in (("order_reference", sample.order), ("seller_vat_id", sample.vat_id),
                        ("iban", sample.iban)):
        if value:
            expected[name] = value
    return expected


def _expected_lines(sample: Sample) -> list[dict[str, str]]:
    return [
        {"description": i.description, "quantity": f"{i.quantity.normalize():f}",
         "unit_price": f"{i.price:.2f}", "amount": f"{i.amount:.2f}"}
        for i in sample.items
    ]


# ---------------------------------------------------------------- printing


def _money(value: Decimal, style: str) -> str:
    """``1,234.56`` (en), ``1.234,56`` (de) or ``1 234,56`` (fr)."""
    text = f"{value:,.2f}"
    if style == "de":
        return text.replace(",", "_").replace(".", ",").replace("_", ".")
    if style == "fr":
        return text.replace(",", " ").replace(".", ",")
    return text


def _pdf(sample: Sample) -> FPDF:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(datetime(sample.issued.year, sample.issued.month, sample.issued.day, tzinfo=timezone.utc))
    pdf.set_title(f"Invoice {sample.number or ''}".strip())
    pdf.set_author(sample.seller.name)
    pdf.add_page()
    return pdf


def _put(pdf: FPDF, x: float, y: float, text: str, size: float = 9, style: str = "", width: float = 0,
         align: str = "L") -> None:
    pdf.set_font("Helvetica", style, size)
    pdf.set_xy(x, y)
    pdf.cell(width or pdf.get_string_width(text) + 1, size * 0.45, text, align=align)


def _table(pdf: FPDF, sample: Sample, y: float, heads: list[str], money: str, qty_style: str) -> float:
    """Description, quantity, unit price, amount; returns the y below the table."""
    columns = [(20, 90, "L"), (112, 20, "R"), (134, 28, "R"), (164, 28, "R")]
    pdf.set_draw_color(120, 120, 120)
    for (x, w, align), head in zip(columns, heads):
        _put(pdf, x, y, head, 9, "B", w, align)
    pdf.line(20, y + 5.5, 192, y + 5.5)
    y += 8
    for item in sample.items:
        qty = f"{item.quantity.normalize():f}"
        if qty_style == "de":
            qty = qty.replace(".", ",")
        cells = [item.description, qty, _money(item.price, money), _money(item.amount, money)]
        for (x, w, align), text in zip(columns, cells):
            _put(pdf, x, y, text, 9, "", w, align)
        y += 6
    pdf.line(20, y, 192, y)
    return y + 4


def _totals(pdf: FPDF, y: float, rows: list[tuple[str, str]], x: float = 120) -> float:
    for number, (label, value) in enumerate(rows):
        style = "B" if number == len(rows) - 1 or label.lower().startswith(("total", "rechnungs", "balance", "net ")) else ""
        _put(pdf, x, y, label, 9, style, 40)
        _put(pdf, 160, y, value, 9, style, 32, "R")
        y += 6
    return y


def _classic_en(sample: Sample) -> FPDF:
    pdf = _pdf(sample)
    usd = lambda v: "$" + _money(v, "en")  # noqa: E731
    _put(pdf, 20, 18, sample.seller.name, 18, "B")
    _put(pdf, 20, 28, sample.seller.street)
    _put(pdf, 20, 33, sample.seller.city)
    _put(pdf, 150, 18, "INVOICE", 20, "B", 42, "R")
    rows = [("Invoice No.:", sample.number)] if sample.number else []
    rows += [("Invoice Date:", _us_date(sample.issued)), ("Due Date:", _us_date(sample.due))]
    if sample.order:
        rows.append(("PO Number:", sample.order))
    for number, (label, value) in enumerate(rows):
        _put(pdf, 120, 32 + number * 5, label, 9, "B")
        _put(pdf, 150, 32 + number * 5, value, 9, "", 42, "R")
    _put(pdf, 20, 52, "Bill To:", 9, "B")
    _put(pdf, 20, 57, sample.buyer.name)
    _put(pdf, 20, 62, sample.buyer.street)
    _put(pdf, 20, 67, sample.buyer.city)
    y = _table(pdf, sample, 82, ["Description", "Qty", "Unit Price", "Amount"], "en", "en")
    y = _totals(pdf, y, [("Subtotal", usd(sample.net)), (f"Sales Tax ({sample.rate}%)", usd(sample.tax)),
                         ("Total", usd(sample.total)), ("Balance Due", usd(sample.total))])
    _put(pdf, 20, y + 10, "Thank you for your business. Payment is due by the due date above.", 8)
    return pdf


def _rechnung_de(sample: Sample) -> FPDF:
    pdf = _pdf(sample)
    eur = lambda v: _money(v, "de") + " EUR"  # noqa: E731
    de = lambda d: d.strftime("%d.%m.%Y")  # noqa: E731
    _put(pdf, 110, 15, sample.seller.name, 16, "B", 82, "R")
    _put(pdf, 110, 23, f"{sample.seller.street}, {sample.seller.city}", 8, "", 82, "R")
    _put(pdf, 20, 45, f"{sample.seller.name} · {sample.seller.street} · {sample.seller.city}", 7)
    _put(pdf, 20, 51, "Rechnung an:", 8, "B")
    _put(pdf, 20, 56, sample.buyer.name, 10)
    _put(pdf, 20, 61, sample.buyer.street, 10)
    _put(pdf, 20, 66, sample.buyer.city, 10)
    rows = [("Rechnungsnummer:", sample.number)] if sample.number else []
    rows += [("Rechnungsdatum:", de(sample.issued)), ("Fällig am:", de(sample.due)), ("Kundennummer:", "K-" + sample.buyer.name[:3].upper() + "17")]
    if sample.order:
        rows.append(("Ihre Bestellung:", sample.order))
    for number, (label, value) in enumerate(rows):
        _put(pdf, 125, 50 + number * 5, label, 9)
        _put(pdf, 160, 50 + number * 5, value, 9, "", 32, "R")
    _put(pdf, 20, 82, "Rechnung", 16, "B")
    y = _table(pdf, sample, 94, ["Bezeichnung", "Menge", "Einzelpreis", "Gesamtpreis"], "de", "de")
    y = _totals(pdf, y, [("Nettobetrag", eur(sample.net)), (f"zzgl. {_money(sample.rate, 'de').rstrip('0').rstrip(',')} % USt.", eur(sample.tax)),
                         ("Rechnungsbetrag", eur(sample.total))])
    _put(pdf, 20, y + 8, f"Bitte überweisen Sie den Betrag bis zum {de(sample.due)}.", 9)
    _put(pdf, 20, 270, sample.seller.name, 7)
    _put(pdf, 20, 274, f"{sample.seller.street}, {sample.seller.city}", 7)
    _put(pdf, 85, 270, f"IBAN: {_grouped(sample.iban)}", 7)
    _put(pdf, 85, 274, "BIC: DEUTDEFFXXX", 7)
    _put(pdf, 150, 270, f"USt-IdNr.: {sample.vat_id}", 7)
    return pdf


def _compact_uk(sample: Sample) -> FPDF:
    pdf = _pdf(sample)
    gbp = lambda v: "£" + _money(v, "en")  # noqa: E731
    uk = lambda d: f"{d.day} {_MONTHS[d.month - 1][:3]} {d.year}"  # noqa: E731
    _put(pdf, 20, 15, sample.seller.name, 13, "B")
    _put(pdf, 20, 22, f"{sample.seller.street}, {sample.seller.city}", 8)
    _put(pdf, 150, 15, "TAX INVOICE", 12, "B", 42, "R")
    heads = ([("Invoice No.", sample.number)] if sample.number else []) + [
        ("Invoice Date", uk(sample.issued)), ("Due Date", uk(sample.due))]
    if sample.order:
        heads.append(("PO Number", sample.order))
    for number, (label, value) in enumerate(heads):
        _put(pdf, 20 + number * 43, 34, label, 8, "B")
        _put(pdf, 20 + number * 43, 39, value, 9)
    _put(pdf, 20, 50, "Billed to", 8, "B")
    _put(pdf, 20, 55, sample.buyer.name, 9)
    _put(pdf, 20, 60, f"{sample.buyer.street}, {sample.buyer.city}", 8)
    y = _table(pdf, sample, 72, ["Description", "Qty", "Unit price", "Amount"], "en", "en")
    rate = f"{sample.rate.normalize():f}"
    y = _totals(pdf, y, [("Net", gbp(sample.net)), (f"VAT {rate}%", gbp(sample.tax)), ("Total GBP", gbp(sample.total))], x=135)
    _put(pdf, 20, 275, f"VAT Reg. No. {sample.vat_id[:2]} {sample.vat_id[2:5]} {sample.vat_id[5:9]} {sample.vat_id[9:]}", 7)
    _put(pdf, 100, 275, f"IBAN {_grouped(sample.iban)}", 7)
    return pdf


def _facture_fr(sample: Sample) -> FPDF:
    pdf = _pdf(sample)
    eur = lambda v: _money(v, "fr") + " EUR"  # noqa: E731
    fr = lambda d: d.strftime("%d/%m/%Y")  # noqa: E731
    _put(pdf, 20, 15, sample.seller.name, 16, "B")
    _put(pdf, 20, 23, sample.seller.street, 9)
    _put(pdf, 20, 28, sample.seller.city, 9)
    _put(pdf, 20, 33, f"N° TVA intracom. : {sample.vat_id}", 8)
    _put(pdf, 140, 15, "FACTURE", 18, "B", 52, "R")
    rows = [("Facture n° :", sample.number)] if sample.number else []
    rows += [("Date de facture :", fr(sample.issued)), ("Date d'échéance :", fr(sample.due))]
    if sample.order:
        rows.append(("Bon de commande :", sample.order))
    for number, (label, value) in enumerate(rows):
        _put(pdf, 115, 30 + number * 5, label, 9)
        _put(pdf, 160, 30 + number * 5, value, 9, "", 32, "R")
    _put(pdf, 115, 58, "Client :", 9, "B")
    _put(pdf, 115, 63, sample.buyer.name, 10)
    _put(pdf, 115, 68, sample.buyer.street, 9)
    _put(pdf, 115, 73, sample.buyer.city, 9)
    y = _table(pdf, sample, 88, ["Désignation", "Qté", "Prix unitaire", "Montant HT"], "fr", "de")
    rate = _money(sample.rate, "fr").rstrip("0").rstrip(",")
    y = _totals(pdf, y, [("Total HT", eur(sample.net)), (f"TVA {rate} %", eur(sample.tax)),
                         ("Total TTC", eur(sample.total)), ("Net à payer", eur(sample.total))])
    _put(pdf, 20, y + 10, f"Règlement par virement : IBAN {_grouped(sample.iban)}", 8)
    return pdf


def _us_date(day: date) -> str:
    return f"{_MONTHS[day.month - 1]} {day.day}, {day.year}"


def _grouped(iban: str | None) -> str:
    iban = iban or ""
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


_RENDER = {"classic-en": _classic_en, "rechnung-de": _rechnung_de, "compact-uk": _compact_uk, "facture-fr": _facture_fr}
