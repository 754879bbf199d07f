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
    """Open the store a URL names: ``sqlite:///path/queue.db`` or ``memory:``."""
    if url.startswith("memory:"):
        from backoffice.queue.memory import MemoryStore

        return MemoryStore(**kwargs)
    if url.startswith("sqlite:///"):
        from backoffice.queue.sqlite import SQLiteStore

        return SQLiteStore(url.removeprefix("sqlite:///"), **kwargs)
    raise ValueError(f"unknown queue URL {url!r}: use sqlite:///PATH or memory:")
