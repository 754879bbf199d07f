"""Extraction accuracy on the shared corpus and on generated held-out invoices: right, wrong and
missed per field, key-field accuracy, documents with every key field right, and how far the
confidence can be trusted.

    .venv/bin/python bench/accuracy.py [--corpus ../shared/corpus] [--mistakes] [--generated N] [--seed 7]
                                       [--labels-only] [--scans] [--other-software 40]

Tables, as the corpus's READMEs ask:
1. the visual path (text layer, embedded XML switched off), one table per set: the hybrid PDFs
   by rendering (``designed-layout`` / ``xml-visualisation``) and kind, scoring only the fields
   their expected JSON marks ``visible_in_text_layer``, party names compared as the real-invoices
   rules compare them (lower case, no punctuation or legal form, one may hold the other: "AU BON
   MOULIN SARL" is "AU BON MOULIN"); ``real-invoices`` by its own rules (text-layer documents and
   scans apart); generated invoices in layouts and label vocabularies
   the ranker was not trained on. Each set says whether the ranker saw it in training;
2. the reliability table over the sets not used in training: confidence bucket -> share right;
3. the embedded-XML path: every non-empty expected field, and the line count and amounts;
4. the invoice2data compare set read with its own templates: records equal to the expected JSON;
5. with ``--scans``, the same documents rendered as scans and read by OCR, against their text PDFs
   (bench/accuracy_scans.py with its defaults: 200 dpi, tilt, noise, JPEG 75, seed 18; a few minutes).

``--other-software N`` (default 40, seed ``--seed``) also scores N invoices made by other software,
open-source libraries that make invoices (InvoiceGenerator, PyInvoice, billwright, dinbrief and
arca-factura-pdf; bench/other_software.py), by the real-invoices rules: layouts and label wordings in
English, Czech, Brazilian Portuguese, Swiss German and Argentine Spanish that no training document has. They are installed into a throwaway virtualenv under /tmp on first use (never
dependencies of backoffice); without a package index the set is left out, and the table says so.
"""

from __future__ import annotations

import argparse
from functools import partial
import json
import logging
import subprocess
import sys
import tempfile
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/queue.py would shadow the standard library's queue (which multiprocessing needs).
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from backoffice.documents import extract, ocr  # noqa: E402
from backoffice.documents.pdf import read_words  # noqa: E402
from backoffice.documents.scoring import Score, score_fields, score_line_amounts, score_truth  # noqa: E402
from backoffice.documents.templates import load_templates, match  # noqa: E402
from backoffice.documents.templates.layout_text import area_text, layout_text  # noqa: E402
from backoffice.errors import DocumentError  # noqa: E402

log = logging.getLogger("bench.accuracy")

INVOICE_FIELDS = ["invoice_number", "issue_date", "due_date", "seller_name", "seller_vat_id", "buyer_name",
                  "order_reference", "currency", "iban", "net_total", "tax_total", "grand_total", "amount_due"]
ORDER_FIELDS = ["order_number", "issue_date", "seller_name", "seller_vat_id", "buyer_name", "order_reference",
                "currency", "net_total", "tax_total",
                "grand_total", "requested_delivery_date"]
KEY_FIELDS = ["invoice_number", "order_number", "issue_date", "currency", "grand_total"]
NAMES = ["invoice_number", "order_number", "issue_date", "due_date", "seller_name", "buyer_name", "seller_vat_id",
         "order_reference", "currency", "iban", "net_total", "tax_total", "grand_total", "amount_due",
         "requested_delivery_date", "line_amount"]
GOALS = {"key fields": 0.95, "every key right": 0.90, "seller_name": 0.95, "buyer_name": 0.95}
BUCKETS = [0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 1.0001]


class SetScore:
    """The fields of one set of documents, and per document whether every key field was right."""

    def __init__(self) -> None:
        self.score = Score()
        self.documents = 0
        self.all_keys_right = 0

    def add(self, score: Score) -> None:
        keys = [n for n in KEY_FIELDS if score.total(n)]
        self.documents += 1
        self.all_keys_right += bool(keys) and all(score.correct[n] for n in keys)
        self.score.add(score)


