"""The parts of learning on their own: fingerprints and their index, finding a value and its
label on a page, reading where a rule says, who may teach, the export."""

from __future__ import annotations

import re

import yaml

from backoffice.documents.pdf import Word
from backoffice.learning import fingerprint
from backoffice.learning.export import export
from backoffice.learning.layout import FieldRule, Layout
from backoffice.learning.learn import lesson
from backoffice.learning.locate import read_rule, rule_for, shape
from backoffice.queue.base import Status
from backoffice.rules import approvals as four_eyes


def words(*placed: tuple[str, float, float]) -> list[Word]:
    """Words of 9 points at (x, top), each 6 points a character wide."""
    return [Word(text, x, top, x + 6 * len(text), top + 9, 1) for text, x, top in placed]


def page(number: str, total: str, due: str, shift: float = 0.0) -> list[Word]:
    return words(("Sender", 40, 40), ("GmbH", 90, 40), ("Beleg", 300, 100), (number, 400, 100),
                 ("Zahlbar", 300, 115), ("bis", 350, 115), (due, 400, 115),
                 ("Zu", 300, 400 + shift), ("zahlen", 318, 400 + shift), (total, 400, 400 + shift))  # fmt: skip


def test_fingerprint_keeps_label_words_and_ignores_values():
    one = fingerprint.tokens(page("A-1", "1.234,56", "01.02.2026"))
    two = fingerprint.tokens(page("B-77", "9,99", "28.02.2026"))
    assert one == two and "beleg@12,4" in one and not any(re.search(r"\d@", t) for t in one)
    assert fingerprint.score(one, two) == 1.0


def test_the_index_finds_the_layout_a_page_fits_and_no_other():
    index = fingerprint.Index()
    index.add(1, fingerprint.tokens(page("A-1", "1,00", "01.02.2026")))
    index.add(2, fingerprint.tokens(words(("Invoice", 40, 40), ("Total", 300, 400), ("Due", 300, 115))))
    [(found, score)] = index.best(fingerprint.tokens(page("C-3", "5,00", "03.03.2026")))
    assert found == 1 and score == 1.0
    assert index.best(fingerprint.tokens(words(("Something", 10, 10), ("else", 80, 10)))) == []


def test_a_rule_learned_on_one_page_reads_the_next_even_where_the_block_moved():
    rule = rule_for(page("A-1", "1.234,56", "01.02.2026"), "grand_total", "1234.56", 1)
    assert rule is not None and rule.anchor == "Zu zahlen" and rule.hint == ","
    value, raw, box = read_rule(page("B-2", "7.000,10", "05.03.2026", shift=60), rule)
    assert (value, raw) == ("7000.10", "7.000,10") and box[1] == 460
    due = rule_for(page("A-1", "1,00", "01.02.2026"), "due_date", "2026-02-01", 1)
    assert due.anchor == "Zahlbar bis" and read_rule(page("B-2", "1,00", "28.02.2026"), due)[0] == "2026-02-28"
    number = rule_for(page("A-1", "1,00", "01.02.2026"), "invoice_number", "A-1", 1)
    assert number.shape == shape("A-1") == "A-9"
    assert read_rule(page("XYZ", "1,00", "01.02.2026"), number) is None  # not the learned shape


