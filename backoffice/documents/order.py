"""Read a purchase order: number, date, buyer, seller, delivery, currency, lines and total.

From a PDF or a scan, the plain-text or HTML body of an e-mail (both as pages of words), or a
CSV/XLSX export. Header fields come from ``Label: value`` pairs; lines from a table whose
header names a description or item column and a quantity column; the total is checked
against the lines.
"""

from __future__ import annotations

import logging
from decimal import Decimal

from backoffice.documents import keyvalue
from backoffice.documents.layout import Line
from backoffice.documents.line_items import read_lines
from backoffice.documents.models import ORDER_LINE_FIELDS, Document, Field
from backoffice.documents.normalise import (
    currency_of, find_date, format_amount, format_quantity, guess_decimal_mark, parse_amount,
)
from backoffice.documents.table import Cell, Row, cell_at, find_header, rows_from_lines

log = logging.getLogger(__name__)

LABELS = keyvalue.compile_labels({
    "order_number": r"(?:purchase )?order (?:response|change|confirmation)|auftragsbestätigung|réponse à commande"
                    r"|(?:purchase )?order (?:no\.?|nr\.?|number|#|id)|po (?:no\.?|number|#)|p\.o\. (?:no\.?|number)"
                    r"|purchase order|order|bestell(?:nummer|-?nr\.?|ung nr\.?|ung)|auftrags?(?:nummer|-?nr\.?)"
                    r"|n[°º] (?:de )?commande|bon de commande(?: n[°º])?|commande(?: n[°º])?|ordernummer"
                    r"|bestelnummer|inkooporder(?:nummer)?|bestelling|n[úu]mero de pedido|pedido(?: n[°º.]?)?",
    "order_date": r"(?:order|po|purchase order) date|date|dated|bestelldatum|datum|date de (?:la )?commande"
                  r"|besteldatum|orderdatum|fecha(?: del pedido)?",
    "delivery_date": r"(?:requested )?delivery date|deliver by|required by|need(?:ed)? by|liefertermin|lieferdatum"
                     r"|wunschtermin|date de livraison(?: souhaitée)?|livraison le|leverdatum|gewenste leverdatum"
                     r"|fecha de entrega",
    "buyer_name": r"buyer|customer|ordered by|purchaser|bill to|besteller|auftraggeber|kunde|acheteur|client"
                  r"|koper|klant|comprador|cliente|from",
    "seller_name": r"supplier|vendor|seller|lieferant|fournisseur|leverancier|proveedor|to",
    "delivery_address": r"ship to|deliver to|delivery address|shipping address|lieferadresse|lieferanschrift"
                        r"|adresse de livraison|livrer à|afleveradres|leveradres|dirección de entrega",
    "currency": r"currency|währung|devise|valuta|moneda",
    "net_total": r"sub ?total|net(?: total| amount)?|total net|netto(?:summe|betrag)?|zwischensumme|total ht"
                 r"|total(?: amount)? (?:without|excl\.?|excluding|before) (?:vat|tax)"
                 r"|sous-total|subtotaal|base imponible",
    "tax_total": r"(?:total )?(?:vat|tax|mwst\.?|ust\.?|tva|btw|iva)(?: \d+(?:[.,]\d+)? ?%)?(?: amount| total)?",
    "total": r"(?:order |grand )?total(?: amount)?(?: \([A-Z]{3}\))?|gesamt(?:summe|betrag)?|bestellsumme|total ttc"
             r"|total gross(?: amount)?|gross (?:total|amount)|total (?:incl\.?|including|with) (?:vat|tax)"
             r"|montant total|totaal(?:bedrag)?|importe total|total (?:incl\.?|including) (?:vat|tax)",
})
COLUMNS = keyvalue.compile_labels({
    "item_id": r"item (?:no\.?|#|id|code|number)|sku|art(?:ikel)?\.?-?(?:nr\.?|nummer)|article (?:no\.?|number)"
               r"|product (?:code|id|no\.?)|part (?:no\.?|number)|réf(?:érence)?\.?|ref\.?|code|artikelnr\.?"
               r"|c[óo]digo|item",
    "description": r"description|product|article|beschreibung|bezeichnung|artikelbezeichnung|désignation"
                   r"|designation|libellé|omschrijving|descripción|producto|service|leistung",
    "quantity": r"qty\.?|quantity|menge|anzahl|qté|quantité|aantal|cantidad|cant\.?|units",
    "unit_price": r"unit price|price|preis|einzelpreis|e-preis|prix unitaire|prix|p\.u\.|prijs|stuksprijs"
                  r"|precio(?: unitario)?|rate",
    "amount": r"amount|total|line total|betrag|gesamt(?:preis)?|montant|bedrag|totaal|importe|subtotal",
})


def _day(text: str) -> str | None:
    found = find_date(text)
    return found[0].isoformat() if found and found[1][0] <= 12 else None


def _money(text: str) -> str | None:
    words = text.split()
    for end in range(len(words), 0, -1):
        value = parse_amount(" ".join(words[:end]), guess_decimal_mark([text]))
        if value is not None:
            return format_amount(value)
    return None


def _currency(text: str) -> str | None:
    return next((code for code in map(currency_of, text.split()) if code), None)


def _address(text: str) -> str | None:
    return text.strip(" ,") if sum(ch.isalpha() for ch in text) >= 3 else None


