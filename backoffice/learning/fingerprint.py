"""A page's layout fingerprint: its label-like words and where they sit, robust to the values.

A token is ``word@column,row`` for every word of letters only (2 or more, lower-cased) on the
first page, on a grid of :data:`CELL` points: values (numbers, dates, amounts, IBANs) never
make tokens, so two invoices of one layout share most tokens whatever they say. Names and
descriptions are words too; they differ between documents and only lower the score a little.

:class:`Index` finds the learned layouts that share the most tokens with a page through an
inverted index (token -> layouts), so its cost grows with the page's words, not with the
number of layouts learned.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from itertools import chain

from backoffice.documents.pdf import Word

CELL = 24.0  # points; a label that moves less than this keeps its token (mostly)
MIN_SCORE = 0.6  # share of the learned layout's tokens a page must hold to be read with it
_WORD = re.compile(r"^[^\W\d_]{2,}$")


def tokens(words: Sequence[Word]) -> frozenset[str]:
    """The fingerprint of a page's words."""
    found = set()
    for word in words:
        text = word.text.strip(".:;,()[]#*/-").lower()
        if _WORD.match(text):
            found.add(f"{text}@{int(word.x0 // CELL)},{int(word.top // CELL)}")
    return frozenset(found)


def score(learned: frozenset[str], page: frozenset[str]) -> float:
    """How well a page fits a learned fingerprint: the share of the smaller set both hold."""
    if not learned or not page:
        return 0.0
    return len(learned & page) / min(len(learned), len(page))


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

    def best(self, page: frozenset[str], *, min_score: float = MIN_SCORE, limit: int = 3) -> list[tuple[int, float]]:
        """``(layout id, score)`` of the layouts scoring at least ``min_score``, best first."""
        if not page:
            return []
        postings = self._postings
        # One Counter.update over every posting (counted in C) rather than one per token.
        hits: Counter[int] = Counter(chain.from_iterable(postings[t] for t in page if t in postings))
        # No layout scores min_score with fewer shared tokens than this: most are left out unscored.
        least = min_score * min(self._smallest, len(page))
        sizes, page_size = self._sizes, len(page)
        found = []
        for layout_id, shared in [pair for pair in hits.items() if pair[1] >= least]:
            value = shared / min(sizes[layout_id], page_size)
            if value >= min_score:
                found.append((layout_id, value))
        found.sort(key=lambda pair: (-pair[1], -pair[0]))
        return found[:limit]
