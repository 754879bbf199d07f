"""No PDF of the shared corpus makes the extractor fail other than with a DocumentError.

Accuracy on the corpus is measured elsewhere; this only proves robustness on real files.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from backoffice.documents.extract import extract
from backoffice.documents.models import Document
from backoffice.errors import DocumentError

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"
PDFS = sorted(CORPUS.glob("**/*.pdf")) if CORPUS.is_dir() else []
CODES = {"empty-file", "not-a-pdf", "pdf-encrypted", "pdf-corrupt", "too-many-pages", "no-text-layer", "unknown-kind"}
KINDS = {"invoice", "credit_note", "order", "timesheet", "unknown"}


@pytest.mark.skipif(not PDFS, reason=f"no corpus at {CORPUS}")
@pytest.mark.parametrize("path", PDFS, ids=[str(p.relative_to(CORPUS)) for p in PDFS] if PDFS else None)
def test_extracts_or_refuses_cleanly(path: Path):
    try:
        document = extract(path, kind="auto")
    except DocumentError as error:
        assert error.code in CODES
        assert path.name in str(error)
        return
    assert isinstance(document, Document)
    assert document.pages >= 1 and document.source == path.name and document.kind in KINDS
    for name, found in document.fields.items():
        assert found.value, name
        if found.method in ("embedded-xml", "computed") and found.page is None:
            continue  # a value of the embedded XML that is not printed as such
        assert found.page is not None and 1 <= found.page <= document.pages, name
        assert found.bbox is not None and found.bbox[0] <= found.bbox[2] and found.bbox[1] <= found.bbox[3], name
