"""Invoices made by other software: the open-source InvoiceGenerator library (reportlab; English,
Czech and Brazilian Portuguese), with the values it was given as the truth beside each PDF
(``<name>.truth.json``, the real-invoices fields). A layout, a label wording and a date style
the ranker never saw in training.

Run by ``bench/accuracy.py --other-software N`` with the Python of a throwaway virtualenv that
has InvoiceGenerator (never a dependency of backoffice); this file imports nothing of ours.

    python bench/other_software.py OUT_FOLDER COUNT SEED
"""

from __future__ import annotations

import json
import os
import random
import sys
from datetime import date, timedelta
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
    from InvoiceGenerator.api import Client, Creator, Invoice, Item, Provider
    from InvoiceGenerator.pdf import SimpleInvoice

    out, count, seed = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    out.mkdir(parents=True, exist_ok=True)
    draw = random.Random(seed)
    for number in range(count):
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
        path = out / f"invoicegenerator-{seed}-{number:03d}-{language}.pdf"
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
        path.with_name(path.name + ".truth.json").write_text(
            json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8"
        )


if __name__ == "__main__":
    main()
