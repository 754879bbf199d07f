"""Any page of any document rendered for the supervisor UI (documents/pages.py): a text PDF's page
as it is, a scanned PDF page, a photo and a TIFF page as the OCR reader saw them, sized in the
points their field boxes are measured in, so that a field's box falls on its words."""

from __future__ import annotations

import io
import shutil

import pytest
from PIL import Image

from backoffice.demo import invoices, scans
from backoffice.documents import extract, ocr_engine, pages
from backoffice.errors import DocumentError

needs_tesseract = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract is not installed")


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    folder = tmp_path_factory.mktemp("page-images")
    return folder, invoices.generate_golden(folder, seed=11, layouts=("classic-en",), line_counts=(4,))[0]


def _text_under(shown: pages.PageImage, bbox, scale: float = pages.SCALE) -> str:
    """What OCR reads inside ``bbox`` (points, with a margin of 3 points) on the rendered page."""
    with Image.open(io.BytesIO(shown.png)) as image:
        x0, top, x1, bottom = (round(v * scale) for v in (bbox[0] - 3, bbox[1] - 3, bbox[2] + 3, bbox[3] + 3))
        crop = image.convert("L").crop((x0, top, x1, bottom))
    crop = crop.resize((crop.width * 2, crop.height * 2))  # 108 dpi is small for tesseract
    return " ".join(ocr_engine.read(crop, "eng", 7, 30)["text"])


def test_a_text_pdf_page_is_rendered_at_its_own_size(source):
    _, generated = source
    shown = pages.render_page(generated.path, 1)
    assert shown.png.startswith(b"\x89PNG") and (round(shown.width), round(shown.height)) == (595, 842)
    with Image.open(io.BytesIO(shown.png)) as image:
        assert image.size == (round(shown.width * pages.SCALE), round(shown.height * pages.SCALE))
    assert pages.page_count(generated.path) == 1
    with pytest.raises(DocumentError, match="no page 2") as refused:
        pages.render_page(generated.path, 2)
    assert refused.value.code == "no-such-page"


@needs_tesseract
@pytest.mark.parametrize("style,suffix", [("photo", ".jpg"), ("scan", ".pdf"), ("scan", ".tif")])
def test_a_scanned_page_is_shown_as_read_so_field_boxes_fall_on_the_words(source, style, suffix):
    folder, generated = source
    scanned = scans.scan(generated.path, folder / f"{style}{suffix}", seed=3, style=style)
    document = extract(scanned)
    shown = pages.render_page(scanned, 1)
    total = document.fields["grand_total"]
    assert total.value == generated.expected["grand_total"] and total.page == 1
    assert total.text in _text_under(shown, total.bbox)  # the box lies on the printed amount


def test_a_file_that_is_neither_pdf_nor_image_is_refused_naming_it(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("just some words\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="notes.txt: not a PDF"):
        pages.render_page(path, 1)
