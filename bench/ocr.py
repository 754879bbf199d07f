"""OCR of scanned pages, step by step: what each clean-up step (backoffice/documents/scan.py) and
the language choice are worth, in words read right and CPU seconds per page.

    .venv/bin/python bench/ocr.py [--runs 1] [--rapidocr-python /tmp/venv/bin/python] [--engines-only]

Pages: generated invoices in six layouts (English, German, French, Dutch, Spanish), spoilt by
backoffice.demo.scans with a fixed seed: scans at 200 and 300 dpi, phone photos, and the 200 dpi
scans turned on their side or upside down. "words right" is the share of the words of the
document's text layer that the OCR gives back (as a multiset, case and punctuation aside). Each
row switches one step off; "no clean-up" switches them all off, as before the clean-up existed.

The last table sets the OCR engines side by side on the same cleaned pages: words right, the key
fields of the invoice read from those words (bench/accuracy.py's), and CPU seconds per page on one
thread. Tesseract always; with ``--rapidocr-python`` (a Python that has ``rapidocr_onnxruntime``
installed: PP-OCRv4's ONNX models ship inside its wheel; never a dependency of backoffice) also
RapidOCR, which that Python runs in a child process kept loaded, the clean-up and the invoice
reading staying here.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# bench/queue.py would shadow the standard library's queue (which multiprocessing needs).
sys.path[:] = [str(ROOT)] + [p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench"]
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

from backoffice.demo import invoices, scans  # noqa: E402
from backoffice.documents import ocr, scan  # noqa: E402
from backoffice.documents.invoice import read_invoice  # noqa: E402
from backoffice.documents.pdf import PdfText, read_words  # noqa: E402
from backoffice.documents.scoring import score_fields  # noqa: E402

KEY_FIELDS = ["invoice_number", "order_number", "issue_date", "currency", "grand_total"]  # bench/accuracy.py's

# RapidOCR (PP-OCRv4 detection and recognition as ONNX models inside its wheel), kept loaded in a
# child process that reads the page images it is sent and answers in tesseract's layout: one entry
# per word, a line's box shared out among its words by their characters (RapidOCR gives lines).
RAPIDOCR = textwrap.dedent("""
    import json, resource, sys
    from rapidocr_onnxruntime import RapidOCR
    def cpu():
        own = resource.getrusage(resource.RUSAGE_SELF)
        return own.ru_utime + own.ru_stime
    engine = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1)
    print("ready", flush=True)
    for path in sys.stdin:
        started = cpu()
        found, _ = engine(path.strip())
        data = {"text": [], "conf": [], "left": [], "top": [], "width": [], "height": []}
        for box, text, score in found or ():
            xs, ys = [p[0] for p in box], [p[1] for p in box]
            x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
            at = 0
            for word in text.split():
                begin = text.index(word, at)
                at = begin + len(word)
                data["text"].append(word)
                data["conf"].append(100 * float(score))
                data["left"].append(int(x0 + (x1 - x0) * begin / len(text)))
                data["top"].append(int(y0))
                data["width"].append(max(1, int((x1 - x0) * len(word) / len(text))))
                data["height"].append(int(y1 - y0))
        print(json.dumps({"data": data, "cpu": cpu() - started}), flush=True)
