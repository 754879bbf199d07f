from __future__ import annotations

from backoffice.queue.files import FileStore
from backoffice.web.images import PageImages


def test_pages_of_a_pdf_are_sized_and_rendered_once(ws, tmp_path):
    item = ws.store.get(1)
    images = PageImages(ws.files, tmp_path / "cache")
    (page,) = images.sizes(item.files[0])
    assert (page.number, round(page.width), round(page.height)) == (1, 595, 842)  # A4 in points
    first = images.png(item.files[0], 1)
    assert first.read_bytes().startswith(b"\x89PNG") and images.png(item.files[0], 1) == first
    assert images.png(item.files[0], 2) is None and images.png(item.files[0], 0) is None


def test_what_is_not_a_readable_pdf_has_no_pages(tmp_path):
    files = FileStore(tmp_path / "files")
    images = PageImages(files, tmp_path / "cache")
    broken = files.put_bytes(b"%PDF-1.7\nnot really a pdf", "broken.pdf")
    picture = files.put_bytes(b"\x89PNG\r\n\x1a\n", "scan.png")
    assert images.sizes(broken) == [] and images.sizes(picture) == []
    assert images.png(picture, 1) is None and images.png(broken, 1) is None
