"""SQL target: one row per document, upserted on its business key, in SQLite, PostgreSQL or MariaDB.

    - kind: sql
      connection: ledger                 # or url: postgresql://postgres@127.0.0.1:5432/test
      table: invoices
      key: [vendor, number]              # columns: the upsert key
      columns: {vendor: seller_name, number: invoice_number, total: grand_total, item: $item_id}
      lines_table: invoice_lines         # line rows carry the key columns and line_no
      line_columns: {text: description, amount: amount}
      create: true                       # create missing tables (key columns as the primary key)

The header row and its line rows are written in one transaction; posting an item again
replaces its rows instead of adding new ones, so a retry never duplicates a document. Without
``columns`` the table gets ``item_id``, ``kind``, ``source`` and every field of the document.
Data the database refuses (a constraint, a value that does not fit) is a BusinessError; a
database that is down or locked is a TargetError, and the connection is opened again next time.
"""

from __future__ import annotations

import logging
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from backoffice.connectors.base import Settings, Target, known_connection
from backoffice.connectors.mapping import DocumentMapping, FieldSpec, Mapping
from backoffice.connectors.sql_dialects import dialect_for
from backoffice.documents.models import Document
from backoffice.errors import BusinessError, TargetError
from backoffice.queue.base import WorkItem

log = logging.getLogger(__name__)
DEFAULT_URL = "sqlite:///out/documents.db"
FIXED_COLUMNS: dict[str, str | FieldSpec] = {"item_id": "$item_id", "kind": "$kind", "source": "$source"}


class SqlSettings(Settings):
    kind: Literal["sql"] = Field(description="A SQL table in SQLite, PostgreSQL or MariaDB.")
    name: str | None = Field(None, description="Name of this target in refs and logs (default: the kind).")
    connection: str | None = Field(None, description="A named connection: its url, username and password.")
    url: str | None = Field(
        None,
        description="Database URL: sqlite:///PATH (relative to the workspace), postgresql://user@host/db or "
        f"mariadb://user@host/db; default {DEFAULT_URL} when no connection is named.",
    )
    table: str = Field("documents", description="Table for one row per document.")
    key: list[str] = Field(
        ["seller_name", "invoice_number"], min_length=1,
        description="Columns that identify a document in the table (the upsert key).",
    )  # fmt: skip
    columns: dict[str, str | FieldSpec] | None = Field(
        None, description="Column -> document field; default: item_id, kind, source and every field by name."
    )
    lines_table: str | None = Field(None, description="Table for line items, when wanted.")
    line_columns: dict[str, str | FieldSpec] | None = Field(
        None, description="Line column -> line field; default: every line field by name."
    )
    create: bool = Field(True, description="Create the tables when missing.")

    _known_connection = field_validator("connection")(known_connection)

    @model_validator(mode="after")
    def _consistent(self) -> SqlSettings:
        if self.connection is not None and self.url is not None:
            raise ValueError("give either connection or url, not both")
        if self.columns is not None and (missing := [k for k in self.key if k not in self.columns]):
            raise ValueError(f"key column(s) {', '.join(missing)} are not in columns")
        return self


