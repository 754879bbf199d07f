"""Extraction accuracy on scans: the corpus documents rendered as scans (or phone photos) and read
by OCR, against the same documents' text PDFs, with bench/accuracy.py's cases and scoring.

    .venv/bin/python bench/accuracy_scans.py [--corpus ../shared/corpus] [--style scan|photo|fax]
                                             [--dpi 200] [--seed 18] [--mistakes] [--only SET]

Every distinct hybrid PDF of the corpus that bench/accuracy.py scores on its text layer (fields
visible in the text layer, embedded XML ignored) and every text invoice of ``real-invoices`` is
read twice: as it is, and as a scan made by ``backoffice.demo.scans`` (each page rendered at
``--dpi``, tilted 0.5-2°, noise and speckles, JPEG 75; ``--style photo``: a phone photo with
perspective and shadow), with a fixed seed per document. The real invoices that are scans already
are read as they came. Key fields are those of bench/accuracy.py; goals: scans within 3 points of
the text PDFs, and at least 90% on the real invoices rendered as scans.
"""

from __future__ import annotations

import argparse
from functools import partial
import importlib.util
import logging
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_accuracy", ROOT / "bench" / "accuracy.py")
accuracy = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(accuracy)  # also puts the project first on sys.path, bench/ off it

import pypdfium2 as pdfium  # noqa: E402

from backoffice.demo import scans  # noqa: E402
from backoffice.documents import extract  # noqa: E402
from backoffice.documents.scoring import Score, score_fields, score_truth  # noqa: E402
from backoffice.errors import DocumentError  # noqa: E402

log = logging.getLogger("bench.accuracy_scans")
GOAL_GAP, GOAL_REAL = 0.03, 0.90


def _score(path: Path, names: list[str], label: str, scorer, expected: dict) -> tuple[Score, float]:
    started = time.perf_counter()
    try:
        document = extract(path, kind="auto", ignore_embedded=True)
    except DocumentError as exc:
        return accuracy.unread(names, label, expected, exc), time.perf_counter() - started
    return scorer(document, expected, names, label), time.perf_counter() - started


def cases(corpus: Path) -> list[tuple[str, Path, dict, list[str], object, bool]]:
    """(set, document, expected, fields, scorer, is a scan already) for every scored document."""
    found = []
    for path, expected in accuracy.corpus_cases(corpus):
        if not expected.get("usable_for_text_scoring"):
            continue
        kind = "order" if "order_number" in expected else "invoice"
        names = accuracy.ORDER_FIELDS if kind == "order" else accuracy.INVOICE_FIELDS
        visible = {n for n, v in (expected.get("visible_in_text_layer") or {}).items() if v}
        found.append(
            (
                f"{expected['rendering']} / {kind}",
                path,
                expected,
                [n for n in names if n in visible],
                partial(score_fields, loose=True),  # party names by the real-invoices rules, as bench/accuracy.py
                False,
            )
        )
    for path, truth, kind in accuracy.real_cases(corpus):
        found.append((f"real-invoices / {kind}", path, truth, accuracy.INVOICE_FIELDS, score_truth, kind == "scan"))
    return found


def key_rate(score: Score) -> tuple[int, int]:
    right = sum(score.correct[n] for n in accuracy.KEY_FIELDS)
    return right, sum(score.total(n) for n in accuracy.KEY_FIELDS)


