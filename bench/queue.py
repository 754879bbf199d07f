"""Work-queue throughput on SQLite (durable commits: WAL, synchronous=FULL).

    .venv/bin/python bench/queue.py [--runs 5] [--items 100000] [--claims 5000]

Prints items/s, the median of --runs runs, for: batched enqueue; claim + complete one at a
time in one process; and 4 processes claiming concurrently (checked for duplicate claims).
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/queue.py`, this file's folder comes first on sys.path and its name would
# shadow the standard library's `queue` (which multiprocessing imports). Drop that entry.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse  # noqa: E402
import multiprocessing  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from backoffice.queue.base import NewItem  # noqa: E402
from backoffice.queue.sqlite import SQLiteStore  # noqa: E402


def enqueue_batched(folder: Path, n: int) -> float:
    store = SQLiteStore(folder / "enqueue.db")
    items = [NewItem("bench", f"key-{i}", payload={"file": f"doc-{i}.pdf"}) for i in range(n)]
    start = time.perf_counter()
    for offset in range(0, n, 10_000):
        store.enqueue_many(items[offset : offset + 10_000])
    elapsed = time.perf_counter() - start
    assert sum(store.counts()["bench"].values()) == n
    store.close()
    return n / elapsed


def _fill(path: Path, n: int) -> None:
    store = SQLiteStore(path)
    store.enqueue_many(NewItem("bench", f"key-{i}") for i in range(n))
    store.close()


def claim_complete_single(folder: Path, n: int) -> float:
    path = folder / "single.db"
    _fill(path, n)
    store = SQLiteStore(path)
    start = time.perf_counter()
    done = 0
    while claimed := store.claim("bench-runner"):
        store.complete(claimed[0].id, "bench-runner")
        done += 1
    elapsed = time.perf_counter() - start
    assert done == n
    return n / elapsed


def _worker(path: str, name: str, start, results) -> None:
    store = SQLiteStore(path)
    mine = []
    start.wait()
    began = time.perf_counter()
    while claimed := store.claim(name):
        store.complete(claimed[0].id, name)
        mine.append(claimed[0].id)
    results.put((mine, began, time.perf_counter()))


def claim_complete_parallel(folder: Path, n: int, processes: int = 4) -> float:
    path = folder / "parallel.db"
    _fill(path, n)
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(processes), context.Queue()
    workers = [context.Process(target=_worker, args=(str(path), f"w{i}", start, results)) for i in range(processes)]
    for worker in workers:
        worker.start()
    outcomes = [results.get() for _ in workers]
    for worker in workers:
        worker.join()
    ids = [i for mine, _, _ in outcomes for i in mine]
    if len(ids) != len(set(ids)) or len(ids) != n:
        raise SystemExit(f"duplicate or missing claims: {len(ids)} claims, {len(set(ids))} distinct, {n} items")
    elapsed = max(end for _, _, end in outcomes) - min(began for _, began, _ in outcomes)
    return n / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--items", type=int, default=100_000, help="items for the batched enqueue")
    parser.add_argument("--claims", type=int, default=5_000, help="items claimed and completed")
    args = parser.parse_args()
    cases = [
        ("batched enqueue (10,000 per transaction)", lambda d: enqueue_batched(d, args.items), 100_000),
        ("claim + complete, 1 process, one at a time", lambda d: claim_complete_single(d, args.claims), 2_000),
        ("claim + complete, 4 processes, one at a time", lambda d: claim_complete_parallel(d, args.claims), None),
    ]
    table = Table(title=f"SQLite work queue, median of {args.runs} runs (items/s)")
    for column in ("case", "median", "min", "max", "goal"):
        table.add_column(column, justify="right" if column != "case" else "left")
    medians = {}
    for name, run, goal in cases:
        rates = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as folder:
                rates.append(run(Path(folder)))
        medians[name] = statistics.median(rates)
        if goal is None:
            goal = medians[cases[1][0]]
            goal_text = f">= {goal:,.0f} (1 process)"
        else:
            goal_text = f">= {goal:,}"
        table.add_row(name, f"{medians[name]:,.0f}", f"{min(rates):,.0f}", f"{max(rates):,.0f}", goal_text)
    Console().print(table)


if __name__ == "__main__":
    main()
