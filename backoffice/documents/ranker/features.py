"""Candidates for every field of an invoice, and the numbers that describe each one.

Besides what the label logic proposes (:mod:`backoffice.documents.invoice`), every date, every
amount with cents, every identifier-shaped token and every name-like phrase near the top is a
candidate ("shape"). Each candidate is then described by its nearest labels (left on its line,
above in its column: which field they name, strong or weak, how far), its place on the page, its
font, and what the rest of the document says about its value (the largest amount, the sum of two
others, the sum of the line items, the earliest or latest date, how often it is printed). The
labels come from :func:`backoffice.documents.labels.hits_of`, so every label vocabulary added
there feeds the ranker without a change here.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from decimal import Decimal
from statistics import median
from typing import TYPE_CHECKING

from backoffice.documents import address, labels, letterhead, names
from backoffice.documents.candidates import KINDS, LABELLED_BY, Candidate, tax_sum
from backoffice.documents.labels import Hit, party_heading
from backoffice.documents.normalise import find_date, format_amount, parse_amount, parse_date

if TYPE_CHECKING:
    from backoffice.documents.invoice import Reader

FIELDS = (
    "invoice_number",
    "order_reference",
    "issue_date",
    "due_date",
    "seller_name",
    "buyer_name",
    "seller_vat_id",
    "iban",
    "currency",
    "net_total",
    "tax_total",
    "grand_total",
    "amount_due",
)
# Fields whose values have a shape nothing else has (a checksummed IBAN, a VAT id, a currency
# code): the label logic's score stands, the ranker only calibrates it.
RULED = frozenset({"seller_vat_id", "iban", "currency"})
METHODS = ("label", "table", "pattern", "computed", "shape", "letterhead", "address")
NAMES = (
    ["heuristic", "support"]
    + [f"method_{m}" for m in METHODS]
    + [
        "left_this_strong",
        "left_this_weak",
        "left_other",
        "left_gap",
        "left_colon",
        "above_this_strong",
        "above_this_weak",
        "above_other",
        "above_gap",
        "line_this",
        "line_other",
        "line_labels",
        "title_line",
        "y",
        "x",
        "page",
        "last_page",
        "size",
        "bold",
        "size_rank",
        "words",
        "chars",
        "rank",
        "is_first",
        "is_last",
        "distinct",
        "sum_of_two",
        "part_of_sum",
        "lines_sum",
        "repeated",
        "negative",
        "currency_mark",
        "other_fields",
        "digits",
        "letters",
        "separators",
        "legal_form",
        "address_below",
        "postcode",
        "block_row",
        "address_like",
        "named_elsewhere",
        "party_label_above",
        "word_conf",
        # what a name candidate looks like and where its block sits (-1 for other fields)
        "name_street",
        "name_postcode",
        "name_address_signs",
        "name_boilerplate",
        "name_label_share",
        "name_person",
        "name_in_domain",
        "name_heading_above",
        "name_left_colon",
        "name_row_mate_party",
        "name_printed",
        "name_block_lines",
        "name_block_address",
    ]
    # ---- values: dates, amounts, numbers (appended; names' features go in their own block)
    + [
        "meter_near",
        "in_period",
        "pay_cue",
        "paid_cue",
        "previous_cue",
        "zero",
        "doc_paid",
        "long_decimals",
        "label_yours",
    ]
    # ---- names again (appended)
    + [
        "name_caption_above",
    ]
    # ---- totals and references (appended)
    + [
        "yours_elsewhere",
        "due_row",
    ]
    # ---- names: address captions, payment slips, a block's second name line (appended)
    + [
        "name_address_caption",
        "name_in_slip",
        "name_under_name",
    ]
    # ---- taxes and sums (appended)
    + [
        "tax_label_kind",
        "tax_lines",
        "vat_lines",
        "kind_lines",
        "no_cents",
        "stack",
    ]
)
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9/_.\-]*")
# an amount's cents, then at most a sign or a currency, never a third decimal (66647.770 is a reading)
_CENTS = re.compile(r"\d[.,]\d{2}\)?-?$|\d[.,]\d{2}(?!\d)\s?\S{0,3}$")
_MARKS = "€$£¥₹"
_HUNDREDTHS = re.compile(r"\d{1,2}/100")  # the cents of an amount in words: "sto złotych 83/100"
# a company's share capital in its footer ("Cap. soc. Euro 100.000,00 i.v."): no amount of the invoice
_CAPITAL = re.compile(
    r"(?i)\b(?:capitale?|cap\.? ?soc\.?|stammkapital|grundkapital|kapitał zakładowy|základní kapitál|aandelenkapitaal"
    r"|osakepääoma|aktiekapital)\b"
)


class Context:
    """What every candidate of one document is compared with."""

    def __init__(self, reader: Reader, line_total: Decimal | None):
        self.reader = reader
        self.lines = reader.lines
        self.height = reader.height
        self.width = reader.text.sizes[0][0] if reader.text.sizes else 595.0
        sizes = [w.size for line in self.lines for w in line.words if w.size]
        self.size = median(sizes) if sizes else 10.0
        self.pages = max((line.page for line in self.lines), default=1)
        self.first_page = min((line.page for line in self.lines), default=1)
        self.position = {line.index: number for number, line in enumerate(self.lines)}
        self.place = {id(w): (line, phrase) for line in self.lines for phrase in line.phrases for w in phrase.words}
        self.line_total = line_total
        self.amounts: Counter[Decimal] = Counter()
        self.dates: Counter[str] = Counter()
        self.name_sizes: list[float] = []
        self.reader_counts: Counter[str] = Counter()  # how often a date or an amount is printed (set by table())
        self.footer = letterhead.footer_text(self.lines, self.height)
        self.values: dict[tuple, list[float]] = {}
        self.paid = any(_SETTLED.fullmatch(p.text) for line in self.lines for p in line.phrases)
        self.domains = reader.domains
        self.yours: set[str] = set()  # order references a label names as the buyer's ("Your order")
        self.tax_kinds: dict[tuple[int, int], int] = {}  # line of a labelled tax amount -> its kind (taxes_context)
        self.stack_parts: set[int] = set()
        self.stack_sums: set[int] = set()
        self.printed: Counter[str] = Counter(
            " ".join(phrase.text.lower().strip(" ,").split()) for line in self.lines for phrase in line.phrases
        )

    def finish(self, found: dict[str, list[Candidate]]) -> None:
        values = sorted(
            {Decimal(c.value) for name in ("net_total", "tax_total", "grand_total", "amount_due") for c in found[name]}
        )
        self.sorted_amounts = values
        self.amount_rank = {v: n for n, v in enumerate(values)}
        self.sums: set[Decimal] = set()  # amounts that are the sum of two others
        self.parts: set[Decimal] = set()  # amounts that, with another, make a third
        present = set(values)
        positive = [v for v in values if v > 0]
        for i, a in enumerate(positive):
            for b in positive[i + 1 :]:
                if a + b in present:
                    self.sums.add(a + b)
                    self.parts.update((a, b))
        self.common: dict[tuple, tuple[list[float], list[float]]] = {}
        self.sorted_dates = sorted({c.value for name in ("issue_date", "due_date") for c in found[name]})
        self.name_sizes = sorted(
            {c.words[0].size for name in ("seller_name", "buyer_name") for c in found[name]}, reverse=True
        )
        taxes_context(self, found)
        self.by_value: dict[str, set[str]] = defaultdict(set)
        for name, candidates in found.items():
            for candidate in candidates:
                if candidate.method == "label":
                    self.by_value[candidate.value].add(name)


def propose(reader: Reader, found: dict[str, list[Candidate]]) -> None:
    """Add the shape candidates to ``found`` (dates, amounts, identifiers, names), the sum of
    several tax lines, and whole amounts that complete net + tax = total (:func:`whole_amounts`)."""
    _shapes(reader, found)
    summed = tax_sum(found["tax_total"])
    if summed is not None:
        found["tax_total"].append(summed)
    whole_amounts(reader, found)


def _shapes(reader: Reader, found: dict[str, list[Candidate]]) -> None:
    first_page = reader.lines[0].page if reader.lines else 1
    for line in reader.lines:
        for number, phrase in enumerate(line.phrases):
            text = phrase.text
            start = 0
            while start < len(text):  # every date of the phrase
                hit = find_date(text[start:], reader.day_first)
                if not hit:
                    break
                span = (start + hit[1][0], start + hit[1][1])
                words = phrase.words_in(*span)
                start = span[1]
                if words and _period_end(reader.day_first, line.words, words):
                    continue  # "DEC 05 2018 to JAN 04 2019": a period's end, no document date unless a label says so
                for name in ("issue_date", "due_date"):
                    found[name].append(Candidate(name, hit[0].isoformat(), words, 0.0, "shape"))
            for index, word in enumerate(phrase.words):
                if any(ch.isdigit() for ch in word.text):
                    if not _CAPITAL.search(" ".join(w.text for w in phrase.words[max(0, index - 4) : index])):
                        _amount_at(reader, phrase.words, index, found)
                    if line.page == first_page and line.top < reader.height * 0.5:
                        _identifier_at(word, found)
            hits = [h for h in reader.hits[line.index] if h.phrase == number]
            if any(h.start == 0 and h.end < len(phrase.words) for h in hits) and any(ch.isdigit() for ch in text):
                continue  # a label and its value ("Livré à KERMENE K2 ... 22330 LE MENE"), no name
            phrase = labels.up_to_label(phrase, hits, number)  # a label set too close ends the name before it
            text = phrase.text.rstrip(" ·|•–—")  # and the separator before it: "Brightwater IT Pty Ltd · ABN ..."
            if (
                line.page == first_page
                and line.top < reader.height * 0.6
                and letterhead.plausible_name(text.strip(" ,"))
            ):
                for name in ("seller_name", "buyer_name"):
                    found[name].append(Candidate(name, text.strip(" ,"), phrase.words, 0.0, "shape"))
            named = letterhead.legal_name(phrase) if line.page == first_page else None
            if named and (len(named) < len(phrase.words) or line.top >= reader.height * 0.6):
                # a company with its legal form opening a line: "Microsoft Ireland Operations Ltd, One Microsoft Place"
                for name in ("seller_name", "buyer_name"):
                    found[name].append(
                        Candidate(name, " ".join(w.text for w in named).strip(" ,"), named, 0.0, "shape")
                    )


def _amount_at(reader: Reader, words: list, index: int, found: dict[str, list[Candidate]]) -> None:
    for end in range(min(len(words), index + 3), index, -1):
        text = " ".join(w.text for w in words[index:end])
        if not _CENTS.search(text):
            continue
        value = parse_amount(text, reader.decimal_mark)
        if value is not None:
            for name in ("net_total", "tax_total", "grand_total", "amount_due"):
                found[name].append(Candidate(name, format_amount(value), words[index:end], 0.0, "shape"))
            return


def _identifier_at(word, found: dict[str, list[Candidate]]) -> None:
    token = word.text.lstrip("#:").rstrip(".,;:")
    if not (3 <= len(token) <= 30 and _ID.fullmatch(token) and sum(ch.isdigit() for ch in token) >= 2):
        return
    if parse_date(token) is not None or _CENTS.search(token) or _HUNDREDTHS.fullmatch(token):
        return
    for name in ("invoice_number", "order_reference"):
        found[name].append(Candidate(name, token, [word], 0.0, "shape"))


def merge(found: dict[str, list[Candidate]]) -> dict[str, list[tuple[Candidate, int]]]:
    """One candidate per field, value and place: the one with the best heuristic score, and how
    many pieces of evidence proposed it."""
    merged: dict[str, list[tuple[Candidate, int]]] = {}
    for name, candidates in found.items():
        best: dict[tuple, list] = {}
        for candidate in candidates:
            key = (candidate.value, candidate.where)
            if key not in best:
                best[key] = [candidate, 0]
            elif candidate.score > best[key][0].score:
                best[key][0] = candidate
            best[key][1] += 1
        merged[name] = [(c, n) for c, n in best.values()]
    return merged


def _labels_near(context: Context, candidate: Candidate, name: str) -> list[float]:
    """Nearest label left on the candidate's line and above it in its column."""
    reader = context.reader
    first = candidate.words[0]
    position = next((context.position[line.index] for line in _line_of(context, first)), None)
    out = [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0]
    if position is None:
        return out
    line = context.lines[position]
    hits = reader.hits[line.index]
    left = [
        (line.phrases[h.phrase].words[h.end - 1].x1, h)
        for h in hits
        if line.phrases[h.phrase].words[h.end - 1].x1 <= first.x0 + 1
    ]
    if left:
        x1, hit = max(left, key=lambda item: item[0])
        out[0:3] = _strength(hit, name)
        out[3] = min(1.0, (first.x0 - x1) / context.width)
        out[4] = float(line.phrases[hit.phrase].words[hit.end - 1].text.endswith(":"))
    x0, x1 = candidate.words[0].x0, candidate.words[-1].x1
    for other in reversed(context.lines[max(0, position - 4) : position]):
        if other.page != line.page or line.top - other.bottom > 60:
            break
        above = [
            h for h in reader.hits[other.index] if _overlaps(other.phrases[h.phrase].words[h.start : h.end], x0, x1)
        ]
        if above:
            out[5:8] = _strength(above[0], name)
            out[8] = min(1.0, (line.top - other.bottom) / context.height * 10)
            break
    names = {f for h in hits for f, _ in h.fields}
    out[9] = float(name in names)
    out[10] = float(bool(names - {name}))
    out[11] = float(len(hits))
    out[12] = float(bool(letterhead.TITLE.match(line.text.lower())))
    return out


