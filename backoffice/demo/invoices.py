"""Sample invoice PDFs for the demo and the tests, with the values printed on them.

Six layouts (an American invoice, a German Rechnung, a compact British tax invoice, a French
facture, a Dutch factuur, a Spanish factura), random vendors, buyers and lines from a seeded
``random.Random``, and a few deliberate mistakes for the rule files to catch. The same seed gives
the same files, byte for byte. A table longer than a page goes on over the next pages, with its
header repeated and ``Page n of m`` in the footer. :func:`generate_golden` writes a set for the
golden tests, each file with its expected values in ``<file>.expected.json`` beside it.
"""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from backoffice.demo.invoice_layouts import RENDER

log = logging.getLogger(__name__)

LAYOUTS = ("classic-en", "rechnung-de", "compact-uk", "facture-fr")
MORE_LAYOUTS = ("factuur-nl", "factura-es")
ALL_LAYOUTS = LAYOUTS + MORE_LAYOUTS
GOLDEN_LINE_COUNTS = (1, 5, 14, 40)
MISTAKES = ("totals", "missing-number", "due-before-issue")
_CENT = Decimal("0.01")


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
    "factuur-nl": {
        "sellers": ["Van Dijk Installatietechniek B.V.", "De Vries Drukwerk B.V.", "Bakker Schoonmaak B.V.",
                    "Jansen ICT Diensten B.V."],
        "buyers": ["Gemeente Zaanstad", "Huisartsenpraktijk Smit", "Hotel De Gouden Leeuw B.V.", "Stichting Groen Wonen"],
        "streets": ["Kerkstraat 12", "Stationsweg 45", "Industrieweg 8", "Marktplein 3"],
        "cities": ["1012 AB Amsterdam", "3511 LK Utrecht", "2511 CV Den Haag", "9711 HV Groningen"],
        "items": [("Onderhoud cv-ketel", 85, 240), ("Drukwerk folders A5", 60, 300), ("Schoonmaak per uur", 28, 45),
                  ("Laptop configuratie", 70, 160), ("Kantoorartikelen", 15, 80), ("Advies (uur)", 90, 150)],
        "rates": ["21", "21", "9"], "currency": "EUR",
    },
    "factura-es": {
        "sellers": ["Suministros García S.L.", "Consultoría Martínez S.L.", "Transportes López S.A.",
                    "Imprenta Fernández S.L."],
        "buyers": ["Ayuntamiento de Valencia", "Clínica Dental Ruiz", "Hotel Mediterráneo S.A.", "Librería Cervantes"],
        "streets": ["Calle Mayor 14", "Avenida de la Constitución 22", "Plaza del Sol 5", "Calle Alcalá 101"],
        "cities": ["28013 Madrid", "46002 Valencia", "41001 Sevilla", "08002 Barcelona"],
        "items": [("Material de oficina", 20, 90), ("Servicio de consultoría", 300, 900), ("Transporte urgente", 45, 140),
                  ("Impresión de catálogos", 150, 700), ("Mantenimiento informático", 80, 260)],
        "rates": ["21", "21", "10"], "currency": "EUR",
    },
}
_IBAN_COUNTRY = {"rechnung-de": ("DE", 18), "compact-uk": ("GB", 18), "facture-fr": ("FR", 23),
                 "factuur-nl": ("NL", 14), "factura-es": ("ES", 20)}


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
        RENDER[layout](sample).output(str(path))
        generated.append(GeneratedInvoice(path, layout, _expected(sample), _expected_lines(sample),
                                          mistakes.get(index)))
    log.info("generated sample invoices", extra={"folder": str(folder), "count": count, "seed": seed})
    return generated


