"""Invoices made by other software, with the values they were given as the truth beside each
PDF (``<name>.truth.json``, the real-invoices fields). Layouts, label wordings and date styles the
ranker never saw in training. In turn:

- InvoiceGenerator (reportlab; English, Czech and Brazilian Portuguese);
- PyInvoice (reportlab; English, "Name:" rows under "Service Provider" and "Client", a PAID
  stamp on some);
- billwright (WeasyPrint; Swiss German or English, a DIN letter with a Swiss QR bill, ``2’500.00``);
- dinbrief (reportlab; a DIN 5008 letter: the number only in the subject line, the date alone);
- arca-factura-pdf (fpdf2; Argentine AFIP invoices A, B and C in Spanish, ``$`` for pesos).

Run by ``bench/accuracy.py --other-software N`` with the Python of a throwaway virtualenv that
has those packages (never dependencies of backoffice); this file imports nothing of ours.

    python bench/other_software.py OUT_FOLDER COUNT SEED
"""

from __future__ import annotations

import json
import os
import random
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

# language of the labels, locale of the amounts, currency
LOCALES = [
    ("en", "en_US", "USD"),
    ("en", "en_GB", "GBP"),
    ("en", "de_DE", "EUR"),
    ("cs", "cs_CZ", "CZK"),
    ("pt_BR", "pt_BR", "BRL"),
]
COMPANIES = [
    "Nordwind Logistik GmbH",
    "Acme Widgets Ltd",
    "Kovárna Praha s.r.o.",
    "Soluções Rápidas Ltda",
    "Blue Harbor Consulting LLC",
    "Tiskárna Morava a.s.",
    "Green Valley Farms Inc.",
    "Papelaria Central Ltda",
    "Studio Lumen BV",
    "Hansen & Berg AS",
    "Oficina Sol Nascente ME",
    "Mlýn Podhradí s.r.o.",
]
STREETS = ["Hlavní 12", "12 High Street", "Rua das Flores 101", "400 Main St", "Industriestraße 7", "Na Příkopě 3"]
TOWNS = [
    ("Praha", "110 00"),
    ("London", "SW1A 1AA"),
    ("São Paulo", "01310-100"),
    ("Springfield", "62704"),
    ("Berlin", "10115"),
    ("Brno", "602 00"),
]
VAT_IDS = ["CZ64610748", "DE811569869", "GB980780684", ""]
ITEMS = ["consulting hours", "paper A4", "widget", "service call", "hosting", "translation", "repair"]


def main() -> None:
    out, count, seed = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    draw = random.Random(seed)
    makers = [invoicegenerator, pyinvoice, billwright, dinbrief, arca]
    for number in range(count):
        made = makers[number % len(makers)]
        path, truth = made(draw, out, f"{seed}-{number:03d}")
        path.with_name(path.name + ".truth.json").write_text(
            json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8"
        )


