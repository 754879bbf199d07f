"""Matching a document's lines against master data, within tolerances.

Both helpers return the list of problems found (empty when everything matches), so a rule
reads ``check: not po_mismatches(lines, po_lines, receipts)`` and its message can show them
with ``{po_mismatches(lines, po_lines, receipts)}``.

**Purchase orders** (``po_mismatches``): every invoice line is matched to a PO line by item id
when both have one, else by the most similar description (rapidfuzz, at least 80 of 100).
2-way: the invoiced unit price is within ``price`` of the PO's, and the quantity invoiced per
PO line is within ``quantity`` of what was ordered. 3-way (when ``receipts`` is given): the
quantity invoiced is also within ``quantity`` of what was received. PO lines need the columns
``line``, ``description``, ``quantity``, ``unit_price`` (and ``item_id`` when lines carry one);
goods receipts ``line`` and ``quantity``.

**Price lists** (``price_mismatches``): each order line's ``item_id`` is looked up in the price
rows' ``sku``; with a ``min_quantity`` column, the row with the largest minimum the line reaches.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from rapidfuzz import fuzz, utils

from backoffice.rules.values import Record, show, tolerance_of

DESCRIPTION_SCORE = 80
MAX_LINES = 2_000


def _amount(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except InvalidOperation:
        return None


def _within(value: Decimal, reference: Decimal, tolerance: Any) -> bool:
    return abs(value - reference) <= tolerance_of(tolerance, reference)


def _rows(rows: Any, name: str) -> Sequence[Record]:
    if rows is None:
        return ()
    if not isinstance(rows, (list, tuple)) or not all(isinstance(r, Record) for r in rows):
        raise TypeError(f"{name} must be a table (lines or the rows of a lookup with all: true)")
    if len(rows) > MAX_LINES:
        raise ValueError(f"{name} has more than {MAX_LINES} rows")
    return rows


def _norm(value: Any) -> str:
    return " ".join(str(value).split()).casefold()


def _po_line_for(line: Record, po_lines: Sequence[Record]) -> Record | None:
    item = line.get("item_id")
    if item:
        for po in po_lines:
            if po.get("item_id") and _norm(po["item_id"]) == _norm(item):
                return po
    description = line.get("description")
    if not description:
        return None
    best, best_score = None, DESCRIPTION_SCORE - 0.001
    for po in po_lines:
        score = fuzz.token_sort_ratio(str(description)[:500], str(po.get("description") or "")[:500],
                                      processor=utils.default_process)  # fmt: skip
        if score > best_score:
            best, best_score = po, score
    return best


def po_mismatches(
    lines: Any, po_lines: Any, receipts: Any = None, price: Any = "2%", quantity: Any = "0"
) -> list[str]:
    """Problems of a 2-way (or, with ``receipts``, 3-way) match of invoice lines against a PO."""
    lines, po_lines = _rows(lines, "lines"), _rows(po_lines, "po_lines")
    receipt_rows = _rows(receipts, "receipts") if receipts is not None else None
    if not po_lines:
        return ["the purchase order has no lines"]
    if not lines:
        return ["the invoice has no lines to match"]
    problems: list[str] = []
    invoiced: dict[str, Decimal] = {}
    by_line: dict[str, Record] = {}
    for number, line in enumerate(lines, 1):
        label = f"line {number} ({show(line.get('description'))})"
        po = _po_line_for(line, po_lines)
        if po is None:
            problems.append(f"{label} is not on the order")
            continue
        key = show(po.get("line"))
        by_line[key] = po
        unit, ordered_unit = _amount(line.get("unit_price")), _amount(po.get("unit_price"))
        if unit is not None and ordered_unit is not None and not _within(unit, ordered_unit, price):
            problems.append(f"{label}: unit price {show(unit)} differs from the order's {show(ordered_unit)}")
        invoiced[key] = invoiced.get(key, Decimal(0)) + (_amount(line.get("quantity")) or Decimal(0))
    for key, qty in invoiced.items():
        ordered = _amount(by_line[key].get("quantity"))
        if ordered is not None and qty > ordered and not _within(qty, ordered, quantity):
            problems.append(f"order line {key}: {show(qty)} invoiced, {show(ordered)} ordered")
        if receipt_rows is not None:
            received = sum((_amount(r.get("quantity")) or Decimal(0) for r in receipt_rows
                            if show(r.get("line")) == key), Decimal(0))  # fmt: skip
            if qty > received and not _within(qty, received, quantity):
                problems.append(f"order line {key}: {show(qty)} invoiced, {show(received)} received")
    return problems


def price_mismatches(
    lines: Any, prices: Any, tolerance: Any = "1%", line_key: str = "item_id", price_key: str = "sku"
) -> list[str]:
    """Problems of order lines whose unit price is not the price list's, within ``tolerance``."""
    lines, prices = _rows(lines, "lines"), _rows(prices, "prices")
    by_key: dict[str, list[Record]] = {}
    for row in prices:
        by_key.setdefault(_norm(row.get(price_key)), []).append(row)
    problems = []
    for number, line in enumerate(lines, 1):
        key = line.get(line_key)
        label = f"line {number} ({show(key)})"
        candidates = by_key.get(_norm(key), []) if key is not None else []
        quantity = _amount(line.get("quantity")) or Decimal(0)
        reached = [r for r in candidates if (_amount(r.get("min_quantity")) or Decimal(0)) <= quantity]
        if not reached:
            problems.append(f"{label} has no price in the price list")
            continue
        row = max(reached, key=lambda r: _amount(r.get("min_quantity")) or Decimal(0))
        listed, unit = _amount(row.get("unit_price")), _amount(line.get("unit_price"))
        if unit is None or listed is None:
            problems.append(f"{label}: unit price missing")
        elif not _within(unit, listed, tolerance):
            problems.append(f"{label}: unit price {show(unit)} is not the list price {show(listed)}")
    return problems
