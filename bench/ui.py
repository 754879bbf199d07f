"""The supervisor UI with a large queue: server time of the exception list and the item page;
with --guessers, a signed-in user's page while clients guess passwords.

    .venv/bin/python bench/ui.py [--items 100000] [--requests 20] [--keep DIR] [--queue postgresql://…?schema=S]
    .venv/bin/python bench/ui.py --guessers 8 [--requests 20]

(--keep DIR keeps the queue it builds, and a later run with the same DIR reuses it. --queue puts the
queue on PostgreSQL instead of the demo's SQLite file: the demo's items are copied there first.)

Builds a queue of --items items from the demo's documents and verdicts (real payloads, about
13 KB each; 90 % done, 5 % in the exception queue, the rest pending, retrying or cancelled),
then asks the UI in-process for each page --requests times and prints the median and the
95th percentile of the server time (the app's ``Server-Timing`` header). Page images are
rendered once before timing (the goal excludes the first render). Goals: the filtered
exception list (50 rows) <= 150 ms, the item page <= 300 ms.

--guessers N serves a demo deployment with ``backoffice ui``'s app in a process of its own
(real argon2id costs), signs one user in, and takes the median wall time of --requests GETs of
the exception list while N clients post wrong passwords as fast as they can, and of 2 x --requests
GETs idle (half before, half after: the machine's other load drifts);
once with the sign-in throttle as shipped, once with it lifted (so every guess costs a password
hash: what the bounded hashing pool alone keeps from other users). Goal: loaded <= 2x idle.
"""

from __future__ import annotations

import argparse
import copy
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)  # never let bench/ shadow a module name

from backoffice.config import load_config  # noqa: E402
from backoffice.demo.run import run_demo  # noqa: E402
from backoffice.queue import NewItem, Status, open_store  # noqa: E402
from backoffice.web.app import create_app  # noqa: E402
from backoffice.web.context import Workspace  # noqa: E402

VENDORS = ["Becker & Söhne GmbH", "Harbour & Finch LLP", "Northwind Traders Inc.", "Atelier Dupont SARL",
           "Pennine Catering Supplies Ltd", "Blue Harbor Consulting Inc.", "Huber Maschinenbau KG"]  # fmt: skip
LIST_GOAL, ITEM_GOAL = 150.0, 300.0


def set_statuses(store, rows: list[tuple]) -> None:
    """``(status, reason, error_code, id)`` written straight into the table, on either backend."""
    from backoffice.queue.postgres import PostgresStore

    if isinstance(store, PostgresStore):
        with store.conn.transaction(), store.conn.cursor() as cursor:
            cursor.executemany("UPDATE items SET status = %s, reason = %s, error_code = %s WHERE id = %s", rows)
        settle(store)
        return
    with store.conn:
        store.conn.execute("BEGIN")
        store.conn.executemany("UPDATE items SET status = ?, reason = ?, error_code = ? WHERE id = ?", rows)


def settle(store) -> None:
    """On PostgreSQL, what autovacuum does a little later to a table that has just been filled."""
    from backoffice.queue.postgres import PostgresStore

    if isinstance(store, PostgresStore):
        store.conn.execute("VACUUM ANALYZE items")
        store.conn.execute("VACUUM ANALYZE journal")
        store.conn.execute("VACUUM ANALYZE item_texts")


def copy_samples(demo, store) -> list:
    """The demo's items, copied to ``store`` (PostgreSQL) in order, with their statuses."""
    samples = sorted(demo.list(limit=100), key=lambda i: i.id)
    store.enqueue_many(NewItem(i.bot, i.source_key, i.payload, files=i.files, parent_id=None, priority=i.priority,
                               deadline=i.deadline, max_attempts=i.max_attempts) for i in samples)  # fmt: skip
    copied = [store.find(i.bot, i.source_key) for i in samples]
    set_statuses(store, [(i.status.value, i.reason, i.error_code, c.id) for i, c in zip(samples, copied, strict=True)])
    return store.list(limit=100)


