"""``Label: value`` pairs on a page (value right of the label, or below it) or in a spreadsheet
row (label cell, value cell), for the header fields of timesheets and orders.

Each reader passes its own label table (field -> regular expression over the cleaned label)
and a parser per field that returns the normalised value or None; :func:`name`,
:func:`identifier` and :func:`day` are the parsers most readers share (a plugin kind's too).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from backoffice.documents.labels import clean, compile_pattern
from backoffice.documents.layout import Line, Phrase, union
from backoffice.documents.letterhead import plausible_name
from backoffice.documents.models import Field
from backoffice.documents.normalise import find_date
from backoffice.documents.table import Row

Parser = Callable[[str], "str | None"]


def name(text: str) -> str | None:
    """A party's or a person's name, as the value after its label reads."""
    text = text.strip(" ,;")
    return text if plausible_name(text) else None


def identifier(text: str) -> str | None:
    """The first token holding a digit that is not a date (``#``, ``:`` and list marks stripped)."""
    for token in text.split():
        token = token.strip("#:,;")
        if token and any(ch.isdigit() for ch in token) and len(token) <= 40 and find_date(token) is None:
            return token
    return None


def day(text: str) -> str | None:
    """The first date in ``text``, as an ISO date."""
    found = find_date(text)
    return found[0].isoformat() if found else None


def compile_labels(table: dict[str, str]) -> dict[str, re.Pattern[str]]:
    return {name: compile_pattern(rf"(?:{pattern})") for name, pattern in table.items()}


def label_of(words: list[str], labels: dict[str, re.Pattern[str]]) -> tuple[str, int] | None:
    """The field a phrase's first 1-5 words name, and how many words that label takes."""
    for size in (5, 4, 3, 2, 1):
        if size > len(words):
            continue
        key = clean(" ".join(words[:size]))
        for name, pattern in labels.items():
            if pattern.fullmatch(key):
                return name, size
    return None


def from_lines(lines: list[Line], labels: dict[str, re.Pattern[str]], parsers: dict[str, Parser],
               multiline: frozenset[str] = frozenset()) -> dict[str, Field]:
    """The first value found for each field; ``multiline`` fields take the block of lines below."""
    found: dict[str, Field] = {}
    for position, line in enumerate(lines):
        for index, phrase in enumerate(line.phrases):
            label = label_of([w.text for w in phrase.words], labels)
            if label is None or label[0] in found:
                continue
            name, size = label
            parse = parsers[name]
            rest = phrase.words[size:]
            if rest and rest[0].text in (":", "-", "#"):
                rest = rest[1:]
            candidates: list[tuple[list, float]] = []
            if rest:
                candidates.append((rest, 0.85))
            elif index + 1 < len(line.phrases):
                candidates.append((line.phrases[index + 1].words, 0.8))
            below = _below(lines, position, phrase, name in multiline)
            if below:
                candidates.append((below, 0.7))
            for words, confidence in candidates:
                text = " ".join(w.text for w in words)
                value = parse(text)
                if value:
                    found[name] = Field(value, confidence, words[0].page, union(words), text, "label")
                    break
    return found


def _below(lines: list[Line], position: int, label: Phrase, block: bool) -> list | None:
    line = lines[position]
    taken: list = []
    for other in lines[position + 1 : position + 6]:
        if other.page != line.page or other.top - (taken[-1].bottom if taken else line.bottom) > 1.6 * max(
                line.bottom - line.top, 6):
            break
        phrase = next((p for p in other.phrases if p.x1 >= label.x0 - 2 and p.x0 <= label.x1 + 40), None)
        if phrase is None:
            break
        taken.extend(phrase.words)
        if not block:
            break
    return taken or None


def from_rows(rows: list[Row], labels: dict[str, re.Pattern[str]], parsers: dict[str, Parser],
              until: int | None = None) -> dict[str, Field]:
    """``label | value`` rows (a colon-suffixed label cell followed by its value cell)."""
    found: dict[str, Field] = {}
    for row in rows[:until]:
        cells = [c for c in row if c.text]
        for index, cell in enumerate(cells[:-1] if len(cells) > 1 else cells):
            text = cell.text.strip()
            label = label_of(text.split(), labels)
            if label is None or label[0] in found:
                continue
            name, size = label
            rest = " ".join(text.split()[size:]).lstrip(":# ").strip()
            source = cell if rest else cells[index + 1] if index + 1 < len(cells) else None
            if source is None:
                continue
            value = parsers[name](rest or source.text)
            if value:
                found[name] = source.field(value, 0.9, "cell")
    return found
