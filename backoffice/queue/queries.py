"""Named SQL queries kept in ``queue/queries/*.sql``, in the manner of aiosql.

A file holds queries that each begin with a ``-- name: NAME`` line; parameters are written
``:param``. A query the backends share is written once in ``NAME.sql``; one that differs is
written again, under the same name, in ``NAME.sqlite.sql`` or ``NAME.postgres.sql``, which wins
for that backend. :func:`load` gives each backend its queries in the parameter style of its
driver: ``:param`` for sqlite3, ``%(param)s`` for psycopg.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

BACKENDS = ("sqlite", "postgres")
_PARAM = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")  # :name, not a PostgreSQL cast (::text)


def parse(text: str) -> dict[str, str]:
    """``{name: sql}`` of a file of named queries (comments other than ``-- name:`` dropped)."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("-- name:"):
            current = found.setdefault(stripped.removeprefix("-- name:").strip(), [])
        elif current is not None and stripped and not stripped.startswith("--"):
            current.append(line.rstrip())
    return {name: "\n".join(lines).rstrip(";").strip() for name, lines in found.items()}


@cache
def load(name: str, backend: str) -> dict[str, str]:
    """The queries of ``queries/NAME.sql`` with ``queries/NAME.BACKEND.sql`` over them."""
    if backend not in BACKENDS:
        raise ValueError(f"no queries for backend {backend!r}")
    folder = resources.files("backoffice.queue") / "queries"
    queries: dict[str, str] = {}
    for file_name in (f"{name}.sql", f"{name}.{backend}.sql"):
        entry = folder / file_name
        if entry.is_file():
            queries |= parse(entry.read_text())
    if not queries:
        raise FileNotFoundError(f"no queries named {name} in {folder}")
    return {key: adapt(sql, backend) for key, sql in queries.items()}


def adapt(sql: str, backend: str) -> str:
    """A query written with ``:param`` in the parameter style of the backend's driver."""
    return _PARAM.sub(r"%(\1)s", sql.replace("%", "%%")) if backend == "postgres" else sql


__all__ = ["adapt", "load", "parse"]
