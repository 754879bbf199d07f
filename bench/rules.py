"""Rule evaluation speed: the sample invoice rule file on one invoice, on one core.

    .venv/bin/python bench/rules.py [--vendors 10000] [--runs 2000] [--history 1000]

The sample rules/ folder is copied to a temporary folder with a vendor master of --vendors
vendors (the sample's vendors plus generated ones, each with a valid VAT id and IBAN). Then one
invoice (known vendor by VAT id, a PO with goods receipts: 3-way match, 2 lines) is evaluated
--runs times and each evaluation timed; the table shows the median and 95th percentile.
Rows: the goal case (rules only); the vendor found by fuzzy name (no VAT id on the invoice);
and with duplicate keys checked against --history earlier items in an in-memory queue.
The process is pinned to one CPU. Goal: median <= 1 ms per document.
"""

from __future__ import annotations

import argparse
import csv
import logging
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table
from stdnum.iso7064 import mod_11_10, mod_97_10

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backoffice.queue.base import NewItem  # noqa: E402
from backoffice.queue.memory import MemoryStore  # noqa: E402
from backoffice.rules import load_rules  # noqa: E402
from backoffice.rules.duplicates import QueueHistory, backfill  # noqa: E402
from backoffice.rules.examples import document_from  # noqa: E402

GOAL_MS = 1.0
TODAY = date(2026, 3, 1)
INVOICE = {
    "invoice_number": "INV-2026-0042", "issue_date": "2026-01-10", "due_date": "2026-02-09",
    "seller_name": "Nordwind Bürotechnik GmbH", "seller_vat_id": "DE398259794",
    "iban": "DE61190748337887623286", "buyer_name": "Stadtwerke Musterstadt GmbH",
    "order_reference": "PO-10001", "currency": "EUR", "net_total": "995.00", "tax_total": "189.05",
    "grand_total": "1184.05",
    "lines": [
        {"description": "Toner cartridge black", "quantity": "10", "unit_price": "89.00", "amount": "890.00"},
        {"description": "Copy paper A4 500 sheets", "quantity": "25", "unit_price": "4.20", "amount": "105.00"},
    ],
}  # fmt: skip


def vendor_master(folder: Path, count: int, rng: random.Random) -> int:
    """Replace the sample vendor master by ``count`` vendors (the sample's ones first)."""
    path = folder / "data" / "vendors.csv"
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    columns = list(rows[0])
    for n in range(len(rows), count):
        digits = f"{rng.randrange(10_000_000, 99_999_999)}"
        bban = f"{rng.randrange(10**17, 10**18)}"
        rows.append({
            "vendor_id": f"V-{100000 + n}", "name": f"{rng.choice(NAMES)} {rng.choice(KINDS)} {n}",
            "vat_id": "DE" + digits + mod_11_10.calc_check_digit(digits),
            "iban": "DE" + mod_97_10.calc_check_digits(bban + "DE") + bban, "currency": "EUR",
            "gl_account": str(rng.choice([6300, 6470, 6610, 6815, 6820])), "cost_centre": "CC-100",
            "blocked": "no", "approver": "finance-manager",
        })  # fmt: skip
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, columns)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


NAMES = ["Alpen", "Nord", "Süd", "Rhein", "Elbe", "Main", "Isar", "Hansa", "Delta", "Kappa", "Orion"]
KINDS = ["Logistik GmbH", "Bau AG", "Software GmbH", "Handel KG", "Technik GmbH", "Service e.K."]


def timed(evaluate, runs: int) -> tuple[float, float]:
    evaluate()  # warm: loads the master data and builds its index
    samples = []
    for _ in range(runs):
        start = time.perf_counter_ns()
        evaluate()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vendors", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=2_000)
    parser.add_argument("--history", type=int, default=1_000)
    args = parser.parse_args()
    logging.getLogger("backoffice").setLevel(logging.ERROR)  # "duplicate keys not checked" in the goal row
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "rules"
        shutil.copytree(ROOT / "rules", folder)
        vendors = vendor_master(folder, args.vendors, random.Random(7))
        start = time.perf_counter()
        rules = load_rules(folder / "invoice.yaml")
        load_ms = (time.perf_counter() - start) * 1000
        document = document_from("invoice", INVOICE)
        start = time.perf_counter()
        verdict = rules.evaluate(document, today=TODAY)  # the first one reads the vendors and indexes them
        first_ms = (time.perf_counter() - start) * 1000
        assert verdict.passed and not verdict.warnings, [o.message for o in verdict.errors + verdict.warnings]
        by_name = document_from("invoice", {**INVOICE, "seller_vat_id": None})
        assert rules.evaluate(by_name, today=TODAY).passed
        store = MemoryStore()
        for n in range(args.history):
            other = {**INVOICE, "invoice_number": f"INV-2025-{n:05d}", "grand_total": f"{100 + n}.00"}
            store.enqueue(NewItem("invoices", f"doc-{n}", payload={"document": document_from("invoice", other).to_dict()}))
        current, _ = store.enqueue(NewItem("invoices", "current"))
        backfill(store, "invoices", rules.duplicates)  # the history's keys, as runners record them
        cases = [
            ("rules only (the goal)", lambda: rules.evaluate(document, today=TODAY)),
            ("vendor by fuzzy name (no VAT id)", lambda: rules.evaluate(by_name, today=TODAY)),
            (f"+ duplicate keys vs {args.history} earlier items",
             lambda: rules.evaluate(document, today=TODAY, history=QueueHistory(store, "invoices", current.id))),
        ]  # fmt: skip
        table = Table(title=f"sample invoice rules: {len(rules.rules)} rules + {len(rules.required)} required "
                            f"+ {len(rules.duplicates)} duplicate keys, {vendors:,} vendors; "
                            f"load {load_ms:.0f} ms, first document {first_ms:.0f} ms; {args.runs} runs, one core")  # fmt: skip
        for column in ("case", "median ms/doc", "p95 ms/doc", "docs/s", "goal"):
            table.add_column(column, justify="left" if column == "case" else "right")
        for index, (name, evaluate) in enumerate(cases):
            median, p95 = timed(evaluate, args.runs if index < 2 else max(args.runs // 20, 20))
            goal = ("met" if median <= GOAL_MS else "NOT met") + f" (<= {GOAL_MS} ms)" if index == 0 else ""
            table.add_row(name, f"{median:.3f}", f"{p95:.3f}", f"{1000 / median:,.0f}", goal)
        Console(width=130).print(table)


if __name__ == "__main__":
    main()
