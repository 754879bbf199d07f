"""``backoffice extract FILE... [--kind] [--ignore-embedded] [--json]``: the issue's JSON shape."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from backoffice.cli import app
from backoffice.demo import orders
from backoffice.demo.invoices import generate

runner = CliRunner()
CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"


def _json(*args: str) -> tuple[int, object]:
    result = runner.invoke(app, ["extract", *args, "--json"])
    return result.exit_code, json.loads(result.stdout)


def test_json_has_the_issue_shape(tmp_path):
    [generated] = generate(tmp_path, count=1, seed=7)
    code, data = _json(str(generated.path))
    assert code == 0
    assert {"kind", "method", "fields", "lines", "warnings"} <= set(data)
    assert data["kind"] == "invoice" and data["method"] == "text-layer"
    number = data["fields"]["invoice_number"]
    assert {"value", "confidence", "page", "bbox", "text"} <= set(number) and number["value"] == generated.expected["invoice_number"]
    assert len(number["bbox"]) == 4 and number["page"] == 1
    assert data["lines"][0] == {k: v for k, v in generated.lines[0].items()}  # values as strings
    assert all(isinstance(v, str) for line in data["lines"] for v in line.values())


def test_several_files_and_a_bad_one(tmp_path):
    paths = [g.path for g in orders.generate(tmp_path)[:2]]
    bad = tmp_path / "empty.pdf"
    bad.write_bytes(b"")
    code, data = _json(*map(str, paths), str(bad), "--kind", "order")
    assert code == 1
    assert [d.get("kind") for d in data] == ["order", "order", None]
    assert data[2]["code"] == "empty-file" and data[2]["error"].startswith("empty.pdf:")


@pytest.mark.skipif(not CORPUS.is_dir(), reason="no shared corpus")
def test_ignore_embedded_reads_the_printed_page():
    path = str(CORPUS / "horstoeko-zugferd/tests/assets/pdf_zf_en16931_1.pdf")
    assert _json(path)[1]["method"] == "embedded-xml"
    assert _json(path, "--ignore-embedded")[1]["method"] == "text-layer"


def test_an_unknown_kind_is_refused(tmp_path):
    [generated] = generate(tmp_path, count=1, seed=7)
    code, data = _json(str(generated.path), "--kind", "receipt")
    assert code == 1 and "receipt" in data["error"]
