"""A supervisor's correction from a script: the same journaled correction the UI makes
(:func:`backoffice.web.actions.correct`), for ``backoffice queue correct`` and the benchmark.

A line item's field is named ``line.N.FIELD`` (``line.2.amount=12.50``; N counts from 1, one
past the last line adds a line) or, as the UI's review form names it, ``lines[N].FIELD`` (N from
0: ``lines[1].amount`` is the same cell); ``line.N=delete`` (or ``lines[N]=delete``) drops a line.
Both spellings are read by :mod:`backoffice.documents.cells` and make the same correction
(recorded as ``lines[N].FIELD``): journaled, kept in the item's ``corrections``, live approvals
voided; it teaches the layout's line table once the item is done.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from backoffice.documents import cells
from backoffice.documents.models import LINE_FIELDS_BY_KIND, Field, typed
from backoffice.queue.base import Store, WorkItem
from backoffice.rules import RuleSet, approvals
from backoffice.rules.approvals import Policy
from backoffice.web import state
from backoffice.web.actions import ActionRefused, correct, rerun
from backoffice.web.users import User

DELETE = "delete"


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
    lines = {n: v for n, v in changes.items() if _line_key(n) is not None}
    if lines:
        item = correct_lines(desk, item_id, lines, why=why, actor=actor)
        changes = {n: v for n, v in changes.items() if n not in lines}
        if not changes:
            return _rerun(desk, item_id, user)
    for name, value in changes.items():
        try:
            # correct() uses only a Workspace's store, rules_for and policy, which a Desk has.
            item = correct(desk, item_id, user, name, value, why)  # type: ignore[arg-type]
        except ActionRefused as exc:
            if exc.code != "no-rules":
                raise
            item = desk.store.get(item_id)
    return item


def _rerun(desk: Desk, item_id: int, user: User) -> WorkItem:
    try:
        return rerun(desk, item_id, user)  # type: ignore[arg-type]  # a Desk has what rerun uses
    except ActionRefused as exc:
        if exc.code != "no-rules":
            raise
        return desk.store.get(item_id)


def correct_lines(desk: Desk, item_id: int, changes: Mapping[str, str], *, why: str, actor: str) -> WorkItem:
    """Correct line items (``line.N.FIELD`` or ``lines[N].FIELD`` -> value, ``line.N`` ->
    ``delete``) as ``actor``, in one journaled change; every value is checked before any is
    written."""
    item = desk.store.get(item_id)
    state.check_correct(item)
    if not why.strip():
        raise ActionRefused("say why (--why)", code="missing")
    document = item.payload["document"]
    kind = document.get("kind", "")
    types = LINE_FIELDS_BY_KIND.get(kind, {})
    lines: list[dict[str, Any]] = [dict(line) for line in document.get("line_fields") or []]
    now = datetime.now(UTC).isoformat(timespec="seconds")
    made, dropped = [], []
    keyed = {name: _cell(name) for name in changes}
    for name, value in sorted(changes.items(), key=lambda pair: (keyed[pair[0]].index, keyed[pair[0]].field or "")):
        cell = keyed[name]
        number, column = cell.number, cell.field
        if column is None:
            if value.strip().lower() != DELETE or not 1 <= number <= len(lines):
                raise ActionRefused(f"{name}={value}: write {name}=delete to drop line {number}", code="value")
            dropped.append(number)
            made.append({"who": actor, "field": cell.path, "old": _shown(lines[number - 1]), "new": None, "why": why,
                         "at": now})  # fmt: skip
            continue
        if column not in types:
            raise ActionRefused(f"{column} is not a field of a line of a {kind} document", code="field")
        if not 1 <= number <= len(lines) + 1:
            raise ActionRefused(f"{name}: the document has {len(lines)} lines; add line {len(lines) + 1} first",
                                code="field")  # fmt: skip
        try:
            if typed(value.strip(), types[column]) is None:
                raise ValueError(value)
        except ValueError:
            raise ActionRefused(f"{name} must be {types[column]}, not {value!r}", code="value") from None
        if number == len(lines) + 1:
            lines.append({})
        old = lines[number - 1].get(column)
        before = Field.from_dict(old) if old else None
        lines[number - 1][column] = Field(value.strip(), 1.0, before.page if before else None,
                                          before.bbox if before else None, before.text if before else "",
                                          "correction").to_dict()  # fmt: skip
        made.append({"who": actor, "field": cell.path, "old": before.value if before else None, "new": value.strip(),
                     "why": why, "at": now})  # fmt: skip
    lines = [line for number, line in enumerate(lines, start=1) if number not in dropped]
    corrected = {
        **document,
        "line_fields": lines,
        "lines": [{n: f["value"] for n, f in line.items()} for line in lines],
    }
    unvoided, voided = approvals.void(item.payload, actor, "the lines")
    payload = {**unvoided, "document": corrected, "corrections": [*item.payload.get("corrections", []), *made]}
    payload.setdefault("document_original", document)
    what = ", ".join(f"{c['field']}: {c['old']!r} -> {c['new']!r}" for c in made)
    item = desk.store.amend(item.id, actor=actor, action="correct", payload=payload, why=f"{what}: {why}")
    for note in voided:
        desk.store.note(item.id, actor=actor, action="approval-voided", why=note)
    return item


def _line_key(name: str) -> cells.LineCell | None:
    """The line cell of ``name`` in either spelling, None for a header field."""
    try:
        return cells.parse(name)
    except cells.BadCellName as exc:
        raise ActionRefused(f"{exc}; line.N=delete drops a line", code="field") from None


def _cell(name: str) -> cells.LineCell:
    cell = _line_key(name)
    if cell is None:
        raise ActionRefused(f"{name}: write {cells.SPELLINGS}, or line.N=delete", code="field")
    return cell


def _shown(line: dict[str, Any]) -> str:
    return ", ".join(f"{n}={f.get('value')}" for n, f in line.items())


def parse_changes(pairs: list[str]) -> dict[str, str]:
    """``["grand_total=12.50", ...]`` -> ``{"grand_total": "12.50"}``; a pair without ``=`` is refused."""
    changes = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ActionRefused(f"{pair!r}: write FIELD=VALUE", code="value")
        changes[name.strip()] = value
    return changes
