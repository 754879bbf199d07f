"""Train the field ranker and write it into the package (``ranker/model.json.gz``).

    python -m backoffice.documents.ranker.train [--documents 1200] [--seed 13] [--corpus ../shared/corpus]
                                                [--out PATH] [--trees 80] [--ocr-share 0.1] [--ocr-cache DIR]

1. Generate ``--documents`` varied invoices of the training family (:mod:`backoffice.demo.varied`)
   and, when ``--corpus`` is given, add the corpus's hybrid invoices read from their text layer
   (fields their expected JSON marks visible). Documents of the held-out family and the corpus's
   ``real-invoices`` are never used. With ``--ocr-share``, that share of the generated invoices
   (drawn with the seed) is also rendered as a scan (:func:`backoffice.demo.scans.read_scanned`)
   and read by OCR, so the ranker also learns from OCR's words, boxes and mistakes; the words
   OCR read are kept in ``--ocr-cache`` (one JSON file per page text, style, resolution and seed),
   so training again only reads the documents it has not read before.
2. Read each like :func:`~backoffice.documents.invoice.read_invoice` does, up to the candidates
   and their features; a candidate is right when its value equals the truth.
3. Per field, grow gradient-boosted trees (LightGBM, fixed seed, one thread: the same input gives
   the same file). Three-fold out-of-fold scores, put through the same choice of values as
   reading does, fit the calibration (isotonic, each step at its 95% lower bound), per field and per state of
   the totals (added up, alone, in doubt); the corpus's documents get maps of their own, and a
   value's confidence is the lower of the two. A value with weak evidence (:func:`pick.weak`)
   never promises more than such values were right out of fold (``weak_ceiling``).

Needs the ``train`` extra (LightGBM); reading invoices with the model needs numpy only.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import gzip
import hashlib
import json
import logging
import math
import os
import random
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

from backoffice.documents.candidates import Candidate
from backoffice.documents.invoice import Reader, gather, line_total
from backoffice.documents.line_items import read_lines
from backoffice.documents.pdf import PdfText, Word, read_words
from backoffice.documents.ranker import features, pick
from backoffice.documents.ranker.model import MODEL_PATH, Trees, prior
from backoffice.documents.scoring import normalise, same_value
from backoffice.errors import DocumentError

log = logging.getLogger(__name__)

FOLDS = 3
RANKED = [name for name in features.FIELDS if name not in features.RULED]
MIN_CALIBRATION = 30  # values per calibration key; fewer fall back to the field's pooled one
OCR_STYLE, OCR_DPI = "scan", 200
OCR_CACHE = Path.home() / ".cache" / "backoffice" / "ranker-ocr"


class Example:
    """One document's candidates, their features and which are right."""

    def __init__(self, name: str, table: dict, truth: dict, real: bool = False):
        self.name = name
        self.real = real  # a corpus document, not a generated one
        self.table = table
        self.truth = truth
        self.right = {
            field: [_right(field, c.value, truth.get(field)) for c in table[field][0]]
            for field in features.FIELDS
            if field in truth
        }


def _right(field: str, value: str, want: object) -> bool:
    got, want = normalise(field, value), normalise(field, want)
    return got is not None and want is not None and same_value(field, got, want)


def read_example(path: Path, truth: dict, real: bool = False) -> Example | None:
    try:
        text = read_words(path, ocr=False)
    except DocumentError as exc:
        log.warning("skipped", extra={"path": str(path), "reason": exc.reason})
        return None
    return example_of(path.name, text, truth, real)


def example_of(name: str, text: PdfText, truth: dict, real: bool = False) -> Example:
    reader = Reader(text)
    items, headers = read_lines(reader.lines, reader.decimal_mark)
    found = gather(reader, items, headers, every=True)
    return Example(name, features.table(reader, found, line_total(items)), truth, real)


def _cached(path: Path, seed: int, cache: Path) -> Path:
    """Where the OCR reading of ``path``'s scan is kept. The key is the page text itself (not the
    file, whose bytes hold a date), the style, the resolution, the seed and :func:`ocr_fingerprint`."""
    printed = read_words(path, ocr=False)
    key = hashlib.sha256(
        json.dumps([[(w.text, round(w.x0, 1), round(w.top, 1)) for w in page] for page in printed.pages]).encode()
        + f"|{OCR_STYLE}|{OCR_DPI}|{seed}|{ocr_fingerprint()}".encode()
    ).hexdigest()
    return cache / f"{key}.json"


