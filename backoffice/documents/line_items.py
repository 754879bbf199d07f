"""Read an invoice's line-item table from word positions.

A header row names the columns (description and amount, and quantity or unit price); each row
below it with an amount in the amount column is one line item, and a row with only text continues
the description above. The table ends at a totals label or a wide vertical gap.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from backoffice.documents import labels
from backoffice.documents.layout import Line, Phrase, union
from backoffice.documents.models import Field
from backoffice.documents.normalise import format_amount, format_quantity, parse_amount
from backoffice.documents.pdf import Word

_COLUMNS: dict[str, str] = {
    "description": r"description|item|items|product|products|service|services|title|article|details"
    r"|beschreibung|bezeichnung|artikel|leistung|artikelbezeichnung|désignation|designation|libellé"
    r"|omschrijving|descripción|concepto|item description|product name",
    "quantity": r"qty\.?|quantity|quantities|hours|hrs\.?|units|menge|anzahl|stück|std\.?|stunden|qté|quantité"
    r"|nombre|aantal|cantidad|cant\.?",
    "unit_price": r"unit price|price|rate|unit cost|price per unit|einzelpreis|e-preis|preis|stückpreis"
    r"|vk-preis|prix unitaire|prix unit\.?|p\.u\.(?: ht)?|pu ht|prix|prijs|prijs per stuk|stuksprijs"
    r"|precio(?: unitario)?",
    "amount": r"amount|total|line total|net amount|line amount|betrag|gesamt|gesamtpreis|gesamtbetrag|nettobetrag"
    r"|summe|zeilenbetrag|zeilensumme|entgelt|montant(?: ht| ttc)?|total h\.?t\.?|total ttc|prix total|bedrag|totaal"
    r"|importe|subtotal",
    "unit": r"unit|einheit|unité|eenheid|unidad|uom",
    "skip": r"pos\.?|#|no\.?|nr\.?|tax|vat|mwst\.?|ust\.?|tva|btw|iva|tax %|vat %|disc\.?%?|rabatt|remise"
    r"|taxes|code|sku|art\.-nr\.?",
}
_COLUMN_RES = {name: re.compile(rf"(?:{pattern})") for name, pattern in _COLUMNS.items()}
_STOP_FIELDS = {"net_total", "tax_total", "grand_total", "amount_due"}


@dataclass
class Column:
    name: str
    x0: float
    x1: float


def header_columns(line: Line) -> list[Column] | None:
    """The columns a header row names, left to right, or None when the row is no table header."""
    words = line.words
    columns: list[Column] = []
    unknown = i = 0
    while i < len(words):
        for size in (3, 2, 1):
            chunk = words[i : i + size]
            if len(chunk) < size:
                continue
            key = labels.clean(" ".join(w.text for w in chunk))
            name = next((n for n, rx in _COLUMN_RES.items() if rx.fullmatch(key)), None)
            if name:
                columns.append(Column(name, chunk[0].x0, chunk[-1].x1))
                i += size
                break
        else:
            unknown, i = unknown + 1, i + 1
    if unknown > len(columns) // 2:
        return None  # mostly words that name no column: not a header row
    names = [c.name for c in columns]
    if "description" not in names or "amount" not in names:
        return None
    if "quantity" not in names and "unit_price" not in names:
        return None
    return columns


def _column_of(phrase: Phrase, columns: list[Column]) -> str:
    best, best_key = columns[0].name, (-1.0, 0.0)
    for column in columns:
        overlap = min(phrase.x1, column.x1) - max(phrase.x0, column.x0)
        key = (overlap, 0.0) if overlap > 0 else (0.0, overlap)
        if key > best_key:
            best, best_key = column.name, key
    return best


def read_lines(lines: list[Line], decimal_mark: str | None) -> tuple[list[dict[str, Field]], set[int]]:
    """Line items of the whole document, and the indexes of the header rows it used."""
    items: list[dict[str, Field]] = []
    headers: set[int] = set()
    columns: list[Column] | None = None
    previous: Line | None = None
    for line in lines:
        found = header_columns(line)
        if found:
            columns, previous = found, line
            headers.add(line.index)
            continue
        if columns is None or previous is None:
            continue
        height = max(line.bottom - line.top, 6.0)
        if line.page != previous.page or line.top - previous.bottom > 4 * height or _is_totals(line):
            columns = None
            continue
        cells: dict[str, list[Phrase]] = {}
        for phrase in line.phrases:
            cells.setdefault(_column_of(phrase, columns), []).append(phrase)
        item = _item(cells, decimal_mark)
        if item:
            items.append(item)
        elif items and "description" in cells and len(cells) == 1 and line.top - previous.bottom < 1.5 * height:
            _continue_description(items[-1], cells["description"])
        else:
            continue  # a row that is neither an item nor a continuation leaves `previous` alone
        previous = line
    return items, headers


def _is_totals(line: Line) -> bool:
    first = line.phrases[0].words
    for size in (4, 3, 2, 1):
        if len(first) >= size:
            found = labels.match(" ".join(w.text for w in first[:size]))
            if found and any(name in _STOP_FIELDS for name, _ in found):
                return True
    return False


def _item(cells: dict[str, list[Phrase]], decimal_mark: str | None) -> dict[str, Field] | None:
    amount = _number(cells.get("amount"), decimal_mark)
    if amount is None:
        return None
    item: dict[str, Field] = {}
    description = [w for p in cells.get("description", []) for w in p.words]
    if description:
        item["description"] = _field(" ".join(w.text for w in description), description, 0.9)
    quantity = _number(cells.get("quantity"), decimal_mark)
    price = _number(cells.get("unit_price"), decimal_mark)
    consistent = quantity and price and abs(quantity[0] * price[0] - amount[0]) <= Decimal("0.01") * max(1, quantity[0])
    confidence = 0.95 if consistent else 0.75
    if quantity:
        item["quantity"] = _field(format_quantity(quantity[0]), quantity[1], confidence)
    if price:
        item["unit_price"] = _field(format_amount(price[0]), price[1], confidence)
    item["amount"] = _field(format_amount(amount[0]), amount[1], confidence)
    if cells.get("unit"):
        words = [w for p in cells["unit"] for w in p.words]
        item["unit"] = _field(" ".join(w.text for w in words), words, 0.8)
    return item


def _number(phrases: list[Phrase] | None, decimal_mark: str | None) -> tuple[Decimal, list[Word]] | None:
    """The amount in a cell; a unit after it (``1.00 kg``) is left out."""
    for phrase in phrases or []:
        for end in range(len(phrase.words), 0, -1):
            words = phrase.words[:end]
            value = parse_amount(" ".join(w.text for w in words), decimal_mark)
            if value is not None:
                return value, words
    return None


def _continue_description(item: dict[str, Field], phrases: list[Phrase]) -> None:
    words = [w for p in phrases for w in p.words]
    old = item.get("description")
    text = " ".join(w.text for w in words)
    if old is None:
        item["description"] = _field(text, words, 0.8)
        return
    box = union([Word("", *old.bbox[:2], *old.bbox[2:], page=old.page or 0), *words]) if old.bbox else union(words)
    item["description"] = Field(
        value=f"{old.value} {text}", confidence=old.confidence, page=old.page, bbox=box,
        text=f"{old.text}\n{text}", method="table",
    )


def _field(value: str, words: list[Word], confidence: float) -> Field:
    return Field(
        value=value, confidence=confidence, page=words[0].page, bbox=union(words),
        text=" ".join(w.text for w in words), method="table",
    )