def _line_of(context: Context, word) -> list:
    place = context.place.get(id(word))
    return [place[0]] if place else []


def _overlaps(words: list, x0: float, x1: float) -> bool:
    if not words:
        return False
    a, b = words[0].x0, words[-1].x1
    return (b >= x0 - 2 and a <= x1 + 2) or abs(a - x0) < 15


def _strength(hit: Hit, name: str) -> list[float]:
    strong = any(f == name and s for f, s in hit.fields)
    weak = any(f == name and not s for f, s in hit.fields)
    return [float(strong), float(weak and not strong), float(not strong and not weak)]


def describe(context: Context, name: str, candidate: Candidate, support: int) -> list[float]:
    """The feature vector of ``candidate`` for field ``name`` (see :data:`NAMES`)."""
    row = [candidate.score, float(support)] + [float(candidate.method == m) for m in METHODS]
    row += _labels_near(context, candidate, name)
    kind = KINDS[name]
    key = (id(candidate.words[0]), len(candidate.words), candidate.value, kind)
    common = context.common.get(key)
    if common is None:  # what does not depend on the field: computed once per printed value
        common = context.common[key] = _common(context, kind, candidate)
    row += common[0]
    row.append(float(len(context.by_value.get(candidate.value, set()) - {name})))
    row += common[1]
    row += context.values.get(key) or context.values.setdefault(key, values_block(context, kind, candidate))
    row += names_block(context, kind, candidate)
    row += totals_block(context, name, candidate)
    row += parties_block(context, kind, candidate)
    row += taxes_block(context, name, candidate)
    return row


