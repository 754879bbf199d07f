"""The file formats of the files target: CSV, JSON lines and XLSX.

Each format answers two questions about a file: does it hold an item's record, and what does
the file look like with one more record. Writing is always whole-file and atomic: a temporary
file beside the target is written, fsynced and renamed over it, so a reader never sees half a
record and a crash never leaves a torn file.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import tempfile
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

Record = dict[str, Any]


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` for a temporary file beside ``path``, fsync it, rename it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        with open(tmp, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)  # the rename itself survives a power cut
    finally:
        os.close(directory)


def _text(value: Any) -> Any:
    if isinstance(value, Decimal | date):
        return str(value)
    return value


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d[\d.,]*")


def _guarded(value: Any) -> Any:
    """A text a spreadsheet would run as a formula (``=HYPERLINK(...)`` in a vendor name from a
    stranger's email) gets a leading apostrophe, as OWASP advises for CSV; plain numbers such as
    ``-12.50`` on a credit note are left as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


class CsvFormat:
    """One row per document (header fields only); the first row names the columns. Texts that
    would start a formula are guarded (see ``_guarded``)."""

    def holds(self, path: Path, item_id: int) -> bool:
        with open(path, newline="", encoding="utf-8") as handle:
            return any(row.get("item_id") == str(item_id) for row in csv.DictReader(handle))

    def append(self, path: Path, record: Record, lines: list[Record]) -> None:
        existing = path.read_text(encoding="utf-8") if path.exists() else ""
        buffer = io.StringIO()
        if existing:
            columns = next(csv.reader(io.StringIO(existing)))
        else:
            columns = list(record)
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        if not existing:
            writer.writeheader()
        writer.writerow({k: _guarded(_text(v)) for k, v in record.items()})
        text = existing + buffer.getvalue()
        write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline=""))


class JsonLinesFormat:
    """One JSON object per line, its lines in ``lines``; decimals and dates as exact strings."""

    def holds(self, path: Path, item_id: int) -> bool:
        with open(path, encoding="utf-8") as handle:
            return any(json.loads(line).get("item_id") == item_id for line in handle if line.strip())

    def append(self, path: Path, record: Record, lines: list[Record]) -> None:
        existing = path.read_bytes() if path.exists() else b""
        out = {**record, "lines": lines} if lines else record
        line = json.dumps(out, ensure_ascii=False, default=_text).encode() + b"\n"
        write_atomically(path, lambda tmp: tmp.write_bytes(existing + line))


def _as_text(sheet: Any) -> None:
    """openpyxl turns any text starting with ``=`` into a formula; the row just appended is made
    text again, so an extracted value is never run by whoever opens the workbook."""
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


class XlsxFormat:
    """A workbook with a ``documents`` sheet (one row per document) and a ``lines`` sheet;
    numbers and dates are real cells, texts are never formulas."""

    def holds(self, path: Path, item_id: int) -> bool:
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        try:
            sheet = book["documents"]
            return any(row[0] == item_id for row in sheet.iter_rows(min_row=2, max_col=1, values_only=True))
        finally:
            book.close()

    def append(self, path: Path, record: Record, lines: list[Record]) -> None:
        from openpyxl import Workbook, load_workbook

        if path.exists():
            book = load_workbook(path)
        else:
            book = Workbook()
            book.active.title = "documents"
            book["documents"].append(list(record))
            if lines:
                book.create_sheet("lines").append(["item_id", *lines[0]])
        documents = book["documents"]
        columns = [cell.value for cell in documents[1]]
        documents.append([record.get(c) for c in columns])
        _as_text(documents)
        if lines:
            if "lines" not in book.sheetnames:
                book.create_sheet("lines").append(["item_id", *lines[0]])
            sheet = book["lines"]
            line_columns = [cell.value for cell in sheet[1]][1:]
            for line in lines:
                sheet.append([record["item_id"], *(line.get(c) for c in line_columns)])
                _as_text(sheet)
        write_atomically(path, lambda tmp: book.save(tmp))


FORMATS = {"csv": CsvFormat(), "jsonl": JsonLinesFormat(), "xlsx": XlsxFormat()}
SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".xlsx": "xlsx"}
