"""Purchase-order 2-way and 3-way match and price-list match, within tolerances."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from backoffice.rules.matching import po_mismatches, price_mismatches
from backoffice.rules.values import Record, Rows


def rows(*records: dict) -> Rows:
    return Rows([Record(r) for r in records])


PO = rows(
    {"line": "1", "description": "Toner cartridge black", "quantity": D(10), "unit_price": D("89.00")},
    {"line": "2", "description": "Copy paper A4 500 sheets", "quantity": D(40), "unit_price": D("4.20")},
)
RECEIPTS = rows({"line": "1", "quantity": D(10)}, {"line": "2", "quantity": D(20)}, {"line": "2", "quantity": D(5)})


def line(description: str, quantity: str, unit_price: str, **more) -> Record:
    return Record({"description": description, "quantity": D(quantity), "unit_price": D(unit_price), **more})


def test_lines_that_match_the_order_have_no_problems():
    invoice = rows(line("Toner cartridge, black", "10", "89.00"), line("copy paper a4 (500 sheets)", "25", "4.20"))
    assert po_mismatches(invoice, PO) == []
    assert po_mismatches(invoice, PO, RECEIPTS) == []


def test_price_outside_the_tolerance():
    invoice = rows(line("Toner cartridge black", "10", "91.00"), line("Copy paper A4 500 sheets", "1", "4.28"))
    assert po_mismatches(invoice, PO, price="2%") == ["line 1 (Toner cartridge black): unit price 91.00 differs from the order's 89.00"]
    assert po_mismatches(invoice, PO, price="0.05") == [
        "line 1 (Toner cartridge black): unit price 91.00 differs from the order's 89.00",
        "line 2 (Copy paper A4 500 sheets): unit price 4.28 differs from the order's 4.20",
    ]


def test_quantity_against_what_was_ordered_summed_over_lines():
    invoice = rows(line("Toner cartridge black", "6", "89"), line("Toner cartridge black", "5", "89"))
    assert po_mismatches(invoice, PO) == ["order line 1: 11 invoiced, 10 ordered"]
    assert po_mismatches(invoice, PO, quantity="10%") == []


def test_three_way_match_against_goods_received():
    invoice = rows(line("Copy paper A4 500 sheets", "30", "4.20"))
    assert po_mismatches(invoice, PO) == []
    assert po_mismatches(invoice, PO, RECEIPTS) == ["order line 2: 30 invoiced, 25 received"]
    assert po_mismatches(rows(line("Toner cartridge black", "1", "89")), PO, rows()) == [
        "order line 1: 1 invoiced, 0 received"]


def test_lines_not_on_the_order_and_empty_tables():
    assert po_mismatches(rows(line("Espresso machine", "1", "500")), PO) == ["line 1 (Espresso machine) is not on the order"]
    assert po_mismatches(rows(), PO) == ["the invoice has no lines to match"]
    assert po_mismatches(rows(line("x", "1", "1")), rows()) == ["the purchase order has no lines"]


def test_item_ids_match_before_descriptions():
    po = rows({"line": "7", "item_id": "TON-505", "description": "Toner", "quantity": D(2), "unit_price": D(80)})
    assert po_mismatches(rows(line("Completely different words", "2", "80", item_id="ton-505")), po) == []


def test_matching_needs_tables():
    with pytest.raises(TypeError, match="po_lines must be a table"):
        po_mismatches(rows(line("x", "1", "1")), "PO-1")


PRICES = rows(
    {"sku": "TON-505", "min_quantity": D(1), "unit_price": D("95.00")},
    {"sku": "TON-505", "min_quantity": D(10), "unit_price": D("89.00")},
    {"sku": "PAP-A4", "unit_price": D("4.50")},
)


def order_line(item: str, quantity: str, price: str) -> Record:
    return Record({"item_id": item, "quantity": D(quantity), "unit_price": D(price)})


def test_price_list_with_quantity_breaks_and_tolerance():
    assert price_mismatches(rows(order_line("TON-505", "1", "95"), order_line("TON-505", "12", "89")), PRICES) == []
    assert price_mismatches(rows(order_line("TON-505", "9", "89")), PRICES) == [
        "line 1 (TON-505): unit price 89 is not the list price 95.00"]
    assert price_mismatches(rows(order_line("PAP-A4", "1", "4.54")), PRICES, "1%") == []
    assert price_mismatches(rows(order_line("PAP-A4", "1", "4.56")), PRICES, "1%") != []


def test_an_item_without_a_price():
    assert price_mismatches(rows(order_line("XYZ", "1", "1")), PRICES) == ["line 1 (XYZ) has no price in the price list"]