def corpus_cases(corpus: Path) -> list[tuple[Path, dict]]:
    """One (pdf, expected) per distinct document (by content hash)."""
    seen, cases = set(), []
    for path in sorted((corpus / "_expected").rglob("*.expected.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        if expected["sha256"] in seen:
            continue
        seen.add(expected["sha256"])
        cases.append((corpus / expected["source_pdf"], expected))
    return cases


def real_cases(corpus: Path) -> list[tuple[Path, dict, str]]:
    """(document, truth, kind) of ``real-invoices``; kind is ``text`` or ``scan`` (SOURCES.csv)."""
    import csv

    folder = corpus / "real-invoices"
    if not folder.is_dir():
        return []
    kinds = {}
    with (folder / "SOURCES.csv").open(encoding="utf-8") as stream:
        for row in csv.DictReader(stream):
            kinds[row["repo"].replace("/", "__") + "/" + row["path"]] = "scan" if row["kind"] == "scan" else "text"
    cases = []
    for truth in sorted(folder.rglob("*.truth.json")):
        source = truth.with_name(truth.name.removesuffix(".truth.json"))
        kind = kinds.get(str(source.relative_to(folder)), "text")
        cases.append((source, json.loads(truth.read_text(encoding="utf-8")), kind))
    return cases


def unread(names: list[str], label: str, expected: dict, exc: DocumentError) -> Score:
    """The score of a document the reader refused: every expected field missed, and why."""
    score = Score()
    for name in (n for n in names if expected.get(n) is not None):
        score.missed[name] += 1
    score.mistakes.append(f"{label}: {exc}")
    return score


def _read(path: Path, names: list[str], label: str, scorer, expected: dict) -> Score:
    try:
        document = extract(path, kind="auto", ignore_embedded=True)
    except DocumentError as exc:
        return unread(names, label, expected, exc)
    score = scorer(document, expected, names, label)
    if "lines" in expected and expected.get("rendering") == "designed-layout":
        amounts = [line["line_net_amount"] for line in expected["lines"]]
        score.add(score_line_amounts(document, amounts, label))
    return score


def visual(corpus: Path, generated: int, seed: int = 7) -> dict[str, SetScore]:
    sets: dict[str, SetScore] = defaultdict(SetScore)
    for path, expected in corpus_cases(corpus):
        if not expected.get("usable_for_text_scoring"):
            continue
        kind = "order" if "order_number" in expected else "invoice"
        names = ORDER_FIELDS if kind == "order" else INVOICE_FIELDS
        visible = [n for n, v in (expected.get("visible_in_text_layer") or {}).items() if v]
        sets[f"{expected['rendering']} / {kind}"].add(
            _read(path, [n for n in names if n in visible], path.name, partial(score_fields, loose=True), expected))
    for path, truth, kind in real_cases(corpus):
        sets[f"real-invoices / {kind}"].add(_read(path, INVOICE_FIELDS, path.name, score_truth, truth))
    if generated:
        from backoffice.demo.varied import HELD_OUT, write_set

        with tempfile.TemporaryDirectory() as folder:
            for path, truth in write_set(Path(folder), generated, seed, HELD_OUT):
                sets["generated held-out / invoice"].add(_read(path, INVOICE_FIELDS, path.name, score_truth, truth))
    return sets


OTHER_VENV = Path(tempfile.gettempdir()) / "bench-invoicegenerator"
OTHER_PACKAGES = ["InvoiceGenerator", "PyInvoice", "billwright", "dinbrief", "arca-factura-pdf"]
OTHER_MODULES = ["InvoiceGenerator", "pyinvoice", "billwright", "dinbrief", "factura_pdf"]


def other_software(count: int, seed: int) -> SetScore | str:
    """Invoices that other software makes (bench/other_software.py), read and scored; or why not."""
    python = OTHER_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(OTHER_VENV)], check=True)
    if subprocess.run([str(python), "-c", "import " + ", ".join(OTHER_MODULES)], capture_output=True).returncode:
        log.warning("installing %s into %s", ", ".join(OTHER_PACKAGES), OTHER_VENV)
        install = subprocess.run([str(python), "-m", "pip", "install", "-q", *OTHER_PACKAGES],
                                 capture_output=True, text=True)
        if install.returncode:
            return f"{OTHER_PACKAGES} could not be installed: {install.stderr.strip().splitlines()[-1:]}"
    result = SetScore()
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([str(python), str(ROOT / "bench" / "other_software.py"), folder, str(count), str(seed)],
                       check=True)
        for truth in sorted(Path(folder).glob("*.truth.json")):
            source = truth.with_name(truth.name.removesuffix(".truth.json"))
            result.add(_read(source, INVOICE_FIELDS, source.name, score_truth,
                             json.loads(truth.read_text(encoding="utf-8"))))
    return result