def _compared(mistakes: list[str], text: Score, label: str, names: list[str]) -> list[str]:
    """The scan's mistakes, each marked as a key field or not and with how the text PDF did."""
    out = []
    for mistake in mistakes:
        name = next((n for n in names if mistake.startswith(f"{label} {n}:")), "")
        key = "*" if name in accuracy.KEY_FIELDS else " "
        verdict = "text PDF right" if text.correct[name] else "text PDF wrong too"
        out.append(f"{key} {mistake} [{verdict}]")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--style", choices=scans.STYLES, default="scan")
    parser.add_argument("--dpi", type=int, default=200)
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--mistakes", action="store_true", help="list every wrong or missed value on the scans")
    parser.add_argument("--only", action="append", help="only the sets whose name holds this (repeatable)")
    parser.add_argument("--keep", type=Path, help="write the scans into this folder (kept) instead of a temporary one")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    text: dict[str, Score] = defaultdict(Score)
    scanned: dict[str, Score] = defaultdict(Score)
    seconds: dict[str, list[float]] = defaultdict(list)
    documents: dict[str, int] = defaultdict(int)
    mistakes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-scans-") as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        for number, (group, path, expected, names, scorer, already) in enumerate(cases(args.corpus)):
            if args.only and not any(part in group for part in args.only):
                continue  # numbered all the same: a document keeps its seed
            documents[group] += 1
            score, _ = _score(path, names, path.name, scorer, expected)
            text[group].add(score)
            if already:  # a scan as received: read as it is
                scanned[group].add(score)
                continue
            target = Path(folder) / f"{number}-{path.stem}.pdf"
            try:
                scans.scan(path, target, seed=args.seed + number, dpi=args.dpi, style=args.style)
            except (OSError, ValueError, pdfium.PdfiumError) as exc:  # cannot be rendered: missed on the scan side
                log.error("cannot render %s: %s", path.name, exc)
                score = Score()
                score.missed.update(n for n in names if expected.get(n) is not None)
                scanned[group].add(score)
                continue
            text_score = score
            score, took = _score(target, names, f"{path.name} (scan)", scorer, expected)
            scanned[group].add(score)
            mistakes.extend(_compared(score.mistakes, text_score, f"{path.name} (scan)", names))
            seconds[group].append(took)
    out = [
        (
            f"Scans of the corpus ({args.style}, {args.dpi} dpi, tilt 0.5-2°, noise, JPEG 75, seed {args.seed}) "
            f"against the same documents' text PDFs; key fields: {', '.join(accuracy.KEY_FIELDS)}"
        ),
        f"\n{'set':34} {'docs':>4} {'key fields, text PDF':>21} {'key fields, scan':>17} {'gap':>6} {'s/doc':>6}  goal",
    ]
    for group in sorted(text):
        t_right, t_total = key_rate(text[group])
        s_right, s_total = key_rate(scanned[group])
        t_rate, s_rate = t_right / max(1, t_total), s_right / max(1, s_total)
        if group.startswith("real-invoices / scan"):
            goal = "(scans as received)"
        elif group.startswith("real-invoices"):
            goal = f"≥{GOAL_REAL:.0%} {'ok' if s_rate >= GOAL_REAL else 'MISSED'}"
        else:
            goal = f"gap ≤{GOAL_GAP * 100:.0f} pts {'ok' if t_rate - s_rate <= GOAL_GAP else 'MISSED'}"
        took = sorted(seconds[group])[len(seconds[group]) // 2] if seconds[group] else 0.0
        out.append(
            f"{group:34} {documents[group]:4d} {t_rate:12.1%} ({t_right:3d}/{t_total:3d}) "
            f"{s_rate:8.1%} ({s_right:3d}/{s_total:3d}) {(s_rate - t_rate) * 100:+6.1f} {took:6.1f}  {goal}"
        )
    out.append(f"\n{'set':34} {'field':18} {'text PDF':>9} {'scan':>9}")
    for group in sorted(text):
        for name in accuracy.INVOICE_FIELDS + [n for n in accuracy.ORDER_FIELDS if n not in accuracy.INVOICE_FIELDS]:
            if text[group].total(name):
                out.append(f"{group:34} {name:18} {text[group].rate(name):9.1%} {scanned[group].rate(name):9.1%}")
    if args.mistakes:
        out.append("\nMistakes on the scans (* a key field; [text PDF right] or [text PDF wrong too]):")
        out.extend("  " + m for m in mistakes)
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
