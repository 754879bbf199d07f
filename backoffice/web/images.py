"""Pages of an item's source document as PNG images, rendered once with pypdfium2 and cached
under the workspace (``cache/pages/<sha256>-<page>@<scale>.png``), with the page sizes in PDF
points so field boxes (PDF points from the top-left) can be drawn over them."""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from backoffice.queue.base import StoredFile
from backoffice.queue.files import FileStore

log = logging.getLogger(__name__)
SCALE = 1.5  # 108 dpi: sharp enough to read, small enough to load fast
MAX_PAGES = 50  # pages shown for one document
IMAGE_TYPES = ("image/png", "image/jpeg")


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
        if stored.media_type != "application/pdf":
            return []
        index = self.cache / f"{stored.sha256}.json"
        if index.exists():
            return [PageSize(*p) for p in json.loads(index.read_text())]
        import pypdfium2

        source = self.files.path(stored)
        if not source.exists():
            return []
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
        if not 1 <= number <= MAX_PAGES or stored.media_type != "application/pdf":
            return None
        target = self.cache / f"{stored.sha256}-{number}@{self.scale:g}.png"
        if target.exists():
            return target
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


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".write-")
    with os.fdopen(fd, "wb") as out:
        out.write(data)
    os.replace(tmp, path)
