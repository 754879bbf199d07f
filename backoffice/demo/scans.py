"""Scanned and photographed documents, made from generated (or any) PDFs, for OCR tests, the
benchmarks and training: every page rendered to grey pixels and spoilt the way paper is.

Styles (:data:`STYLES`):

``scan``
    a flatbed scan at ``dpi`` (200 or 300): a grey paper tone, tilted 0.5-2° either way,
    sensor noise and speckles, a little blur, saved through JPEG at quality 75.
``photo``
    a phone photo of the page lying on a desk: the page in perspective on a darker background,
    a shadow across it, uneven light, JPEG 75, and no resolution recorded in the file.
``fax``
    a low-resolution black-and-white page (200 × 100 dpi stretched back), the old fax look.

Everything follows from ``seed``: the same PDF, style and seed give the same pixels. The expected
values are the ones of the document that was scanned; ``<file>.expected.json`` (or ``.truth.json``)
is copied beside each scan. :func:`pages` gives the images without writing files, and
:func:`read_scanned` the words OCR reads from them, for a trainer that wants OCR'd renderings of
many generated documents.
"""

from __future__ import annotations

import io
import json
import random
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pypdfium2 as pdfium
from PIL import Image

from backoffice.documents.pdf import PdfText

DPI = 200
STYLES = ("scan", "photo", "fax")
PHOTO_WIDTH = 1700  # pixels across a photographed A4 page (a 12 MP phone, page filling most of it)


def render(pdf: Path, dpi: int = DPI) -> list[Image.Image]:
    """Every page of ``pdf`` as a grey image at ``dpi``."""
    document = pdfium.PdfDocument(pdf)
    try:
        return [document[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for i in range(len(document))]
    finally:
        document.close()


def _jpeg(image: Image.Image, quality: int = 75) -> Image.Image:
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=quality)
    buffer.seek(0)
    return Image.open(buffer).convert("L")


def _tilt(rng: random.Random, low: float = 0.5, high: float = 2.0) -> float:
    return rng.uniform(low, high) * rng.choice((-1, 1))


def add_noise(image: Image.Image, rng: random.Random, *, tilt: float | None = None, speckles: int = 1500,
              quality: int = 75) -> Image.Image:
    """A cheap flatbed scan of a clean page: grey paper, a tilt of 0.5-2° (or ``tilt``), sensor
    noise, speckles, a slight blur and JPEG compression."""
    pixels = np.asarray(image, dtype=np.float32)
    pixels = 18 + pixels * (225 / 255)  # paper never white, ink never black
    noise = np.random.default_rng(rng.randrange(2**32))
    pixels += noise.normal(0, 9, pixels.shape)
    height, width = pixels.shape
    ys, xs = noise.integers(0, height, speckles), noise.integers(0, width, speckles)
    pixels[ys, xs] = noise.choice([20.0, 250.0], speckles)
    grey = np.clip(pixels, 0, 255).astype(np.uint8)
    angle = _tilt(rng) if tilt is None else tilt
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    grey = cv2.warpAffine(grey, matrix, (width, height), flags=cv2.INTER_CUBIC, borderValue=236)
    grey = cv2.GaussianBlur(grey, (3, 3), 0.5)
    return _jpeg(Image.fromarray(grey), quality)


