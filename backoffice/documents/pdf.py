"""Open a file as a PDF, safely, and read its words with their boxes.

The file is judged by its content, never by its name. Every refusal is a
:class:`~backoffice.errors.DocumentError` whose reason names the file and whose ``code`` is one
of ``empty-file``, ``not-a-pdf``, ``pdf-encrypted``, ``pdf-corrupt``, ``too-many-pages`` or
``no-text-layer``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdftypes import resolve1
from pdfplumber.utils.exceptions import PdfminerException

from backoffice.errors import DocumentError

log = logging.getLogger(__name__)

DEFAULT_MAX_PAGES = 200
HEADER_WINDOW = 1024

# Leading bytes of formats people send instead of PDFs, most specific first.
_MAGIC: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
]


@dataclass(frozen=True)
class Word:
    """One word of a page's text layer; coordinates in points from the page's top-left."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    page: int
    size: float = 0.0
    font: str = ""


@dataclass
class PdfText:
    """The words of every page, in reading order per page."""

    source: str
    page_count: int
    pages: list[list[Word]] = field(default_factory=list)
    sizes: list[tuple[float, float]] = field(default_factory=list)

    def words(self) -> list[Word]:
        return [w for page in self.pages for w in page]


def describe(head: bytes) -> str:
    """Say what leading bytes look like, for a not-a-pdf message."""
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return name
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith(b"<?xml"):
        return "an XML document"
    if lowered.startswith((b"<!doctype html", b"<html")):
        return "an HTML page"
    if lowered.startswith((b"from:", b"received:", b"return-path:", b"mime-version:")):
        return "an e-mail message"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the window's end is still text.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return "binary data"
    if all(ch.isprintable() or ch in "\r\n\t\f" for ch in text):
        return "plain text"
    return "binary data"


def check_header(path: Path) -> None:
    """Refuse an empty file or one whose first bytes do not hold ``%PDF-``."""
    name = path.name
    with path.open("rb") as stream:  # a missing or unreadable file is a system fault: OSError
        head = stream.read(HEADER_WINDOW)
    if not head:
        raise DocumentError(f"{name}: the file is empty (0 bytes)", code="empty-file")
    # Readers accept a PDF header anywhere in the first 1024 bytes, but not inside a file that
    # announces another format (a ZIP that stores a PDF uncompressed holds "%PDF-" too).
    known = next((kind for magic, kind in _MAGIC if head.startswith(magic)), None)
    if known or b"%PDF-" not in head:
        raise DocumentError(f"{name}: not a PDF, it looks like {known or describe(head)}", code="not-a-pdf")


def open_pdf(path: Path | str, *, max_pages: int = DEFAULT_MAX_PAGES) -> pdfplumber.PDF:
    """Open ``path`` with pdfplumber after checking it; the caller closes it with :func:`close_pdf`.

    An encrypted file is tried with the empty password only.
    """
    path = Path(path)
    check_header(path)
    name = path.name
    try:
        pdf = pdfplumber.open(path, password="")
    except PdfminerException as exc:
        cause = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc
        if isinstance(cause, PDFPasswordIncorrect):
            raise DocumentError(
                f"{name}: the PDF is encrypted and needs a password to open", code="pdf-encrypted"
            ) from exc
        if isinstance(cause, PDFEncryptionError):
            raise DocumentError(
                f"{name}: the PDF is encrypted in a way that cannot be opened ({cause})", code="pdf-encrypted"
            ) from exc
        raise DocumentError(f"{name}: the PDF is corrupt ({_message(cause)})", code="pdf-corrupt") from exc
    except Exception as exc:  # the parser fails on broken input with assorted exception types
        raise DocumentError(f"{name}: the PDF is corrupt ({_message(exc)})", code="pdf-corrupt") from exc
    try:
        declared = _declared_page_count(pdf)
        if declared is not None and declared > max_pages:
            raise DocumentError(
                f"{name}: the PDF has {declared} pages, more than the limit of {max_pages}",
                code="too-many-pages",
            )
        count = len(pdf.pages)
    except DocumentError:
        close_pdf(pdf)
        raise
    except Exception as exc:
        close_pdf(pdf)
        raise DocumentError(f"{name}: the PDF is corrupt ({_message(exc)})", code="pdf-corrupt") from exc
    if count > max_pages:
        close_pdf(pdf)
        raise DocumentError(
            f"{name}: the PDF has {count} pages, more than the limit of {max_pages}", code="too-many-pages"
        )
    if count == 0:
        close_pdf(pdf)
        raise DocumentError(f"{name}: the PDF has no pages", code="pdf-corrupt")
    return pdf


def close_pdf(pdf: pdfplumber.PDF) -> None:
    """Close without letting a broken page tree raise on the way out."""
    try:
        pdf.close()
    except Exception:  # closing walks the pages again; the file handle matters, not the error
        log.debug("closing a broken PDF failed", exc_info=True)
        if not pdf.stream_is_external:
            pdf.stream.close()


def read_words(path: Path | str, *, max_pages: int = DEFAULT_MAX_PAGES) -> PdfText:
    """Every page's words with boxes (1-based page numbers); refuse a PDF without any text."""
    path = Path(path)
    pdf = open_pdf(path, max_pages=max_pages)
    try:
        text = PdfText(source=path.name, page_count=len(pdf.pages))
        for page in pdf.pages:
            try:
                raw = page.extract_words(extra_attrs=["size", "fontname"])
            except Exception as exc:  # broken content streams surface only here
                raise DocumentError(
                    f"{path.name}: page {page.page_number} of the PDF is corrupt ({_message(exc)})",
                    code="pdf-corrupt",
                ) from exc
            text.pages.append([_word(w, page.page_number) for w in raw if w["text"].strip()])
            text.sizes.append((float(page.width), float(page.height)))
            page.flush_cache()
    finally:
        close_pdf(pdf)
    if not any(text.pages):
        raise DocumentError(
            f"{path.name}: the PDF has no text layer (a scan?); OCR is not available yet",
            code="no-text-layer",
        )
    return text


def _word(raw: dict, page: int) -> Word:
    return Word(
        text=raw["text"],
        x0=float(raw["x0"]),
        top=float(raw["top"]),
        x1=float(raw["x1"]),
        bottom=float(raw["bottom"]),
        page=page,
        size=float(raw.get("size") or 0.0),
        font=str(raw.get("fontname") or ""),
    )


def _declared_page_count(pdf: pdfplumber.PDF) -> int | None:
    """The page tree's own ``/Count``, read without building every page."""
    try:
        count = resolve1(resolve1(pdf.doc.catalog["Pages"])["Count"])
    except Exception:  # a missing or odd /Count is checked again by counting pages
        return None
    return count if isinstance(count, int) else None


def _message(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."
