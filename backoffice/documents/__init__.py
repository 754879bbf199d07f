"""Documents: read files into fields with provenance."""

from backoffice.documents.models import Document, Field

__all__ = ["Document", "Field", "extract"]


def extract(path, kind: str = "invoice") -> "Document":
    """Read ``path`` as a document of ``kind``; raise DocumentError naming the file when it cannot."""
    from backoffice.documents.extract import extract as _extract

    return _extract(path, kind)
