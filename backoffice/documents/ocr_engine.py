"""Tesseract, kept loaded in the process (``tesserocr``, tesseract's C++ API): loading a language's
model costs a tenth of a second or more (``deu+eng``: a quarter), about half of what reading a
page costs, so a reader that starts the ``tesseract`` program for every page pays it every time.
Here each thread keeps its engines (one per language set, the last few used) for every page and
document it reads; the worker processes of :mod:`backoffice.documents.pool` read many documents
each. The models are the ones the ``tesseract`` program uses (its ``tessdata`` folder, or
``TESSDATA_PREFIX``).

:func:`read` gives tesseract's words with their boxes and confidences, :func:`orientation` the
turn a page needs to stand upright.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import threading
from collections import OrderedDict

from PIL import Image

os.environ.setdefault("OMP_THREAD_LIMIT", "1")  # before tesseract is loaded: one core per reader

KEPT = 3  # engines a thread keeps loaded (the language pass, the document's languages, orientation)
_local = threading.local()


class Timeout(Exception):
    """Tesseract did not finish within the time it was given."""


@functools.cache
def tessdata() -> str | None:
    """The folder of tesseract's models: ``TESSDATA_PREFIX``, else where the ``tesseract`` program
    finds them; None when neither is there."""
    prefix = os.environ.get("TESSDATA_PREFIX")
    if prefix and os.path.isdir(prefix):
        return prefix.rstrip("/") + "/"
    program = shutil.which("tesseract")
    if program is None:
        return None
    try:
        done = subprocess.run([program, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r'"([^"]+)"', done.stdout + done.stderr)
    return found.group(1).rstrip("/") + "/" if found and os.path.isdir(found.group(1)) else None


def available() -> bool:
    """Whether tesseract and its models can be loaded."""
    try:
        import tesserocr  # noqa: F401
    except ImportError:
        return False
    return tessdata() is not None


def _engine(languages: str, psm: int):
    """This thread's engine for ``languages`` and page segmentation mode ``psm``, loaded on first use."""
    import tesserocr

    engines: OrderedDict = getattr(_local, "engines", None) or OrderedDict()
    _local.engines = engines
    key = (languages, psm)
    if key in engines:
        engines.move_to_end(key)
        return engines[key]
    _quiet()
    engine = tesserocr.PyTessBaseAPI(path=tessdata(), lang=languages, psm=psm)
    engines[key] = engine
    while len(engines) > KEPT:
        _, oldest = engines.popitem(last=False)
        oldest.End()
    return engine


@functools.cache
def _quiet() -> None:
    """Leptonica (tesseract's image library) writes its complaints about a box it clips to the
    process's stderr ("Error in boxClipToRectangle"); they say nothing about the page's words."""
    import tesserocr

    tesserocr.set_leptonica_log_level(tesserocr.LeptLogLevel.NONE)


def read(image: Image.Image, languages: str, psm: int, seconds: float, dpi: int = 0) -> dict[str, list]:
    """Tesseract's words on ``image``: lists ``text``, ``conf`` (0-100), ``left``, ``top``,
    ``width``, ``height`` (pixels) and ``line`` (the number of the text line tesseract found the
    word in, from 0), one entry per word, in reading order. Raises :class:`Timeout`
    after ``seconds``, RuntimeError when tesseract cannot read the image."""
    import tesserocr

    engine = _engine(languages, psm)
    engine.SetImage(image)
    if dpi:
        engine.SetSourceResolution(dpi)
    if not engine.Recognize(timeout=int(seconds * 1000)):
        engine.Clear()
        raise Timeout(f"tesseract took longer than {seconds:.0f} s")
    data: dict[str, list] = {"text": [], "conf": [], "left": [], "top": [], "width": [], "height": [], "line": []}
    level, words, line = tesserocr.RIL.WORD, engine.GetIterator(), -1
    for word in tesserocr.iterate_level(words, level) if words is not None else ():
        if word.IsAtBeginningOf(tesserocr.RIL.TEXTLINE):
            line += 1
        try:
            text = word.GetUTF8Text(level)
        except RuntimeError:  # "No text returned": a box tesseract found no letters in
            continue
        box = word.BoundingBox(level)
        if not text or box is None:
            continue
        left, top, right, bottom = box
        data["text"].append(text)
        data["conf"].append(word.Confidence(level))
        data["left"].append(left)
        data["top"].append(top)
        data["width"].append(right - left)
        data["height"].append(bottom - top)
        data["line"].append(max(line, 0))
    engine.Clear()
    return data


def orientation(image: Image.Image) -> tuple[int, float]:
    """Degrees (0, 90, 180, 270) to turn ``image`` counter-clockwise to stand it upright, and how
    sure tesseract is (its orientation confidence; 0.0 when it found too little text to tell)."""
    import tesserocr

    engine = _engine("osd", tesserocr.PSM.OSD_ONLY)
    engine.SetImage(image)
    found = engine.DetectOrientationScript()
    engine.Clear()
    if not found:
        return 0, 0.0
    return int(found["orient_deg"]) % 360, float(found["orient_conf"])