def build_queue(folder: Path, items: int, seed: int = 1, queue_url: str | None = None) -> tuple[Workspace, list[int]]:
    """A demo workspace whose queue is filled up to ``items`` items; returns the exception ids."""
    result = run_demo(ROOT / "bots.yaml", folder / "ws", count=24, seed=7)
    config = load_config(result.config)
    store = open_store(config.queue_url)
    if queue_url:
        demo, store = store, open_store(queue_url)
        copy_samples(demo, store)
        demo.close()
    samples = store.list(limit=100)
    exceptions = [i for i in samples if i.status.value == "exception"]
    rng = random.Random(seed)
    batch: list[NewItem] = []
    start_id = max(i.id for i in samples) + 1
    plan: list[tuple[int, str, int]] = []  # (id, status, sample exception index)
    for n in range(items - len(samples)):
        sample = rng.choice(samples)
        payload = copy.deepcopy(sample.payload)
        fields = payload.get("document", {}).get("fields", {})
        vendor = rng.choice(VENDORS)
        if "seller_name" in fields:
            fields["seller_name"]["value"] = vendor
        if "invoice_number" in fields:
            fields["invoice_number"]["value"] = f"INV-{n:07d}"
        payload["file"] = f"invoice-{n:07d}.pdf"
        batch.append(NewItem("invoices", f"bench:{n}", payload, files=sample.files))
        roll = rng.random()
        status = "done" if roll < 0.90 else "exception" if roll < 0.95 else "pending" if roll < 0.97 \
            else "retrying" if roll < 0.99 else "cancelled"  # fmt: skip
        plan.append((start_id + n, status, rng.randrange(len(exceptions))))
        if len(batch) == 10_000:
            store.enqueue_many(batch)
            batch = []
    store.enqueue_many(batch)
    set_statuses(store, [(s, exceptions[e].reason if s == "exception" else None,
                          exceptions[e].error_code if s == "exception" else None, i) for i, s, e in plan])  # fmt: skip
    ws = Workspace.open(config, store)
    ws.users.add("bench", "bench-password", "supervisor")
    ids = [i for i, s, _ in plan if s == "exception"]
    return ws, ids


def reuse_queue(folder: Path, queue_url: str | None = None) -> tuple[Workspace, list[int]]:
    """A queue an earlier ``--keep`` run built."""
    config = load_config(folder / "ws" / "bots.yaml")
    ws = Workspace.open(config, open_store(queue_url or config.queue_url))
    settle(ws.store)  # a migration may have just rewritten rows
    ws.users.add("bench", "bench-password", "supervisor")
    ids = sorted(i.id for i in ws.store.list(status=Status.EXCEPTION, limit=1_000_000) if i.id > 100)
    return ws, ids


def sign_in(client) -> None:
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    answer = client.post("/login", data={"name": "bench", "password": "bench-password", "csrf": token})
    assert answer.status_code == 200 and "Dashboard" in answer.text, answer.text[:300]


def measure(client, url: str, n: int) -> tuple[float, float, float]:
    """(median server ms, p95 server ms, median wall ms) of ``n`` GETs."""
    server, wall = [], []
    for _ in range(n):
        started = time.perf_counter()
        answer = client.get(url)
        wall.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 200, (url, answer.status_code, answer.text[:300])
        server.append(float(answer.headers["server-timing"].split("dur=")[1]))
    server.sort()
    return statistics.median(server), server[int(len(server) * 0.95) - 1], statistics.median(wall)


def serve(folder: Path, port: int, throttle: bool) -> None:
    """The UI of the demo in ``folder`` on loopback (run in a process of its own by --guessers)."""
    import logging

    import uvicorn

    from backoffice.web.context import Settings
    from backoffice.web.throttle import Limits

    logging.getLogger("backoffice").setLevel(logging.ERROR)  # not one line per guess
    config = load_config(folder / "bots.yaml")
    limits = Limits() if throttle else Limits(free=10**9, free_address=10**9)
    ws = Workspace.open(config, open_store(config.queue_url), Settings(secure_cookies=False, throttle=limits))
    uvicorn.run(create_app(ws), host="127.0.0.1", port=port, log_level="warning")


