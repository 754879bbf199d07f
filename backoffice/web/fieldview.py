"""The correction form's rows: every field of the document's kind in the document's order, with
a readable name, the value as it is now and a suggested value where one follows from the others
(grand total = net + tax, and each of the three from the other two)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from backoffice.documents.models import FIELDS_BY_KIND

WORDS = {"iban": "IBAN", "bic": "BIC", "vat": "VAT", "id": "ID", "gl": "GL"}
SUMS = {  # field: (how it follows, the fields it follows from, sign of the second)
    "grand_total": ("net + tax", "net_total", "tax_total", 1),
    "net_total": ("total − tax", "grand_total", "tax_total", -1),
    "tax_total": ("total − net", "grand_total", "net_total", -1),
}


def label(name: str) -> str:
    """``seller_vat_id`` -> "Seller VAT ID"."""
    words = [WORDS.get(w, w) for w in name.split("_")]
    return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]])


@dataclass(frozen=True)
class Row:
    name: str
    label: str
    kind: str
    value: str | None
    failing: str  # "error", "warning" or ""
    suggestion: str = ""
    how: str = ""


def _money(fields: dict[str, Any], name: str) -> Decimal | None:
    try:
        return Decimal(str((fields.get(name) or {}).get("value")))
    except (InvalidOperation, ValueError):
        return None


def suggest(fields: dict[str, Any], name: str) -> tuple[str, str]:
    """(value, how) where ``name`` follows from two other fields and differs from its value now."""
    if name not in SUMS:
        return "", ""
    how, first, second, sign = SUMS[name]
    a, b = _money(fields, first), _money(fields, second)
    if a is None or b is None:
        return "", ""
    value = a + sign * b
    if _money(fields, name) == value:
        return "", ""
    return f"{value:.2f}", how


def rows(document: dict[str, Any], failing: dict[str, str]) -> list[Row]:
    fields = document.get("fields") or {}
    out = []
    for name, kind in FIELDS_BY_KIND.get(document.get("kind", ""), {}).items():
        value, how = suggest(fields, name)
        current = (fields.get(name) or {}).get("value")
        out.append(Row(name, label(name), kind, current, failing.get(name, ""), value, how))
    return out


def found(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], bool]]:
    """The extracted fields as (name, readable name, field, is money): the kind's fields in the
    document's order, then any other field by name."""
    fields = document.get("fields") or {}
    kinds = FIELDS_BY_KIND.get(document.get("kind", ""), {})
    names = [n for n in kinds if n in fields] + sorted(n for n in fields if n not in kinds)
    return [(n, label(n), fields[n], kinds.get(n) == "money") for n in names]
