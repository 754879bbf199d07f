"""The store contract of ``enqueue_families`` (a mail and its documents in one transaction), run
against every backend."""

from __future__ import annotations

import pytest

from backoffice.errors import ItemNotFound
from backoffice.queue.base import NewItem, Status, StoredFile


def new(key: str, **kw) -> NewItem:
    return NewItem(bot="mailbox", source_key=key, **kw)


def family(key: str, *children: str, **parent_kw) -> tuple[NewItem, list[NewItem]]:
    return new(key, **parent_kw), [new(f"{key}/{child}", payload={"file": child}) for child in children]


def test_a_family_is_a_parent_linked_to_its_children(store):
    pdf = StoredFile(name="mail.eml", sha256="cd" * 32, size=99, media_type="message/rfc822")
    [(parent, created)] = store.enqueue_families([family("mail-1", "a.pdf", "b.pdf", payload={"subject": "Hi"}, files=(pdf,))])
    assert created and parent.status == Status.PENDING and parent.parent_id is None
    assert parent.files == (pdf,) and parent.payload["subject"] == "Hi"
    children = [store.get(child_id) for child_id in parent.payload["children"]]
    assert [c.payload["file"] for c in children] == ["a.pdf", "b.pdf"]
    assert {c.parent_id for c in children} == {parent.id}
    assert store.get(parent.id) == parent
    for item in (parent, *children):
        assert [(e.action, e.to_status) for e in store.journal(item.id)] == [("enqueue", Status.PENDING)]


def test_a_family_without_children_lists_none(store):
    [(parent, created)] = store.enqueue_families([family("mail-empty")])
    assert created and parent.payload == {"children": []}


def test_the_childrens_own_parent_id_is_replaced_by_their_parents(store):
    other, _ = store.enqueue(new("unrelated"))
    parent, children = family("mail-2")
    [(made, _)] = store.enqueue_families([(parent, [new("mail-2/x", parent_id=other.id)])])
    assert store.get(made.payload["children"][0]).parent_id == made.id


def test_an_existing_parent_adds_nothing_and_is_returned(store):
    [(first, _)] = store.enqueue_families([family("mail-3", "a.pdf")])
    [(again, created)] = store.enqueue_families([family("mail-3", "a.pdf", "other.pdf", payload={"x": 1})])
    assert not created and again == store.get(first.id) and again.payload == {"children": first.payload["children"]}
    assert len(store.list()) == 2


def test_the_same_family_twice_in_one_call_is_added_once(store):
    results = store.enqueue_families([family("mail-4", "a.pdf"), family("mail-4", "a.pdf")])
    assert [created for _, created in results] == [True, False]
    assert results[0][0].id == results[1][0].id and len(store.list()) == 2


def test_a_child_key_that_exists_already_is_linked_as_it_is(store):
    existing, _ = store.enqueue(new("mail-5/a.pdf", payload={"file": "kept"}))
    [(parent, _)] = store.enqueue_families([family("mail-5", "a.pdf", "b.pdf")])
    assert parent.payload["children"][0] == existing.id
    assert store.get(existing.id).payload == {"file": "kept"}
    assert store.get(parent.payload["children"][1]).parent_id == parent.id


def test_many_families_and_notes_in_one_call(store):
    [(earlier, _)] = store.enqueue_families([family("mail-6", "a.pdf")])
    results = store.enqueue_families(
        [family(f"mail-{n}", "a.pdf", "b.pdf") for n in range(7, 10)],
        actor="source:mailbox",
        notes=[(earlier.id, "mailbox-done", "moved to Processed")],
    )
    assert [created for _, created in results] == [True, True, True]
    assert len(store.list(limit=100)) == 2 + 3 * 3
    assert [(e.actor, e.action, e.why, e.to_status) for e in store.journal(earlier.id)][-1] == (
        "source:mailbox", "mailbox-done", "moved to Processed", None,
    )  # fmt: skip
    assert store.get(earlier.id).status == Status.PENDING


def test_notes_alone_are_journaled(store):
    [(parent, _)] = store.enqueue_families([family("mail-10")])
    assert store.enqueue_families([], notes=[(parent.id, "mailbox-done", "marked seen")]) == []
    assert [e.why for e in store.journal(parent.id) if e.action == "mailbox-done"] == ["marked seen"]


def test_a_note_on_an_unknown_item_writes_nothing(store):
    [(parent, _)] = store.enqueue_families([family("mail-11")])
    with pytest.raises(ItemNotFound):
        store.enqueue_families([family("mail-12", "a.pdf")], notes=[(parent.id, "mailbox-done", "x"), (999_999, "mailbox-done", "y")])
    assert store.find("mailbox", "mail-12") is None and store.find("mailbox", "mail-12/a.pdf") is None
    assert [e.action for e in store.journal(parent.id)] == ["enqueue"]


def test_family_members_are_claimable_work(store):
    store.enqueue_families([family("mail-13", "a.pdf")])
    claimed = store.claim("runner-1", limit=10)
    assert sorted(i.source_key for i in claimed) == ["mail-13", "mail-13/a.pdf"]
