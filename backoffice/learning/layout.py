"""A learned layout: where a person showed each field of one sender's documents to be.

Positions are in PDF points from the page's top-left corner. A :class:`FieldRule` never holds
a value, only where and how to read one, so nothing identifying a sender (its name, VAT id,
IBAN) is ever carried over to another document: every value is read from the new page.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from backoffice.documents.models import BBox

# Fields that say who sent the document: learned as positions like the others, and used to
# tell senders apart (Layout.senders), but never copied from the teaching document.
SENDER_FIELDS = ("seller_name", "seller_vat_id", "iban")


@dataclass(frozen=True)
class FieldRule:
    """Where one field is printed: ``anchor`` (the label words before or above it, "" when it
    is placed on the page alone), the value's box relative to the anchor's top-left corner
    (``offset``) and on the page (``box``), its ``shape`` (a pattern of letters ``A``, digits
    ``9`` and punctuation) and ``hint`` (the decimal mark or date order it was printed with)."""

    name: str
    page: int
    box: BBox
    anchor: str = ""
    anchor_box: BBox | None = None
    offset: tuple[float, float] | None = None
    words: int = 1
    shape: str = ""
    hint: str = ""
    corrected: bool = False  # a person corrected the reader's value here: the reader is known wrong
    chars: str = ""  # an identifier's characters as classes (A letter, 9 digit): OCR's 0/O mix-ups undone

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FieldRule:
        data = dict(data)
        data["box"] = tuple(data["box"])
        if data.get("anchor_box"):
            data["anchor_box"] = tuple(data["anchor_box"])
        if data.get("offset"):
            data["offset"] = tuple(data["offset"])
        return cls(**data)


@dataclass(frozen=True)
class TableRule:
    """Where the line-item table is printed: its ``header`` row (the words above the first item,
    "" when there is none) at ``header_box``, and for each line field the ``columns`` x-range
    (page coordinates) its values were printed in. ``corrected``: a person corrected the lines
    the reader read (so the reader is known to read this table wrong)."""

    page: int
    columns: dict[str, tuple[float, float]]
    header: str = ""
    header_box: BBox | None = None
    first_row: float = 0.0  # the top of the first item row
    hint: str = ""  # the decimal mark the amounts were printed with
    corrected: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TableRule:
        data = dict(data)
        data["columns"] = {name: tuple(span) for name, span in data["columns"].items()}
        if data.get("header_box"):
            data["header_box"] = tuple(data["header_box"])
        return cls(**data)


@dataclass
class Layout:
    """One learned layout. ``id`` is 0 until stored; ``taught_by``/``item``/``at`` name the
    person, item and time of the last lesson; ``reads`` counts the documents it read,
    ``corrected`` the later ones where a person still changed one of its fields."""

    kind: str
    tokens: frozenset[str]
    fields: dict[str, FieldRule]
    senders: dict[str, str] = field(default_factory=dict)
    id: int = 0
    item: int | None = None
    taught_by: str = ""
    at: str = ""
    reads: int = 0
    corrected: int = 0
    name: str = ""
    table: TableRule | None = None

    def body(self) -> dict[str, Any]:
        """What the store keeps as JSON besides the columns it indexes."""
        return {
            "kind": self.kind,
            "tokens": sorted(self.tokens),
            "senders": self.senders,
            "name": self.name,
            "fields": {n: r.to_dict() for n, r in self.fields.items()},
            **({"table": self.table.to_dict()} if self.table else {}),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "item": self.item,
            "taught_by": self.taught_by,
            "at": self.at,
            "reads": self.reads,
            "corrected": self.corrected,
            **self.body(),
        }

    @classmethod
    def from_body(cls, body: dict[str, Any], **columns: Any) -> Layout:
        return cls(
            kind=body["kind"],
            tokens=frozenset(body["tokens"]),
            senders=dict(body.get("senders", {})),
            fields={n: FieldRule.from_dict(r) for n, r in body["fields"].items()},
            name=body.get("name", ""),
            table=TableRule.from_dict(body["table"]) if body.get("table") else None,
            **columns,
        )

    def provenance(self) -> str:
        day = self.at[:10] if self.at else "?"
        return f"learned from item {self.item}, corrected by {self.taught_by} on {day}"
