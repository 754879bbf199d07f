"""The review form's rows: every field of the document's kind in the document's order (page, then
top to bottom, then the fields not found), with a readable name, the value as it is now written
the document's way (its locale: ``1.234,56`` on a German invoice), a suggested value where one
follows from the others (grand total = net + tax, and each of the three from the other two), and
a review status: ``to review`` (a rule fails on it, or the reader was not sure of it: confidence
below :data:`REVIEW_BELOW`), ``confirmed`` (a person looked at it and kept it), ``corrected``.
The line items come as a table of the same cells, named ``lines[N].name`` (N from 0)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from backoffice.documents import cells
from backoffice.documents.registry import field_types, line_field_types

WORDS = {"iban": "IBAN", "bic": "BIC", "vat": "VAT", "id": "ID", "gl": "GL"}
SUMS = {  # field: (how it follows, the fields it follows from, sign of the second)
    "grand_total": ("net + tax", "net_total", "tax_total", 1),
    "net_total": ("total − tax", "grand_total", "tax_total", -1),
    "tax_total": ("total − net", "grand_total", "net_total", -1),
}
REVIEW_BELOW = 0.8  # a value read with less confidence is flagged for a person to look at
TO_REVIEW, CONFIRMED, CORRECTED = "to review", "confirmed", "corrected"
# Where the document does not say its country, the currency usually does.
CURRENCY_COUNTRY = {
    "GBP": "GB",
    "USD": "US",
    "CHF": "CH",
    "PLN": "PL",
    "CZK": "CZ",
    "SEK": "SE",
    "DKK": "DK",
    "NOK": "NO",
    "CAD": "CA",
    "AUD": "AU",
    "INR": "IN",
    "BRL": "BR",
    "HUF": "HU",
}


def label(name: str) -> str:
    """``seller_vat_id`` -> "Seller VAT ID"; ``lines[2].amount`` (or ``line.3.amount``) -> "Line 3 amount"."""
    try:
        line = cells.parse(name)
    except cells.BadCellName:
        line = None
    if line:
        return f"Line {line.number}" + (f" {label(line.field).lower()}" if line.field else "")
    words = [WORDS.get(w, w) for w in name.split("_")]
    return " ".join([words[0][:1].upper() + words[0][1:], *words[1:]])


@dataclass(frozen=True)
class Row:
    name: str  # the field's name, or its path (lines[2].amount) for a cell of a line
    label: str
    kind: str
    value: str | None
    failing: str  # "error", "warning" or ""
    suggestion: str = ""
    how: str = ""
    shown: str = ""  # the value written the document's way
    status: str = ""  # TO_REVIEW, CONFIRMED, CORRECTED or "" (read with confidence, no rule against it)
    confidence: float | None = None
    page: int | None = None
    bbox: tuple[float, ...] | None = None


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


def locale_of(document: dict[str, Any]) -> str:
    """The document's locale as Babel names it (``de_DE``): the country of the seller's VAT ID or
    IBAN, else of the currency, with the language CLDR says that country writes; ``en_US`` when
    nothing says."""
    fields = document.get("fields") or {}
    country = ""
    for name in ("seller_vat_id", "iban"):
        value = str((fields.get(name) or {}).get("value") or "")[:2].upper()
        if value.isalpha() and len(value) == 2:
            country = "GR" if value == "EL" else value  # Greek VAT IDs start with EL
            break
    if not country:
        country = CURRENCY_COUNTRY.get(str((fields.get("currency") or {}).get("value") or ""), "")
    return _likely(country)


@lru_cache(maxsize=64)
def _likely(country: str) -> str:
    from babel import Locale, UnknownLocaleError

    if not country:
        return "en_US"
    try:
        found = Locale.parse(f"und_{country}")
    except (UnknownLocaleError, ValueError):
        return "en_US"
    return f"{found.language}_{found.territory or country}"


def shown(value: str | None, kind: str, locale: str) -> str:
    """A normalised value (``1234.5``, ``2024-03-01``) as the document's locale writes it."""
    from babel.dates import format_date
    from babel.numbers import format_decimal

    if value is None or value == "":
        return ""
    try:
        if kind == "money":
            return format_decimal(Decimal(value), format="#,##0.00", locale=locale)
        if kind == "number":
            return format_decimal(Decimal(value), locale=locale)
        if kind == "date":
            return format_date(date.fromisoformat(value), format="medium", locale=locale)
    except (InvalidOperation, ValueError):
        pass
    return str(value)


