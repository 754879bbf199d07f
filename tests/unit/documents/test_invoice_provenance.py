"""Every found field says where it came from: its page and a box that holds exactly its text."""

from __future__ import annotations

import pdfplumber
import pytest

SAMPLE_COUNT = 12


def _text_in(pdf: pdfplumber.PDF, page: int, bbox, pad: float = 0.5) -> str:
    box = (bbox[0] - pad, bbox[1] - pad, bbox[2] + pad, bbox[3] + pad)
    return "".join(pdf.pages[page - 1].within_bbox(box).extract_text().split())


@pytest.mark.parametrize("index", range(SAMPLE_COUNT))
def test_each_field_box_holds_its_text(samples, index):
    generated, document = samples[index]
    assert document.fields
    with pdfplumber.open(generated.path) as pdf:
        for name, found in document.fields.items():
            assert found.page == 1, name
            assert found.bbox is not None, name
            assert found.text, name
            assert found.method in {"label", "pattern", "table", "computed"}, name
            assert 0 < found.confidence <= 1, name
            assert _text_in(pdf, found.page, found.bbox) == "".join(found.text.split()), name


@pytest.mark.parametrize("index", range(SAMPLE_COUNT))
def test_each_line_item_cell_box_holds_its_text(samples, index):
    generated, document = samples[index]
    with pdfplumber.open(generated.path) as pdf:
        for line in document.lines:
            for name, cell in line.items():
                assert cell.method == "table"
                assert _text_in(pdf, cell.page, cell.bbox) == "".join(cell.text.split()), name


def test_the_raw_text_is_kept_beside_the_normalised_value(samples):
    by_layout = {g.layout: d for g, d in samples}
    german = by_layout["rechnung-de"].fields
    assert german["issue_date"].text.count(".") == 2  # printed 05.03.2024, stored 2024-03-05
    assert german["grand_total"].text.endswith("EUR") and "," in german["grand_total"].text
    assert "." in german["grand_total"].value and "," not in german["grand_total"].value
    assert by_layout["compact-uk"].fields["currency"].text.startswith("£")