def invoicegenerator(draw: random.Random, out: Path, name: str) -> tuple[Path, dict]:
    from InvoiceGenerator.api import Client, Creator, Invoice, Item, Provider
    from InvoiceGenerator.pdf import SimpleInvoice

    language, locale, currency = draw.choice(LOCALES)
    os.environ["INVOICE_LANG"] = language
    seller, buyer = draw.sample(COMPANIES, 2)
    (town, postcode), (buyer_town, buyer_postcode) = draw.sample(TOWNS, 2)
    vat_id = draw.choice(VAT_IDS)
    provider = Provider(
        seller,
        address=draw.choice(STREETS),
        city=town,
        zip_code=postcode,
        vat_id=vat_id,
        bank_account=str(draw.randint(10**9, 10**10 - 1)),
        bank_code=draw.choice(["2010", "0800"]),
    )
    client = Client(
        buyer,
        address=draw.choice(STREETS),
        city=buyer_town,
        zip_code=buyer_postcode,
        vat_id=draw.choice(["", "CZ12345678"]),
    )
    invoice = Invoice(client, provider, Creator(draw.choice(["John Doe", "Jana Nováková", "Maria Silva"])))
    invoice.currency_locale = f"{locale}.UTF-8"
    invoice.currency = currency
    invoice.number = f"{draw.randint(2019, 2025)}{draw.randint(1, 9999):04d}"
    invoice.variable_symbol = invoice.number
    issued = date(2024, 1, 1) + timedelta(days=draw.randint(0, 700))
    invoice.date = invoice.taxable_date = issued
    invoice.payback = issued + timedelta(days=draw.choice([14, 30]))
    rate = draw.choice([12, 15, 21])
    invoice.use_tax = draw.random() < 0.6  # a VAT payer: a VAT column and breakdown
    for line in range(draw.randint(1, 14)):
        invoice.add_item(
            Item(
                draw.randint(1, 20),
                Decimal(draw.randint(100, 50000)) / 100,
                description=f"{draw.choice(ITEMS)} {line + 1}",
                unit=draw.choice(["ks", "h", "pcs", ""]),
                tax=rate if invoice.use_tax else 0,
            )
        )
    path = out / f"invoicegenerator-{name}-{language}.pdf"
    SimpleInvoice(invoice).gen(str(path), generate_qr_code=False)
    cents = Decimal("0.01")
    net, gross = Decimal(invoice.price).quantize(cents), Decimal(invoice.price_tax).quantize(cents)
    truth = {
        "invoice_number": invoice.number,
        "issue_date": issued.isoformat(),
        "due_date": invoice.payback.isoformat(),
        "seller_name": seller,
        "buyer_name": buyer,
        "currency": currency,
        "seller_vat_id": vat_id or None,
        "net_total": str(net) if invoice.use_tax else None,
        "tax_total": str(gross - net) if invoice.use_tax else None,
        "grand_total": str(gross if invoice.use_tax else net),
        "amount_due": None,
        "iban": None,
        "order_reference": None,
        "line_count": len(invoice.items),
    }
    return path, truth


def pyinvoice(draw: random.Random, out: Path, name: str) -> tuple[Path, dict]:
    from pyinvoice.models import ClientInfo, InvoiceInfo, Item, ServiceProviderInfo, Transaction
    from pyinvoice.templates import SimpleInvoice

    path = out / f"pyinvoice-{name}-en.pdf"
    document = SimpleInvoice(str(path))
    seller, buyer = draw.sample(COMPANIES, 2)
    (town, postcode), (buyer_town, buyer_postcode) = draw.sample(TOWNS, 2)
    number = draw.randint(100, 99999)
    issued = datetime(2024, 1, 1, draw.randint(8, 18), draw.randint(0, 59)) + timedelta(days=draw.randint(0, 700))
    due = issued.replace(hour=0, minute=0) + timedelta(days=draw.choice([14, 30]))
    document.invoice_info = InvoiceInfo(number, issued, due)
    vat_id = draw.choice(VAT_IDS)
    document.service_provider_info = ServiceProviderInfo(
        name=seller, street=draw.choice(STREETS), city=town, post_code=postcode, vat_tax_number=vat_id or None
    )
    document.client_info = ClientInfo(
        name=buyer,
        street=draw.choice(STREETS),
        city=buyer_town,
        post_code=buyer_postcode,
        email=draw.choice([None, "accounts@example.com"]),
        client_id=draw.choice([None, draw.randint(100, 9999)]),
    )
    net = Decimal(0)
    for line in range(draw.randint(1, 10)):
        units, price = draw.randint(1, 9), Decimal(draw.randint(100, 50000)) / 100
        document.add_item(Item(draw.choice(ITEMS).split()[0].title(), f"{draw.choice(ITEMS)} {line + 1}", units, price))
        net += units * price
    rate = draw.choice([None, 5, 10, 20])
    if rate is not None:
        document.set_item_tax_rate(rate)
    document.is_paid = draw.random() < 0.3
    if document.is_paid:
        document.add_transaction(Transaction("Paymentwall", draw.randint(100, 999), issued, 1))
    document.finish()
    cents = Decimal("0.01")
    tax = (net * rate / 100).quantize(cents, rounding="ROUND_HALF_UP") if rate is not None else None
    truth = {
        "invoice_number": str(number),
        "issue_date": issued.date().isoformat(),
        "due_date": due.date().isoformat(),
        "seller_name": seller,
        "buyer_name": buyer,
        "currency": None,
        "seller_vat_id": vat_id or None,
        "net_total": str(net.quantize(cents)) if tax is not None else None,
        "tax_total": str(tax) if tax is not None else None,
        "grand_total": str((net + (tax or 0)).quantize(cents)),
        "amount_due": None,
        "iban": None,
        "order_reference": None,
        "line_count": None,
    }
    return path, truth