def names_block(context: Context, kind: str, candidate: Candidate) -> list[float]:
    """name_caption_above: 1 when the line right above a name candidate in its block is a form's
    caption for a party's name (``Name``, ``NOME / RAZÃO SOCIAL``), 0 when not, -1 for other fields."""
    place = context.place.get(id(candidate.words[0]))
    if kind != "name" or place is None:
        return [-1.0]
    above = _aligned_above(context, place[0], place[1])
    return [float(above is not None and labels.is_party_name(above.text))]


def _common(context: Context, kind: str, candidate: Candidate) -> tuple[list[float], list[float]]:
    first = candidate.words[0]
    size = max(w.size for w in candidate.words) or context.size
    head = [
        first.top / context.height,
        first.x0 / context.width,
        float(first.page - context.first_page),
        float(first.page == context.pages),
        size / context.size,
        float("bold" in first.font.lower()),
    ]
    head.append(
        float(context.name_sizes.index(first.size)) if kind == "name" and first.size in context.name_sizes else -1.0
    )
    head += [float(len(candidate.words)), float(len(candidate.value))]
    head += _value_features(context, kind, candidate)
    value = candidate.value
    place = context.place.get(id(first))
    follows = kind == "name" and place is not None and letterhead.address_follows(context.lines, place[0], place[1])
    tail = [
        sum(ch.isdigit() for ch in value) / max(len(value), 1),
        float(any(ch.isalpha() for ch in value)),
        float(sum(ch in "-/._" for ch in value)),
        float(bool(letterhead.LEGAL.search(value)) if kind == "name" else 0.0),
        float(follows),
        float(kind == "id" and place is not None and _postcode(place[1], first)),
    ]
    if kind == "name" and place is not None:
        tail += [
            float(_block_row(context, place[0], place[1])),
            float(address.line(value)),
            float(letterhead.named_in(context.footer, value)),
            _party_label_above(context, place[0], place[1]),
        ]
    else:
        tail += [-1.0, 0.0, 0.0, 0.0]
    tail.append(min(w.conf for w in candidate.words))  # 1 on a text layer; OCR's own certainty on a scan
    tail += _name_features(context, candidate, place) if kind == "name" and place is not None else _NO_NAME
    return head, tail


