"""Whether a page's text layer can be believed, or the page should be read by OCR instead.

Scanners and fax servers put an invisible OCR text layer over the page image, and some of those
layers are worthless: garbage characters, words that are not words, or words placed beside the
print they claim to be. A PDF made with a broken font encoding gives the same garbage. A scanned
page can also carry a few words of real text (a fax header, a stamp) over an image that holds the
rest: its text layer is too thin to stand for the page.

:func:`suspect` says why a page's words should not be used (``garbage``, ``misaligned``, ``thin``),
or None when they can. Garbage is judged from the words alone; the other two only on pages an
image covers for the most part, by rendering the page small (50 dpi) and comparing where its ink
lies with where the words say they are.
"""

from __future__ import annotations

import logging
import re
import unicodedata

import numpy as np

from backoffice.documents.words import Word

log = logging.getLogger(__name__)

ODD_SHARE = 0.15  # share of odd characters above which a text layer is garbage
VOWELLESS_SHARE = 0.4  # share of letter-only words of four letters or more without a vowel
IMAGE_SHARE = 0.7  # a page whose images cover more than this is a scan, however much text it has
EMPTY_BOXES = 0.3  # share of word boxes with no ink under them above which the words are misplaced
COVERED_INK = 0.3  # share of a scan's ink that words must cover for its text layer to stand for it
RENDER_DPI = 50
_PUNCTUATION = set(".,:;-–—/\\()[]{}'\"‘’“”%&@#+*=<>!?€$£¥₹§°_|~^`´·•…")
_VOWELS = set("aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüýÿœąęěůąįų")
_LETTERS = re.compile(r"^[^\W\d_]{4,}$")


def suspect(page, words: list[Word]) -> str | None:
    """Why the words of ``page`` (a ``pypdfium2.PdfPage``) should be read again by OCR, or None."""
    if garbage(words):
        return "garbage"
    if _image_share(page) <= IMAGE_SHARE:
        return None
    ink = _ink(page)
    if ink is None:
        return None
    empty, covered = _coverage(ink, words, page.get_size())
    if empty > EMPTY_BOXES:
        return "misaligned"
    if covered < COVERED_INK:
        return "thin"
    return None


def garbage(words: list[Word]) -> bool:
    """Whether words read like OCR garbage or a broken font: many characters that are neither
    letters, digits nor punctuation (private-use glyphs, replacement and control characters), or
    many long words without a vowel."""
    chars = [c for w in words for c in w.text]
    if len(chars) < 20:
        return False
    odd = sum(
        1
        for c in chars
        if not (c.isalnum() or c in _PUNCTUATION) or unicodedata.category(c) in ("Co", "Cc", "Cn") or c == "\ufffd"
    )
    if odd > ODD_SHARE * len(chars):
        return True
    latin = [w.text.lower() for w in words if _LETTERS.match(w.text) and w.text.isascii()]
    if len(latin) < 10:
        return False
    vowelless = sum(1 for w in latin if not _VOWELS & set(w))
    return vowelless > VOWELLESS_SHARE * len(latin)


def _image_share(page) -> float:
    import pypdfium2.raw as pdfium_c

    width, height = page.get_size()
    area = 0.0
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=2):
        left, bottom, right, top = image.get_bounds()
        area += max(0.0, min(right, width) - max(left, 0.0)) * max(0.0, min(top, height) - max(bottom, 0.0))
    return area / max(1.0, width * height)


def _ink(page) -> np.ndarray | None:
    """Dark pixels of the page rendered at :data:`RENDER_DPI` (True where there is ink)."""
    grey = np.asarray(page.render(scale=RENDER_DPI / 72, grayscale=True).to_pil().convert("L"))
    if grey.size == 0:
        return None
    threshold = min(160, float(np.percentile(grey, 50)) - 40)  # well below the paper's tone
    return grey < threshold


def _coverage(ink: np.ndarray, words: list[Word], size: tuple[float, float]) -> tuple[float, float]:
    """The share of word boxes with no ink under them, and the share of the ink that boxes cover."""
    scale_x, scale_y = ink.shape[1] / size[0], ink.shape[0] / size[1]
    covered = np.zeros_like(ink)
    empty = 0
    for word in words:
        x0, x1 = int(word.x0 * scale_x), max(int(word.x0 * scale_x) + 1, int(np.ceil(word.x1 * scale_x)))
        y0, y1 = int(word.top * scale_y), max(int(word.top * scale_y) + 1, int(np.ceil(word.bottom * scale_y)))
        box = ink[max(0, y0) : y1, max(0, x0) : x1]
        if not box.any():
            empty += 1
        covered[max(0, y0 - 1) : y1 + 1, max(0, x0 - 1) : x1 + 1] = True
    total = int(ink.sum())
    return empty / max(1, len(words)), (float((ink & covered).sum()) / total if total else 1.0)
