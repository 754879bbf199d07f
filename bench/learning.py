"""Learning from corrections: series of invoices from the same senders, the first of each series
corrected through the queue as a supervisor would, the rest read with what was learned.

    .venv/bin/python bench/learning.py [--senders 40] [--table-senders 12] [--per-sender 6]
        [--scan-senders 6] [--scans-per-sender 3] [--layouts 5000] [--runs 5]

--senders series are generated (backoffice.demo.series: a layout per sender with labels in
English, German, French, Dutch or Spanish, fields placed anywhere, dates and amounts printed the
sender's way; varying data on every invoice), and --table-senders series with a line table whose
column headings no reader knows, in the sender's own column order (backoffice.demo.series_tables).
Half the senders of each are *taught*: the first invoice of each goes through a SQLite queue
(intake, exception queue, `correct` of only the fields and line items the reader got wrong,
or an approval when nothing was wrong; retry, done), which teaches its layout; the other half
are *untaught* controls, never corrected. Two real pairs of the corpus from one sender
(invoice2data's coolblue1.pdf and coolblue2.pdf; two Kitchener-Wilmot Hydro bills, whose values
were read by hand) are taught and read the same way.

Printed: per field (line items as ``line.FIELD`` over every line printed, and whether the number
of lines is right), the share right on the later invoices of the taught series before (the
template-free reader alone) and after learning; the same for the untaught senders, with the
number of values whose value changed (goal: none, a layout never leaks to a sender it does not
fit), and how many items a disagreement would hold for review. Then --scan-senders taught table
series again in a queue of their own, their later invoices as scans (rendered, spoilt as a
flatbed scan, read by tesseract): the first invoice taught from its text PDF or from its scan,
alternately; the untaught senders' scans as controls. Then the cost of matching a page against
--layouts learned layouts (generated layout fingerprints plus the ones learned here): median per
document of --runs passes over the later invoices, with and without them (goal: <= 2 ms added
per document), and the cost of the whole learned read (a second read of the PDF's words
included; a scan's words are read by OCR a second time, which this does not time).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.table import Table

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backoffice.demo.learning_flow import complete, finish, hold, intake  # noqa: E402
from backoffice.demo.scans import scan  # noqa: E402
from backoffice.demo.series import SeriesInvoice, draw_layout, generate_series  # noqa: E402
from backoffice.demo.series_tables import generate_table_series  # noqa: E402
from backoffice.documents import extract  # noqa: E402
from backoffice.documents.pdf import Word, read_words  # noqa: E402
from backoffice.learning import fingerprint  # noqa: E402
from backoffice.learning.apply import LearnedReader  # noqa: E402
from backoffice.learning.desk import Desk, correct_fields  # noqa: E402
from backoffice.learning.layout import Layout  # noqa: E402
from backoffice.learning.store import MemoryLayouts, iso, layouts  # noqa: E402
from backoffice.queue.sqlite import SQLiteStore  # noqa: E402
from backoffice.rules import approvals  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "invoice2data" / "compare"
# invoice2data's names -> ours, for the real pair.
I2D = {
    "invoice_number": "invoice_number",
    "date": "issue_date",
    "amount": "grand_total",
    "amount_untaxed": "net_total",
    "vat": "seller_vat_id",
    "iban": "iban",
    "currency": "currency",
}
MM = 72 / 25.4


def hydro_pair() -> list[SeriesInvoice]:
    """Two bills of one sender from the corpus (Kitchener-Wilmot Hydro), with the values printed
    on them (read by hand): the later bill teaches, the earlier one is read."""
    folder = ROOT.parent / "shared" / "corpus" / "real-invoices"
    teacher = next(folder.rglob("2019-01-23 - Kitchener-Wilmot Hydro - $75.20.pdf"))
    read = next(folder.rglob("2018-11-22-Kitchener-Wilmot hydro-$-75.61.pdf"))
    seller = "KITCHENER-WILMOT HYDRO INC"
    return [SeriesInvoice(teacher, "kitchener-wilmot hydro (real)", seller,
                          {"issue_date": "2019-01-23", "due_date": "2019-02-13", "seller_name": seller,
                           "grand_total": "75.20"}),
            SeriesInvoice(read, "kitchener-wilmot hydro (real)", seller,  # its total is a credit: left out
                          {"issue_date": "2018-11-22", "due_date": "2018-12-13", "seller_name": seller})]  # fmt: skip


def real_pair() -> list[SeriesInvoice]:
    found = []
    for name in ("coolblue1", "coolblue2"):
        data = json.loads((CORPUS / f"{name}.json").read_text())[0]
        expected = {}
        for theirs, ours in I2D.items():
            if theirs in data:
                value = data[theirs]
                expected[ours] = f"{value:.2f}" if isinstance(value, float) else str(value)
        found.append(SeriesInvoice(CORPUS / f"{name}.pdf", "coolblue (real)", "Coolblue B.V.", expected))
    return found


def value_of(document, name):
    found = document.fields.get(name)
    return found.value if found else None


def line_changes(document, invoice) -> dict[str, str]:
    """The corrections that make the document's lines the invoice's (``line.N.FIELD``, ``line.N=delete``)."""
    changes = {}
    for number, wanted in enumerate(getattr(invoice, "lines", []), start=1):
        have = document.lines[number - 1] if number <= len(document.lines) else {}
        changes.update(
            {f"line.{number}.{k}": v for k, v in wanted.items() if (have[k].value if k in have else None) != v}
        )
    if hasattr(invoice, "lines"):
        changes.update({f"line.{n}": "delete" for n in range(len(invoice.lines) + 1, len(document.lines) + 1)})
    return changes


def teach(store, invoice, actor="anna", path=None) -> dict[str, str]:
    """The invoice (or ``path``, its scan) through the queue; only its wrong fields corrected."""
    path = path or invoice.path
    item, document = intake(store, "invoices", path)
    item = hold(store, item)
    wrong = {k: v for k, v in invoice.expected.items() if value_of(document, k) != v}
    wrong.update(line_changes(document, invoice))
    if wrong:
        correct_fields(Desk(store), item.id, wrong, why="read wrong", actor=actor)
    else:  # nothing wrong: the supervisor confirms it (an approval)
        given = approvals.entry(item.payload, actor, ["supervisor"], [], [], iso(time.time()), "checked")
        store.amend(item.id, actor=actor, action="approve", why="checked",
                    payload={**item.payload, "approvals": [given]})  # fmt: skip
    finish(store, store.get(item.id), path, actor)
    return {("line." + k.split(".")[2] if k.count(".") == 2 else k): v for k, v in wrong.items()}


def score(invoices, documents, paths=None) -> tuple[Counter, Counter]:
    """Per field, how many of the invoices' values the documents hold (line fields as
    ``line.FIELD`` over every line printed; a line missing counts wrong for each of its fields)."""
    right, total = Counter(), Counter()
    for inv in invoices:
        document = documents[(paths or {}).get(inv.path, inv.path)]
        for name, wanted in inv.expected.items():
            total[name] += 1
            right[name] += value_of(document, name) == wanted
        for number, wanted in enumerate(getattr(inv, "lines", [])):
            have = document.lines[number] if number < len(document.lines) else {}
            for name, value in wanted.items():
                total[f"line.{name}"] += 1
                right[f"line.{name}"] += name in have and have[name].value == value
        if hasattr(inv, "lines"):
            total["lines (count)"] += 1
            right["lines (count)"] += len(document.lines) == len(inv.lines)
    return right, total


def pct(right: int, total: int) -> str:
    return f"{100 * right / total:.1f}%" if total else "-"


def accuracy(title: str, corrected: Counter, columns: list[tuple[str, Counter, Counter]]) -> Table:
    """A table of per-field accuracy: one column per (heading, right, total)."""
    table = Table(title=title)
    table.add_column("field")
    table.add_column("corrected on 1st", justify="right")
    for heading, _, _ in columns:
        table.add_column(heading, justify="right")
    names = sorted(set().union(*(total for _, _, total in columns)))
    for name in names:
        table.add_row(name, str(corrected[name]), *(pct(right[name], total[name]) for _, right, total in columns))
    table.add_row("all", str(sum(corrected.values())),
                  *(pct(sum(right.values()), sum(total.values())) for _, right, total in columns), style="bold")  # fmt: skip
    return table


def changed(controls, before, after, paths=None) -> tuple[int, int]:
    """Field values (and line tables) of the untaught senders that learning changed, and how many
    of those changes made a right value wrong."""
    moved = worse = 0
    for inv in controls:
        path = (paths or {}).get(inv.path, inv.path)
        for name, wanted in inv.expected.items():
            old, new = value_of(before[path], name), value_of(after[path], name)
            moved += old != new
            worse += old == wanted != new
        if hasattr(inv, "lines"):
            old_lines = [{k: f.value for k, f in line.items()} for line in before[path].lines]
            new_lines = [{k: f.value for k, f in line.items()} for line in after[path].lines]
            moved += old_lines != new_lines
    return moved, worse


def synthetic(count: int, seed: int = 99) -> list[frozenset[str]]:
    """Fingerprints of generated sender layouts (their labels at their places), as learned."""
    rng = random.Random(seed)
    prints = []
    for index in range(count):
        layout = draw_layout(rng, 10_000 + index)
        words = [Word(w, x * MM + n * 30, y * MM, x * MM + n * 30 + 25, y * MM + 9, 1)
                 for name, (x, y, _) in layout.places.items() if name in layout.labels
                 for n, w in enumerate(layout.labels[name].split())]  # fmt: skip
        words += [Word(w, 40 + n * 60, 35, 90 + n * 60, 50, 1) for n, w in enumerate(layout.seller.split())]
        prints.append(fingerprint.tokens(words))
    return prints


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--senders", type=int, default=40)
    parser.add_argument("--table-senders", type=int, default=12, help="series with a line table the reader misreads")
    parser.add_argument("--per-sender", type=int, default=6)
    parser.add_argument("--scan-senders", type=int, default=6, help="table series read again as scans (OCR)")
    parser.add_argument("--scans-per-sender", type=int, default=3)
    parser.add_argument("--layouts", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    console = Console(width=130)
    work = Path(tempfile.mkdtemp(prefix="bench-learning-"))
    series = generate_series(work / "series", senders=args.senders, per_sender=args.per_sender, seed=args.seed)
    tables = generate_table_series(work / "tables", senders=args.table_senders, per_sender=args.per_sender,
                                   seed=args.seed + 6)  # fmt: skip
    real = [real_pair(), hydro_pair()] if CORPUS.is_dir() else []
    taught = series[0::2] + tables[0::2] + real
    untaught = series[1::2] + tables[1::2]
    later = [inv for s in taught for inv in s[1:]]
    controls = [inv for s in untaught for inv in s]
    before = {inv.path: extract(inv.path) for inv in later + controls}

    store = SQLiteStore(work / "queue.db")
    corrected = Counter()
    for invoices in taught:
        corrected.update(teach(store, invoices[0]).keys())
    after = {}
    held = Counter()
    for group, invoices in (("taught", later), ("untaught", controls)):
        for inv in invoices:
            item, document = intake(store, "invoices", inv.path)
            held[group] += bool((item.payload.get("learned") or {}).get("review"))
            complete(store, item, inv.path)
            after[inv.path] = document

    tb, tt = score(later, before)
    ta, _ = score(later, after)
    cb, ct = score(controls, before)
    ca, _ = score(controls, after)
    console.print(accuracy(
        f"Fields right, later invoices of {len(taught)} taught series ({len(later)} invoices; {len(tables[0::2])} "
        f"with a line table) and {len(untaught)} untaught senders ({len(controls)} invoices)",
        corrected, [("taught: before", tb, tt), ("taught: after", ta, tt), ("untaught: before", cb, ct),
                    ("untaught: after", ca, ct)]))  # fmt: skip
    moved, worse = changed(controls, before, after)
    for first, second in real:

        def right(doc, wanted=second.expected):
            return sum(value_of(doc, n) == w for n, w in wanted.items())

        console.print(f"real pair ({first.path.name} corrected, {second.path.name} read): {right(before[second.path])}"
                      f" of {len(second.expected)} fields right before, {right(after[second.path])} after")  # fmt: skip
    console.print(f"untaught senders: {moved} field values or line tables changed by learned layouts, {worse} of them "
                  f"from right to wrong; {len(layouts(store).list())} layouts learned")  # fmt: skip
    console.print(f"held for review (the learned layout and the reader disagree where the reader was right when "
                  f"taught): {held['taught']} of {len(later)} later invoices, {held['untaught']} of {len(controls)} "
                  "untaught senders' invoices")  # fmt: skip
    if args.scan_senders:
        scans(console, work, tables, args)
    speed(console, work, store, later, after, args)


def scans(console: Console, work: Path, tables: list, args: argparse.Namespace) -> None:
    """Table series whose later invoices arrive as scans (rendered, spoilt and read by OCR): half
    taught from the first invoice's text PDF, half from its scan; untaught senders' scans are the
    controls."""
    store = SQLiteStore(work / "scans.db")
    taught = tables[0::2][: args.scan_senders]
    untaught = [s[:1] for s in tables[1::2][: args.scan_senders]]
    paths = {}

    def scanned(inv, seed):
        paths[inv.path] = scan(inv.path, inv.path.with_name(inv.path.stem + "-scan.pdf"), seed=seed)
        return paths[inv.path]

    corrected = Counter()
    for number, invoices in enumerate(taught):
        first = invoices[0]
        path = scanned(first, number) if number % 2 else first.path
        corrected.update(teach(store, first, path=path).keys())
    later = [inv for s in taught for inv in s[1 : 1 + args.scans_per_sender]]
    controls = [inv for s in untaught for inv in s]
    for number, inv in enumerate(later + controls):
        scanned(inv, 100 + number)
    before = {paths[inv.path]: extract(paths[inv.path]) for inv in later + controls}
    after = {}
    held = 0
    for inv in later + controls:
        item, document = intake(store, "invoices", paths[inv.path])
        held += bool((item.payload.get("learned") or {}).get("review"))
        complete(store, item, paths[inv.path])
        after[paths[inv.path]] = document
    tb, tt = score(later, before, paths)
    ta, _ = score(later, after, paths)
    cb, ct = score(controls, before, paths)
    ca, _ = score(controls, after, paths)
    console.print(accuracy(
        f"Scans (OCR): later invoices of {len(taught)} taught table series ({len(later)} scans; the first invoice "
        f"taught as a text PDF or as a scan, alternately) and {len(controls)} untaught senders' scans",
        corrected, [("taught: before", tb, tt), ("taught: after", ta, tt), ("untaught: before", cb, ct),
                    ("untaught: after", ca, ct)]))  # fmt: skip
    moved, worse = changed(controls, before, after, paths)
    console.print(f"scans of untaught senders: {moved} values or line tables changed, {worse} from right to wrong; "
                  f"{held} of {len(later)} taught scans held for review (learned and reader disagree)")  # fmt: skip


def speed(console: Console, work: Path, store: SQLiteStore, later: list, after: dict, args: argparse.Namespace) -> None:
    """The cost of matching a page against many learned layouts, and of the whole learned read."""
    pages = [(read_words(inv.path, ocr=False), after[inv.path]) for inv in later]
    learned = layouts(store).list()
    many = layouts(SQLiteStore(work / "many.db"))
    for tokens in synthetic(max(0, args.layouts - len(learned))):
        many.save(Layout("invoice", tokens, {}), actor="bench", item_id=None, action="learn", fields=())
    for layout in learned:
        many.save(Layout(layout.kind, layout.tokens, layout.fields, layout.senders, table=layout.table), actor="bench",
                  item_id=None, action="learn", fields=())  # fmt: skip
    rows = Table(title=f"Matching one page (median per document of {args.runs} passes over {len(pages)} invoices)")
    rows.add_column("layouts learned")
    rows.add_column("match ms/doc", justify="right")
    rows.add_column("learned read ms/doc", justify="right")
    for label, kept in (("0", MemoryLayouts()), (str(len(learned)), layouts(store)), (str(args.layouts), many)):
        reader = LearnedReader(kept)
        reader.match(*pages[0])  # builds the index once
        match_runs, read_runs = [], []
        for _ in range(args.runs):
            started = time.perf_counter()
            for text, document in pages:
                reader.match(text, document)
            match_runs.append((time.perf_counter() - started) * 1000 / len(pages))
            started = time.perf_counter()
            for inv, (_text, document) in zip(later, pages, strict=True):
                reader.read(read_words(inv.path, ocr=False), document)
            read_runs.append((time.perf_counter() - started) * 1000 / len(pages))
        rows.add_row(label, f"{statistics.median(match_runs):.3f}", f"{statistics.median(read_runs):.2f}")
    console.print(rows)
    reloads = []
    for _ in range(args.runs):
        started = time.perf_counter()
        LearnedReader(many).empty()  # reads every layout and builds the index
        reloads.append((time.perf_counter() - started) * 1000)
    console.print(
        f"after each change to the layouts a runner reloads them: {statistics.median(reloads):.0f} ms for "
        f"{args.layouts} layouts from SQLite (median of {args.runs})"
    )
    console.print(
        "learned read = the words read again from the PDF, the match, every field rule and the line table read; the"
        " layouts are in SQLite (the queue's own store: a generation check per document)."
    )


if __name__ == "__main__":
    main()
