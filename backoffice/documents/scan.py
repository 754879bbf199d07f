"""Clean a scanned or photographed page before OCR (OpenCV, ``deskew``, Pillow), step by step.

:func:`clean` runs the steps of :data:`STEPS` in this order; each is a plain function on a grey
``numpy`` image, so the benchmark (``bench/ocr.py``) can switch any of them off and measure what
it is worth:

``page``         a photo: find the sheet of paper in it and straighten its perspective
``resolution``   bring the page to :data:`TARGET_DPI` (a 300-600 dpi scan is shrunk, a small
                 photo enlarged; a photo's resolution is guessed from its letters' height)
``invert``       turn light text on a dark band (a letterhead's, a table head's) into dark text on
                 paper: left as it is, the flattening makes the band's text white on white or the
                 rules' step cuts its letters ("Example Company" was read as "Mis ed eee")
``flatten``      divide out the background (shadows, uneven light, grey paper) and stretch contrast
``denoise``      white-out speckles smaller than a full stop
``borders``      white-out the dark scanner border and punch holes in the margins
``deskew``       straighten a tilted page (up to ±:data:`MAX_SKEW`°)
``rules``        white-out the thin straight lines of ruled tables and boxes: a word touching a
                 cell's border is read as one blob with it and lost ("Date :" in a bordered cell),
                 and the short dividers between a ruled row's cells, which end on those lines (read
                 as "|" into the value beside them); the page shown in the supervisor UI keeps
                 them (:attr:`Page.shown`)
``orientation``  turn a page lying on its side or upside down (0/90/180/270°): tesseract's
                 orientation detection costs as much as reading the page, so
                 :mod:`~backoffice.documents.ocr` runs it only when a first reading finds almost
                 no words it is sure of

The result is a :class:`Page`: the grey image tesseract reads, its resolution in pixels per
point, and what was done to it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image

log = logging.getLogger(__name__)

STEPS = ("page", "resolution", "invert", "flatten", "denoise", "borders", "deskew", "rules", "orientation")
TARGET_DPI = 200  # reads as well as 300 dpi at half the time (bench/ocr.py)
MAX_SKEW = 10.0
LETTER_POINTS = 7.0  # the median height of a letter's ink on an invoice, in points (a 9-10 pt font)
PAPER = 255
MAX_PAIRED = 4000  # lone dots beyond this many are not looked at in pairs (a colon's two dots)
HEAVY_NOISE = 10  # specks per letter above which a median filter is worth the thin strokes it erodes
ORIENTATION_CONFIDENCE = 2.0  # tesseract's orientation confidence below which a page is left as it is
RULE_INCHES = 0.4  # a straight run of ink this long is a rule: no letter's stroke is (a 20-pt dash is 0.15")
DIVIDER_INCHES = 0.15  # a stroke this tall that ends on a rule divides a ruled row's cells (a 10-pt "l": 0.1")
BAND_DARKNESS = 0.6  # ground darker than this share of the paper's is a band (a shadow lies over 0.55-1)
BAND_INCHES = 0.15  # a band is at least this tall and four times as wide (a line of 9-pt text and more)
BAND_FILL = 0.7  # and fills this share of its box at least (a band is a rectangle; a shadow may be too)
BAND_TEXT = 0.35  # light text on a band: pixels this share of the paper's brightness above the band's
RULE_THICKNESS = 0.04  # inches: a rule is thinner than this (a 3-pt line); thicker bars (shading) stay


@dataclass
class Page:
    """A page ready for OCR."""

    image: Image.Image
    scale: float  # pixels per PDF point of ``image``
    turned: int = 0  # degrees the page was turned (counter-clockwise) to stand upright
    skew: float = 0.0  # degrees it was straightened by
    steps: list[str] = field(default_factory=list)  # the steps that changed something
    ruled: Image.Image | None = None  # the page before its rules were whited out (None: it had none)

    @property
    def shown(self) -> Image.Image:
        """The page as a person should see it: cleaned, with its table rules."""
        return self.ruled if self.ruled is not None else self.image


def clean(image: Image.Image, dpi: float | None, steps: tuple[str, ...] = STEPS) -> Page:
    """``image`` cleaned by ``steps`` (all but ``orientation``, which the OCR reader runs when a
    reading fails); ``dpi`` is the resolution the file records (None: unknown, as for a photo)."""
    grey = np.asarray(image.convert("L"))
    done: list[str] = []
    skew = 0.0
    if "page" in steps and dpi is None:
        found = find_page(grey)
        if found is not None:
            grey = found
            done.append("page")
    if "resolution" in steps:
        grey, dpi, changed = rescale(grey, dpi)
        if changed:
            done.append("resolution")
    dpi = dpi or TARGET_DPI
    if "invert" in steps:
        grey, inverted = invert_bands(grey, dpi)
        if inverted:
            done.append("invert")
    if "flatten" in steps:
        grey = flatten(grey)
        done.append("flatten")
    if "denoise" in steps:
        grey, removed = despeckle(grey, dpi)
        if removed:
            done.append("denoise")
    if "borders" in steps:
        grey, removed = remove_borders(grey, dpi)
        if removed:
            done.append("borders")
    if "deskew" in steps:
        skew = skew_angle(grey)
        if abs(skew) >= 0.2:
            grey = rotate(grey, skew)
            done.append("deskew")
        else:
            skew = 0.0
    ruled = None
    if "rules" in steps:
        unruled = remove_rules(grey, dpi)
        if unruled is not grey:
            ruled, grey = Image.fromarray(grey), unruled
            done.append("rules")
    return Page(Image.fromarray(grey), dpi / 72, 0, skew, done, ruled)


def find_page(grey: np.ndarray) -> np.ndarray | None:
    """The sheet of paper in a photo, seen from straight above; None when no sheet stands out
    from its background (a scan, or a photo cropped to the page)."""
    height, width = grey.shape
    factor = 600 / max(height, width)
    small = cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    edges = cv2.dilate(cv2.Canny(cv2.GaussianBlur(small, (5, 5), 0), 30, 90), np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    corners = None
    for contour in sorted(contours, key=cv2.contourArea, reverse=True)[:3]:
        hull = cv2.convexHull(contour)
        area = cv2.contourArea(hull) / (small.shape[0] * small.shape[1])
        polygon = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
        if 0.3 < area < 0.95 and len(polygon) == 4:
            corners = polygon
            break
    if corners is None:
        return None
    corners = _ordered(corners.reshape(4, 2).astype(np.float32) / factor)
    top_left, top_right, bottom_right, bottom_left = corners
    out_w = int(max(np.linalg.norm(top_right - top_left), np.linalg.norm(bottom_right - bottom_left)))
    out_h = int(max(np.linalg.norm(bottom_left - top_left), np.linalg.norm(bottom_right - top_right)))
    target = np.array([[0, 0], [out_w - 1, 0], [out_w - 1, out_h - 1], [0, out_h - 1]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners, target)
    return cv2.warpPerspective(grey, matrix, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def _ordered(points: np.ndarray) -> np.ndarray:
    """Four corners as top-left, top-right, bottom-right, bottom-left."""
    total, difference = points.sum(axis=1), np.diff(points, axis=1).ravel()
    return np.array(
        [
            points[np.argmin(total)],
            points[np.argmin(difference)],
            points[np.argmax(total)],
            points[np.argmax(difference)],
        ],
        dtype=np.float32,
    )


def letter_height(grey: np.ndarray) -> float | None:
    """The median height in pixels of the letter-sized blobs of ink, or None when there are few."""
    binary = cv2.adaptiveThreshold(grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, 31, 15)
    _, _, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    widths = stats[1:, cv2.CC_STAT_WIDTH]
    letters = heights[(heights >= 4) & (heights < grey.shape[0] / 20) & (widths < 4 * heights) & (widths >= 2)]
    return float(np.median(letters)) if len(letters) >= 20 else None


def estimated_dpi(grey: np.ndarray) -> float | None:
    """A page's resolution judged by the height of its letters (:data:`LETTER_POINTS`), or None."""
    height = letter_height(grey)
    return None if height is None else height / LETTER_POINTS * 72


