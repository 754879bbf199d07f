"""Read a document with the learned layout its first page fits, before trusting the reader.

:class:`LearnedReader` keeps an index of every learned fingerprint (rebuilt only when the
store's generation changes) and, for a page, picks the best-fitting layout; among equally good
ones, one learned from the same sender (VAT id, IBAN or name as the reader read them). Every
rule of the layout is read from the new page, and its line table when it learned one
(:mod:`~backoffice.learning.table`): a value found there replaces the reader's with method
``learned``. Fields the layout does not know, or cannot find on this page, stay as the reader
read them.

Where the reader read something else:

- on a field a person corrected when the layout was learned (the reader is known to misread
  it on this layout), or where the reader only guessed (confidence below
  :data:`GUESS_CONFIDENCE`: a name on a page that prints none), the learned value stays,
  quietly (the reading's ``expected``);
- anywhere else the disagreement is loud: the field is marked for review (confidence 0.5, a
  warning naming both values and where the layout was learned, an entry of the reading's
  ``review`` with both values), and the runner holds the item in the exception queue for a
  person's look (:func:`~backoffice.learning.hooks.hold_for_review`, reason
  :func:`review_note`).

A layout taught by another sender (neither the reader nor the layout reads its VAT id, IBAN
or name on this page) only fills the fields the reader did not find: where the two disagree
the reader's value stays, marked for review, so a layout never changes what is read of a
sender it may not fit.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, replace
from typing import Any

from backoffice.documents.models import Document, Field
from backoffice.documents.pdf import PdfText
from backoffice.learning import fingerprint, table
from backoffice.learning.layout import SENDER_FIELDS, Layout
from backoffice.learning.locate import read_rule, same
from backoffice.learning.store import LayoutStore

REVIEW_CONFIDENCE = 0.5
GUESS_CONFIDENCE = 0.1  # the reader's value below this is a guess: no evidence against a layout
LEARNED_CONFIDENCE = 0.95
LINES = "lines"  # the name the line-item table goes by in a reading's fields and review


@dataclass
class Reading:
    """What a learned layout did to one document (kept in the item's payload as ``learned``).

    ``review``: the fields where the learned layout and the reader disagree although the reader
    read the field right when the layout was learned, each with both values (``learned``,
    ``reader``), which one the document kept and the provenance; a person should look at them.
    ``expected``: the fields where they disagree as they did when a person corrected the reader
    there (the reader is known to read this layout wrong): the learned value is kept, quietly.
    """

    layout: int
    provenance: str
    fields: list[str] = field(default_factory=list)
    review: list[dict[str, str]] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)
    score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "layout": self.layout,
            "provenance": self.provenance,
            "fields": self.fields,
            "review": self.review,
            "expected": self.expected,
            "score": round(self.score, 3),
        }

    def disagree(self, document: Document, name: str, learned: str, reader: str, kept: str) -> None:
        """Mark ``name`` for review: in the reading, and as a warning of the document."""
        self.review.append(
            {"field": name, "learned": learned, "reader": reader, "kept": kept, "provenance": self.provenance}
        )
        document.warnings.append(
            f"{name}: check it: the learned layout {self.layout} ({self.provenance}) reads {learned!r}, "
            f"the reader read {reader!r}; kept the {kept}'s"
        )


def review_note(learned: dict[str, Any] | None) -> str | None:
    """Why an item read with a learned layout needs a person's look (its disagreements), or None."""
    if not learned or not learned.get("review"):
        return None
    parts = [
        f"{entry['field']}: learned {entry['learned']!r}, reader {entry['reader']!r}" for entry in learned["review"]
    ]
    return f"the learned layout {learned['layout']} ({learned['provenance']}) and the reader disagree on " + "; ".join(
        parts
    )


def same_sender(layout: Layout, document: Document) -> bool:
    """Whether the layout was taught by the document's sender (same VAT id, IBAN or name)."""
    return any(
        n in document.fields and document.fields[n].value and same(n, document.fields[n].value, v)
        for n, v in layout.senders.items()
        if v
    )


class LearnedReader:
    """Matches pages against the learned layouts of one store."""

    def __init__(self, layouts: LayoutStore):
        self.layouts = layouts
        self._generation: int | None = None
        self._index = fingerprint.Index()
        self._by_id: dict[int, Layout] = {}
        self._lock = threading.Lock()

    def _fresh(self) -> None:
        generation = self.layouts.generation()
        if generation == self._generation:
            return
        index, by_id = fingerprint.Index(), {}
        for layout in self.layouts.list():
            index.add(layout.id, layout.tokens)
            by_id[layout.id] = layout
        self._index, self._by_id, self._generation = index, by_id, generation

    def empty(self) -> bool:
        """Whether nothing has been learned (so a page need not even be looked at)."""
        with self._lock:
            self._fresh()
            return len(self._index) == 0

    def match(self, text: PdfText, document: Document) -> tuple[Layout, float] | None:
        """The learned layout the first page fits best, preferring one of the same sender."""
        if not text.pages:
            return None
        page, size = fingerprint.page_tokens(text.pages[0], text.sizes[0] if text.sizes else None)
        with self._lock:
            self._fresh()
            found = self._index.best(page, size=size)
            candidates = [(self._by_id[i], s) for i, s in found if self._by_id[i].kind in (document.kind, "invoice")]
        if not candidates:
            return None
        top = candidates[0][1]

        def rank(entry: tuple[Layout, float]) -> tuple[bool, float]:
            layout, value = entry
            return (same_sender(layout, document) and value >= top - 0.05, value)

        return max(candidates, key=rank)

    def read(self, text: PdfText, document: Document) -> Reading | None:
        """Apply the layout the document fits (changing ``document``); None when none fits."""
        matched = self.match(text, document)
        if matched is None:
            return None
        layout, value = matched
        reading = Reading(layout.id, layout.provenance(), score=value)
        readings = {
            name: read_rule(text.pages[rule.page - 1], rule)
            for name, rule in layout.fields.items()
            if rule.page <= len(text.pages)
        }
        # The same sender when the reader, or the layout itself, reads its VAT id, IBAN or name here.
        kin = same_sender(layout, document) or any(
            found is not None and layout.senders.get(name) and same(name, found[0], layout.senders[name])
            for name, found in readings.items()
            if name in SENDER_FIELDS
        )
        for name, found in readings.items():
            if found is None:
                continue
            rule = layout.fields[name]
            learned, raw, box = found
            before = document.fields.get(name)
            confidence = LEARNED_CONFIDENCE
            if before is not None and before.value and not same(name, learned, before.value):
                if kin and (rule.corrected or before.confidence < GUESS_CONFIDENCE):
                    reading.expected.append(name)  # as when a person corrected the reader here
                else:
                    confidence = REVIEW_CONFIDENCE
                    reading.disagree(document, name, learned, before.value, "learned layout" if kin else "reader")
                    if not kin:
                        document.fields[name] = replace(before, confidence=min(before.confidence, REVIEW_CONFIDENCE))
            if not kin and before is not None and before.value:
                continue  # another sender's layout only fills what the reader missed
            document.fields[name] = Field(learned, confidence, rule.page, box, raw, "learned")
            reading.fields.append(name)
        if layout.table is not None and layout.table.page <= len(text.pages):
            self._read_lines(text, document, layout, kin, reading)
        if reading.fields:
            document.warnings.append(
                f"read with learned layout {layout.id} ({reading.provenance}): " + ", ".join(reading.fields)
            )
        self.layouts.count_read(layout.id)
        return reading

    @staticmethod
    def _read_lines(text: PdfText, document: Document, layout: Layout, kin: bool, reading: Reading) -> None:
        """The line items where the layout's table is; compared with the reader's as a field is."""
        rule = layout.table
        assert rule is not None
        stops = [r.anchor for n, r in layout.fields.items() if n in table.TOTALS and r.anchor]
        items = table.read_table(text.pages[rule.page - 1], rule, stops)
        if not items:
            return
        if document.lines and not table.same_lines(items, document.lines):
            if kin and rule.corrected:
                reading.expected.append(LINES)
            else:
                reading.disagree(
                    document,
                    LINES,
                    table.summary(items),
                    table.summary(document.lines),
                    "learned layout" if kin else "reader",
                )
                if not kin:
                    return
        elif document.lines and not kin:
            return
        document.lines = items
        reading.fields.append(LINES)
