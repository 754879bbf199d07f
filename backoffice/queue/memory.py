"""A real in-memory work queue for unit tests: same contract as SQLite, no durability."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from backoffice.errors import ItemNotFound, LeaseLost, QueueError
from backoffice.queue.base import (
    CLAIMABLE,
    BusinessKey,
    Effect,
    EffectState,
    JournalEntry,
    NewItem,
    Status,
    Store,
    WorkItem,
    day_range,
    from_ts,
    to_ts,
)
from backoffice.queue import lifecycle
from backoffice.queue.finder import Finder, ScanFinder


def _json(value: Any) -> Any:
    """What SQLite would give back: JSON types only (dates and Decimals become strings)."""
    return json.loads(json.dumps(value, default=str))


_TIMES = ("lease_expires", "not_before")  # seconds in lifecycle's columns, datetimes in a WorkItem


def _copy(item: WorkItem) -> WorkItem:
    """Callers get their own copy: changing a returned payload must not change the queue."""
    return replace(item, payload=_json(item.payload), refs=dict(item.refs))


class MemoryStore(Store):
    def __init__(self, *, clock: Callable[[], float] = time.time):
        self.clock = clock
        self._lock = threading.RLock()
        self._items: dict[int, WorkItem] = {}
        self._keys: dict[tuple[str, str], int] = {}
        self._journal: list[JournalEntry] = []
        self._effects: dict[tuple[int, str], Effect] = {}
        self._item_keys: dict[int, dict[str, tuple[BusinessKey, int]]] = {}  # item -> rule -> (key, seq)
        self._key_seq = 0
        self._keyed: dict[tuple[str, str, str], set[int]] = {}  # (bot, rule, key) -> item ids
        self._key_definitions: dict[str, dict[str, str]] = {}

    def finder(self) -> Finder:
        """Lists for the UI without SQL: pages through :meth:`list` and filters in Python."""
        return ScanFinder(self)

    def _now(self) -> datetime:
        return from_ts(self.clock())  # type: ignore[return-value]

    def _log(self, item_id: int, actor: str, action: str, frm: Status | None, to: Status | None, why: str) -> None:
        self._journal.append(JournalEntry(item_id, self._now(), actor, action, frm, to, why))

    def _item(self, item_id: int) -> WorkItem:
        try:
            return self._items[item_id]
        except KeyError:
            raise ItemNotFound(item_id) from None

    def _leased(self, item_id: int, owner: str) -> WorkItem:
        item = self._item(item_id)
        if item.status != Status.PROCESSING or item.lease_owner != owner:
            raise LeaseLost(item_id, owner)
        return item

    def _apply(self, item: WorkItem, to: Status, actor: str, action: str, why: str, sets: dict[str, Any]) -> WorkItem:
        """Write a decided move (``sets`` as lifecycle gives them: times in seconds, 0 for none)."""
        changes: dict[str, Any] = {k: (from_ts(v) if v else None) if k in _TIMES else v for k, v in sets.items()}
        moved = replace(item, status=to, updated_at=self._now(), **changes)
        self._items[item.id] = moved
        self._log(item.id, actor, action, item.status, to, why)
        return _copy(moved)

    def _transition(self, item_id: int, move: lifecycle.Move) -> WorkItem:
        with self._lock:
            item = self._item(item_id)
            to, sets, why = lifecycle.decide(item_id, move, item)
            moved = self._apply(item, to, move.actor, move.action, why, sets)
        if move.wake:
            self.wake()
        return moved

    # -- intake --------------------------------------------------------------------------
    def enqueue(self, item: NewItem, *, actor: str = "intake") -> tuple[WorkItem, bool]:
        with self._lock:
            existing = self._keys.get((item.bot, item.source_key))
            if existing is not None:
                return _copy(self._items[existing]), False
            now = self._now()
            new = WorkItem(
                id=len(self._items) + 1, bot=item.bot, source_key=item.source_key, status=Status.PENDING,
                payload=_json(item.payload), files=tuple(item.files), parent_id=item.parent_id,
                priority=item.priority, deadline=item.deadline, not_before=item.not_before, attempts=0,
                max_attempts=item.max_attempts, lease_owner=None, lease_expires=None, reason=None,
                error_code=None, refs={}, created_at=now, updated_at=now,
            )  # fmt: skip
            self._items[new.id] = new
            self._keys[(item.bot, item.source_key)] = new.id
            self._log(new.id, actor, "enqueue", None, Status.PENDING, "")
        self.wake()
        return _copy(new), True

    def enqueue_many(self, items: Iterable[NewItem], *, actor: str = "intake") -> int:
        with self._lock:
            return sum(self.enqueue(item, actor=actor)[1] for item in items)

    def enqueue_families(
        self,
        families: Iterable[tuple[NewItem, Sequence[NewItem]]],
        *,
        actor: str = "intake",
        notes: Iterable[tuple[int, str, str]] = (),
    ) -> list[tuple[WorkItem, bool]]:
        with self._lock:
            notes = list(notes)
            for item_id, _, _ in notes:  # check first: nothing is written when one is unknown
                self._item(item_id)
            added = []
            for parent, children in families:
                found, created = self.enqueue(parent, actor=actor)
                if created:
                    ids = [self.enqueue(replace(c, parent_id=found.id), actor=actor)[0].id for c in children]
                    linked = replace(self._items[found.id], payload=_json({**found.payload, "children": ids}))
                    self._items[found.id] = linked
                    found = _copy(linked)
                added.append((found, created))
            for item_id, action, why in notes:
                self._log(item_id, actor, action, None, None, why)
            return added

    # -- the runner's side ---------------------------------------------------------------
    def expire_leases(self) -> int:
        with self._lock:
            now = self.clock()
            expired = [
                i for i in self._items.values()
                if i.status == Status.PROCESSING and i.lease_expires and to_ts(i.lease_expires) < now  # type: ignore[operator]
            ]  # fmt: skip
            for item in expired:
                to, sets, why = lifecycle.expired(item.lease_owner, item.attempts, item.max_attempts)
                self._apply(item, to, "queue", "lease-expired", why, sets)
            return len(expired)

    def claim(
        self, owner: str, *, bots: Sequence[str] | None = None, lease: float = 300.0, limit: int = 1
    ) -> list[WorkItem]:
        with self._lock:
            self.expire_leases()
            now = self.clock()
            due = sorted(
                (
                    i for i in self._items.values()
                    if i.status in CLAIMABLE
                    and (i.not_before is None or to_ts(i.not_before) <= now)  # type: ignore[operator]
                    and (bots is None or i.bot in bots)
                ),
                key=lambda i: (-i.priority, i.id),
            )[:limit]  # fmt: skip
            claimed = {"lease_owner": owner, "lease_expires": now + lease}
            return [
                self._apply(i, Status.PROCESSING, owner, "claim", "", {**claimed, "attempts": i.attempts + 1})
                for i in due
            ]

    def extend(self, item_id: int, owner: str, *, lease: float = 300.0) -> None:
        with self._lock:
            item = self._leased(item_id, owner)
            self._items[item_id] = replace(item, lease_expires=from_ts(self.clock() + lease))

    def update(
        self,
        item_id: int,
        owner: str,
        *,
        payload: dict[str, Any] | None = None,
        refs: dict[str, str] | None = None,
    ) -> WorkItem:
        with self._lock:
            item = self._leased(item_id, owner)
            changed = replace(
                item,
                payload=_json(payload) if payload is not None else item.payload,
                refs={**item.refs, **(refs or {})},
                updated_at=self._now(),
            )
            self._items[item_id] = changed
            return _copy(changed)

    # -- the effect ledger ---------------------------------------------------------------
    def intend(self, item_id: int, owner: str, target: str, key: str) -> Effect:
        with self._lock:
            self._leased(item_id, owner)
            now = self._now()
            effect = self._effects.get((item_id, target))
            if effect is None:
                effect = Effect(item_id, target, key, EffectState.INTENDED, None, 1, None, now, now)
            elif effect.state != EffectState.DONE:
                effect = replace(
                    effect, state=EffectState.INTENDED, calls=effect.calls + 1, reason=None, updated_at=now
                )
            self._effects[(item_id, target)] = effect
            return effect

    def _intended(self, item_id: int, target: str) -> Effect:
        self._item(item_id)
        try:
            return self._effects[(item_id, target)]
        except KeyError:
            raise QueueError(f"item {item_id}: no call to {target} was intended") from None

    def settle(self, item_id: int, target: str, external_id: str) -> Effect:
        with self._lock:
            effect = self._intended(item_id, target)
            if effect.state == EffectState.DONE:
                return effect
            now = self._now()
            effect = replace(effect, state=EffectState.DONE, external_id=external_id, reason=None, updated_at=now)
            self._effects[(item_id, target)] = effect
            item = self._items[item_id]
            self._items[item_id] = replace(item, refs={**item.refs, target: external_id}, updated_at=now)
            return effect

    def reject(self, item_id: int, target: str, *, reason: str) -> Effect:
        with self._lock:
            effect = self._intended(item_id, target)
            if effect.state != EffectState.DONE:
                effect = replace(effect, state=EffectState.REJECTED, reason=reason, updated_at=self._now())
                self._effects[(item_id, target)] = effect
            return effect

    def effects(self, item_id: int) -> list[Effect]:
        with self._lock:
            self._item(item_id)
            found = [e for (i, _), e in self._effects.items() if i == item_id]
            return sorted(found, key=lambda e: (e.created_at, e.target))

    # -- a person's side -----------------------------------------------------------------
    def amend(self, item_id: int, *, actor: str, action: str, payload: dict[str, Any], why: str = "") -> WorkItem:
        with self._lock:
            item = self._item(item_id)
            lifecycle.check_amend(item_id, item.status, actor)
            changed = replace(item, payload=_json(payload), updated_at=self._now())
            self._items[item_id] = changed
            self._log(item_id, actor, action, None, None, why)
            return _copy(changed)

    def note(self, item_id: int, *, actor: str, action: str, why: str = "") -> None:
        with self._lock:
            self._item(item_id)
            self._log(item_id, actor, action, None, None, why)

    # -- reading -------------------------------------------------------------------------
    def get(self, item_id: int) -> WorkItem:
        with self._lock:
            return _copy(self._item(item_id))

    def find(self, bot: str, source_key: str) -> WorkItem | None:
        with self._lock:
            item_id = self._keys.get((bot, source_key))
            return _copy(self._items[item_id]) if item_id else None

    def record_keys(self, keys: Mapping[int, Sequence[BusinessKey]]) -> None:
        with self._lock:
            for item_id in keys:
                self._item(item_id)
            for item_id, item_keys in keys.items():
                bot, old = self._items[item_id].bot, self._item_keys.pop(item_id, {})
                for key, _ in old.values():
                    self._keyed[(bot, key.rule, key.key)].discard(item_id)
                mine = {}
                for key in {k.rule: replace(k, within_days=0) for k in item_keys}.values():
                    kept = old.get(key.rule)
                    if kept is not None and kept[0] == key:  # unchanged: keeps its place
                        mine[key.rule] = kept
                    else:
                        self._key_seq += 1
                        mine[key.rule] = (key, self._key_seq)
                    self._keyed.setdefault((bot, key.rule, key.key), set()).add(item_id)
                self._item_keys[item_id] = mine

    def find_keyed(self, bot: str, keys: Sequence[BusinessKey], *, before: int | None = None) -> dict[str, int]:
        found: dict[str, int] = {}
        with self._lock:
            for wanted in keys:
                low, high = day_range(wanted.day, wanted.within_days) if wanted.day else (None, None)
                mine = self._item_keys.get(before, {}).get(wanted.rule) if before is not None else None
                my_seq = mine[1] if mine is not None and mine[0].key == wanted.key else None
                candidates = []
                for item_id in self._keyed.get((bot, wanted.rule, wanted.key), ()):
                    key, seq = self._item_keys[item_id][wanted.rule]
                    if item_id == before or self._items[item_id].status in (Status.CANCELLED, Status.REJECTED):
                        continue
                    if low is not None and (key.day is None or not low <= key.day <= high):  # type: ignore[operator]
                        continue
                    earlier = before is None or item_id < before
                    if earlier or (my_seq is not None and seq < my_seq):
                        candidates.append((earlier, item_id))
                if candidates:
                    found[wanted.rule] = max(candidates)[1]
        return found

    def key_definitions(self, bot: str) -> dict[str, str]:
        with self._lock:
            return dict(self._key_definitions.get(bot, {}))

    def set_key_definitions(self, bot: str, definitions: Mapping[str, str]) -> None:
        with self._lock:
            self._key_definitions[bot] = dict(definitions)

    def list(
        self, *, status: Status | None = None, bot: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[WorkItem]:
        wanted = Status(status) if status is not None else None  # ValueError for a bogus status, as SQLite
        with self._lock:
            chosen = [
                i for i in reversed(self._items.values())
                if (wanted is None or i.status == wanted) and (bot is None or i.bot == bot)
            ]  # fmt: skip
            return [_copy(i) for i in chosen[offset : offset + limit]]

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        with self._lock:
            for item in self._items.values():
                per_bot = out.setdefault(item.bot, {})
                per_bot[item.status.value] = per_bot.get(item.status.value, 0) + 1
        return out

    def journal(self, item_id: int) -> list[JournalEntry]:
        with self._lock:
            self._item(item_id)
            return [e for e in self._journal if e.item_id == item_id]
