"""``backoffice rules replay``: what the current rule files would decide about past items.

Every item with a stored document and Verdict (created at or after ``since``) is evaluated
again with the current rules: as of the day it was decided (``today()`` is the date of its
last update), against the items before it for duplicate keys, with the holds people released
still released. Fields earlier ``set`` rules wrote are left out, so the rules set them anew.
Duplicate keys are compared as the current rule file defines them: every item of the bot is
keyed from its stored document in memory first (the queue's recorded keys may be from an
older rule file). Nothing is written: the store is only read, and no target is called.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backoffice.documents.models import Document
from backoffice.errors import BusinessError
from backoffice.queue.base import Store, WorkItem
from backoffice.rules.duplicates import IndexHistory, replay_index
from backoffice.rules.engine import RuleSet
from backoffice.rules.verdict import Verdict

log = logging.getLogger(__name__)
PAGE = 500


@dataclass(frozen=True)
class Change:
    """An item whose decision would change."""

    item_id: int
    bot: str
    file: str
    status: str
    before: str
    after: str
    rules: tuple[str, ...]  # rules whose outcome flips

    def to_dict(self) -> dict[str, Any]:
        return {"item": self.item_id, "bot": self.bot, "file": self.file, "status": self.status,
                "before": self.before, "after": self.after, "rules": list(self.rules)}  # fmt: skip


@dataclass
class ReplayReport:
    checked: int = 0
    skipped: int = 0
    changes: list[Change] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"checked": self.checked, "skipped": self.skipped, "changes": [c.to_dict() for c in self.changes]}


def replay(store: Store, rule_sets: Mapping[str, RuleSet], since: datetime | None = None) -> ReplayReport:
    """Re-evaluate the items of each bot in ``rule_sets`` (bot name -> its rules), oldest first."""
    report = ReplayReport()
    for bot, rules in rule_sets.items():
        index = replay_index(store, bot, rules.duplicates)
        for item in reversed(list(_items(store, bot, since))):
            stored_document, stored_verdict = item.payload.get("document"), item.payload.get("verdict")
            if not stored_document or not stored_verdict:
                report.skipped += 1
                continue
            report.checked += 1
            before = Verdict.from_dict(stored_verdict)
            document = Document.from_dict(stored_document)
            document.fields = {k: f for k, f in document.fields.items() if f.method != "rule"}
            try:
                after = rules.evaluate(document, history=IndexHistory(index, before=item.id),
                                       released=before.released, today=item.updated_at.date())  # fmt: skip
            except BusinessError as exc:  # e.g. a document of another kind than the rules read
                log.warning("item %s not replayed: %s", item.id, exc.reason, extra={"item": item.id})
                report.checked -= 1
                report.skipped += 1
                continue
            if after.decision() != before.decision():
                report.changes.append(Change(item.id, bot, str(item.payload.get("file", "")), item.status.value,
                                             before.decision(), after.decision(), _flipped(before, after)))  # fmt: skip
    log.info("replayed %d items: %d decisions would change", report.checked, len(report.changes),
             extra={"action": "replay"})  # fmt: skip
    return report


def _items(store: Store, bot: str, since: datetime | None) -> Iterator[WorkItem]:
    """The bot's items, newest first, down to ``since``."""
    offset = 0
    while True:
        items = store.list(bot=bot, limit=PAGE, offset=offset)
        if not items:
            return
        offset += len(items)
        for item in items:
            if since is not None and item.created_at < since:
                return
            yield item


def _flipped(before: Verdict, after: Verdict) -> tuple[str, ...]:
    old = {o.rule: o.ok or o.severity != "error" for o in before.outcomes}
    new = {o.rule: o.ok or o.severity != "error" for o in after.outcomes}
    return tuple(rule for rule in dict.fromkeys([*old, *new]) if old.get(rule, True) != new.get(rule, True))
