"""Scans that arrive as image files: a multi-page TIFF and a phone photo (JPEG, no resolution
recorded) are read by OCR page by page, with boxes in points of each page."""

from __future__ import annotations

import shutil

import pytest
from PIL import Image

from backoffice.demo import invoices, scans
from backoffice.documents import extract, ocr

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")


@pytest.fixture(scope="module")
def sources(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scan-files")
    return folder, invoices.generate_golden(folder, seed=9, layouts=("classic-en", "rechnung-de"), line_counts=(4, 40))


def test_a_multi_page_tiff_is_read_page_by_page(sources):
    folder, generated = sources
    long = next(g for g in generated if g.layout == "rechnung-de" and len(g.lines) == 40)
    tiff = scans.scan(long.path, folder / "long.tif", seed=4, dpi=200)
    with Image.open(tiff) as image:
        assert image.n_frames >= 2
    text = ocr.read_image_file(tiff)
    assert text.ocr_pages == set(range(1, text.page_count + 1)) and text.page_count >= 2
    assert all(round(w) == 595 and round(h) == 842 for w, h in text.sizes)  # A4, in points, from 200 dpi
    document = extract(tiff)
    assert document.method == "ocr" and document.pages == text.page_count
    assert document.fields["grand_total"].value == long.expected["grand_total"]
    assert document.fields["grand_total"].page == text.page_count  # the total is on the last page


def test_a_phone_photo_is_read_without_a_recorded_resolution(sources):
    folder, generated = sources
    short = next(g for g in generated if g.layout == "classic-en" and len(g.lines) == 4)
    photo = scans.scan(short.path, folder / "photo.jpg", seed=2, style="photo")
    with Image.open(photo) as image:
        assert ocr.recorded_dpi(image) is None
    document = extract(photo)
    for name in ("invoice_number", "issue_date", "grand_total"):
        assert document.fields[name].value == short.expected[name], name


def test_the_generator_gives_ocr_words_for_training(sources):
    _, generated = sources
    short = next(g for g in generated if g.layout == "classic-en" and len(g.lines) == 4)
    text = scans.read_scanned(short.path, "scan", dpi=200, seed=7)
    assert text.ocr_pages == {1} and text.page_count == 1
    assert short.expected["invoice_number"] in {w.text for w in text.pages[0]}
    assert all(0 < w.conf <= 1 for w in text.pages[0])
    again = scans.read_scanned(short.path, "scan", dpi=200, seed=7)
    assert [w.text for w in again.pages[0]] == [w.text for w in text.pages[0]]  # a fixed seed, the same pages
