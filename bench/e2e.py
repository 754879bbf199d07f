"""End to end: generated invoice PDFs through a folder inbox, extraction, the sample rules and
the SQL target (SQLite ledger), on this machine's cores.

    .venv/bin/python bench/e2e.py [--documents 1000] [--workers 0,2] [--runs 3]
    .venv/bin/python bench/e2e.py --python [--documents 300] [--workers 0] [--runs 5]

For each worker count (0: every item handled in the runner itself; N: N worker processes that
read and handle the items, see backoffice.bots.workers) a fresh workspace gets the same
--documents PDFs (generated once by backoffice.demo.invoices.generate, not timed); then one
runner collects the inbox and runs its loop (Runner.loop, the one `backoffice run` runs) until
every item is handled, the sample rules' duplicate check included (keys looked up in the
queue's index). Prints documents/s (collect to last item), the CPU time spent per document by
the runner's process and its workers together (steadier than documents/s on a shared machine)
and by the runner's process alone (with workers: what it spends handing them the items),
and the peak memory of the runner and its workers together, sampled from /proc: their
proportional set sizes summed (a page the fork server's children share counted once: what the
family holds; the goal is on this; every 0.5 s) and, in brackets, their resident set sizes summed
(each shared page counted in every process: an upper bound; every 50 ms). Each configuration runs --runs
times, the configurations taking turns; the table shows the median (and the range) and, for
worker processes, how many times the rate in the runner alone that is.

``--python`` compares a declarative bot with a Python bot (bench/e2e_bot.py) doing the same work,
extraction and the SQL target without rules, in turns, and prints the Python path's overhead.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import statistics
import sys
import tempfile
import textwrap
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/queue.py would shadow the standard library's queue (which multiprocessing needs).
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from bench.measure import PeakMemory, tree  # noqa: E402


def rules_without_duplicates(folder: Path) -> Path:
    """A copy of the sample rules without the ``duplicates:`` check (which reads the queue's
    history for every item), to show the rest of the pipeline on its own."""
    import yaml

    shutil.copytree(ROOT / "rules", folder / "rules")
    path = folder / "rules" / "invoice.yaml"
    data = yaml.safe_load(path.read_text())
    data.pop("duplicates", None)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _cpu_ticks(pid: int) -> int:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])  # utime, stime (in clock ticks)


class CpuTime(threading.Thread):
    """CPU time of this process and its descendants (the fork server's workers are not its
    children: their time is read from /proc every 50 ms while they live)."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.before = {pid: _cpu_ticks(pid) for pid in tree(os.getpid())}
        self.last = dict(self.before)
        self._done = threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.05):
            self._sample()

    def _sample(self) -> None:
        for pid in tree(os.getpid()):
            self.last[pid] = max(self.last.get(pid, 0), _cpu_ticks(pid))

    def stop(self) -> tuple[float, float]:
        """Stop sampling (after a last sample); the CPU seconds used since the start, by every
        process and by this one (the runner's) alone."""
        self._sample()
        self._done.set()
        self.join()
        ticks = {pid: last - self.before.get(pid, 0) for pid, last in self.last.items()}
        second = os.sysconf("SC_CLK_TCK")
        return sum(ticks.values()) / second, ticks.get(os.getpid(), 0) / second


# The same work, declared and as a Python bot (bench/e2e_bot.py): extract, then post to the SQL target.
PIPELINE = "extractor: invoice"
PYTHON = "kind: python\n                handler: bench.e2e_bot:post_invoice"