def status(field: dict[str, Any] | None, failing: str, confirmed: bool) -> str:
    if field and field.get("method") == "correction":
        return CORRECTED
    if confirmed:
        return CONFIRMED
    if failing:
        return TO_REVIEW
    confidence = (field or {}).get("confidence")
    if field and confidence is not None and confidence < REVIEW_BELOW:
        return TO_REVIEW
    return ""


def _where(field: dict[str, Any] | None) -> tuple[int, float, float]:
    if not field or not field.get("page") or not field.get("bbox"):
        return (10**6, 0.0, 0.0)
    return (int(field["page"]), round(float(field["bbox"][1]) / 4), float(field["bbox"][0]))


def _row(
    name: str,
    kind: str,
    field: dict[str, Any] | None,
    failing: str,
    confirmed: bool,
    locale: str,
    suggestion: tuple[str, str] = ("", ""),
) -> Row:
    value = (field or {}).get("value")
    return Row(
        name,
        label(name),
        kind,
        value,
        failing,
        suggestion[0],
        suggestion[1],
        shown(value, kind, locale),
        status(field, failing, confirmed),
        (field or {}).get("confidence"),
        (field or {}).get("page"),
        tuple((field or {}).get("bbox") or ()) or None,
    )


def rows(document: dict[str, Any], failing: dict[str, str], confirmed: Any = ()) -> list[Row]:
    """Every field of the document's kind: those found in the order they stand on the page, then
    the others in the kind's order."""
    fields = document.get("fields") or {}
    kinds = field_types(document.get("kind", ""))
    names = [n for n in kinds if n in fields] + [n for n in fields if n not in kinds]
    names.sort(key=lambda n: _where(fields.get(n)))  # stable: the kind's order among equals
    names += [n for n in kinds if n not in fields]
    locale = locale_of(document)
    return [
        _row(n, kinds.get(n, "text"), fields.get(n), failing.get(n, ""), n in confirmed, locale, suggest(fields, n))
        for n in names
    ]


def line_columns(document: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The line table's columns as (name, readable name, kind): the kind's line fields that some
    line has, in the kind's order."""
    kinds = line_field_types(document.get("kind", ""))
    present = {n for line in _lines(document) for n in line}
    return [(n, label(n), k) for n, k in kinds.items() if n in present]


def _lines(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Each line's cells as field dicts (``line_fields``; older items kept only ``lines`` values)."""
    if document.get("line_fields"):
        return list(document["line_fields"])
    return [{n: {"value": v} for n, v in line.items()} for line in document.get("lines") or []]


def line_rows(document: dict[str, Any], failing: dict[str, str], confirmed: Any = ()) -> list[list[Row | None]]:
    """The line items: one list per line, one Row per column of :func:`line_columns` (None where
    the line has no such cell)."""
    columns, locale = line_columns(document), locale_of(document)
    out = []
    for index, line in enumerate(_lines(document)):
        cells: list[Row | None] = []
        for name, _, kind in columns:
            path = f"lines[{index}].{name}"
            cells.append(_row(path, kind, line.get(name), failing.get(path, ""), path in confirmed, locale))
        out.append(cells)
    return out


def found(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], bool]]:
    """The extracted fields as (name, readable name, field, is money): the kind's fields in the
    document's order, then any other field by name."""
    fields = document.get("fields") or {}
    kinds = field_types(document.get("kind", ""))
    names = [n for n in kinds if n in fields] + sorted(n for n in fields if n not in kinds)
    return [(n, label(n), fields[n], kinds.get(n) == "money") for n in names]
