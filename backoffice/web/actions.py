"""What a supervisor does to an item, each journaled with their name.

- **correct** a field, or a cell of a line item named by its path (``lines[2].amount``, lines
  counted from 0, or ``line.3.amount``, counted from 1: :mod:`backoffice.documents.cells`): the new value goes into the document (method ``correction``), the first
  extraction stays in ``payload["document_original"]`` and every change is kept in
  ``payload["corrections"]`` (who, field, old, new, why, at); then the rules run again.
- **review** the whole document in one pass: the corrections made (one "why"), and the fields
  the person looked at and kept, recorded in ``payload["confirmed"]`` (field -> who); then the
  rules run again.
- **rerun** the rules on the (corrected) data: the Verdict is replaced, nothing is posted.
- **approve** (four eyes, see :mod:`backoffice.rules.approvals`): where the item needs an
  approval (a rule routes it to one, or someone corrected a sensitive field), by someone who
  did not change its data and, for a rule's route, holds the role it names within the role's
  limit. The approval records a hash of what it covers; the next correction voids it, and the
  journal says so ("approval by bob voided: alice changed iban").
- **retry** (refused while the approvals the item needs are missing: the runner would refuse
  to post it), **cancel**, **reject** (for good: status `rejected`, optionally replying to the sender), **assign**,
  **comment**.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from backoffice.bots import mail_parent
from backoffice.documents import cells
from backoffice.documents.models import Document, Field, follow, typed
from backoffice.documents.registry import field_types, line_field_types
from backoffice.errors import BusinessError
from backoffice.mail.send import rejection_reply, send
from backoffice.queue.base import CANCEL_FROM, RETRY_FROM, Status, WorkItem
from backoffice.rules import Verdict, approvals
from backoffice.rules.duplicates import QueueHistory
from backoffice.web import state
from backoffice.web.context import Workspace
from backoffice.web.state import ActionRefused
from backoffice.web.users import User

log = logging.getLogger(__name__)
MAX_TEXT = 2000


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _text(value: str, what: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ActionRefused(f"{what} is required", code="missing")
    if len(value) > MAX_TEXT:
        raise ActionRefused(f"{what} is longer than {MAX_TEXT} characters", code="too-long")
    return value


def needs_approval(ws: Workspace, item: WorkItem) -> bool:
    """Whether the item needs an approval (a rule's route, or a corrected sensitive field)."""
    return bool(approvals.needs(item.payload, ws.policy))


def correctors(item: WorkItem) -> set[str]:
    return approvals.changers(item.payload)


def missing(ws: Workspace, item: WorkItem) -> list[str]:
    """What still stops the item from being posted (the approvals it lacks), [] when nothing."""
    return approvals.missing(item.payload, ws.policy)


def _checked(document: dict, name: str, value: str) -> tuple[str, str]:
    """The field's name (or a line cell's path, ``lines[2].amount``) and new value, refused when
    either is not one the document's kind takes."""
    name = _text(name, "the field")
    line = line_cell(name)
    if line:
        kind_fields = line_field_types(document.get("kind", ""))
        count = len(_line_fields(document))
        if line.field is None:
            raise ActionRefused(f"{name}: name a cell of the line ({cells.SPELLINGS})", code="field")
        if line.index >= count:
            raise ActionRefused(f"{name}: the document has {count} line(s): line.1 to line.{count}, "
                                f"or lines[0] to lines[{count - 1}]", code="field")  # fmt: skip
        if line.field not in kind_fields:
            raise ActionRefused(f"{line.field} is not a field of a line of a {document.get('kind')} document",
                                code="field")  # fmt: skip
        kind = kind_fields[line.field]
        name = line.path  # either spelling makes the same correction
    else:
        kind_fields = field_types(document.get("kind", ""))
        if name not in kind_fields:
            raise ActionRefused(f"{name} is not a field of a {document.get('kind')} document", code="field")
        kind = kind_fields[name]
    value = _text(value, "the new value")
    try:
        if typed(value, kind) is None:
            raise ValueError(value)
    except ValueError:
        shape = {"date": "a date (YYYY-MM-DD)", "money": "an amount (1234.56)", "number": "a number"}.get(kind, kind)
        raise ActionRefused(f"{name} must be {shape}, not {value!r}", code="value") from None
    return name, value


def _line_fields(document: dict) -> list[dict]:
    """The lines' cells as field dicts (``line_fields``; an older item kept only ``lines`` values)."""
    if document.get("line_fields"):
        return [dict(line) for line in document["line_fields"]]
    return [{n: Field(str(v)).to_dict() for n, v in line.items()} for line in document.get("lines") or []]


def current_value(document: dict, name: str) -> str | None:
    """The value of a field or of a line cell (``lines[2].amount``, ``line.3.amount``) as it is
    now, None when absent."""
    line = line_cell(name)
    if line:
        lines = _line_fields(document)
        cell = lines[line.index].get(line.field or "") if line.index < len(lines) else None
    else:
        cell = (document.get("fields") or {}).get(name)
    return (cell or {}).get("value")


def line_cell(name: str) -> cells.LineCell | None:
    """The line cell ``name`` names in either spelling (see :mod:`backoffice.documents.cells`),
    None for a header field; refused when it starts like a line's and is not one."""
    try:
        return cells.parse(name)
    except cells.BadCellName as exc:
        raise ActionRefused(str(exc), code="field") from None


def _corrected(before: dict | None, value: str) -> dict:
    old = Field.from_dict(before) if before else None
    return Field(
        value, 1.0, old.page if old else None, old.bbox if old else None, old.text if old else "", "correction"
    ).to_dict()


def _apply(ws: Workspace, item: WorkItem, user: User, name: str, value: str, why: str) -> WorkItem:
    """Write one checked correction into the item (journaled; live approvals voided)."""
    document = item.payload["document"]
    line = line_cell(name)
    if line and line.field:
        index, cell = line.index, line.field
        lines = _line_fields(document)
        old = lines[index].get(cell)
        lines[index] = {**lines[index], cell: _corrected(old, value)}
        values = [{n: f.get("value") for n, f in each.items()} for each in lines]
        changed = {**document, "line_fields": lines, "lines": values}
    else:
        old = document.get("fields", {}).get(name)
        fields = follow({**document.get("fields", {}), name: _corrected(old, value)}, name)  # an amount due it made
        changed = {**document, "fields": fields}
    correction = {"who": user.name, "field": name, "old": old.get("value") if old else None, "new": value,
                  "why": why, "at": _now()}  # fmt: skip
    unvoided, voided = approvals.void(item.payload, user.name, name)
    payload = {**unvoided, "document": changed, "corrections": [*item.payload.get("corrections", []), correction]}
    payload.setdefault("document_original", document)
    item = ws.store.amend(item.id, actor=user.name, action="correct", payload=payload,
                          why=f"{name}: {correction['old']!r} -> {value!r}: {why}")  # fmt: skip
    for note in voided:
        ws.store.note(item.id, actor=user.name, action="approval-voided", why=note)
    return item


def correct(ws: Workspace, item_id: int, user: User, name: str, value: str, why: str) -> WorkItem:
    item = ws.store.get(item_id)
    state.check_correct(item)
    name, value = _checked(item.payload["document"], name, value)
    why = _text(why, "why")
    return rerun(ws, item_id, user, item=_apply(ws, item, user, name, value, why))


def _wanted(document: dict, values: dict[str, str]) -> dict[str, str]:
    """The checked new values that differ from the current ones (blank ones left out); a bad
    one refuses them all."""
    wanted = dict(_checked(document, n, v) for n, v in values.items() if (v or "").strip())
    return {n: v for n, v in wanted.items() if current_value(document, n) != v}


def correct_fields(ws: Workspace, item_id: int, user: User, values: dict[str, str], why: str) -> WorkItem:
    """Several fields (and line cells) at once with one "why": all are checked before any is
    written (a bad one changes nothing), a value equal to the current one is left out, then the
    rules run once."""
    item = ws.store.get(item_id)
    state.check_correct(item)
    wanted = _wanted(item.payload["document"], values)
    if not wanted:
        raise ActionRefused("no field was given a new value", code="missing")
    why = _text(why, "why")
    for name, value in wanted.items():
        item = _apply(ws, item, user, name, value, why)
    return rerun(ws, item_id, user, item=item)


def review(ws: Workspace, item_id: int, user: User, values: dict[str, str], why: str, seen: list[str]) -> WorkItem:
    """One pass over the whole document: the new values in ``values`` are corrected with one
    ``why`` (needed only when something changes), every other field or cell in ``seen`` (the
    ones the form showed) is confirmed as it is, then the rules run again (where the bot has
    rules)."""
    item = ws.store.get(item_id)
    state.check_correct(item)
    document = item.payload["document"]
    wanted = _wanted(document, values)
    why = _text(why, "why") if wanted else _text(why, "why", required=False)
    for name, value in wanted.items():
        item = _apply(ws, item, user, name, value, why)
    kept = sorted({n for n in seen if n not in wanted and current_value(document, n) is not None})
    if kept:
        confirmed = {**(item.payload.get("confirmed") or {}), **dict.fromkeys(kept, user.name)}
        item = ws.store.amend(
            item_id,
            actor=user.name,
            action="review",
            payload={**item.payload, "confirmed": confirmed},
            why=f"confirmed {len(kept)} value(s) as read" + (f"; corrected {', '.join(wanted)}" if wanted else ""),
        )
    try:
        has_rules = ws.rules_for(item.bot) is not None
    except BusinessError:  # an unknown bot or an invalid rule file: the review is kept, not re-run
        has_rules = False
    return rerun(ws, item_id, user, item=item) if has_rules else item


def rerun(ws: Workspace, item_id: int, user: User, *, item: WorkItem | None = None) -> WorkItem:
    """Evaluate the bot's rules again on the item's document and keep the new Verdict."""
    item = item or ws.store.get(item_id)
    rules = ws.rules_for(item.bot)
    state.check_rerun(item, rules is not None)
    assert rules is not None  # check_rerun refuses an item whose bot has no rule file
    document = Document.from_dict(item.payload["document"])
    released = approvals.released(item.payload, ws.store.journal(item_id), ws.policy)
    verdict = rules.evaluate(document, history=QueueHistory(ws.store, item.bot, before=item.id), released=released)
    verdict.apply_to(document)
    payload = {**item.payload, "document": document.to_dict(), "verdict": verdict.to_dict()}
    return ws.store.amend(item_id, actor=user.name, action="rerun-rules", payload=payload, why=verdict.decision())


def verdict_of(item: WorkItem) -> Verdict | None:
    data = item.payload.get("verdict")
    return Verdict.from_dict(data) if data else None


def approve(ws: Workspace, item_id: int, user: User, why: str = "") -> WorkItem:
    item = ws.store.get(item_id)
    why = _text(why, "why", required=False)
    mine = state.check_approve(item, user, ws.policy)
    wanted = approvals.needs(item.payload, ws.policy)
    used = sorted({need.role for need in mine if need.role})
    entry = approvals.entry(item.payload, user.name, user.roles, used, [n.rule for n in mine], _now(), why)
    payload = {**item.payload, "approvals": [*item.payload.get("approvals", []), entry]}
    role = f" as {', '.join(used)}" if used else ""
    left = [need.describe() for need in wanted if need not in mine]
    note = f"approved{role}: {', '.join(n.rule for n in mine)}; covers {entry['covers'][:12]}"
    note += f"; still needs {', '.join(left)}" if left else ""
    return ws.store.amend(
        item_id, actor=user.name, action="approve", payload=payload, why=note + (f" ({why})" if why else "")
    )


def retry(ws: Workspace, item_id: int, user: User, why: str = "") -> WorkItem:
    item = ws.store.get(item_id)
    why = _text(why, "why", required=False)
    state.check_retry(item, ws.policy, ws.store.journal(item_id))
    granted = approvals.current(item.payload)
    if granted and not why:
        why = "approved by " + ", ".join(a["who"] for a in granted)
    return ws.store.retry(item_id, actor=user.name, why=why)


def cancel(ws: Workspace, item_id: int, user: User, why: str = "") -> WorkItem:
    state.check_cancel(ws.store.get(item_id))
    cancelled = ws.store.cancel(item_id, actor=user.name, why=_text(why, "why", required=False))
    mail_parent.wake_parent(ws.store, cancelled, user.name)  # the mail waiting for it may be finished
    return cancelled


def reject(ws: Workspace, item_id: int, user: User, why: str, reply: bool = False) -> WorkItem:
    """Reject the item for good (status ``rejected``, the reason given); with ``reply`` first
    answer the mail it came from."""
    why = _text(why, "the reason")
    item = ws.store.get(item_id)
    state.check_reject(item)
    sent_to = ""
    if reply:
        if ws.settings.smtp is None:
            raise ActionRefused("no SMTP server is set up for replies (backoffice ui --smtp-host)", code="no-smtp")
        message = rejection_reply(_with_reason(item, why))
        send(ws.settings.smtp, message)
        sent_to = f" (reply sent to {message['To']})"
    rejected = ws.store.reject_item(item_id, actor=user.name, why=f"{why}{sent_to}")
    mail_parent.wake_parent(ws.store, rejected, user.name)
    return rejected


def _with_reason(item: WorkItem, reason: str) -> WorkItem:
    from dataclasses import replace

    return replace(item, reason=reason)


def assign(ws: Workspace, item_id: int, user: User, to: str) -> WorkItem:
    to = _text(to, "the person")
    known = {u.name for u in ws.users.list()}
    if to not in known:
        raise ActionRefused(f"no user named {to}", code="unknown-user")
    item = ws.store.get(item_id)
    state.check_assign(item)
    return ws.store.amend(item_id, actor=user.name, action="assign", payload={**item.payload, "assignee": to},
                          why=f"assigned to {to}")  # fmt: skip


def hold(ws: Workspace, item_id: int, user: User) -> WorkItem:
    """Take or renew the user's hold on a waiting item (refused, naming the holder, when someone
    else holds it)."""
    item = ws.store.get(item_id)
    if item.status not in state.OPEN:
        raise ActionRefused(f"item {item_id} is {item.status}: nobody reviews it now", code="status")
    holder = state.hold(ws.store, item_id, user.name)
    state.check_held(item_id, user, holder)
    return item


def let_go(ws: Workspace, item_id: int, user: User, why: str = "left it to others") -> None:
    """End the user's hold (after an action that finishes the item); another's stays."""
    state.let_go(ws.store, item_id, user.name, why)


def comment(ws: Workspace, item_id: int, user: User, text: str) -> WorkItem:
    ws.store.note(item_id, actor=user.name, action="comment", why=_text(text, "the comment"))
    return ws.store.get(item_id)


BULK = {"retry": retry, "cancel": cancel, "assign": assign}


def bulk_check(item: WorkItem, action: str, policy: approvals.Policy, me: str = "", holder: str | None = None) -> str:
    """Why the bulk action would not touch this item ("" when it would); ``holder``: who
    reviews it now (an item another person holds is theirs)."""
    if holder and holder != me:
        return f"{holder} is reviewing it now"
    if action == "retry":
        if item.status not in RETRY_FROM:
            return f"{item.status}: cannot be retried"
        if approvals.missing(item.payload, policy):
            return "needs an approval first"
    if action == "cancel" and item.status not in CANCEL_FROM:
        return f"{item.status}: cannot be cancelled"
    if action == "assign" and item.status == Status.PROCESSING:
        return "a runner holds it"
    return ""