def test_who_may_teach():
    def item(status, **payload):
        return type("Item", (), {"status": status, "payload": payload, "id": 1})()

    def approval(who, **payload):  # as the approvals module records one: what it covers
        return {"who": who, "at": "x", "covers": four_eyes.covers(payload)}

    fix = [{"who": "anna", "field": "grand_total", "at": "2026-01-02T03:04:05+00:00"}]
    assert lesson(item(Status.DONE, corrections=fix)) == ("anna", fix[0]["at"], {"grand_total"})
    assert lesson(item(Status.EXCEPTION, corrections=fix)) is None
    assert lesson(item(Status.DONE)) is None
    routed = {"routes": [{"to": "approval"}]}
    by_anna = [approval("anna", corrections=fix, verdict=routed)]
    assert lesson(item(Status.DONE, corrections=fix, verdict=routed, approvals=by_anna)) is None
    by_bea = [approval("bea", corrections=fix, verdict=routed)]
    assert lesson(item(Status.DONE, corrections=fix, verdict=routed, approvals=by_bea)) is not None
    stale = [approval("bea", verdict=routed)]  # given before anna's correction: it does not cover it
    assert lesson(item(Status.DONE, corrections=fix, verdict=routed, approvals=stale)) is None
    voided = [{**by_bea[0], "voided": "anna changed grand_total"}]
    assert lesson(item(Status.DONE, corrections=fix, verdict=routed, approvals=voided)) is None
    fields = {"fields": {"iban": {}}}
    confirmed = lesson(item(Status.DONE, approvals=[approval("bea", document=fields)], document=fields))
    assert confirmed == ("bea", "x", {"iban"})
    # A line cell corrected from the command line (line.2.amount) or in the UI's review form
    # (lines[1].amount, counted from 0) teaches the line table.
    for path in ("line.2.amount", "lines[1].amount"):
        cell = [{"who": "anna", "field": path, "at": "2026-01-02T03:04:05+00:00"}]
        assert lesson(item(Status.DONE, corrections=cell)) == ("anna", cell[0]["at"], {"lines"})


def test_export_as_our_template_and_invoice2data():
    rule = rule_for(page("A-1", "1.234,56", "01.02.2026"), "grand_total", "1234.56", 1)
    placed = FieldRule("buyer_name", 1, (1, 2, 3, 4))
    layout = Layout("invoice", frozenset(), {"grand_total": rule, "buyer_name": placed},
                    {"seller_vat_id": "DE123456789"}, id=4, item=9, taught_by="anna", at="2026-01-02")  # fmt: skip
    ours = export(layout, "ours")
    assert "from item 9, corrected by anna on 2026-01-02" in ours and "not exported: buyer_name" in ours
    data = yaml.safe_load(ours)
    assert data["keywords"] == ["DE123456789"] and data["options"]["decimal_separator"] == ","
    regex = data["fields"]["grand_total"]["regex"]
    assert re.search(regex, "Zu zahlen 7.000,10").group(1) == "7.000,10"
    theirs = yaml.safe_load(export(layout, "invoice2data"))
    assert "amount" in theirs["fields"] and "grand_total" not in theirs["fields"]


def test_what_a_printed_value_shows_of_its_habits():
    from backoffice.learning.locate import date_order, decimal_mark

    assert [date_order(t) for t in ("31/03/2026", "03/31/2026", "05/06/2026", "5 May 2026")] == [
        "dmy",
        "mdy",
        None,
        None,
    ]
    assert [decimal_mark(t) for t in ("1.234,56", "1,234.56", "12,5", "1 234", "€ 9,99")] == [",", ".", ",", None, ","]
    # A month-first page teaches month first, even where both dates could be read either way.
    first = words(("Dated", 300, 100), ("03/31/2026", 400, 100), ("Due", 300, 115), ("04/05/2026", 400, 115))
    due = rule_for(first, "due_date", "2026-04-05", 1)
    assert due.hint == "?"  # alone it cannot tell; learn.rules_of settles it from the page's other dates


def test_a_computed_value_is_not_learned_where_its_source_is_printed():
    from backoffice.documents.models import Document, Field
    from backoffice.documents.pdf import PdfText
    from backoffice.learning.learn import rules_of

    printed = page("A-1", "1.234,56", "01.02.2026")
    grand = Field("1234.56", 0.95, 1, (400.0, 400.0, 448.0, 409.0), "1.234,56", "label")
    document = Document("invoice", "text-layer", {"grand_total": grand, "amount_due": Field(
        "1234.56", 0.85, 1, grand.bbox, grand.text, "computed")})  # fmt: skip
    found = rules_of(document, PdfText("a.pdf", 1, [printed], [(595.0, 842.0)]))
    assert "grand_total" in found and "amount_due" not in found