def embedded_path(corpus: Path) -> dict[str, SetScore]:
    sets: dict[str, SetScore] = defaultdict(SetScore)
    for path, expected in corpus_cases(corpus):
        kind = "order" if "order_number" in expected else "invoice"
        names = ORDER_FIELDS if kind == "order" else INVOICE_FIELDS
        label = f"{path.name} (embedded)"
        try:
            document = extract(path, kind="auto")
        except DocumentError as exc:
            score = Score()
            score.mistakes.append(f"{label}: {exc}")
            sets[f"{expected['rendering']} / {kind}"].add(score)
            continue
        score = score_fields(document, expected, names, label)
        score.add(score_line_amounts(document, [line["line_net_amount"] for line in expected.get("lines", [])], label))
        count_ok = len(document.lines) == expected.get("line_count", len(document.lines))
        score.correct["line_count"] += count_ok
        score.wrong["line_count"] += not count_ok
        sets[f"{expected['rendering']} / {kind}"].add(score)
    return sets


def _trained_on() -> set[str]:
    try:
        from backoffice.documents.ranker import model
    except ModuleNotFoundError:  # before the ranker
        return set()
    return set(model.metadata().get("trained_on", []))


def _trained(group: str, trained: set[str]) -> bool:
    """Whether the ranker saw this set in training (the generated held-out family never)."""
    return group in trained


def _table(title: str, sets: dict[str, SetScore], trained: set[str]) -> list[str]:
    out = [f"\n{title}", f"{'set':34} {'field':24} {'right':>6} {'wrong':>6} {'missed':>6} {'accuracy':>8}"]
    for group, result in sorted(sets.items()):
        score = result.score
        used = "  (used in training)" if _trained(group, trained) else "  (not used in training)"
        out.append(f"{group}: {result.documents} documents{used}")
        for name in NAMES + ["line_count"]:
            if score.total(name):
                goal = GOALS.get(name, 0.90)
                flag = "" if score.rate(name) >= goal else "  below goal"
                out.append(f"{'':34} {name:24} {score.correct[name]:6d} {score.wrong[name]:6d} "
                           f"{score.missed[name]:6d} {score.rate(name):8.1%}{flag}")
        right = sum(score.correct[n] for n in KEY_FIELDS)
        total = sum(score.total(n) for n in KEY_FIELDS)
        if total:
            out.append(f"{'':34} {'key fields':24} {right:6d} {'':6} {total - right:6d} {right / total:8.1%}"
                       f"{'' if right / total >= GOALS['key fields'] else '  below goal'}")
            share = result.all_keys_right / result.documents
            out.append(f"{'':34} {'every key field right':24} {result.all_keys_right:6d} {'':6} "
                       f"{result.documents - result.all_keys_right:6d} {share:8.1%}"
                       f"{'' if share >= GOALS['every key right'] else '  below goal'}")
    return out


def reliability(sets: dict[str, SetScore], trained: set[str]) -> list[str]:
    """Confidence bucket -> share of values right, over the sets not used in training."""
    pairs = [(c, ok) for group, result in sets.items() if not _trained(group, trained)
             for _, c, ok in result.score.confidences]
    used = sorted(g for g in sets if not _trained(group=g, trained=trained))
    out = [f"\nReliability (values given, sets not used in training: {', '.join(used)})",
           f"{'confidence':14} {'values':>7} {'right':>7} {'share right':>11}"]
    for low, high in zip(BUCKETS, BUCKETS[1:], strict=False):
        inside = [ok for c, ok in pairs if low <= c < high]
        if inside:
            out.append(f"{low:.2f} - {min(high, 1.0):.2f}    {len(inside):7d} {sum(inside):7d} {sum(inside) / len(inside):11.1%}")
    sure = [ok for c, ok in pairs if c >= 0.9]
    if sure:
        share = sum(sure) / len(sure)
        out.append(f"confidence >= 0.9: {sum(sure)} of {len(sure)} right ({share:.1%}; goal 98%"
                   f"{'' if share >= 0.98 else ', below goal'})")
    real = [ok for group, result in sets.items() if group.startswith("real-invoices")
            for _, c, ok in result.score.confidences if c >= 0.9]
    if real:
        share = sum(real) / len(real)
        out.append(f"  of which real-invoices: {sum(real)} of {len(real)} right ({share:.1%}; goal 98%"
                   f"{'' if share >= 0.98 else ', below goal'})")
    return out


