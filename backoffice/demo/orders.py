"""Sample purchase orders: a PDF, a CSV export, and e-mails with a plain-text or an HTML body.

Every file gets ``<file>.expected.json`` beside it (``{"kind", "fields", "lines"}``), as the
golden tests read them.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from email.message import EmailMessage
from html import escape
from pathlib import Path

from fpdf import FPDF

from backoffice.demo.invoice_layouts import money
from backoffice.demo.invoices import write_expected

FORMATS = ("pdf", "csv", "eml", "html.eml")
_BUYERS = ["Lindner Logistik AG", "Riverside Dental Group", "Stadtwerke Musterstadt GmbH", "Quantum Freight LLC"]
_SELLERS = ["Becker & Söhne GmbH", "Summit Office Supply Co.", "Nordlicht Software GmbH", "Harbour & Finch LLP"]
_ITEMS = [("A-100", "Pallet wrap 500m", "12.50"), ("B-220", "Cable ties, pack of 100", "3.20"),
          ("C-310", "Printer paper A4", "4.75"), ("D-045", "Safety gloves size L", "2.10"),
          ("E-900", "Label printer", "189.00"), ("F-120", "Toner cartridge black", "64.90")]
_WORDS = {
    "en": {"title": "PURCHASE ORDER", "number": "Order number:", "date": "Order date:", "delivery": "Delivery date:",
           "buyer": "Buyer:", "seller": "Supplier:", "ship": "Deliver to:", "head": ["Item no.", "Description", "Qty",
                                                                                      "Unit price", "Amount"],
           "total": "Total", "money": "en"},
    "de": {"title": "BESTELLUNG", "number": "Bestellnummer:", "date": "Bestelldatum:", "delivery": "Liefertermin:",
           "buyer": "Besteller:", "seller": "Lieferant:", "ship": "Lieferadresse:", "head": ["Art.-Nr.", "Bezeichnung",
                                                                                           "Menge", "Einzelpreis", "Betrag"],
           "total": "Gesamtbetrag", "money": "de"},
}


@dataclass(frozen=True)
class GeneratedOrder:
    path: Path
    language: str
    expected: dict[str, str]
    lines: list[dict[str, str]]


def generate(folder: Path, seed: int = 9) -> list[GeneratedOrder]:
    """One order per format and language."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    generated = []
    for form in FORMATS:
        for language in ("en", "de"):
            order = _order(rng, len(generated))
            path = folder / f"order-{language}-{len(generated) + 1:02d}.{form}"
            words = _WORDS[language]
            if form == "pdf":
                _pdf(path, order, words, language)
            elif form == "csv":
                _csv(path, order, words, language)
            else:
                _email(path, order, words, language, html=form.startswith("html"))
            expected = dict(order["fields"])
            write_expected(path, "order", expected, order["lines"])
            generated.append(GeneratedOrder(path, language, expected, order["lines"]))
    return generated


def _order(rng: random.Random, index: int) -> dict:
    day = date(2024, 1, 8) + timedelta(days=rng.randrange(0, 300))
    lines, total = [], Decimal(0)
    for item_id, description, price in rng.sample(_ITEMS, rng.randint(1, 5)):
        quantity = Decimal(rng.choice([1, 2, 4, 10, 25]))
        amount = quantity * Decimal(price)
        total += amount
        lines.append({"item_id": item_id, "description": description, "quantity": f"{quantity}",
                      "unit_price": price, "amount": f"{amount:.2f}"})
    fields = {"order_number": f"PO-{24000 + index * 13 + rng.randrange(10)}", "order_date": day.isoformat(),
              "delivery_date": (day + timedelta(days=rng.choice([7, 10, 14]))).isoformat(),
              "buyer_name": rng.choice(_BUYERS), "seller_name": rng.choice(_SELLERS), "currency": "EUR",
              "total": f"{total:.2f}"}
    return {"fields": fields, "lines": lines}


def _day(value: str, language: str) -> str:
    return date.fromisoformat(value).strftime("%d.%m.%Y" if language == "de" else "%Y-%m-%d")


