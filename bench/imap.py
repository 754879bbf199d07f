"""IMAP intake: 1,000 messages with PDF attachments in a private Dovecot, ingested into the queue.

    .venv/bin/python bench/imap.py [--runs 5] [--messages 1000] [--big 10] [--readers N] [--profile FILE]

Each run copies the seeded messages into INBOX (server-side), then the IMAP source of a fresh
SQLite queue takes them all with its default settings: a FETCH of up to 100 mails whose raw
mails are stored, parsed by reader processes (one per core) while the next FETCH comes, their
files made durable and every parent and child committed in one transaction by a commit thread,
then a MOVE to Processed. A run happens in its own process: CPU time is that process's and its
readers', peak memory the largest sum of their resident sets, sampled every 10 ms (and at least
the runner's own peak, VmHWM; not getrusage's ru_maxrss, which after exec keeps the peak of the
parent that seeded 200 MB). ``--big`` messages carry a 20 MB attachment besides the invoice. The
machine's load average is printed: wall-clock rates on a shared machine depend on it, CPU time
much less. ``--profile`` writes cProfile stats (CPU time, the runner process only) of the last run.
"""

from __future__ import annotations

import argparse
import cProfile
import multiprocessing
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# This folder holds bench/queue.py, which would shadow the standard `queue` that multiprocessing
# imports; put the project root in its place.
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path.pop(0)
sys.path.insert(0, str(ROOT))

from imapclient import IMAPClient  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from bench.measure import PeakMemory, rss_kb  # noqa: E402
from tests.integration.mail.dovecot import Dovecot  # noqa: E402


def seed(dovecot: Dovecot, messages: int, big: int) -> None:
    from backoffice.demo.invoices import generate

    pdfs = [g.path.read_bytes() for g in generate(Path(tempfile.mkdtemp()), count=20, seed=3)]
    huge = b"%PDF-1.4\n" + os.urandom(20_000_000)
    client = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False)
    client.login("bench", "bench")
    client.create_folder("Seed")
    for n in range(messages):
        mail = EmailMessage()
        mail["From"], mail["To"], mail["Subject"] = "billing@vendor.example", "bench@example", f"Invoice {n}"
        mail["Message-ID"] = f"<bench-{n}@vendor.example>"
        mail.set_content("Invoice attached.")
        mail.add_attachment(pdfs[n % len(pdfs)], maintype="application", subtype="pdf", filename=f"invoice-{n}.pdf")
        if n % max(messages // max(big, 1), 1) == 0 and n // max(messages // max(big, 1), 1) < big:
            mail.add_attachment(huge, maintype="application", subtype="pdf", filename=f"scan-{n}.pdf")
        client.append("Seed", mail.as_bytes())
    client.logout()


def one_run(port: int, cert: str, folder: str, results, profile: str | None = None, readers: int | None = None) -> None:
    from backoffice.connectors.base import Context, Intake
    from backoffice.connectors.imap import ImapSettings, ImapSource
    from backoffice.queue.files import FileStore
    from backoffice.queue.sqlite import SQLiteStore

    workspace = Path(folder)
    settings = ImapSettings(kind="imap", host="127.0.0.1", port=port, security="none", username="bench",
                            password="bench", idle=False, readers=readers)  # fmt: skip
    context = Context(bot="bench", workspace=workspace, files=FileStore(workspace / "files"))
    store = SQLiteStore(workspace / "queue.db")
    source, intake = ImapSource(settings, context), Intake(store, context)
    before = resource.getrusage(resource.RUSAGE_SELF)
    cpu_before = before.ru_utime + before.ru_stime
    profiler = cProfile.Profile(time.process_time) if profile else None
    memory = PeakMemory(interval=0.01)
    memory.start()
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    new = source.collect(intake)
    elapsed = time.perf_counter() - started
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
    sampled = memory.stop()
    peak = max(sampled, rss_kb(field="VmHWM") / 1024)  # the runner's own peak is exact; the readers' sampled
    source.close()
    usage, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = usage.ru_utime + usage.ru_stime - cpu_before + children.ru_utime + children.ru_stime
    parents = sum(1 for i in store.list(limit=100_000) if i.parent_id is None)
    results.put((parents, new, elapsed, peak, cpu, source.readers.workers))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--big", type=int, default=10, help="messages with an extra 20 MB attachment")
    parser.add_argument("--profile", metavar="FILE", help="write cProfile stats of the last run to FILE")
    parser.add_argument("--readers", type=int, default=None, help="reader processes (default: the source's, one per core)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="backoffice-bench-imap-"))
    folder.chmod(0o755)  # the dovecot user reads the users file below it
    dovecot = Dovecot(folder / "dovecot")
    dovecot.add_user("bench", "bench")
    context = multiprocessing.get_context("spawn")
    rates, peaks, cpus, loads = [], [], [], []
    with dovecot:
        seed(dovecot, args.messages, args.big)
        admin = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False)
        admin.login("bench", "bench")
        for run in range(args.runs):
            admin.select_folder("Processed")
            if uids := admin.search():
                admin.delete_messages(uids)
                admin.expunge()
            admin.select_folder("Seed")
            admin.copy(admin.search(), "INBOX")
            os.sync()  # the copies and the last run's deleted files reach the disk before timing
            workspace = folder / f"run-{run}"
            results = context.Queue()
            process = context.Process(target=one_run, args=(dovecot.port, str(dovecot.cert), str(workspace), results,
                                                                  args.profile if run == args.runs - 1 else None, args.readers))
            process.start()
            parents, new, elapsed, peak, cpu, readers = results.get(timeout=1800)
            process.join()
            if parents != args.messages:
                raise SystemExit(f"run {run}: {parents} mails in the queue, expected {args.messages}")
            rates.append(args.messages / elapsed)
            peaks.append(peak)
            cpus.append(cpu / args.messages * 1000)
            loads.append(os.getloadavg()[0])
            shutil.rmtree(workspace)
        admin.logout()
    shutil.rmtree(folder, ignore_errors=True)
    table = Table(title=f"IMAP intake into the SQLite queue: {args.messages} messages, {args.big} with 20 MB, "
                        f"{readers} reader processes, median of {args.runs}")  # fmt: skip
    for column in ("measure", "median", "min", "max", "goal"):
        table.add_column(column, justify="left" if column == "measure" else "right")
    table.add_row("messages/s", f"{statistics.median(rates):,.0f}", f"{min(rates):,.0f}", f"{max(rates):,.0f}", ">= 300")
    table.add_row("CPU time (ms/message, all processes)", f"{statistics.median(cpus):.2f}", f"{min(cpus):.2f}", f"{max(cpus):.2f}", "")
    table.add_row("peak memory (MB, runner + readers)", f"{statistics.median(peaks):,.0f}", f"{min(peaks):,.0f}", f"{max(peaks):,.0f}", "<= 300")
    table.add_row("load average (1 min)", f"{statistics.median(loads):.2f}", f"{min(loads):.2f}", f"{max(loads):.2f}", "")
    Console().print(table)


if __name__ == "__main__":
    main()
