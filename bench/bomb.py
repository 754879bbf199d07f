"""A Factur-X memory bomb in a folder of invoices: a 1.5 MB PDF whose embedded factur-x.xml
inflates to 1.5 GB, beside N ordinary invoices, read by one `backoffice run --once`.

    .venv/bin/python bench/bomb.py [--invoices 10] [--inflated-mb 1536] [--workers 0] [--runs 3]

Prints the peak memory of the runner's process tree (sampled every 20 ms; forked workers'
shared pages counted in each, so an upper bound), what became of each item and the bomb's
reason. The goal: peak <= 500 MB and every other item done.
"""

from __future__ import annotations

import sys
from pathlib import Path

# Run as `python bench/bomb.py`, this folder would shadow the standard library's `queue`.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402

from bench.measure import rss_kb, tree  # noqa: E402
from backoffice.demo.invoices import generate  # noqa: E402
from backoffice.queue.sqlite import SQLiteStore  # noqa: E402
from tests.hostile_pdfs import pdf_with_embedded, zeros  # noqa: E402


def once(root: Path, bomb: Path, invoices: int, workers: int) -> dict:
    inbox = root / "work" / "inbox"
    inbox.mkdir(parents=True)
    generate(inbox, count=invoices, seed=3)
    (inbox / "factur-x-bomb.pdf").write_bytes(bomb.read_bytes())
    config = {"workspace": "work", "runner": {"workers": workers},
              "bots": [{"name": "invoices", "source": {"kind": "folder", "path": "inbox", "settle_seconds": 0},
                        "targets": [{"kind": "files", "path": "out/invoices.jsonl"}]}]}  # fmt: skip
    (root / "bots.yaml").write_text(json.dumps(config))
    started = time.monotonic()
    # `run --once` reads in the runner; the worker processes serve `run`, stopped once all is handled.
    command = ["run", "--once"] if workers < 2 else ["run"]
    runner = subprocess.Popen([sys.executable, "-m", "backoffice", "-c", str(root / "bots.yaml"), *command],
                              env={**os.environ}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    peak, stopping = 0, False
    while runner.poll() is None:
        peak = max(peak, sum(rss_kb(p) for p in tree(runner.pid)))
        time.sleep(0.02)
        if workers >= 2 and not stopping and _handled(root) == invoices + 1:
            runner.send_signal(signal.SIGTERM)
            stopping = True
    seconds = time.monotonic() - started
    store = SQLiteStore(root / "work" / "queue.db")
    items = store.list(limit=1000)
    store.close()
    bomb_item = next(i for i in items if (i.payload.get("file") or "") == "factur-x-bomb.pdf")
    others = [i.status.value for i in items if i.id != bomb_item.id]
    return {"peak_mb": peak / 1024, "seconds": seconds, "exit": runner.returncode, "bomb": bomb_item.status.value,
            "reason": bomb_item.reason, "others_done": others.count("done"), "others": len(others)}  # fmt: skip


def _handled(root: Path) -> int:
    """Items done or in the exception queue (0 before the runner made the queue)."""
    if not (root / "work" / "queue.db").exists():
        return 0
    store = SQLiteStore(root / "work" / "queue.db")
    try:
        counts = store.counts().get("invoices", {})
    finally:
        store.close()
    return counts.get("done", 0) + counts.get("exception", 0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--invoices", type=int, default=10)
    parser.add_argument("--inflated-mb", type=int, default=1536)
    parser.add_argument("--workers", type=int, default=0)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        bomb = pdf_with_embedded(Path(folder) / "bomb.pdf", zeros(options.inflated_mb * 1024 * 1024))
        print(
            f"bomb: {bomb.stat().st_size / 1e6:.2f} MB on disk, {options.inflated_mb} MB inflated; "
            f"load average {os.getloadavg()[0]:.2f}"
        )
        results = []
        for run in range(options.runs):
            root = Path(folder) / f"run-{run}"
            results.append(once(root, bomb, options.invoices, options.workers))
            print(results[-1])
    print("| workers | runs | peak MB (median) | peak MB (max) | other items done | bomb | seconds (median) |")
    print(
        f"| {options.workers} | {len(results)} | {statistics.median(r['peak_mb'] for r in results):.0f} | "
        f"{max(r['peak_mb'] for r in results):.0f} | "
        f"{min(r['others_done'] for r in results)}/{results[0]['others']} | {results[0]['bomb']} | "
        f"{statistics.median(r['seconds'] for r in results):.1f} |"
    )


if __name__ == "__main__":
    main()
