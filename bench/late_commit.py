"""A REST target with `lookup` only (no idempotency key) against the demo ERP when the ERP commits
after the client's timeout: N items, one `backoffice run --once`, then count the ERP's invoices.

    .venv/bin/python bench/late_commit.py [--items 100] [--fault-rate 0.3] [--settle-seconds S]

The ERP answers a share of requests only after 2 s (`--faults timeout`) and then commits; the
target gives up after `timeout_seconds: 1.5`. Without settling, the lookup of a retry comes before
that commit and the invoice is posted twice; the table shows invoices, duplicates and items.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/late_commit.py`, this folder would shadow the standard library's `queue`.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import sqlite3  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from backoffice.demo.erp import running_erp  # noqa: E402
from backoffice.documents.models import Document, Field  # noqa: E402
from backoffice.queue.base import NewItem  # noqa: E402
from backoffice.queue.sqlite import SQLiteStore  # noqa: E402


def document(n: int) -> Document:
    values = {"invoice_number": f"LC-{n:04d}", "issue_date": "2026-01-10", "seller_name": f"Vendor {n % 7}",
              "currency": "EUR", "net_total": "100.00", "tax_total": "19.00", "grand_total": "119.00"}  # fmt: skip
    return Document("invoice", "text-layer", {k: Field(v) for k, v in values.items()}, source=f"lc{n}.pdf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=100)
    parser.add_argument("--fault-rate", type=float, default=0.3)
    parser.add_argument("--settle-seconds", type=float, default=None, help="the target's settle_seconds")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        args = ("--fault-rate", str(options.fault_rate), "--faults", "timeout")
        with running_erp(root / "erp.db", args=args, log_path=root / "erp.log") as url:
            target = {"kind": "rest", "name": "erp", "base_url": url, "path": "/api/invoices",
                      "body": {"vendor": "seller_name", "number": "invoice_number", "currency": "currency",
                               "total": "grand_total", "issue_date": "issue_date", "reference": "$key"},
                      "lookup": {"path": "/api/invoices?reference={key}", "records": "items"},
                      "timeout_seconds": 1.5}  # fmt: skip
            if options.settle_seconds is not None:
                target["settle_seconds"] = options.settle_seconds
            config = {"workspace": "work", "bots": [{"name": "invoices", "targets": [target],
                      "source": {"kind": "folder", "path": "inbox", "create": True}}]}  # fmt: skip
            (root / "bots.yaml").write_text(json.dumps(config))
            store = SQLiteStore(root / "work" / "queue.db")
            store.enqueue_many(NewItem("invoices", f"doc-{n}", payload={"document": document(n).to_dict()})
                               for n in range(options.items))  # fmt: skip
            started = time.monotonic()
            run = subprocess.run([sys.executable, "-m", "backoffice", "-c", str(root / "bots.yaml"), "run", "--once"],
                                 env={**os.environ}, capture_output=True, text=True, check=False)  # fmt: skip
            seconds = time.monotonic() - started
            counts = store.counts().get("invoices", {})
            store.close()
            erp = sqlite3.connect(root / "erp.db")
            invoices, distinct = erp.execute("SELECT count(*), count(DISTINCT reference) FROM invoices").fetchone()
            erp.close()
    print("| items | ERP invoices | duplicated | missing | queue | run --once exit | seconds |")
    print(
        f"| {options.items} | {invoices} | {invoices - distinct} | {options.items - distinct} | {counts} | "
        f"{run.returncode} | {seconds:.0f} |"
    )


if __name__ == "__main__":
    main()
