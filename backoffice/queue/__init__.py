"""The work queue: every item from arrival to posting, with its journal."""

from backoffice.queue.base import (
    Effect,
    EffectState,
    JournalEntry,
    NewItem,
    Status,
    Store,
    StoredFile,
    WorkItem,
)

__all__ = [
    "Effect", "EffectState", "JournalEntry", "NewItem", "Status", "Store", "StoredFile", "WorkItem", "open_store",
]  # fmt: skip


def open_store(url: str, **kwargs) -> Store:
    """Open the store a URL names: ``sqlite:///path/queue.db``, ``postgresql://host/db[?schema=S]``
    or ``memory:``."""
    if url.startswith("memory:"):
        from backoffice.queue.memory import MemoryStore

        return MemoryStore(**kwargs)
    if url.startswith("sqlite:///"):
        from backoffice.queue.sqlite import SQLiteStore

        return SQLiteStore(url.removeprefix("sqlite:///"), **kwargs)
    if url.startswith(("postgresql://", "postgres://")):
        from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

        from backoffice.queue.postgres import PostgresStore

        # ?schema=NAME puts the queue's tables in their own PostgreSQL schema (libpq knows no such
        # parameter, so it is taken off the URL).
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        schema = query.pop("schema", None)
        kwargs.setdefault("schema", schema)
        return PostgresStore(urlunsplit(parts._replace(query=urlencode(query))), **kwargs)
    raise ValueError(f"unknown queue URL {url!r}: use sqlite:///PATH, postgresql://… or memory:")
