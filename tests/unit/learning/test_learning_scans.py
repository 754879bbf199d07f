"""A layout learned from a text PDF or from a scan serves a scan of the same layout: the
fingerprint holds through a scanner's shifts and a guessed resolution, labels through OCR's
misread letters, and real OCR (tesseract) of generated scans reads the fields and the line
table as they were taught."""

from __future__ import annotations

from dataclasses import replace

import pytest

from backoffice.demo.learning_flow import finish, hold, intake
from backoffice.demo.scans import scan
from backoffice.demo.series_tables import generate_table_series
from backoffice.documents import ocr
from backoffice.documents.models import Field
from backoffice.documents.pdf import Word
from backoffice.learning import fingerprint
from backoffice.learning.desk import Desk, correct_fields
from backoffice.learning.locate import same_label
from backoffice.learning.table import _quantity_from_prices
from backoffice.queue.memory import MemoryStore

LABELS = [
    ("Invoice", 320, 90),
    ("Date", 320, 104),
    ("Due", 320, 118),
    ("Order", 320, 132),
    ("Subtotal", 330, 430),
    ("Tax", 330, 446),
    ("Total", 330, 462),
    ("Account", 40, 700),
    ("Particulars", 40, 300),
    ("Each", 250, 300),
    ("Line", 400, 300),
    ("value", 425, 300),
]


def page(shift: float = 0.0, scale: float = 1.0) -> list[Word]:
    return [
        Word(t, (x + shift) * scale, (y - shift) * scale, (x + shift + 30) * scale, (y - shift + 9) * scale, 1)
        for t, x, y in LABELS
    ]


def test_the_fingerprint_holds_through_a_scanners_shift_and_a_guessed_resolution():
    index = fingerprint.Index()
    index.add(1, fingerprint.tokens(page(), fingerprint.A4))
    for shift, scale in ((0.0, 1.0), (5.0, 1.0), (-6.0, 1.0), (3.0, 1.12), (0.0, 0.9)):
        size = (fingerprint.A4[0] * scale, fingerprint.A4[1] * scale)
        tokens, words = fingerprint.page_tokens(page(shift, scale), size)
        [(layout, score)] = index.best(tokens, size=words)
        assert layout == 1 and score >= 0.9, (shift, scale, score)
    # Another layout's labels, where these are not, do not fit.
    other = [replace(w, text=w.text + "x") for w in page()]
    assert index.best(*fingerprint.page_tokens(other, fingerprint.A4)[:1]) == []


def test_labels_read_through_ocrs_misread_letters():
    assert same_label(["Invoice", "Date:"], ["Invoice", "Date"]) == 1.0
    assert 0.8 <= same_label(["lnvoice", "Date"], ["Invoice", "Date"]) < 1.0
    assert same_label(["Rechnungsdatum"], ["Rechnungsdatvm"]) > 0
    assert same_label(["Due", "Date"], ["Tax", "Rate"]) == 0.0
    assert same_label(["Tax"], ["Tux"]) == 0.0  # too short to guess


def test_a_quantity_ocr_lost_is_the_amount_over_the_unit_price():
    item = {"unit_price": Field("12.50"), "amount": Field("150.00")}
    _quantity_from_prices(item)
    assert item["quantity"].value == "12" and item["quantity"].method == "computed"
    uneven = {"unit_price": Field("3.00"), "amount": Field("10.00")}
    _quantity_from_prices(uneven)
    assert "quantity" not in uneven


@pytest.fixture(scope="module")
def series(tmp_path_factory):
    return generate_table_series(tmp_path_factory.mktemp("tables"), senders=2, per_sender=2, seed=23)


def lines(document):
    return [{k: f.value for k, f in line.items()} for line in document.lines]


@pytest.mark.skipif(not ocr.available(), reason="tesseract is not installed")
@pytest.mark.parametrize("taught_from", ["text", "scan"])
def test_a_layout_learned_from_a_text_pdf_or_a_scan_reads_a_scan(series, tmp_path, taught_from):
    first, second = series[0 if taught_from == "text" else 1]
    store = MemoryStore()
    path = first.path if taught_from == "text" else scan(first.path, tmp_path / "first-scan.pdf", seed=1)
    item, document = intake(store, "invoices", path)
    hold(store, item)
    changes = {
        k: v for k, v in first.expected.items() if (document.fields[k].value if k in document.fields else None) != v
    }
    for number, wanted in enumerate(first.lines, start=1):
        have = lines(document)[number - 1] if number <= len(document.lines) else {}
        changes.update({f"line.{number}.{k}": v for k, v in wanted.items() if have.get(k) != v})
    correct_fields(Desk(store), item.id, changes, why="read wrong", actor="anna")
    _, layout = finish(store, store.get(item.id), path, "anna")
    assert layout is not None and layout.table is not None

    scanned = scan(second.path, tmp_path / "second-scan.pdf", seed=7)
    item, document = intake(store, "invoices", scanned)
    assert document.method == "ocr"
    assert item.payload["learned"]["layout"] == layout.id and "lines" in item.payload["learned"]["fields"]
    read = lines(document)
    assert len(read) == len(second.lines)
    for got, wanted in zip(read, second.lines, strict=True):
        assert (got.get("amount"), got.get("unit_price"), got.get("quantity")) == (
            wanted["amount"],
            wanted["unit_price"],
            wanted["quantity"],
        )
    for name in ("grand_total", "net_total", "issue_date", "due_date"):
        assert document.fields[name].value == second.expected[name], name


def test_a_table_taught_from_a_tilted_page_is_levelled_first(series):
    import math

    from backoffice.learning.hooks import words_of
    from backoffice.learning.table import learn_table, page_slope, read_table

    first, second = series[0]
    items = [{k: Field(v) for k, v in line.items()} for line in first.lines]
    words = words_of(first.path).pages[0]
    assert page_slope(words) == 0.0
    for degrees in (0.8, -1.5):
        rise = math.tan(math.radians(degrees))
        tilted = [replace(w, top=w.top + rise * w.x0, bottom=w.bottom + rise * w.x0) for w in words]
        assert abs(page_slope(tilted) - rise) < 0.004
        rule = learn_table(items, tilted, 1, True)
        assert rule is not None and set(rule.columns) == {"description", "quantity", "unit_price", "amount"}
        later = [
            replace(w, top=w.top + rise * w.x0, bottom=w.bottom + rise * w.x0) for w in words_of(second.path).pages[0]
        ]
        assert lines_of(read_table(later, rule)) == second.lines


def lines_of(items):
    return [{k: f.value for k, f in item.items()} for item in items]


def test_an_identifiers_letters_and_digits_undo_ocrs_mix_ups():
    from backoffice.learning.locate import char_classes, ocr_fixed

    learned = char_classes("invoice_number", "SAB00065")
    assert learned == "AAA99999"
    assert ocr_fixed("SABOO065", learned) == "SAB00065"
    assert ocr_fixed("5AB00065", learned) == "SAB00065"
    assert ocr_fixed("EMBO00065", learned) == "EMBO00065"  # one character too many: left alone
    assert char_classes("grand_total", "12.50") == "" and char_classes("seller_name", "Acme 2 Ltd") == ""
