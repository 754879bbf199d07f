"""Review in one pass: line items corrected by their path (``lines[1].amount``), the fields a
person looked at confirmed, values written the document's way, low-confidence fields flagged
even when every rule passes; "Confirm and next" answers with the next item of the list; a CSV
order shows as a table and a broken file says what is wrong with it."""

from __future__ import annotations

import io
import zipfile

import pytest

from backoffice.queue import NewItem
from backoffice.queue.base import Status
from backoffice.web import actions, fieldview
from backoffice.web.state import ActionRefused
from tests.unit.web.conftest import sign_in
from tests.unit.web.test_web_actions import ALICE, right_total, totals_item


def test_a_line_cell_is_corrected_by_its_path_and_the_rules_run_again(ws):
    item = totals_item(ws)
    lines = item.payload["document"]["line_fields"]
    assert len(lines) >= 2
    after = actions.correct(ws, item.id, ALICE, "lines[1].description", "Repaired chair", "paper original")
    document = after.payload["document"]
    assert document["lines"][1]["description"] == "Repaired chair"
    cell = document["line_fields"][1]["description"]
    assert cell["method"] == "correction" and cell["bbox"] == lines[1]["description"]["bbox"]  # still boxed
    assert document["lines"][0] == item.payload["document"]["lines"][0]  # the other lines as they were
    correction = after.payload["corrections"][-1]
    assert (correction["field"], correction["old"], correction["new"]) == (
        "lines[1].description",
        lines[1]["description"]["value"],
        "Repaired chair",
    )
    assert [e.action for e in ws.store.journal(item.id)][-2:] == ["correct", "rerun-rules"]
    assert fieldview.label("lines[1].unit_price") == "Line 2 unit price"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("lines[99].amount", "1.00", "has .* line"),
        ("lines[0].colour", "red", "colour is not a field of a line"),
        ("lines[0].amount", "lots", r"lines\[0\].amount must be an amount"),
    ],
)
def test_a_bad_line_path_or_value_is_refused(ws, name, value, message):
    item = totals_item(ws)
    with pytest.raises(ActionRefused, match=message):
        actions.correct(ws, item.id, ALICE, name, value, "paper")
    assert ws.store.get(item.id) == item


def test_a_review_confirms_what_was_seen_and_needs_a_why_only_for_changes(ws):
    item = totals_item(ws)
    seen = ["seller_name", "buyer_name", "grand_total", "lines[0].amount"]
    with pytest.raises(ActionRefused, match="why is required"):
        actions.review(ws, item.id, ALICE, {"grand_total": right_total(item)}, "", seen)
    confirmed = actions.review(ws, item.id, ALICE, {"buyer_name": ""}, "", seen)
    assert confirmed.payload["confirmed"] == dict.fromkeys(seen, "alice")
    assert not confirmed.payload.get("corrections")
    fixed = actions.review(ws, item.id, ALICE, {"grand_total": right_total(item), "lines[0].amount": ""}, "paper", seen)
    assert [c["field"] for c in fixed.payload["corrections"]] == ["grand_total"]
    totals = next(o for o in fixed.payload["verdict"]["outcomes"] if o["rule"] == "totals-add-up")
    assert totals["ok"]
    rows = {r.name: r for r in fieldview.rows(fixed.payload["document"], {}, fixed.payload["confirmed"])}
    assert rows["grand_total"].status == fieldview.CORRECTED and rows["seller_name"].status == fieldview.CONFIRMED


def test_low_confidence_is_flagged_for_review_even_when_every_rule_passes():
    document = {
        "kind": "invoice",
        "fields": {
            "seller_vat_id": {"value": "DE123456789", "confidence": 0.99, "page": 1, "bbox": [10, 50, 90, 60]},
            "seller_address": {"value": "Hauptstraße 1", "confidence": 0.7, "page": 1, "bbox": [10, 20, 90, 30]},
            "grand_total": {"value": "1234567.5", "confidence": 0.97, "page": 1, "bbox": [300, 700, 350, 710]},
            "issue_date": {"value": "2024-03-01", "confidence": 0.99, "page": 1, "bbox": [300, 40, 350, 48]},
        },
    }
    rows = fieldview.rows(document, {})
    assert [r.name for r in rows][:4] == ["seller_address", "issue_date", "seller_vat_id", "grand_total"]  # page order
    by_name = {r.name: r for r in rows}
    assert by_name["seller_address"].status == fieldview.TO_REVIEW and by_name["grand_total"].status == ""
    assert fieldview.locale_of(document) == "de_DE"
    assert by_name["grand_total"].shown == "1.234.567,50" and by_name["issue_date"].shown == "01.03.2024"
    assert fieldview.shown("1234.5", "money", "en_US") == "1,234.50"