def _load(stored: Path) -> PdfText:
    data = json.loads(stored.read_text(encoding="utf-8"))
    sizes = [tuple(size) for size in data["sizes"]]
    text = PdfText(source=data.get("source", stored.name), page_count=data["page_count"], sizes=sizes)
    text.pages = [[Word(**w) for w in page] for page in data["pages"]]
    text.ocr_pages = set(data["ocr_pages"])
    return text


def _read_scan(job: tuple[str, int, str]) -> PdfText:
    """Render ``path`` as a scan, read it by OCR and keep what was read at ``stored``."""
    from backoffice.demo.scans import read_scanned

    path, seed, stored = job
    text = read_scanned(Path(path), OCR_STYLE, dpi=OCR_DPI, seed=seed)
    data = {
        "source": text.source,
        "page_count": text.page_count,
        "sizes": text.sizes,
        "pages": [[dataclasses.asdict(w) for w in page] for page in text.pages],
        "ocr_pages": sorted(text.ocr_pages),
    }
    Path(stored).parent.mkdir(parents=True, exist_ok=True)
    partial = Path(stored).with_suffix(".part")
    partial.write_text(json.dumps(data), encoding="utf-8")
    partial.replace(stored)  # a run stopped half-way leaves no half-written entry
    return text


@functools.cache
def ocr_fingerprint() -> str:
    """What makes OCR read a page the way it does: tesseract's version and the code that spoils,
    cleans and reads a scan. A reading cached by another version of either is not used."""
    import tesserocr

    from backoffice.demo import scans
    from backoffice.documents import ocr, ocr_engine, scan

    digest = hashlib.sha256(tesserocr.tesseract_version().encode())
    for module in (scans, scan, ocr, ocr_engine):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()[:16]


def corpus_examples(corpus: Path) -> list[Example]:
    """The corpus's hybrid invoices (not orders), truth = the visible fields of their expected JSON."""
    examples, seen = [], set()
    for path in sorted((corpus / "_expected").rglob("*.expected.json")):
        expected = json.loads(path.read_text(encoding="utf-8"))
        if expected["sha256"] in seen or "order_number" in expected or not expected.get("usable_for_text_scoring"):
            continue
        seen.add(expected["sha256"])
        visible = {n for n, v in (expected.get("visible_in_text_layer") or {}).items() if v}
        truth = {n: expected.get(n) for n in features.FIELDS if n in visible and expected.get(n) is not None}
        example = read_example(corpus / expected["source_pdf"], truth, real=True)
        if example:
            examples.append(example)
    return examples


def generated_examples(
    count: int, seed: int, ocr_share: float = 0.0, cache: Path = OCR_CACHE, jobs: int = 0
) -> list[Example]:
    """``count`` generated invoices read from their text layer; ``ocr_share`` of them (drawn with
    ``seed``) also read by OCR from a scan of them (named ``<file>#ocr``), ``jobs`` scans at a time
    (0: one per core). Each scan's example follows its document's, whichever process read it."""
    from backoffice.demo.varied import TRAINING, write_set

    examples = []
    rng = random.Random(f"ocr-{seed}")
    with tempfile.TemporaryDirectory() as folder:
        written = list(write_set(Path(folder), count, seed, TRAINING))
        scanned = [number for number in range(len(written)) if rng.random() < ocr_share]
        texts = dict(zip(scanned, _read_scans([(written[n][0], seed + n) for n in scanned], cache, jobs), strict=True))
        for number, (path, truth) in enumerate(written):
            example = read_example(path, truth)
            if example:
                examples.append(example)
            if number in texts and texts[number].words():
                examples.append(example_of(f"{path.name}#ocr", texts[number], truth))
    return examples


def _read_scans(scans: list[tuple[Path, int]], cache: Path, jobs: int) -> list[PdfText]:
    """OCR's words of each (path, seed) scan, in order: from ``cache`` where they were read
    before, the others read by ``jobs`` worker processes (0: one per core)."""
    from concurrent.futures import ProcessPoolExecutor

    from backoffice.processes import context

    stored = [_cached(path, seed, cache) for path, seed in scans]
    missing = [
        (str(path), seed, str(entry)) for (path, seed), entry in zip(scans, stored, strict=True) if not entry.exists()
    ]
    workers = min(jobs or os.cpu_count() or 1, len(missing))
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers, mp_context=context()) as pool:
            for done, text in enumerate(pool.map(_read_scan, missing), start=1):
                log.info("read by OCR", extra={"path": text.source, "done": done, "of": len(missing)})
    else:
        for job in missing:
            _read_scan(job)
    return [_load(entry) for entry in stored]


