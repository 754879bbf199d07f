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
    # (field, confidence, right) of every value the extractor gave for a scored field
    confidences: list[tuple[str, float, bool]] = field(default_factory=list)

    def add(self, other: Score) -> None:
        self.correct.update(other.correct)
        self.wrong.update(other.wrong)
        self.missed.update(other.missed)
        self.mistakes.extend(other.mistakes)
        self.confidences.extend(other.confidences)

    def total(self, name: str) -> int:
        return self.correct[name] + self.wrong[name] + self.missed[name]

    def rate(self, name: str) -> float:
        return self.correct[name] / self.total(name) if self.total(name) else 1.0


def score_fields(
    document: Document, expected: dict[str, object], names: list[str], label: str = "", loose: bool = False
) -> Score:
    """Each of ``names`` in ``expected`` (non-empty) against the document's field of that name;
    with ``loose``, party names as the real-invoices rules compare them (:func:`same_value`)."""
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
        elif got == want or loose and same_value(name, got, want):
            score.correct[name] += 1
        else:
            score.wrong[name] += 1
            score.mistakes.append(
                f"{label} {name}: got {got}, want {want} (confidence {found.confidence if found else None})"
            )
        if found and got is not None:
            score.confidences.append((name, found.confidence, got == want))
    return score


# Legal forms dropped before names are compared (the real-invoices README's rule).
_LEGAL = re.compile(
    r"\b(?:ltd|ltda|llc|inc|gmbh|co kg|kg|ag|bv|b v|nv|sa|s a|sas|sarl|sl|srl|spa|pty|pvt|plc|limited|corp|"
    r"corporation|company|co|spolka akcyjna|spółka akcyjna|sp z o o|sp zoo|as|a s|ab|oy|aps|me|eireli)\b"
)


def loose_name(text: str) -> str:
    """A party name as the real-invoices rules compare it: lower case, no punctuation, no legal form."""
    words = re.sub(r"[^\w\s]", " ", text.casefold()).replace("_", " ")
    return " ".join(_LEGAL.sub(" ", " ".join(words.split())).split())


def same_value(name: str, got: str, want: str) -> bool:
    """Whether two normalised values of field ``name`` are the same by the real-invoices rules:
    names are equal without legal forms, or one contains the other."""
    if name in NAMES:
        a, b = loose_name(got), loose_name(want)
        return bool(a and b) and (a == b or a in b or b in a)
    return got == want


def score_truth(document: Document, truth: dict[str, object], names: list[str], label: str = "") -> Score:
    """Like :func:`score_fields`, with the real-invoices rules: names compared loosely, a field
    whose truth is null (or only listed as ambiguous) not scored."""
    score = Score()
    for name in names:
        want = normalise(name, truth.get(name))
        if want is None:
            continue
        found = document.fields.get(name)
        got = normalise(name, found.value) if found else None
        if got is None:
            score.missed[name] += 1
            score.mistakes.append(f"{label} {name}: missed (want {want})")
            continue
        right = same_value(name, got, want)
        if right:
            score.correct[name] += 1
        else:
            score.wrong[name] += 1
            score.mistakes.append(
                f"{label} {name}: got {got}, want {want} (confidence {found.confidence if found else None})"
            )
        score.confidences.append((name, found.confidence if found else 0.0, right))
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