_NO_NAME = [-1.0] * 13


def _name_features(context: Context, candidate: Candidate, place: tuple) -> list[float]:
    """name_street ... name_block_address: the value's shape (address, boilerplate, label, person,
    web domain) and its block (a short heading over it, an unknown ``Label:`` left of it, the party
    a label names over a block beside it on its line, how often it is printed, the block's lines)."""
    value = candidate.value
    line, phrase = place
    below, postal = _block_below(context, line, phrase)
    return [
        float(address.street(value)),
        float(address.postcode(value)),
        float(address.signs(value)),
        float(names.boilerplate(value)),
        names.label_share(value),
        names.person_shape(value),
        names.in_domain(value, context.domains),
        _heading_above(context, line, phrase),
        _left_colon(line, phrase),
        _row_mate_party(context, line, phrase),
        float(context.printed.get(" ".join(value.lower().split()), 0)),
        float(below),
        float(postal),
    ]


def _aligned_above(context: Context, line, phrase):
    """The phrase right above ``phrase`` with the same left edge (its block's line above), or None."""
    position = context.position[line.index]
    for other in reversed(context.lines[max(0, position - 3) : position]):
        if other.page != line.page or line.top - other.bottom > 2.5 * max(phrase.bottom - phrase.top, 6):
            return None
        match = next((p for p in other.phrases if abs(p.x0 - phrase.x0) <= 6), None)
        if match is not None:
            return match
    return None


def _heading_above(context: Context, line, phrase) -> float:
    """2 when the line above ``phrase`` in its block is a short heading ending with a colon
    (``Solgt til:``, ``Sr.(s):``), 1 when it is a short heading of letters (``Destinataire``,
    ``CUSTOMER NAME``), else 0: the first line under a heading, as a party's name is."""
    above = _aligned_above(context, line, phrase)
    if above is None or _block_row(context, line, phrase) != 1:
        return 0.0  # no line above, or the line above is itself a line of the block
    text = above.text.strip()
    words = text.split()
    if not words or len(words) > 4 or sum(ch.isdigit() for ch in text) > 2:
        if words and words[0].endswith(":") and len(words) <= 3:  # "Fakturer: 7402956928"
            return 2.0
        return 0.0
    if text.endswith(":") or any(w.endswith(":") for w in words):
        return 2.0
    return 1.0 if not address.signs(text) and not letterhead.LEGAL.search(text) else 0.0


def _left_colon(line, phrase) -> float:
    """1 when the phrase just left of ``phrase`` on its line is a short label ending with a
    colon the vocabulary may not know (``Sr.(s):  Joao Da Silva``); 0 when the vocabulary knows
    it names something else than a party (``Banque :  B N P``)."""
    before = [p for p in line.phrases if p.x1 <= phrase.x0 + 1]
    if not before:
        return 0.0
    left = before[-1].text.strip()
    known = labels.match(left)
    if known is not None and not labels.is_party_name(left) and not any(n in labels.NAME_FIELDS for n, _ in known):
        return 0.0
    return float(left.endswith(":") and len(left.split()) <= 3 and phrase.x0 - before[-1].x1 < 150)


def _row_mate_party(context: Context, line, phrase) -> float:
    """The party a label names over another block on ``phrase``'s line: -1 when a block beside
    it is the seller's ("Provider | Purchaser" with one heading unknown), 1 when the buyer's."""
    found = 0.0
    for other in line.phrases:
        if other is phrase or abs(other.x0 - phrase.x0) < 40:
            continue
        party = _party_label_above(context, line, other)
        if party:
            found = party
    return found


def _block_below(context: Context, line, phrase) -> tuple[int, int]:
    """How many lines stand under ``phrase`` in its block (same left edge), and how many of them
    read like an address."""
    position = context.position[line.index]
    count, postal, bottom = 0, 0, line.bottom
    for other in context.lines[position + 1 : position + 8]:
        if other.page != line.page or other.top - bottom > 2.5 * max(phrase.bottom - phrase.top, 6):
            break
        match = next((p for p in other.phrases if abs(p.x0 - phrase.x0) <= 6), None)
        if match is None:
            continue
        count += 1
        postal += address.signs(match.text) > 0
        bottom = other.bottom
    return count, postal