PARSERS: dict[str, keyvalue.Parser] = {
    "order_number": keyvalue.identifier, "order_date": _day, "delivery_date": _day, "buyer_name": keyvalue.name,
    "seller_name": keyvalue.name, "delivery_address": _address, "currency": _currency, "net_total": _money,
    "tax_total": _money, "total": _money,
}


def read_order_lines(lines: list[Line], source: str, method: str, pages: int) -> Document:
    """An order printed on pages (PDF, scan, e-mail body)."""
    fields = keyvalue.from_lines(lines, LABELS, PARSERS, multiline=frozenset({"delivery_address"}))
    table = rows_from_lines(lines, COLUMNS, {"quantity"})
    header = find_header(table, COLUMNS, {"quantity"}) if table else None
    decimal_mark = guess_decimal_mark([line.text for line in lines])
    rows = table[header[0] + 1 :] if header else []
    document = _assemble(fields, rows, header[1] if header else {}, source, method, decimal_mark)
    if not document.lines:  # no simple item table: try the invoice reader's (stacked headers, notes)
        items, _ = read_lines(lines, decimal_mark)
        document.lines = [{k: f for k, f in item.items() if k in ORDER_LINE_FIELDS} for item in items]
        document.warnings.clear()
        _check_totals(document.fields, document.lines, document.warnings)
    document.pages = pages
    _currency_from_symbols(document, lines)
    return document


def read_order_rows(rows: list[Row], source: str, method: str) -> Document:
    """An order exported as CSV or XLSX: ``label | value`` rows above a table of lines."""
    header = find_header(rows, COLUMNS, {"quantity"})
    start = header[0] if header else len(rows)
    fields = keyvalue.from_rows(rows, LABELS, PARSERS, until=start)
    decimal_mark = guess_decimal_mark([c.text for row in rows for c in row])
    document = _assemble(fields, rows[start + 1 :] if header else [], header[1] if header else {}, source, method,
                         decimal_mark)
    if "currency" not in document.fields:
        for cell in (c for row in rows for c in row if c.text):
            code = _currency(cell.text)
            if code:
                document.fields["currency"] = cell.field(code, 0.6, "pattern")
                break
    return document


def _currency_from_symbols(document: Document, lines: list[Line]) -> None:
    if "currency" in document.fields:
        return
    for line in lines:
        for word in line.words:
            code = currency_of(word.text) or (currency_of(word.text[0]) if word.text[:1] in "€$£" else None)
            if code:
                document.fields["currency"] = Field(code, 0.6, word.page, (word.x0, word.top, word.x1, word.bottom),
                                                    word.text, "pattern")
                return


def _assemble(fields: dict[str, Field], rows: list[Row], columns: dict[str, int], source: str, method: str,
              decimal_mark: str | None) -> Document:
    warnings: list[str] = []
    lines: list[dict[str, Field]] = []
    how = "cell" if method in ("csv", "xlsx") else "table"
    for row in rows:
        def cell(name: str, row: Row = row) -> Cell:
            return cell_at(row, columns, name)

        quantity = parse_amount(cell("quantity").text.split(" ")[0], decimal_mark) if cell("quantity").text else None
        label = " ".join(c.text for c in row if c.text)
        if quantity is None:
            if keyvalue.label_of(label.split(), {k: LABELS[k] for k in ("net_total", "tax_total", "total")}):
                continue
            if lines and cell("description").text and not any(c.text for n, c in
                                                              ((n, cell(n)) for n in columns) if n != "description"):
                old = lines[-1].get("description")
                if old:
                    lines[-1]["description"] = Field(f"{old.value} {cell('description').text}", old.confidence,
                                                     old.page, old.bbox, old.text, old.method)
                continue
            if rows and lines:
                break
            continue
        line: dict[str, Field] = {"quantity": cell("quantity").field(format_quantity(quantity), 0.9, how)}
        for name in ("item_id", "description"):
            if cell(name).text:
                line[name] = cell(name).field(cell(name).text, 0.9, how)
        for name in ("unit_price", "amount"):
            value = _money(cell(name).text) if cell(name).text else None
            if value:
                line[name] = cell(name).field(value, 0.9, how)
        if "amount" not in line and "unit_price" in line:
            amount = format_amount(Decimal(line["unit_price"].value) * quantity)
            line["amount"] = Field(amount, 0.7, text=f"{line['quantity'].value} × {line['unit_price'].value}",
                                   method="computed")
        lines.append(line)
    _check_totals(fields, lines, warnings)
    log.debug("read order", extra={"source": source, "lines": len(lines)})
    return Document(kind="order", method=method, fields=fields, lines=lines, warnings=warnings, source=source)


def _check_totals(fields: dict[str, Field], lines: list[dict[str, Field]], warnings: list[str]) -> None:
    amounts = [Decimal(line["amount"].value) for line in lines if "amount" in line]
    if not amounts or len(amounts) != len(lines):
        return
    total = sum(amounts, Decimal(0))
    target = fields.get("net_total") or fields.get("total")
    if target is None:
        fields["total"] = Field(format_amount(total), 0.6, text=f"sum of {len(lines)} lines", method="computed")
        return
    if Decimal(target.value) == total:
        name = "net_total" if "net_total" in fields else "total"
        fields[name] = Field(target.value, 0.99, target.page, target.bbox, target.text, target.method)
    else:
        warnings.append(f"line amounts add up to {format_amount(total)}, but the order says {target.value}")
