"""The name of a line item's cell, in either of the two spellings people write it, read by one
parser for every place that takes a correction (the UI's review form and JSON API, ``backoffice
queue correct``, the learning desk):

- ``line.N.FIELD``: N counts lines from 1, as a person counts them (``line.2.amount``); ``line.N``
  alone names the whole line (``line.4=delete`` on the command line);
- ``lines[N].FIELD``: N counts from 0, as the document's JSON does (``lines[1].amount``, the
  names of the review form's cells); ``lines[N]`` alone names the whole line.

Both name the same :class:`LineCell`; a correction records its :attr:`LineCell.path` (the
``lines[N].FIELD`` spelling), so the two spellings make the same correction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_FIELD = r"(?:\.([a-z][a-z0-9_]{0,39}))?"
_FROM_ZERO = re.compile(r"lines\[(\d{1,4})\]" + _FIELD)
_FROM_ONE = re.compile(r"line\.(\d{1,4})" + _FIELD)
SPELLINGS = "line.N.FIELD (N counts lines from 1) or lines[N].FIELD (N from 0)"


class BadCellName(ValueError):
    """A name that starts like a line's cell and is not one (``lines.1.amount``, ``line.0.x``)."""


@dataclass(frozen=True)
class LineCell:
    index: int  # the line, counted from 0
    field: str | None  # None: the whole line

    @property
    def number(self) -> int:
        """The line, counted from 1."""
        return self.index + 1

    @property
    def path(self) -> str:
        """The name a correction records: ``lines[1].amount`` (``lines[1]``: the whole line)."""
        return f"lines[{self.index}]" + (f".{self.field}" if self.field else "")


def parse(name: str) -> LineCell | None:
    """The line cell ``name`` names in either spelling; None for a name that is not a line's (a
    header field such as ``grand_total``); BadCellName for one that starts like a line's and is
    not one."""
    text = name.strip()
    if found := _FROM_ZERO.fullmatch(text):
        return LineCell(int(found.group(1)), found.group(2))
    if (found := _FROM_ONE.fullmatch(text)) and int(found.group(1)) >= 1:
        return LineCell(int(found.group(1)) - 1, found.group(2))
    if text.startswith(("line.", "lines.", "lines[", "line[")):
        raise BadCellName(f"{name}: write {SPELLINGS}")
    return None


__all__ = ["SPELLINGS", "BadCellName", "LineCell", "parse"]