def _block_row(context: Context, line, phrase) -> int:
    """How many lines of the same left-aligned block stand above ``phrase`` (0: it heads its block,
    as a name heads its address)."""
    position = context.position[line.index]
    row, bottom = 0, line.top
    for other in reversed(context.lines[max(0, position - 12) : position]):
        if other.page != line.page or bottom - other.bottom > 2.5 * max(phrase.bottom - phrase.top, 6):
            break
        if any(abs(p.x0 - phrase.x0) <= 4 for p in other.phrases):
            row += 1
            bottom = other.top
            if row >= 5:
                break
    return row


def _party_label_above(context: Context, line, phrase) -> float:
    """1 when the nearest label heading the block above ``phrase`` names the buyer ("Bill to",
    "Kunde"), -1 when it names the seller ("From", "Lieferant"), else 0."""
    position = context.position[line.index]
    return float(party_heading(context.lines, context.reader.hits, position, phrase.x0, phrase.x1))


def _postcode(phrase, word) -> bool:
    """Whether ``word`` reads like a postcode: 4 or 5 digits before or after a town's name."""
    if not (word.text.isdigit() and 4 <= len(word.text) <= 5):
        return False
    index = next((i for i, w in enumerate(phrase.words) if w is word), -1)
    around = phrase.words[index + 1 : index + 2] + phrase.words[max(index - 1, 0) : max(index, 0)]
    return any(w.text[:1].isupper() and w.text.rstrip(",").isalpha() for w in around)


def _value_features(context: Context, kind: str, candidate: Candidate) -> list[float]:
    """rank, is_first, is_last, distinct, sum_of_two, part_of_sum, lines_sum, repeated, negative, currency_mark."""
    if kind == "money":
        value = Decimal(candidate.value)
        values = context.sorted_amounts
        rank = (len(values) - 1 - context.amount_rank[value]) if value in context.amount_rank else -1
        sum_of_two, part = value in context.sums, value in context.parts
        text = " ".join(w.text for w in candidate.words)
        mark = any(s in text for s in _MARKS) or any(c.isupper() for c in text)
        return [
            float(rank),
            float(rank == len(values) - 1),
            float(rank == 0),
            float(len(values)),
            float(sum_of_two),
            float(part),
            float(context.line_total is not None and value == context.line_total),
            float(context.reader_counts.get(candidate.value, 0)),
            float(value < 0),
            float(mark),
        ]
    if kind == "date":
        dates = context.sorted_dates
        rank = dates.index(candidate.value) if candidate.value in dates else -1
        return [
            float(rank),
            float(rank == 0),
            float(rank == len(dates) - 1),
            float(len(dates)),
            0.0,
            0.0,
            0.0,
            float(context.reader_counts.get(candidate.value, 0)),
            0.0,
            0.0,
        ]
    return [-1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, float(context.reader_counts.get(candidate.value, 0)), 0.0, 0.0]


def table(
    reader: Reader, found: dict[str, list[Candidate]], line_total: Decimal | None
) -> dict[str, tuple[list[Candidate], list[list[float]]]]:
    """Per field: its merged candidates and their feature rows."""
    context = Context(reader, line_total)
    merged = merge(found)
    context.finish(found)
    counts: Counter[str] = Counter()
    for name in ("issue_date", "net_total"):  # how often a date or an amount is printed
        for candidate, _ in merged.get(name, []):
            counts[candidate.value] += 1
    context.reader_counts = counts
    for candidate, _ in merged.get("order_reference", []):  # the buyer's own order, read beside its label
        if candidate.method == "label" and _values_of(context, "id", candidate)[8]:
            context.yours.add(candidate.value)
    out = {}
    for name in FIELDS:
        candidates = merged.get(name, [])
        rows = [] if name in RULED else [describe(context, name, c, n) for c, n in candidates]
        out[name] = ([c for c, _ in candidates], rows)
    return out


# ---------------------------------------------------------------- values: dates, amounts, numbers

