"""Read scanned pages and images with tesseract, keeping each word's box.

Every page is cleaned first (:mod:`backoffice.documents.scan`: the sheet found in a photo, brought
to 200 dpi, shadows and grey paper flattened, speckles, scanner borders and punch holes removed,
straightened) and then read by one tesseract call. A page that this reading finds almost no
sure words on (or only words standing on end) is asked for its orientation and, when it lies on
its side or upside down, turned and read again.

The language: ``BACKOFFICE_OCR_LANGUAGES`` (tesseract codes joined by ``+``, such as ``deu+eng``)
when it is set, else ``auto``: the top of the first scanned page is read in English (at half
resolution), the language is told from its words (:mod:`backoffice.documents.ocr_language`), and
every page is read with that language and English. Word boxes come back in PDF points from the page's top-left, like the
text layer's, so provenance works the same. Each word carries what the readers after OCR look at
in a text layer's words: a font size (:func:`font_sizes`: told from the word's box and the letters
it holds, one size for a line, sizes close together made one, not the height of its ink, so the
letterhead stands out as the largest text), a dash on its line's height, tesseract's confidence;
an O or a zero beside digits is read as its ink's shape shows (:func:`zero_or_o`). Tesseract stays loaded in the process
(:mod:`backoffice.documents.ocr_engine`) and runs single-threaded (``OMP_THREAD_LIMIT=1``):
documents are read in parallel by processes instead (:mod:`backoffice.documents.pool`). Each page
has a time limit; a document has a page limit.
"""

from __future__ import annotations

import logging
import os
import re
import unicodedata
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from backoffice.documents import images, ocr_engine, ocr_language, scan
from backoffice.documents.images import (  # kept importable from here (the supervisor UI's page images)
    MAX_IMAGE_PIXELS as MAX_IMAGE_PIXELS,
    recorded_dpi as recorded_dpi,
)
from backoffice.documents.words import DEFAULT_MAX_PAGES, PdfText, Word
from backoffice.errors import ApplicationError, DocumentError

log = logging.getLogger(__name__)

os.environ.setdefault("OMP_THREAD_LIMIT", "1")

DPI = scan.TARGET_DPI  # PDF pages are rendered at the resolution OCR reads best per second
MAX_PIXELS = 40_000_000  # a page rendered bigger than this is rendered at a lower resolution
MAX_OCR_PAGES = 30
PAGE_SECONDS = 60
LANGUAGES = os.environ.get("BACKOFFICE_OCR_LANGUAGES", "auto")
FIRST_PASS = "eng"  # the language of the pass that tells the document's language
FIRST_PASS_SHARE = 0.4  # the top of the first page that pass reads (titles and labels are there)
FIRST_PASS_SCALE = 0.5  # at half the resolution: as sure of the language, a third faster (bench/ocr.py)
DEFAULT_LANGUAGES = "eng+deu+fra"  # when the first pass cannot tell
PAGE_SEGMENTATION = 3  # tesseract's automatic layout: invoices have blocks, columns and tables
BLOCK = 6  # a box read again on its own: one block of lines
MAX_BLANKS = 20  # boxes read again on their own, at most, a page
# Words read less surely are dropped. The tesseract that tesserocr's wheel carries (5.5) is less
# sure than Debian's 5.3 of some clean words ("1 PCS" at 23 instead of 78 on invoice2data's saeco
# page); at 20 bench/accuracy_scans.py gave the same key fields as at 30 (70/85 real invoices,
# 58/60 designed layouts; one seller name fewer, one buyer name more, one due date fewer).
MIN_CONFIDENCE = 20
MIN_RULED_CONFIDENCE = 5  # an amount with a rule's mark at its edge ("—55466.67" at 16: the mark costs it)
_RULE_EDGES = re.compile(r"^[|—_]+|[|—_]+$")
_AMOUNT = re.compile(r"[-+]?[\d.,']*\d")
MIN_SURE_WORDS = 8  # fewer sure words than this on an inked page: ask for its orientation
MIN_SURE_SHARE = 0.3  # or a smaller share of its words than this


def available() -> bool:
    """Whether tesseract and its language models are installed."""
    return ocr_engine.available()


