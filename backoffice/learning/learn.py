"""Learn a layout from an item a person corrected or confirmed, once it is ``done``.

Who may teach (:func:`lesson`):

- only an item that reached ``done``: a correction on an item that is still waiting, or was
  cancelled, teaches nothing (the runner calls :func:`learn` right after completing an item);
- only after a person's correction (``payload["corrections"]``) or confirmation (an
  approval, ``payload["approvals"]``); where the rules route the item to an approval, it
  counts only when someone other than the correctors approved it.

What is learned: for every field of the final document found on the page, a
:class:`~backoffice.learning.layout.FieldRule` (marked ``corrected`` where the person corrected
the reader); when the person corrected the line items (``line.N.FIELD``, see
:mod:`~backoffice.learning.desk`) or confirmed the whole item, the line table's columns
(:class:`~backoffice.learning.layout.TableRule`). An item that was read with a learned layout
revises that layout when a person corrected one of the fields it read; a layout wrong for the
second time is dropped and the item teaches a new one. An item whose page fits a layout its
sender taught already (another document of the series) adds to it what the person corrected.
Another sender's layout is never changed by this sender's corrections: the sender gets its own.
"""

from __future__ import annotations

import logging
from collections.abc import Set as AbstractSet
from dataclasses import replace
from typing import Any

from backoffice.documents.models import FIELDS_BY_KIND, INVOICE_FIELDS, Document
from backoffice.documents.pdf import PdfText
from backoffice.learning import fingerprint
from backoffice.learning.apply import LINES, same_sender
from backoffice.learning.layout import SENDER_FIELDS, FieldRule, Layout, TableRule
from backoffice.learning.locate import rule_for, same
from backoffice.learning.table import learn_table
from backoffice.learning.store import LayoutNotFound, LayoutStore, iso
from backoffice.queue.base import Status, WorkItem
from backoffice.rules import approvals as four_eyes

log = logging.getLogger(__name__)
KINDS = ("invoice", "credit_note")
WRONG_TIMES = 2  # a layout corrected on this many later documents is dropped
# A line item's field: ``line.2.amount`` from ``backoffice queue correct`` (the 2nd line's amount),
# ``lines[1].amount`` from the supervisor UI's review form (the same cell, counted from 0).
LINE_PREFIXES = ("line.", "lines[")


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
        return last.get("who", ""), last.get("at", ""), {taught(c["field"]) for c in corrections if c.get("field")}
    if approvals:
        last = approvals[-1]
        document = item.payload.get("document") or {}
        fields = set(document.get("fields", {})) | ({LINES} if document.get("lines") else set())
        return last.get("who", ""), last.get("at", ""), fields
    return None


def taught(name: str) -> str:
    """The field a correction teaches: a line item's (``line.2.amount``, ``lines[1].amount``)
    teaches the table."""
    return LINES if name.startswith(LINE_PREFIXES) else name


def reader_wrong(item: WorkItem, name: str, value: str) -> bool:
    """Whether the template-free reader read ``name`` other than ``value`` (the final one) on
    this item, as far as the item shows: a correction of the field says so, unless the learned
    reading had the reader's value right (a disagreement the person settled for the reader)."""
    read = item.payload.get("learned") or {}
    for entry in read.get("review", []):
        if isinstance(entry, dict) and entry.get("field") == name:
            return name == LINES or not same(name, entry.get("reader"), value)
    corrections = item.payload.get("corrections") or []
    return any(taught(c.get("field", "")) == name for c in corrections)


def rules_of(
    document: Document, text: PdfText, names: set[str] | None = None, wrong: AbstractSet[str] = frozenset()
) -> dict[str, FieldRule]:
    """Where each of the document's fields (or of ``names``) is printed in ``text``; ``wrong``:
    the fields the reader read wrong (a person corrected them)."""
    found = {}
    for name, field_ in document.fields.items():
        if names is not None and name not in names or not field_.value:
            continue
        if field_.method == "computed":
            continue  # not printed as itself (an amount due that is the grand total): nowhere to learn it
        for number, words in enumerate(text.pages, start=1):
            near = field_.bbox if field_.page == number else None
            rule = rule_for(words, name, field_.value, number, near)
            if rule is not None:
                found[name] = replace(rule, corrected=name in wrong)
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
        misread = sorted(corrected & set(read.get("fields", [])))
        if misread and layout.corrected + 1 >= WRONG_TIMES:
            layouts.delete(
                layout.id,
                actor=teacher,
                item_id=item.id,
                action="drop",
                why=f"corrected again on item {item.id}: {', '.join(misread)}",
            )
            log.info("learned layout dropped", extra={"layout": layout.id, "item": item.id, "fields": misread})
            layout = None
        elif misread:
            layout, bumped = replace(layout, corrected=layout.corrected + 1), True
    size = text.sizes[0] if text.sizes else None
    page = fingerprint.tokens(text.pages[0], size)
    if layout is None:
        layout = _fitting(layouts, text, document)
    wrong = {n for n in corrected if n in document.fields and reader_wrong(item, n, document.fields[n].value)}
    if LINES in corrected and reader_wrong(item, LINES, ""):
        wrong.add(LINES)
    if layout is None:
        rules = rules_of(document, text, wrong=wrong)
        lines_rule = _table(document, text, wrong) if LINES in corrected else None
        if not rules and lines_rule is None:
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
            table=lines_rule,
        )
        learned = set(rules) | ({LINES} if lines_rule is not None else set())
        return layouts.save(
            layout,
            actor=teacher,
            item_id=item.id,
            action="learn",
            fields=sorted(corrected & learned),
            why=f"taught by item {item.id}",
        )
    rules = rules_of(document, text, corrected | (set(document.fields) - set(layout.fields)), wrong)
    lines_rule = layout.table
    if LINES in corrected and (layout.table is None or LINES in wrong or LINES in read.get("fields", [])):
        lines_rule = _table(document, text, wrong) or layout.table
    if not rules and not bumped and lines_rule is layout.table:
        return layout
    revised = replace(
        layout,
        fields={**layout.fields, **rules},
        item=item.id,
        taught_by=teacher,
        at=when or layout.at,
        senders={**layout.senders, **_senders(document)},
        table=lines_rule,
    )
    learned = set(rules) | ({LINES} if lines_rule is not layout.table else set())
    changed = sorted(learned & corrected) or sorted(learned)
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


def _table(document: Document, text: PdfText, wrong: set[str]) -> TableRule | None:
    """Where the document's line items are printed (on the page holding most of them)."""
    if not document.lines:
        return None
    pages = [f.page for line in document.lines for f in line.values() if f.page]
    first = max(set(pages), key=pages.count) if pages else 1
    for number in [first, *(n for n in range(1, len(text.pages) + 1) if n != first)]:
        if number <= len(text.pages):
            found = learn_table(document.lines, text.pages[number - 1], number, LINES in wrong)
            if found is not None:
                return found
    return None


def _fitting(layouts: LayoutStore, text: PdfText, document: Document) -> Layout | None:
    """The sender's known layout this page fits best, if any (another sender's is left alone)."""
    best: tuple[float, Layout] | None = None
    page, size = fingerprint.page_tokens(text.pages[0], text.sizes[0] if text.sizes else None)
    for layout in layouts.list():
        value = fingerprint.score(layout.tokens, page, size)
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