class SqlTarget(Target):
    Settings = SqlSettings
    settings: SqlSettings

    def __init__(self, settings: SqlSettings, context):
        super().__init__(settings, context)
        username = password = None
        url = settings.url or DEFAULT_URL
        if settings.connection is not None:
            connection = context.connection(settings.connection)
            url, username = connection.url, connection.username
            password = connection.password.get_secret_value() if connection.password else None
        self.url = url
        self.dialect = dialect_for(url, context.workspace, username, password)
        self.mapping = DocumentMapping(
            settings.columns, settings.line_columns, typed=True,
            fixed=FIXED_COLUMNS if settings.columns is None else None, line_fixed={"line_no": "$line_no"},
        )  # fmt: skip
        self._conn: Any = None
        self._statements: dict[str, tuple[list[str], str, list[str], str, str]] = {}

    @property
    def idempotent(self) -> bool:
        return True  # an upsert on the business key: posting again replaces, never adds

    # -- connection ------------------------------------------------------------------------
    def _connection(self) -> Any:
        """Connected on first use: a database that is down fails an item (retried), not the runner."""
        if self._conn is None:
            try:
                with self.waiting():
                    self._conn = self.dialect.connect()
            except (OSError, self.dialect.module.Error) as exc:
                where = self.dialect.describe()
                raise TargetError(f"{self.name}: cannot open {where}: {exc}", code="target-sql") from exc
        return self._conn

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except self.dialect.module.Error:
                pass
            self._conn = None
        self.dialect.close()

    # -- posting ---------------------------------------------------------------------------
    def post(self, item: WorkItem, document: Document) -> str:
        special = {"$item_id": item.id, "$key": self.idempotency_key(item), "$source": document.source,
                   "$kind": document.kind, "$bot": item.bot, "$run": self.context.run}  # fmt: skip
        row = self.mapping.row(document, special)
        header = self.mapping.mapping(document.kind, present=document.fields)
        key = {k: row.get(k) for k in self.settings.key}
        for column, value in key.items():
            if value in (None, ""):
                field = _source_field(header, column)
                raise BusinessError(f"key field {field} is empty", code="target-key", field=field)
        lines = self.mapping.line_rows(document, special) if self.settings.lines_table else []
        conn = self._connection()
        columns, upsert, line_columns, delete, insert_line = self._prepare(conn, document, header, lines)
        adapt = self.dialect.adapt
        values = [adapt(row[c]) for c in columns]
        key_values = [adapt(v) for v in key.values()]
        line_values = [[*key_values, *(adapt(line.get(c)) for c in line_columns)] for line in lines]
        try:
            with self.waiting(), self.dialect.writing():
                cursor = conn.cursor()
                self.dialect.begin(cursor)
                cursor.execute(upsert, values)
                if self.settings.lines_table:
                    cursor.execute(delete, key_values)
                    if line_values:
                        cursor.executemany(insert_line, line_values)
                conn.commit()
        except self.dialect.module.Error as exc:
            self._failed(conn, exc)
        return f"{self.settings.table}:" + "|".join(str(v) for v in key.values())

    def _prepare(self, conn: Any, document: Document, header: Mapping, lines: list[dict]) -> tuple:
        """The statements for a document kind, built (and its tables created) once."""
        ready = self._statements.get(document.kind)
        if ready is not None:
            return ready
        dialect, table, key = self.dialect, self.settings.table, self.settings.key
        columns = header.names
        types = {c.name: c.type for c in header.columns}
        line_columns: list[str] = []
        ddl = [dialect.create_table(table, types, key)]
        if self.settings.lines_table:
            present = {name: None for line in document.lines for name in line}
            line_mapping = self.mapping.mapping(document.kind, lines=True, present=present)
            line_columns = [c for c in line_mapping.names if c not in key]
            line_types = {**{k: types[k] for k in key}, **{c.name: c.type for c in line_mapping.columns}}
            ddl.append(dialect.create_table(self.settings.lines_table, line_types, [*key, "line_no"]))
        if self.settings.create:
            self._create(conn, ddl)
        ready = (
            columns,
            dialect.upsert(table, columns, key),
            line_columns,
            dialect.delete(self.settings.lines_table or table, key),
            dialect.insert(self.settings.lines_table or table, [*key, *line_columns]),
        )
        self._statements[document.kind] = ready
        return ready

    def _create(self, conn: Any, ddl: list[str], attempts: int = 5) -> None:
        """Create the tables that are missing. Runners that create them at the same moment
        race: PostgreSQL refuses all but one ``CREATE TABLE IF NOT EXISTS`` with a unique
        violation in its catalog, or with "type ... already exists" / "relation ... already
        exists" when the winner committed between its check and its insert, so those are tried
        again (the table is there then). A failure here is never the data's fault: it is a
        TargetError, retried with the item's backoff."""
        module = self.dialect.module
        for attempt in range(1, attempts + 1):
            try:
                with self.waiting():
                    cursor = conn.cursor()
                    for statement in ddl:
                        cursor.execute(statement)
                    conn.commit()
                return
            except module.Error as exc:
                try:
                    conn.rollback()
                except module.Error:
                    self._conn = None
                if _lost_create_race(module, exc) and attempt < attempts:
                    continue  # another runner created it a moment ago
                self.close()
                raise TargetError(f"{self.name}: cannot create {self.settings.table}: {exc}", code="target-sql") from exc

    def _failed(self, conn: Any, exc: Exception) -> None:
        module = self.dialect.module
        try:
            conn.rollback()
        except module.Error:
            self._conn = None
        if isinstance(exc, module.DataError | module.IntegrityError):
            reason = f"{self.name}: {self.settings.table} refused the data: {exc}"
            raise BusinessError(reason, code="target-sql-data") from exc
        self.close()
        raise TargetError(f"{self.name}: {exc}", code="target-sql") from exc


_ALREADY_EXISTS = {"42P07", "42710"}  # PostgreSQL's duplicate_table, duplicate_object


def _lost_create_race(module: Any, exc: Exception) -> bool:
    return isinstance(exc, module.IntegrityError) or getattr(exc, "sqlstate", None) in _ALREADY_EXISTS


def _source_field(mapping: Mapping, column: str) -> str:
    for c in mapping.columns:
        if c.name == column:
            return c.spec.field or column
    return column