def run_once(template: Path, workers: int, count: int, rules: Path | None = ROOT / "rules" / "invoice.yaml",
             bot: str = PIPELINE) -> tuple[float, float, float, dict, float]:
    from backoffice.bots import Runner, RunSummary
    from backoffice.config import load_config
    from backoffice.queue.sqlite import SQLiteStore

    with tempfile.TemporaryDirectory(prefix="backoffice-e2e-") as folder:
        base = Path(folder)
        shutil.copytree(template, base / "work" / "inbox")
        (base / "bots.yaml").write_text(textwrap.dedent(f"""
            workspace: work
            bots:
              - name: invoices
                source: {{kind: folder, path: inbox, create: true, settle_seconds: 0}}
                {bot}
                {f"rules: {rules}" if rules else ""}
                targets:
                  - {{kind: sql, name: ledger, url: "sqlite:///out/ledger.db", table: invoices,
                      key: [seller_name, invoice_number]}}
        """))  # fmt: skip
        config = load_config(base / "bots.yaml")
        store = SQLiteStore(config.workspace_path / "queue.db")
        runner = Runner(config, store, owner="bench", workers=workers)
        memory, cpu = PeakMemory(pss=True), CpuTime()
        memory.start()
        cpu.start()
        start = time.perf_counter()
        # As `backoffice run` does: the schedule collects in a thread, items are handled as they arrive.
        found: list[int] = []
        collector = threading.Thread(target=lambda: found.append(runner.collect()))
        collector.start()
        last_look = []

        def idle() -> bool:
            """Nothing due: wait while the inbox is being collected, then look once more."""
            if collector.is_alive():
                time.sleep(0.01)
                return True
            last_look.append(1)
            return len(last_look) == 1

        runner.loop(RunSummary("bench"), idle, patient=False)
        collector.join()
        collected = found[0]
        elapsed = time.perf_counter() - start
        memory.stop()
        peak = (memory.peak_pss_kb / 1024, memory.peak_kb / 1024)
        seconds, runner_seconds = cpu.stop()
        counts = store.counts().get("invoices", {})
        runner.close()
        store.close()
    if collected != count or sum(counts.values()) != count or counts.get("processing") or counts.get("pending"):
        raise SystemExit(f"not every document went through: collected {collected}, {counts}")
    return count / elapsed, peak, seconds / count * 1000, counts, runner_seconds / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3, help="runs of each configuration; the table shows the median")
    parser.add_argument("--workers", default="0,2", help="comma-separated worker counts (0: in the runner)")
    parser.add_argument("--rules", choices=("sample", "no-duplicates", "both"), default="sample",
                        help="the sample rules, the sample rules minus their duplicates check, or both")
    parser.add_argument("--python", action="store_true",
                        help="instead: the same work (extract, post to SQL; no rules) by a declarative bot and by "
                             "a Python bot (bench/e2e_bot.py), and the Python path's overhead")
    args = parser.parse_args()
    logging.disable(logging.INFO)
    if args.python:
        python_overhead(args)
        return
    from backoffice.demo.invoices import generate

    with tempfile.TemporaryDirectory(prefix="backoffice-e2e-pdfs-") as folder:
        template = Path(folder) / "inbox"
        generate(template, count=args.documents, seed=17)
        table = Table(title=f"{args.documents} invoice PDFs: folder inbox -> extraction -> rules -> SQL target "
                            f"({os.cpu_count()} cores), median of {args.runs} runs; peak memory: the largest")  # fmt: skip
        for column in ("workers", "documents/s (range)", "vs runner", "CPU ms/doc", "of it runner",
                       "peak memory, MB: PSS (RSS)", "outcomes", "goal"):  # fmt: skip
            table.add_column(column, justify="left" if column in ("workers", "outcomes", "goal") else "right")
        variants = []
        if args.rules in ("sample", "both"):
            variants.append(("sample rules", ROOT / "rules" / "invoice.yaml"))
        if args.rules in ("no-duplicates", "both"):
            variants.append(("no duplicates check", rules_without_duplicates(Path(folder))))
        configurations = [(v, int(w)) for v in variants for w in args.workers.split(",")]
        measured: dict[tuple, list] = {c: [] for c in configurations}
        for _ in range(args.runs):  # the configurations in turn, so a slow spell of the machine hits each alike
            for (rules_name, rules), workers in configurations:
                measured[((rules_name, rules), workers)].append(run_once(template, workers, args.documents, rules))
        single = {}
        for ((rules_name, _), workers), runs in measured.items():
            rates = [r[0] for r in runs]
            rate, cpu = statistics.median(rates), statistics.median(r[2] for r in runs)
            pss, rss = max(r[1][0] for r in runs), max(r[1][1] for r in runs)
            counts = runs[0][3]
            if workers == 0:
                single[rules_name] = rate
            label = ("in the runner" if workers == 0 else f"{workers} processes") + f", {rules_name}"
            goal = ">= 60 docs/s and 1.7x, <= 500 MB" if workers == (os.cpu_count() or 1) else ""
            speedup = f"{rate / single[rules_name]:.2f}x" if workers and rules_name in single else ""
            own = statistics.median(r[4] for r in runs)
            table.add_row(label, f"{rate:,.1f} ({min(rates):,.1f}-{max(rates):,.1f})", speedup, f"{cpu:,.1f}",
                          f"{own:,.1f}", f"{pss:,.0f} ({rss:,.0f})", ", ".join(f"{k} {v}" for k, v in sorted(counts.items())),
                          goal)  # fmt: skip
        Console(width=160).print(table)


def python_overhead(args: argparse.Namespace) -> None:
    """The declarative bot and the Python bot doing the same work, in turns; the overhead of the
    Python path in documents/s and in CPU per document, from the medians."""
    from backoffice.demo.invoices import generate

    with tempfile.TemporaryDirectory(prefix="backoffice-e2e-pdfs-") as folder:
        template = Path(folder) / "inbox"
        generate(template, count=args.documents, seed=17)
        configurations = [(name, bot, int(w)) for w in args.workers.split(",")
                          for name, bot in (("declarative", PIPELINE), ("python", PYTHON))]  # fmt: skip
        measured: dict[tuple, list] = {c: [] for c in configurations}
        for _ in range(args.runs):
            for name, bot, workers in configurations:
                measured[(name, bot, workers)].append(run_once(template, workers, args.documents, None, bot))
        table = Table(title=f"{args.documents} invoice PDFs: extract -> SQL target, declared vs a Python bot "
                            f"({os.cpu_count()} cores), median of {args.runs} runs")  # fmt: skip
        for column in ("bot", "workers", "documents/s (range)", "CPU ms/doc", "overhead (rate)", "overhead (CPU)",
                       "outcomes", "goal"):  # fmt: skip
            table.add_column(column, justify="left" if column in ("bot", "outcomes", "goal") else "right")
        base: dict[int, tuple[float, float]] = {}
        for (name, _, workers), runs in measured.items():
            rates = [r[0] for r in runs]
            rate, cpu = statistics.median(rates), statistics.median(r[2] for r in runs)
            over_rate = over_cpu = goal = ""
            if name == "declarative":
                base[workers] = (rate, cpu)
            else:
                over_rate = f"{(base[workers][0] / rate - 1) * 100:+.1f}%"
                over_cpu = f"{(cpu / base[workers][1] - 1) * 100:+.1f}%"
                goal = "<= 5%"
            table.add_row(name, str(workers), f"{rate:,.1f} ({min(rates):,.1f}-{max(rates):,.1f})", f"{cpu:,.1f}",
                          over_rate, over_cpu, ", ".join(f"{k} {v}" for k, v in sorted(runs[0][3].items())), goal)  # fmt: skip
        Console(width=160).print(table)


if __name__ == "__main__":
    main()
