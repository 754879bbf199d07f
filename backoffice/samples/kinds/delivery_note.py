"""A sample plugin kind: the delivery note (packing slip) that comes with goods.

It is written the way a kind outside this package is: a :class:`DocumentKind` with its fields,
and a reader over the words of the file that the registry hands it (a PDF's text layer, a scan
by OCR, an e-mail body), built from the same label and table helpers as the order reader. Name
it in bots.yaml (``extractor: backoffice.samples.kinds.delivery_note:KIND``), on the command line
(``backoffice extract --kind backoffice.samples.kinds.delivery_note:KIND``), or register it by
entry point in a distribution's pyproject.toml::

    [project.entry-points."backoffice.extractors"]
    delivery_note = "backoffice.samples.kinds.delivery_note:KIND"

Header fields come from ``Label: value`` pairs (value right of the label or below it); lines
from a table whose header names a quantity column, and a product code or description column.
"""

from __future__ import annotations

from decimal import Decimal

from backoffice.documents import keyvalue
from backoffice.documents.models import Document, Field
from backoffice.documents.normalise import format_quantity, guess_decimal_mark, parse_amount
from backoffice.documents.registry import DocumentKind, Reading
from backoffice.documents.table import Cell, Row, cell_at, find_header, rows_from_lines

FIELDS = {"delivery_number": "text", "delivery_date": "date", "order_number": "text", "supplier": "text"}
LINE_FIELDS = {"product_code": "text", "description": "text", "quantity": "number"}

LABELS = keyvalue.compile_labels(
    {
        "delivery_number": r"delivery (?:note )?(?:no\.?|nr\.?|number|#)|dispatch note (?:no\.?|number)|packing slip"
        r"(?: no\.?)?|lieferschein(?:-?nr\.?|nummer| nr\.?)?|bon de livraison(?: n[°º])?"
        r"|n[°º] (?:de )?(?:bon de )?livraison|pakbon(?:nummer)?|afleverbon(?:nummer)?|albar[áa]n(?: n[°º.]?)?",
        "delivery_date": r"(?:delivery|dispatch|shipping) date|date of (?:delivery|dispatch)|shipped on|delivered on"
        r"|liefer(?:datum|tag)|versanddatum|date (?:de )?livraison|date d'expédition|leverdatum"
        r"|afleverdatum|fecha de entrega|date",
        "order_number": r"(?:purchase |your |customer )?order (?:no\.?|nr\.?|number|#|ref\.?)|po (?:no\.?|number|#)"
        r"|(?:ihre )?bestell(?:nummer|-?nr\.?|ung)|auftrags?(?:nummer|-?nr\.?)|(?:n[°º] (?:de )?)?commande"
        r"(?: n[°º])?|ordernummer|bestelnummer|n[úu]mero de pedido|pedido",
        "supplier": r"supplier|vendor|shipped by|shipper|from|lieferant|absender|fournisseur|expéditeur|leverancier"
        r"|afzender|proveedor",
    }
)
COLUMNS = keyvalue.compile_labels(
    {
        "product_code": r"product (?:code|no\.?|id)|item (?:no\.?|code|#|id)|article (?:no\.?|number)|part (?:no\.?|number)"
        r"|art(?:ikel)?\.?-?(?:nr\.?|nummer)|sku|code|réf(?:érence)?\.?|ref\.?|c[óo]digo",
        "description": r"description|product|article|item|beschreibung|bezeichnung|artikel|désignation|libellé"
        r"|omschrijving|descripción|producto",
        "quantity": r"(?:delivered |shipped )?(?:qty\.?|quantity)|menge|liefermenge|anzahl|qté|quantité|aantal|cantidad",
    }
)


PARSERS: dict[str, keyvalue.Parser] = {
    "delivery_number": keyvalue.identifier,
    "delivery_date": keyvalue.day,
    "order_number": keyvalue.identifier,
    "supplier": keyvalue.name,
}


def read(reading: Reading) -> Document:
    """The delivery note in the file; DocumentError (naming the file) when it holds none."""
    lines = reading.lines()
    fields = keyvalue.from_lines(lines, LABELS, PARSERS)
    table = rows_from_lines(lines, COLUMNS, {"quantity"})
    header = find_header(table, COLUMNS, {"quantity"}) if table else None
    rows = table[header[0] + 1 :] if header else []
    items = _items(rows, header[1] if header else {}, guess_decimal_mark([line.text for line in lines]))
    if "delivery_number" not in fields and not items:
        raise reading.error("no delivery note number and no delivered lines found", code="unknown-kind")
    document = Document(
        kind="delivery_note",
        method=reading.method,
        fields=fields,
        lines=items,
        pages=reading.words().page_count,
        source=reading.name,
    )
    if not items:
        document.warnings.append("no table of delivered lines (a quantity column) found")
    return document


def _items(rows: list[Row], columns: dict[str, int], decimal_mark: str | None) -> list[dict[str, Field]]:
    """One line per row with a quantity; a row of only a description continues the last line's."""
    items: list[dict[str, Field]] = []
    for row in rows:

        def cell(name: str, row: Row = row) -> Cell:
            return cell_at(row, columns, name)

        text = cell("quantity").text
        quantity = parse_amount(text.split(" ")[0], decimal_mark) if text else None
        if quantity is None or quantity < Decimal(0):
            more = cell("description").text
            if items and more and not cell("product_code").text and "description" in items[-1]:
                last = items[-1]["description"]
                items[-1]["description"] = Field(
                    f"{last.value} {more}", last.confidence, last.page, last.bbox, last.text, last.method
                )
                continue
            if items:  # the table ended (a total, a signature line)
                break
            continue
        item = {"quantity": cell("quantity").field(format_quantity(quantity), 0.9, "table")}
        for name in ("product_code", "description"):
            if cell(name).text:
                item[name] = cell(name).field(cell(name).text, 0.9, "table")
        items.append(item)
    return items


KIND = DocumentKind(
    "delivery_note",
    read,
    FIELDS,
    LINE_FIELDS,
    description="Delivery notes (packing slips): number, date, the order delivered against, supplier, lines.",
)
