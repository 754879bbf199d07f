"""Golden round trip: each generated document reads back as exactly what was printed on it.

Invoices in six layouts and languages with 1 to 40 lines (multi-page tables), timesheets as PDF,
CSV and XLSX, orders as PDF, CSV and e-mail (text and HTML), and noisy scans read by OCR.
"""

from __future__ import annotations

import pytest

from backoffice.demo.invoices import ALL_LAYOUTS, GOLDEN_LINE_COUNTS
from backoffice.demo.orders import FORMATS as ORDER_FORMATS
from backoffice.demo.timesheets import FORMATS as TIMESHEET_FORMATS, LANGUAGES
from backoffice.documents import extract
from tests.golden.conftest import SCANNED, expected_of

INVOICES = [f"golden-{layout}-{count:02d}-lines.pdf" for layout in ALL_LAYOUTS for count in GOLDEN_LINE_COUNTS]
TIMESHEETS = [f"timesheet-{lang}-{days:02d}days.{form}" for form in TIMESHEET_FORMATS for lang in LANGUAGES
              for days in (5, 22)]
ORDERS = [f"order-{lang}-{n + 1:02d}.{form}" for n, (form, lang) in
          enumerate((form, lang) for form in ORDER_FORMATS for lang in ("en", "de"))]
SCANS = [f"scan-{layout}{'.pdf' if n % 2 == 0 else '.png'}" for n, layout in enumerate(SCANNED)]


def _read(generated, name):
    path = generated[name]
    expected = expected_of(path)
    document = extract(path, kind="auto")
    names = sorted({key for line in expected["lines"] for key in line})
    lines = [{key: line[key].value for key in names if key in line} for line in document.lines]
    fields = {key: found.value for key, found in document.fields.items()}
    return document, expected, fields, lines


@pytest.mark.parametrize("name", INVOICES + TIMESHEETS + ORDERS)
def test_reads_back_what_was_printed(generated, name):
    document, expected, fields, lines = _read(generated, name)
    assert document.kind == expected["kind"]
    assert fields == expected["fields"]
    assert lines == expected["lines"]
    assert [{k: f.value for k, f in t.items()} for t in document.tax_lines] == expected.get("tax_lines", [])
    assert document.warnings == []


@pytest.mark.parametrize("name", SCANS)
def test_a_noisy_scan_reads_back_by_ocr(generated, name):
    document, expected, fields, lines = _read(generated, name)
    assert document.kind == expected["kind"] and document.method == "ocr"
    for key in ("invoice_number", "issue_date", "currency", "net_total", "tax_total", "grand_total", "seller_name"):
        assert fields.get(key) == expected["fields"][key], key
    assert [line["amount"] for line in lines] == [line["amount"] for line in expected["lines"]]
    for found in document.fields.values():  # OCR keeps word boxes, so provenance still works
        assert found.page == 1 and found.bbox is not None and found.confidence <= 1


def test_multi_page_tables_are_read_across_pages(generated):
    document, _, _, lines = _read(generated, "golden-rechnung-de-40-lines.pdf")
    assert document.pages > 1 and len(lines) == 40
    assert {1, 2} <= {line["amount"].page for line in document.lines}
