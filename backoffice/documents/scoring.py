"""Compare what was extracted with what a document is known to hold, the way the corpus's
README asks: dates as ISO, money as decimals with two places, names without case or spacing,
an empty field is *missed* and a different value is *wrong*.

Used by the golden tests and by ``bench/accuracy.py``; also handy to check a new template
against a few hand-checked documents.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from backoffice.documents.models import Document

MONEY = {"net_total", "tax_total", "grand_total", "amount_due", "total", "line_total", "amount", "unit_price"}
NAMES = {"seller_name", "buyer_name", "employee_name", "approver", "description"}
COMPACT = {"seller_vat_id", "buyer_vat_id", "iban", "invoice_number", "order_number", "order_reference"}
# The corpus's expected JSON names some order fields as invoices do.
ORDER_NAMES = {"issue_date": "order_date", "grand_total": "total", "requested_delivery_date": "delivery_date"}


def normalise(name: str, value: object) -> str | None:
    """The comparable form of a value of field ``name``."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if name in MONEY or name in ("quantity", "hours", "total_hours"):
        try:
            return f"{Decimal(text).quantize(Decimal('0.01'))}"
        except InvalidOperation:
            return text
    if name in NAMES:
        return " ".join(text.casefold().split())
    if name in COMPACT:
        return re.sub(r"\s+", "", text).upper()
    return text


@dataclass
class Score:
    """Correct, wrong and missed counts per field."""

    correct: Counter[str] = field(default_factory=Counter)
    wrong: Counter[str] = field(default_factory=Counter)
    missed: Counter[str] = field(default_factory=Counter)
    mistakes: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.correct.update(other.correct)
        self.wrong.update(other.wrong)
        self.missed.update(other.missed)
        self.mistakes.extend(other.mistakes)

    def total(self, name: str) -> int:
        return self.correct[name] + self.wrong[name] + self.missed[name]

    def rate(self, name: str) -> float:
        return self.correct[name] / self.total(name) if self.total(name) else 1.0


def score_fields(document: Document, expected: dict[str, object], names: list[str], label: str = "") -> Score:
    """Each of ``names`` in ``expected`` (non-empty) against the document's field of that name."""
    score = Score()
    for name in names:
        want = normalise(name, expected.get(name))
        if want is None:
            continue
        ours = ORDER_NAMES.get(name, name) if document.kind == "order" else name
        found = document.fields.get(ours)
        got = normalise(name, found.value) if found else None
        if got is None:
            score.missed[name] += 1
            score.mistakes.append(f"{label} {name}: missed (want {want})")
        elif got == want:
            score.correct[name] += 1
        else:
            score.wrong[name] += 1
            score.mistakes.append(f"{label} {name}: got {got}, want {want}")
    return score


def score_line_amounts(document: Document, amounts: list[object], label: str = "") -> Score:
    """How many expected line amounts appear among the document's line amounts (as a multiset)."""
    score = Score()
    ours = Counter(normalise("amount", line["amount"].value) for line in document.lines if "amount" in line)
    for amount in amounts:
        want = normalise("amount", amount)
        if want is None:
            continue
        if ours[want] > 0:
            ours[want] -= 1
            score.correct["line_amount"] += 1
        else:
            score.missed["line_amount"] += 1
            score.mistakes.append(f"{label} line amount {want}: not found")
    return score