def test_confirm_and_next_redirects_to_the_next_item_of_the_list(client, ws):
    csrf = sign_in(client, "alice")
    waiting = sorted(ws.store.list(status=Status.EXCEPTION), key=lambda i: i.id)  # the list: oldest first, by id
    first, second = waiting[0], waiting[1]
    page = client.get(f"/items/{first.id}").text
    assert 'action="/items/%d/review"' % first.id in page and "Confirm and next" in page
    answer = client.post(f"/items/{first.id}/review", data={"csrf": csrf, "set.seller_name": "", "why": ""})
    assert answer.status_code == 303
    assert answer.headers["location"].startswith(f"/items/{second.id}?list=status%3Dexception")
    assert answer.headers["location"].endswith(f"done=review&from={first.id}")
    assert ws.store.get(first.id).payload["confirmed"] == {"seller_name": "alice"}


def _item_with_file(ws, data: bytes, name: str) -> int:
    stored = ws.files.put_bytes(data, name)
    item, _ = ws.store.enqueue(NewItem("orders", f"test:{name}", {"file": name}, files=[stored]))
    return item.id


def test_a_csv_order_shows_as_a_table_with_the_cells_fields_were_read_from(client, ws):
    sign_in(client, "alice")
    item_id = _item_with_file(ws, b"order_number;order_date;item_id;quantity\nPO-77;2024-03-01;A-1;3\n", "order.csv")
    page = client.get(f"/items/{item_id}").text
    assert 'class="grid spreadsheet"' in page and "<td>PO-77</td>" in page and "<th>D</th>" in page
    assert "not a PDF" not in page


def test_a_broken_file_says_what_is_wrong_in_plain_words(client, ws):
    sign_in(client, "alice")
    packed = io.BytesIO()
    with zipfile.ZipFile(packed, "w") as archive:
        archive.writestr("invoice.txt", "not a pdf")
    zipped = _item_with_file(ws, packed.getvalue(), "invoice.pdf")
    cut = _item_with_file(ws, b"%PDF-1.4\n1 0 obj << /Type /Catalog", "cut.pdf")
    page = client.get(f"/items/{zipped}").text
    assert "invoice.pdf is a ZIP archive (or an Office document), not a document with pages" in page
    page = client.get(f"/items/{cut}").text
    assert "No page to show: cut.pdf: the PDF is corrupt" in page
    assert "is not a PDF." not in page


def test_a_document_of_several_pages_has_thumbnails_and_its_words_can_be_clicked(client, ws):
    import pypdfium2

    sign_in(client, "alice")
    pdf = pypdfium2.PdfDocument.new()
    for _ in range(3):
        pdf.new_page(595, 842)
    buffer = io.BytesIO()
    pdf.save(buffer)
    pdf.close()
    item_id = _item_with_file(ws, buffer.getvalue(), "three-pages.pdf")
    page = client.get(f"/items/{item_id}").text
    assert page.count('<a href="#page-') == 3 and 'id="page-3"' in page
    assert 'data-zoom="1"' in page and "data-rotate" in page

    item = next(i for i in ws.store.list(status=Status.EXCEPTION, bot="invoices") if i.files)  # a demo invoice
    words = ws.images.words(item.files[0], 1)
    value = item.payload["document"]["fields"]["seller_name"]["value"]
    assert value.split()[0] in [w[0] for w in words]
    x0, top, x1, bottom = words[0][1:]
    assert 0 <= x0 < x1 <= 700 and 0 <= top < bottom <= 900  # points from the page's top-left
    assert ws.images.words(item.files[0], 1) == words  # the second time from the cache
    shown = client.get(f"/items/{item.id}?format=json").json()
    assert shown["review"] and set(shown["review"].values()) <= {"to review", "confirmed", "corrected"}
    assert 'class="word" data-word="' in client.get(f"/items/{item.id}").text


def test_a_scans_words_are_read_by_ocr_when_the_page_asks_and_then_kept(client, ws):
    from backoffice.demo import scans

    sign_in(client, "alice")
    item = next(i for i in ws.store.list(status=Status.EXCEPTION, bot="invoices") if i.files)
    seller = item.payload["document"]["fields"]["seller_name"]["value"]
    picture = io.BytesIO()
    scans.pages(ws.files.path(item.files[0]), "scan")[0].save(picture, format="PNG", dpi=(200, 200))
    scanned = _item_with_file(ws, picture.getvalue(), "scan.png")
    stored = ws.store.get(scanned).files[0]
    assert ws.images.words(stored, 1, read=False) is None  # not read yet: the page does not wait for OCR
    page = client.get(f"/items/{scanned}").text
    assert f'data-words="/items/{scanned}/pages/1/words"' in page
    words = client.get(f"/items/{scanned}/pages/1/words").json()
    assert seller.split()[0] in [w[0] for w in words]
    width, height = ws.images.sizes(stored)[0].width, ws.images.sizes(stored)[0].height
    assert all(0 <= w[1] < w[3] <= width + 1 and 0 <= w[2] < w[4] <= height + 1 for w in words)  # on the page
    assert ws.images.words(stored, 1, read=False) == words  # kept
    assert 'class="word" data-word="' in client.get(f"/items/{scanned}").text
