"""Image files as documents: a PNG, a JPEG (a phone photo), a multi-page TIFF (a scanner's or a
fax server's), GIF, BMP or WebP, opened safely and given frame by frame, grey and the right way
up (the camera's EXIF orientation applied), with the resolution the file records.

Every refusal is a :class:`~backoffice.errors.DocumentError` naming the file: ``image-corrupt``
(or ``not-a-pdf`` when the name promised something else), ``image-too-large``."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from PIL import Image, ImageOps, UnidentifiedImageError

from backoffice.documents.magic import HEADER_WINDOW, describe
from backoffice.errors import DocumentError

MAX_IMAGE_PIXELS = 80_000_000  # an image file bigger than this is refused before it is decoded
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".gif", ".bmp", ".webp"}


@contextmanager
def opened(path: Path) -> Iterator[Image.Image]:
    """The image file at ``path``, open (its pixels not decoded yet) and checked for size."""
    try:
        with warnings.catch_warnings():  # the size is checked below, with a clearer message
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(path)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise unreadable(path, exc) from exc
    with image:
        width, height = image.size
        if width * height > MAX_IMAGE_PIXELS:
            raise DocumentError(
                f"{path.name}: the image is {width} × {height} pixels, more than the limit of "
                f"{MAX_IMAGE_PIXELS // 1_000_000} million",
                code="image-too-large",
            )
        yield image


def frame_count(image: Image.Image) -> int:
    """How many pages (frames) an image file holds: a multi-page TIFF several, a photo one."""
    return int(getattr(image, "n_frames", 1))


def frame(path: Path, image: Image.Image, number: int) -> tuple[Image.Image, float | None]:
    """Page ``number`` (1-based) of an opened image file, grey and upright, and the resolution
    the file records for it (None: unknown, as for a photo)."""
    try:
        image.seek(number - 1)
        return ImageOps.exif_transpose(image.convert("L")), recorded_dpi(image)
    except (OSError, ValueError, EOFError, Image.DecompressionBombError) as exc:
        raise unreadable(path, exc) from exc


def recorded_dpi(image: Image.Image) -> float | None:
    """The resolution an image file records for its current frame; None when it records none or
    an unlikely one (photos record nothing, or 72)."""
    dpi = image.info.get("dpi", (0, 0))
    try:
        value = float(dpi[0] if isinstance(dpi, tuple) else dpi)
    except (TypeError, ValueError):
        return None
    return value if 100 <= value <= 1200 else None


def unreadable(path: Path, exc: BaseException) -> DocumentError:
    """The refusal of an image file that cannot be decoded, saying what its bytes look like."""
    with path.open("rb") as stream:
        what = describe(stream.read(HEADER_WINDOW))
    if path.suffix.lower() in IMAGE_SUFFIXES:  # the name says image: a broken image
        return DocumentError(f"{path.name}: {what} that cannot be read ({exc})", code="image-corrupt")
    # A name that promised a PDF (or a stored copy, named by its hash): say it is not one.
    return DocumentError(f"{path.name}: not a PDF, it looks like {what} that cannot be read ({exc})", code="not-a-pdf")
