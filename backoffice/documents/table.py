"""Tables as rows of cells with provenance: CSV and XLSX files, and word columns of a PDF page.

A :class:`Cell` keeps its text and where it came from: a spreadsheet reference (``B7``, or
``Sheet2!B7``) or a page and box. Readers of timesheets and orders find the header row by its
column names (:func:`find_header`) and read the rows below it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from backoffice.documents.labels import clean
from backoffice.documents.layout import Line, Phrase, union
from backoffice.documents.models import BBox, Field
from backoffice.errors import DocumentError

MAX_ROWS = 100_000
MAX_TABLE_BYTES = 20 * 1024 * 1024


@dataclass
class Cell:
    text: str
    ref: str = ""
    page: int | None = None
    bbox: BBox | None = None

    def field(self, value: str, confidence: float, method: str) -> Field:
        raw = f"{self.ref}: {self.text}" if self.ref else self.text
        return Field(value=value, confidence=confidence, page=self.page, bbox=self.bbox, text=raw, method=method)


Row = list[Cell]


def column_letter(index: int) -> str:
    """0 -> A, 26 -> AA: a spreadsheet's column name."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_csv(path: Path) -> list[Row]:
    """The rows of a CSV export; the delimiter (``,;\\t|``) is sniffed, UTF-8 or Latin-1."""
    if path.stat().st_size > MAX_TABLE_BYTES:
        raise DocumentError(f"{path.name}: the file is larger than {MAX_TABLE_BYTES // 1024 // 1024} MB",
                            code="too-large")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    from backoffice.documents.sniff import delimiter_of

    rows = []
    for number, values in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter_of(text[:8192]) or ","), start=1):
        if number > MAX_ROWS:
            raise DocumentError(f"{path.name}: more than {MAX_ROWS} rows", code="too-large")
        rows.append([Cell(v.strip(), f"{column_letter(i)}{number}") for i, v in enumerate(values)])
    return rows


def read_xlsx(path: Path) -> list[Row]:
    """The rows of the first worksheet that holds data (values, not formulas)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises assorted errors on broken files
        raise DocumentError(f"{path.name}: the spreadsheet is corrupt ({exc})", code="xlsx-corrupt") from exc
    try:
        for sheet in book.worksheets:
            rows: list[Row] = []
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > MAX_ROWS:
                    raise DocumentError(f"{path.name}: more than {MAX_ROWS} rows", code="too-large")
                prefix = "" if sheet is book.worksheets[0] else f"{sheet.title}!"
                rows.append([Cell(_cell_text(v), f"{prefix}{column_letter(i)}{number}") for i, v in enumerate(values)])
            if any(c.text for row in rows for c in row):
                return rows
    finally:
        book.close()
    raise DocumentError(f"{path.name}: the spreadsheet is empty", code="empty-file")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def cell_at(row: Row, columns: dict[str, int], name: str) -> Cell:
    """The cell of column ``name`` in ``row`` (an empty one when the column or cell is missing)."""
    index = columns.get(name)
    return row[index] if index is not None and index < len(row) else Cell("")


def find_header(rows: list[Row], columns: dict[str, re.Pattern[str]], required: set[str]) -> tuple[int, dict[str, int]] | None:
    """The first row naming every ``required`` column: its index and ``{column: cell index}``."""
    for index, row in enumerate(rows[:200]):
        found: dict[str, int] = {}
        for position, cell in enumerate(row):
            key = clean(cell.text)
            for name, pattern in columns.items():
                if name not in found and key and pattern.fullmatch(key):
                    found[name] = position
                    break
        if required <= set(found):
            return index, found
    return None


def rows_from_lines(lines: list[Line], columns: dict[str, re.Pattern[str]], required: set[str]) -> list[Row]:
    """A table printed on (PDF or text) pages as rows of cells: the header line names the columns,
    and each phrase below goes to the column it overlaps most. A repeated header on a later page
    is skipped; the table goes on across pages."""
    rows: list[Row] = []
    spans: list[tuple[float, float]] | None = None
    for line in lines:
        header = _header_spans(line, columns, required)
        if header is not None:
            if spans is None:
                rows.append([_cell(p) for p in line.phrases])
            spans = header
            continue
        if spans is None:
            continue
        row = [Cell("")] * len(spans)
        for phrase in line.phrases:
            best = max(range(len(spans)), key=lambda i: _overlap(phrase, spans[i]))
            row = list(row)
            row[best] = _cell(phrase) if not row[best].text else _join(row[best], phrase)
        rows.append(row)
    return rows


def _header_spans(line: Line, columns: dict[str, re.Pattern[str]], required: set[str]) -> list[tuple[float, float]] | None:
    names = set()
    for phrase in line.phrases:
        key = clean(phrase.text)
        names.update(n for n, p in columns.items() if p.fullmatch(key))
    if not required <= names:
        return None
    return [(p.x0, p.x1) for p in line.phrases]


def _overlap(phrase: Phrase, span: tuple[float, float]) -> float:
    overlap = min(phrase.x1, span[1]) - max(phrase.x0, span[0])
    return overlap if overlap > 0 else overlap / 1000 - min(abs(phrase.x0 - span[0]), abs(phrase.x1 - span[1])) / 1000


def _cell(phrase: Phrase) -> Cell:
    return Cell(phrase.text, page=phrase.words[0].page, bbox=union(phrase.words))


def _join(cell: Cell, phrase: Phrase) -> Cell:
    box = union(phrase.words)
    merged = (min(cell.bbox[0], box[0]), min(cell.bbox[1], box[1]), max(cell.bbox[2], box[2]),
              max(cell.bbox[3], box[3])) if cell.bbox else box
    return Cell(f"{cell.text} {phrase.text}", page=cell.page, bbox=merged)
