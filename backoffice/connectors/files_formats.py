"""The file formats of the files target: CSV, JSON lines and XLSX.

Each record carries the ``idempotency_key`` of its post (the effect ledger's key). Each format
answers two questions about a file: which keys does it hold (from a byte offset on, so a file
is read once per process, then only its new end), and how is one more record added.

CSV and JSON lines are appended: one ``write`` of the record, then fsync; a tail torn by a crash
mid-write (no newline at the end) is cut off before the next record is appended, so the item
whose record it was is posted again after its lookup finds nothing. XLSX cannot be appended
to: the workbook is rewritten into a temporary file beside it, fsynced and renamed over it, so
a reader never sees half a workbook.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
import tempfile
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)
Record = dict[str, Any]
KEY = "idempotency_key"
TEMPORARY = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9_]{8}$")  # what write_atomically leaves when killed


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
    _sync_folder(path.parent)  # the rename itself survives a power cut


def _sync_folder(folder: Path) -> None:
    directory = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def append_durably(path: Path, data: bytes) -> None:
    """Append ``data`` to ``path`` (created if need be) and fsync; first cut off a torn last record."""
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        size = os.fstat(fd).st_size
        if size and os.pread(fd, 1, size - 1) != b"\n":
            end = _last_newline(fd, size)
            log.warning(
                "%s: cut off a torn last record (%d bytes) left by a crash",
                path,
                size - end,
                extra={"action": "repair", "file": str(path)},
            )
            os.ftruncate(fd, end)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)
    if created:
        _sync_folder(path.parent)


def _last_newline(fd: int, size: int, step: int = 65536) -> int:
    """The offset just after the file's last newline (0 when it has none)."""
    end = size
    while end > 0:
        start = max(0, end - step)
        found = os.pread(fd, end - start, start).rfind(b"\n")
        if found >= 0:
            return start + found + 1
        end = start
    return 0


def _complete(path: Path, offset: int) -> tuple[bytes, int]:
    """The complete lines of ``path`` from ``offset`` on, and the offset after them."""
    with open(path, "rb") as handle:
        handle.seek(offset)
        data = handle.read()
    end = data.rfind(b"\n") + 1
    return data[:end], offset + end


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

    appends = True

    def keys(self, path: Path, offset: int = 0) -> tuple[set[str], int]:
        """The keys recorded from ``offset`` on (0: the whole file) and the offset read up to."""
        with open(path, "rb") as handle:
            header = handle.readline()
        if not header.endswith(b"\n"):
            return set(), 0
        columns = next(csv.reader([header.decode("utf-8")]))
        data, end = _complete(path, max(offset, len(header)))
        if KEY not in columns:  # written before records carried their key: none of them counts
            return set(), end
        index = columns.index(KEY)
        rows = csv.reader(io.StringIO(data.decode("utf-8"), newline=""))
        return {row[index] for row in rows if len(row) > index}, end

    def holds(self, path: Path, key: str) -> bool:
        return key in self.keys(path)[0]

    def append(self, path: Path, record: Record, lines: list[Record]) -> None:
        buffer = io.StringIO()
        header = b""
        if path.exists():
            with open(path, "rb") as handle:
                header = handle.readline()
        if header.endswith(b"\n"):
            columns = next(csv.reader([header.decode("utf-8")]))
        else:
            columns = list(record)
        writer = csv.DictWriter(buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n")
        if not header.endswith(b"\n"):
            if path.exists():
                path.write_bytes(b"")  # a header torn by a crash: the file held no record yet
            writer.writeheader()
        writer.writerow({k: _guarded(_text(v)) for k, v in record.items()})
        append_durably(path, buffer.getvalue().encode("utf-8"))


class JsonLinesFormat:
    """One JSON object per line, its lines in ``lines``; decimals and dates as exact strings."""

    appends = True

    def keys(self, path: Path, offset: int = 0) -> tuple[set[str], int]:
        data, end = _complete(path, offset)
        found = set()
        for line in data.splitlines():
            if line.strip():
                record = json.loads(line)
                if isinstance(record, dict) and record.get(KEY) is not None:
                    found.add(str(record[KEY]))
        return found, end

    def holds(self, path: Path, key: str) -> bool:
        return key in self.keys(path)[0]

    def append(self, path: Path, record: Record, lines: list[Record]) -> None:
        out = {**record, "lines": lines} if lines else record
        append_durably(path, json.dumps(out, ensure_ascii=False, default=_text).encode() + b"\n")


def _as_text(sheet: Any) -> None:
    """openpyxl turns any text starting with ``=`` into a formula; the row just appended is made
    text again, so an extracted value is never run by whoever opens the workbook."""
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"


class XlsxFormat:
    """A workbook with a ``documents`` sheet (one row per document) and a ``lines`` sheet;
    numbers and dates are real cells, texts are never formulas."""

    appends = False

    def keys(self, path: Path, offset: int = 0) -> tuple[set[str], int]:
        """Every key in the workbook (a workbook is always read whole; ``offset`` is ignored)."""
        from openpyxl import load_workbook

        book = load_workbook(path, read_only=True)
        try:
            rows = book["documents"].iter_rows(values_only=True)
            header = next(rows, ())
            if KEY not in header:
                return set(), 0
            index = header.index(KEY)
            return {str(row[index]) for row in rows if len(row) > index and row[index] is not None}, 0
        finally:
            book.close()

    def holds(self, path: Path, key: str) -> bool:
        return key in self.keys(path)[0]

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


class Format(Protocol):
    appends: bool  # records are appended (keys can be read from an offset on), not the file rewritten

    def keys(self, path: Path, offset: int = 0) -> tuple[set[str], int]: ...
    def holds(self, path: Path, key: str) -> bool: ...
    def append(self, path: Path, record: Record, lines: list[Record]) -> None: ...


FORMATS: dict[str, Format] = {"csv": CsvFormat(), "jsonl": JsonLinesFormat(), "xlsx": XlsxFormat()}
SUFFIXES = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".xlsx": "xlsx"}
