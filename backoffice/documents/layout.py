"""Group a page's words into lines, and each line into phrases (runs of words without a wide gap).

A label and its value usually sit in different phrases of one line, or the value sits in the
phrase below its label; that is all the layout the invoice reader needs. Phrases and lines are
not changed once made, so their boxes and texts are computed once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from backoffice.documents.models import BBox
from backoffice.documents.words import Word

# A gap wider than this many times the font size starts a new phrase (a space is ~0.28 em).
PHRASE_GAP = 0.8


def union(words: list[Word]) -> BBox:
    """The smallest box holding every word."""
    return (
        min(w.x0 for w in words),
        min(w.top for w in words),
        max(w.x1 for w in words),
        max(w.bottom for w in words),
    )


@dataclass
class Phrase:
    words: list[Word]
    text: str = ""
    starts: list[int] = field(default_factory=list)  # character offset of each word in text

    def __post_init__(self) -> None:
        offset, starts = 0, []
        for word in self.words:
            starts.append(offset)
            offset += len(word.text) + 1
        self.starts = starts
        self.text = " ".join(w.text for w in self.words)

    @cached_property
    def x0(self) -> float:
        return self.words[0].x0

    @cached_property
    def x1(self) -> float:
        return self.words[-1].x1

    @cached_property
    def top(self) -> float:
        return min(w.top for w in self.words)

    @cached_property
    def bottom(self) -> float:
        return max(w.bottom for w in self.words)

    @cached_property
    def size(self) -> float:
        return max(w.size for w in self.words)

    def words_in(self, start: int, end: int) -> list[Word]:
        """The words that the character span ``[start, end)`` of :attr:`text` touches."""
        return [w for w, s in zip(self.words, self.starts) if s < end and s + len(w.text) > start]

    def tail(self, skip: int) -> Phrase | None:
        """The phrase without its first ``skip`` words, or None when nothing is left."""
        return Phrase(self.words[skip:]) if skip < len(self.words) else None


@dataclass
class Line:
    page: int
    index: int
    phrases: list[Phrase]

    @cached_property
    def top(self) -> float:
        return min(p.top for p in self.phrases)

    @cached_property
    def bottom(self) -> float:
        return max(p.bottom for p in self.phrases)

    @cached_property
    def text(self) -> str:
        return "  ".join(p.text for p in self.phrases)

    @cached_property
    def words(self) -> list[Word]:
        return [w for p in self.phrases for w in p.words]


def lines_of(words: list[Word], index_from: int = 0) -> list[Line]:
    """Words of one page as lines, top to bottom, each line's phrases left to right."""
    rows: list[list[Word]] = []
    middles: list[float] = []  # each row's middle, the mean of its words'
    for word in sorted(words, key=lambda w: (round(w.top, 1), w.x0)):
        middle = (word.top + word.bottom) / 2
        height = max(word.bottom - word.top, 1.0)
        # the nearest of the last rows: small print set a hair lower ("notes" beside "Subtotal  $5,564.97")
        # must not part the words of the row it sits in
        near = min(range(max(0, len(rows) - 3), len(rows)), key=lambda r: abs(middle - middles[r]), default=None)
        if near is not None and abs(middle - middles[near]) <= 0.4 * height:
            rows[near].append(word)
            middles[near] += (middle - middles[near]) / len(rows[near])
            continue
        rows.append([word])
        middles.append(middle)
    lines = []
    for number, row in enumerate(rows):
        row.sort(key=lambda w: w.x0)
        phrases, current = [], [row[0]]
        for word in row[1:]:
            size = max(min(word.size, current[-1].size), 4.0) if word.size else 10.0
            # a credit mark set apart from its amount ("3.45   CR") still belongs to it
            credit = (
                word.text in ("CR", "DR") and current[-1].text[-1:].isdigit() and word.x0 - current[-1].x1 < 3 * size
            )
            if word.x0 - current[-1].x1 > PHRASE_GAP * size and not credit:
                phrases.append(Phrase(current))
                current = [word]
            else:
                current.append(word)
        phrases.append(Phrase(current))
        lines.append(Line(page=row[0].page, index=index_from + number, phrases=phrases))
    return _split_at_columns(lines)


# A gap this wide (in ems) before a word where other lines' phrases start parts two columns.
COLUMN_GAP = 0.65


def _split_at_columns(lines: list[Line]) -> list[Line]:
    """Lines whose phrases run into a column that other lines start phrases at: a paragraph set
    close to the totals' labels ("… invoice number 00002317 GST   $67.00" beside "Subtotal",
    "Total Inc-GST") parts where that column starts, when the gap is wider than a space."""
    starts: Counter[int] = Counter(round(p.x0) for line in lines for p in line.phrases)
    split = []
    for line in lines:
        phrases = []
        for phrase in line.phrases:
            current = [phrase.words[0]]
            for word in phrase.words[1:]:
                size = max(min(word.size, current[-1].size), 4.0) if word.size else 10.0
                wide = word.x0 - current[-1].x1 > COLUMN_GAP * size
                if wide and sum(starts[round(word.x0) + d] for d in (-1, 0, 1)) >= 2:
                    phrases.append(Phrase(current))
                    current = [word]
                else:
                    current.append(word)
            phrases.append(phrase if len(current) == len(phrase.words) else Phrase(current))
        split.append(line if len(phrases) == len(line.phrases) else Line(line.page, line.index, phrases))
    return split
