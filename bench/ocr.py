"""OCR of scanned pages, step by step: what each clean-up step (backoffice/documents/scan.py) and
the language choice are worth, in words read right and CPU seconds per page.

    .venv/bin/python bench/ocr.py [--runs 1] [--rapidocr-python /tmp/venv/bin/python]

Pages: generated invoices in six layouts (English, German, French, Dutch, Spanish), spoilt by
backoffice.demo.scans with a fixed seed: scans at 200 and 300 dpi, phone photos, and the 200 dpi
scans turned on their side or upside down. "words right" is the share of the words of the
document's text layer that the OCR gives back (as a multiset, case and punctuation aside). Each
row switches one step off; "no clean-up" switches them all off, as before the clean-up existed.

With ``--rapidocr-python`` (a Python with ``rapidocr`` and ``onnxruntime`` installed, never a
dependency of backoffice), RapidOCR reads the same raw pages there, on one thread, for comparison.
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
from backoffice.documents.pdf import read_words  # noqa: E402

RAPIDOCR = textwrap.dedent("""
    import json, resource, sys
    from rapidocr import RapidOCR
    def cpu():
        own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime
    engine = RapidOCR(params={"EngineConfig.onnxruntime.intra_op_num_threads": 1,
                              "EngineConfig.onnxruntime.inter_op_num_threads": 1})
    engine(sys.argv[1])  # load the models before timing
    out = {}
    for path in sys.argv[1:]:
        started = cpu()
        found = engine(path)
        out[path] = {"words": [w for line in (found.txts or ()) for w in line.split()], "cpu": cpu() - started}
    print(json.dumps(out))
""")


def _cpu() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _key(text: str) -> str:
    return re.sub(r"\W", "", text.lower())


def words_right(truth: list[str], got: list[str]) -> float:
    want = Counter(k for k in map(_key, truth) if k)
    have = Counter(k for k in map(_key, got) if k)
    return sum((want & have).values()) / max(1, sum(want.values()))


def make_pages(folder: Path) -> dict[str, list[tuple[object, float | None, list[str]]]]:
    """Set name -> (image, recorded dpi, the words of the text layer) per page."""
    sources = invoices.generate_golden(folder, seed=18, line_counts=(8,))
    sets: dict[str, list] = {"scan 200 dpi": [], "scan 300 dpi": [], "photo": [], "sideways or upside down": []}
    for number, generated in enumerate(sources):
        truth = [w.text for w in read_words(generated.path).pages[0]]
        sets["scan 200 dpi"].append((scans.pages(generated.path, "scan", dpi=200, seed=number)[0], 200, truth))
        sets["scan 300 dpi"].append((scans.pages(generated.path, "scan", dpi=300, seed=number)[0], 300, truth))
        sets["photo"].append((scans.pages(generated.path, "photo", seed=number)[0], None, truth))
        turned = sets["scan 200 dpi"][-1][0].rotate((90, 180, 270)[number % 3], expand=True)
        sets["sideways or upside down"].append((turned, 200, truth))
    return sets


def measure(pages, steps: tuple[str, ...], languages: str, runs: int) -> tuple[float, float, float]:
    """Mean words right, median CPU s and median wall s per page."""
    rates, cpu, wall = [], [], []
    for image, dpi, truth in pages:
        for _ in range(runs):
            started, cpu_started = time.perf_counter(), _cpu()
            words = ocr.PageReader("bench", languages=languages, steps=steps).read_image(image, 1, dpi)
            cpu.append(_cpu() - cpu_started)
            wall.append(time.perf_counter() - started)
        rates.append(words_right(truth, [w.text for w in words]))
    return statistics.mean(rates), statistics.median(cpu), statistics.median(wall)


def rapidocr(python: str, sets: dict, folder: Path) -> list[str]:
    paths, truths = {}, {}
    for name, pages in sets.items():
        if name.startswith("sideways"):
            continue
        for number, (image, _, truth) in enumerate(pages):
            path = folder / f"{name.replace(' ', '-')}-{number}.png"
            image.save(path)
            paths[str(path)], truths[str(path)] = name, truth
    runner = folder / "rapidocr_runner.py"
    runner.write_text(RAPIDOCR, encoding="utf-8")
    done = subprocess.run(
        [python, str(runner), *paths],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )
    found = json.loads(done.stdout.strip().splitlines()[-1])
    rows = []
    for name in dict.fromkeys(paths.values()):
        mine = [p for p in paths if paths[p] == name]
        rate = statistics.mean(words_right(truths[p], found[p]["words"]) for p in mine)
        rows.append(
            f"{name:26} {'RapidOCR (raw page, 1 thread)':30} {rate:12.1%} {statistics.median(found[p]['cpu'] for p in mine):10.2f}"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=1, help="readings per page (CPU time: the median)")
    parser.add_argument("--rapidocr-python", help="a Python that has rapidocr and onnxruntime installed")
    args = parser.parse_args()
    out = [f"{'set':26} {'reading':30} {'words right':>12} {'CPU s/page':>10} {'wall s/page':>11}"]
    with tempfile.TemporaryDirectory(prefix="bench-ocr-") as folder:
        sets = make_pages(Path(folder))
        for name, pages in sets.items():
            variants = {"every step": scan.STEPS, "no clean-up": ()}
            variants.update({f"without {step}": tuple(s for s in scan.STEPS if s != step) for step in scan.STEPS})
            for label, steps in variants.items():
                rate, cpu, wall = measure(pages, steps, "auto", args.runs)
                out.append(f"{name:26} {label:30} {rate:12.1%} {cpu:10.2f} {wall:11.2f}")
            sys.stdout.write("\n".join(out) + "\n")
            out = []
        for languages in ("eng", "eng+deu+fra", "eng+deu+fra+nld+spa+ita+por+pol+ces+swe+dan+nor+fin"):
            rate, cpu, wall = measure(sets["scan 200 dpi"], scan.STEPS, languages, args.runs)
            out.append(f"{'scan 200 dpi':26} {'languages ' + languages[:20]:30} {rate:12.1%} {cpu:10.2f} {wall:11.2f}")
        if args.rapidocr_python:
            out.extend(rapidocr(args.rapidocr_python, sets, Path(folder)))
    out.append(
        f"\nmachine: {os.cpu_count()} cores; load average at the end: {' '.join(f'{v:.2f}' for v in os.getloadavg())}"
    )
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
