"""The item lifecycle, written once for every backend: which move an action makes, who may make
it, what it changes and what the journal says.

A backend reads the item's current :class:`State` (under its lock or row lock), calls
:func:`decide`, and writes what comes back: the new status, the columns (``sets``, in the
stored form: times as UTC seconds, ``0`` for "due now") and the journal's ``why``. The rules
(the lease check, the transitions of :data:`TRANSITIONS`, attempts and
what happens when they are used up) live here only; the SQL that writes them is the backend's.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from backoffice.errors import IllegalTransition, LeaseLost


class Status(enum.StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    RETRYING = "retrying"
    EXCEPTION = "exception"
    DONE = "done"
    CANCELLED = "cancelled"
    REJECTED = "rejected"


S = Status
TRANSITIONS: dict[Status, frozenset[Status]] = {
    S.PENDING: frozenset({S.PROCESSING, S.CANCELLED, S.REJECTED, S.PENDING}),  # pending -> pending: due_now
    S.PROCESSING: frozenset({S.DONE, S.RETRYING, S.EXCEPTION, S.PENDING}),
    S.RETRYING: frozenset({S.PROCESSING, S.PENDING, S.CANCELLED, S.REJECTED}),
    S.EXCEPTION: frozenset({S.PENDING, S.CANCELLED, S.REJECTED}),
    S.DONE: frozenset(),
    S.CANCELLED: frozenset({S.PENDING}),
    S.REJECTED: frozenset(),
}
FINAL = (S.DONE, S.REJECTED)  # nothing moves an item out of these
CLAIMABLE = (S.PENDING, S.RETRYING)
# What a person may act on. processing -> pending exists for release and lease expiry only:
# retrying an item a runner holds would let a second runner take it.
RETRY_FROM = (S.EXCEPTION, S.RETRYING, S.CANCELLED)
CANCEL_FROM = (S.PENDING, S.RETRYING, S.EXCEPTION)
REJECT_FROM = CANCEL_FROM


def sources_of(target: Status) -> tuple[Status, ...]:
    """The statuses from which an item may move to ``target``."""
    return tuple(s for s, nexts in TRANSITIONS.items() if target in nexts)


def to_ts(moment: datetime | None) -> float | None:
    """A datetime as UTC seconds since the epoch (naive datetimes are taken as UTC)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def from_ts(seconds: float | None) -> datetime | None:
    return None if seconds is None else datetime.fromtimestamp(seconds, UTC)


def after_failure(attempts: int, max_attempts: int, reason: str) -> tuple[Status, str]:
    """Where a failed item goes: retrying, or the exception queue once its attempts are used up."""
    if attempts >= max_attempts:
        return Status.EXCEPTION, f"retries used up ({attempts} attempts): {reason}"
    return Status.RETRYING, reason


def check_transition(
    item_id: int, current: Status | str, wanted: Status, allowed_from: tuple[Status, ...] | None = None
) -> None:
    if wanted not in TRANSITIONS[Status(current)] or (allowed_from is not None and current not in allowed_from):
        raise IllegalTransition(item_id, str(current), str(wanted))


class State(Protocol):
    """What a move needs to know of the item (a WorkItem, or a row read for the move)."""

    @property
    def status(self) -> Status | str: ...
    @property
    def lease_owner(self) -> str | None: ...
    @property
    def attempts(self) -> int: ...
    @property
    def max_attempts(self) -> int: ...


Sets = dict[str, Any]
_UNLEASE: Sets = {"lease_owner": None, "lease_expires": None}


@dataclass(frozen=True)
class Move:
    """One action on one item: ``owner`` is the lease it needs (None: a person's action, on an
    item no runner need hold), ``plan`` what it does given the current state."""

    action: str
    actor: str
    to: Status
    why: str = ""
    owner: str | None = None
    allowed_from: tuple[Status, ...] | None = None
    sets: Sets = field(default_factory=dict)
    plan: Callable[[State], tuple[Status, Sets, str]] | None = None
    wake: bool = False  # the item may be due now: wake whoever waits for work


