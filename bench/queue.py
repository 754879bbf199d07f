"""Work-queue throughput: SQLite (WAL; durable enqueue, claim and complete with
synchronous=NORMAL) and PostgreSQL beside the floor (a bare SKIP LOCKED loop), with
procrastinate on the same PostgreSQL for comparison.

    .venv/bin/python bench/queue.py [--runs 5] [--items 100000] [--claims 5000]
                                    [--backends sqlite,postgres,procrastinate] [--pg-items 5000]
                                    [--paired-only]

Prints items/s, the median of --runs runs (min-max). SQLite: batched enqueue; claim + complete
one at a time in one process; 4 processes claiming concurrently (checked for duplicate claims).
PostgreSQL (a scratch database on 127.0.0.1:5432, dropped at the end): one worker process
claiming + completing one at a time, the same with durable claims (synchronous_commit on for
claim and complete too, as procrastinate commits), and in batches of 100 (claim(limit=100) +
complete_many); each run measures ours and the bare loop (one table, one partial index, two
UPDATEs per item; see _BARE_SCHEMA) back to back with the same settings, and the ratio is taken
within the run, which holds up when other processes load the machine. Then (unless
--paired-only) ours alone with 2 and 4 workers. Every run is checked for duplicate or missing
claims. procrastinate is installed into a throwaway virtualenv under /tmp (never a dependency of
backoffice) and runs its own fetch_job + finish_job with 1, 2 and 4 worker processes.
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


# -- PostgreSQL and procrastinate ---------------------------------------------------------------
ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
VENV = Path(tempfile.gettempdir()) / "backoffice-bench-procrastinate"


def _scratch_database() -> str:
    import uuid

    import psycopg

    name = f"backoffice_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    return name


def _drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _pg_worker(url: str, schema: str, name: str, batch: int, durable: bool, start, results) -> None:
    from backoffice.queue.postgres import PostgresStore

    store = PostgresStore(url, schema=schema, migrate=False, durable_claims=durable)
    mine: list[int] = []
    start.wait()
    began = time.perf_counter()
    if batch == 1:
        while claimed := store.claim(name):
            store.complete(claimed[0].id, name)
            mine.append(claimed[0].id)
    else:
        while claimed := store.claim(name, limit=batch):
            done = store.complete_many([i.id for i in claimed], name)
            mine.extend(getattr(i, "id", i) for i in done)  # ids; WorkItems before issue 19 (to bench main too)
    results.put((mine, began, time.perf_counter()))
    store.close()


# The floor: the least a SKIP LOCKED queue does per item. One table (id, status, payload), one
# partial index on the claimable rows; a claim is one UPDATE ... WHERE id = (SELECT ... FOR
# UPDATE SKIP LOCKED) RETURNING id, payload, a completion one UPDATE by id; autocommit, no
# journal, no lease, no attempts. Same server, same payloads, same synchronous_commit as ours.
_BARE_SCHEMA = (
    "CREATE TABLE bare_jobs (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
    " status TEXT NOT NULL DEFAULT 'pending', payload JSONB NOT NULL DEFAULT '{}');"
    " CREATE INDEX bare_jobs_pending ON bare_jobs (id) WHERE status = 'pending'"
)
_BARE_CLAIM = (
    "UPDATE bare_jobs SET status = 'processing' WHERE id IN (SELECT id FROM bare_jobs WHERE status = 'pending'"
    " ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED) RETURNING id, payload"
)
_BARE_COMPLETE = "UPDATE bare_jobs SET status = 'done' WHERE id = ANY(%s)"


def _bare_worker(url: str, schema: str, name: str, batch: int, durable: bool, start, results) -> None:
    from backoffice.queue.postgres import connect

    conn = connect(url, schema)
    conn.execute(f"SET synchronous_commit TO {'on' if durable else 'off'}")
    mine: list[int] = []
    start.wait()
    began = time.perf_counter()
    while claimed := conn.execute(_BARE_CLAIM, (batch,)).fetchall():
        ids = [row[0] for row in claimed]
        conn.execute(_BARE_COMPLETE, (ids,))
        mine.extend(ids)
    results.put((mine, began, time.perf_counter()))
    conn.close()


def postgres_claims(
    database: str, n: int, workers: int, batch: int, durable: bool = False, bare: bool = False
) -> float:
    """Items/s claimed and completed by ``workers`` processes, ours or (``bare``) the floor's."""
    import uuid

    import psycopg
    from psycopg.types.json import Jsonb

    from backoffice.queue.postgres import PostgresStore, connect

    url = f"postgresql://postgres@127.0.0.1:5432/{database}"
    schema = f"q_{uuid.uuid4().hex[:8]}"
    if bare:
        with connect(url, schema) as conn:
            conn.execute(_BARE_SCHEMA)
            for offset in range(0, n, 10_000):
                with conn.cursor().copy("COPY bare_jobs (payload) FROM STDIN") as copy:
                    for i in range(offset, min(n, offset + 10_000)):
                        copy.write_row((Jsonb({"file": f"doc-{i}.pdf"}),))
    else:
        store = PostgresStore(url, schema=schema)
        for offset in range(0, n, 10_000):
            store.enqueue_many(NewItem("bench", f"key-{i}", payload={"file": f"doc-{i}.pdf"})
                               for i in range(offset, min(n, offset + 10_000)))  # fmt: skip
        store.close()
    context = multiprocessing.get_context("spawn")
    start, results = context.Barrier(workers), context.Queue()
    target = _bare_worker if bare else _pg_worker
    procs = [context.Process(target=target, args=(url, schema, f"w{i}", batch, durable, start, results))
             for i in range(workers)]  # fmt: skip
    for proc in procs:
        proc.start()
    outcomes = [results.get() for _ in procs]
    for proc in procs:
        proc.join()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
    ids = [i for mine, _, _ in outcomes for i in mine]
    if len(ids) != len(set(ids)) or len(ids) != n:
        raise SystemExit(f"duplicate or missing claims: {len(ids)} claims, {len(set(ids))} distinct, {n} items")
    return n / (max(e for _, _, e in outcomes) - min(b for _, b, _ in outcomes))


