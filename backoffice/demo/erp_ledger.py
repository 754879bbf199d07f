"""The demo ERP's records: vendors, purchase orders and invoices in SQLite, and the checks an
invoice must pass before it is stored (see :mod:`backoffice.demo.erp` for the HTTP side)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

CENT = Decimal("0.01")
SCHEMA = """
CREATE TABLE IF NOT EXISTS vendors (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, vat_id TEXT,
    created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS purchase_orders (id INTEGER PRIMARY KEY, number TEXT NOT NULL UNIQUE,
    vendor_id INTEGER NOT NULL REFERENCES vendors (id), currency TEXT, total TEXT, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS invoices (id INTEGER PRIMARY KEY, vendor_id INTEGER NOT NULL REFERENCES vendors (id),
    number TEXT NOT NULL, reference TEXT, idempotency_key TEXT UNIQUE, issue_date TEXT, due_date TEXT,
    currency TEXT NOT NULL, net_total TEXT, tax_total TEXT, total TEXT NOT NULL, po_number TEXT,
    status TEXT NOT NULL DEFAULT 'open', created_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS invoices_by_reference ON invoices (reference);
CREATE INDEX IF NOT EXISTS invoices_by_number ON invoices (vendor_id, number);
CREATE TABLE IF NOT EXISTS invoice_lines (invoice_id INTEGER NOT NULL REFERENCES invoices (id),
    line_no INTEGER NOT NULL, description TEXT, quantity TEXT, unit_price TEXT, amount TEXT,
    PRIMARY KEY (invoice_id, line_no));
"""


class Ledger:
    """The ERP's own SQLite database."""

    def __init__(self, path: Path | str):
        self.conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.executescript(SCHEMA)
        self.lock = threading.Lock()

    @contextmanager
    def tx(self) -> Iterator[sqlite3.Connection]:
        with self.lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def vendor_id(self, conn: sqlite3.Connection, name: str, create: bool) -> int | None:
        row = conn.execute("SELECT id FROM vendors WHERE name = ?", (name,)).fetchone()
        if row is None and create:
            return conn.execute("INSERT INTO vendors (name, created_at) VALUES (?, ?)", (name, time.time())).lastrowid
        return row[0] if row else None

    def invoice(self, conn: sqlite3.Connection, invoice_id: int) -> dict[str, Any] | None:
        row = conn.execute(
            "SELECT i.id, v.name, i.number, i.reference, i.issue_date, i.due_date, i.currency, i.net_total, "
            "i.tax_total, i.total, i.po_number, i.status FROM invoices i JOIN vendors v ON v.id = i.vendor_id "
            "WHERE i.id = ?", (invoice_id,),
        ).fetchone()  # fmt: skip
        if row is None:
            return None
        names = ("id", "vendor", "number", "reference", "issue_date", "due_date", "currency", "net_total",
                 "tax_total", "total", "po_number", "status")  # fmt: skip
        invoice = dict(zip(names, row, strict=True))
        invoice["lines"] = [
            dict(zip(("line_no", "description", "quantity", "unit_price", "amount"), line, strict=True))
            for line in conn.execute(
                "SELECT line_no, description, quantity, unit_price, amount FROM invoice_lines "
                "WHERE invoice_id = ? ORDER BY line_no", (invoice_id,),
            )  # fmt: skip
        ]
        return invoice


class Problem(Exception):
    def __init__(self, status: int, message: str, errors: list[dict] | None = None):
        self.status, self.message, self.errors = status, message, errors or []


def _money(data: dict, name: str, errors: list[dict], required: bool = False) -> str | None:
    value = data.get(name)
    if value is None or value == "":
        if required:
            errors.append({"field": name, "message": f"{name} is required"})
        return None
    try:
        amount = Decimal(str(value))
        return str(amount.quantize(CENT) if amount.as_tuple().exponent > -2 else amount)  # type: ignore[operator]
    except InvalidOperation:
        errors.append({"field": name, "message": f"{name} must be a number, not {value!r}"})
        return None


def validate_invoice(data: Any) -> dict[str, Any]:
    """The invoice fields, or Problem(422) listing everything that is wrong."""
    if not isinstance(data, dict):
        raise Problem(422, "the body must be a JSON object")
    errors: list[dict] = []
    out: dict[str, Any] = {}
    for name in ("vendor", "number", "currency"):
        value = data.get(name)
        if not isinstance(value, str) or not value.strip():
            errors.append({"field": name, "message": f"{name} is required"})
        out[name] = value.strip() if isinstance(value, str) else value
    if isinstance(out["currency"], str) and len(out["currency"]) != 3:
        errors.append({"field": "currency", "message": f"currency must be an ISO 4217 code, not {out['currency']!r}"})
    for name in ("issue_date", "due_date"):
        value = data.get(name)
        if value is not None and not (isinstance(value, str) and len(value) == 10 and value[4] == "-"):
            errors.append({"field": name, "message": f"{name} must be YYYY-MM-DD, not {value!r}"})
        out[name] = value
    out["total"] = _money(data, "total", errors, required=True)
    out["net_total"], out["tax_total"] = _money(data, "net_total", errors), _money(data, "tax_total", errors)
    out["reference"], out["po_number"] = data.get("reference"), data.get("po_number") or None
    out["lines"] = []
    for n, line in enumerate(data.get("lines") or [], 1):
        line = line if isinstance(line, dict) else {}
        out["lines"].append({"line_no": n, "description": line.get("description"),
                             **{k: _money(line, k, errors) for k in ("quantity", "unit_price", "amount")}})  # fmt: skip
    if errors:
        raise Problem(422, "; ".join(e["message"] for e in errors), errors)
    return out