def iban(country: str, bank: str, account: str) -> str:
    """An IBAN with the right check digits (ISO 13616, mod 97)."""
    digits = "".join(str(int(c, 36)) for c in bank + account + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bank}{account}"


SWISS = [("Zürich", "8001"), ("Bern", "3011"), ("Basel", "4051"), ("Luzern", "6003"), ("Winterthur", "8400")]
PEOPLE = ["Dr. Alex Muster", "Anna Keller", "Luca Brunner", "Sara Meier", "Jonas Widmer"]


def billwright(draw: random.Random, out: Path, name: str) -> tuple[Path, dict]:
    import subprocess

    profile = out / f"billwright-{name}"
    (profile / "clients").mkdir(parents=True, exist_ok=True)
    language = draw.choice(["de", "en"])
    seller, buyer = draw.sample(COMPANIES, 2)
    (town, postcode), (buyer_town, buyer_postcode) = draw.sample(SWISS, 2)
    account = iban("CH", f"{draw.randint(0, 99999):05d}", f"{draw.randint(0, 10**12 - 1):012d}")
    vat = draw.random() < 0.5
    rates = {"consulting": Decimal(draw.randint(90, 250)), "engineering": Decimal(draw.randint(90, 250))}
    (profile / "company.toml").write_text(
        f'name = "{seller}"\nperson = "{draw.choice(PEOPLE)}"\nemail = "billing@example.com"\n'
        f'iban = "{account}"\nvat_registered = {str(vat).lower()}\nvat_rate = "8.1"\n'
        f'uid = "{"CHE-123.456.788" if vat else ""}"\ndefault_language = "{language}"\n'
        f'[address]\nname = "{seller}"\nstreet = "Bahnhofstrasse"\nhouse_number = "{draw.randint(1, 99)}"\n'
        f'postal_code = "{postcode}"\ncity = "{town}"\ncountry = "CH"\n',
        encoding="utf-8",
    )
    (profile / "brand.toml").write_text('font_family = "Inter"\n', encoding="utf-8")
    (profile / "rates.toml").write_text(
        "[hourly]\n" + "".join(f'{service} = "{rate}"\n' for service, rate in rates.items()), encoding="utf-8"
    )
    (profile / "clients" / "client.toml").write_text(
        f'language = "{language}"\n[address]\nname = "{buyer}"\nstreet = "Seestrasse"\n'
        f'house_number = "{draw.randint(1, 99)}"\npostal_code = "{buyer_postcode}"\ncity = "{buyer_town}"\n'
        'country = "CH"\n',
        encoding="utf-8",
    )
    issued = date(2024, 1, 1) + timedelta(days=draw.randint(0, 700))
    number = f"RE-{issued.year % 100}{draw.randint(1, 999):03d}"
    items, net = [], Decimal(0)
    for line in range(draw.randint(1, 8)):
        service = draw.choice(sorted(rates))
        hours = Decimal(draw.randint(1, 80)) / 4
        items.append(
            f'[[items]]\ndescription = "{draw.choice(ITEMS).title()} {line + 1}"\nquantity = {hours}\n'
            f'unit = "hours"\nservice = "{service}"\n'
        )
        net += (hours * rates[service]).quantize(Decimal("0.01"))
    bills = profile / "bills" / str(issued.year)
    bills.mkdir(parents=True)
    (bills / f"{number}.toml").write_text(
        f'number = "{number}"\ndate = {issued.isoformat()}\nclient = "client"\nlanguage = "{language}"\n'
        f"terms_days = {draw.choice([10, 14, 30])}\n" + "".join(items),
        encoding="utf-8",
    )
    drafts = out / f"billwright-{name}-drafts"
    subprocess.run(
        [
            str(Path(sys.executable).with_name("billwright")),
            "--profile",
            str(profile),
            "--archive-dir",
            str(profile / "archive"),
            "--out",
            str(drafts),
            "bill",
            number,
        ],
        check=True,
        capture_output=True,
    )
    path = out / f"billwright-{name}-{language}.pdf"
    next(drafts.glob("*.pdf")).rename(path)
    tax = (net * Decimal("0.081")).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP") if vat else None
    truth = {
        "invoice_number": number,
        "issue_date": issued.isoformat(),
        "due_date": None,  # "within 14 days"
        "seller_name": seller,
        "buyer_name": buyer,
        "currency": "CHF",
        "seller_vat_id": "CHE-123.456.788" if vat else None,  # as printed, without spaces (the README's rule)
        "net_total": str(net),
        "tax_total": str(tax) if tax is not None else None,
        "grand_total": str(net + (tax or 0)),
        "amount_due": None,
        "iban": account,
        "order_reference": None,
        "line_count": len(items),
    }
    return path, truth


