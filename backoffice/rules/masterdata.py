"""Master data for lookups: CSV files and SQL tables or queries (SQLite, PostgreSQL).

A source is read whole, typed (``types:`` in the rule file) and kept in memory; an index per
set of looked-up columns is built on first use, so a lookup costs a dictionary access however
many rows there are. A CSV file is read again when it changes on disk; an SQL source after
``refresh_seconds``. Keys compare ignoring case and runs of spaces; in a column typed ``id``,
also dots, dashes, slashes and a VAT id's tax name (``compact``).

A source that cannot be read while items are processed raises :class:`MasterDataError` (an
``ApplicationError``: the item is retried later). When the rule file is loaded, local files
are checked at once (missing file, unknown table, the columns the rules read).
"""

from __future__ import annotations

import csv
import itertools
import logging
import sqlite3
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process, utils

from backoffice.errors import ApplicationError
from backoffice.rules.helpers import compact
from backoffice.rules.values import HelperError, Record, Rows, money

log = logging.getLogger(__name__)

MAX_ROWS = 2_000_000
MAX_COMBINATIONS = 10_000
CSV_RECHECK_SECONDS = 1.0


class MasterDataError(ApplicationError):
    """Master data could not be read (file, database): the item is retried later."""


@dataclass(frozen=True)
class SourceSpec:
    """Where one master-data table comes from (built from the rule file's ``data:`` entry)."""

    name: str
    csv: Path | None = None
    sql: str | None = None  # sqlite:///absolute/path or postgresql://...
    table: str | None = None
    query: str | None = None
    types: tuple[tuple[str, str], ...] = ()
    refresh_seconds: float = 300.0

    @property
    def where(self) -> str:
        if self.csv is not None:
            return str(self.csv)
        what = f"table {self.table}" if self.table else "query"
        return f"{_redact(self.sql or '')} ({what})"

    @property
    def is_local(self) -> bool:
        return self.csv is not None or (self.sql or "").startswith("sqlite:")


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        return f"{scheme}://{credentials.split(':')[0]}:***@{host}" if ":" in credentials else url
    return url


def key_of(value: Any, kind: str = "") -> Any:
    """The form values are compared in: text ignoring case and spacing, numbers by value; in a
    column typed ``id``, identifiers as :func:`~backoffice.rules.helpers.compact` writes them
    (``CHE-116.281.710 MWST`` finds ``CHE116281710``)."""
    if value is None:
        return None
    if kind == "id":
        return compact(value)
    if isinstance(value, str):
        return " ".join(value.split()).casefold()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, Decimal)):
        number = Decimal(value).normalize()
        return format(number, "f") if number.is_finite() else str(number)
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _convert(value: Any, kind: str) -> Any:
    if value is None or value == "":
        return None
    if isinstance(value, float):
        value = Decimal(repr(value))
    if kind in ("money", "number"):
        return money(value)
    if kind == "date":
        if isinstance(value, datetime):
            return value.date()
        return value if isinstance(value, date) else date.fromisoformat(str(value).strip())
    if kind in ("text", "id"):
        return str(value).strip()
    return value.strip() if isinstance(value, str) else value