def invoice2data(corpus: Path) -> tuple[int, int, list[str]]:
    folder = corpus / "invoice2data"
    templates = load_templates(folder / "templates")
    equal, results = 0, []
    cases = sorted((folder / "compare").glob("*.json"))
    for expected_path in cases:
        source = next(p for p in (expected_path.with_suffix(".pdf"), expected_path.with_suffix(".txt")) if p.exists())
        if source.suffix == ".pdf":
            words = read_words(source)
            found = match(templates, layout_text(words), lambda area, words=words: area_text(words, area))
            pictured = ocr.read_pictured_pages(source, words) if found is None else None
            if pictured is not None:  # as extract() does: pages with large images, read by OCR
                found = match(templates, layout_text(pictured), lambda area, text=pictured: area_text(text, area))
        else:
            found = match(templates, source.read_text(encoding="utf-8"))
        got = json.loads(json.dumps(found[1], default=lambda v: v.isoformat() if isinstance(v, date) else str(v))) if found else None
        same = got == json.loads(expected_path.read_text(encoding="utf-8"))[0]
        equal += same
        results.append(f"{source.name:30} {'equal' if same else 'no match' if got is None else 'different'}")
    return equal, len(cases), results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--mistakes", action="store_true", help="list every wrong or missed value")
    parser.add_argument("--generated", type=int, default=60, help="held-out generated invoices to score (0: none)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the held-out generated invoices (training uses 13)")
    parser.add_argument("--labels-only", action="store_true", help="read without the ranker (the label logic alone)")
    parser.add_argument("--scans", action="store_true", help="also score the documents as scans (bench/accuracy_scans.py)")
    parser.add_argument("--other-software", type=int, default=40, metavar="N",
                        help="invoices made by other software to score (0: none; installed under /tmp on first use)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    trained = _trained_on()
    if args.labels_only:
        from backoffice.documents.ranker import model

        model.load = lambda *args, **kwargs: None  # what reading was before the ranker
        trained = set()
    cases = corpus_cases(args.corpus)
    sets = visual(args.corpus, args.generated, args.seed)
    skipped = ""
    if args.other_software:
        made = other_software(args.other_software, args.seed)
        if isinstance(made, str):
            skipped = f"other software left out: {made}"
        else:
            sets["other software / invoice"] = made
    out = [f"{len(cases)} distinct hybrid documents and {len(real_cases(args.corpus))} real invoices in {args.corpus}",
           "label logic alone (--labels-only)" if args.labels_only else
           f"ranker trained on: {', '.join(sorted(trained)) or 'nothing (no model)'}"]
    out += [skipped] if skipped else []
    out += _table("Visual path (embedded XML ignored)", sets, trained)
    out += reliability(sets, trained)
    embedded = embedded_path(args.corpus)
    out += _table("Embedded-XML path, every expected field", embedded, set())
    equal, total, rows = invoice2data(args.corpus)
    out.append(f"\ninvoice2data templates: {equal} of {total} compare cases equal to the expected JSON")
    out.extend("  " + row for row in rows)
    if args.mistakes:
        out.append("\nMistakes:")
        for group in (sets, embedded):
            for name, result in sorted(group.items()):
                out.extend(f"  [{name}] {m}" for m in result.score.mistakes)
    sys.stdout.write("\n".join(out) + "\n")
    if args.scans:
        sys.stdout.write("\n")
        sys.stdout.flush()
        scans = [sys.executable, str(ROOT / "bench" / "accuracy_scans.py"), "--corpus", str(args.corpus)]
        subprocess.run(scans + (["--mistakes"] if args.mistakes else []), check=True)


if __name__ == "__main__":
    main()