def _fit(examples: list[Example], field: str, trees: int, seed: int):
    import lightgbm
    import numpy as np

    rows, labels = [], []
    for example in examples:
        if field in example.right:
            rows.extend(example.table[field][1])
            labels.extend(example.right[field])
    if not rows:
        return None
    if len(set(labels)) < 2:  # every candidate right (or none): the prior alone
        return 0.0
    params = {
        "objective": "binary",
        "num_leaves": 7,
        "learning_rate": 0.1,
        "min_data_in_leaf": 30,
        "feature_fraction": 0.9,
        "lambda_l2": 1.0,
        "seed": seed,
        "deterministic": True,
        "num_threads": 1,
        "verbose": -1,
        "force_row_wise": True,
    }
    data = lightgbm.Dataset(
        np.asarray(rows, dtype=np.float64),
        np.asarray(labels, dtype=np.float64),
        init_score=np.asarray([prior(row[0]) for row in rows]),
        free_raw_data=True,
    )
    return lightgbm.train(params, data, num_boost_round=trees)


def pack(booster) -> dict:
    """LightGBM's trees as padded arrays for :class:`~backoffice.documents.ranker.model.Trees`; a
    constant (every candidate of the field right, or none) as one leaf."""
    if isinstance(booster, float):
        return {
            "feature": [[0]],
            "threshold": [[1e300]],
            "left": [[0]],
            "right": [[0]],
            "value": [[booster]],
            "depth": 1,
        }
    trees = []
    depth = 1
    for info in booster.dump_model()["tree_info"]:
        nodes: list[list] = []  # [feature, threshold, left, right, value]
        depth = max(depth, _walk(info["tree_structure"], nodes, 1))
        trees.append(nodes)
    width = max(len(t) for t in trees)
    padded = [t + [[0, float("inf"), i, i, 0.0] for i in range(len(t), width)] for t in trees]
    big = 1e300  # JSON has no infinity
    return {
        "feature": [[n[0] for n in t] for t in padded],
        "threshold": [[min(n[1], big) for n in t] for t in padded],
        "left": [[n[2] for n in t] for t in padded],
        "right": [[n[3] for n in t] for t in padded],
        "value": [[n[4] for n in t] for t in padded],
        "depth": depth,
    }


def _walk(node: dict, nodes: list[list], level: int) -> int:
    """Append ``node`` and its subtree to ``nodes`` (leaves loop to themselves); the depth reached."""
    index = len(nodes)
    nodes.append([0, float("inf"), index, index, 0.0])
    if "leaf_value" in node:
        nodes[index][4] = float(node["leaf_value"])
        return level
    if node.get("decision_type", "<=") != "<=":
        raise ValueError(f"unexpected split {node.get('decision_type')}")
    nodes[index][0] = int(node["split_feature"])
    nodes[index][1] = float(node["threshold"])
    nodes[index][2] = len(nodes)
    left = _walk(node["left_child"], nodes, level + 1)
    nodes[index][3] = len(nodes)
    right = _walk(node["right_child"], nodes, level + 1)
    return max(left, right)


def isotonic(points: list[tuple[float, bool]]) -> dict:
    """Pool-adjacent-violators on (score, right); each block's share is the lower end of its
    one-sided 95% Wilson interval, so that a confidence means "right at least this often", and
    few values never promise much."""
    blocks: list[list[float]] = []  # [lowest score, rights, count]
    for score, right in sorted(points):
        blocks.append([score, float(right), 1.0])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]:
            last = blocks.pop()
            blocks[-1][1] += last[1]
            blocks[-1][2] += last[2]
    xs, ys, top = [], [], 0.0
    for low, rights, count in blocks:
        top = max(top, wilson_lower(rights, count))
        xs.append(round(low, 6))
        ys.append(round(top, 4))
    return {"x": xs, "y": ys}


def wilson_lower(rights: float, count: float, z: float = 1.645) -> float:
    """The lower bound of the Wilson score interval for ``rights`` of ``count``."""
    share = rights / count
    middle = share + z * z / (2 * count)
    spread = z * math.sqrt(share * (1 - share) / count + z * z / (4 * count * count))
    return max(0.0, (middle - spread) / (1 + z * z / count))