def dinbrief(draw: random.Random, out: Path, name: str) -> tuple[Path, dict]:
    from dinbrief.document import Document
    from dinbrief.invoice import Invoice, Item, ItemTable, TotalTable
    from dinbrief.styles import styles
    from dinbrief.template import BriefTemplate
    from reportlab.platypus import Paragraph

    seller, buyer = draw.sample(COMPANIES, 2)
    (town, postcode), (buyer_town, buyer_postcode) = draw.sample(TOWNS, 2)
    issued = date(2024, 1, 1) + timedelta(days=draw.randint(0, 700))
    shown = draw.choice([issued.strftime("%d.%m.%Y"), issued.isoformat(), f"{issued.day} {issued:%B %Y}"])
    number = f"{issued.year}-{draw.randint(1, 9999):04d}"
    rate = Decimal(draw.choice(["0.19", "0.07", "0.2"]))
    items = [
        Item(
            line + 1,
            f"{draw.choice(ITEMS).title()} {line + 1}",
            price=Decimal(draw.randint(100, 90000)) / 100,
            quantity=draw.randint(1, 12),
            vat_rate=rate,
        )
        for line in range(draw.randint(1, 12))
    ]
    invoice = Invoice(items=items)
    subject = draw.choice([f"Invoice {number}", f"Invoice no. {number}", f"Invoice {number} of {shown}"])
    template = BriefTemplate()
    document = Document(
        sender=[seller, draw.choice(STREETS), f"{postcode} {town}"],
        recipient=[buyer, draw.choice(STREETS), f"{buyer_postcode} {buyer_town}"],
        date=shown,
        content=[Paragraph(subject, styles["Subject"]), ItemTable(template, invoice), TotalTable(template, invoice)],
    )
    path = out / f"dinbrief-{name}-en.pdf"
    with path.open("wb") as handle:
        template.render(document, handle)
    cents = Decimal("0.01")
    net = invoice.net.quantize(cents)
    tax = sum((vat.amount for vat in invoice.vat_items), Decimal(0)).quantize(cents)
    truth = {
        "invoice_number": number,
        "issue_date": issued.isoformat(),
        "due_date": None,
        "seller_name": seller,
        "buyer_name": buyer,
        "currency": "EUR",
        "seller_vat_id": None,
        "net_total": str(net),
        "tax_total": str(tax),
        "grand_total": str(net + tax),
        "amount_due": None,
        "iban": None,
        "order_reference": None,
        "line_count": len(items),
    }
    return path, truth


ARGENTINE = [
    "Ferretería Los Andes S.R.L.",
    "Distribuidora El Faro S.R.L.",
    "Comercial del Sur S.A.",
    "Estudio Contable Paraná S.R.L.",
    "Panadería La Espiga S.A.",
    "Transportes Patagonia S.A.",
]


