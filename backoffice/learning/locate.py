"""Find a known value among a page's words (to learn where it is) and read a value where a
learned rule says it is (to use what was learned).

Values are compared as the reader normalises them (ISO dates, plain decimals, ISO currency
codes, IBANs and VAT ids without spaces), so ``1.234,56`` on the page is ``1234.56`` in the
document.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from decimal import Decimal
from itertools import pairwise

from rapidfuzz import fuzz

from backoffice.documents.layout import union
from backoffice.documents.models import INVOICE_FIELDS, BBox
from backoffice.documents.normalise import (
    currency_of,
    format_amount,
    parse_amount,
    parse_date,
)
from backoffice.documents.pdf import Word
from backoffice.learning.layout import FieldRule

MAX_ANCHOR_GAP = 150.0  # points; a label farther from its value is no anchor
MAX_WORDS = 8  # the longest value a rule reads (a name, an address line)
MAX_DRIFT = 250.0  # points; a label found farther from where it was learned is another one
LABEL_SIMILARITY = 80  # rapidfuzz ratio from which OCR'd words read as a learned label
COMPACT = {"iban", "seller_vat_id", "buyer_vat_id"}
WORD_GAP = 2.5  # word heights; a wider gap parts two values on a line
# Text of any length and shape: read to the end of its phrase, whatever the teaching value's length.
FREE_TEXT = {"seller_name", "buyer_name", "seller_address", "buyer_address", "shipping_address"}
_HINTS = {"date": ("dmy", "mdy"), "money": (".", ",", ""), "number": (".", ",", "")}


def lines(words: Sequence[Word]) -> list[list[Word]]:
    """The page's words grouped into lines (tops within half a word's height), left to right."""
    rows: list[list[Word]] = []
    for word in sorted(words, key=lambda w: (w.top, w.x0)):
        if rows and abs(rows[-1][0].top - word.top) <= max(2.0, (word.bottom - word.top) * 0.5):
            rows[-1].append(word)
        else:
            rows.append([word])
    return [sorted(row, key=lambda w: w.x0) for row in rows]


def normalised(name: str, text: str, hint: str = "", kind: str | None = None) -> str | None:
    """``text`` as the document would hold field ``name`` (of type ``kind``, by default the
    invoice field's), read with ``hint``; None if it is not one."""
    kind = kind or INVOICE_FIELDS.get(name, "text")
    text = text.strip(" :;")
    if not text:
        return None
    if kind == "date":
        found = parse_date(text, day_first=hint != "mdy")
        return found.isoformat() if found else None
    if kind in ("money", "number"):
        amount = parse_amount(text, hint if hint in (".", ",") else None)
        return format_amount(amount) if amount is not None else None
    if kind == "currency":
        return currency_of(text)
    if name in COMPACT:
        return re.sub(r"[\s.-]", "", text).upper()
    return " ".join(text.split())


def same(name: str, found: str | None, wanted: str, kind: str | None = None) -> bool:
    if found is None:
        return False
    if (kind or INVOICE_FIELDS.get(name)) in ("money", "number"):
        try:
            return Decimal(found) == Decimal(wanted)
        except ArithmeticError:
            return False
    if name in COMPACT:
        return found == re.sub(r"[\s.-]", "", wanted).upper()
    return found.casefold() == " ".join(wanted.split()).casefold()


def decimal_mark(text: str) -> str | None:
    """The decimal mark an amount shows: its last separator when one or two digits follow it."""
    found = re.search(r"([.,])(\d{1,2})\D*$", text)
    return found.group(1) if found else None


def date_order(text: str) -> str | None:
    """``dmy`` or ``mdy`` when a numeric date shows it (a first part above 12 is a day, a second
    one a month-first date); None when it cannot tell (both parts up to 12, or a month name)."""
    found = re.search(r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-]\d{2,4}(?!\d)", text)
    if not found:
        return None
    first, second = int(found.group(1)), int(found.group(2))
    return "dmy" if first > 12 else "mdy" if second > 12 else None


def shape(text: str) -> str:
    """``INV-2024-0042`` -> ``A-9-9``: letters, digits and punctuation, runs collapsed."""
    out = re.sub(r"[^\W\d_]+", "A", text)
    out = re.sub(r"\d+", "9", out)
    return re.sub(r"\s+", " ", out)


def _shape_of(name: str, text: str) -> str:
    """The shape of a value; of an IBAN or VAT id without its spaces (printed in groups or not,
    or split by OCR, it is one value)."""
    if name not in COMPACT:
        return shape(text)
    return re.sub(r"(A|9)\1+", r"\1", shape(text.replace(" ", "")))


def find_value(
    words: Sequence[Word], name: str, value: str, near: BBox | None = None, kind: str | None = None
) -> tuple[list[Word], str] | None:
    """The run of words on one line that reads as ``value`` (and the hint it was read with);
    of several, the one nearest ``near`` (the reader's box), else the lowest on the page."""
    kind = kind or INVOICE_FIELDS.get(name, "text")
    found: list[tuple[float, list[Word], str]] = []
    for row in lines(words):
        for start in range(len(row)):
            for end in range(start + 1, min(start + MAX_WORDS, len(row)) + 1):
                run = row[start:end]
                text = " ".join(w.text for w in run)
                hints = [h for h in _HINTS.get(kind, ("",)) if same(name, normalised(name, text, h, kind), value, kind)]
                if hints and kind in ("money", "number", "date"):
                    # The decimal mark or date order the text shows, else "?": the document's.
                    shown = date_order(text) if kind == "date" else decimal_mark(text)
                    hints = [shown] if shown in hints else ["?"]
                if hints:
                    box = union(run)
                    distance = abs(box[0] - near[0]) + abs(box[1] - near[1]) if near else -box[1]
                    found.append((distance, run, hints[0]))
    if not found:
        return None
    found.sort(key=lambda entry: (entry[0], -len(entry[1])))
    return found[0][1], found[0][2]


def anchor_of(words: Sequence[Word], run: list[Word]) -> list[Word]:
    """The label of a value: the nearest run of words without digits (up to four) before it on
    its line or above it on the line before, whichever is closer; empty when there is none."""
    box = union(run)
    rows = lines(words)
    for index, row in enumerate(rows):
        if run[0] in row:
            left = _label([w for w in row if w.x1 <= box[0] + 0.5][::-1])[::-1]
            above_row = rows[index - 1] if index else []
            above = _label(sorted((w for w in above_row if w.x0 < box[2] and w.x1 > box[0] - 40), key=lambda w: -w.x1))[
                ::-1
            ]
            left_gap = box[0] - left[-1].x1 if left else float("inf")
            above_gap = (box[1] - union(above)[3]) * 3 if above else float("inf")
            if min(left_gap, above_gap) > MAX_ANCHOR_GAP:
                return []
            return left if left_gap <= above_gap else above
    return []


def _label(words: list[Word]) -> list[Word]:
    """From the nearest word outwards, the words of a label (letters, no digits), at most four."""
    taken: list[Word] = []
    for word in words:
        if any(ch.isdigit() for ch in word.text) or len(taken) == 4:
            break
        if taken and taken[-1].x0 - word.x1 > (word.bottom - word.top) * 1.5:
            break
        taken.append(word)
    return taken if any(ch.isalpha() for w in taken for ch in w.text) else []


def word_key(text: str) -> str:
    """A word as labels are compared: lower-case, without the punctuation OCR adds or drops."""
    return text.strip(".:;,()[]#*/-|'\"").casefold()


def same_label(found: Sequence[str], wanted: Sequence[str]) -> float:
    """How well printed words read as a learned label: 1.0 the same words, less (down to
    :data:`LABEL_SIMILARITY` %) nearly the same letters as OCR misreads them (a ``1`` for an
    ``l``, a lost accent, a dropped full stop), 0.0 another label."""
    found_keys, wanted_keys = [word_key(t) for t in found], [word_key(t) for t in wanted]
    if found_keys == wanted_keys:
        return 1.0
    joined, target = " ".join(found_keys), " ".join(wanted_keys)
    if len(target) < 4:
        return 0.0
    ratio = fuzz.ratio(joined, target)
    return ratio / 100 if ratio >= LABEL_SIMILARITY else 0.0


def find_anchor(words: Sequence[Word], rule: FieldRule) -> BBox | None:
    """Where the rule's label is on this page: the matching run of words nearest to where it
    was learned (OCR's misread letters tolerated, see :func:`same_label`)."""
    wanted = rule.anchor.split()
    if not wanted or rule.anchor_box is None:
        return None
    best: tuple[float, float, BBox] | None = None
    for row in lines(words):
        texts = [w.text for w in row]
        for start in range(len(row) - len(wanted) + 1):
            alike = same_label(texts[start : start + len(wanted)], wanted)
            if not alike:
                continue
            box = union(row[start : start + len(wanted)])
            distance = abs(box[0] - rule.anchor_box[0]) + abs(box[1] - rule.anchor_box[1])
            if alike < 1.0 and distance > MAX_DRIFT:
                continue  # nearly the label, far from its place: another one
            if best is None or (-alike, distance) < (-best[0], best[1]):
                best = (alike, distance, box)
    return best[2] if best else None


def read_rule(words: Sequence[Word], rule: FieldRule) -> tuple[str, str, BBox] | None:
    """``(value, raw text, box)`` read where ``rule`` says, or None when nothing there reads
    as that field."""
    expected = rule.box
    if rule.anchor:
        anchor = find_anchor(words, rule)
        if anchor is not None:  # else where it was on the page
            dx, dy = rule.offset or (0.0, 0.0)
            width, height = expected[2] - expected[0], expected[3] - expected[1]
            expected = (anchor[0] + dx, anchor[1] + dy, anchor[0] + dx + width, anchor[1] + dy + height)
    middle = (expected[1] + expected[3]) / 2
    row = [w for w in words if w.top - 1 <= middle <= w.bottom + 1]
    # Words overlapping the learned box, widened for a longer value (left- or right-aligned).
    slack = max(40.0, (expected[2] - expected[0]))
    inside = sorted((w for w in row if w.x1 > expected[0] - slack and w.x0 < expected[2] + slack), key=lambda w: w.x0)
    best: tuple[float, str, str, BBox] | None = None
    for start in range(len(inside)):
        for end in range(start + 1, min(start + MAX_WORDS, len(inside)) + 1):
            run = inside[start:end]
            # Words of one value: OCR splits a long one, or loses a letter and widens a gap.
            if any(b.x0 - a.x1 > (a.bottom - a.top) * WORD_GAP for a, b in pairwise(run)):
                break
            text = " ".join(w.text for w in run)
            if rule.chars and any(w.conf < 1.0 for w in run):
                text = ocr_fixed(text, rule.chars)
            value = normalised(rule.name, text, rule.hint)
            if value is None or (
                rule.shape
                and INVOICE_FIELDS.get(rule.name, "text") == "text"
                and rule.name not in FREE_TEXT
                and _shape_of(rule.name, text) != _shape_of(rule.name, rule.shape)
            ):
                continue
            box = union(run)
            overlap = min(box[2], expected[2]) - max(box[0], expected[0])
            fit = overlap / max(box[2] - box[0], expected[2] - expected[0]) - abs(len(run) - rule.words) * 0.01
            if rule.name in FREE_TEXT and _goes_on(row, run):
                fit -= 0.5  # a name is not cut short: "Riverside" of "Riverside Group"
            if best is None or fit > best[0]:
                best = (fit, value, text, box)
    if best is None or best[0] <= 0:
        return None
    return best[1], best[2], best[3]


_AS_DIGIT = str.maketrans("OoDQIl|SZB", "0000111528")
_AS_LETTER = str.maketrans("0158", "OISB")


def char_classes(name: str, text: str) -> str:
    """An identifier's characters as classes (``SAB00065`` -> ``AAA99999``), "" for other fields."""
    if INVOICE_FIELDS.get(name, "text") != "text" or name in FREE_TEXT or name in COMPACT:
        return ""
    return "".join("A" if c.isalpha() else "9" if c.isdigit() else c for c in text)


def ocr_fixed(text: str, chars: str) -> str:
    """``text`` as OCR read it, with letters where the learned identifier has digits undone
    (``SABOO065`` -> ``SAB00065``) and the other way round; unchanged when the lengths differ."""
    if len(text) != len(chars):
        return text
    out = []
    for char, wanted in zip(text, chars, strict=True):
        if wanted == "9" and not char.isdigit():
            char = char.translate(_AS_DIGIT)
        elif wanted == "A" and char.isdigit():
            char = char.translate(_AS_LETTER)
        out.append(char)
    return "".join(out)


def _goes_on(row: Sequence[Word], run: list[Word]) -> bool:
    """Whether the words of ``run`` go on to the right within a plain space (one phrase)."""
    last = run[-1]
    gap = (last.bottom - last.top) * 0.6
    return any(0 <= w.x0 - last.x1 <= gap for w in row if w is not last)


def rule_for(words: Sequence[Word], name: str, value: str, page: int, near: BBox | None = None) -> FieldRule | None:
    """Learn where ``value`` of field ``name`` is printed on a page, or None when it is not."""
    located = find_value(words, name, value, near)
    if located is None:
        return None
    run, hint = located
    box = union(run)
    label = anchor_of(words, run)
    text = " ".join(w.text for w in run)
    pattern = _shape_of(name, text)
    chars = char_classes(name, text)
    if not label:
        return FieldRule(name, page, box, words=len(run), shape=pattern, hint=hint, chars=chars)
    anchor_box = union(label)
    return FieldRule(
        name,
        page,
        box,
        " ".join(w.text for w in label),
        anchor_box,
        (box[0] - anchor_box[0], box[1] - anchor_box[1]),
        len(run),
        pattern,
        hint,
        chars=chars,
    )
