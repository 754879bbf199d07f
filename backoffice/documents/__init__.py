"""Documents: read files into fields with provenance (invoices, credit notes, timesheets, orders,
and the kinds plugins add: :mod:`~backoffice.documents.registry`)."""

from backoffice.documents.extract import extract, extract_all
from backoffice.documents.models import Document, Field
from backoffice.documents.registry import DocumentKind, Reading

__all__ = ["Document", "DocumentKind", "Field", "Reading", "extract", "extract_all"]
