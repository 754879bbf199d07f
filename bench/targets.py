"""Target throughput: posts per second to the REST target (the demo ERP over loopback) and to the
SQL target on SQLite, PostgreSQL and MariaDB, median of --runs runs.

    .venv/bin/python bench/targets.py [--runs 5] [--posts 300]

Each post is one invoice with two lines (SQL: header and lines in one transaction). The
connector's own overhead is the time a post takes minus the time it waits on the target system
(``Target.waited``: the HTTP exchange, the database calls); goal <= 1 ms per item. The
"in-process" REST row answers from an httpx MockTransport, so everything is client-side cost.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/targets.py`, this file's folder comes first on sys.path and bench/queue.py
# would shadow the standard library's `queue`. Drop that entry.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse  # noqa: E402
import itertools  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402

import httpx  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from backoffice.connectors.base import Context, Target  # noqa: E402
from backoffice.connectors.rest import RestSettings, RestTarget  # noqa: E402
from backoffice.connectors.sql import SqlSettings, SqlTarget  # noqa: E402
from backoffice.demo.erp import running_erp  # noqa: E402
from backoffice.documents.models import Document, Field  # noqa: E402
from backoffice.queue.base import NewItem  # noqa: E402
from backoffice.queue.files import FileStore  # noqa: E402
from backoffice.queue.memory import MemoryStore  # noqa: E402

SERIAL = itertools.count()
REST = {
    "kind": "rest", "name": "erp", "path": "/api/invoices", "idempotency_header": "Idempotency-Key",
    "body": {"vendor": "seller_name", "number": "invoice_number", "currency": "currency", "total": "grand_total",
             "issue_date": "issue_date", "reference": "$key"},
    "lines": {"fields": {"description": "description", "amount": "amount"}},
}  # fmt: skip
SQL_URLS = {
    "sqlite": "sqlite:///bench.db",
    "postgresql": "postgresql://postgres@127.0.0.1:5432/test",
    "mariadb": "mariadb://root@127.0.0.1:3306/test",
}


def document(n: int) -> Document:
    values = {"invoice_number": f"B-{n}", "issue_date": "2026-01-10", "seller_name": f"Vendor {n % 7}",
              "currency": "EUR", "net_total": "100.00", "tax_total": "19.00", "grand_total": "119.00"}  # fmt: skip
    lines = [{"description": Field(f"item {i}"), "amount": Field("59.50")} for i in (1, 2)]
    return Document("invoice", "text-layer", {k: Field(v) for k, v in values.items()}, lines=lines, source=f"b{n}.pdf")


def one_run(target: Target, posts: int, subtract_waiting: bool) -> tuple[float, float]:
    """(posts per second, connector overhead in ms per post) for ``posts`` new invoices."""
    store = MemoryStore()
    work = [(store.enqueue(NewItem("bench", str(uuid.uuid4())))[0], document(next(SERIAL))) for _ in range(posts)]
    target.post(*work[0])  # connect, create tables, compile the mapping: not counted
    target.waited = 0.0
    start = time.perf_counter()
    for item, doc in work[1:]:
        target.post(item, doc)
    elapsed = time.perf_counter() - start
    count = posts - 1
    own = elapsed - target.waited if subtract_waiting else elapsed
    return count / elapsed, own / count * 1000


def measure(name: str, target: Target, runs: int, posts: int, *, subtract_waiting: bool = True) -> list[str]:
    """One table row: the medians (and spread) of ``runs`` runs."""
    try:
        results = [one_run(target, posts, subtract_waiting) for _ in range(runs)]
    finally:
        target.close()
    rates, overheads = [r for r, _ in results], [o for _, o in results]
    overhead = statistics.median(overheads)
    return [
        name, f"{statistics.median(rates):,.0f}", f"{min(rates):,.0f}", f"{max(rates):,.0f}",
        f"{overhead:.3f}", "yes" if overhead <= 1.0 else "NO",
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--posts", type=int, default=300, help="posts per run")
    parser.add_argument("--only", choices=["rest", *SQL_URLS], action="append", help="measure only these")
    args = parser.parse_args()
    wanted = set(args.only or ["rest", *SQL_URLS])
    table = Table(title=f"Targets, median of {args.runs} runs of {args.posts} posts (one invoice, two lines each)")
    for column in ("target", "posts/s", "min", "max", "own overhead ms/post", "<= 1 ms"):
        table.add_column(column, justify="left" if column == "target" else "right")
    with tempfile.TemporaryDirectory() as folder:
        workspace = Path(folder)
        context = Context(bot="bench", workspace=workspace, files=FileStore(workspace / "files"))
        if "rest" in wanted:
            with running_erp(workspace / "erp.db") as url:
                settings = RestSettings.model_validate({**REST, "base_url": url})
                table.add_row(*measure("rest -> demo ERP (uvicorn, loopback)", RestTarget(settings, context),
                                       args.runs, args.posts))  # fmt: skip
            answer = httpx.Response(201, json={"id": 1})
            mock = httpx.MockTransport(lambda request: answer)
            settings = RestSettings.model_validate({**REST, "base_url": "http://erp.invalid"})
            target = RestTarget(settings, context, transport=mock)  # nothing to wait on: all of it counts
            table.add_row(*measure("rest, httpx in-process (all client-side)", target, args.runs, args.posts,
                                   subtract_waiting=False))  # fmt: skip
        for name, url in SQL_URLS.items():
            if name in wanted:
                prefix = f"bench_{uuid.uuid4().hex[:6]}"
                settings = SqlSettings(kind="sql", url=url, table=f"{prefix}_invoices", lines_table=f"{prefix}_lines")
                table.add_row(*measure(f"sql -> {name}", SqlTarget(settings, context), args.runs, args.posts))
                _drop(SqlTarget(settings, context), prefix)
    Console(width=120).print(table)


def _drop(target: SqlTarget, prefix: str) -> None:
    conn = target._connection()
    cursor = conn.cursor()
    for table in (f"{prefix}_lines", f"{prefix}_invoices"):
        cursor.execute(f"DROP TABLE IF EXISTS {target.dialect.quote(table)}")
    conn.commit()
    target.close()


if __name__ == "__main__":
    main()
