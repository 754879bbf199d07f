"""Golden documents: generated at test time (each with ``<file>.expected.json`` beside it) and the
shared corpus's hybrid PDFs with their expected JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backoffice.demo import invoices, orders, scans, timesheets

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
SCANNED = ("classic-en", "rechnung-de")  # OCR is slow-ish: two layouts, one page each


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every generated golden document by file name; its expected JSON lies beside it."""
    folder = tmp_path_factory.mktemp("golden")
    paths = [g.path for g in invoices.generate_golden(folder / "invoices")]
    paths += [g.path for g in timesheets.generate(folder / "timesheets")]
    paths += [g.path for g in orders.generate(folder / "orders")]
    sources = invoices.generate_golden(folder / "scan-sources", seed=4, layouts=SCANNED, line_counts=(6,))
    (folder / "scans").mkdir()
    for number, source in enumerate(sources):  # an image-only PDF, then a PNG
        suffix = ".pdf" if number % 2 == 0 else ".png"
        paths.append(scans.scan(source.path, folder / "scans" / f"scan-{source.layout}{suffix}", seed=number))
    return {p.name: p for p in paths}


def expected_of(path: Path) -> dict:
    return json.loads(path.with_name(path.name + ".expected.json").read_text(encoding="utf-8"))