def procrastinate_python() -> Path:
    """A throwaway virtualenv with procrastinate, made on first use."""
    python = VENV / "bin" / "python"
    if not python.exists():
        import subprocess

        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "procrastinate>=3,<4", "psycopg[binary]>=3.1"],
                       check=True)  # fmt: skip
    return python


def procrastinate_claims(n: int, workers: int) -> float:
    import json
    import subprocess

    database = _scratch_database()  # procrastinate keeps its tables in public: a database of its own
    try:
        script = Path(__file__).resolve().parent / "queue_procrastinate.py"
        dsn = f"postgresql://postgres@127.0.0.1:5432/{database}"
        done = subprocess.run([str(procrastinate_python()), str(script), dsn, str(n), str(workers)],
                              check=True, capture_output=True, text=True, cwd=tempfile.gettempdir())  # fmt: skip
        result = json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        _drop_database(database)
    if result["done"] != n or result["distinct"] != n:
        raise SystemExit(f"procrastinate: {result}")
    return result["rate"]


def postgres_main(args) -> None:
    """Ours beside the bare loop: each run measures both, back to back on the same server (the
    order alternating), and the ratio is taken within the run, so load from other processes on
    the machine moves both sides together."""
    backends = set(args.backends.split(","))
    database = _scratch_database()
    # (case, items, workers, batch, durable, goal for ours, goal for ours / bare)
    paired = [
        ("1 worker, one at a time", args.pg_items, 1, 1, False, ">= 1,000", ">= 0.50"),
        ("1 worker, one at a time, durable claims", max(args.pg_items // 5, 100), 1, 1, True, "", ">= 0.50"),
        ("1 worker, batches of 100", args.pg_items * 10, 1, 100, False, ">= 10,000", ""),
    ]
    alone = [("2 workers, one at a time", args.pg_items, 2, 1), ("4 workers, one at a time", args.pg_items, 4, 1),
             ("2 workers, batches of 100", args.pg_items * 10, 2, 100),
             ("4 workers, batches of 100", args.pg_items * 10, 4, 100)]  # fmt: skip
    table = Table(title=f"PostgreSQL work queue: backoffice beside a bare SKIP LOCKED loop, claim + complete, "
                        f"items/s, median of {args.runs} runs (min-max)")  # fmt: skip
    for column in ("case", "backoffice", "bare loop", "backoffice / bare (same run)", "goal"):
        table.add_column(column, justify="right" if column != "case" else "left")
    medians: dict[str, float] = {}
    try:
        if "postgres" in backends:
            for name, n, workers, batch, durable, goal, ratio_goal in paired:
                ours, bare, ratios = [], [], []
                for run in range(args.runs):
                    case = (database, n, workers, batch, durable)
                    if run % 2:
                        b, o = postgres_claims(*case, bare=True), postgres_claims(*case)
                    else:
                        o, b = postgres_claims(*case), postgres_claims(*case, bare=True)
                    ours.append(o)
                    bare.append(b)
                    ratios.append(o / b)
                medians[name] = statistics.median(ours)
                goals = "; ".join(g for g in (goal, ratio_goal and f"ratio {ratio_goal}") if g)
                table.add_row(name, _spread(ours), _spread(bare), _spread(ratios, "{:.2f}"), goals)
            if not args.paired_only:
                for name, n, workers, batch in alone:
                    ours = [postgres_claims(database, n, workers, batch) for _ in range(args.runs)]
                    table.add_row(name, _spread(ours), "", "", "")
        if "procrastinate" in backends:
            for workers in (1, 2, 4):
                rates = [procrastinate_claims(args.pg_items, workers) for _ in range(args.runs)]
                medians[f"procrastinate {workers}"] = statistics.median(rates)
                table.add_row(f"procrastinate, {workers} worker(s), one at a time", _spread(rates), "", "", "")
    finally:
        _drop_database(database)
    Console(width=150).print(table)  # wide enough for its columns when piped
    ours_one, theirs = medians.get("1 worker, one at a time"), medians.get("procrastinate 1")
    if ours_one and theirs:
        Console().print(f"one worker, one at a time: backoffice / procrastinate = {ours_one / theirs:.2f}x")


def _spread(values: list[float], form: str = "{:,.0f}") -> str:
    return f"{form.format(statistics.median(values))} ({form.format(min(values))}-{form.format(max(values))})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--items", type=int, default=100_000, help="items for the batched enqueue")
    parser.add_argument("--claims", type=int, default=5_000, help="items claimed and completed")
    parser.add_argument(
        "--backends", default="sqlite,postgres,procrastinate", help="comma-separated: sqlite, postgres, procrastinate"
    )
    parser.add_argument(
        "--pg-items",
        type=int,
        default=5_000,
        help="items per PostgreSQL/procrastinate one-at-a-time run (x10 for batches)",
    )
    parser.add_argument(
        "--paired-only",
        action="store_true",
        help="PostgreSQL: only the cases measured beside the bare loop (not 2 and 4 workers)",
    )
    args = parser.parse_args()
    if "sqlite" in args.backends.split(","):
        sqlite_main(args)
    if {"postgres", "procrastinate"} & set(args.backends.split(",")):
        postgres_main(args)


def sqlite_main(args) -> None:
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
