"""Turn XML element text into normalised Field values (dates, decimals, codes)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from lxml import etree

from backoffice.documents.models import Field
from backoffice.documents.normalise import format_amount, format_quantity


def text(element: etree._Element | None) -> str | None:
    """The element's whitespace-normalised text, or None when absent or blank."""
    if element is None or element.text is None:
        return None
    value = " ".join(element.text.split())
    return value or None


def first(root: etree._Element, *paths: str) -> etree._Element | None:
    """The first element any of ``paths`` (``{*}`` wildcards allowed) finds under ``root``."""
    for path in paths:
        found = root.find(path)
        if found is not None and text(found) is not None:
            return found
    return None


def xml_date(raw: str | None) -> str | None:
    """``20240131`` (format 102), ``202401311230`` (203), ``2024-01-31`` or ``2024-01-31T..`` -> ISO."""
    if not raw:
        return None
    digits = re.sub(r"\D", "", raw[:10])
    if len(digits) >= 8:
        return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}"
    return None


def decimal(raw: str | None) -> Decimal | None:
    if raw is None:
        return None
    try:
        return Decimal(raw.strip())
    except InvalidOperation:
        return None


class Collector:
    """Builds the fields of one document, each with the element text it came from."""

    def __init__(self, method: str):
        self.method = method
        self.fields: dict[str, Field] = {}

    def field(self, value: str, raw: str) -> Field:
        return Field(value=value, confidence=1.0, text=raw, method=self.method)

    def put(self, into: dict[str, Field], name: str, element: etree._Element | None, kind: str = "text") -> None:
        raw = text(element)
        if raw is None:
            return
        value: str | None = raw
        if kind == "date":
            value = xml_date(raw)
        elif kind == "money":
            number = decimal(raw)
            value = format_amount(number) if number is not None else None
        elif kind == "number":
            number = decimal(raw)
            value = format_quantity(number) if number is not None else None
        elif kind == "code":
            value = raw.upper()
        elif kind == "compact":
            value = raw.replace(" ", "")
        if value:
            into[name] = self.field(value, raw)

    def set(self, name: str, element: etree._Element | None, kind: str = "text") -> None:
        self.put(self.fields, name, element, kind)
