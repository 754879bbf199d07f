"""Documents as extractors return them: every Field keeps where it came from.

Values are normalised strings (ISO dates, decimals with a dot and no thousands separator,
ISO 4217 currency codes); :meth:`Document.value` gives them typed (``date``, ``Decimal``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

# Field name -> value type, per document kind. The rules and the CLI read these.
INVOICE_FIELDS: dict[str, str] = {
    "invoice_number": "text",
    "issue_date": "date",
    "due_date": "date",
    "seller_name": "text",
    "seller_vat_id": "text",
    "seller_address": "text",
    "buyer_name": "text",
    "buyer_vat_id": "text",
    "order_reference": "text",
    "currency": "currency",
    "iban": "text",
    "payment_terms": "text",
    "net_total": "money",
    "tax_total": "money",
    "grand_total": "money",
    "amount_due": "money",
    # added later, kept last so that the columns of existing CSV/XLSX/SQL targets keep their order
    "bic": "text",
    "bank_account": "text",  # an account number that is no IBAN (``123456789/0100``, a sort code and number)
    "buyer_address": "text",
    "shipping_address": "text",
    "service_start": "date",
    "service_end": "date",
    "discount_total": "money",  # the sum of discounts, as a positive amount
    "previous_balance": "money",  # a balance carried over from the last bill (utility and telecom bills)
    "document_type": "text",  # credit_note on credit notes
}
INVOICE_LINE_FIELDS: dict[str, str] = {
    "description": "text",
    "quantity": "money",
    "unit": "text",
    "unit_price": "money",
    "amount": "money",
    "tax_rate": "money",
    "product_code": "text",
    "date": "date",
}
TAX_LINE_FIELDS: dict[str, str] = {"rate": "number", "base": "money", "amount": "money"}
TIMESHEET_FIELDS: dict[str, str] = {
    "employee_name": "text",
    "employee_id": "text",
    "period_start": "date",
    "period_end": "date",
    "total_hours": "number",
    "approver": "text",
}
TIMESHEET_LINE_FIELDS: dict[str, str] = {
    "date": "date",
    "project": "text",
    "hours": "number",
    "type": "text",  # regular, overtime or leave
}
ORDER_FIELDS: dict[str, str] = {
    "order_number": "text",
    "order_date": "date",
    "order_reference": "text",  # the order a change or a response refers to
    "buyer_name": "text",
    "seller_name": "text",
    "seller_vat_id": "text",
    "buyer_vat_id": "text",
    "delivery_date": "date",
    "delivery_address": "text",
    "currency": "currency",
    "net_total": "money",
    "tax_total": "money",
    "total": "money",
}
ORDER_LINE_FIELDS: dict[str, str] = {
    "item_id": "text",
    "description": "text",
    "quantity": "number",
    "unit_price": "money",
    "amount": "money",
}
FIELDS_BY_KIND: dict[str, dict[str, str]] = {
    "invoice": INVOICE_FIELDS,
    "credit_note": INVOICE_FIELDS,
    "timesheet": TIMESHEET_FIELDS,
    "order": ORDER_FIELDS,
}
LINE_FIELDS_BY_KIND: dict[str, dict[str, str]] = {
    "invoice": INVOICE_LINE_FIELDS,
    "credit_note": INVOICE_LINE_FIELDS,
    "timesheet": TIMESHEET_LINE_FIELDS,
    "order": ORDER_LINE_FIELDS,
}
KINDS = tuple(FIELDS_BY_KIND)
ENTRY_TYPES = ("regular", "overtime", "leave")

BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class Field:
    """One extracted value and its provenance.

    ``bbox`` is ``(x0, top, x1, bottom)`` in PDF points from the page's top-left corner;
    ``page`` is 1-based. ``method`` says how it was found: ``label``, ``pattern``,
    ``template``, ``table``, ``embedded-xml``, ``ocr``, ``computed``, ``cell`` (a spreadsheet or
    CSV cell: ``text`` holds its reference), ``xml`` (a structured file), or ``correction``.
    """

    value: str
    confidence: float = 1.0
    page: int | None = None
    bbox: BBox | None = None
    text: str = ""
    method: str = "label"

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "confidence": round(self.confidence, 3),
            "page": self.page,
            "bbox": [round(v, 2) for v in self.bbox] if self.bbox else None,
            "text": self.text,
            "method": self.method,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Field:
        bbox = data.get("bbox")
        return cls(
            value=data["value"],
            confidence=data.get("confidence", 1.0),
            page=data.get("page"),
            bbox=tuple(bbox) if bbox else None,  # type: ignore[arg-type]
            text=data.get("text", ""),
            method=data.get("method", "label"),
        )


# A value the reader computes from another field when the page does not print it (an amount due
# that is the grand total): it follows that field when a person corrects it.
COMPUTED_FROM = {"amount_due": "grand_total"}
COMPUTED_CONFIDENCE = 0.85  # the most such a value is worth: the page does not say it


def follow(fields: dict[str, dict[str, Any]], name: str) -> dict[str, dict[str, Any]]:
    """``fields`` (as a document stores them) with every computed value that copies ``name`` set
    to ``name``'s value again, after ``name`` was corrected: as computed, never sure."""
    source = fields.get(name)
    for computed, copied in COMPUTED_FROM.items():
        if copied == name and source is not None and (fields.get(computed) or {}).get("method") == "computed":
            confidence = min(float(source.get("confidence", 1.0)), COMPUTED_CONFIDENCE)
            fields = {**fields, computed: {**source, "confidence": confidence, "method": "computed"}}
    return fields


