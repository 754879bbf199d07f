"""Invoices made by other software: the open-source InvoiceGenerator library (reportlab; English,
Czech and Brazilian Portuguese) and, every third one, PyInvoice (reportlab; English, "Name:"
rows under "Service Provider" and "Client", a PAID stamp on some), with the values they were
given as the truth beside each PDF (``<name>.truth.json``, the real-invoices fields). Layouts,
label wordings and date styles the ranker never saw in training.

Run by ``bench/accuracy.py --other-software N`` with the Python of a throwaway virtualenv that
has InvoiceGenerator and PyInvoice (never dependencies of backoffice); this file imports nothing
of ours.

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
    for number in range(count):
        made = pyinvoice if number % 3 == 2 else invoicegenerator
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


if __name__ == "__main__":
    main()