def _header(order: dict, words: dict, language: str) -> list[tuple[str, str]]:
    f = order["fields"]
    return [(words["number"], f["order_number"]), (words["date"], _day(f["order_date"], language)),
            (words["delivery"], _day(f["delivery_date"], language)), (words["buyer"], f["buyer_name"]),
            (words["seller"], f["seller_name"])]


def _cells(line: dict, words: dict) -> list[str]:
    style = words["money"]
    quantity = line["quantity"]
    return [line["item_id"], line["description"], quantity, money(Decimal(line["unit_price"]), style),
            money(Decimal(line["amount"]), style)]


def _total(order: dict, words: dict) -> str:
    return f"{money(Decimal(order['fields']['total']), words['money'])} EUR"


def _pdf(path: Path, order: dict, words: dict, language: str) -> None:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_auto_page_break(False)
    pdf.set_creation_date(datetime(2024, 1, 1, tzinfo=timezone.utc))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.set_xy(20, 15)
    pdf.cell(100, 8, words["title"])
    y = 32
    for label, value in _header(order, words, language):
        pdf.set_font("Helvetica", "", 10)
        pdf.set_xy(20, y)
        pdf.cell(40, 5, label)
        pdf.set_xy(62, y)
        pdf.cell(90, 5, value)
        y += 6
    y += 8
    columns = [(20, 25, "L"), (47, 70, "L"), (120, 15, "R"), (138, 25, "R"), (165, 27, "R")]
    for number, row in enumerate([words["head"]] + [_cells(line, words) for line in order["lines"]]):
        pdf.set_font("Helvetica", "B" if number == 0 else "", 9)
        for (x, w, align), text in zip(columns, row):
            pdf.set_xy(x, y)
            pdf.cell(w, 5, text, align=align)
        y += 6
    pdf.set_font("Helvetica", "B", 10)
    pdf.set_xy(120, y + 4)
    pdf.cell(40, 5, words["total"])
    pdf.set_xy(150, y + 4)
    pdf.cell(42, 5, _total(order, words), align="R")
    pdf.output(str(path))


def _csv(path: Path, order: dict, words: dict, language: str) -> None:
    with path.open("w", newline="", encoding="utf-8") as stream:
        writer = csv.writer(stream, delimiter=";" if language == "de" else ",")
        for label, value in _header(order, words, language):
            writer.writerow([label, value])
        writer.writerow([])
        writer.writerow(words["head"])
        for line in order["lines"]:
            writer.writerow(_cells(line, words))
        writer.writerow([words["total"], "", "", "", _total(order, words)])


def _email(path: Path, order: dict, words: dict, language: str, html: bool) -> None:
    message = EmailMessage()
    message["From"] = "purchasing@example.com"
    message["To"] = "sales@example.org"
    message["Subject"] = f"{words['title'].title()} {order['fields']['order_number']}"
    message["Date"] = "Mon, 01 Jan 2024 09:00:00 +0000"
    header = _header(order, words, language)
    rows = [_cells(line, words) for line in order["lines"]]
    if html:
        head = "".join(f"<p><b>{escape(label)}</b> {escape(value)}</p>" for label, value in header)
        table = "<table><tr>" + "".join(f"<th>{escape(h)}</th>" for h in words["head"]) + "</tr>"
        table += "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows) + "</table>"
        message.set_content(f"<html><body><p>Hello,</p>{head}{table}<p><b>{words['total']}:</b> "
                            f"{escape(_total(order, words))}</p></body></html>", subtype="html")
    else:
        widths = [10, 26, 6, 12, 12]
        lines = ["Hello,", "", "please deliver the following.", ""]
        lines += [f"{label:<16}{value}" for label, value in header] + [""]
        for row in [words["head"], *rows]:
            lines.append("  ".join(c.ljust(w) if i < 2 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
        lines += ["", f"{words['total']}: {_total(order, words)}", "", "Regards"]
        message.set_content("\n".join(lines))
    path.write_bytes(bytes(message))
