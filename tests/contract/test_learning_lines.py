"""Line tables and disagreements learned on every queue backend (memory, SQLite, PostgreSQL):
a person corrects the lines of an invoice whose column headings no reader knows, the next
invoice of the series is read with the table learned; a second person's correction of the lines
revises the table; a learned reading that disagrees with the reader where the reader used to be
right is marked for review with both values."""

from __future__ import annotations

from dataclasses import replace

import pytest

from backoffice.learning.store import layouts
from backoffice.demo.learning_flow import finish, hold, intake
from backoffice.demo.series import generate_series
from backoffice.demo.series_tables import generate_table_series
from backoffice.documents import extract
from backoffice.errors import BusinessError
from backoffice.learning.apply import review_note
from backoffice.learning.desk import Desk, correct_fields
from backoffice.learning.hooks import hold_for_review


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    return generate_table_series(tmp_path_factory.mktemp("tables"), senders=2, per_sender=3, seed=23)


@pytest.fixture(scope="module")
def plain(tmp_path_factory):
    return generate_series(tmp_path_factory.mktemp("series"), senders=1, per_sender=2, seed=17)[0]


def values(document):
    return [{k: f.value for k, f in line.items()} for line in document.lines]


def line_changes(document, invoice):
    changes = {}
    for number, wanted in enumerate(invoice.lines, start=1):
        have = values(document)[number - 1] if number <= len(document.lines) else {}
        changes.update({f"line.{number}.{k}": v for k, v in wanted.items() if have.get(k) != v})
    changes.update({f"line.{n}": "delete" for n in range(len(invoice.lines) + 1, len(document.lines) + 1)})
    return changes


def header_changes(document, invoice):
    return {
        k: v for k, v in invoice.expected.items() if (document.fields[k].value if k in document.fields else None) != v
    }


def teach(store, invoice, actor="anna"):
    item, document = intake(store, "invoices", invoice.path)
    item = hold(store, item)
    changes = {**header_changes(document, invoice), **line_changes(document, invoice)}
    correct_fields(Desk(store), item.id, changes, why="read wrong", actor=actor)
    done, layout = finish(store, store.get(item.id), invoice.path, actor)
    return done, layout


def test_corrected_lines_teach_the_table_and_the_next_invoice_is_read_with_it(store, tables):
    first, *later = tables[0]
    assert extract(first.path).lines == []  # no heading the reader knows: it finds no table
    done, layout = teach(store, first)
    assert layout is not None and layout.table is not None and layout.table.corrected
    assert set(layout.table.columns) == {"description", "quantity", "unit_price", "amount"}
    [change] = layouts(store).journal(layout.id)
    assert change.action == "learn" and "lines" in change.fields
    corrections = store.get(done.id).payload["corrections"]
    assert {c["field"][:6] for c in corrections} >= {"lines["}  # line.N.FIELD is recorded as lines[N-1].FIELD
    for invoice in later:
        item, document = intake(store, "invoices", invoice.path)
        assert values(document) == invoice.lines
        assert all(f.method == "learned" for line in document.lines for f in line.values())
        learned = item.payload["learned"]
        assert "lines" in learned["fields"] and learned["review"] == []
        assert "lines" not in learned["expected"]  # the reader read no lines: nothing to disagree with
        assert learned["provenance"].startswith(f"learned from item {done.id}, corrected by anna on ")


def test_a_second_persons_correction_of_the_lines_revises_the_table(store, tables):
    first, second, _ = tables[1]
    _, layout = teach(store, first, actor="anna")
    learned = layout.table
    item, document = intake(store, "invoices", second.path)
    assert "lines" in item.payload["learned"]["fields"]
    hold(store, item)
    # Bea says the last line is no item (a note the table printed).
    last = len(document.lines)
    correct_fields(Desk(store), item.id, {f"line.{last}": "delete"}, why="a note, not an item", actor="bea")
    assert len(store.get(item.id).payload["document"]["lines"]) == last - 1
    finish(store, store.get(item.id), second.path, "bea")
    revised = layouts(store).get(layout.id)
    [*_, change] = layouts(store).journal(layout.id)
    assert (change.action, change.actor, change.fields) == ("revise", "bea", ("lines",))
    assert revised.corrected == 1 and revised.taught_by == "bea" and revised.table is not None
    assert revised.table.columns.keys() == learned.columns.keys()


