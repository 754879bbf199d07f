"""Pages of an item's source document as PNG images, rendered once with pypdfium2 and cached
under the workspace (``cache/pages/<sha256>-<page>@<scale>.png``), with the page sizes in PDF
points so field boxes (PDF points from the top-left) can be drawn over them.

A scan that came as an image file (PNG, JPEG, a multi-page TIFF, ...) shows each frame, sized in
points as the OCR reader measured it (:func:`backoffice.documents.ocr.page_points`).

:meth:`PageImages.words` gives a PDF page's words with their boxes (for clicking a word into a
field), :meth:`PageImages.trouble` says in plain words why a file shows no pages. Rendering a page
is done in :meth:`PageImages.png` only (the one place to change for another renderer)."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backoffice.errors import DocumentError
from backoffice.queue.base import StoredFile
from backoffice.queue.files import FileStore

if TYPE_CHECKING:
    from backoffice.documents.pdf import Word

log = logging.getLogger(__name__)
SCALE = 1.5  # 108 dpi: sharp enough to read, small enough to load fast
MAX_PAGES = 50  # pages shown for one document
IMAGE_TYPES = ("image/png", "image/jpeg")
SCAN_TYPES = ("image/png", "image/jpeg", "image/tiff", "image/gif", "image/bmp", "image/webp")


@dataclass(frozen=True)
class PageSize:
    number: int
    width: float  # PDF points
    height: float


class PageImages:
    def __init__(self, files: FileStore, cache: Path, scale: float = SCALE):
        self.files, self.cache, self.scale = files, Path(cache), scale
        self._lock = threading.Lock()

    def sizes(self, stored: StoredFile) -> list[PageSize]:
        """The document's pages (at most MAX_PAGES) and their sizes; [] when it cannot be shown."""
        if stored.media_type != "application/pdf" and stored.media_type not in SCAN_TYPES:
            return []
        index = self.cache / f"{stored.sha256}.json"
        if index.exists():
            return [PageSize(*p) for p in json.loads(index.read_text())]
        import pypdfium2

        source = self.files.path(stored)
        if not source.exists():
            return []
        if stored.media_type in SCAN_TYPES:
            sizes = [PageSize(n, *size) for n, size in enumerate(_frame_sizes(source, stored.name), start=1)]
            if sizes:
                _write(index, json.dumps([[p.number, p.width, p.height] for p in sizes]).encode())
            return sizes
        with self._lock:  # pdfium is not thread-safe
            try:
                pdf = pypdfium2.PdfDocument(str(source))
            except pypdfium2.PdfiumError as exc:
                log.warning("cannot open %s: %s", stored.name, exc)
                return []
            try:
                sizes = [PageSize(n + 1, *pdf[n].get_size()) for n in range(min(len(pdf), MAX_PAGES))]
            finally:
                pdf.close()
        _write(index, json.dumps([[p.number, p.width, p.height] for p in sizes]).encode())
        return sizes

    def png(self, stored: StoredFile, number: int) -> Path | None:
        """The cached PNG of a page (1-based), rendered on first use; None when there is none."""
        if (
            not 1 <= number <= MAX_PAGES
            or stored.media_type != "application/pdf"
            and stored.media_type not in SCAN_TYPES
        ):
            return None
        target = self.cache / f"{stored.sha256}-{number}@{self.scale:g}.png"
        if target.exists():
            return target
        if stored.media_type in SCAN_TYPES:
            return self._frame_png(stored, number, target)
        import pypdfium2

        with self._lock:  # pdfium is not thread-safe
            if target.exists():
                return target
            source = self.files.path(stored)
            if not source.exists():
                return None
            try:
                pdf = pypdfium2.PdfDocument(str(source))
            except pypdfium2.PdfiumError as exc:
                log.warning("cannot render %s: %s", stored.name, exc)
                return None
            try:
                if number > len(pdf):
                    return None
                bitmap = pdf[number - 1].render(scale=self.scale)
                image = bitmap.to_pil()
            finally:
                pdf.close()
            self.cache.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.cache, prefix=".render-", suffix=".png")
            with os.fdopen(fd, "wb") as out:
                image.save(out, format="PNG", optimize=True)
            os.replace(tmp, target)
        return target

    def words(self, stored: StoredFile, number: int, *, read: bool = True) -> list[list[Any]] | None:
        """The words of a page as [text, x0, top, x1, bottom] in points from the top-left, cached:
        a PDF's text layer, else (a scan, an image file) what OCR reads on the page. OCR takes
        seconds: with ``read=False`` a page whose words are not cached yet answers None."""
        if (
            not 1 <= number <= MAX_PAGES
            or stored.media_type != "application/pdf"
            and stored.media_type not in SCAN_TYPES
        ):
            return []
        index = self.cache / f"{stored.sha256}-{number}.words.json"
        if index.exists():
            return list(json.loads(index.read_text()))
        source = self.files.path(stored)
        if not source.exists() or number > len(self.sizes(stored)):
            return []
        found = self._text_layer(stored, source, number) if stored.media_type == "application/pdf" else None
        if found is None:  # a scan: OCR
            if not read:
                return None
            try:
                found = self._ocr(stored, source, number)
            except DocumentError as exc:  # OCR not installed, an unreadable frame: no words to click
                log.warning("no words for page %s of %s: %s", number, stored.name, exc)
                return []
        words = [[w.text, round(w.x0, 1), round(w.top, 1), round(w.x1, 1), round(w.bottom, 1)] for w in found]
        _write(index, json.dumps(words).encode())
        return words

    def _text_layer(self, stored: StoredFile, source: Path, number: int) -> list[Word] | None:
        """The words of a PDF page's text layer; None when it has none (a scanned page)."""
        import pypdfium2

        from backoffice.documents.pdf import page_words

        with self._lock:  # pdfium is not thread-safe
            pdf = pypdfium2.PdfDocument(str(source))
            try:
                page = pdf[number - 1]
                found = page_words(page, number)
                page.close()
            finally:
                pdf.close()
        return found or None

    def _ocr(self, stored: StoredFile, source: Path, number: int) -> list[Word]:
        from backoffice.documents import ocr

        reader = ocr.PageReader(stored.name)
        if stored.media_type == "application/pdf":
            import pypdfium2

            with self._lock:  # pdfium renders under the lock; tesseract runs outside it
                pdf = pypdfium2.PdfDocument(str(source))
                try:
                    page = pdf[number - 1]
                    width, height = page.get_size()
                    scale = min(ocr.DPI / 72, (ocr.MAX_PIXELS / (width * height)) ** 0.5)
                    image = page.render(scale=scale, grayscale=True).to_pil()
                    page.close()
                finally:
                    pdf.close()
            return reader.read_image(image, number, scale * 72)
        frame = _frame(source, number, stored.name)
        if frame is None:
            return []
        from PIL import Image

        with Image.open(source) as image:
            image.seek(number - 1)
            dpi = ocr.recorded_dpi(image)
        return reader.read_image(frame, number, dpi)

    def trouble(self, stored: StoredFile) -> str:
        """Why the file shows no page, in plain words ("" when nothing is wrong with it)."""
        from backoffice.documents.pdf import open_document

        source = self.files.path(stored)
        if not source.exists():
            return f"{stored.name} is no longer in the file store"
        if stored.media_type in SCAN_TYPES:
            return "" if self.sizes(stored) else f"{stored.name} cannot be read as an image: it is damaged or too large"
        if stored.media_type != "application/pdf":
            from backoffice.documents.pdf import HEADER_WINDOW, describe

            with source.open("rb") as stream:
                what = describe(stream.read(HEADER_WINDOW))
            return f"{stored.name} is {what}, not a document with pages; download it to open it"
        try:
            with self._lock:
                open_document(source).close()
        except DocumentError as exc:
            return f"{stored.name}: {str(exc).split(': ', 1)[-1]}"
        except OSError as exc:
            return f"{stored.name} cannot be read ({exc.strerror or exc})"
        return ""

    def _frame_png(self, stored: StoredFile, number: int, target: Path) -> Path | None:
        """Frame ``number`` of an image file, at :data:`SCALE` pixels per point of its OCR size."""
        sizes = self.sizes(stored)
        if number > len(sizes):
            return None
        frame = _frame(self.files.path(stored), number, stored.name)
        if frame is None:
            return None
        size = sizes[number - 1]
        frame = frame.resize((max(1, round(size.width * self.scale)), max(1, round(size.height * self.scale))))
        _write(target, _png(frame))
        return target


def _frame(source: Path, number: int, name: str):
    """Frame ``number`` (1-based) of an image file, grey and the right way up; None when unreadable."""
    from PIL import Image, ImageOps

    from backoffice.documents import ocr

    try:
        with Image.open(source) as image:
            if image.width * image.height > ocr.MAX_IMAGE_PIXELS or number > getattr(image, "n_frames", 1):
                return None
            image.seek(number - 1)
            return ImageOps.exif_transpose(image.convert("L"))
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        log.warning("cannot show %s: %s", name, exc)
        return None


def _frame_sizes(source: Path, name: str) -> list[tuple[float, float]]:
    """Each frame's size in points, as the OCR reader measures it."""
    from PIL import Image

    from backoffice.documents import ocr

    try:
        with Image.open(source) as image:
            frames = min(getattr(image, "n_frames", 1), MAX_PAGES)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        log.warning("cannot show %s: %s", name, exc)
        return []
    sizes = []
    for number in range(1, frames + 1):
        frame = _frame(source, number, name)
        if frame is None:
            return []
        with Image.open(source) as image:
            image.seek(number - 1)
            dpi = ocr.recorded_dpi(image)
        sizes.append(ocr.page_points(frame, dpi))
    return sizes


def _png(image) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".write-")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, path)
