"""Read scanned pages and images with tesseract (through pytesseract), keeping each word's box.

Pages are rendered with pypdfium2 at :data:`DPI` (less for huge pages, so that no page needs
more than :data:`MAX_PIXELS`); word boxes come back in PDF points from the page's top-left, like
the text layer's, so provenance works the same. Tesseract runs single-threaded
(``OMP_THREAD_LIMIT=1``): documents are read in parallel by processes instead
(:mod:`backoffice.documents.pool`). Each page has a time limit; a document has a page limit.
"""

from __future__ import annotations

import logging
import os
import shutil
import warnings
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from backoffice.documents.pdf import DEFAULT_MAX_PAGES, HEADER_WINDOW, PdfText, Word, describe
from backoffice.errors import ApplicationError, DocumentError

log = logging.getLogger(__name__)

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

DPI = 300
MAX_PIXELS = 40_000_000  # a page rendered bigger than this is rendered at a lower resolution
MAX_IMAGE_PIXELS = 80_000_000  # an image file bigger than this is refused before it is decoded
MAX_OCR_PAGES = 30
PAGE_SECONDS = 60
LANGUAGES = os.environ.get("BACKOFFICE_OCR_LANGUAGES", "deu+fra+eng")  # German first: it keeps umlauts
MIN_CONFIDENCE = 30
_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp", ".webp"}


def available() -> bool:
    """Whether the tesseract program is installed."""
    return shutil.which("tesseract") is not None


def read_page(page, number: int, *, name: str) -> list[Word]:
    """The words of a rendered PDF page (a ``pypdfium2.PdfPage``), in points."""
    width, height = page.get_size()
    scale = DPI / 72
    if width * height * scale * scale > MAX_PIXELS:
        scale = (MAX_PIXELS / (width * height)) ** 0.5
    image = page.render(scale=scale, grayscale=True).to_pil()
    return read_image(image, number, scale, name=name)


def read_image(image: Image.Image, number: int, scale: float, *, name: str) -> list[Word]:
    """Words of one image; ``scale`` is pixels per point (a 300 dpi scan: 300 / 72)."""
    import pytesseract

    if not available():
        raise DocumentError(f"{name}: page {number} is a scan, and OCR is not installed (tesseract)",
                            code="no-text-layer")
    try:
        data = pytesseract.image_to_data(image, lang=LANGUAGES, config="--psm 3",
                                         output_type=pytesseract.Output.DICT, timeout=PAGE_SECONDS)
    except RuntimeError as exc:  # pytesseract's timeout
        raise DocumentError(f"{name}: OCR of page {number} took longer than {PAGE_SECONDS} s",
                            code="ocr-timeout") from exc
    except pytesseract.TesseractError as exc:
        raise ApplicationError(f"{name}: tesseract failed on page {number} ({exc})", code="ocr-failed") from exc
    words = []
    for text, conf, left, top, width, height in zip(data["text"], data["conf"], data["left"], data["top"],
                                                    data["width"], data["height"]):
        conf = float(conf)
        if not text.strip() or conf < MIN_CONFIDENCE:
            continue
        words.append(Word(text=text.strip(), x0=left / scale, top=top / scale, x1=(left + width) / scale,
                          bottom=(top + height) / scale, page=number, size=height / scale, conf=conf / 100))
    log.debug("ocr page", extra={"source": name, "page": number, "words": len(words)})
    return words


PICTURE_SHARE = 0.05  # images covering more than this share of a page may hold text worth reading


def read_pictured_pages(path: Path, text: PdfText) -> PdfText | None:
    """``text`` with every page that holds large images read again by OCR instead, or None when
    no page does (or OCR is not installed)."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    if not available():
        return None
    document = pdfium.PdfDocument(path)
    try:
        pictured = []
        for index in range(min(len(document), MAX_OCR_PAGES)):
            page = document[index]
            width, height = page.get_size()
            area = 0.0
            for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
                left, bottom, right, top = image.get_bounds()
                area += max(0.0, right - left) * max(0.0, top - bottom)
            if area > PICTURE_SHARE * width * height:
                pictured.append(index)
        if not pictured:
            return None
        pages = list(text.pages)
        for index in pictured:
            pages[index] = read_page(document[index], index + 1, name=path.name)
    finally:
        document.close()
    log.debug("read pictured pages by OCR", extra={"source": path.name, "pages": len(pictured)})
    return PdfText(text.source, text.page_count, pages, list(text.sizes), text.ocr_pages | {i + 1 for i in pictured})


def read_image_file(path: Path, *, max_pages: int = DEFAULT_MAX_PAGES) -> PdfText:
    """Every frame of an image file (PNG, JPEG, multi-page TIFF, ...) read by OCR."""
    name = path.name
    try:
        with warnings.catch_warnings():  # the size is checked below, with a clearer message
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise _unreadable(path, exc) from exc
    with image:
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:
            raise DocumentError(f"{name}: the image is {width} × {height} pixels, more than the limit of "
                                f"{MAX_IMAGE_PIXELS // 1_000_000} million", code="image-too-large")
        frames = getattr(image, "n_frames", 1)
        if frames > min(max_pages, MAX_OCR_PAGES):
            raise DocumentError(f"{name}: the image has {frames} pages, more than the limit of "
                                f"{min(max_pages, MAX_OCR_PAGES)} scanned pages", code="too-many-pages")
        dpi = image.info.get("dpi", (DPI, DPI))[0] or DPI
        scale = float(dpi) / 72 if 50 <= float(dpi) <= 1200 else DPI / 72
        text = PdfText(source=name, page_count=frames)
        for index in range(frames):
            try:
                image.seek(index)
                frame = ImageOps.exif_transpose(image.convert("L"))
            except (OSError, ValueError, Image.DecompressionBombError) as exc:
                raise _unreadable(path, exc) from exc
            text.pages.append(read_image(frame, index + 1, scale, name=name))
            text.sizes.append((frame.width / scale, frame.height / scale))
            text.ocr_pages.add(index + 1)
    if not any(text.pages):
        raise DocumentError(f"{name}: OCR found no text in the image", code="no-text-layer")
    return text


def _unreadable(path: Path, exc: BaseException) -> DocumentError:
    with path.open("rb") as stream:
        what = describe(stream.read(HEADER_WINDOW))
    if path.suffix.lower() in _IMAGE_SUFFIXES:  # the name says image: a broken image
        return DocumentError(f"{path.name}: {what} that cannot be read ({exc})", code="image-corrupt")
    # A name that promised a PDF (or a stored copy, named by its hash): say it is not one.
    return DocumentError(f"{path.name}: not a PDF, it looks like {what} that cannot be read ({exc})",
                         code="not-a-pdf")
