"""The store contract every work-queue backend implements.

An item moves through these statuses; any other move raises :class:`IllegalTransition`::

    pending ──claim──▶ processing ──complete──▶ done
       ▲                 │  │  │
       │   release/lease │  │  └──business error / retries used up──▶ exception ──retry──▶ pending
       └────expiry───────┘  └──application error──▶ retrying ──claim (after not_before)──▶ processing
    pending | retrying | exception ──cancel──▶ cancelled ──retry──▶ pending
    pending | retrying | exception ──reject_item──▶ rejected (final: a person refused the document)

Rules every backend keeps (the contract tests in ``tests/contract`` check each one):

- ``(bot, source_key)`` is unique: enqueueing the same document twice returns the first item.
- A claim leases items to one owner until ``lease_expires``; no two owners hold one item.
  Each claim counts an attempt. An expired lease sends the item back to ``pending`` (or to
  ``exception`` when its attempts are used up) the next time anyone claims.
- Only the lease owner may update, complete, fail or release a ``processing`` item
  (:class:`LeaseLost` otherwise).
- Every status change and every human action appends one :class:`JournalEntry`; the journal
  is never rewritten.

The effect ledger records every call to a target, so that no item is ever posted twice::

    (none) ──intend──▶ intended ──settle(external id)──▶ done
                        │    ▲
                 reject │    │ intend (a person corrected the data and retried)
                        ▼    │
                       rejected

- ``intend`` is written *before* the call, by the lease owner only; it keeps the first
  idempotency key and counts the calls. It never reopens a ``done`` effect.
- ``settle`` is written *after* the call with the target's external id. It needs no lease:
  an effect that happened is always recorded. The first external id is kept.
- An effect still ``intended`` when an item is handled again means an earlier call ended
  without an answer (a crash, a lease expiry, a timeout): it may have landed, so the runner
  asks the target before calling it again (see :mod:`backoffice.connectors.ledger`).
"""

from __future__ import annotations

import abc
import builtins
import enum
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from backoffice.queue.lifecycle import (  # noqa: F401 - the statuses and their rules, named here too
    CANCEL_FROM,
    CLAIMABLE,
    FINAL,
    REJECT_FROM,
    RETRY_FROM,
    TRANSITIONS,
    Status,
    after_failure,
    check_transition,
    from_ts,
    sources_of,
    to_ts,
)
from backoffice.queue import lifecycle

if TYPE_CHECKING:
    from backoffice.queue.layouts import LayoutRecords
    from backoffice.queue.finder import Finder
    from backoffice.queue.notify import Notifier
    from backoffice.queue.registry import Registry
    from backoffice.queue.users import UserStore


def _now() -> float:
    return datetime.now(UTC).timestamp()


@dataclass(frozen=True)
class StoredFile:
    """A file kept content-addressed under the workspace (see :mod:`backoffice.queue.files`)."""

    name: str
    sha256: str
    size: int
    media_type: str = "application/octet-stream"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "sha256": self.sha256, "size": self.size, "media_type": self.media_type}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StoredFile:
        return cls(**data)


@dataclass(frozen=True)
class NewItem:
    """What a Source hands to the queue."""

    bot: str
    source_key: str
    payload: dict[str, Any] = field(default_factory=dict)
    files: Sequence[StoredFile] = ()
    parent_id: int | None = None
    priority: int = 0
    deadline: datetime | None = None
    not_before: datetime | None = None
    max_attempts: int = 5


