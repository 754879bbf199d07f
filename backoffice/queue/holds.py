"""Holds on items under review, written once for both SQL backends (``queries/holds.sql``);
each backend runs them inside its own transaction."""

from __future__ import annotations

from typing import Any

from backoffice.errors import ItemNotFound
from backoffice.queue import queries


def take(conn: Any, backend: str, item_id: int, person: str, *, seconds: float, now: float) -> str | None:
    """Take or renew ``person``'s hold on the item; whoever holds it afterwards (None when a
    hold that stood in the way was let go of meanwhile)."""
    sql = queries.load("holds", backend)
    if conn.execute(sql["item_exists"], {"item_id": item_id}).fetchone() is None:
        raise ItemNotFound(item_id)
    params = {"item_id": item_id, "person": person, "expires": now + seconds, "now": now}
    taken = conn.execute(sql["take"], params).fetchone()
    if taken is None:  # someone else holds it
        taken = conn.execute(sql["holder"], {"item_id": item_id}).fetchone()
    return None if taken is None else str(taken[0])


def running(conn: Any, backend: str, now: float) -> dict[int, str]:
    """``{item id: person}`` of the holds not expired at ``now``."""
    rows = conn.execute(queries.load("holds", backend)["running"], {"now": now}).fetchall()
    return {int(item_id): str(person) for item_id, person in rows}
