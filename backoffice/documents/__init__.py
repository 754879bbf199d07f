"""Documents: read files into fields with provenance."""

from backoffice.documents.extract import extract
from backoffice.documents.models import Document, Field

__all__ = ["Document", "Field", "extract"]
