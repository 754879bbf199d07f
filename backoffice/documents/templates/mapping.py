"""Turn a template's output (invoice2data's field names, or ours) into Document fields.

A value is looked up among the page's words to give it a page and a box where it is printed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from backoffice.documents.layout import union
from backoffice.documents.models import FIELDS_BY_KIND, Document, Field
from backoffice.documents.normalise import format_amount, format_quantity
from backoffice.documents.pdf import PdfText

FIELD_NAMES = {
    "invoice_number": "invoice_number", "date": "issue_date", "date_due": "due_date", "amount": "grand_total",
    "amount_untaxed": "net_total", "amount_tax": "tax_total", "partner_name": "seller_name", "vat": "seller_vat_id",
    "iban": "iban", "currency": "currency", "order_id": "order_reference", "payment_terms": "payment_terms",
}
LINE_NAMES = {"name": "description", "desc": "description", "description": "description", "qty": "quantity",
              "quantity": "quantity", "price_unit": "unit_price", "price": "unit_price", "unit_price": "unit_price",
              "price_subtotal": "amount", "amount": "amount", "line_tax_percent": "tax_rate", "uom": "unit"}
_MONEY = {"net_total", "tax_total", "grand_total", "amount_due", "unit_price", "amount", "total"}
_NUMBER = {"quantity", "tax_rate", "total_hours", "hours"}


def _value(name: str, value: Any) -> str | None:
    if value is None or isinstance(value, (list, dict)):
        return None
    if isinstance(value, date):
        return value.isoformat()
    if name in _MONEY | _NUMBER and isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value))
        return format_amount(number) if name in _MONEY else format_quantity(number)
    text = str(value).strip()
    return text or None


def locate(text: PdfText | None, value: str) -> tuple[int | None, Any]:
    """The page and box of the first run of words that spells ``value``."""
    if text is None:
        return None, None
    target = "".join(value.split())
    for words in text.pages:
        for start, word in enumerate(words):
            if not target.startswith(word.text) and word.text not in target:
                continue
            joined = ""
            for end in range(start, min(start + 12, len(words))):
                joined += words[end].text
                if target in joined:
                    run = words[start : end + 1]
                    return run[0].page, union(run)
                if not target.startswith(joined):
                    break
    return None, None


def to_document(output: dict[str, Any], template_name: str, kind: str, text: PdfText | None) -> Document:
    known = FIELDS_BY_KIND.get(kind, FIELDS_BY_KIND["invoice"])
    fields: dict[str, Field] = {}
    for key, raw in output.items():
        name = key if key in known else FIELD_NAMES.get(key)
        if name is None or name not in known or (name in fields and key not in known):
            continue
        value = _value(name, raw)
        if value is None:
            continue
        page, box = locate(text, str(raw)) if not isinstance(raw, (float, date)) else (None, None)
        fields[name] = Field(value, 0.95, page, box, str(raw), "template")
    if "seller_name" not in fields and output.get("issuer"):
        fields["seller_name"] = Field(str(output["issuer"]), 0.9, text=str(output["issuer"]), method="template")
    lines = []
    for row in output.get("lines") or []:
        line = {}
        for key, raw in row.items():
            name = LINE_NAMES.get(key)
            value = _value(name, raw) if name else None
            if name and value is not None and name not in line:
                line[name] = Field(value, 0.95, text=str(raw), method="template")
        if line:
            lines.append(line)
    return Document(kind=kind, method=f"template:{template_name}", fields=fields, lines=lines)