class Table:
    """One master-data source, loaded on first use and indexed per looked-up columns."""

    def __init__(self, spec: SourceSpec):
        self.spec = spec
        self._rows: Rows | None = None
        self._columns: tuple[str, ...] | None = None
        self._indexes: dict[tuple[str, ...], dict[tuple, list[Record]]] = {}
        self._choices: dict[str, tuple[list[str], list[list[Record]]]] = {}
        self._loaded_at = 0.0
        self._checked_at = 0.0
        self._stamp: tuple | None = None
        self._lock = threading.Lock()

    # -- reading -----------------------------------------------------------------------------
    def columns(self) -> tuple[str, ...]:
        """The column names (reads only the header or the schema)."""
        if self._columns is None:
            self._columns = self._read(header_only=True)[0]
        return self._columns

    def rows(self) -> Rows:
        with self._lock:
            if self._rows is None or self._stale():
                columns, rows = self._read(header_only=False)
                self._columns, self._rows = columns, Rows(rows, columns)
                self._indexes.clear()
                self._choices.clear()
                self._loaded_at = time.monotonic()
                log.info("master data %s: %d rows from %s", self.spec.name, len(rows), self.spec.where,
                         extra={"action": "masterdata-load"})  # fmt: skip
            return self._rows

    def _stale(self) -> bool:
        now = time.monotonic()
        if self.spec.csv is None:
            return now - self._loaded_at > self.spec.refresh_seconds
        if now - self._checked_at < CSV_RECHECK_SECONDS:
            return False
        self._checked_at = now
        return self._file_stamp() != self._stamp

    def _file_stamp(self) -> tuple | None:
        try:
            stat = self.spec.csv.stat()  # type: ignore[union-attr]
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def _read(self, *, header_only: bool) -> tuple[tuple[str, ...], list[Record]]:
        try:
            if self.spec.csv is not None:
                self._stamp = self._file_stamp()
                columns, raw = _read_csv(self.spec.csv, header_only)
            else:
                columns, raw = _read_sql(self.spec, header_only)
        except MasterDataError:
            raise
        except (OSError, sqlite3.Error, UnicodeDecodeError, csv.Error) as exc:
            raise MasterDataError(f"master data {self.spec.name}: cannot read {self.spec.where}: {exc}",
                                  code="masterdata") from exc  # fmt: skip
        except Exception as exc:  # psycopg's errors and the like
            if type(exc).__module__.startswith("psycopg"):
                raise MasterDataError(f"master data {self.spec.name}: {self.spec.where}: {exc}".strip(),
                                      code="masterdata") from exc  # fmt: skip
            raise
        types = dict(self.spec.types)
        try:
            records = [
                Record({c: _convert(v, types.get(c, "")) for c, v in zip(columns, row, strict=False)},
                       label=str(row[0]) if row and row[0] is not None else "")
                for row in raw
            ]  # fmt: skip
        except (ValueError, HelperError) as exc:
            raise MasterDataError(f"master data {self.spec.name}: {exc}", code="masterdata") from exc
        return columns, records

    # -- looking up --------------------------------------------------------------------------
    def find(self, where: dict[str, Any]) -> list[Record]:
        """Rows whose columns equal the values; a list value matches any of its items."""
        rows = self.rows()
        columns = tuple(where)
        types = dict(self.spec.types)
        kinds = [types.get(c, "") for c in columns]
        index = self._indexes.get(columns)
        if index is None:
            index = {}
            for record in rows:
                index.setdefault(
                    tuple(key_of(record.get(c), k) for c, k in zip(columns, kinds, strict=True)), []
                ).append(record)
            self._indexes[columns] = index
        options = [v if isinstance(v, (list, tuple)) else [v] for v in where.values()]
        if _product_size(options) > MAX_COMBINATIONS:
            raise HelperError(f"a lookup of more than {MAX_COMBINATIONS} value combinations")
        found: dict[int, Record] = {}
        for combination in itertools.product(*options):
            for record in index.get(tuple(key_of(v, k) for v, k in zip(combination, kinds, strict=True)), ()):
                found.setdefault(id(record), record)
        return list(found.values())

    def closest(self, column: str, value: Any, score: float) -> tuple[Record, float] | None:
        """The row whose ``column`` is most like ``value`` (rapidfuzz), if at least ``score``."""
        self.rows()
        if column not in self._choices:
            groups: dict[str, list[Record]] = {}
            for record in self._rows or ():
                if record.get(column) is not None:
                    groups.setdefault(str(record[column]), []).append(record)
            self._choices[column] = (list(groups), list(groups.values()))
        choices, records = self._choices[column]
        best = process.extractOne(str(value)[:1000], choices, scorer=fuzz.token_sort_ratio,
                                  processor=utils.default_process, score_cutoff=score)  # fmt: skip
        if best is None:
            return None
        return records[best[2]][0], float(best[1])


def _product_size(options: Iterable[list]) -> int:
    size = 1
    for values in options:
        size *= max(len(values), 1)
    return size


def _read_csv(path: Path, header_only: bool) -> tuple[tuple[str, ...], list[tuple]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if not header:
            raise MasterDataError(f"{path}: the CSV file has no header row", code="masterdata")
        columns = tuple(h.strip() for h in header)
        if header_only:
            return columns, []
        rows = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            rows.append(tuple(row))
            if len(rows) > MAX_ROWS:
                raise MasterDataError(f"{path}: more than {MAX_ROWS} rows", code="masterdata")
        return columns, rows


def _select(spec: SourceSpec, quote) -> str:
    if spec.table:
        return "SELECT * FROM " + ".".join(quote(part) for part in spec.table.split("."))
    return f"SELECT * FROM ({spec.query}) AS source"


def _read_sql(spec: SourceSpec, header_only: bool) -> tuple[tuple[str, ...], list[tuple]]:
    url = spec.sql or ""
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        if not Path(path).is_file():
            raise MasterDataError(f"{path}: no such database file", code="masterdata")
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
        try:
            sql = _select(spec, lambda n: '"' + n.replace('"', '""') + '"') + (" LIMIT 0" if header_only else "")
            cursor = conn.execute(sql)
            columns = tuple(d[0] for d in cursor.description)
            return columns, cursor.fetchmany(MAX_ROWS + 1)
        finally:
            conn.close()
    return _read_postgres(spec, header_only)


def _read_postgres(spec: SourceSpec, header_only: bool) -> tuple[tuple[str, ...], list[tuple]]:
    import psycopg
    from psycopg import sql

    def quote(name: str) -> str:
        return sql.Identifier(name).as_string(None)

    statement = _select(spec, quote) + (" LIMIT 0" if header_only else "")
    with psycopg.connect(spec.sql or "", connect_timeout=10, options="-c statement_timeout=30000") as conn:
        conn.read_only = True
        with conn.cursor() as cursor:
            cursor.execute(statement.encode())
            columns = tuple(d.name for d in cursor.description or ())
            rows = cursor.fetchmany(MAX_ROWS + 1)
    if len(rows) > MAX_ROWS:
        raise MasterDataError(f"{spec.where}: more than {MAX_ROWS} rows", code="masterdata")
    return columns, rows
