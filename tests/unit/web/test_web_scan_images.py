"""Scans that came as image files are shown page by page in the supervisor UI, sized in points as
the OCR reader measured them, so field boxes fall where the words are."""

from __future__ import annotations

import io

from PIL import Image

from backoffice.queue.files import FileStore
from backoffice.web.images import PageImages


def _tiff(pages: int, size=(1654, 2339), dpi=200) -> bytes:
    frames = [Image.new("L", size, 255) for _ in range(pages)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:], dpi=(dpi, dpi))
    return buffer.getvalue()


def test_every_frame_of_a_tiff_is_a_page_in_points(tmp_path):
    files = FileStore(tmp_path / "files")
    images = PageImages(files, tmp_path / "cache")
    stored = files.put_bytes(_tiff(2), "scan.tif")
    assert stored.media_type == "image/tiff"
    sizes = images.sizes(stored)
    assert [(p.number, round(p.width), round(p.height)) for p in sizes] == [(1, 595, 842), (2, 595, 842)]
    second = images.png(stored, 2)
    assert second.read_bytes().startswith(b"\x89PNG")
    with Image.open(second) as shown:
        assert shown.size == (round(595.44 * 1.5), round(842.04 * 1.5))  # SCALE pixels per point
    assert images.png(stored, 3) is None


def test_a_png_without_a_resolution_is_sized_like_the_reader_does(tmp_path):
    files = FileStore(tmp_path / "files")
    images = PageImages(files, tmp_path / "cache")
    buffer = io.BytesIO()
    Image.new("L", (1000, 1400), 255).save(buffer, "PNG")  # no letters: the reader's 200 dpi
    stored = files.put_bytes(buffer.getvalue(), "photo.png")
    (page,) = images.sizes(stored)
    assert (round(page.width), round(page.height)) == (360, 504)
    assert images.png(stored, 1).read_bytes().startswith(b"\x89PNG")