def decide(item_id: int, move: Move, state: State) -> tuple[Status, Sets, str]:
    """``(to, columns, why)`` of the move, or LeaseLost / IllegalTransition."""
    if move.owner is not None and (state.status != Status.PROCESSING or state.lease_owner != move.owner):
        raise LeaseLost(item_id, move.owner)
    to, sets, why = move.to, dict(move.sets), move.why
    if move.plan is not None:
        to, extra, why = move.plan(state)
        sets.update(extra)
    check_transition(item_id, state.status, to, move.allowed_from)
    return to, sets, why


# -- the runner's moves (they need the lease) -----------------------------------------------
def complete(owner: str, why: str = "") -> Move:
    return Move("complete", owner, Status.DONE, why, owner,
                sets={**_UNLEASE, "reason": None, "error_code": None})  # fmt: skip


def retry_later(owner: str, reason: str, code: str, not_before: datetime) -> Move:
    """retrying until ``not_before``; the exception queue once the attempts are used up."""

    def plan(state: State) -> tuple[Status, Sets, str]:
        to, why = after_failure(state.attempts, state.max_attempts, reason)
        return to, ({"reason": why} if to == Status.EXCEPTION else {"not_before": to_ts(not_before)}), why

    return Move("fail", owner, Status.RETRYING, reason, owner,
                sets={**_UNLEASE, "reason": reason, "error_code": code}, plan=plan)  # fmt: skip


def to_exception(owner: str, reason: str, code: str) -> Move:
    return Move("exception", owner, Status.EXCEPTION, reason, owner,
                sets={**_UNLEASE, "reason": reason, "error_code": code})  # fmt: skip


def release(owner: str, why: str, not_before: datetime | None) -> Move:
    """Back to pending without using up an attempt (the claim's is given back)."""
    return Move("release", owner, Status.PENDING, why, owner, wake=True,
                sets={**_UNLEASE, "not_before": to_ts(not_before) or 0},
                plan=lambda state: (Status.PENDING, {"attempts": max(state.attempts - 1, 0)}, why))  # fmt: skip


# -- a person's moves -------------------------------------------------------------------------
def retry(actor: str, why: str) -> Move:
    """Due now, with fresh attempts."""
    return Move("retry", actor, Status.PENDING, why, allowed_from=RETRY_FROM, wake=True,
                sets={"attempts": 0, "not_before": 0, "reason": None, "error_code": None})  # fmt: skip


def due_now(actor: str, why: str) -> Move:
    """A pending item postponed (a parent waiting for its children) is due now: what it waited
    for has happened. Attempts are kept."""
    return Move("due-now", actor, Status.PENDING, why, allowed_from=(S.PENDING,), wake=True, sets={"not_before": 0})


def cancel(actor: str, why: str) -> Move:
    return Move("cancel", actor, Status.CANCELLED, why, allowed_from=CANCEL_FROM)


def reject(actor: str, why: str) -> Move:
    return Move("reject", actor, Status.REJECTED, why, allowed_from=REJECT_FROM,
                sets={"reason": why, "error_code": "rejected"})  # fmt: skip


# -- the queue's own -------------------------------------------------------------------------
def expired(lease_owner: str | None, attempts: int, max_attempts: int) -> tuple[Status, Sets, str]:
    """Where an item whose lease ran out goes: pending, or the exception queue once its attempts
    are used up. (PostgreSQL says the same in one statement: ``expire`` in queries/items.postgres.sql.)"""
    why = f"lease of {lease_owner} expired"
    if attempts >= max_attempts:
        return Status.EXCEPTION, {**_UNLEASE, "reason": f"{why}; retries used up ({attempts})",
                                  "error_code": "lease-expired"}, why  # fmt: skip
    return Status.PENDING, dict(_UNLEASE), why


def check_amend(item_id: int, status: Status | str, actor: str) -> None:
    """A person may change the payload of an item no runner holds."""
    if status == Status.PROCESSING:
        raise IllegalTransition(item_id, str(status), f"{status} (amended by {actor})")


__all__ = [
    "CANCEL_FROM", "CLAIMABLE", "FINAL", "REJECT_FROM", "RETRY_FROM", "TRANSITIONS", "Move", "State", "Status",
    "after_failure", "cancel", "check_amend", "due_now", "check_transition", "complete", "decide", "expired", "from_ts",
    "reject", "release", "retry", "retry_later", "sources_of", "to_exception", "to_ts",
]  # fmt: skip
