"""Extraction accuracy on the shared corpus, per field and layout kind: correct, wrong, missed.

    .venv/bin/python bench/accuracy.py [--corpus ../shared/corpus] [--mistakes]

Three tables, as the corpus's README asks:
1. the visual path (text layer, embedded XML switched off) on every distinct hybrid PDF, scoring
   only the fields its expected JSON marks ``visible_in_text_layer``, by rendering
   (``designed-layout`` / ``xml-visualisation``) and document kind; line items by amount;
2. the embedded-XML path: every non-empty expected field, and the line count and amounts;
3. the invoice2data compare set read with its own templates: records equal to the expected JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import defaultdict
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/queue.py would shadow the standard library's queue (which multiprocessing needs).
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]

from backoffice.documents import extract, ocr  # noqa: E402
from backoffice.documents.pdf import read_words  # noqa: E402
from backoffice.documents.scoring import Score, score_fields, score_line_amounts  # noqa: E402
from backoffice.documents.templates import load_templates, match  # noqa: E402
from backoffice.documents.templates.layout_text import area_text, layout_text  # noqa: E402
from backoffice.errors import DocumentError  # noqa: E402

log = logging.getLogger("bench.accuracy")

INVOICE_FIELDS = ["invoice_number", "issue_date", "due_date", "seller_name", "seller_vat_id", "buyer_name",
                  "order_reference", "currency", "iban", "net_total", "tax_total", "grand_total", "amount_due"]
ORDER_FIELDS = ["order_number", "issue_date", "seller_name", "seller_vat_id", "buyer_name", "order_reference",
                "currency", "net_total", "tax_total",
                "grand_total", "requested_delivery_date"]
GOALS = {"invoice_number": 0.95, "issue_date": 0.95, "currency": 0.95, "grand_total": 0.95, "seller_name": 0.90,
         "buyer_name": 0.90, "net_total": 0.90, "tax_total": 0.90, "line_amount": 0.90}


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


def _table(title: str, groups: dict[str, Score], names: list[str]) -> str:
    lines = [f"\n{title}", f"{'layout / kind':34} {'field':22} {'correct':>7} {'wrong':>6} {'missed':>6} {'accuracy':>8}"]
    for group, score in sorted(groups.items()):
        for name in names:
            if score.total(name):
                goal = GOALS.get(name)
                flag = "" if goal is None or "designed" not in group else ("  ok" if score.rate(name) >= goal else "  below goal")
                lines.append(f"{group:34} {name:22} {score.correct[name]:7d} {score.wrong[name]:6d} "
                             f"{score.missed[name]:6d} {score.rate(name):8.1%}{flag}")
    return "\n".join(lines)


def visual(cases: list[tuple[Path, dict]]) -> tuple[dict[str, Score], dict[str, Score]]:
    fields: dict[str, Score] = defaultdict(Score)
    embedded: dict[str, Score] = defaultdict(Score)
    for path, expected in cases:
        kind = "order" if "order_number" in expected else "invoice"
        group = f"{expected['rendering']} / {kind}"
        names = ORDER_FIELDS if kind == "order" else INVOICE_FIELDS
        label = path.name
        visible = [n for n, v in (expected.get("visible_in_text_layer") or {}).items() if v]
        if expected.get("usable_for_text_scoring"):
            try:
                document = extract(path, kind="auto", ignore_embedded=True)
                fields[group].add(score_fields(document, expected, [n for n in names if n in visible], label))
                amounts = [line["line_net_amount"] for line in expected.get("lines", [])]
                if expected["rendering"] == "designed-layout" and amounts:
                    fields[group].add(score_line_amounts(document, amounts, label))
            except DocumentError as exc:
                score = Score()
                for name in (n for n in names if n in visible and expected.get(n) is not None):
                    score.missed[name] += 1
                score.mistakes.append(f"{label}: {exc}")
                fields[group].add(score)
        try:
            document = extract(path, kind="auto")
        except DocumentError as exc:
            embedded[group].mistakes.append(f"{label}: {exc}")
            continue
        score = score_fields(document, expected, names, label)
        score.add(score_line_amounts(document, [line["line_net_amount"] for line in expected.get("lines", [])], label))
        count_ok = len(document.lines) == expected.get("line_count", len(document.lines))
        score.correct["line_count"] += count_ok
        score.wrong["line_count"] += not count_ok
        embedded[group].add(score)
    return fields, embedded


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
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    cases = corpus_cases(args.corpus)
    fields, embedded = visual(cases)
    names = ["invoice_number", "order_number", "issue_date", "due_date", "seller_name", "buyer_name", "currency",
             "net_total", "tax_total", "grand_total", "amount_due", "requested_delivery_date", "line_amount"]
    out = [f"{len(cases)} distinct documents in {args.corpus}"]
    out.append(_table("Visual path (embedded XML ignored), fields visible in the text layer", fields, names))
    out.append(_table("Embedded-XML path, every expected field", embedded,
                      names + ["seller_vat_id", "order_reference", "iban", "line_count"]))
    equal, total, rows = invoice2data(args.corpus)
    out.append(f"\ninvoice2data templates: {equal} of {total} compare cases equal to the expected JSON")
    out.extend("  " + row for row in rows)
    if args.mistakes:
        out.append("\nMistakes:")
        for group in (fields, embedded):
            for score in group.values():
                out.extend("  " + m for m in score.mistakes)
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
