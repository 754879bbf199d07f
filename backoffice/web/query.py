"""Reading the queue the way supervisors look at it: each backend's reader from
``Store.finder()`` (see :mod:`backoffice.queue.finder`, whose names this module gives the UI)."""

from __future__ import annotations

import json
from typing import Any

from backoffice.queue.base import Store
from backoffice.queue.finder import (
    MAX_PAGE,
    NOBODY,
    PER_PAGE,
    SORTS,
    BadQuery,
    Dashboard,
    Finder,
    ItemFilter,
    Page,
    summary,
)


def open_finder(store: Store) -> Finder:
    return store.finder()


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


__all__ = [
    "MAX_PAGE", "NOBODY", "PER_PAGE", "SORTS", "BadQuery", "Dashboard", "Finder", "ItemFilter", "Page", "dumps", "open_finder",
    "summary",
]  # fmt: skip
