"""The values rule expressions see: typed fields, :class:`Record` (one row of master data or
one line of a document) and :class:`Rows` (a table), and how any of them is shown to people.

``vendor.iban`` reads a Record's column; ``lines.amount`` reads a column of Rows as a list,
so ``sum(lines.amount)`` adds up the line amounts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

SHOW_LIMIT = 300


class Record(Mapping[str, Any]):
    """One row: read-only, its columns read as ``row.column`` in expressions."""

    __slots__ = ("_data", "label")

    def __init__(self, data: Mapping[str, Any], label: str = ""):
        self._data = dict(data)
        self.label = label

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return f"Record({self.label or self._data!r})"


class Rows(tuple):
    """A table of Records; ``rows.name`` is the list of that column's values."""

    def __new__(cls, records: Iterable[Record] = (), columns: Iterable[str] = ()):
        rows = super().__new__(cls, records)
        rows.columns = frozenset(columns) or frozenset(k for r in rows for k in r)
        return rows

    def column(self, name: str) -> list[Any]:
        return [r.get(name) for r in self]


def show(value: Any) -> str:
    """A value as people read it in messages and in the Verdict's ``values``."""
    if value is None:
        return "(missing)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return f"{value.days} days"
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent  # a letter for NaN and infinities
        if isinstance(exponent, int) and value.adjusted() < 100 and exponent >= -100:
            return format(value, "f")
        return str(value)  # 1E+999999 written out would be a million digits
    if isinstance(value, Record):
        text = value.label or joined(f"{k}={show(v)}" for k, v in value.items())
    elif isinstance(value, (list, tuple, set, frozenset)):
        if isinstance(value, Rows) and not value:
            return "(none)"
        text = joined(show(v) for v in value)
    else:
        text = str(value)
    return text if len(text) <= SHOW_LIMIT else text[: SHOW_LIMIT - 1] + "…"


def joined(parts: Iterable[str], separator: str = ", ", limit: int = SHOW_LIMIT) -> str:
    """``separator.join(parts)``, stopping once it is longer than ``limit`` (a list of 100,000
    long texts is never written out whole)."""
    out, size = [], 0
    for part in parts:
        out.append(part)
        size += len(part) + len(separator)
        if size > limit:
            break
    return separator.join(out)


def as_text(value: Any) -> str | None:
    """How a value set by a rule is stored in the Document (None stays None)."""
    if value is None:
        return None
    if isinstance(value, (date, Decimal, timedelta, bool)):
        return show(value)
    return str(value)


class HelperError(ValueError):
    """A helper was called with values it cannot use; the message says which."""


def money(value: Any) -> Decimal | None:
    """A Decimal from a number or text (``"1234.50"``); None stays None."""
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        raise HelperError("money() needs a number, not yes/no")
    try:
        return Decimal(str(value).strip().replace(" ", ""))
    except InvalidOperation:
        raise HelperError(f"not an amount: {show(value)}") from None


def tolerance_of(tolerance: Any, reference: Decimal) -> Decimal:
    """``"2%"`` of ``reference``, or an absolute amount (``"0.01"``, ``0.5``)."""
    text = str(tolerance).strip()
    if text.endswith("%"):
        return abs(reference) * money(text[:-1]) / 100
    return abs(money(text))
