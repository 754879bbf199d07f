"""What differs between SQLite, PostgreSQL (psycopg 3) and MariaDB (PyMySQL) for the SQL target:
connecting, quoting, column types, and the upsert statement.

URLs: ``sqlite:///out/ledger.db`` (relative to the workspace; ``sqlite:////abs/path.db``),
``postgresql://user@host:5432/db``, ``mariadb://user@host:3306/db`` (or ``mysql://``). A user
name and password may come from a named connection instead of the URL.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import date
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote, urlsplit

from backoffice.paths import inside
from backoffice.connectors.turns import Turns


class Dialect:
    name = "sql"
    placeholder = "%s"
    module: ModuleType
    types = {"string": "TEXT", "number": "NUMERIC", "integer": "BIGINT", "date": "DATE", "boolean": "BOOLEAN"}

    def connect(self) -> Any:
        raise NotImplementedError

    def begin(self, cursor: Any) -> None:
        """Start the transaction (drivers that start one implicitly do nothing)."""

    def writing(self) -> AbstractContextManager[None]:
        """Around a write transaction: what the writers of one database do to take turns."""
        return nullcontext()

    def close(self) -> None:
        """Let go of what the dialect holds besides the connection."""

    def quote(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def column_type(self, kind: str, *, key: bool) -> str:
        return self.types[kind]

    def create_table(self, table: str, columns: dict[str, str], key: Sequence[str]) -> str:
        """``CREATE TABLE IF NOT EXISTS`` with ``columns`` as ``{name: field type}``."""
        spec = ", ".join(f"{self.quote(c)} {self.column_type(t, key=c in key)}" for c, t in columns.items())
        primary = ", ".join(self.quote(k) for k in key)
        return f"CREATE TABLE IF NOT EXISTS {self.quote(table)} ({spec}, PRIMARY KEY ({primary}))"

    def insert(self, table: str, columns: Sequence[str]) -> str:
        names = ", ".join(self.quote(c) for c in columns)
        return f"INSERT INTO {self.quote(table)} ({names}) VALUES ({', '.join([self.placeholder] * len(columns))})"

    def upsert(self, table: str, columns: Sequence[str], key: Sequence[str]) -> str:
        others = [c for c in columns if c not in key]
        conflict = ", ".join(self.quote(k) for k in key)
        if not others:
            return f"{self.insert(table, columns)} ON CONFLICT ({conflict}) DO NOTHING"
        sets = ", ".join(f"{self.quote(c)} = excluded.{self.quote(c)}" for c in others)
        return f"{self.insert(table, columns)} ON CONFLICT ({conflict}) DO UPDATE SET {sets}"

    def delete(self, table: str, key: Sequence[str]) -> str:
        where = " AND ".join(f"{self.quote(k)} = {self.placeholder}" for k in key)
        return f"DELETE FROM {self.quote(table)} WHERE {where}"

    def adapt(self, value: Any) -> Any:
        return value

    def describe(self) -> str:
        return self.name


class SQLiteDialect(Dialect):
    name = "sqlite"
    placeholder = "?"
    module = sqlite3
    types = {"string": "TEXT", "number": "TEXT", "integer": "INTEGER", "date": "TEXT", "boolean": "INTEGER"}

    def __init__(self, path: Path):
        self.path = path
        self.turns = Turns(str(path), timeout=30)  # workers posting to one file: see backoffice.connectors.turns

    def connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        # Turning a new file to WAL takes a lock that SQLite does not wait for (no busy handler):
        # runners opening the same new database at once are told "locked" and try again.
        for attempt in range(100):
            try:
                conn.execute("PRAGMA journal_mode=WAL")
                return conn
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or attempt == 99:
                    conn.close()
                    raise
                time.sleep(0.02)
        return conn

    def begin(self, cursor: Any) -> None:
        cursor.execute("BEGIN IMMEDIATE")

    def writing(self) -> AbstractContextManager[None]:
        return self.turns.turn()

    def close(self) -> None:
        self.turns.close()

    def adapt(self, value: Any) -> Any:
        # Money stays the exact decimal string (SQLite has no decimal type); dates stay ISO text.
        if isinstance(value, Decimal | date):
            return str(value)
        return value

    def describe(self) -> str:
        return str(self.path)


class PostgresDialect(Dialect):
    name = "postgresql"

    def __init__(self, url: str, username: str | None, password: str | None):
        import psycopg

        self.module = psycopg
        self.url, self.username, self.password = url, username, password

    def connect(self) -> Any:
        extra = {k: v for k, v in (("user", self.username), ("password", self.password)) if v is not None}
        return self.module.connect(self.url, connect_timeout=10, **extra)

    def describe(self) -> str:
        parts = urlsplit(self.url)
        return f"postgresql://{parts.hostname}:{parts.port or 5432}{parts.path}"


class MariaDBDialect(Dialect):
    name = "mariadb"
    types = {"string": "TEXT", "number": "DECIMAL(19,4)", "integer": "BIGINT", "date": "DATE", "boolean": "BOOLEAN"}

    def __init__(self, url: str, username: str | None, password: str | None):
        import pymysql

        self.module = pymysql
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 3306
        self.database = parts.path.lstrip("/")
        self.username = username or unquote(parts.username or "root")
        self.password = password if password is not None else unquote(parts.password or "")

    def connect(self) -> Any:
        return self.module.connect(
            host=self.host, port=self.port, user=self.username, password=self.password, database=self.database,
            charset="utf8mb4", autocommit=False, connect_timeout=10,
        )  # fmt: skip

    def quote(self, name: str) -> str:
        return "`" + name.replace("`", "``") + "`"

    def column_type(self, kind: str, *, key: bool) -> str:
        return "VARCHAR(255)" if key and kind == "string" else self.types[kind]

    def create_table(self, table: str, columns: dict[str, str], key: Sequence[str]) -> str:
        return super().create_table(table, columns, key) + " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"

    def upsert(self, table: str, columns: Sequence[str], key: Sequence[str]) -> str:
        others = [c for c in columns if c not in key] or [key[0]]
        sets = ", ".join(f"{self.quote(c)} = VALUES({self.quote(c)})" for c in others)
        return f"{self.insert(table, columns)} ON DUPLICATE KEY UPDATE {sets}"

    def describe(self) -> str:
        return f"mariadb://{self.host}:{self.port}/{self.database}"


def dialect_for(url: str, workspace: Path, username: str | None = None, password: str | None = None) -> Dialect:
    """The dialect a database URL names; ValueError for an unknown scheme."""
    scheme = url.partition(":")[0].lower()
    if url.startswith("sqlite:///"):
        return SQLiteDialect(inside(workspace, url.removeprefix("sqlite:///")))
    if scheme in ("postgresql", "postgres"):
        return PostgresDialect(url, username, password)
    if scheme in ("mariadb", "mysql"):
        return MariaDBDialect(url, username, password)
    raise ValueError(f"{url}: use sqlite:///PATH, postgresql://… or mariadb://…")