# Meter readings and consumption (a utility bill's 66647.770 kWh is no total, its reading dates no
# issue date): the words and units, in the 13 languages.
_METER = re.compile(
    r"(?i)(?<![^\W\d_])(?:kwh|kw|kva|mwh|m3|m³|gj|therms?|ccf|litres?|liters?|meter|metre|reading|readings|consumption"
    r"|usage|multiplier|zähler(?:stand)?|verbrauch|ablesung|compteur|consommation|relevé|index|meterstand|verbruik"
    r"|contador|consumo|lectura|lettura|contatore|leitura|licznik|zużycie|odczyt|spotřeba|elektroměr|stav"
    r"|mätarställning|förbrukning|måler(?:stand)?|forbrug|forbruk|mittari|lukema|kulutus)(?![^\W\d_])"
)
# Words that join the two dates of a period ("DEC 05 2018 to JAN 04 2019", "du 01/01 au 31/01").
_RANGE = frozenset(
    {
        "-",
        "–",
        "—",
        "to",
        "till",
        "until",
        "through",
        "thru",
        "bis",
        "au",
        "à",
        "a",
        "al",
        "tot",
        "t/m",
        "do",
        "až",
        "til",
        "asti",
    }
)
# ("vom", "du" also date a document: "Rechnung vom 16.09.2018"; only words that open a period)
_FROM = re.compile(r"(?i)^(?:from|desde|od|från|fra)$")
# A payment asked for by a date, in a sentence ("Please pay by", "Bitte überweisen Sie ... bis").
_PAY = re.compile(
    r"(?i)\b(?:pay|payable|due|before|by|bis|zahlbar|überweis\w*|fällig|régler|payer|avant|d['’]ici|betal\w*|vóór"
    r"|uiterlijk|pag\w+|entro|antes|płat\w*|zapłat\w*|splat\w*|uhrad\w*|senast|innen|senest|maks\w*|viimeistään)\b"
)
# Money already paid ("Paid Today", "Payments - Thank You", "Anzahlung").
_PAID = re.compile(
    r"(?i)\b(?:paid|payments?(?: received)?|thank you|bezahlt|anzahlung|zahlung erhalten|réglé|acompte|payé|betaald"
    r"|pagado|pago recibido|pagato|pago|zapłacono|uhrazeno|zaplaceno|betalt|betald|maksettu|received)\b"
)
# The buyer's own reference: "Your order", "Uw bestelling", "Ihre Bestellung", "V/Réf".
_YOURS = re.compile(
    r"(?i)(?<![^\W\d_])(?:your|uw|ihre?|votre|vos|v/r[ée]f|vostr[oa]|su|sua|seu|wasz\w*|vaše|vaš\w*|er|ert|deres|jeres"
    r"|teidän|customer|kunden|client)(?![^\W\d_])"
)
# A document that says it is settled: a stamp, "PAID IN FULL".
_SETTLED = re.compile(
    r"(?i)\W*(?:paid(?: in full)?|fully paid|bezahlt|payée?|acquittée?|betaald|pagad[oa]|pagat[oa]|zapłacono"
    r"|uhrazeno|betalt|betald|maksettu)\W*"
)
_PREVIOUS = re.compile(
    r"(?i)\b(?:previous|brought forward|last bill|balance forward|vorherig\w*|saldovortrag|précédent|antérieur|vorig"
    r"|anterior|precedente|poprzedni\w*|předchozí|föregående|tidligere|forrige|edellinen)\b"
)


def values_block(context: Context, kind: str, candidate: Candidate) -> list[float]:
    """meter_near, in_period, pay_cue, paid_cue, previous_cue, zero, doc_paid, long_decimals, label_yours."""
    out = [0.0] * 9
    if kind not in ("money", "date", "id"):
        return out
    first = candidate.words[0]
    place = context.place.get(id(first))
    if place is None:
        return out
    line, phrase = place
    words = line.words
    start = next((i for i, w in enumerate(words) if w is first), 0)
    end = next((i for i, w in enumerate(words) if w is candidate.words[-1]), start) + 1
    number = next((i for i, p in enumerate(line.phrases) if p is phrase), 0)
    near = line.phrases[max(0, number - 1) : number + 2]  # its phrase and the ones beside it
    # the words before it in its phrase and the phrase left of it: its label or its sentence
    before = " ".join(w.text for w in words[max(0, start - 8) : start] if w.x0 >= near[0].x0)
    out[0] = float(any(_METER.search(p.text) for p in near) or _meter_above(context, line, first))
    if kind == "date":
        out[1] = float(_in_range(context.reader.day_first, words, start, end))
        out[2] = float(bool(_PAY.search(before)))
    if kind == "money":  # "BEFORE DUE DATE  $75.06": asked for by a date, the amount due
        out[2] = float(bool(_PAY.search(before)))
        value = Decimal(candidate.value)
        out[3] = float(bool(_PAID.search(before)))
        out[4] = float(bool(_PREVIOUS.search(before)))
        out[5] = float(value == 0)
        out[7] = float(any(re.search(r"\d[.,]\d{3,}$", w.text) for w in candidate.words))
    out[6] = float(context.paid)
    if kind == "id":  # "Uw bestelling 3389" (the buyer's order) rather than "Ordernr. 4550219" (the seller's)
        out[8] = float(bool(_YOURS.search(before) or _YOURS.search(_text_above(context, line, first))))
    return out


def _values_of(context: Context, kind: str, candidate: Candidate) -> list[float]:
    """:func:`values_block` of ``candidate``, computed once per printed value."""
    key = (id(candidate.words[0]), len(candidate.words), candidate.value, kind)
    return context.values.get(key) or context.values.setdefault(key, values_block(context, kind, candidate))


def totals_block(context: Context, name: str, candidate: Candidate) -> list[float]:
    """yours_elsewhere: an order reference while a label names another one the buyer's order ("Uw
    bestelling 3389" beside "Ordernr. 4550219", the seller's); due_row: an amount in a row with a
    date, under a heading or beside a label naming a due date (a payment schedule: "Date échéance
    Mode règlement Montant" over "15/12/2022 Virement 74,70 €")."""
    out = [0.0, 0.0]
    place = context.place.get(id(candidate.words[0]))
    if place is None:
        return out
    line = place[0]
    if name == "order_reference":
        out[0] = float(bool(context.yours - {candidate.value}))
    if KINDS[name] == "money" and find_date(line.text, context.reader.day_first):
        hits = context.reader.hits
        due = any(f == "due_date" for h in hits[line.index] for f, _ in h.fields)
        position = context.position[line.index]
        above = context.lines[position - 1] if position else None
        if above is not None and above.page == line.page and line.top - above.bottom <= 30:
            due = due or any(f == "due_date" for h in hits[above.index] for f, _ in h.fields)
        out[1] = float(due)
    return out


def _text_above(context: Context, line, word) -> str:
    """The phrase right above ``word`` in its column (a label printed over its value)."""
    position = context.position[line.index]
    for other in reversed(context.lines[max(0, position - 2) : position]):
        if other.page != line.page or line.top - other.bottom > 40:
            return ""
        for phrase in other.phrases:
            if phrase.x1 >= word.x0 - 2 and phrase.x0 <= word.x1 + 2:
                return phrase.text
    return ""