def _login(client, name: str, password: str):
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/login").text).group(1)
    return client.post("/login", data={"name": name, "password": password, "csrf": token})


def guess_bench(guessers: int, requests: int, console: Console) -> None:
    import os
    import socket
    import subprocess
    import threading
    from collections import Counter

    import httpx

    folder = Path(tempfile.mkdtemp(prefix="bench-guess-"))
    try:
        result = run_demo(ROOT / "bots.yaml", folder / "ws", count=24, seed=7, portal=False)
        config = load_config(result.config)
        ws = Workspace.open(config, open_store(config.queue_url))
        ws.users.add("bench", "bench-password", "supervisor")  # argon2id with its default costs
        ws.close()
        table = Table(title=f"exception list of a signed-in user while {guessers} clients guess passwords "
                            f"(median wall ms of {requests} requests)")  # fmt: skip
        for column in ("throttle", "idle ms", "guessing ms", "ratio", "guesses/s", "answers", "goal <= 2x"):
            table.add_column(column, justify="left" if column in ("throttle", "answers") else "right")
        for throttle in (True, False):
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
            env = {**os.environ, "PYTHONPATH": str(ROOT)}
            server = subprocess.Popen([sys.executable, __file__, "--serve", str(folder / "ws"), str(port),
                                       "--throttle" if throttle else "--no-throttle"], env=env)  # fmt: skip
            url = f"http://127.0.0.1:{port}"
            try:
                for _ in range(200):
                    try:
                        httpx.get(f"{url}/login", timeout=1)
                        break
                    except httpx.TransportError:
                        time.sleep(0.1)
                user = httpx.Client(base_url=url, timeout=30)
                assert _login(user, "bench", "bench-password").status_code == 303

                def sample_ms(user: httpx.Client = user) -> list[float]:
                    times = []
                    for _ in range(requests):
                        started = time.perf_counter()
                        assert user.get("/exceptions?status=all").status_code == 200
                        times.append((time.perf_counter() - started) * 1000)
                    return times

                sample_ms()  # warm up
                before = sample_ms()
                stop, answers = threading.Event(), Counter()

                def guess(n: int, url: str, stop: threading.Event, answers: Counter[int]) -> None:
                    with httpx.Client(base_url=url, timeout=60) as guesser:
                        while not stop.is_set():
                            answers[_login(guesser, "bench", f"guess-{n}-{random.random()}").status_code] += 1

                threads = [
                    threading.Thread(target=guess, args=(n, url, stop, answers), daemon=True) for n in range(guessers)
                ]
                started = time.perf_counter()
                for thread in threads:
                    thread.start()
                time.sleep(5)  # the guessers are at full speed (and the first lockout has begun)
                loaded = statistics.median(sample_ms())
                stop.set()
                for thread in threads:
                    thread.join()
                took = time.perf_counter() - started
                time.sleep(1)
                idle = statistics.median(before + sample_ms())  # idle before and after: less drift from others' load
                ratio = loaded / idle
                table.add_row("on (as shipped)" if throttle else "off", f"{idle:.1f}", f"{loaded:.1f}", f"{ratio:.2f}",
                              f"{sum(answers.values()) / took:.1f}",
                              ", ".join(f"{k}: {v}" for k, v in sorted(answers.items())),
                              "yes" if ratio <= 2 else "NO")  # fmt: skip
                user.close()
            finally:
                server.terminate()
                server.wait(timeout=30)
        console.print(table)
        console.print(f"load average: {os.getloadavg()[0]:.2f} (1 min), {os.cpu_count()} CPUs")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--keep", type=Path, help="Build the queue in this folder and keep it (or reuse it).")
    parser.add_argument("--queue", help="A PostgreSQL queue URL (postgresql://HOST/DB?schema=S) instead of SQLite.")
    parser.add_argument("--guessers", type=int, help="Measure a signed-in user's page while this many clients guess.")
    parser.add_argument("--serve", nargs=2, metavar=("FOLDER", "PORT"), help=argparse.SUPPRESS)
    parser.add_argument("--throttle", action=argparse.BooleanOptionalAction, default=True, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(Path(args.serve[0]), int(args.serve[1]), args.throttle)
        return
    if args.guessers:
        guess_bench(args.guessers, args.requests, Console())
        return
    with warnings.catch_warnings():  # starlette would like httpx2; httpx is what the project has
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    folder = args.keep or Path(tempfile.mkdtemp(prefix="bench-ui-"))
    console = Console()
    try:
        started = time.perf_counter()
        if (
            args.keep
            and (folder / "ws" / "queue.db").exists()
            and (not args.queue or open_store(args.queue).list(limit=1))
        ):
            ws, exceptions = reuse_queue(folder, args.queue)
            args.items = ws.store.list(limit=1)[0].id
        else:
            ws, exceptions = build_queue(folder, args.items, queue_url=args.queue)
        console.print(f"queue of {args.items} items ({len(exceptions)} exceptions) built in "
                      f"{time.perf_counter() - started:.0f} s")  # fmt: skip
        item = exceptions[len(exceptions) // 2]
        pages = {
            "exception list: status=exception (50 rows)": "/exceptions?status=exception",
            "exception list: + bot + reason code": "/exceptions?status=exception&bot=invoices&reason=rule:totals-add-up",
            "exception list: + vendor": "/exceptions?status=exception&vendor=becker",
            "exception list: + search (q)": "/exceptions?status=exception&q=INV-00123",
            "exception list: + search, two letters": "/exceptions?status=exception&q=ab",
            "exception list: any status, search": "/exceptions?status=all&q=inv-00123",
            "exception list: page 20, sorted by deadline": "/exceptions?status=exception&sort=deadline&page=20",
            "exception list: any status, vendor": "/exceptions?status=all&vendor=harbour",
            "exception list: view mine": "/exceptions?status=exception&assignee=bench",
            "exception list: view unassigned": "/exceptions?status=exception&assignee=%28nobody%29",
            "exception list: waiting for my approval": "/exceptions?status=exception&approver=bench",
            "exception list: any status, vendor, unassigned": "/exceptions?status=all&vendor=harbour&assignee=%28nobody%29",
            **{
                f"exception list: sorted by {sort}": f"/exceptions?status=exception&sort={sort}"
                for sort in ("amount", "document-date", "number", "attempts", "assignee")
            },
            f"item page in its list (#{item}, previous/next)": f"/items/{item}?list=status%3Dexception%26sort%3Doldest",
            f"item page (#{item})": f"/items/{item}",
            f"item page as JSON (#{item})": f"/items/{item}?format=json",
            "dashboard": "/",
        }
        backend = "PostgreSQL" if args.queue else "SQLite"
        table = Table(
            title=f"supervisor UI on {backend}, {args.items} items, median of {args.requests} requests (server time)"
        )
        for column in ("page", "median ms", "p95 ms", "wall median ms", "goal ms", "met"):
            table.add_column(column, justify="left" if column == "page" else "right")
        with TestClient(create_app(ws), base_url="https://localhost") as client:
            sign_in(client)
            client.get(f"/items/{item}/pages/1.png")  # the first render is excluded
            for name, url in pages.items():
                client.get(url)  # warm the page cache of SQLite once
                median, p95, wall = measure(client, url, args.requests)
                goal = (
                    LIST_GOAL if name.startswith("exception list") else ITEM_GOAL if name.startswith("item") else None
                )
                met = "" if goal is None else "yes" if median <= goal else "NO"
                table.add_row(name, f"{median:.1f}", f"{p95:.1f}", f"{wall:.1f}", f"{goal:.0f}" if goal else "", met)
        console.print(table)
        console.print(
            f"load average: {', '.join(f'{n:.2f}' for n in os.getloadavg())} (1, 5, 15 min), {os.cpu_count()} CPUs"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
