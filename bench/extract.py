"""Extraction speed: ms per page (median of 5 runs) for text-layer invoices, scans (image-only
PDFs at 200 and 300 dpi, tilted 0.5-2°, noisy, JPEG 75) and phone-like photos (JPEG, perspective,
shadow), and a 200-page PDF; invoice2data (pdfplumber reader) on the same text-layer PDFs in the
same run; peak memory on the 200-page PDF; and the speed-up when many documents wait (a mixed
batch, and scans alone) and both cores read them. One document is read by one core: tesseract
runs single-threaded (OMP_THREAD_LIMIT=1).

    .venv/bin/python bench/extract.py [--runs 5] [--skip-invoice2data] [--scans-only]

``--scans-only`` times the scanned sets and the scans read in parallel alone. Rows are printed as
they are measured, with the load average at the start and the end (other work on the machine
makes wall-clock times longer; the CPU column much less so).

invoice2data is installed by this script into a throwaway virtualenv under /tmp (never a
dependency of backoffice) and timed there by a small runner that imports it once.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/queue.py would shadow the standard library's queue (which multiprocessing needs).
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

import pypdfium2 as pdfium  # noqa: E402

from backoffice.demo import invoices, scans  # noqa: E402
from backoffice.documents import extract, extract_all  # noqa: E402
from backoffice.documents.pool import extract_many  # noqa: E402

VENV = Path(tempfile.gettempdir()) / "backoffice-bench-invoice2data"
GOALS = {"text-layer": 25.0, "scan-200dpi": 1500.0, "scan-300dpi": 1500.0, "photo": 1500.0}
SCAN_SETS = {"scan-200dpi": ("scan", 200, ".pdf"), "scan-300dpi": ("scan", 300, ".pdf"), "photo": ("photo", 200, ".jpg")}
RUNNER = textwrap.dedent("""
    import json, statistics, sys, time, logging
    logging.disable(logging.CRITICAL)
    from invoice2data import extract_data
    from invoice2data.extract.loader import read_templates
    from invoice2data.input import pdfplumber as reader
    import invoice2data.input as inputs
    # invoice2data keeps the text of a file it has read (by path and mtime): clear it per run,
    # so that every run reads the PDF, as a new document would be.
    clear = getattr(getattr(inputs, "_cached_to_text", None), "cache_clear", lambda: None)
    templates = read_templates()
    runs = int(sys.argv[1])
    result = {}
    for path in sys.argv[2:]:
        times = []
        for _ in range(runs):
            clear()
            started = time.perf_counter()
            try:
                extract_data(path, templates=templates, input_module=reader)
            except Exception:
                pass
            times.append((time.perf_counter() - started) * 1000)
        result[path] = statistics.median(times)
    print(json.dumps(result))