def _meter_above(context: Context, line, word) -> bool:
    """Whether a column heading above ``word``, or the heading row of its table, names a meter
    reading or a unit of consumption ("Date  Type  Meter #  Multiplier  KWH")."""
    position = context.position[line.index]
    row = len(line.phrases) >= 3  # a row of a table: its heading may be a few rows up
    passed = 0  # rows of values passed on the way up
    for other in reversed(context.lines[max(0, position - 6) : position]):
        if other.page != line.page or line.top - other.bottom > 80:
            return False
        if row and len(other.phrases) >= 3 and _METER.search(other.text):
            return True  # the heading row of its table names readings
        above = [p for p in other.phrases if p.x1 >= word.x0 - 2 and p.x0 <= word.x1 + 2]
        if above and not any(ch.isdigit() for ch in above[0].text):
            return bool(_METER.search(above[0].text))  # the heading of its column
        passed += 1
        if not row or passed > 3:
            return False
    return False


def _period_end(day_first: bool, line_words: list, words: list) -> bool:
    """Whether the date printed as ``words`` (of a line whose words are ``line_words``) is one end of a period."""
    start = next((i for i, w in enumerate(line_words) if w is words[0]), None)
    end = next((i for i, w in enumerate(line_words) if w is words[-1]), None)
    return start is not None and end is not None and _in_range(day_first, line_words, start, end + 1)


def _in_range(day_first: bool, words: list, start: int, end: int) -> bool:
    """Whether the date in ``words[start:end]`` is one end of a period: another date joined to it
    by "to", "-", "bis", "au" (or led by "from"), or both ends in one word."""
    token = " ".join(w.text for w in words[start:end])
    hit = find_date(token, day_first)
    if hit and find_date(token[hit[1][1] :], day_first):
        return True  # "01.01.2024-31.01.2024"
    if start > 0 and _FROM.match(words[start - 1].text):
        return True
    if end < len(words) and words[end].text.lower() in _RANGE:
        return bool(find_date(" ".join(w.text for w in words[end + 1 : end + 5]), day_first))
    if start > 0 and words[start - 1].text.lower() in _RANGE:
        return bool(find_date(" ".join(w.text for w in words[max(0, start - 5) : start - 1]), day_first))
    return False


# ---------------------------------------------------------------- names: captions, slips, blocks

# The caption of a postal address, bare (what a form or a "Label: value" list prints left of the
# street and town, never over a party's block: "Billing address" heads a name), in the 13 languages.
_ADDRESS_CAPTION = re.compile(
    r"(?i)\W*(?:address|addr\.?|adresse|anschrift|adres|adresa|adress|dirección|direccion|domicilio|indirizzo"
    r"|endereço|endereco|osoite|ulica|street address|postal address|straße|strasse|rue|calle|via)\W*"
)


def parties_block(context: Context, kind: str, candidate: Candidate) -> list[float]:
    """name_address_caption: 1 when the label left of a name candidate on its line is an address's
    caption (``Address:  Unit 1, Fork Works``), 2 when that bare caption stands right above it (a
    form's cell); name_in_slip: 1 when the candidate sits in a payment slip or remittance advice
    (a line above it on its page, in the lower part, opens one: there ``To:`` names the payee);
    name_under_name: 1 when the line above it in its block reads like a name itself in plain type
    (a company over its contact person or department), 2 when in bold (a heading the vocabulary
    does not know, or a company's name set bold). -1 each for other fields."""
    place = context.place.get(id(candidate.words[0]))
    if kind != "name" or place is None:
        return [-1.0, -1.0, -1.0]
    line, phrase = place
    caption = 0.0
    before = [p for p in line.phrases if p.x1 <= phrase.x0 + 1]
    if before and phrase.x0 - before[-1].x1 < 200 and _ADDRESS_CAPTION.fullmatch(before[-1].text):
        caption = 1.0
    above = _aligned_above(context, line, phrase)
    if not caption and above is not None and _ADDRESS_CAPTION.fullmatch(above.text):
        caption = 2.0
    under = 0.0
    if above is not None:
        text = above.text.strip(" ,")
        if letterhead.plausible_name(text) and not address.line(text) and not labels.is_party_name(text):
            under = 2.0 if any("bold" in w.font.lower() for w in above.words) else 1.0
    slip = letterhead.in_slip(context.lines, context.position[line.index], context.height)
    return [caption, float(slip), under]


# ---------------------------------------------------------------- taxes and sums

_WHOLE = re.compile(r"[$€£¥₹]?\d{1,3}(?:[,.'\u00a0\u202f ]\d{3})*|[$€£¥₹]?\d+")


def whole_amounts(reader: Reader, found: dict[str, list[Candidate]]) -> None:
    """Amounts printed without cents (``LESS DISCOUNT  1436``) that complete net + tax = total with
    two totals read beside or under their labels (``TOTAL TAX 100.52``, ``BALANCE DUE $1,536.52``):
    proposed for the third total as ``whole`` (arithmetic proposes them; the ranker scores them)."""
    values = {
        name: {Decimal(c.value) for c in found[name] if c.method in LABELLED_BY}
        for name in ("net_total", "tax_total", "grand_total", "amount_due")
    }
    grand = values["grand_total"] | values["amount_due"]
    taxes = {t for t in values["tax_total"] if t > 0}
    wanted: dict[Decimal, set[str]] = defaultdict(set)
    for t in taxes:
        for n in values["net_total"]:
            wanted[n + t].add("grand_total")
        for g in grand:
            wanted[g - t].add("net_total")
    for g in grand:
        for n in values["net_total"]:
            if 0 < g - n < g:
                wanted[g - n].add("tax_total")
    if not wanted:
        return
    for line in reader.lines:
        for word in line.words:
            if not _WHOLE.fullmatch(word.text) or find_date(word.text, reader.day_first):
                continue
            value = parse_amount(word.text, reader.decimal_mark)
            if value is None or value != value.to_integral_value() or not value:
                continue
            for name in wanted.get(value, ()):
                found[name].append(Candidate(name, format_amount(value), [word], 0.0, "whole"))