""")


class RapidOCR:
    """The RapidOCR child process (``python`` must have ``rapidocr_onnxruntime``): reads a page
    image and gives tesseract's layout of words, and the CPU seconds it spent."""

    def __init__(self, python: str, folder: Path):
        runner = folder / "rapidocr_runner.py"
        runner.write_text(RAPIDOCR, encoding="utf-8")
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        self.child = subprocess.Popen(
            [python, str(runner)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env
        )
        assert self.child.stdout is not None and self.child.stdout.readline().strip() == "ready"
        self.folder, self.cpu, self.count = folder, 0.0, 0

    def read(self, image, *_args) -> dict:
        self.count += 1
        path = self.folder / f"rapidocr-{self.count}.png"
        image.save(path)
        assert self.child.stdin is not None and self.child.stdout is not None
        self.child.stdin.write(f"{path}\n")
        self.child.stdin.flush()
        answer = json.loads(self.child.stdout.readline())
        path.unlink()
        self.cpu += answer["cpu"]
        return answer["data"]

    def close(self) -> None:
        assert self.child.stdin is not None
        self.child.stdin.close()
        self.child.wait(timeout=60)


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _key(text: str) -> str:
    return re.sub(r"\W", "", text.lower())


def words_right(truth: list[str], got: list[str]) -> float:
    want = Counter(k for k in map(_key, truth) if k)
    have = Counter(k for k in map(_key, got) if k)
    return sum((want & have).values()) / max(1, sum(want.values()))


def make_pages(folder: Path) -> dict[str, list[tuple[object, float | None, list[str], dict]]]:
    """Set name -> (image, recorded dpi, the words of the text layer, the invoice's fields) per page."""
    sources = invoices.generate_golden(folder, seed=18, line_counts=(8,))
    sets: dict[str, list] = {"scan 200 dpi": [], "scan 300 dpi": [], "photo": [], "sideways or upside down": []}
    for number, generated in enumerate(sources):
        truth = [w.text for w in read_words(generated.path).pages[0]]
        fields = generated.expected
        sets["scan 200 dpi"].append((scans.pages(generated.path, "scan", dpi=200, seed=number)[0], 200, truth, fields))
        sets["scan 300 dpi"].append((scans.pages(generated.path, "scan", dpi=300, seed=number)[0], 300, truth, fields))
        sets["photo"].append((scans.pages(generated.path, "photo", seed=number)[0], None, truth, fields))
        turned = sets["scan 200 dpi"][-1][0].rotate((90, 180, 270)[number % 3], expand=True)
        sets["sideways or upside down"].append((turned, 200, truth, fields))
    return sets


def measure(pages, steps: tuple[str, ...], languages: str, runs: int) -> tuple[float, float, float]:
    """Mean words right, median CPU s and median wall s per page."""
    rates, cpu, wall = [], [], []
    for image, dpi, truth, _ in pages:
        for _ in range(runs):
            started, cpu_started = time.perf_counter(), _cpu()
            words = ocr.PageReader("bench", languages=languages, steps=steps).read_image(image, 1, dpi)
            cpu.append(_cpu() - cpu_started)
            wall.append(time.perf_counter() - started)
        rates.append(words_right(truth, [w.text for w in words]))
    return statistics.mean(rates), statistics.median(cpu), statistics.median(wall)


def compare(sets: dict, rapid: RapidOCR | None) -> list[str]:
    """Tesseract against RapidOCR on the same cleaned pages: words right, key fields of the invoice
    read from those words, CPU s per page (this process, and RapidOCR's child)."""
    rows = []
    engines = [("tesseract", None)] + ([("RapidOCR", rapid)] if rapid else [])
    for name, pages in sets.items():
        if name.startswith("sideways"):
            continue
        for engine, child in engines:
            rates, cpu, right, total = [], [], 0, 0
            for image, dpi, truth, expected in pages:
                reader = ocr.PageReader("bench", steps=scan.STEPS)
                if child is not None:  # the same clean-up, then RapidOCR reads the page
                    reader._tesseract = child.read  # type: ignore[method-assign]  # the bench swaps the engine
                    reader.languages = "eng"  # RapidOCR has no language packs: no first pass
                started, child_started = _cpu(), child.cpu if child else 0.0
                words = reader.read_image(image, 1, dpi)
                text = PdfText(source="bench", page_count=1, pages=[words], sizes=[reader.sizes[1]], ocr_pages={1})
                document = read_invoice(text)
                cpu.append(_cpu() - started + (child.cpu - child_started if child else 0.0))
                rates.append(words_right(truth, [w.text for w in words]))
                score = score_fields(document, expected, KEY_FIELDS)
                right += sum(score.correct.values())
                total += sum(score.total(n) for n in KEY_FIELDS)
            rows.append(
                f"{name:26} {engine:30} {statistics.mean(rates):12.1%} {statistics.median(cpu):10.2f} "
                f"{right / max(1, total):11.1%}"
            )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1, help="readings per page (CPU time: the median)")
    parser.add_argument("--rapidocr-python", help="a Python that has rapidocr_onnxruntime installed")
    parser.add_argument("--engines-only", action="store_true", help="only the engine comparison (no step rows)")
    args = parser.parse_args()
    out = [f"{'set':26} {'reading':30} {'words right':>12} {'CPU s/page':>10} {'wall s/page':>11}"]
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as folder:
        sets = make_pages(Path(folder))
        for name, pages in sets.items() if not args.engines_only else ():
            variants = {"every step": scan.STEPS, "no clean-up": ()}
            variants.update({f"without {step}": tuple(s for s in scan.STEPS if s != step) for step in scan.STEPS})
            for label, steps in variants.items():
                rate, cpu, wall = measure(pages, steps, "auto", args.runs)
                out.append(f"{name:26} {label:30} {rate:12.1%} {cpu:10.2f} {wall:11.2f}")
            sys.stdout.write("\n".join(out) + "\n")
            out = []
        for languages in ("eng", "eng+deu+fra", "eng+deu+fra+nld+spa+ita+por+pol+ces+swe+dan+nor+fin"):
            if args.engines_only:
                break
            rate, cpu, wall = measure(sets["scan 200 dpi"], scan.STEPS, languages, args.runs)
            out.append(f"{'scan 200 dpi':26} {'languages ' + languages[:20]:30} {rate:12.1%} {cpu:10.2f} {wall:11.2f}")
        out.append(
            f"\n{'set':26} {'engine (every clean-up step)':30} {'words right':>12} {'CPU s/page':>10} {'key fields':>11}"
        )
        rapid = RapidOCR(args.rapidocr_python, Path(folder)) if args.rapidocr_python else None
        try:
            out.extend(compare(sets, rapid))
        finally:
            if rapid:
                rapid.close()
    out.append(
        f"\nmachine: {os.cpu_count()} cores; load average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}"
    )
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
