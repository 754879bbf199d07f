"""Line items: our word-position table reader against pdfplumber's ruled-table finder.

    .venv/bin/python bench/tables.py [--corpus ../shared/corpus] [--repeat 3]

Issue 20 asked whether pdfplumber (a test dependency) should read ruled line-item tables in the
package. For every designed-layout PDF of the corpus that has expected line items, and for the
generated sample invoices, both readers give line amounts, scored as a multiset against the
expected ones (as bench/accuracy.py scores them):

- ours: ``extract(..., ignore_embedded=True)``, the whole extraction (words, fields, lines);
- pdfplumber: ``page.find_tables()`` (its default: ruled tables, from the drawn lines); a
  table's header row is the first with a cell our column names call ``amount`` (in one of the
  cell's lines; the rightmost such cell), and every later row with a number there (its last
  line) is a line. Only the table finding is timed.

The table also counts the documents where pdfplumber found a ruled table at all, and scores both
readers on those alone. pdfplumber must be installed (``pip install -e '.[test]'``).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/queue.py would shadow the standard library's queue (which multiprocessing needs).
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

import pdfplumber  # noqa: E402

from backoffice.documents import extract  # noqa: E402
from backoffice.documents.line_items import _column_name  # noqa: E402
from backoffice.documents.normalise import parse_amount  # noqa: E402
from backoffice.documents.scoring import normalise  # noqa: E402
from backoffice.errors import DocumentError  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from accuracy import corpus_cases  # noqa: E402


def matched(found: list[str], expected: list[str]) -> int:
    """How many expected amounts are among the found ones (a multiset)."""
    pool = Counter(a for a in (normalise("amount", v) for v in found) if a)
    hits = 0
    for amount in (normalise("amount", v) for v in expected):
        if amount and pool[amount] > 0:
            pool[amount] -= 1
            hits += 1
    return hits


def ours(path: Path) -> list[str]:
    try:
        document = extract(path, kind="invoice", ignore_embedded=True)
    except DocumentError:
        return []
    return [line["amount"].value for line in document.lines if "amount" in line]


def plumber(path: Path) -> tuple[list[str], bool]:
    """The amounts of pdfplumber's ruled tables, and whether it found any table."""
    amounts, any_table = [], False
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            for table in page.find_tables():
                any_table = True
                column = None
                for row in table.extract():
                    cells = [(cell or "").strip() for cell in row]
                    if column is None:
                        named = [i for i, cell in enumerate(cells) if _is_amount(cell)]
                        column = named[-1] if named else None
                        continue
                    if column < len(cells) and cells[column]:
                        value = parse_amount(cells[column].split("\n")[-1])
                        if value is not None:
                            amounts.append(str(value))
    return amounts, any_table


def _is_amount(cell: str) -> bool:
    """A header cell our column names call amount: in one of its lines, or all of it on one line."""
    texts = [" ".join(cell.split()), *cell.split("\n")]
    return any(_column_name(text.strip()) == "amount" for text in texts if text.strip())


def timed(function, path: Path, repeat: int):
    runs, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(path)
        runs.append(time.perf_counter() - start)
    return result, statistics.median(runs)


def cases(corpus: Path, generated: Path) -> list[tuple[str, Path, list[str]]]:
    from backoffice.demo.invoices import generate

    found = []
    for path, expected in corpus_cases(corpus):
        amounts = [line["line_net_amount"] for line in expected.get("lines", [])]
        if expected.get("rendering") == "designed-layout" and expected.get("usable_for_text_scoring") and amounts:
            found.append(("corpus", path, amounts))
    for sample in generate(generated, count=24, seed=7):
        if sample.lines and not sample.mistake:
            found.append(("generated", sample.path, [line["amount"] for line in sample.lines]))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per document (the median is kept)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    rows: dict[str, Counter] = {}
    with tempfile.TemporaryDirectory() as folder:
        for group, path, expected in cases(args.corpus, Path(folder)):
            (found_ours, seconds_ours) = timed(ours, path, args.repeat)
            ((found_plumber, ruled), seconds_plumber) = timed(plumber, path, args.repeat)
            for name in (group, f"{group}, ruled" if ruled else None):
                if name is None:
                    continue
                row = rows.setdefault(name, Counter())
                row["documents"] += 1
                row["expected"] += len(expected)
                hits_ours, hits_plumber = matched(found_ours, expected), matched(found_plumber, expected)
                row["ours"] += hits_ours
                row["plumber"] += hits_plumber
                row["plumber_better"] += hits_plumber > hits_ours
                row["ours_better"] += hits_ours > hits_plumber
                row["ours_ms"] += seconds_ours * 1000
                row["plumber_ms"] += seconds_plumber * 1000
    print(
        f"{'documents':22} {'n':>4} {'lines':>6} {'ours':>7} {'pdfplumber':>10} {'ours ms/doc':>12} "
        f"{'pdfplumber ms/doc':>17} {'better: ours':>12} {'pdfplumber':>10}"
    )
    for name, row in sorted(rows.items()):
        n, expected = row["documents"], row["expected"] or 1
        print(
            f"{name:22} {n:4d} {row['expected']:6d} {row['ours'] / expected:7.1%} {row['plumber'] / expected:10.1%} "
            f"{row['ours_ms'] / n:12.1f} {row['plumber_ms'] / n:17.1f} {row['ours_better']:12d} {row['plumber_better']:10d}"
        )
    print("ours: the whole extraction; pdfplumber: table finding only. 'ruled': pdfplumber found a table;")
    print("'better': documents where one reader found more of the expected line amounts than the other.")


if __name__ == "__main__":
    main()