def photograph(image: Image.Image, rng: random.Random, *, quality: int = 75) -> Image.Image:
    """A phone photo of the page: perspective, a darker desk around it, a shadow and uneven light."""
    page = np.asarray(image.resize((PHOTO_WIDTH, round(image.height * PHOTO_WIDTH / image.width)),
                                   Image.Resampling.LANCZOS), dtype=np.float32)
    height, width = page.shape
    margin = int(0.06 * width)
    out_w, out_h = width + 2 * margin, height + 2 * margin
    corners = np.array([[0, 0], [width, 0], [width, height], [0, height]], dtype=np.float32)
    jitter = lambda: rng.uniform(0.2, 1.0) * margin  # noqa: E731 - one draw per corner
    placed = np.array([[jitter(), jitter()], [out_w - jitter(), jitter()],
                         [out_w - jitter(), out_h - jitter()], [jitter(), out_h - jitter()]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners, placed)
    desk = 70 + rng.uniform(0, 40)
    photo = cv2.warpPerspective(page, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderValue=desk)
    ys, xs = np.mgrid[0:out_h, 0:out_w].astype(np.float32)
    light = 0.85 + 0.15 * (xs / out_w if rng.random() < 0.5 else 1 - xs / out_w)  # brighter on one side
    edge = rng.uniform(0.3, 0.7) * out_h  # a hand's or phone's shadow over one part of the page
    shadow = np.where(ys + 0.3 * xs < edge, rng.uniform(0.55, 0.7), 1.0)
    photo = cv2.GaussianBlur(photo * light * cv2.GaussianBlur(shadow.astype(np.float32), (0, 0), 25), (0, 0), 0.8)
    photo += np.random.default_rng(rng.randrange(2**32)).normal(0, 5, photo.shape)
    return _jpeg(Image.fromarray(np.clip(photo, 0, 255).astype(np.uint8)), quality)


def fax(image: Image.Image, rng: random.Random) -> Image.Image:
    """A fine-mode fax: half the vertical resolution, black and white, a slight tilt."""
    squeezed = image.resize((image.width, image.height // 2), Image.Resampling.BILINEAR)
    black_white = squeezed.point(lambda v: 0 if v < 150 else 255).resize(image.size, Image.Resampling.NEAREST)
    return black_white.rotate(_tilt(rng, 0.2, 1.0), resample=Image.Resampling.NEAREST, fillcolor=255)


def pages(pdf: Path, style: str = "scan", *, dpi: int = DPI, seed: int = 3) -> list[Image.Image]:
    """Every page of ``pdf`` spoilt in ``style`` (see the module's docstring)."""
    if style not in STYLES:
        raise ValueError(f"unknown scan style {style!r}; expected one of {', '.join(STYLES)}")
    rng = random.Random(seed)
    clean = render(pdf, dpi)
    if style == "photo":
        return [photograph(page, rng) for page in clean]
    if style == "fax":
        return [fax(page, rng) for page in clean]
    return [add_noise(page, rng) for page in clean]


def read_scanned(pdf: Path, style: str = "scan", *, dpi: int = DPI, seed: int = 3) -> PdfText:
    """The words OCR reads from ``pdf`` spoilt in ``style``, as :func:`~backoffice.documents.pdf.read_words`
    gives them for a text PDF: what a field ranker learning from OCR'd renderings is trained on."""
    from backoffice.documents.ocr import PageReader

    images = pages(pdf, style, dpi=dpi, seed=seed)
    reader = PageReader(pdf.name)
    text = PdfText(source=pdf.name, page_count=len(images))
    for number, image in enumerate(images, start=1):
        text.pages.append(reader.read_image(image, number, None if style == "photo" else dpi))
        text.sizes.append(reader.sizes[number])
        text.ocr_pages.add(number)
    return text


def scan(pdf: Path, target: Path, seed: int = 3, dpi: int = DPI, style: str = "scan") -> Path:
    """Write a spoilt copy of ``pdf`` to ``target``: ``.pdf`` for an image-only PDF, ``.tif`` /
    ``.tiff`` for a multi-page TIFF, else one image (the first page) in the suffix's format; the
    source's ``.expected.json`` or ``.truth.json`` is copied beside it."""
    images = pages(pdf, style, dpi=dpi, seed=seed)
    suffix = target.suffix.lower()
    resolution: dict[str, Any] = {} if style == "photo" else {"dpi": (dpi, dpi)}
    if suffix == ".pdf":
        images[0].save(target, "PDF", resolution=dpi if style != "photo" else 150, save_all=True,
                       append_images=images[1:])
    elif suffix in (".tif", ".tiff"):
        images[0].save(target, "TIFF", compression="tiff_lzw", save_all=True, append_images=images[1:], **resolution)
    elif suffix in (".jpg", ".jpeg"):
        images[0].save(target, "JPEG", quality=90, **resolution)
    else:
        images[0].save(target, **resolution)
    for ending in (".expected.json", ".truth.json"):
        beside = pdf.with_name(pdf.name + ending)
        if beside.exists():
            data = json.loads(beside.read_text(encoding="utf-8"))
            target.with_name(target.name + ending).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n",
                                                               encoding="utf-8")
    return target