def taxes_context(context: Context, found: dict[str, list[Candidate]]) -> None:
    """What :func:`taxes_block` compares with: the lines that print a tax amount beside its label,
    and of which kind (:func:`~backoffice.documents.labels.tax_kind`); the amounts that add up
    down a column (:func:`_stacks`)."""
    kinds: dict[tuple[int, int], int] = {}
    for candidate in found["tax_total"]:
        if candidate.method in LABELLED_BY:
            first = candidate.words[0]
            kinds[(first.page, round(first.top))] = max(
                kinds.get((first.page, round(first.top)), 0), labels.tax_kind(_label_text(context, candidate))
            )
    context.tax_kinds = kinds
    money: dict[int, Candidate] = {}
    for name in ("net_total", "tax_total", "grand_total", "amount_due"):
        for candidate in found[name]:
            if candidate.method != "computed" and id(candidate.words[0]) in context.place:
                money.setdefault(id(candidate.words[0]), candidate)
    context.stack_parts, context.stack_sums = _stacks(context, list(money.values()))


def _label_text(context: Context, candidate: Candidate) -> str:
    """The label nearest left of ``candidate`` on its line, else the text right above it."""
    first = candidate.words[0]
    place = context.place.get(id(first))
    if place is None:
        return ""
    line = place[0]
    left = [
        (line.phrases[h.phrase].words[h.end - 1].x1, h)
        for h in context.reader.hits[line.index]
        if line.phrases[h.phrase].words[h.end - 1].x1 <= first.x0 + 1
    ]
    if left:
        hit = max(left, key=lambda item: item[0])[1]
        words = line.phrases[hit.phrase].words
        # the label with what follows it up to the value ("Impuesto Municipal Matanza 1,00%")
        return " ".join(w.text for w in words[hit.start :] if w.x1 <= first.x0 + 1)
    return _text_above(context, line, first)


def _stacks(context: Context, amounts: list[Candidate]) -> tuple[set[int], set[int]]:
    """Amounts printed one under another in a column (a run of rows) that add up to an amount
    printed under them (``Bid Amount``, fees, ``Transaction Tax`` over ``Total``): the ids of the
    first words of the parts, and of the sums."""
    parts: set[int] = set()
    sums: set[int] = set()
    ordered = sorted(amounts, key=lambda c: c.where)
    below: dict[int, int] = {}  # index -> the next amount down its column
    for i, a in enumerate(ordered):
        top, bottom = a.words[0].top, a.words[0].bottom
        x0, x1 = a.words[0].x0, a.words[-1].x1
        for j in range(i + 1, len(ordered)):
            b = ordered[j]
            if b.words[0].page != a.words[0].page or b.words[0].top - bottom > 4 * max(bottom - top, 6):
                break
            if b.words[0].top > bottom - 1 and b.words[-1].x1 >= x0 - 4 and b.words[0].x0 <= x1 + 4:
                below[i] = j
                break
    last = {Decimal(c.value): k for k, c in enumerate(ordered)}  # value -> where it is printed last
    heads = set(range(len(ordered))) - set(below.values())
    for head in sorted(heads):
        run = [head]
        while run[-1] in below and len(run) < 60:
            run.append(below[run[-1]])
        values = [Decimal(ordered[k].value) for k in run]
        for end in range(2, len(run) + 1):  # parts run[start:end], their sum in the column or anywhere below
            total = Decimal(0)
            for start in range(end - 1, -1, -1):
                total += values[start]
                if end - start >= 2 and total and last.get(total, -1) > run[end - 1]:
                    parts.update(id(ordered[k].words[0]) for k in run[start:end])
                    sums.add(id(ordered[last[total]].words[0]))
    return parts, sums


def taxes_block(context: Context, name: str, candidate: Candidate) -> list[float]:
    """tax_label_kind: the tax its label names (2 a particular kind: ``Impuesto municipal``, 1 a
    VAT or plain tax, 0 none); tax_lines, vat_lines, kind_lines: how many lines print a tax amount
    beside its label, and of them how many name a VAT or plain tax, or a particular kind; no_cents:
    printed without cents; stack: 1 when it is one of a run of amounts down a column that add up
    to an amount printed under them, 2 when it is such a sum (-1 for other fields)."""
    if KINDS[name] != "money":
        return [-1.0] * 6
    kinds = list(context.tax_kinds.values())
    first = candidate.words[0]
    text = " ".join(w.text for w in candidate.words)
    key = id(first)
    return [
        float(labels.tax_kind(_label_text(context, candidate))),
        float(len(kinds)),
        float(kinds.count(1)),
        float(kinds.count(2)),
        float(not _CENTS.search(text)),
        2.0 if key in context.stack_sums and candidate.method != "computed" else float(key in context.stack_parts),
    ]
