"""Typed, validated views of a :class:`~backoffice.documents.models.Document`, for the edge.

Inside the package a document is a plain dataclass of string values with provenance; code that
hands a document to the outside (an API, a target that wants types) asks :func:`to_model` for an
:class:`Invoice`, :class:`Timesheet` or :class:`Order`. Each field keeps its normalised value
(``date``, ``Decimal``, an ISO 4217 code), its confidence, page, box, raw text and method.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field as PydanticField, StringConstraints

from backoffice.documents.models import (
    FIELDS_BY_KIND, LINE_FIELDS_BY_KIND, TAX_LINE_FIELDS, Document, Field, typed,
)

T = TypeVar("T")
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


class Value(BaseModel, Generic[T]):
    """One field: its normalised value and where it came from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: T
    confidence: float = PydanticField(ge=0, le=1)
    page: int | None = PydanticField(None, ge=1)
    bbox: tuple[float, float, float, float] | None = None
    text: str = ""
    method: str


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TaxLine(_Model):
    rate: Value[Decimal] | None = None
    base: Value[Decimal] | None = None
    amount: Value[Decimal] | None = None


class InvoiceLine(_Model):
    description: Value[str] | None = None
    quantity: Value[Decimal] | None = None
    unit: Value[str] | None = None
    unit_price: Value[Decimal] | None = None
    amount: Value[Decimal] | None = None
    tax_rate: Value[Decimal] | None = None


class Invoice(_Model):
    """An invoice or a credit note (``kind``)."""

    kind: Literal["invoice", "credit_note"] = "invoice"
    invoice_number: Value[str] | None = None
    issue_date: Value[date] | None = None
    due_date: Value[date] | None = None
    seller_name: Value[str] | None = None
    seller_vat_id: Value[str] | None = None
    seller_address: Value[str] | None = None
    buyer_name: Value[str] | None = None
    buyer_vat_id: Value[str] | None = None
    order_reference: Value[str] | None = None
    currency: Value[Currency] | None = None
    iban: Value[str] | None = None
    payment_terms: Value[str] | None = None
    net_total: Value[Decimal] | None = None
    tax_total: Value[Decimal] | None = None
    grand_total: Value[Decimal] | None = None
    amount_due: Value[Decimal] | None = None
    tax_lines: list[TaxLine] = []
    lines: list[InvoiceLine] = []


class TimeEntry(_Model):
    date: Value[date] | None = None
    project: Value[str] | None = None
    hours: Value[Decimal] | None = None
    type: Value[Literal["regular", "overtime", "leave"]] | None = None


class Timesheet(_Model):
    kind: Literal["timesheet"] = "timesheet"
    employee_name: Value[str] | None = None
    employee_id: Value[str] | None = None
    period_start: Value[date] | None = None
    period_end: Value[date] | None = None
    total_hours: Value[Decimal] | None = None
    approver: Value[str] | None = None
    lines: list[TimeEntry] = []


class OrderLine(_Model):
    item_id: Value[str] | None = None
    description: Value[str] | None = None
    quantity: Value[Decimal] | None = None
    unit_price: Value[Decimal] | None = None
    amount: Value[Decimal] | None = None


class Order(_Model):
    kind: Literal["order"] = "order"
    order_number: Value[str] | None = None
    order_date: Value[date] | None = None
    order_reference: Value[str] | None = None
    buyer_name: Value[str] | None = None
    seller_name: Value[str] | None = None
    seller_vat_id: Value[str] | None = None
    buyer_vat_id: Value[str] | None = None
    delivery_date: Value[date] | None = None
    delivery_address: Value[str] | None = None
    currency: Value[Currency] | None = None
    net_total: Value[Decimal] | None = None
    tax_total: Value[Decimal] | None = None
    total: Value[Decimal] | None = None
    lines: list[OrderLine] = []


MODELS: dict[str, type[_Model]] = {"invoice": Invoice, "credit_note": Invoice, "timesheet": Timesheet, "order": Order}


def _values(fields: dict[str, Field], types: dict[str, str]) -> dict[str, Any]:
    return {
        name: {**found.to_dict(), "value": typed(found.value, types.get(name, "text"))}
        for name, found in fields.items() if name in types
    }


def to_model(document: Document) -> Invoice | Timesheet | Order:
    """The document as its validated model; raises ``pydantic.ValidationError`` on a bad value.

    Fields the model does not know are left out; an ``unknown`` document has no model
    (``ValueError``).
    """
    model = MODELS.get(document.kind)
    if model is None:
        raise ValueError(f"{document.source or 'document'}: no model for kind {document.kind!r}")
    data = _values(document.fields, FIELDS_BY_KIND[document.kind])
    data["kind"] = document.kind
    line_types = LINE_FIELDS_BY_KIND[document.kind]
    data["lines"] = [_values(line, line_types) for line in document.lines]
    if model is Invoice:
        data["tax_lines"] = [_values(line, TAX_LINE_FIELDS) for line in document.tax_lines]
    return model.model_validate(data)  # type: ignore[return-value]
