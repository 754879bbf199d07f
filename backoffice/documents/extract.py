"""Read a file into a :class:`~backoffice.documents.models.Document`, choosing the reader by kind."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from backoffice.documents.invoice import read_invoice
from backoffice.documents.models import Document
from backoffice.documents.pdf import DEFAULT_MAX_PAGES, read_words

log = logging.getLogger(__name__)

KINDS = ("invoice", "auto")


def extract(path: Path | str, kind: str = "invoice", *, max_pages: int = DEFAULT_MAX_PAGES) -> Document:
    """Read ``path`` as a document of ``kind`` (``invoice``, or ``auto``, which for now means invoice).

    Raises DocumentError (naming the file) when the file cannot be read, ValueError for an
    unknown kind.
    """
    if kind not in KINDS:
        raise ValueError(f"unknown document kind {kind!r}; expected one of {', '.join(KINDS)}")
    path = Path(path)
    started = time.perf_counter()
    text = read_words(path, max_pages=max_pages)
    document = read_invoice(text)
    log.info(
        "extracted",
        extra={
            "source": path.name,
            "kind": document.kind,
            "pages": document.pages,
            "fields": len(document.fields),
            "warnings": len(document.warnings),
            "ms": round((time.perf_counter() - started) * 1000, 1),
        },
    )
    return document

