"""Learning from corrections on every queue backend (memory, SQLite, PostgreSQL): a corrected
first invoice teaches its layout, a second person's correction revises it, a layout wrong twice
is dropped, a deleted one reads nothing, and a correction that never reached done teaches
nothing."""

from __future__ import annotations

import pytest

from backoffice.learning.store import layouts
from backoffice.demo.learning_flow import complete, finish, hold, intake
from backoffice.demo.series import generate_series
from backoffice.learning.desk import Desk, correct_fields
from backoffice.web.actions import ActionRefused


@pytest.fixture(scope="module")
def series(tmp_path_factory):
    """Senders whose first invoice the reader gets wrong somewhere (seed 17: a known mix)."""
    found = generate_series(tmp_path_factory.mktemp("series"), senders=8, per_sender=4, seed=17)
    return found


def wrong_fields(document, expected):
    return {k: v for k, v in expected.items() if (document.fields[k].value if k in document.fields else None) != v}


def teach(store, invoice, actor="anna"):
    item, document = intake(store, "invoices", invoice.path)
    item = hold(store, item)
    wrong = wrong_fields(document, invoice.expected)
    correct_fields(Desk(store), item.id, wrong, why="read wrong", actor=actor)
    return finish(store, store.get(item.id), invoice.path, actor), wrong


def taught_series(series):
    """A series whose first invoice the reader gets wrong."""
    from backoffice.documents import extract

    for invoices in series:
        if wrong_fields(extract(invoices[0].path), invoices[0].expected):
            return invoices
    pytest.fail("no series of seed 17 has a field the reader gets wrong")


def test_a_corrected_invoice_teaches_its_layout_and_the_next_is_read_right(store, series):
    invoices = taught_series(series)
    (done, layout), wrong = teach(store, invoices[0])
    assert layout is not None and set(wrong) <= set(layout.fields)
    [change] = layouts(store).journal(layout.id)
    assert (change.action, change.actor, change.item_id, set(change.fields)) == ("learn", "anna", done.id, set(wrong))
    for invoice in invoices[1:]:
        item, document = intake(store, "invoices", invoice.path)
        assert wrong_fields(document, invoice.expected) == {}
        for name in wrong:
            assert document.fields[name].method == "learned"
        assert item.payload["learned"]["layout"] == layout.id
        assert f"from item {done.id}, corrected by anna on " in item.payload["learned"]["provenance"]
        complete(store, item, invoice.path)
    assert layouts(store).get(layout.id).reads == len(invoices) - 1


def test_a_second_persons_correction_revises_and_a_second_wrong_drops_the_layout(store, series):
    invoices = taught_series(series)
    (_, layout), _ = teach(store, invoices[0], actor="anna")
    # Bea says the learned net total is wrong: the value is the one printed as the tax.
    for turn, invoice in enumerate(invoices[1:3], start=1):
        item, _ = intake(store, "invoices", invoice.path)
        assert item.payload["learned"]["layout"] == layout.id
        hold(store, item)
        correct_fields(
            Desk(store), item.id, {"net_total": invoice.expected["tax_total"]}, why="net is this", actor="bea"
        )
        finish(store, store.get(item.id), invoice.path, "bea")
        actions = [c.action for c in layouts(store).journal(layout.id)]
        if turn == 1:
            assert actions == ["learn", "revise"]
            revised = layouts(store).get(layout.id)
            assert revised.corrected == 1 and revised.taught_by == "bea"
            assert layouts(store).journal(layout.id)[-1].fields == ("net_total",)
        else:
            assert actions == ["learn", "revise", "drop"]
            assert layout.id not in [known.id for known in layouts(store).list()]


def test_a_deleted_layout_reads_nothing(store, series):
    invoices = taught_series(series)
    (_, layout), _ = teach(store, invoices[0])
    layouts(store).delete(layout.id, actor="admin", why="wrong sender")
    item, document = intake(store, "invoices", invoices[1].path)
    assert "learned" not in item.payload
    assert all(f.method != "learned" for f in document.fields.values())
    assert [c.action for c in layouts(store).journal(layout.id)] == ["learn", "delete"]


def test_a_correction_that_never_reached_done_teaches_nothing(store, series):
    invoices = taught_series(series)
    item, _ = intake(store, "invoices", invoices[0].path)
    hold(store, item)
    correct_fields(Desk(store), item.id, {"invoice_number": "EVIL-1"}, why="poison", actor="mallory")
    store.cancel(item.id, actor="mallory", why="never mind")
    assert layouts(store).list() == []
    # Nor does an item completed without anyone correcting or confirming it.
    item, _ = intake(store, "invoices", invoices[1].path)
    _, layout = complete(store, item, invoices[1].path)
    assert layout is None and layouts(store).list() == []


def test_an_approval_routed_by_the_rules_must_come_from_someone_else(store, series):
    invoices = taught_series(series)
    item, document = intake(store, "invoices", invoices[0].path)
    payload = {**item.payload, "verdict": {"routes": [{"rule": "big", "to": "approval"}]}}
    item = store.update(item.id, "learning-flow", payload=payload)
    hold(store, item)
    correct_fields(
        Desk(store),
        item.id,
        wrong_fields(document, invoices[0].expected) or {"currency": "EUR"},
        why="fix",
        actor="mallory",
    )
    approved = store.get(item.id)
    store.amend(
        item.id,
        actor="mallory",
        action="approve",
        why="self",
        payload={**approved.payload, "approvals": [{"who": "mallory", "corrections": 1}]},
    )
    _, layout = finish(store, store.get(item.id), invoices[0].path, "mallory")
    assert layout is None and layouts(store).list() == []


def test_a_correction_needs_fields(store):
    with pytest.raises(ActionRefused):
        correct_fields(Desk(store), 1, {}, why="x", actor="anna")


def test_the_layout_journal_is_append_only(store, series):
    if type(store).__name__ == "MemoryStore":
        pytest.skip("the memory store's journal is a list no caller can reach")
    invoices = taught_series(series)
    (_, layout), _ = teach(store, invoices[0])
    for statement in ("UPDATE layout_journal SET actor = 'x'", "DELETE FROM layout_journal"):
        with pytest.raises(Exception, match="append-only"), store._tx() as conn:
            conn.execute(statement)
    assert [c.actor for c in layouts(store).journal(layout.id)] == ["anna"]
