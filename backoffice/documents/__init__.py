"""Documents: read files into fields with provenance (invoices, credit notes, timesheets, orders)."""

from backoffice.documents.extract import extract, extract_all
from backoffice.documents.models import Document, Field

__all__ = ["Document", "Field", "extract", "extract_all"]