def rescale(grey: np.ndarray, dpi: float | None) -> tuple[np.ndarray, float | None, bool]:
    """``grey`` at :data:`TARGET_DPI`; a page whose resolution is unknown is judged by the height
    of its letters. Pages within 20% of the target are left alone."""
    if dpi is None:
        dpi = estimated_dpi(grey)
        if dpi is None:
            return grey, None, False
    factor = TARGET_DPI / dpi
    if 1 / 1.2 <= factor <= 1.2:
        return grey, dpi, False
    method = cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    return cv2.resize(grey, None, fx=factor, fy=factor, interpolation=method), TARGET_DPI, True


def invert_bands(grey: np.ndarray, dpi: float) -> tuple[np.ndarray, bool]:
    """``grey`` with each dark band that holds light text inverted (its text dark on light ground),
    and whether there was one. The ground under the letters is the page's median over a third of
    an inch (letters cover less of it than their ground); a band is a large region of dark ground,
    nearly a rectangle, with more pixels much lighter than its ground (its letters) than darker
    ones (a shadow's letters are darker than their ground)."""
    height, width = grey.shape
    factor = 8
    small = cv2.resize(grey, (max(1, width // factor), max(1, height // factor)), interpolation=cv2.INTER_AREA)
    ground = cv2.medianBlur(small, 7)
    paper = float(np.percentile(small, 90))
    dark = (ground < BAND_DARKNESS * paper).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=8)
    least = BAND_INCHES * dpi / factor
    out, inverted = grey, False
    for label in range(1, count):
        left, top, w, h, area = (int(v) for v in stats[label])
        if h < least or w < 4 * least or area < BAND_FILL * w * h:
            continue
        box = (
            slice(top * factor, min(height, (top + h) * factor)),
            slice(left * factor, min(width, (left + w) * factor)),
        )
        shape = (labels[top : top + h, left : left + w] == label).astype(np.uint8)
        outline, _ = cv2.findContours(shape, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        cv2.drawContours(shape, outline, -1, 1, thickness=cv2.FILLED)  # with the holes its big letters made
        inside = cv2.resize(
            shape, (box[1].stop - box[1].start, box[0].stop - box[0].start), interpolation=cv2.INTER_NEAREST
        ).astype(bool)
        pixels = grey[box][inside].astype(np.float32)
        level = float(np.median(pixels))
        lighter = int((pixels > level + BAND_TEXT * paper).sum())
        darker = int((pixels < level - BAND_TEXT * paper / 2).sum())
        if lighter <= darker or lighter < 0.01 * len(pixels):
            continue
        if not inverted:
            out, inverted = grey.copy(), True
        region = out[box]
        region[inside] = 255 - region[inside]
    return out, inverted


def flatten(grey: np.ndarray) -> np.ndarray:
    """Paper made white and ink dark however the light fell: the page divided by its background
    (the page with its letters closed over), then the darkest ink stretched to black."""
    height, width = grey.shape
    small = cv2.resize(grey, (max(1, width // 8), max(1, height // 8)), interpolation=cv2.INTER_AREA)
    background = cv2.medianBlur(cv2.dilate(small, np.ones((5, 5), np.uint8)), 9)
    background = cv2.resize(background, (width, height), interpolation=cv2.INTER_LINEAR)
    ratio = grey.astype(np.float32) / np.maximum(background.astype(np.float32), 1)
    ink = np.percentile(ratio[::4, ::4], 0.5)
    stretched = (ratio - ink) / max(1e-3, 0.92 - ink)
    return np.clip(stretched * 255, 0, 255).astype(np.uint8)


def despeckle(grey: np.ndarray, dpi: float) -> tuple[np.ndarray, bool]:
    """Specks whited out: dots up to the size of a full stop with no letter beside them (a full
    stop or the dot of an i always has one). Letters' thin strokes are left alone, which a median
    filter would erode at 200 dpi; a page peppered all over (ten specks a letter) gets the median
    filter all the same."""
    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, labels, stats, centroids = cv2.connectedComponentsWithStats(ink, connectivity=8)
    factor = dpi / 200
    areas = stats[:, cv2.CC_STAT_AREA]
    small = np.flatnonzero(areas <= max(4, int(16 * factor**2)))  # a full stop at 200 dpi: about 4 × 4 pixels
    small = small[small > 0]
    if not len(small):
        return grey, False
    if len(small) > HEAVY_NOISE * (count - 1 - len(small)):  # salt and pepper over everything
        return cv2.medianBlur(grey, 3), True
    letters = (areas[labels] > max(4, int(16 * factor**2))) & (labels > 0)
    reach = max(3, int(12 * factor))  # about half a letter's height
    near = cv2.dilate(letters.astype(np.uint8), np.ones((reach, 2 * reach), np.uint8))
    xs = np.clip(centroids[small, 0].astype(int), 0, grey.shape[1] - 1)
    ys = np.clip(centroids[small, 1].astype(int), 0, grey.shape[0] - 1)
    alone = small[near[ys, xs] == 0]
    alone = alone[~_paired(centroids[alone], areas[alone], factor)]
    if not len(alone):
        return grey, False
    out = grey.copy()
    out[np.isin(labels, alone)] = PAPER
    return out, True


def _paired(centres: np.ndarray, areas: np.ndarray, factor: float) -> np.ndarray:
    """Which of the dots at ``centres`` (x, y) make a colon with another: two dots of about the
    same size, not mere pixels, one right above the other as far apart as a colon's (4-18 pixels
    at 200 dpi). A colon standing apart in its own column ("Bestellung  :  2013-471331") was
    whited out, and its label read as a title. Scattered specks seldom line up so."""
    if len(centres) < 2 or len(centres) > MAX_PAIRED:
        return np.zeros(len(centres), dtype=bool)
    dx = np.abs(centres[:, None, 0] - centres[None, :, 0])
    dy = np.abs(centres[:, None, 1] - centres[None, :, 1])
    big = areas >= max(4, int(6 * factor**2))
    alike = np.maximum(areas[:, None], areas[None, :]) <= 2.5 * np.minimum(areas[:, None], areas[None, :])
    near = (dx <= 2 * factor + 1) & (dy >= 4 * factor) & (dy <= 18 * factor) & alike & big[:, None] & big[None, :]
    return near.any(axis=1)


def remove_borders(grey: np.ndarray, dpi: float) -> tuple[np.ndarray, bool]:
    """White-out dark blobs that touch the page's edge (a scanner's border, a neighbouring page)
    and round holes in the outer margin (a punch's holes)."""
    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    height, width = grey.shape
    margin = 25 * dpi / 25.4  # punch holes lie within 25 mm of an edge
    hole = (4 * dpi / 25.4, 9 * dpi / 25.4)  # a punch hole is 5-8 mm across
    unwanted = []
    for label in range(1, count):
        x, y, w, h, area = stats[label]
        touches = x == 0 or y == 0 or x + w >= width or y + h >= height
        big = w > 0.3 * width or h > 0.3 * height or area > 0.002 * height * width
        in_margin = x + w < margin or x > width - margin or y + h < margin or y > height - margin
        round_hole = (
            hole[0] <= w <= hole[1] and hole[0] <= h <= hole[1] and 0.85 < w / h < 1.18 and 0.72 < area / (w * h) < 0.86
        )  # a disc fills π/4 of its box
        if (touches and big) or (in_margin and round_hole):
            unwanted.append(label)
    if not unwanted:
        return grey, False
    out = grey.copy()
    out[np.isin(labels, unwanted)] = PAPER
    return out, True


def remove_rules(grey: np.ndarray, dpi: float) -> np.ndarray:
    """``grey`` with the thin straight horizontal and vertical lines of tables and boxes whited out
    (runs of ink :data:`RULE_INCHES` long, thinner than :data:`RULE_THICKNESS`), or ``grey`` itself
    when it has none. Letters that touch a rule lose only the rule's pixels."""
    _, ink = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY_INV + cv2.THRESH_OTSU)
    length = max(15, int(RULE_INCHES * dpi))
    thick = max(3, int(round(RULE_THICKNESS * dpi)) + 1)
    rules = np.zeros_like(ink)
    found = []
    for run, across, edge in (((length, 1), (1, thick), (1, 3)), ((1, length), (thick, 1), (3, 1))):
        runs = _runs(ink, run)
        lines = cv2.subtract(runs, _runs(runs, across))
        found.append(lines)
        # the line, and a pixel either side of it (its grey, anti-aliased edge)
        rules = cv2.bitwise_or(rules, cv2.dilate(lines, cv2.getStructuringElement(cv2.MORPH_RECT, edge)))
    if not rules.any():
        return grey
    rules = cv2.bitwise_or(rules, _dividers(ink, found[0], dpi, thick))
    out = grey.copy()
    out[rules > 0] = PAPER
    return out


def _runs(ink: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """The ink that a ``shape`` (width, height) rectangle fits in: runs at least that long."""
    return cv2.morphologyEx(ink, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_RECT, shape))


def _dividers(ink: np.ndarray, horizontal: np.ndarray, dpi: float, thick: int) -> np.ndarray:
    """The short vertical strokes between the cells of a ruled row (shorter than a rule, taller
    than :data:`DIVIDER_INCHES`) that end on a horizontal rule, with their grey edges: left
    standing, they are read as "|", "l" or "1" into the value beside them ("\\203.52" for
    "293.52"). A letter's stem is shorter, or stands free of the rules."""
    tall = max(9, int(DIVIDER_INCHES * dpi))
    runs = _runs(ink, (1, tall))
    strokes = cv2.subtract(runs, _runs(runs, (thick, 1)))
    if not strokes.any():
        return strokes
    count, labels = cv2.connectedComponents(strokes, connectivity=8)
    ends = cv2.dilate(horizontal, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 5)))
    touching = np.unique(labels[(ends > 0) & (labels > 0)])
    if not len(touching):
        return np.zeros_like(strokes)
    dividers = np.isin(labels, touching).astype(np.uint8) * 255
    return cv2.dilate(dividers, cv2.getStructuringElement(cv2.MORPH_RECT, (3, 1)))


def orientation(image: Image.Image) -> int:
    """Degrees (0, 90, 180, 270) to turn the page counter-clockwise so that it stands upright,
    from tesseract's orientation detection (a fifth of a second a page: :mod:`~backoffice.documents.ocr`
    asks only when a first reading found little text it was sure of); 0 when it is not sure."""
    from backoffice.documents import ocr_engine

    try:
        turn, confidence = ocr_engine.orientation(image)
    except RuntimeError:  # an image tesseract cannot take
        return 0
    return turn if confidence >= ORIENTATION_CONFIDENCE else 0


def skew_angle(grey: np.ndarray) -> float:
    """The page's tilt in degrees (positive: counter-clockwise), 0.0 when none is found."""
    from deskew import determine_skew

    # 800 pixels find the angle to 0.25° in a sixth of a second; at 600, the ruling of a form misled it
    # now and then (5° off, which the page was then turned by, on 1 of 24 scans of a ruled invoice; 0 at 800)
    factor = min(1.0, 800 / max(grey.shape))
    small = cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    angle = determine_skew(small, min_deviation=0.25, min_angle=-MAX_SKEW, max_angle=MAX_SKEW)
    return 0.0 if angle is None else float(angle)


def rotate(grey: np.ndarray, angle: float) -> np.ndarray:
    """``grey`` turned by ``angle`` degrees counter-clockwise about its centre, corners white."""
    height, width = grey.shape
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    return cv2.warpAffine(grey, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=PAPER)
