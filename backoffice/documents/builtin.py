"""The built-in document kinds, registered like a plugin's: :data:`backoffice.extractors.BUILTIN`
names each of them here by dotted path, so this module (and the readers under it) is imported
only when a document is read.

``auto`` decides per file (invoice, credit note, timesheet or order) and declares no fields of
its own: a rule file names the kind it reads.
"""

from __future__ import annotations

from functools import partial

from backoffice.documents.extract import read_builtin
from backoffice.documents.models import (
    INVOICE_FIELDS,
    INVOICE_LINE_FIELDS,
    ORDER_FIELDS,
    ORDER_LINE_FIELDS,
    TIMESHEET_FIELDS,
    TIMESHEET_LINE_FIELDS,
)
from backoffice.documents.registry import DocumentKind

AUTO = DocumentKind(
    "auto",
    partial(read_builtin, kind="auto"),
    fields={},
    gives=frozenset({"invoice", "credit_note", "timesheet", "order"}),
    description="Decided per document from its content: invoice, credit note, timesheet or order.",
)
INVOICE = DocumentKind(
    "invoice",
    partial(read_builtin, kind="invoice"),
    INVOICE_FIELDS,
    INVOICE_LINE_FIELDS,
    gives=frozenset({"invoice", "credit_note"}),
    description="Invoices and credit notes.",
)
TIMESHEET = DocumentKind(
    "timesheet",
    partial(read_builtin, kind="timesheet"),
    TIMESHEET_FIELDS,
    TIMESHEET_LINE_FIELDS,
    description="Timesheets and time cards.",
)
ORDER = DocumentKind(
    "order",
    partial(read_builtin, kind="order"),
    ORDER_FIELDS,
    ORDER_LINE_FIELDS,
    description="Purchase orders, order changes and responses.",
)