""")


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


CPU_MS: dict[str, float] = {}  # function's name -> median CPU ms of its last timing (tesseract included)


def median_ms(function, runs: int, label: str = "") -> float:
    """Median wall-clock ms of ``runs`` calls; the median CPU ms (this process and its
    children, such as tesseract) goes to CPU_MS[label], since other work shares the machine."""
    times, cpu = [], []
    for _ in range(runs):
        started, cpu_started = time.perf_counter(), _cpu()
        function()
        times.append((time.perf_counter() - started) * 1000)
        cpu.append((_cpu() - cpu_started) * 1000)
    CPU_MS[label] = statistics.median(cpu)
    return statistics.median(times)


def pages_of(path: Path) -> int:
    if path.suffix != ".pdf":
        return 1
    document = pdfium.PdfDocument(path)
    try:
        return len(document)
    finally:
        document.close()


def make_inputs(folder: Path) -> dict[str, list[Path]]:
    text = [g.path for g in invoices.generate_golden(folder / "text", seed=31, line_counts=(3, 12))]
    sources = invoices.generate_golden(folder / "scan-src", seed=32, layouts=("classic-en", "rechnung-de", "facture-fr"),
                                       line_counts=(5,))
    made: dict[str, list[Path]] = {}
    for name, (style, dpi, suffix) in SCAN_SETS.items():
        (folder / name).mkdir()
        made[name] = [scans.scan(g.path, folder / name / f"{g.path.stem}{suffix}", seed=n, dpi=dpi, style=style)
                      for n, g in enumerate(sources)]
    scanned = made["scan-200dpi"]
    batch = invoices.generate(folder / "batch", count=200, seed=33)
    merged = pdfium.PdfDocument.new()
    for generated in batch:
        source = pdfium.PdfDocument(generated.path)
        merged.import_pages(source)
        source.close()
    big = folder / "batch-200-pages.pdf"
    merged.save(big)
    merged.close()
    return {"text-layer": text, **made, "200-page": [big], "batch": [g.path for g in batch[:40]] + scanned * 2,
            "scan-batch": [p for paths in made.values() for p in paths] * 2}


def ensure_invoice2data() -> Path | None:
    python = VENV / "bin" / "python"
    if not python.exists():
        logging.info("installing invoice2data into %s", VENV)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "invoice2data", "pdfplumber"], check=True,
                       stdout=subprocess.DEVNULL)
    return python


def invoice2data_ms(paths: list[Path], runs: int) -> dict[str, float]:
    python = ensure_invoice2data()
    runner = VENV / "runner.py"
    runner.write_text(RUNNER, encoding="utf-8")
    done = subprocess.run([str(python), str(runner), str(runs), *map(str, paths)], check=True, capture_output=True,
                          text=True)
    return {Path(k).name: v for k, v in json.loads(done.stdout.strip().splitlines()[-1]).items()}


def peak_memory_mb(path: Path) -> float:
    """The largest resident size of a fresh process that reads every invoice of ``path``."""
    # The process reports its own peak (VmHWM, kept per address space): ru_maxrss would also count
    # the bench's own size, which a child inherits through fork and keeps across exec, and
    # RUSAGE_CHILDREN the largest of every child so far (a tesseract of the scan sets).
    code = ("import sys; sys.path.insert(0, %r); from backoffice.documents import extract_all; "
            "from bench.measure import rss_kb; "
            "docs = extract_all(%r, kind='invoice'); print(rss_kb(field='VmHWM'))") % (str(ROOT), str(path))
    done = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return int(done.stdout.split()[-1]) / 1024


def _descendants() -> dict[int, float]:
    """CPU seconds so far of every process below this one (pid -> user + system), from /proc."""
    parents, cpu = {}, {}
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        parents[int(entry.name)] = int(fields[1])
        cpu[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    below, me = {}, os.getpid()
    for pid in cpu:
        parent, seen = parents.get(pid), 0
        while parent and parent != me and seen < 50:
            parent, seen = parents.get(parent), seen + 1
        if parent == me:
            below[pid] = cpu[pid]
    return below


class _Sampler(threading.Thread):
    """Samples the CPU time of this process's descendants every tenth of a second: the workers of
    extract_many are started by a fork server, so they never count in RUSAGE_CHILDREN."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.before, self.last, self.stopped = _descendants(), {}, threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.1):
            self.last.update(_descendants())

    def cpu(self) -> float:
        self.stopped.set()
        self.join()
        return sum(max(0.0, seconds - self.before.get(pid, 0.0)) for pid, seconds in self.last.items())


