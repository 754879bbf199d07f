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
from functools import lru_cache
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

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


@lru_cache(maxsize=65536)
def _label(text: str) -> str | None:
    """A word as a token holds it (lower case, no punctuation around it), None for a value."""
    text = text.strip(".:;,()[]#*/-|'\"").lower()
    return text if _WORD.match(text) else None


def _labels(words: Sequence[Word]) -> Iterator[tuple[str, float, float]]:
    for word in words:
        text = _label(word.text)
        if text is not None:
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
    """Learned fingerprints by token; :meth:`best` gives the layouts a page fits, best first.

    Each token's layouts are kept as an array of the layouts' places, so counting what a page
    shares with every layout is one ``numpy.bincount`` over the page's postings, however common
    some tokens are (every invoice prints ``IBAN`` near the bottom).
    """

    def __init__(self) -> None:
        self._lists: dict[str, list[int]] = {}
        self._ids: list[int] = []
        self._sizes: list[int] = []
        self._arrays: dict[str, np.ndarray] = {}
        self._size_array = np.zeros(0)
        self._id_array = np.zeros(0, dtype=np.int64)
        self._stale = False

    def add(self, layout_id: int, fingerprint: Iterable[str]) -> None:
        fingerprint = set(fingerprint)
        place = len(self._ids)
        self._ids.append(layout_id)
        self._sizes.append(max(1, len(fingerprint)))
        for token in fingerprint:
            self._lists.setdefault(token, []).append(place)
        self._stale = True

    def __len__(self) -> int:
        return len(self._ids)

    def _arrays_now(self) -> dict[str, np.ndarray]:
        if self._stale:
            self._arrays = {t: np.array(places, dtype=np.int32) for t, places in self._lists.items()}
            self._size_array = np.array(self._sizes, dtype=np.float64)
            self._id_array = np.array(self._ids, dtype=np.int64)
            self._stale = False
        return self._arrays

    def best(
        self, page: frozenset[str], *, min_score: float = MIN_SCORE, limit: int = 3, size: int | None = None
    ) -> list[tuple[int, float]]:
        """``(layout id, score)`` of the layouts scoring at least ``min_score``, best first;
        ``size``: how many words made ``page`` when it holds more than one token per word
        (:func:`page_tokens`)."""
        arrays = self._arrays_now()
        found = [arrays[t] for t in page if t in arrays]
        if not found:
            return []
        shared = np.bincount(np.concatenate(found), minlength=len(self._ids))
        scores = np.minimum(shared / np.minimum(self._size_array, size or len(page)), 1.0)
        places = np.flatnonzero(scores >= min_score)
        ranked = sorted(((int(self._id_array[i]), float(scores[i])) for i in places), key=lambda p: (-p[1], -p[0]))
        return ranked[:limit]