@dataclass(frozen=True)
class WorkItem:
    id: int
    bot: str
    source_key: str
    status: Status
    payload: dict[str, Any]
    files: tuple[StoredFile, ...]
    parent_id: int | None
    priority: int
    deadline: datetime | None
    not_before: datetime | None
    attempts: int
    max_attempts: int
    lease_owner: str | None
    lease_expires: datetime | None
    reason: str | None
    error_code: str | None
    refs: dict[str, str]
    created_at: datetime
    updated_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view (datetimes as ISO 8601 strings)."""
        out: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, datetime):
                value = value.isoformat()
            elif name == "files":
                value = [f.to_dict() for f in value]
            elif isinstance(value, Status):
                value = value.value
            out[name] = value
        return out


@dataclass(frozen=True)
class JournalEntry:
    item_id: int
    at: datetime
    actor: str
    action: str
    from_status: Status | None
    to_status: Status | None
    why: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "at": self.at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "from": self.from_status.value if self.from_status else None,
            "to": self.to_status.value if self.to_status else None,
            "why": self.why,
        }


class EffectState(enum.StrEnum):
    INTENDED = "intended"  # a call is about to be made, or was made and never answered
    DONE = "done"  # the target answered with its external id
    REJECTED = "rejected"  # the target refused the data: nothing was written


@dataclass(frozen=True)
class Effect:
    """One entry of the effect ledger: what an item did (or was about to do) to one target."""

    item_id: int
    target: str
    key: str
    state: EffectState
    external_id: str | None
    calls: int
    reason: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def in_doubt(self) -> bool:
        """An earlier call may have landed: the target must be asked before calling again."""
        return self.state == EffectState.INTENDED

    def to_dict(self) -> dict[str, Any]:
        return {
            "item_id": self.item_id,
            "target": self.target,
            "key": self.key,
            "state": self.state.value,
            "external_id": self.external_id,
            "calls": self.calls,
            "reason": self.reason,
            "created_at": self.created_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
        }


@dataclass(frozen=True)
class BusinessKey:
    """One business key of an item, as a rule file's ``duplicates:`` entry defines it: the
    entry's id (``rule``), the key's parts normalized into one string, and the document's date
    when the entry declares one. ``within_days`` is used when looking the key up: how far apart
    the dates of two items with this key may be (it is not recorded)."""

    rule: str
    key: str
    day: date | None = None
    within_days: int = 0


def day_range(day: date, within_days: int) -> tuple[date, date]:
    """The first and last day at most ``within_days`` from ``day``."""
    ordinal = day.toordinal()
    return (date.fromordinal(max(ordinal - within_days, 1)),
            date.fromordinal(min(ordinal + within_days, date.max.toordinal())))  # fmt: skip


class Store(abc.ABC):
    """A work-queue backend. Times are UTC; ``lease`` and delays are in seconds."""

    # -- intake --------------------------------------------------------------------------
    @abc.abstractmethod
    def enqueue(self, item: NewItem, *, actor: str = "intake") -> tuple[WorkItem, bool]:
        """Add one item; return it and whether it is new (False: the existing duplicate)."""

    @abc.abstractmethod
    def enqueue_many(self, items: Iterable[NewItem], *, actor: str = "intake") -> int:
        """Add many items in one transaction, skipping duplicates; return how many were new."""

    @abc.abstractmethod
    def enqueue_families(
        self,
        families: Iterable[tuple[NewItem, Sequence[NewItem]]],
        *,
        actor: str = "intake",
        notes: Iterable[tuple[int, str, str]] = (),
    ) -> list[tuple[WorkItem, bool]]:
        """Add parents with their children, and journal ``notes``, all in one transaction.

        A family is ``(parent, children)``: each child gets the parent's id as ``parent_id``
        (whatever its own says) and the parent's payload gets ``"children"``, the children's ids
        in order (a child whose key exists already is listed as it is). A family whose parent
        key exists already adds nothing: the existing parent is returned. ``notes`` are
        ``(item id, action, why)`` entries that change no status, as :meth:`note` writes them;
        an unknown id raises :class:`ItemNotFound` and nothing is written. Returns
        ``(parent, created)`` for each family, in order."""

    # -- the runner's side ---------------------------------------------------------------
    @abc.abstractmethod
    def claim(
        self, owner: str, *, bots: Sequence[str] | None = None, lease: float = 300.0, limit: int = 1
    ) -> list[WorkItem]:
        """Lease up to ``limit`` due items (highest priority, then oldest) to ``owner``."""

    @abc.abstractmethod
    def extend(self, item_id: int, owner: str, *, lease: float = 300.0) -> None:
        """Renew the owner's lease (heartbeat during a long stage)."""

    @abc.abstractmethod
    def update(
        self,
        item_id: int,
        owner: str,
        *,
        payload: dict[str, Any] | None = None,
        refs: dict[str, str] | None = None,
    ) -> WorkItem:
        """Save a stage's result: replace the payload and/or merge external references."""

    # The moves below are written once (backoffice.queue.lifecycle); a backend writes them with
    # _transition, and may answer the hot ones (complete) in fewer round trips.
    @abc.abstractmethod
    def _transition(self, item_id: int, move: lifecycle.Move) -> WorkItem:
        """Apply one move in one transaction: read the item's state, :func:`lifecycle.decide`,
        write the status and columns with the journal entry; wake waiters when ``move.wake``."""

    def complete(self, item_id: int, owner: str, *, why: str = "") -> WorkItem:
        """processing -> done."""
        return self._transition(item_id, lifecycle.complete(owner, why))

    def retry_later(self, item_id: int, owner: str, *, reason: str, code: str, not_before: datetime) -> WorkItem:
        """processing -> retrying until ``not_before``; -> exception when attempts are used up."""
        return self._transition(item_id, lifecycle.retry_later(owner, reason, code, not_before))

    def to_exception(self, item_id: int, owner: str, *, reason: str, code: str) -> WorkItem:
        """processing -> exception: a person must look at it."""
        return self._transition(item_id, lifecycle.to_exception(owner, reason, code))

    def release(
        self, item_id: int, owner: str, *, why: str = "released", not_before: datetime | None = None
    ) -> WorkItem:
        """processing -> pending without using up an attempt (graceful shutdown); with
        ``not_before``, not due again until then (an item waiting for others, e.g. a mail for
        its documents)."""
        return self._transition(item_id, lifecycle.release(owner, why, not_before))

    @abc.abstractmethod
    def expire_leases(self) -> int:
        """Return items whose lease ran out to pending (or exception); return how many."""

    # -- the effect ledger ---------------------------------------------------------------
    @abc.abstractmethod
    def intend(self, item_id: int, owner: str, target: str, key: str) -> Effect:
        """Record that ``owner`` is about to call ``target`` for the item (LeaseLost unless it
        holds the lease). A new effect takes ``key``; an existing one keeps its first key, counts
        one more call and becomes ``intended`` again, unless it is ``done`` (returned as it is)."""

    @abc.abstractmethod
    def settle(self, item_id: int, target: str, external_id: str) -> Effect:
        """Record the target's answer: the effect is ``done`` and the item's refs name it.
        Needs an intent (QueueError otherwise) but no lease; a ``done`` effect keeps its first id."""

    @abc.abstractmethod
    def reject(self, item_id: int, target: str, *, reason: str) -> Effect:
        """Record that the target refused the data and wrote nothing (``done`` stays ``done``)."""

    @abc.abstractmethod
    def effects(self, item_id: int) -> list[Effect]:
        """The item's effects, in the order they were first intended."""

    # -- a person's side -----------------------------------------------------------------
    def retry(self, item_id: int, *, actor: str, why: str = "") -> WorkItem:
        """exception | retrying | cancelled -> pending, due now, with fresh attempts."""
        return self._transition(item_id, lifecycle.retry(actor, why))

    def due_now(self, item_id: int, *, actor: str, why: str) -> WorkItem:
        """pending -> pending, due now (not_before cleared): a postponed item whose wait is over."""
        return self._transition(item_id, lifecycle.due_now(actor, why))

    def cancel(self, item_id: int, *, actor: str, why: str = "") -> WorkItem:
        """pending | retrying | exception -> cancelled."""
        return self._transition(item_id, lifecycle.cancel(actor, why))

    def reject_item(self, item_id: int, *, actor: str, why: str) -> WorkItem:
        """pending | retrying | exception -> rejected, for good: a person refused the document.
        ``why`` becomes the item's reason (error code ``rejected``) and the journal's one line.
        (:meth:`reject` is the effect ledger's: a target refused a call.)"""
        return self._transition(item_id, lifecycle.reject(actor, why))

    @abc.abstractmethod
    def note(self, item_id: int, *, actor: str, action: str, why: str = "") -> None:
        """Append a journal entry that changes no status (a comment, a mailbox action done)."""

    @abc.abstractmethod
    def amend(self, item_id: int, *, actor: str, action: str, payload: dict[str, Any], why: str = "") -> WorkItem:
        """A person's change to the payload of an item no runner holds (a corrected field, an
        assignment), journaled as ``action``; an item being processed raises IllegalTransition."""

    # -- reading -------------------------------------------------------------------------
    @abc.abstractmethod
    def get(self, item_id: int) -> WorkItem:
        """The item, or :class:`ItemNotFound`."""

    @abc.abstractmethod
    def find(self, bot: str, source_key: str) -> WorkItem | None:
        """The item a source key names, if any."""

    @abc.abstractmethod
    def record_keys(self, keys: Mapping[int, Sequence[BusinessKey]]) -> None:
        """Replace the business keys of each item named (``{item id: its keys}``, at most one
        per rule; none: the item has no key) in one transaction, so an item whose document
        changed is found by its new keys only. Keys are kept in the order they were recorded;
        a key recorded again unchanged (same key and day) keeps its place. Needs no lease: a
        person's re-evaluation of an item records its keys too. ItemNotFound when an item does
        not exist (and nothing is recorded)."""

    @abc.abstractmethod
    def find_keyed(self, bot: str, keys: Sequence[BusinessKey], *, before: int | None = None) -> dict[str, int]:
        """``{rule: item id}``: for each key, an item of ``bot`` recorded with that rule and key
        that came before item ``before`` (every item when None): the newest one with a lower id,
        or else the newest one recorded with that key before ``before`` was (a later item that
        was checked first: by another runner at the same moment, or while ``before`` waited
        for a retry). Cancelled and rejected items are left out. A key with a ``day`` matches only items
        recorded with a day at most its ``within_days`` apart. Rules nothing matches are left
        out. Recording an item's keys before looking its keys up means that of two items with
        the same key checked at the same moment, at least one finds the other."""

    @abc.abstractmethod
    def key_definitions(self, bot: str) -> dict[str, str]:
        """``{rule: definition}``: what the bot's keys were recorded with (an opaque string the
        rules give, see :mod:`backoffice.rules.duplicates`); empty when never set."""

    @abc.abstractmethod
    def set_key_definitions(self, bot: str, definitions: Mapping[str, str]) -> None:
        """Replace the bot's ``{rule: definition}``, once its items are keyed by them."""

    @abc.abstractmethod
    def list(
        self,
        *,
        status: Status | None = None,
        bot: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> list[WorkItem]:
        """Items, newest first."""

    @abc.abstractmethod
    def counts(self) -> dict[str, dict[str, int]]:
        """``{bot: {status: n}}`` for every bot that has items."""

    @abc.abstractmethod
    def journal(self, item_id: int) -> builtins.list[JournalEntry]:  # `list` is a method of Store here
        """The item's history, oldest first."""

    def oldest_pending(self) -> dict[str, float]:
        """``{bot: created_at}`` of the oldest claimable item of each bot (for metrics)."""
        oldest: dict[str, float] = {}
        for bot, statuses in self.counts().items():
            for status in CLAIMABLE:
                n = statuses.get(status.value, 0)
                if n:  # list() is newest first: the last one is the oldest
                    [item] = self.list(status=status, bot=bot, limit=1, offset=n - 1)
                    created = item.created_at.timestamp()
                    oldest[bot] = min(oldest.get(bot, created), created)
        return oldest

    # -- learned layouts (backoffice.learning) ---------------------------------------------
    def learned_layouts(self) -> LayoutRecords:
        """The layouts people's corrections taught, kept with this queue (see
        :mod:`backoffice.queue.layouts`). A backend without its own tables (the memory store)
        keeps them in memory, for as long as it lives."""
        from backoffice.queue.layouts import MemoryLayoutRecords

        kept = self.__dict__.get("_learned_layouts")
        if kept is None:
            clock = getattr(self, "clock", None) or _now
            kept = self.__dict__.setdefault("_learned_layouts", MemoryLayoutRecords(clock))
        return kept

    # -- "work is waiting" ----------------------------------------------------------------
    def wait_for_work(self, timeout: float) -> bool:
        """Block until an item may have become due (enqueued, retried, released, or :meth:`wake`)
        or ``timeout`` seconds pass; whether it woke for work. In this process on SQLite and the
        memory store (see :mod:`backoffice.queue.notify`), from any process on PostgreSQL."""
        return self._notifier().wait(timeout)

    def wake(self) -> None:
        """Wake whoever waits in :meth:`wait_for_work` (new work, or a runner stopping)."""
        self._notifier().notify()

    def _notifier(self) -> Notifier:
        from backoffice.queue.notify import Notifier

        kept = self.__dict__.get("_work_notifier")
        if kept is None:
            kept = self.__dict__.setdefault("_work_notifier", Notifier())
        return kept

    # -- the supervisor UI's reader ------------------------------------------------------
    @abc.abstractmethod
    def finder(self) -> Finder:
        """Filtered, sorted and paged lists and the dashboard (see :mod:`backoffice.queue.finder`).
        A backend without SQL (the memory store) pages through :meth:`list` and filters in Python."""

    # -- coordination of the runners sharing this queue -----------------------------------
    def registry(self, *, clock: Callable[[], float] | None = None) -> Registry:
        """Runners, the leader lease and schedule ticks (see :mod:`backoffice.queue.registry`),
        on a connection of their own. A backend without tables (the memory store) gives each
        registry a private in-memory SQLite database."""
        import sqlite3
        from importlib import resources

        from backoffice.queue.registry import Registry

        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        conn.executescript((resources.files("backoffice.queue") / "sql" / "sqlite_003_runners.sql").read_text())
        return Registry(conn, "sqlite", clock=clock or getattr(self, "clock", None) or _now)

    # -- who reviews an item in the UI now ---------------------------------------------------
    def hold(self, item_id: int, person: str, *, seconds: float = 300.0) -> str:
        """Hold the item for ``person`` for ``seconds`` (renewing their hold; ``seconds=0`` lets
        go of it) unless someone else holds it now; return who holds it afterwards. Holds are
        the UI's (who is reviewing it), not a runner's lease: the queue's moves ignore them.
        ItemNotFound for an unknown item. A backend without tables keeps them in memory."""
        with self.__dict__.setdefault("_holds_lock", threading.Lock()):
            self.get(item_id)
            now = (getattr(self, "clock", None) or _now)()
            kept: dict[int, tuple[str, float]] = self.__dict__.setdefault("_holds", {})
            held = kept.get(item_id)
            if held is not None and held[0] != person and held[1] > now:
                return held[0]
            kept[item_id] = (person, now + seconds)
            return person

    def holders(self) -> dict[int, str]:
        """``{item id: person}`` of every hold that has not run out."""
        now = (getattr(self, "clock", None) or _now)()
        return {i: who for i, (who, until) in dict(self.__dict__.get("_holds", {})).items() if until > now}

    # -- the supervisor UI's users and sessions -------------------------------------------
    def users(self) -> UserStore:
        """The UI's users, sessions and sign-ins, kept with this queue (see
        :mod:`backoffice.queue.users`). A backend without tables (the memory store) keeps them
        in memory, for as long as it lives."""
        from backoffice.queue.users import MemoryUsers

        kept = self.__dict__.get("_users")
        if kept is None:
            kept = self.__dict__.setdefault("_users", MemoryUsers(clock=getattr(self, "clock", None) or _now))
        return kept

    def close(self) -> None:  # noqa: B027 - optional for backends with nothing to close
        """Release connections."""