def calibrate(examples: list[Example], scores: dict[str, dict[str, list[float]]]) -> tuple[dict[str, dict], float]:
    """Out-of-fold scores through :func:`pick.choose`, then one isotonic map per key; the corpus's
    documents also get their own maps (``real|field``, ``real|*`` pooled), and reading takes the
    lower of the two, since real documents are harder than generated ones.

    Also the most a value with weak evidence (:func:`pick.weak`) may promise: the lower end of
    the 95% interval of the share right of such values, on the corpus's documents when they are
    given (else the generated ones). A few such values promise little."""
    points: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    weak: dict[bool, list[bool]] = defaultdict(list)  # real or generated -> right or not, per weak value
    for example in examples:
        scored: dict[str, list[Candidate]] = {}
        for field in features.FIELDS:
            candidates = example.table[field][0]
            if field in features.RULED:
                scored[field] = [c for c in candidates if c.method != "shape"]
                continue
            probabilities = scores.get(example.name, {}).get(field)
            if probabilities is not None:
                scored[field] = [
                    Candidate(c.field, c.value, c.words, p, c.method)
                    for c, p in zip(candidates, probabilities, strict=True)
                ]
        chosen = pick.choose(scored)
        doubtful = pick.weak(scored, chosen)
        for field, (candidate, key) in chosen.items():
            want = example.truth.get(field)
            if field not in example.truth or want is None:
                continue
            right = _right(field, candidate.value, want)
            keys = [f"real|{field}", "real|*"] if example.real else [key, field]
            for name in keys:
                points[name].append((candidate.score, right))
            if field in doubtful:
                weak[example.real].append(right)
    maps = {key: isotonic(values) for key, values in points.items() if len(values) >= MIN_CALIBRATION}
    rights = weak[True] or weak[False]
    return maps, round(wilson_lower(sum(rights), len(rights)), 4) if rights else pick.WEAK_CONFIDENCE


def train(examples: list[Example], trees: int, seed: int) -> dict:
    """The model file's content: packed trees and calibration per field."""
    documents = sorted({_document(e) for e in examples})
    random.Random(seed).shuffle(documents)
    fold_of = {name: n % FOLDS for n, name in enumerate(documents)}  # a scan in its document's fold
    scores: dict[str, dict[str, list[float]]] = defaultdict(dict)
    for fold in range(FOLDS):
        inside = [e for e in examples if fold_of[_document(e)] != fold]
        outside = [e for e in examples if fold_of[_document(e)] == fold]
        for field in RANKED:
            booster = _fit(inside, field, trees, seed)
            if booster is None:
                continue
            packed = Trees(pack(booster))
            for example in outside:
                rows = example.table[field][1]
                if rows:
                    scores[example.name][field] = packed.probability(rows)
        log.info("fold done", extra={"fold": fold})
    calibrations, weak_ceiling = calibrate(examples, scores)
    fields = {}
    for field in RANKED:
        booster = _fit(examples, field, trees, seed)
        if booster is not None:
            fields[field] = {"trees": pack(booster)}
    return {"fields": fields, "calibrations": calibrations, "weak_ceiling": weak_ceiling}


def _document(example: Example) -> str:
    return example.name.split("#")[0]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m backoffice.documents.ranker.train",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--documents", type=int, default=1200, help="generated training invoices")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--corpus", type=Path, default=None, help="also train on this corpus's hybrid invoices")
    parser.add_argument("--trees", type=int, default=80, help="boosting rounds per field")
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--ocr-share", type=float, default=0.0, help="share of generated invoices also read by OCR")
    parser.add_argument("--ocr-cache", type=Path, default=OCR_CACHE, help="where the words OCR read are kept")
    parser.add_argument("--jobs", type=int, default=0, help="scans read by OCR at a time (0: one per core)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("fontTools").setLevel(logging.WARNING)  # fpdf2 subsetting fonts, per document
    examples = generated_examples(args.documents, args.seed, args.ocr_share, args.ocr_cache, args.jobs)
    trained_on = ["generated training"]
    if args.corpus is not None:
        examples += corpus_examples(args.corpus)
        trained_on += ["designed-layout / invoice", "xml-visualisation / invoice"]
    content = train(examples, args.trees, args.seed)
    data = {
        "version": 1,
        "features": features.NAMES,
        "trained_on": trained_on,
        "documents": len(examples),
        "seed": args.seed,
        "trees": args.trees,
        "ocr_share": args.ocr_share,
        "fields": {name: {"trees": packed["trees"]} for name, packed in content["fields"].items()},
        "calibrations": content["calibrations"],
        "weak_ceiling": content["weak_ceiling"],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("wb") as raw, gzip.GzipFile("", "wb", fileobj=raw, mtime=0) as stream:  # no name, no time
        stream.write(json.dumps(data, separators=(",", ":")).encode("utf-8"))
    sys.stdout.write(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB) from {len(examples)} documents\n")


if __name__ == "__main__":
    main()
