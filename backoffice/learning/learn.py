"""Learn a layout from an item a person corrected or confirmed, once it is ``done``.

Who may teach (:func:`lesson`):

- only an item that reached ``done``: a correction on an item that is still waiting, or was
  cancelled, teaches nothing (the runner calls :func:`learn` right after completing an item);
- only after a person's correction (``payload["corrections"]``) or confirmation (an
  approval, ``payload["approvals"]``); where the rules route the item to an approval, it
  counts only when someone other than the correctors approved it.

What is learned: for every field of the final document found on the page, a
:class:`~backoffice.learning.layout.FieldRule`. An item that was read with a learned layout
revises that layout when a person corrected one of the fields it read; a layout wrong for the
second time is dropped and the item teaches a new one. An item whose page fits a layout its
sender taught already (another document of the series) adds to it what the person corrected.
Another sender's layout is never changed by this sender's corrections: the sender gets its own.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from backoffice.documents.models import FIELDS_BY_KIND, INVOICE_FIELDS, Document
from backoffice.documents.pdf import PdfText
from backoffice.learning import fingerprint
from backoffice.learning.apply import same_sender
from backoffice.learning.layout import SENDER_FIELDS, FieldRule, Layout
from backoffice.learning.locate import rule_for
from backoffice.learning.store import LayoutNotFound, LayoutStore, iso
from backoffice.queue.base import Status, WorkItem
from backoffice.rules import approvals as four_eyes

log = logging.getLogger(__name__)
KINDS = ("invoice", "credit_note")
WRONG_TIMES = 2  # a layout corrected on this many later documents is dropped


def _routes_to_approval(payload: dict[str, Any]) -> bool:
    verdict = payload.get("verdict") or {}
    return any(r.get("to") == "approval" for r in verdict.get("routes", [])) or bool(verdict.get("holds"))


def lesson(item: WorkItem) -> tuple[str, str, set[str]] | None:
    """``(teacher, when, fields taught)`` when the item may teach, else None."""
    if item.status != Status.DONE:
        return None
    corrections = item.payload.get("corrections") or []
    # Approvals that still cover the data, by people who did not change it (four eyes).
    approvals = four_eyes.current(item.payload)
    if corrections and _routes_to_approval(item.payload) and not approvals:
        return None  # four eyes: the rules asked for someone else's approval
    if corrections:
        last = corrections[-1]
        return last.get("who", ""), last.get("at", ""), {c["field"] for c in corrections if c.get("field")}
    if approvals:
        last = approvals[-1]
        fields = set((item.payload.get("document") or {}).get("fields", {}))
        return last.get("who", ""), last.get("at", ""), fields
    return None


def rules_of(document: Document, text: PdfText, names: set[str] | None = None) -> dict[str, FieldRule]:
    """Where each of the document's fields (or of ``names``) is printed in ``text``."""
    found = {}
    for name, field_ in document.fields.items():
        if names is not None and name not in names or not field_.value:
            continue
        for number, words in enumerate(text.pages, start=1):
            near = field_.bbox if field_.page == number else None
            rule = rule_for(words, name, field_.value, number, near)
            if rule is not None:
                found[name] = rule
                break
    # A date printed day = month takes the order the document's other dates show; an amount
    # without decimals the decimal mark of its other amounts.
    settled = {}
    for kind, default in (("date", "dmy"), ("money", "")):
        hints = {r.hint for r in found.values() if INVOICE_FIELDS.get(r.name) == kind and r.hint != "?"}
        settled[kind] = hints.pop() if len(hints) == 1 else default
    return {
        n: replace(r, hint=settled[INVOICE_FIELDS.get(n, "text")]) if r.hint == "?" else r for n, r in found.items()
    }


def learn(layouts: LayoutStore, item: WorkItem, text: PdfText) -> Layout | None:
    """Learn from a ``done`` item and its words; return the layout taught, None when nothing was."""
    taught = lesson(item)
    data = item.payload.get("document")
    if taught is None or not data or data.get("kind") not in KINDS or not text.pages:
        return None
    teacher, when, corrected = taught
    document = Document.from_dict(data)
    read = item.payload.get("learned") or {}
    layout = _current(layouts, read.get("layout"))
    if layout is not None and not same_sender(layout, document):
        layout = None  # another sender's layout that filled gaps: this sender gets its own
    bumped = False
    if layout is not None:
        wrong = sorted(corrected & set(read.get("fields", [])))
        if wrong and layout.corrected + 1 >= WRONG_TIMES:
            layouts.delete(
                layout.id,
                actor=teacher,
                item_id=item.id,
                action="drop",
                why=f"corrected again on item {item.id}: {', '.join(wrong)}",
            )
            log.info("learned layout dropped", extra={"layout": layout.id, "item": item.id, "fields": wrong})
            layout = None
        elif wrong:
            layout, bumped = replace(layout, corrected=layout.corrected + 1), True
    page = fingerprint.tokens(text.pages[0])
    if layout is None:
        layout = _fitting(layouts, page, document)
    if layout is None:
        rules = rules_of(document, text)
        if not rules:
            return None
        layout = Layout(
            document.kind,
            page,
            rules,
            _senders(document),
            item=item.id,
            taught_by=teacher,
            at=when or iso(0),
            name=_name(document),
        )
        return layouts.save(
            layout,
            actor=teacher,
            item_id=item.id,
            action="learn",
            fields=sorted(corrected & set(rules)),
            why=f"taught by item {item.id}",
        )
    rules = rules_of(document, text, corrected | (set(document.fields) - set(layout.fields)))
    if not rules and not bumped:
        return layout
    revised = replace(
        layout,
        fields={**layout.fields, **rules},
        item=item.id,
        taught_by=teacher,
        at=when or layout.at,
        senders={**layout.senders, **_senders(document)},
    )
    changed = sorted(set(rules) & corrected) or sorted(rules)
    return layouts.save(
        revised, actor=teacher, item_id=item.id, action="revise", fields=changed, why=f"corrected on item {item.id}"
    )


def _current(layouts: LayoutStore, layout_id: int | None) -> Layout | None:
    if not layout_id:
        return None
    try:
        return layouts.get(layout_id)
    except LayoutNotFound:
        return None


def _fitting(layouts: LayoutStore, page: frozenset[str], document: Document) -> Layout | None:
    """The sender's known layout this page fits best, if any (another sender's is left alone)."""
    best: tuple[float, Layout] | None = None
    for layout in layouts.list():
        value = fingerprint.score(layout.tokens, page)
        if (
            layout.kind == document.kind
            and value >= fingerprint.MIN_SCORE
            and same_sender(layout, document)
            and (best is None or value > best[0])
        ):
            best = (value, layout)
    return best[1] if best else None


def _senders(document: Document) -> dict[str, str]:
    return {name: document.fields[name].value for name in SENDER_FIELDS if name in document.fields}


def _name(document: Document) -> str:
    found = document.fields.get("seller_name")
    return found.value if found else ""


def field_names(kind: str) -> list[str]:
    return list(FIELDS_BY_KIND.get(kind, {}))
