"""The shared corpus's hybrid PDFs: the embedded e-invoice (or Order-X order) reads back exactly as
its expected JSON, one test per distinct document."""

from __future__ import annotations

import json

import pytest

from backoffice.documents import extract
from backoffice.documents.scoring import normalise, score_fields
from tests.golden.conftest import CORPUS

FIELDS = ["invoice_number", "order_number", "issue_date", "due_date", "seller_name", "seller_vat_id", "buyer_name",
          "order_reference", "currency", "iban", "net_total", "tax_total", "grand_total", "amount_due",
          "requested_delivery_date"]


def _cases() -> list[tuple[str, dict]]:
    seen, cases = set(), []
    for path in sorted((CORPUS / "_expected").rglob("*.expected.json")) if CORPUS.is_dir() else []:
        expected = json.loads(path.read_text(encoding="utf-8"))
        if expected["sha256"] not in seen:
            seen.add(expected["sha256"])
            cases.append((expected["source_pdf"], expected))
    return cases


CASES = _cases()


@pytest.mark.skipif(not CASES, reason=f"no corpus at {CORPUS}")
@pytest.mark.parametrize(("source", "expected"), CASES, ids=[c[0] for c in CASES])
def test_the_embedded_document_is_read_exactly(source, expected):
    document = extract(CORPUS / source, kind="auto")
    assert document.method == "embedded-xml"
    assert document.kind == ("order" if "order_number" in expected else "invoice")
    score = score_fields(document, expected, FIELDS, source)
    assert score.mistakes == []
    lines = [{"name": line.get("description"), "quantity": line.get("quantity"), "amount": line.get("amount")}
             for line in document.lines]
    want = [{"name": normalise("description", line["name"]), "quantity": normalise("quantity", line["quantity"]),
             "amount": normalise("amount", line["line_net_amount"])} for line in expected["lines"]]
    got = [{key: normalise("description" if key == "name" else key, found.value) if found else None
            for key, found in line.items()} for line in lines]
    assert got == want