def test_line_corrections_are_checked_before_any_is_written(store, tables):
    from backoffice.web.actions import ActionRefused

    first = tables[0][0]
    item, _ = intake(store, "invoices", first.path)
    hold(store, item)
    for changes, code in (
        ({"line.1.colour": "red"}, "field"),
        ({"line.1.amount": "lots"}, "value"),
        ({"line.3.amount": "1.00"}, "field"),  # no line 2 yet
        ({"line.1": "remove"}, "value"),
        ({"lines.1.amount": "1.00"}, "field"),
    ):
        with pytest.raises(ActionRefused) as refused:
            correct_fields(Desk(store), item.id, changes, why="test", actor="anna")
        assert refused.value.code == code, changes
    assert "corrections" not in store.get(item.id).payload


def test_a_disagreement_where_the_reader_was_right_is_marked_for_review(store, plain):
    first, second = plain
    item, document = intake(store, "invoices", first.path)
    assert document.fields["grand_total"].value == first.expected["grand_total"]  # the reader reads it right
    hold(store, item)
    correct_fields(Desk(store), item.id, header_changes(document, first), why="read wrong", actor="anna")
    done, layout = finish(store, store.get(item.id), first.path, "anna")
    assert not layout.fields["grand_total"].corrected
    # The layout drifts: its grand total rule now points at the tax (as a wrong lesson would).
    drifted = replace(layout.fields["tax_total"], name="grand_total")
    layouts(store).save(
        replace(layout, fields={**layout.fields, "grand_total": drifted}),
        actor="test",
        item_id=None,
        action="revise",
        fields=["grand_total"],
    )
    item, document = intake(store, "invoices", second.path)
    learned = item.payload["learned"]
    [entry] = learned["review"]
    assert entry["field"] == "grand_total"
    assert (entry["learned"], entry["reader"]) == (second.expected["tax_total"], second.expected["grand_total"])
    assert entry["provenance"].startswith(f"learned from item {done.id}, corrected by anna on ")
    assert document.fields["grand_total"].confidence == 0.5
    assert any(w.startswith("grand_total: check it: the learned layout") for w in document.warnings)
    note = review_note(learned)
    assert second.expected["tax_total"] in note and second.expected["grand_total"] in note
    with pytest.raises(BusinessError) as held:
        hold_for_review(learned)
    assert held.value.code == "learned-review" and "grand_total" in held.value.reason


def test_a_disagreement_the_person_taught_is_expected_not_marked(store, plain):
    first, second = plain
    done, layout = teach_fields(store, first)
    corrected = [n for n, rule in layout.fields.items() if rule.corrected]
    assert corrected  # seed 17's first sender: the reader misses some of its fields
    item, document = intake(store, "invoices", second.path)
    learned = item.payload["learned"]
    assert learned["review"] == [] and hold_for_review(learned) is None
    for name in corrected:
        assert document.fields[name].value == second.expected[name]


def teach_fields(store, invoice):
    item, document = intake(store, "invoices", invoice.path)
    hold(store, item)
    correct_fields(Desk(store), item.id, header_changes(document, invoice), why="read wrong", actor="anna")
    return finish(store, store.get(item.id), invoice.path, "anna")


def test_line_corrections_on_an_item_that_never_reached_done_teach_nothing(store, tables):
    first = tables[0][0]
    item, document = intake(store, "invoices", first.path)
    hold(store, item)
    correct_fields(Desk(store), item.id, line_changes(document, first), why="poison", actor="mallory")
    store.cancel(item.id, actor="mallory", why="never mind")
    assert layouts(store).list() == []
    item, _ = intake(store, "invoices", tables[0][1].path)
    assert "learned" not in item.payload
