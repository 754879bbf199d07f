"""Scanned documents for the OCR tests: a generated PDF rendered to grey pixels with scanner noise
(speckles, a faint grey cast, a slight tilt), saved as an image-only PDF or as a PNG.

The expected values are the ones of the document that was scanned; ``<file>.expected.json`` is
written beside each scan.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image, ImageFilter

DPI = 200


def render(pdf: Path, dpi: int = DPI) -> list[Image.Image]:
    """Every page of ``pdf`` as a grey image at ``dpi``."""
    document = pdfium.PdfDocument(pdf)
    try:
        return [document[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for i in range(len(document))]
    finally:
        document.close()


def add_noise(image: Image.Image, rng: random.Random, speckles: int = 1500, tilt: float = 0.4) -> Image.Image:
    """Salt-and-pepper speckles, a grey background and a small rotation, as a cheap scanner does."""
    noisy = image.point(lambda v: max(0, min(255, v - 18)) if v > 200 else v)
    pixels = noisy.load()
    width, height = noisy.size
    for _ in range(speckles):
        x, y = rng.randrange(width), rng.randrange(height)
        pixels[x, y] = 0 if rng.random() < 0.5 else 255
    noisy = noisy.rotate(rng.uniform(-tilt, tilt), resample=Image.BICUBIC, fillcolor=237)
    return noisy.filter(ImageFilter.GaussianBlur(0.4))


def scan(pdf: Path, target: Path, seed: int = 3, dpi: int = DPI) -> Path:
    """Write a noisy scan of ``pdf`` to ``target`` (``.pdf`` for an image-only PDF, else PNG),
    with the source's ``.expected.json`` copied beside it when there is one."""
    rng = random.Random(seed)
    pages = [add_noise(page, rng) for page in render(pdf, dpi)]
    if target.suffix.lower() == ".pdf":
        pages[0].save(target, "PDF", resolution=dpi, save_all=True, append_images=pages[1:])
    else:
        pages[0].save(target, dpi=(dpi, dpi))
    expected = pdf.with_name(pdf.name + ".expected.json")
    if expected.exists():
        data = json.loads(expected.read_text(encoding="utf-8"))
        target.with_name(target.name + ".expected.json").write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n",
                                                                      encoding="utf-8")
    return target