def cuit(draw: random.Random, kind: str) -> str:
    """A CUIT with its mod-11 check digit."""
    while True:
        body = kind + f"{draw.randint(0, 10**8 - 1):08d}"
        check = (11 - sum(int(d) * w for d, w in zip(body, [5, 4, 3, 2, 7, 6, 5, 4, 3, 2], strict=True)) % 11) % 11
        if check < 10:
            return body + str(check)


def arca(draw: random.Random, out: Path, name: str) -> tuple[Path, dict]:
    from factura_pdf import branding_from_dict, generate_invoice_pdf

    seller, buyer = draw.sample(ARGENTINE, 2)
    kind = draw.choice([1, 6, 11])  # Factura A (VAT shown), B, C
    lines, net = [], Decimal(0)
    for _ in range(draw.randint(1, 12)):
        quantity, rate = draw.choice([1, 2, 3, 5, 10]), Decimal(draw.randint(50000, 6000000)) / 100
        lines.append(
            {
                "name": draw.choice(ITEMS).title(),
                "quantity": quantity,
                "rate": float(rate),
                "item_total": float(quantity * rate),
            }
        )
        net += quantity * rate
    tax = (net * Decimal("0.21")).quantize(Decimal("0.01")) if kind != 11 else Decimal(0)
    total = net + tax
    issued = date(2024, 1, 1) + timedelta(days=draw.randint(0, 700))
    due = issued + timedelta(days=30)
    services = draw.random() < 0.5
    nro, point = draw.randint(1, 99999), draw.choice([1, 2, 3, 5])
    seller_cuit, buyer_cuit = cuit(draw, "30"), cuit(draw, "30")
    detail = {
        "invoice_number": f"{nro:08d}",
        "date": issued.isoformat(),
        "due_date": due.isoformat(),
        "customer_name": buyer,
        "total": float(total),
        "tax_total": float(tax),
        "notes": "",
        "line_items": lines,
        "custom_fields": [],
    }
    arca_data = {
        "tipo_cbte": kind,
        "punto_venta": point,
        "fecha": issued.isoformat(),
        "fecha_vto": due.isoformat(),
        "cuit_receptor": buyer_cuit,
        "importe_neto": float(net),
        "importe_iva": float(tax),
        "importe_total": float(total),
        "concepto": 2 if services else 1,
        "fch_serv_desde": issued.replace(day=1).isoformat(),
        "fch_serv_hasta": issued.isoformat(),
        "fch_vto_pago": due.isoformat(),
        "alicuotas": [{"id": 5, "base_imp": float(net), "importe": float(tax)}] if kind != 11 else [],
    }
    result = {
        "cae": draw.randint(10**13, 10**14 - 1),
        "cae_vto": (issued + timedelta(days=10)).strftime("%Y%m%d"),
        "nro_comprobante": nro,
    }
    branding = branding_from_dict(
        {
            "brand_name": seller.rsplit(" ", 1)[0],
            "emisor_razon_social": seller,
            "emisor_iva": "IVA Responsable Inscripto",
            "emisor_domicilio": f"Av. Corrientes {draw.randint(100, 4999)}, CABA",
        }
    )
    path = out / f"arca-{name}-es.pdf"
    path.write_bytes(generate_invoice_pdf(detail, arca_data, result, seller_cuit, branding=branding))
    truth = {
        "invoice_number": f"{nro:08d}",
        "issue_date": issued.isoformat(),
        "due_date": due.isoformat() if services else None,
        "seller_name": seller,
        "buyer_name": buyer,
        "currency": "ARS",
        "seller_vat_id": f"{seller_cuit[:2]}-{seller_cuit[2:10]}-{seller_cuit[10]}",
        "net_total": str(net.quantize(Decimal("0.01"))) if kind == 1 else None,
        "tax_total": str(tax) if kind == 1 else None,
        "grand_total": str(total.quantize(Decimal("0.01"))),
        "amount_due": None,
        "iban": None,
        "order_reference": None,
        "line_count": len(lines),
    }
    return path, truth


if __name__ == "__main__":
    main()