class PageReader:
    """Reads the scanned pages of one document; the language is chosen once, on the first page."""

    def __init__(self, name: str, languages: str = LANGUAGES, steps: tuple[str, ...] = scan.STEPS, *,
                 keep: bool = False, blanks: bool = True):
        self.name, self.steps, self.blanks = name, steps, blanks
        self.languages = None if languages == "auto" else languages
        self.sizes: dict[int, tuple[float, float]] = {}  # page number -> (width, height) in points, as read
        self.kept: dict[int, scan.Page] = {}  # with ``keep``: page number -> the cleaned page OCR read
        self.keep = keep

    def read_page(self, page, number: int) -> list[Word]:
        """The words of a rendered PDF page (a ``pypdfium2.PdfPage``), in points."""
        width, height = page.get_size()
        scale = DPI / 72
        if width * height * scale * scale > MAX_PIXELS:
            scale = (MAX_PIXELS / (width * height)) ** 0.5
        image = page.render(scale=scale, grayscale=True).to_pil()
        return self.read_image(image, number, scale * 72)

    def read_image(self, image: Image.Image, number: int, dpi: float | None) -> list[Word]:
        """Words of one image; ``dpi`` is the resolution it was scanned at (None: unknown, a photo)."""
        if not available():
            raise DocumentError(f"{self.name}: page {number} is a scan, and OCR is not installed (tesseract)",
                                code="no-text-layer")
        page = scan.clean(image, dpi, self.steps)
        if self.languages is None:
            self.languages = self._choose_language(page.image, number)
        data = self._tesseract(page.image, number, self.languages)
        if "orientation" in self.steps and (_unsure(data) or _upright_words(data) < 0.5) and _inked(page.image):
            turned = scan.orientation(page.image)
            if turned:
                page.image = page.image.rotate(turned, expand=True)
                if page.ruled is not None:
                    page.ruled = page.ruled.rotate(turned, expand=True)
                page.turned = turned
                page.steps.append("orientation")
                data = self._tesseract(page.image, number, self.languages)
        if self.blanks:
            data = self._blanks_read(page.image, data)
        data["text"] = [zero_or_o(page.image, text, box) if _doubtful(text) else text
                        for text, box in zip(data["text"], zip(data["left"], data["top"], data["width"], data["height"]))]
        words = _words(data, page.scale, number)
        self.sizes[number] = (page.image.width / page.scale, page.image.height / page.scale)
        if self.keep:
            self.kept[number] = page
        log.debug("ocr page", extra={"source": self.name, "page": number, "words": len(words),
                                     "languages": self.languages, "cleaned": page.steps})
        return words

    def _choose_language(self, image: Image.Image, number: int) -> str:
        top = image.crop((0, 0, image.width, int(image.height * FIRST_PASS_SHARE)))
        top = top.resize((max(1, int(top.width * FIRST_PASS_SCALE)), max(1, int(top.height * FIRST_PASS_SCALE))),
                         Image.Resampling.BILINEAR)
        data = self._tesseract(top, number, FIRST_PASS)
        language = ocr_language.guess(t for t, c in zip(data["text"], data["conf"]) if float(c) >= MIN_CONFIDENCE)
        if language is None:
            return DEFAULT_LANGUAGES
        return language if language == "eng" else f"{language}+eng"

    def _blanks_read(self, image: Image.Image, data: dict) -> dict:
        """``data`` with each box tesseract was sure of but gave no text for read again on its own
        (as a block of lines), its words put in its place: on a ruled table's light grid, the
        cells "INV-3337" and "12345" came back as one box of " " at confidence 95 from the page's
        reading, and right from the box's own. A word the page's reading has already (the box of
        " " may lie over words read: "PURCHASE ORDER:" came back twice, as "PURCHASE URCHASE O
        ORDER:") is not taken again."""
        keys = ("text", "conf", "left", "top", "width", "height", "line")
        blanks = [i for i, (text, conf, height) in enumerate(zip(data["text"], data["conf"], data["height"]))
                  if not text.strip() and float(conf) >= MIN_CONFIDENCE and height >= 8][:MAX_BLANKS]
        if not blanks:
            return data
        data = {**data, "line": _lines(data)}
        out: dict[str, list] = {key: [] for key in keys}
        lines = max(data["line"], default=-1) + 1  # a box's lines are numbered after the page's
        read = [(data["left"][i], data["top"][i], data["left"][i] + data["width"][i], data["top"][i] + data["height"][i])
                for i, text in enumerate(data["text"]) if text.strip()]
        for i in range(len(data["text"])):
            if i not in blanks:
                for key in keys:
                    out[key].append(data[key][i])
                continue
            margin = max(2, min(data["height"][i], data["width"][i]) // 4)
            left, top = max(0, data["left"][i] - margin), max(0, data["top"][i] - margin)
            box = (left, top, min(image.width, data["left"][i] + data["width"][i] + margin),
                   min(image.height, data["top"][i] + data["height"][i] + margin))
            found = ocr_engine.read(image.crop(box), self.languages or DEFAULT_LANGUAGES, BLOCK, PAGE_SECONDS)
            found["left"] = [x + left for x in found["left"]]
            found["top"] = [y + top for y in found["top"]]
            found["line"] = [line + lines for line in _lines(found)]
            lines = max(found["line"], default=lines - 1) + 1
            for j in range(len(found["text"])):
                middle = (found["left"][j] + found["width"][j] / 2, found["top"][j] + found["height"][j] / 2)
                if not any(x0 <= middle[0] <= x1 and y0 <= middle[1] <= y1 for x0, y0, x1, y1 in read):
                    for key in keys:
                        out[key].append(found[key][j])
        return out

    def _tesseract(self, image: Image.Image, number: int, languages: str) -> dict:
        try:
            return ocr_engine.read(image, languages, PAGE_SEGMENTATION, PAGE_SECONDS)
        except ocr_engine.Timeout as exc:
            raise DocumentError(f"{self.name}: OCR of page {number} took longer than {PAGE_SECONDS} s",
                                code="ocr-timeout") from exc
        except RuntimeError as exc:
            raise ApplicationError(f"{self.name}: tesseract failed on page {number} ({exc})",
                                   code="ocr-failed") from exc


def _words(data: dict, scale: float, number: int) -> list[Word]:
    words = []
    sizes = [round(size / scale, 1) for size in font_sizes(data)]
    lines = _lines(data)
    spans = _line_spans(data, lines)
    for text, conf, left, top, width, height, size, line in zip(data["text"], data["conf"], data["left"], data["top"],
                                                                data["width"], data["height"], sizes, lines):
        conf = float(conf)
        text = text.strip()
        clean = _RULE_EDGES.sub("", text)
        # A table's rule or a leader line touching a word is read as "|" or "—" at its edge, and
        # costs the whole word its confidence: an amount so marked is kept, without the mark.
        if not clean or conf < (MIN_RULED_CONFIDENCE if clean != text and _AMOUNT.fullmatch(clean) else MIN_CONFIDENCE):
            continue
        if line in spans and width >= 2 * height and not any(ch.isalnum() for ch in clean):
            # A dash's ink is a sliver beside its line's letters (a text layer gives every word of
            # a line the font's height): it takes its line's height, so it is not put on a line of
            # its own ("ROUX - 1535" was read as "ROUX", "1535" and "-"). A dot read as a dash
            # (the faint colon of "N° :") is left where it is.
            top, bottom = spans[line]
            height = bottom - top
        word = Word(text=_iban(clean), x0=left / scale, top=top / scale, x1=(left + width) / scale,
                    bottom=(top + height) / scale, page=number, size=size, conf=conf / 100)
        words.append(word)
    return _signs_joined(words)


def _lines(data: dict) -> list[int]:
    """The line number of each word (:func:`ocr_engine.read` gives them; without them each word is
    a line of its own)."""
    return list(data.get("line") or range(len(data["text"])))


def _line_spans(data: dict, lines: list[int]) -> dict[int, tuple[float, float]]:
    """The top and the bottom of each line that holds sure words of letters or digits (the
    medians of theirs), in pixels."""
    found: dict[int, list[tuple[float, float]]] = {}
    for text, conf, top, height, line in zip(data["text"], data["conf"], data["top"], data["height"], lines):
        if float(conf) >= MIN_CONFIDENCE and any(ch.isalnum() for ch in text):
            found.setdefault(line, []).append((top, top + height))
    return {line: (float(np.median([t for t, _ in spans])), float(np.median([b for _, b in spans])))
            for line, spans in found.items()}


# How far a word's ink reaches above its baseline and below it, in ems (its font's size):
# capitals, digits, accented and tall small letters about 0.72 (an accented capital 0.88), the
# other small letters 0.52 (Helvetica, Arial, DejaVu: 0.52-0.55; Times 0.45); letters with a
# descender, brackets and bars 0.21 below, a comma's tail 0.12.
_TALL = frozenset("bdfhijklt%&#@$€£¥/\\()[]{}|!?ß")
_DEEP = frozenset("gjpqy()[]{}|")
_TAIL = frozenset(",;")
EM_SCALE = 1.1  # the reach above makes sizes 10% small on the scans of the corpus's text PDFs (ink thins)
SIZE_OUTLIER = 1.6  # a word this much larger or smaller than its line's words has its own size (a letter-spaced logo beside an address)
SIZE_STEP = 1.15  # sizes within this factor of the largest of a run are one size (OCR's spread: ~8%)


def font_sizes(data: dict) -> list[float]:
    """The font size of each word tesseract read, in pixels, as a text layer gives it: a box's
    height says little by itself ("acme" is half as tall as "Shipping" in the same font), so each
    word's size is told from its box and the letters it holds, each line takes the median of its
    words (the word far from it keeps its own), and sizes close together are made one, so that
    the letterhead's and the headings' sizes stand out as they do in a text PDF."""
    own = [_em(text.strip(), height) for text, height in zip(data["text"], data["height"])]
    lines = _lines(data)
    found: dict[int, list[float]] = {}
    for size, line, conf in zip(own, lines, data["conf"]):
        if size and float(conf) >= MIN_CONFIDENCE:
            found.setdefault(line, []).append(size)
    of_line = {line: float(np.median(found[line])) for line in found}
    usual = float(np.median(list(of_line.values()))) if of_line else None
    sizes = []
    for size, line, height in zip(own, lines, data["height"]):
        common = of_line.get(line)
        if common is None or (size and max(size / common, common / size) > SIZE_OUTLIER):
            common = size or usual or float(height)
        sizes.append(common * EM_SCALE)
    return _merged(sizes)


def _em(text: str, height: float) -> float | None:
    """The font size that a word's box ``height`` tells by the letters it holds; None for a word
    of signs alone (a dash, a full stop), whose box says nothing of it."""
    if not any(ch.isalnum() for ch in text):
        return None
    reach = max(_reach(ch) for ch in text)
    depth = 0.21 if any(ch in _DEEP for ch in text) else 0.12 if any(ch in _TAIL for ch in text) else 0.0
    return height / (reach + depth)


def _reach(ch: str) -> float:
    accented = len(unicodedata.normalize("NFD", ch)) > 1
    if ch.isupper():
        return 0.88 if accented else 0.72
    if ch in _TALL or ch.isdigit() or accented or (ch.isalpha() and not ch.islower()):  # and caseless scripts
        return 0.72
    return 0.52 if ch.isalpha() else 0.0  # a sign reaches no higher than a small letter


def _merged(sizes: list[float]) -> list[float]:
    """``sizes`` made few, as a text layer's are (the letterhead's, the headings', the body's):
    the size most words are near, with every size within :data:`SIZE_STEP` of it (half above,
    half below), takes their median; then the most common of the others, and so on."""
    logs = np.log(np.maximum(np.asarray(sizes, dtype=float), 0.1))
    merged = logs.copy()
    left = np.ones(len(logs), dtype=bool)
    half = np.log(SIZE_STEP) / 2
    while left.any():
        pool = np.sort(logs[left])
        near = np.searchsorted(pool, pool + half, "right") - np.searchsorted(pool, pool - half, "left")
        members = left & (np.abs(logs - pool[int(np.argmax(near))]) <= half)
        merged[members] = np.median(logs[members])
        left &= ~members
    return [float(size) for size in np.exp(merged)]


_BESIDE_DIGIT = re.compile(r"(?<=\d)[O0]|[O0](?=\d)")
ROUND = 0.8  # width over height: a capital O's ink is nearly round (0.86-0.93), a zero's an oval (0.64-0.7)


def _doubtful(text: str) -> bool:
    """Whether ``text`` holds an O beside a digit, or a zero beside a digit in a word with other
    letters (an identifier: a number's zeros are left as read)."""
    found = {match.group() for match in _BESIDE_DIGIT.finditer(text)}
    return "O" in found or ("0" in found and any(ch.isalpha() and ch != "O" for ch in text))


def zero_or_o(image: Image.Image, text: str, box: tuple[int, int, int, int]) -> str:
    """``text`` with each O or 0 beside a digit read as what its ink's shape shows: a zero is an
    oval no wider than the word's other digits, an O round and wider than them (tesseract's
    language model guesses in identifiers: ``PO123456789-RO1`` for ``PO123456789-R01``, ``P0123``
    for ``PO123``). The word's ``box`` (left, top, width, height in pixels of ``image``) is cut
    into its blots of ink; when they are as many as its characters (none touching), the i-th blot
    is the i-th character, else the word is left as read."""
    left, top, width, height = box
    grey = np.asarray(image.crop((left, top, left + width, top + height)).convert("L"))
    if grey.size == 0:
        return text
    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, _, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    blots = sorted((tuple(stats[i][:4]) for i in range(1, count) if stats[i][4] >= 2), key=lambda b: b[0])
    letters = list(text)
    if len(blots) != len(letters):
        return text
    digits = sorted(w for ch, (_, _, w, _) in zip(letters, blots) if ch in "23456789")
    usual = digits[len(digits) // 2] if len(digits) >= 2 else None
    lettered = any(ch.isalpha() and ch != "O" for ch in letters)
    for match in _BESIDE_DIGIT.finditer(text):
        _, _, w, h = blots[match.start()]
        shape = w / max(h, 1)
        if match.group() == "O" and shape < ROUND and (usual is None or w <= 1.15 * usual):
            letters[match.start()] = "0"
        elif match.group() == "0" and lettered and shape > ROUND and (usual is None or w >= 1.2 * usual):
            letters[match.start()] = "O"
    return "".join(letters)


_SIGNS = {"°", "º"}  # a sign that belongs to the word before it ("N°", "nº")


def _signs_joined(words: list[Word]) -> list[Word]:
    """``words`` with each sign tesseract split off the word to its left put back on it
    ("FACTURE N ° 052273" for "N° 052273": the label "facture n°" is not found in it). Tesseract
    may give the sign before the words of its line, so the word is looked for by its place."""
    for sign in [w for w in words if w.text in _SIGNS]:
        before = [w for w in words if w is not sign and _sign_of(w, sign)]
        if before:
            word = min(before, key=lambda w: sign.x0 - w.x1)
            words[words.index(word)] = _joined(word, sign)
            words.remove(sign)
    return words


def _sign_of(before: Word, sign: Word) -> bool:
    """Whether ``sign`` stands just right of ``before``, on its line."""
    height = before.bottom - before.top
    return sign.top < before.bottom and sign.bottom > before.top and -0.2 * height <= sign.x0 - before.x1 < 0.5 * height


def _joined(before: Word, sign: Word) -> Word:
    return Word(text=before.text + sign.text, x0=before.x0, top=min(before.top, sign.top), x1=sign.x1,
                bottom=before.bottom, page=before.page, size=before.size, conf=min(before.conf, sign.conf))


_DIGIT_LOOKALIKES = str.maketrans("OoDQIlSZB", "001011528")
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9A-Za-z]{2}[0-9A-Z]{11,30}")


def _iban(text: str) -> str:
    """An IBAN whose check digits OCR read as look-alike letters (``NLS8`` for ``NL58``), with
    those digits put back when the IBAN's own check then holds; any other text as it is."""
    if not _IBAN_SHAPE.fullmatch(text) or text[2:4].isdigit():
        return text
    from stdnum import iban

    repaired = text[:2] + text[2:4].translate(_DIGIT_LOOKALIKES) + text[4:]
    return repaired if iban.is_valid(repaired) else text


def _unsure(data: dict) -> bool:
    """Whether a reading was sure of fewer than :data:`MIN_SURE_WORDS` words, or of less than
    :data:`MIN_SURE_SHARE` of them (an upright page: 70-90%; one on its side or upside down: 4-12%,
    fragments of the letters read the wrong way)."""
    found = [(text.strip(), float(conf)) for text, conf in zip(data["text"], data["conf"]) if text.strip()]
    sure = sum(1 for text, conf in found if len(text) > 2 and conf >= 70)
    return sure < MIN_SURE_WORDS or sure < MIN_SURE_SHARE * len(found)


def _upright_words(data: dict) -> float:
    """The share of words of four characters or more that are wider than tall. Tesseract reads
    lines turned by 90° too, but gives their words tall boxes: such a page is turned upright."""
    long = [(w, h) for text, w, h in zip(data["text"], data["width"], data["height"]) if len(text.strip()) >= 4]
    return sum(1 for w, h in long if w > h) / len(long) if long else 1.0


def _inked(image: Image.Image) -> bool:
    """Whether a page holds enough dark pixels to be more than a blank sheet."""
    return float((np.asarray(image) < 128).mean()) > 0.005


def read_page(page, number: int, *, name: str) -> list[Word]:
    """The words of a rendered PDF page (a ``pypdfium2.PdfPage``), in points."""
    return PageReader(name).read_page(page, number)


def read_image(image: Image.Image, number: int, scale: float, *, name: str) -> list[Word]:
    """Words of one image; ``scale`` is pixels per point (a 300 dpi scan: 300 / 72)."""
    return PageReader(name).read_image(image, number, scale * 72)


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
        # A born-digital page (it has a text layer; only its pictures want OCR) keeps its table
        # rules: drawn crisp, with no scanning noise joining letters to them, they help tesseract
        # keep a table's header apart from its rows (invoice2data's saeco page read "Totaal 21%"
        # into one line without them).
        # Nor are its blank boxes read again: on that saeco page it cost an item line (the golden
        # test caught it).
        reader = PageReader(path.name, steps=tuple(step for step in scan.STEPS if step != "rules"), blanks=False)
        for index in pictured:
            pages[index] = reader.read_page(document[index], index + 1)
    finally:
        document.close()
    log.debug("read pictured pages by OCR", extra={"source": path.name, "pages": len(pictured)})
    return PdfText(text.source, text.page_count, pages, list(text.sizes), text.ocr_pages | {i + 1 for i in pictured})


def read_image_file(path: Path, *, max_pages: int = DEFAULT_MAX_PAGES) -> PdfText:
    """Every frame of an image file (PNG, JPEG, multi-page TIFF, ...) read by OCR."""
    name = path.name
    with images.opened(path) as image:
        frames = images.frame_count(image)
        if frames > min(max_pages, MAX_OCR_PAGES):
            raise DocumentError(
                f"{name}: the image has {frames} pages, more than the limit of "
                f"{min(max_pages, MAX_OCR_PAGES)} scanned pages",
                code="too-many-pages",
            )
        reader = PageReader(name)
        text = PdfText(source=name, page_count=frames)
        for number in range(1, frames + 1):
            frame, dpi = images.frame(path, image, number)
            text.pages.append(reader.read_image(frame, number, dpi))
            text.sizes.append(reader.sizes[number])
            text.ocr_pages.add(number)
    if not any(text.pages):
        raise DocumentError(f"{name}: OCR found no text in the image", code="no-text-layer")
    return text


def page_points(image: Image.Image, dpi: float | None) -> tuple[float, float]:
    """The size in points that the reader gives a page image (its resolution guessed from its
    letters when the file records none), so that word boxes can be drawn over it."""
    if dpi is None:
        dpi = scan.estimated_dpi(np.asarray(image.convert("L"))) or DPI
    return image.width * 72 / dpi, image.height * 72 / dpi
