"""A page's layout fingerprint: its label-like words and where they sit, robust to the values.

A token is ``word@column,row`` for every word of letters only (2 or more, lower-cased) on the
first page, on a grid of :data:`CELL` points (in proportion to the page's size, so a scan read
at a slightly wrong resolution keeps its tokens): values (numbers, dates, amounts, IBANs) never
make tokens, so two invoices of one layout share most tokens whatever they say. Names and
descriptions are words too; they differ between documents and only lower the score a little.

:class:`Index` finds the learned layouts that share the most tokens with a page through an
inverted index (token -> layouts), so its cost grows with the page's words, not with the
number of layouts learned. A page being matched also stands for the neighbouring cell of every
word near a cell's edge (:func:`page_tokens`), so a scan's tilt or OCR's boxes, moving a label
a few points, do not cost its token; OCR's misread words only lower the score a little.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain

from backoffice.documents.pdf import Word

CELL = 24.0  # points of an A4 page; a label that moves less than this keeps its token (mostly)
A4 = (595.28, 841.89)
BORDER = 0.3  # a word this close (share of a cell) to a cell's edge also stands for the cell beyond it
MIN_SCORE = 0.6  # share of the learned layout's tokens a page must hold to be read with it
_WORD = re.compile(r"^[^\W\d_]{2,}$")


def _cells(size: tuple[float, float] | None) -> tuple[float, float]:
    """The grid's cell in points: :data:`CELL` on A4, in proportion on other page sizes (and on a
    scan whose resolution was guessed a little wrong, whose page is then as much too large)."""
    if not size or size[0] <= 0 or size[1] <= 0:
        return CELL, CELL
    return CELL * size[0] / A4[0], CELL * size[1] / A4[1]


def _labels(words: Sequence[Word]) -> Iterator[tuple[str, float, float]]:
    for word in words:
        text = word.text.strip(".:;,()[]#*/-|'\"").lower()
        if _WORD.match(text):
            yield text, word.x0, word.top


def tokens(words: Sequence[Word], size: tuple[float, float] | None = None) -> frozenset[str]:
    """The fingerprint of a page's words (``size``: the page's width and height in points)."""
    width, height = _cells(size)
    return frozenset(f"{text}@{int(x // width)},{int(y // height)}" for text, x, y in _labels(words))


def page_tokens(words: Sequence[Word], size: tuple[float, float] | None = None) -> tuple[frozenset[str], int]:
    """A page's tokens to match against learned fingerprints, and how many words made them: each
    word's own cell and, when it sits near a cell's edge, the cell beyond (so a label moved a few
    points by a scanner's tilt or OCR's box still meets its learned token)."""
    width, height = _cells(size)
    found: set[str] = set()
    own = 0
    for text, x, y in _labels(words):
        column, row = x / width, y / height
        columns, rows = [int(column)], [int(row)]
        for place, near in ((column, columns), (row, rows)):
            part = place - int(place)
            if part < BORDER:
                near.append(int(place) - 1)
            elif part > 1 - BORDER:
                near.append(int(place) + 1)
        own += f"{text}@{columns[0]},{rows[0]}" not in found
        found.update(f"{text}@{c},{r}" for c in columns for r in rows)
    return frozenset(found), own


def score(learned: frozenset[str], page: frozenset[str], size: int | None = None) -> float:
    """How well a page fits a learned fingerprint: the share of the smaller set both hold
    (``size``: the words behind ``page``, as :meth:`Index.best` takes it)."""
    if not learned or not page:
        return 0.0
    return min(1.0, len(learned & page) / min(len(learned), size or len(page)))


class Index:
    """Learned fingerprints by token; :meth:`best` gives the layouts a page fits, best first."""

    def __init__(self) -> None:
        self._postings: dict[str, list[int]] = {}
        self._sizes: dict[int, int] = {}
        self._smallest = 10**9

    def add(self, layout_id: int, fingerprint: Iterable[str]) -> None:
        fingerprint = set(fingerprint)
        self._sizes[layout_id] = len(fingerprint)
        self._smallest = min(self._smallest, len(fingerprint) or 1)
        for token in fingerprint:
            self._postings.setdefault(token, []).append(layout_id)

    def __len__(self) -> int:
        return len(self._sizes)

    def best(
        self, page: frozenset[str], *, min_score: float = MIN_SCORE, limit: int = 3, size: int | None = None
    ) -> list[tuple[int, float]]:
        """``(layout id, score)`` of the layouts scoring at least ``min_score``, best first;
        ``size``: how many words made ``page`` when it holds more than one token per word
        (:func:`page_tokens`)."""
        if not page:
            return []
        postings = self._postings
        # One Counter.update over every posting (counted in C) rather than one per token.
        hits: Counter[int] = Counter(chain.from_iterable(postings[t] for t in page if t in postings))
        page_size = size or len(page)
        # No layout scores min_score with fewer shared tokens than this: most are left out unscored.
        least = min_score * min(self._smallest, page_size)
        sizes = self._sizes
        found = []
        for layout_id, shared in [pair for pair in hits.items() if pair[1] >= least]:
            value = min(1.0, shared / min(sizes[layout_id], page_size))
            if value >= min_score:
                found.append((layout_id, value))
        found.sort(key=lambda pair: (-pair[1], -pair[0]))
        return found[:limit]