def generate_golden(folder: Path, seed: int = 21, layouts: tuple[str, ...] = ALL_LAYOUTS,
                    line_counts: tuple[int, ...] = GOLDEN_LINE_COUNTS) -> list[GeneratedInvoice]:
    """One correct invoice per layout and line count, each with ``<name>.expected.json`` beside it
    (``{"kind", "fields", "lines"}``, normalised strings)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    generated = []
    for layout in layouts:
        for count in line_counts:
            sample = _sample(rng, layout, len(generated), None, lines=count)
            path = folder / f"golden-{layout}-{count:02d}-lines.pdf"
            RENDER[layout](sample).output(str(path))
            found = GeneratedInvoice(path, layout, _expected(sample), _expected_lines(sample))
            tax_lines = [{"rate": f"{sample.rate.normalize():f}", "amount": f"{sample.tax:.2f}"}]
            write_expected(path, "invoice", found.expected, found.lines, tax_lines)
            generated.append(found)
    return generated


def write_expected(path: Path, kind: str, fields: dict[str, str], lines: list[dict[str, str]],
                   tax_lines: list[dict[str, str]] | None = None) -> Path:
    """Write ``<path>.expected.json``: what reading ``path`` should give."""
    target = path.with_name(path.name + ".expected.json")
    data: dict = {"kind": kind, "fields": fields, "lines": lines}
    if tax_lines is not None:
        data["tax_lines"] = tax_lines
    target.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def _sample(rng: random.Random, layout: str, index: int, mistake: str | None, lines: int | None = None) -> Sample:
    data = _LOCALES[layout]
    issued = date(2024, 1, 2) + timedelta(days=rng.randrange(0, 360))
    due = issued + timedelta(days=rng.choice([14, 30, 30, 45]))
    if mistake == "due-before-issue":
        due = issued - timedelta(days=rng.randrange(3, 20))
    names = rng.sample(data["sellers"], 1) + rng.sample(data["buyers"], 1)
    seller = Party(names[0], rng.choice(data["streets"]), rng.choice(data["cities"]))
    buyer = Party(names[1], rng.choice(data["streets"]), rng.choice(data["cities"]))
    items, prices = [], {}
    for description, low, high in [rng.choice(data["items"]) for _ in range(lines or rng.randint(1, 12))]:
        hours = "Std." in description or "hour" in description.lower()
        quantity = Decimal(rng.choice([1, 2, 3, 5, 8])) + (Decimal("0.5") if hours and rng.random() < 0.5 else 0)
        price = prices.setdefault(description, Decimal(rng.randrange(low * 100, high * 100)) / 100)
        items.append(Item(description, quantity, price))
    prefix = {"classic-en": "INV-", "rechnung-de": "RE-", "compact-uk": "", "facture-fr": "F", "factuur-nl": "F",
              "factura-es": "FAC-"}[layout]
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
    return {"DE": f"DE{digits[:9]}", "GB": f"GB{digits[:9]}", "FR": f"FR{digits}", "NL": f"NL{digits[:9]}B01",
            "ES": f"ESB{digits[:8]}"}[country]


def _expected(sample: Sample) -> dict[str, str]:
    expected = {
        "issue_date": sample.issued.isoformat(), "due_date": sample.due.isoformat(),
        "seller_name": sample.seller.name, "buyer_name": sample.buyer.name, "currency": sample.currency,
        "net_total": f"{sample.net:.2f}", "tax_total": f"{sample.tax:.2f}", "grand_total": f"{sample.total:.2f}",
    }
    if sample.number:
        expected["invoice_number"] = sample.number
    # printed as such in three layouts; elsewhere no payment is printed, so the grand total is asked for
    expected["amount_due"] = f"{sample.total:.2f}"
    for name, value in (("order_reference", sample.order), ("seller_vat_id", sample.vat_id),
                        ("iban", sample.iban)):
        if value:
            expected[name] = value
    for party in _ADDRESS_BELOW_NAME[sample.layout]:  # the addresses printed under a party's name
        where = sample.seller if party == "seller" else sample.buyer
        expected[f"{party}_address"] = f"{where.street}, {where.city}"
    if sample.layout == "rechnung-de":
        expected["bic"] = "DEUTDEFFXXX"
    return expected


_ADDRESS_BELOW_NAME = {"classic-en": ("seller", "buyer"), "rechnung-de": ("buyer",), "compact-uk": ("seller", "buyer"),
                       "facture-fr": ("seller", "buyer"), "factuur-nl": ("seller", "buyer"),
                       "factura-es": ("seller", "buyer")}


def _expected_lines(sample: Sample) -> list[dict[str, str]]:
    return [
        {"description": i.description, "quantity": f"{i.quantity.normalize():f}",
         "unit_price": f"{i.price:.2f}", "amount": f"{i.amount:.2f}"}
        for i in sample.items
    ]
