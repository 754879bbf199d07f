"""Read a file into a :class:`~backoffice.documents.models.Document`: find the kind's reader in the
registry (:mod:`~backoffice.documents.registry`: the built-in kinds of :mod:`builtin`, a plugin's
by dotted path or entry point) and run it. The built-in reader decides the format by content,
prefers an embedded e-invoice, then a matching template, then the template-free readers.

::

    pdf   -> embedded XML (Factur-X, ZUGFeRD, XRechnung, Order-X)  unless ignore_embedded
          -> words (text layer; OCR for scanned pages) -> template | kind -> reader
    image -> OCR words -> kind -> reader
    xml   -> CII / ZUGFeRD 1 / UBL / Order-X / HR-XML time card
    csv, xlsx -> timesheet or order table
    email, html, text -> words on a character grid -> kind -> reader
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from backoffice.documents import ocr, registry, sniff, table, textgrid
from backoffice.documents.invoice import invoice_number_of, read_invoice
from backoffice.documents.kind import detect_kind
from backoffice.documents.layout import lines_of
from backoffice.documents.models import Document, Field
from backoffice.documents.order import COLUMNS as ORDER_COLUMNS, read_order_lines, read_order_rows
from backoffice.documents.pdf import DEFAULT_MAX_PAGES, HEADER_WINDOW, PdfText, describe, open_document, read_words
from backoffice.documents.split import split_pages
from backoffice.documents.templates import Template, match
from backoffice.documents.templates.layout_text import area_text, layout_text
from backoffice.documents.templates.mapping import locate, to_document
from backoffice.documents.timesheet import COLUMNS as TIMESHEET_COLUMNS, read_timesheet_lines, read_timesheet_rows
from backoffice.documents.xml import read_xml
from backoffice.errors import DocumentError

log = logging.getLogger(__name__)

# Attachment names of the hybrid formats, most specific first; any other *.xml is tried last.
EMBEDDED_NAMES = ("zugferd-invoice.xml", "factur-x.xml", "xrechnung.xml", "order-x.xml", "zugferd-order.xml")
_ACCEPTS = {"invoice": {"invoice", "credit_note"}, "timesheet": {"timesheet"}, "order": {"order"}}


def extract(path: Path | str, kind: str = "invoice", *, ignore_embedded: bool = False,
            templates: list[Template] | None = None, max_pages: int = DEFAULT_MAX_PAGES) -> Document:
    """Read ``path`` as a document of ``kind``: ``auto``, ``invoice``, ``timesheet``, ``order``, or
    a plugin's kind (by entry point name or dotted path ``package.module:attribute``).

    A PDF that holds several invoices gives the first, with a warning naming the others' pages
    (:func:`extract_all` gives them all). Raises DocumentError (naming the file) when the file
    cannot be read, ValueError for an unknown kind (naming the known ones).
    """
    return _extract(Path(path), kind, ignore_embedded, templates, max_pages, split=False)[0]


def extract_all(path: Path | str, kind: str = "auto", *, ignore_embedded: bool = False,
                templates: list[Template] | None = None, max_pages: int = DEFAULT_MAX_PAGES) -> list[Document]:
    """Like :func:`extract`, but one Document per invoice when a PDF holds several in a row."""
    return _extract(Path(path), kind, ignore_embedded, templates, max_pages, split=True)


def _extract(path: Path, kind: str, ignore_embedded: bool, templates: list[Template] | None, max_pages: int,
             split: bool) -> list[Document]:
    found = registry.get(kind)
    started = time.perf_counter()
    reading = registry.Reading(path, max_pages, templates, ignore_embedded, split)
    documents = registry.read(found, reading)
    if found.builtin:
        return documents
    for document in documents:
        document.source = path.name
    if len(documents) > 1 and not split:
        documents[0].warnings.append(f"the {found.name} reader found {len(documents)} documents; this is the first")
    log.info("extracted", extra={
        "source": path.name, "kind": found.name, "documents": len(documents), "fields": len(documents[0].fields),
        "ms": round((time.perf_counter() - started) * 1000, 1),
    })
    return documents[: None if split else 1]


def read_builtin(reading: registry.Reading, kind: str) -> list[Document]:
    """The built-in reader of ``kind`` (auto, invoice, timesheet or order), every format."""
    path, split, max_pages = reading.path, reading.split, reading.max_pages
    started = time.perf_counter()
    form = sniff.sniff(path)
    if form == "xml":
        documents = [read_xml(path.read_bytes(), path.name, method="xml")]
    elif form in ("csv", "xlsx"):
        documents = [_read_table(path, form, kind)]
    else:
        documents = None
        if form == "pdf" and not reading.ignore_embedded:
            embedded = _embedded(path, max_pages)
            documents = [embedded] if embedded is not None else None
        if documents is None:
            if form == "pdf":
                text = read_words(path, max_pages=max_pages)
            elif form == "image":
                text = ocr.read_image_file(path, max_pages=max_pages)
            else:
                text = textgrid.read_text_file(path, form)
            documents = _read_words(text, kind, reading.templates, split, form, path)
    for document in documents:
        document.source = path.name
        if document.kind == "unknown" or not document.fields and form not in ("pdf", "xml", "csv", "xlsx"):
            raise _unreadable(path, form)
        if kind != "auto" and document.kind not in _ACCEPTS[kind]:
            raise DocumentError(f"{path.name}: expected {'an' if kind[0] in 'aeiou' else 'a'} {kind}, but the file "
                                f"holds {'an' if document.kind[0] in 'aeiou' else 'a'} {document.kind.replace('_', ' ')}",
                                code="wrong-kind")
    log.info("extracted", extra={
        "source": path.name, "format": form, "kind": documents[0].kind, "method": documents[0].method,
        "documents": len(documents), "pages": documents[0].pages, "fields": len(documents[0].fields),
        "ms": round((time.perf_counter() - started) * 1000, 1),
    })
    return documents


_SUFFIXES = {"image": {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp", ".webp"},
             "email": {".eml", ".msg", ".txt"}, "html": {".html", ".htm"}, "text": {".txt", ".text", ".eml"}}


def _unreadable(path: Path, form: str) -> DocumentError:
    """Nothing of a known kind was found: say so, and whether the name promised another format."""
    if form != "pdf" and path.suffix.lower() not in _SUFFIXES.get(form, set()):
        with path.open("rb") as stream:
            what = describe(stream.read(HEADER_WINDOW))
        return DocumentError(f"{path.name}: not a PDF, it looks like {what}, and it holds no invoice, order or "
                             "timesheet that could be read", code="not-a-pdf")
    return DocumentError(f"{path.name}: could not tell what kind of document this is (no invoice, order or "
                         "timesheet labels found)", code="unknown-kind")


def _embedded(path: Path, max_pages: int) -> Document | None:
    """The e-invoice or e-order embedded in a PDF, or None when it has none (or only a broken one).
    The page limit holds for these PDFs too; an embedded XML that declares entities (an XXE
    attempt) is refused, not passed over for the printed text."""
    pdf = open_document(path, max_pages=max_pages)
    try:
        attached = pdf.count_attachments()  # pdfium reads the same name tree, without pdfminer's parse
    finally:
        pdf.close()
    if not attached:
        return None
    from backoffice.documents.embedded import embedded_files  # pdfminer: only for PDFs with files

    found = {name.lower(): (name, data)
             for name, data in embedded_files(path, wanted=lambda name: name.lower().endswith(".xml"))}
    ordered = [found[n] for n in EMBEDDED_NAMES if n in found] + [v for k, v in found.items() if k not in EMBEDDED_NAMES]
    for name, data in ordered:
        try:
            document = read_xml(data, f"{path.name}: {name}", method="embedded-xml")
        except DocumentError as exc:
            if exc.code == "xml-entities" or b"<!ENTITY" in data or b"<!DOCTYPE" in data[:4096]:
                raise DocumentError(f"{path.name}: the embedded {name} declares a DOCTYPE or entities (an XXE "
                                    "attempt?), which are refused", code="xml-entities") from exc
            log.warning("embedded XML not readable", extra={"source": path.name, "attachment": name, "reason": exc.reason})
            continue
        if document.kind != "unknown" and document.fields:
            _place(document, path, max_pages)
            return document
    return None


def _place(document: Document, path: Path, max_pages: int) -> None:
    """Give embedded fields the page and box where the same value is printed, when it is."""
    try:
        text = read_words(path, max_pages=max_pages, ocr=False)
    except DocumentError as exc:  # a page without text, or a PDF that only its attachment makes sense of
        if exc.code == "too-many-pages":
            raise
        pdf = open_document(path, max_pages=max_pages)
        document.pages = len(pdf)
        pdf.close()
        return
    document.pages = text.page_count
    for name, found in document.fields.items():
        page, box = locate(text, found.text)
        if page is not None:
            document.fields[name] = Field(found.value, found.confidence, page, box, found.text, found.method)


def _read_table(path: Path, form: str, kind: str) -> Document:
    rows = table.read_csv(path) if form == "csv" else table.read_xlsx(path)
    if kind == "auto":
        if table.find_header(rows, TIMESHEET_COLUMNS, {"date", "hours"}):
            kind = "timesheet"
        elif table.find_header(rows, ORDER_COLUMNS, {"quantity"}):
            kind = "order"
        else:
            raise DocumentError(f"{path.name}: a table with neither timesheet columns (date, hours) nor order "
                                "columns (item, quantity)", code="unknown-kind")
    if kind == "timesheet":
        return read_timesheet_rows(rows, path.name, form)
    if kind == "order":
        return read_order_rows(rows, path.name, form)
    raise DocumentError(f"{path.name}: invoices are not read from {form.upper()} files", code="wrong-kind")


def _by_template(text: PdfText, kind: str, templates: list[Template]) -> Document | None:
    found = match(templates, layout_text(text), lambda area: area_text(text, area))
    if found is None:
        return None
    template, output = found
    wanted = template.get("kind", "invoice") if kind == "auto" else kind
    document = to_document(output, template.name, wanted, text)
    document.pages = text.page_count
    if text.ocr_pages:
        document.warnings.append(f"read by OCR of pages {', '.join(map(str, sorted(text.ocr_pages)))}")
    return document


def _read_words(text: PdfText, kind: str, templates: list[Template] | None, split: bool, form: str,
                path: Path | None = None) -> list[Document]:
    method = "ocr" if text.ocr_pages else "text-layer" if form in ("pdf",) else form
    if templates:
        document = _by_template(text, kind, templates)
        if document is None and path is not None and form == "pdf":
            # Some senders print their details as an image: read pages that hold large images by
            # OCR and try the templates again (only then: OCR costs about a second a page).
            pictured = ocr.read_pictured_pages(path, text)
            document = _by_template(pictured, kind, templates) if pictured is not None else None
        if document is not None:
            return [document]
    lines = []
    if kind != "invoice" or text.page_count > 1:  # the invoice reader makes its own lines
        for page in text.pages:
            lines.extend(lines_of(page, index_from=len(lines)))
    height = text.sizes[0][1] if text.sizes else 842.0
    wanted = detect_kind(lines, height) if kind == "auto" else kind
    if wanted == "timesheet":
        return [read_timesheet_lines(lines, text.source, method, text.page_count)]
    if wanted == "order":
        return [read_order_lines(lines, text.source, method, text.page_count)]
    documents = _invoices(text, lines, split, method)
    if kind == "auto" and wanted == "unknown" and len(documents[0].fields) < 3:
        documents[0].kind = "unknown"
    return documents


def _invoices(text: PdfText, lines: list, split: bool, method: str) -> list[Document]:
    ranges = [range(text.page_count)]
    if text.page_count > 1:
        numbers = {}
        for index, words in enumerate(text.pages):
            single = PdfText(text.source, 1, [words], [text.sizes[index]])
            if words:
                found = invoice_number_of(single)
                if found and found.confidence >= 0.8:
                    numbers[index + 1] = found.value
        ranges = split_pages(lines, text.page_count, numbers)
    documents = []
    for part in ranges if split else ranges[:1]:
        piece = PdfText(text.source, len(part), [text.pages[i] for i in part], [text.sizes[i] for i in part],
                        {p for p in text.ocr_pages if p - 1 in part})
        document = read_invoice(piece)
        document.method = method
        document.pages = text.page_count if not split else len(part)
        documents.append(document)
    if len(ranges) > 1 and not split:
        others = ", ".join(f"{r.start + 1}-{r.stop}" for r in ranges[1:])
        documents[0].warnings.append(f"the file holds {len(ranges)} invoices; read pages 1-{ranges[0].stop}, "
                                     f"not pages {others}")
    return documents
