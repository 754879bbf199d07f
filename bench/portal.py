"""Portal throughput in real Chromium against the demo portal on loopback, median of --runs runs.

    .venv/bin/python bench/portal.py [--runs 5] [--pages 10] [--orders 20]

- rows scraped per second: the timesheet table, page after page (10 rows a page), read by the
  portal source's steps (goto + extract_table) through the connector, goal >= 10/s;
- form submissions per second: the portal target's post (fill the order form, submit, read the
  confirmation), goal >= 5/s: with the form filled by one ``fill_form`` step and the button's own
  click (``mouse: false``), as the sample bots.yaml does, and with the clerk-like steps (one
  ``fill``/``select`` per field and a mouse click);
each with one logged-in context reused for every item (a page of rows, an order), and with a
fresh context per item (a new context, signing in, then the work). Tracing is on, as it is
by default (evidence needs it); one more row shows the submissions without it.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/portal.py`, this file's folder comes first on sys.path and bench/queue.py
# would shadow the standard library's `queue`. Drop that entry.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse  # noqa: E402
import itertools  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

from playwright.sync_api import sync_playwright  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from backoffice.browser import find_executable  # noqa: E402
from backoffice.connectors.base import Context  # noqa: E402
from backoffice.connectors.portal.connector import Portal  # noqa: E402
from backoffice.connectors.portal.pool import POOL  # noqa: E402
from backoffice.connectors.portal.settings import PortalSourceSettings, PortalTargetSettings  # noqa: E402
from backoffice.connectors.portal.target import PortalTarget  # noqa: E402
from backoffice.demo.portal import running_portal  # noqa: E402
from backoffice.documents.models import Document, Field  # noqa: E402
from backoffice.queue.base import NewItem  # noqa: E402
from backoffice.queue.files import FileStore  # noqa: E402
from backoffice.queue.memory import MemoryStore  # noqa: E402

PASSWORD = "bench-secret"
SERIAL = itertools.count(1)
ORDER_STEPS = [
    {"goto": "/orders/new"},
    {"fill_form": {"#reference": "{key}", "#order_number": "{order_number}", "#customer": "{buyer_name}",
                   "#delivery_date": "{delivery_date}", "#total": "{total}", "#currency": "{currency}"}},
    {"click": "#submit", "navigates": True, "mouse": False},
    {"reject_if": "#errors"},
    {"set": "reference", "read": "#confirmation"},
]
CLERK_STEPS = [
    {"goto": "/orders/new"},
    {"fill": "#reference", "value": "{key}"},
    {"fill": "#order_number", "value": "{order_number}"},
    {"fill": "#customer", "value": "{buyer_name}"},
    {"fill": "#delivery_date", "value": "{delivery_date}"},
    {"fill": "#total", "value": "{total}"},
    {"select": "#currency", "value": "{currency}"},
    {"click": "#submit", "navigates": True},
    {"reject_if": "#errors"},
    {"set": "reference", "read": "#confirmation"},
]


def context(folder: Path) -> Context:
    return Context(bot="bench", workspace=folder, files=FileStore(folder / "files"))


def scrape_rate(url: str, folder: Path, pages: int, reuse: bool) -> float:
    """Rows per second; an item is one page of the table."""
    settings = PortalSourceSettings(
        kind="portal", url=url, username="clerk", password=PASSWORD, browser={"reuse_context": reuse},
        steps=[{"goto": "/timesheets?page={page}"}, {"extract_table": "table#timesheets", "links": {"pdf": "a.pdf"}}],
        items={"key": "{ID}"},
    )  # fmt: skip
    portal = Portal(settings, context(folder))
    try:
        portal.attempt("warm-up", lambda runner: runner.run(settings.steps, {"page": 1}))
        rows = 0
        start = time.perf_counter()
        for page in range(1, pages + 1):
            found = portal.attempt("scrape", lambda runner, page=page: runner.run(settings.steps, {"page": page}))
            rows += len(found["rows"])
        return rows / (time.perf_counter() - start)
    finally:
        portal.close()


def submit_rate(url: str, folder: Path, orders: int, reuse: bool, trace: bool = True, steps: list = ORDER_STEPS) -> float:
    settings = PortalTargetSettings(
        kind="portal", url=url, username="clerk", password=PASSWORD, browser={"reuse_context": reuse, "trace": trace},
        steps=steps,
    )  # fmt: skip
    target = PortalTarget(settings, context(folder))
    store = MemoryStore()
    try:
        work = [(store.enqueue(NewItem("bench", str(uuid.uuid4())))[0], order(next(SERIAL))) for _ in range(orders + 1)]
        target.post(*work[0])  # warm-up: the browser starts, the first sign-in
        start = time.perf_counter()
        for item, document in work[1:]:
            target.post(item, document)
        return orders / (time.perf_counter() - start)
    finally:
        target.close()


def order(n: int) -> Document:
    values = {"order_number": f"PO-{n:06d}", "buyer_name": "Lindner Logistik AG", "delivery_date": "2024-05-11",
              "total": f"{100 + n % 900}.50", "currency": "EUR"}  # fmt: skip
    return Document(kind="order", method="bench", fields={k: Field(value=v) for k, v in values.items()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per row; the median is shown")
    parser.add_argument("--pages", type=int, default=10, help="table pages (10 rows each) per scrape run")
    parser.add_argument("--orders", type=int, default=20, help="orders submitted per run")
    args = parser.parse_args()
    cases = [
        ("rows scraped / s", "reused logged-in context", 10.0, lambda u, f: scrape_rate(u, f, args.pages, True)),
        ("rows scraped / s", "new context per page", None, lambda u, f: scrape_rate(u, f, args.pages, False)),
        ("form submissions / s", "reused logged-in context", 5.0, lambda u, f: submit_rate(u, f, args.orders, True)),
        ("form submissions / s", "new context per order", None, lambda u, f: submit_rate(u, f, args.orders, False)),
        ("form submissions / s", "reused, tracing off", None, lambda u, f: submit_rate(u, f, args.orders, True, False)),
        ("  clerk-like steps", "reused logged-in context", None,
         lambda u, f: submit_rate(u, f, args.orders, True, steps=CLERK_STEPS)),
        ("  clerk-like steps", "new context per order", None,
         lambda u, f: submit_rate(u, f, args.orders, False, steps=CLERK_STEPS)),
    ]
    with sync_playwright() as playwright:
        browser = find_executable(playwright) or "Playwright's own Chromium"
    table = Table(title=f"Portal in Chromium ({browser}; demo portal on loopback, tracing on), median of {args.runs} runs")
    for column in ("measure", "contexts", "median", "min", "max", "goal"):
        table.add_column(column, justify="left" if column in ("measure", "contexts") else "right")
    with tempfile.TemporaryDirectory() as scratch, running_portal(
        args=("--user", f"clerk:{PASSWORD}", "--timesheets", str(args.pages * 10))
    ) as url:
        try:
            for measure, contexts, goal, run in cases:
                rates = [run(url, Path(scratch)) for _ in range(args.runs)]
                median = statistics.median(rates)
                verdict = "" if goal is None else f">= {goal:g} {'met' if median >= goal else 'MISSED'}"
                table.add_row(measure, contexts, f"{median:.1f}", f"{min(rates):.1f}", f"{max(rates):.1f}", verdict)
        finally:
            POOL.close()
    Console(width=120).print(table)


if __name__ == "__main__":
    main()
