"""SQL target: one row per document, upserted on its business key (SQLite for now).

The header row and its line rows are written in one transaction; posting an item again
replaces its rows instead of adding new ones, so a retry never duplicates a document.
"""

from __future__ import annotations

import sqlite3
from typing import Literal

import sqlite_utils
from pydantic import Field

from backoffice.connectors.base import Settings, Target
from backoffice.documents.models import FIELDS_BY_KIND, Document
from backoffice.errors import BusinessError, TargetError
from backoffice.paths import inside
from backoffice.queue.base import WorkItem


class SqlSettings(Settings):
    kind: Literal["sql"] = Field(description="A SQL table.")
    name: str | None = Field(None, description="Name of this target in refs and logs (default: the kind).")
    url: str = Field(
        "sqlite:///out/documents.db",
        description="Database URL. sqlite:///PATH (a relative PATH is inside the workspace).",
    )
    table: str = Field("documents", description="Table for one row per document (created when missing).")
    key: list[str] = Field(
        ["seller_name", "invoice_number"], min_length=1,
        description="Document fields that identify a document in the target (the upsert key).",
    )  # fmt: skip
    lines_table: str | None = Field(None, description="Table for line items, when wanted.")


class SqlTarget(Target):
    Settings = SqlSettings
    settings: SqlSettings

    def __init__(self, settings: SqlSettings, context):
        super().__init__(settings, context)
        if not settings.url.startswith("sqlite:///"):
            raise ValueError(f"{settings.url}: only sqlite:/// URLs are supported by the sql target yet")
        self.path = inside(context.workspace, settings.url.removeprefix("sqlite:///"))
        self._db: sqlite_utils.Database | None = None

    @property
    def db(self) -> sqlite_utils.Database:
        """Connected on first use: a database that is down fails an item (retried), not the runner."""
        if self._db is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
            except (OSError, sqlite3.Error) as exc:
                raise TargetError(f"{self.name}: cannot open {self.path}: {exc}", code="target-sql") from exc
            self._db = sqlite_utils.Database(conn)
        return self._db

    def post(self, item: WorkItem, document: Document) -> str:
        key = {}
        for name in self.settings.key:
            field = document.fields.get(name)
            if field is None or not field.value:
                raise BusinessError(f"{self.name}: key field {name} is empty", code="target-key", field=name)
            key[name] = field.value
        row = {name: f.value for name, f in document.fields.items() if name in FIELDS_BY_KIND.get(document.kind, {})}
        row.update(key, item_id=item.id, kind=document.kind, source=document.source)
        try:
            with self.db.conn:
                self.db[self.settings.table].upsert(row, pk=tuple(self.settings.key), alter=True)
                if self.settings.lines_table and document.lines:
                    self._write_lines(key, document)
        except sqlite3.Error as exc:
            raise TargetError(f"{self.name}: {exc}", code="target-sql") from exc
        return f"{self.settings.table}:" + "|".join(key.values())

    def _write_lines(self, key: dict[str, str], document: Document) -> None:
        table = self.db[self.settings.lines_table]
        if table.exists():
            where = " AND ".join(f"[{k}] = ?" for k in key)
            self.db.execute(f"DELETE FROM [{table.name}] WHERE {where}", list(key.values()))
        rows = [{**key, "line_no": n, **{k: f.value for k, f in line.items()}} for n, line in enumerate(document.lines, 1)]
        table.insert_all(rows, pk=(*key, "line_no"), alter=True)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