def parallel(paths: list[Path]) -> list[tuple[int, float, float, str]]:
    """(workers, wall seconds, cores busy, what failed) reading ``paths`` with one and two workers;
    cores busy: the CPU time of the workers (and their fork server) over the wall time."""
    rows = []
    for workers in (1, 2):
        sampler = _Sampler()
        sampler.start()
        started = time.perf_counter()
        outcomes = extract_many(paths, kind="invoice", workers=workers)
        wall = time.perf_counter() - started
        cpu = sampler.cpu()
        failed = [o.error.reason for o in outcomes if o.error]
        rows.append((workers, wall, cpu / wall, f"; FAILED {len(failed)}: {failed[0]}" if failed else ""))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-invoice2data", action="store_true")
    parser.add_argument("--scans-only", action="store_true", help="only the scanned sets and many scans waiting")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(message)s")
    out = _Printed()
    out.append(f"load average at the start: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    with tempfile.TemporaryDirectory(prefix="bench-extract-") as tmp:
        inputs = make_inputs(Path(tmp))
        ours: dict[str, float] = {}
        out.append(f"{'set':12} {'files':>5} {'pages':>5} {'ms/page (median of ' + str(args.runs) + ')':>26} {'goal':>10} "
                   f"{'CPU ms/page':>12}")
        for name in SCAN_SETS if args.scans_only else ("text-layer", *SCAN_SETS, "200-page"):
            per_page, cpu_per_page = [], []
            for path in inputs[name]:
                reader = (lambda p=path: extract_all(p, kind="invoice")) if name == "200-page" else (
                    lambda p=path: extract(p, kind="invoice"))
                ms = median_ms(reader, args.runs, path.name)
                ours[path.name] = ms
                per_page.append(ms / pages_of(path))
                cpu_per_page.append(CPU_MS[path.name] / pages_of(path))
            value = statistics.median(per_page)
            goal = GOALS.get(name)
            verdict = "" if goal is None else f"≤{goal:.0f} {'ok' if value <= goal else 'MISSED'}"
            out.append(f"{name:12} {len(inputs[name]):5d} {sum(pages_of(p) for p in inputs[name]):5d} {value:26.1f} {verdict:>10} "
                       f"{statistics.median(cpu_per_page):12.1f}")
        if not args.scans_only:
            memory = peak_memory_mb(inputs["200-page"][0])
            out.append(f"\npeak memory reading the 200-page PDF (all 200 invoices): {memory:.0f} MB "
                       f"(goal ≤ 400: {'ok' if memory <= 400 else 'MISSED'})")
        if not args.skip_invoice2data and not args.scans_only:
            theirs = invoice2data_ms(inputs["text-layer"], args.runs)
            ratios = [theirs[p.name] / ours[p.name] for p in inputs["text-layer"] if p.name in theirs]
            out.append(f"\ninvoice2data 1.x (pdfplumber reader, bundled templates), same {len(ratios)} text-layer PDFs:")
            out.append(f"  median ms/document: invoice2data {statistics.median(theirs.values()):.1f}, "
                       f"backoffice {statistics.median(ours[p.name] for p in inputs['text-layer']):.1f}")
            out.append(f"  speed-up per document: median {statistics.median(ratios):.1f}x, "
                       f"worst {min(ratios):.1f}x (goal ≥ 4x: {'ok' if min(ratios) >= 4 else 'MISSED'})")
        if not args.scans_only:
            out.append(f"\nmany documents waiting ({len(inputs['batch'])} invoices, 6 of them scans; extract_many):")
            for workers, wall, busy, failed in parallel(inputs["batch"]):
                out.append(f"  {workers} worker(s): {wall:.2f} s wall, {busy:.2f} cores busy{failed}")
        out.append(f"\nmany scans waiting ({len(inputs['scan-batch'])} scans and photos; extract_many):")
        for workers, wall, busy, failed in parallel(inputs["scan-batch"]):
            out.append(f"  {workers} worker(s): {wall:.2f} s wall, {wall / len(inputs['scan-batch']):.2f} s a page, "
                       f"{busy:.2f} cores busy{failed}")
    out.append(f"\nmachine: {os.cpu_count()} cores; load average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


class _Printed(list):
    """Lines printed as soon as they are added, so a long run shows its rows as it goes."""

    def append(self, line: str) -> None:
        super().append(line)
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
