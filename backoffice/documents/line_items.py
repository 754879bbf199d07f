"""Read an invoice's line-item table from word positions.

A header row names the columns (description and amount, and quantity or unit price); each row
below it with an amount in the amount column is one line item, and a row with only text continues
the description above. The table ends at a totals label or a wide vertical gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from backoffice.documents import labels
from backoffice.documents.layout import Line, Phrase, union
from backoffice.documents.models import Field
from backoffice.documents.normalise import format_amount, format_quantity, parse_amount
from backoffice.documents.pdf import Word

_COLUMNS: dict[str, str] = {
    "description": r"description|item|items|product|products|service|services|title|article|details"
    r"|\w*beschreibung|\w*bezeichnung|artikel|leistung|désignation|designation|libellé|produkt|produit|producto"
    r"|omschrijving|descripción|concepto|item description|product name",
    "quantity": r"qty\.?|quantity|quantities|hours|hrs\.?|units|menge|anzahl|stück|std\.?|stunden|qté|quantité"
    r"|nombre|aantal|cantidad|cant\.?",
    "unit_price": r"unit price|price|rate|unit cost|price per unit|einzelpreis|e-preis|preis|stückpreis|nettopreis"
    r"|vk-preis|prix unitaire|prix unit\.?|p\.u\.(?: ht)?|pu ht|prix|prijs|prijs per stuk|stuksprijs"
    r"|precio(?: unitario)?",
    "amount": r"amount|total|line total|net amount|line amount|betrag|gesamt|gesamtpreis|gesamtbetrag|nettobetrag|nettowert"
    r"|(?:line )?amount excl\.? (?:vat|tax)"
    r"|summe|zeilenbetrag|zeilensumme|entgelt|montant(?: ht| ttc)?|total h\.?t\.?|total ttc|prix total|bedrag|totaal"
    r"|importe|subtotal",
    "unit": r"unit|einheit|unité|eenheid|unidad|uom",
    "skip": r"pos\.?|#|no\.?|nr\.?|tax|vat|mwst\.?|ust\.?|tva|btw|iva|(?:tax|vat|mwst|ust|tva|btw|iva)[- ]?%|%"
    r"|disc\.?%?|rabatt|remise|gtin|ean"
    r"|taxes|code|sku|art\.-nr\.?",
}
_ANY_COLUMN = labels.compile_pattern("|".join(f"(?P<{name}>{pattern})" for name, pattern in _COLUMNS.items()))
_STOP_FIELDS = {"net_total", "tax_total", "grand_total", "amount_due"}


@dataclass
class Column:
    name: str
    x0: float
    x1: float


@lru_cache(maxsize=16384)
def _column_name(text: str) -> str | None:
    """The column a header cell's text names (``Unit price`` -> ``unit_price``), or None."""
    key = labels.clean(text).strip(",;")
    match = _ANY_COLUMN.fullmatch(key) if key else None
    return match.lastgroup if match else None


def _named_columns(line: Line) -> tuple[list[Column], int]:
    """The columns a line's words name (1-3 words each), and how many words name none."""
    words = line.words
    columns: list[Column] = []
    unknown = i = 0
    while i < len(words):
        for size in (4, 3, 2, 1):
            chunk = words[i : i + size]
            if len(chunk) < size:
                continue
            name = _column_name(" ".join(w.text for w in chunk))
            if name:
                columns.append(Column(name, chunk[0].x0, chunk[-1].x1))
                i += size
                break
        else:
            unknown, i = unknown + 1, i + 1
    return columns, unknown


def _valid(columns: list[Column]) -> bool:
    names = {c.name for c in columns}
    return {"description", "amount"} <= names and bool(names & {"quantity", "unit_price"})


def header_columns(line: Line) -> list[Column] | None:
    """The columns a header row names, left to right, or None when the row is no table header."""
    columns, unknown = _named_columns(line)
    if unknown > len(columns) // 2:
        return None  # mostly words that name no column: not a header row
    return columns if _valid(columns) else None


def stacked_header(lines: list[Line], start: int) -> tuple[list[Column], int] | None:
    """A header printed over two to four lines (``Unit`` above ``Price``, a second row of names):
    the union of the columns each line names, and the index of its last line."""
    first = lines[start]
    merged: list[Column] = []
    last = None
    for index in range(start, min(start + 4, len(lines))):
        line = lines[index]
        if line.page != first.page or line.top - first.top > 30:
            break
        columns, unknown = _named_columns(line)
        if not columns or unknown > 2 * len(columns) + 3 or sum(ch.isdigit() for ch in line.text) >= 3:
            break  # names only: a line with a value ("Su pedido nº: 5567") heads no column
        for column in columns:  # the first line naming a column places it; separators all count
            if column.name == "skip" or all(c.name != column.name for c in merged):
                merged.append(column)
        last = index
        if index > start and _valid(merged):
            return sorted(merged, key=lambda c: c.x0), last
    return None


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
    skip_to = -1
    for position, line in enumerate(lines):
        if position <= skip_to:
            continue
        found = header_columns(line)
        if found:
            columns, previous = found, line
            headers.add(line.index)
            continue
        stacked = stacked_header(lines, position) if columns is None else None
        if stacked:
            columns, skip_to = stacked
            previous = lines[skip_to]
            headers.update(lines[i].index for i in range(position, skip_to + 1))
            continue
        if columns is None or previous is None:
            continue
        height = max(line.bottom - line.top, 6.0)
        if line.page != previous.page or line.top - previous.bottom > 5 * height:
            columns = None
            continue
        if _is_totals(line):
            # A subtotal inside the table (a group of lines) or the totals under it: the table
            # goes on only if an item follows closely (see the gap rule above).
            continue
        cells: dict[str, list[Phrase]] = {}
        for phrase in line.phrases:
            cells.setdefault(_column_of(phrase, columns), []).append(phrase)
        item = _item(cells, decimal_mark)
        if item:
            items.append(item)
        elif items and "description" in cells and len(cells) == 1 and line.top - previous.bottom < 1.5 * height:
            _continue_description(items[-1], cells["description"])
        elif line.top - previous.bottom > 2 * height and not (
                line.top - previous.bottom <= 8 * height and "description" in cells and len(line.phrases) >= 2):
            continue  # a row apart that is neither an item, a continuation nor an item's first line
        previous = line  # an item, a continuation, or a dense note line of an item: the table goes on
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
