"""A supervisor's correction from a script: the same journaled correction the UI makes
(:func:`backoffice.web.actions.correct`), for ``backoffice queue correct`` and the benchmark."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from backoffice.queue.base import Store, WorkItem
from backoffice.rules import RuleSet
from backoffice.rules.approvals import Policy
from backoffice.web.actions import ActionRefused, correct
from backoffice.web.users import User


@dataclass
class Desk:
    """What the correction needs of the UI's workspace: the queue, each bot's rules and the
    deployment's four-eyes policy (bots.yaml ``approvals``)."""

    store: Store
    rules: Callable[[str], RuleSet | None] = lambda bot: None
    policy: Policy = field(default_factory=Policy)

    def rules_for(self, bot: str) -> RuleSet | None:
        return self.rules(bot)


def correct_fields(desk: Desk, item_id: int, changes: Mapping[str, str], *, why: str, actor: str) -> WorkItem:
    """Correct each field of ``changes`` as ``actor`` (journaled, kept in the item's
    ``corrections``), then run the bot's rules again once (a bot without rules skips that)."""
    if not changes:
        raise ActionRefused("name at least one FIELD=VALUE to correct", code="missing")
    user = User(actor, "supervisor")
    item = desk.store.get(item_id)
    for name, value in changes.items():
        try:
            # correct() uses only a Workspace's store, rules_for and policy, which a Desk has.
            item = correct(desk, item_id, user, name, value, why)  # type: ignore[arg-type]
        except ActionRefused as exc:
            if exc.code != "no-rules":
                raise
            item = desk.store.get(item_id)
    return item


def parse_changes(pairs: list[str]) -> dict[str, str]:
    """``["grand_total=12.50", ...]`` -> ``{"grand_total": "12.50"}``; a pair without ``=`` is refused."""
    changes = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ActionRefused(f"{pair!r}: write FIELD=VALUE", code="value")
        changes[name.strip()] = value
    return changes
