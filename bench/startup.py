"""Start-up of ``backoffice extract``: wall-clock seconds of a whole command (a fresh Python
process reading one generated text-layer invoice and printing JSON), median of N runs, per
document kind; and the import time of ``backoffice.documents`` from ``python -X importtime``.

    .venv/bin/python bench/startup.py [--runs 15] [--compare /work/main]

``--compare`` times a second checkout too, its runs interleaved with this one's (before/after a
change, under the same load).

A kind's reader is imported when the kind is asked for (the registry of document kinds is a
table of dotted paths), so this is what a plugin registry must not slow down. Runs of the kinds
are interleaved so that a change of load on the machine touches every row alike; the load
average is printed at the start and the end.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/queue.py would shadow the standard library's queue (which multiprocessing needs).
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from backoffice.demo import invoices  # noqa: E402

KINDS = ("invoice", "auto")


def command(kind: str, path: Path) -> list[str]:
    return [sys.executable, "-m", "backoffice", "extract", "--kind", kind, str(path), "--json"]


def environment(root: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(root), "OMP_THREAD_LIMIT": "1"}


def once(argv: list[str], root: Path) -> tuple[float, float]:
    """Wall-clock and CPU (user + system) seconds of one command; CPU is less touched by load."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=environment(root), cwd=root)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def import_seconds(root: Path) -> float:
    """The cumulative import time of backoffice.documents, as ``-X importtime`` reports it."""
    found = subprocess.run([sys.executable, "-X", "importtime", "-c", "import backoffice.documents"],
                           capture_output=True, text=True, env=environment(root), cwd=root, check=True).stderr  # fmt: skip
    for line in found.splitlines():
        parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
        if len(parts) == 3 and parts[2] == "backoffice.documents":
            return int(parts[1]) / 1e6
    raise RuntimeError("backoffice.documents not in the -X importtime output")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--compare", type=Path, help="another checkout to time beside this one")
    args = parser.parse_args()
    roots = [ROOT, *([args.compare.resolve()] if args.compare else [])]
    print(f"load average at start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    rows = [(root, kind) for root in roots for kind in KINDS]
    times: dict[tuple[Path, str], list[tuple[float, float]]] = {row: [] for row in rows}
    imports: dict[Path, list[float]] = {root: [] for root in roots}
    with tempfile.TemporaryDirectory() as tmp:
        path = invoices.generate_golden(Path(tmp), seed=21, layouts=("classic-en",), line_counts=(3,))[0].path
        for root, kind in rows:  # warm the file cache and the bytecode
            once(command(kind, path), root)
        for _ in range(args.runs):
            for root, kind in rows:
                times[root, kind].append(once(command(kind, path), root))
            for root in roots:
                imports[root].append(import_seconds(root))
    print(f"{'checkout':<22} {'command':<46} {'median s':>9} {'min s':>7} {'CPU median s':>13} {'runs':>5}")
    for root in roots:
        for kind in KINDS:
            wall = [w for w, _ in times[root, kind]]
            cpu = statistics.median(c for _, c in times[root, kind])
            label = f"backoffice extract --kind {kind} FILE --json"
            print(
                f"{str(root):<22} {label:<46} {statistics.median(wall):>9.3f} {min(wall):>7.3f} {cpu:>13.3f} "
                f"{args.runs:>5}"
            )
        label = "import backoffice.documents (importtime)"
        found = imports[root]
        print(
            f"{str(root):<22} {label:<46} {statistics.median(found):>9.3f} {min(found):>7.3f} {'':>13} {args.runs:>5}"
        )
    print(f"load average at end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
