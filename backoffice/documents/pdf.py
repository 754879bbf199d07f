"""Open a file as a PDF, safely, and read its words with their boxes (pypdfium2).

The file is judged by its content, never by its name. Every refusal is a
:class:`~backoffice.errors.DocumentError` whose reason names the file and whose ``code`` is one
of ``empty-file``, ``not-a-pdf``, ``pdf-encrypted``, ``pdf-corrupt``, ``too-many-pages`` or
``no-text-layer``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from backoffice.documents import ocr as ocr_module, text_layer
from backoffice.documents.magic import HEADER_WINDOW, MAGIC, describe
from backoffice.documents.words import DEFAULT_MAX_PAGES, PdfText, Word
from backoffice.errors import DocumentError

__all__ = ["DEFAULT_MAX_PAGES", "HEADER_WINDOW", "PdfText", "Word", "check_header", "describe", "open_document",
           "page_words", "read_words"]

log = logging.getLogger(__name__)


def check_header(path: Path) -> None:
    """Refuse an empty file or one whose first bytes do not hold ``%PDF-``."""
    name = path.name
    with path.open("rb") as stream:  # a missing or unreadable file is a system fault: OSError
        head = stream.read(HEADER_WINDOW)
    if not head:
        raise DocumentError(f"{name}: the file is empty (0 bytes)", code="empty-file")
    # Readers accept a PDF header anywhere in the first 1024 bytes, but not inside a file that
    # announces another format (a ZIP that stores a PDF uncompressed holds "%PDF-" too).
    known = next((kind for magic, kind in MAGIC if head.startswith(magic)), None)
    if known or b"%PDF-" not in head:
        raise DocumentError(f"{name}: not a PDF, it looks like {known or describe(head)}", code="not-a-pdf")


def read_words(path: Path | str, *, max_pages: int = DEFAULT_MAX_PAGES, ocr: bool = True,
               pages: range | None = None) -> PdfText:
    """Every page's words with boxes (1-based page numbers), read with pypdfium2.

    Pages without a text layer, or whose text layer cannot be believed
    (:mod:`backoffice.documents.text_layer`), are read by OCR (:mod:`backoffice.documents.ocr`)
    when ``ocr`` is true; a document without any text at all is refused with ``no-text-layer``.
    """
    path = Path(path)
    document = open_document(path, max_pages=max_pages)
    try:
        text = PdfText(source=path.name, page_count=len(document))
        reader = ocr_module.PageReader(path.name)  # one per document: the language is chosen once
        for index in pages if pages is not None else range(len(document)):
            page = document[index]
            try:
                width, height = page.get_size()
                words = page_words(page, index + 1)
                if words and ocr and text_layer.suspect(page, words):
                    words = []  # an OCR layer of garbage, or beside the print, or thin over a scan
                if not words and ocr:
                    if len(text.ocr_pages) >= ocr_module.MAX_OCR_PAGES:
                        raise DocumentError(f"{path.name}: more than {ocr_module.MAX_OCR_PAGES} pages are scans; "
                                            "that is the limit for OCR", code="too-many-pages")
                    words = reader.read_page(page, index + 1)
                    if words:
                        text.ocr_pages.add(index + 1)
            except DocumentError:
                raise
            except Exception as exc:  # pdfium reports broken content streams with assorted errors
                raise DocumentError(
                    f"{path.name}: page {index + 1} of the PDF is corrupt ({_message(exc)})", code="pdf-corrupt"
                ) from exc
            finally:
                page.close()
            text.pages.append(words)
            text.sizes.append(reader.sizes.get(index + 1, (float(width), float(height))))  # a scan: as OCR saw it
    finally:
        document.close()
    if not any(text.pages):
        reason = "OCR found no text either" if ocr else "OCR is switched off"
        raise DocumentError(f"{path.name}: the PDF has no text layer, and {reason}", code="no-text-layer")
    return text


def open_document(path: Path, *, max_pages: int = DEFAULT_MAX_PAGES) -> pdfium.PdfDocument:
    """Open ``path`` with pypdfium2 after checking it (the empty password only); the caller closes it."""
    check_header(path)
    name = path.name
    try:
        document = pdfium.PdfDocument(path, password="")
    except pdfium.PdfiumError as exc:
        text = str(exc)
        if "password" in text.lower():
            raise DocumentError(f"{name}: the PDF is encrypted and needs a password to open", code="pdf-encrypted") from exc
        if "security" in text.lower():
            raise DocumentError(f"{name}: the PDF is encrypted in a way that cannot be opened ({text})",
                                code="pdf-encrypted") from exc
        raise DocumentError(f"{name}: the PDF is corrupt ({_message(exc)})", code="pdf-corrupt") from exc
    count = len(document)
    if count > max_pages:
        document.close()
        raise DocumentError(f"{name}: the PDF has {count} pages, more than the limit of {max_pages}",
                            code="too-many-pages")
    if count == 0:
        document.close()
        raise DocumentError(f"{name}: the PDF has no pages", code="pdf-corrupt")
    return document


_SPACE = frozenset(" \t\r\n\x00\xa0\u2002\u2003\u2009\u202f\ufffe")


def page_words(page: pdfium.PdfPage, number: int) -> list[Word]:
    """The words of one page's text layer: runs of characters without a space or a wide gap."""
    textpage = page.get_textpage()
    try:
        raw = textpage.raw
        count = pdfium_c.FPDFText_CountChars(raw)
        if count <= 0:
            return []
        left, bottom, right, top = page.get_bbox()
        height = top
        box = pdfium_c.FS_RECTF()
        words: list[Word] = []
        chars: list[str] = []
        x0 = x1 = y0 = y1 = size = spacing = 0.0
        for index in range(count):
            code = pdfium_c.FPDFText_GetUnicode(raw, index)
            if 0xD800 <= code <= 0xDFFF:  # half of a UTF-16 pair: the high half carries the character
                low = pdfium_c.FPDFText_GetUnicode(raw, index + 1) if index + 1 < count else 0
                if code <= 0xDBFF and 0xDC00 <= low <= 0xDFFF:
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                else:
                    continue  # the low half of a pair already read, or a stray half: no character
            char = chr(code)
            if char in _SPACE:  # pdfium generates spaces and line breaks only: no need to ask of other characters
                generated = pdfium_c.FPDFText_IsGenerated(raw, index) == 1
                if generated and chars and chars[-1].isalnum() and (char != " " or len(chars) == 1 or spacing > 0.05 * size) \
                        and _letter_spaced(raw, index, count, (x1, y0), len(chars), spacing, size):
                    continue  # pdfium's guess inside a word (letter-spaced, or glyphs set one by one): the gaps tell
                if chars:
                    words.append(Word("".join(chars), x0 - left, height - y1, x1 - left, height - y0, number, size))
                    chars = []
                continue
            pdfium_c.FPDFText_GetLooseCharBox(raw, index, box)
            if chars:
                gap = box.left - x1
                # letter-spaced type ("N Ú M E R O") parts its letters evenly: a word ends only where
                # the gap outgrows that spacing, not where it crosses the usual threshold
                wide = gap > max(0.25 * max(size, 4.0), spacing + 0.12 * max(size, 4.0))
                if wide or gap < -3 * max(size, 4.0) or box.bottom > y1 or box.top < y0 \
                        or chars[-1] == ":" and _glued(chars, char):
                    words.append(Word("".join(chars), x0 - left, height - y1, x1 - left, height - y0, number, size))
                    chars = []
                else:
                    spacing = max(spacing, gap)
            if not chars:
                spacing = 0.0
                x0, y0, x1, y1 = box.left, box.bottom, box.right, box.top
                size = pdfium_c.FPDFText_GetFontSize(raw, index)
                if size < 3:  # a font set at size 1 and scaled by the text matrix: the box tells
                    size = (box.top - box.bottom) / 1.19
            else:
                x1, y0, y1 = max(x1, box.right), min(y0, box.bottom), max(y1, box.top)
            chars.append(char)
        if chars:
            words.append(Word("".join(chars), x0 - left, height - y1, x1 - left, height - y0, number, size))
        return [w for w in words if w.text.strip()]
    finally:
        textpage.close()


