"""A layout learned from one sender serves another sender printing the same layout, but never
carries over what identifies a sender, and never changes what the reader read of it; of its own
sender, a learned value replaces the reader's guess quietly and a firm reading with a question."""

from __future__ import annotations

import random
from dataclasses import replace

from backoffice.demo.learning_flow import finish, hold, intake
from backoffice.demo.series import draw_layout, write_invoice
from backoffice.documents import extract
from backoffice.documents.models import Field
from backoffice.documents.pdf import read_words
from backoffice.learning.apply import GUESS_CONFIDENCE, REVIEW_CONFIDENCE, LearnedReader
from backoffice.learning.store import layouts
from backoffice.learning.desk import Desk, correct_fields
from backoffice.queue.memory import MemoryStore


def _learn(store, first):
    """Anna corrects what the reader misread of ``first``; the layout learned, and what she corrected."""
    item, document = intake(store, "invoices", first.path)
    hold(store, item)
    wrong = {
        k: v for k, v in first.expected.items() if (document.fields[k].value if k in document.fields else None) != v
    }
    correct_fields(Desk(store), item.id, wrong, why="misread", actor="anna")
    _, layout = finish(store, store.get(item.id), first.path, "anna")
    return layout, wrong


def test_another_sender_with_the_same_layout(tmp_path):
    rng = random.Random(17)
    ours = draw_layout(rng, 0)  # the reader misses this layout's invoice number and due date
    theirs = replace(ours, seller="Other Sender Ltd", vat_id="ESX1234567X", iban="ES9121000418450200051332")
    first = write_invoice(ours, rng, tmp_path / "ours-1.pdf", 1)
    other = write_invoice(theirs, rng, tmp_path / "theirs-1.pdf", 2)
    store = MemoryStore()
    layout, wrong = _learn(store, first)
    assert wrong
    assert layout.senders["seller_vat_id"] == ours.vat_id

    _, read = intake(store, "invoices", other.path)
    for name in ("seller_name", "seller_vat_id", "iban"):
        assert read.fields[name].value == other.expected[name]  # theirs, never ours
    for name in wrong:  # filled where the reader found nothing, from this page
        assert read.fields[name].value == other.expected[name]
        assert read.fields[name].method == "learned"
    untouched = [n for n in read.fields if n not in wrong]
    assert all(read.fields[n].method != "learned" for n in untouched)


def test_a_correction_of_another_senders_filled_field_teaches_that_sender_its_own_layout(tmp_path):
    rng = random.Random(17)
    ours = draw_layout(rng, 0)
    theirs = replace(ours, seller="Other Sender Ltd", vat_id="ESX1234567X", iban="ES9121000418450200051332")
    first = write_invoice(ours, rng, tmp_path / "ours-1.pdf", 1)
    other = write_invoice(theirs, rng, tmp_path / "theirs-1.pdf", 2)
    store = MemoryStore()
    layout, wrong = _learn(store, first)

    item, _ = intake(store, "invoices", other.path)
    assert "invoice_number" in item.payload["learned"]["fields"]
    hold(store, item)
    correct_fields(Desk(store), item.id, {"invoice_number": other.expected["order_reference"]}, why="not this",
                   actor="bea")  # fmt: skip
    _, taught = finish(store, store.get(item.id), other.path, "bea")
    assert taught.id != layout.id and taught.senders["seller_vat_id"] == theirs.vat_id
    kept = layouts(store).get(layout.id)
    assert (kept.senders, kept.corrected, kept.fields) == (layout.senders, 0, layout.fields)
    assert [c.action for c in layouts(store).journal(layout.id)] == ["learn"]


def test_a_readers_guess_gives_way_to_the_learned_value_and_a_reading_it_stands_by_is_held(tmp_path):
    rng = random.Random(17)
    ours = draw_layout(rng, 0)
    first = write_invoice(ours, rng, tmp_path / "ours-1.pdf", 1)
    second = write_invoice(ours, rng, tmp_path / "ours-2.pdf", 2)
    store = MemoryStore()
    layout, wrong = _learn(store, first)
    assert layout is not None and "seller_name" in layout.fields and "seller_name" not in wrong
    text = read_words(second.path)
    for confidence, quiet in ((GUESS_CONFIDENCE / 2, True), (0.6, False)):
        document = extract(second.path)
        document.fields["seller_name"] = Field("Remittance Advice", confidence, method="pattern")
        reading = LearnedReader(layouts(store)).read(text, document)
        assert reading is not None
        asked = [entry["field"] for entry in reading.review]
        if quiet:  # the reader only guessed: the learned name stands, nobody is asked
            assert document.fields["seller_name"].value == second.expected["seller_name"]
            assert "seller_name" in reading.expected and "seller_name" not in asked
        else:  # the reader stood by another name: a person looks
            assert "seller_name" in asked and "seller_name" not in reading.expected
            assert document.fields["seller_name"].confidence == REVIEW_CONFIDENCE