def typed(value: str | None, kind: str) -> Any:
    """Turn a normalised string into its Python value (None stays None)."""
    if value is None or value == "":
        return None
    if kind == "date":
        return date.fromisoformat(value)
    if kind in ("money", "number"):
        try:
            return Decimal(value)
        except InvalidOperation:
            return None
    return value


@dataclass
class Document:
    """What an extractor read from one file."""

    kind: str
    method: str
    fields: dict[str, Field] = field(default_factory=dict)
    lines: list[dict[str, Field]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    pages: int = 0
    source: str | None = None
    tax_lines: list[dict[str, Field]] = field(default_factory=list)

    def value(self, name: str) -> Any:
        """The typed value of a header field, or None when it was not found."""
        found = self.fields.get(name)
        return typed(found.value if found else None, FIELDS_BY_KIND.get(self.kind, {}).get(name, "text"))

    def line_values(self) -> list[dict[str, Any]]:
        types = LINE_FIELDS_BY_KIND.get(self.kind, {})
        return [{k: typed(f.value, types.get(k, "text")) for k, f in line.items()} for line in self.lines]

    def tax_line_values(self) -> list[dict[str, Any]]:
        return [{k: typed(f.value, TAX_LINE_FIELDS.get(k, "text")) for k, f in line.items()} for line in self.tax_lines]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape ``backoffice extract --json`` prints and the queue stores."""
        return {
            "kind": self.kind,
            "method": self.method,
            "source": self.source,
            "pages": self.pages,
            "fields": {name: f.to_dict() for name, f in self.fields.items()},
            "lines": [{name: f.value for name, f in line.items()} for line in self.lines],
            "line_fields": [{name: f.to_dict() for name, f in line.items()} for line in self.lines],
            "tax_lines": [{name: f.to_dict() for name, f in line.items()} for line in self.tax_lines],
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Document:
        return cls(
            kind=data["kind"],
            method=data["method"],
            fields={k: Field.from_dict(v) for k, v in data.get("fields", {}).items()},
            lines=[
                {k: Field.from_dict(v) for k, v in line.items()} for line in data.get("line_fields", [])
            ],
            warnings=list(data.get("warnings", [])),
            pages=data.get("pages", 0),
            source=data.get("source"),
            tax_lines=[{k: Field.from_dict(v) for k, v in line.items()} for line in data.get("tax_lines", [])],
        )