def _letter_spaced(raw, index: int, count: int, end: tuple[float, float], letters: int, spacing: float,
                   size: float) -> bool:
    """Whether the space or line break pdfium generated at ``index`` of ``count`` (after
    ``letters`` letters that end at ``end`` = (x1, baseline y0), ``spacing`` apart) sits inside a word: the next
    letter on the same baseline, close after a line break (a PDF that sets each glyph apart), or
    across a gap no wider than the spacing of letter-spaced type. Only letters and digits are spaced
    out so: ``€ · 12`` is three words however even its gaps."""
    x1, y0 = end
    box = pdfium_c.FS_RECTF()
    found: list[tuple[float, float, float, str]] = []  # the next two letters: left, right, bottom, the letter
    ahead = index + 1
    while ahead < count and len(found) < 2:
        if pdfium_c.FPDFText_IsGenerated(raw, ahead) != 1:
            if chr(pdfium_c.FPDFText_GetUnicode(raw, ahead)) in _SPACE:
                break  # a space the PDF itself holds ends the word
            pdfium_c.FPDFText_GetLooseCharBox(raw, ahead, box)
            found.append((box.left, box.right, box.bottom, chr(pdfium_c.FPDFText_GetUnicode(raw, ahead))))
        ahead += 1
    if not found or abs(found[0][2] - y0) > 0.2 * size or not found[0][3].isalnum():
        return False
    across = found[0][0] - x1
    if chr(pdfium_c.FPDFText_GetUnicode(raw, index)) in "\r\n" and -0.5 * size <= across <= 0.15 * size:
        return True  # a line break guessed between glyphs set one by one on one baseline, close together
    after = found[1][0] - found[0][1] if len(found) > 1 and abs(found[1][2] - y0) <= 0.2 * size else -1.0
    if letters == 1:  # one letter so far: its spacing is the gap after the next one, and alike
        spacing = after if abs(across - after) <= 0.08 * size else 0.0
    return 0.05 * size < spacing < 0.2 * size and across <= spacing + 0.12 * size


def _glued(chars: list[str], char: str) -> bool:
    """Whether ``char`` starts a value printed right after its label's colon ("cliente:Helios",
    "Total:123.00"): the label, a word of two letters or more, is a word of its own. Times
    (``12:30``), URLs and ``urn:cen`` stay whole."""
    return (
        len(chars) > 2
        and chars[-1] == ":"
        and (char.isupper() or char.isdigit() or char in "+€$£")
        and all(ch.isalpha() for ch in "".join(chars[:-1]).removesuffix("."))
    )


def _message(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."
