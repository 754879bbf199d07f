"""Holds a person released: a route (approval) or a possible duplicate that stopped an item is
released when a person retries the item from the exception queue.

The item's previous Verdict names its holds; the queue's journal says who retried it after it
went to the exception queue, when, and why. The release is kept on every later Verdict, so a
retry for another reason does not ask for the same approval again.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from backoffice.queue.base import JournalEntry, Status


def released(previous: Mapping[str, Any] | None, journal: Sequence[JournalEntry]) -> dict[str, str]:
    """``{rule id: "by whom, when: why"}`` for the holds of ``previous`` a person released."""
    if not previous:
        return {}
    out = {str(k): str(v) for k, v in (previous.get("released") or {}).items()}
    holds = previous.get("holds") or []
    held_at = max((n for n, e in enumerate(journal) if e.to_status == Status.EXCEPTION), default=None)
    if not holds or held_at is None:
        return out
    retry = next((e for e in journal[held_at + 1 :] if e.action == "retry"), None)
    if retry is None:
        return out
    by = f"{retry.actor} on {retry.at:%Y-%m-%d %H:%M}" + (f" ({retry.why})" if retry.why else "")
    for hold in holds:
        out.setdefault(str(hold), by)
    return out
