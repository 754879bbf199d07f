"""Any page of any document as a PNG, for the supervisor UI: a PDF page, a page of a multi-page
TIFF, a PNG or a JPEG photo, sized in the points that the document's word and field boxes are
measured in, so that the boxes fall on the words.

A page with a text layer is rendered as it is. A page read by OCR (a scan in a PDF, an image
file) is shown as the OCR reader saw it: the sheet cut out of a photo and squared, straightened,
turned upright, shadows lifted (its table rules kept, which the reader whites out); that is
what its boxes were measured on. Finding that page takes a reading (about a second), so a caller
keeps the PNG (``backoffice/web/images.py`` caches it).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from backoffice.documents import images, ocr, sniff, text_layer
from backoffice.documents.pdf import open_document, page_words
from backoffice.errors import DocumentError

SCALE = 1.5  # pixels per point: 108 dpi


@dataclass(frozen=True)
class PageImage:
    """A page as a PNG, and its size in points (the size its boxes are measured in)."""

    png: bytes
    width: float
    height: float


def page_count(path: Path | str) -> int:
    """How many pages the PDF or image file at ``path`` has."""
    path = Path(path)
    if sniff.sniff(path) == "image":
        with images.opened(path) as image:
            return images.frame_count(image)
    document = open_document(path)
    try:
        return len(document)
    finally:
        document.close()


def render_page(path: Path | str, number: int, *, scale: float = SCALE) -> PageImage:
    """Page ``number`` (1-based) of the PDF or image file at ``path``, ``scale`` pixels per point.

    Raises DocumentError (naming the file) when the file is no PDF or image, cannot be read, or
    has no page ``number``."""
    path = Path(path)
    if sniff.sniff(path) == "image":
        with images.opened(path) as image:
            _check(path, number, images.frame_count(image))
            frame, dpi = images.frame(path, image, number)
        return _ocr_page(path, number, lambda reader: reader.read_image(frame, number, dpi), scale)
    document = open_document(path)
    try:
        _check(path, number, len(document))
        page = document[number - 1]
        try:
            words = page_words(page, number)
            if not words or text_layer.suspect(page, words):
                return _ocr_page(path, number, lambda reader: reader.read_page(page, number), scale)
            width, height = page.get_size()
            rendered = page.render(scale=scale).to_pil()
        finally:
            page.close()
    finally:
        document.close()
    return PageImage(_png(rendered), float(width), float(height))


def _check(path: Path, number: int, count: int) -> None:
    if not 1 <= number <= count:
        raise DocumentError(f"{path.name}: there is no page {number}, the document has {count}", code="no-such-page")


def _ocr_page(path: Path, number: int, read, scale: float) -> PageImage:
    reader = ocr.PageReader(path.name, keep=True)
    read(reader)
    page = reader.kept[number]
    width, height = page.image.width / page.scale, page.image.height / page.scale
    shown = page.shown.resize((max(1, round(width * scale)), max(1, round(height * scale))), Image.Resampling.LANCZOS)
    return PageImage(_png(shown), width, height)


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
