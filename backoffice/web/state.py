"""What an item's current state says and allows: the reason it waits (from its current Verdict
and approvals, not the first failure the runner recorded) and the actions a person may take.

Each ``check_*`` raises :class:`ActionRefused` exactly when the action in
:mod:`backoffice.web.actions` would be refused, so the item page offers only what will be
accepted (:func:`offered`) and the action itself runs the same check.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from backoffice.errors import BusinessError
from backoffice.queue.base import CANCEL_FROM, REJECT_FROM, RETRY_FROM, JournalEntry, Status, Store, WorkItem
from backoffice.rules import approvals
from backoffice.web.users import User

OPEN = (Status.PENDING, Status.RETRYING, Status.EXCEPTION)  # waiting: may be corrected and approved
HELD_CODES = ("approval", "needs-approval")  # the runner's codes for an item held for an approval
DESTRUCTIVE = ("cancel", "reject")  # asked to confirm first (form field confirm=1)
HOLD_SECONDS = 180.0  # opening a waiting item holds it this long for its reviewer; its page renews it
RENEW_SECONDS = 60  # how often the open page renews the hold
UNHELD = ("comment", "leave")  # what others may do on an item someone holds


class ActionRefused(BusinessError):
    """A person's action that is not allowed on this item now (shown to them as it is)."""


def rejected(item: WorkItem, journal: list[JournalEntry]) -> bool:
    """Whether a person rejected the item: its status is ``rejected``, or (a queue from before
    that status) it was cancelled with "rejected: ..." as the reason."""
    if item.status == Status.REJECTED:
        return True
    last = next((e for e in reversed(journal) if e.action == "cancel"), None)
    return item.status == Status.CANCELLED and last is not None and (last.why or "").startswith("rejected: ")


def _failing_errors(verdict: dict[str, Any]) -> list[dict[str, Any]]:
    released = verdict.get("released") or {}
    return [
        o
        for o in verdict.get("outcomes", [])
        if not o.get("ok") and not o.get("skipped") and o.get("severity") == "error" and o.get("rule") not in released
    ]


def current_reason(item: WorkItem, policy: approvals.Policy) -> tuple[str, str]:
    """(code, text): why the item waits now. For a waiting item with a Verdict: the approvals
    it lacks first, then the rules that fail now; "the rules pass now" where the recorded
    reason was a rule or an approval that no longer holds it. Otherwise the recorded reason."""
    recorded = (item.error_code or "", item.reason or "")
    verdict = item.payload.get("verdict")
    if item.status not in OPEN or not verdict:
        return recorded
    lacking = approvals.missing(item.payload, policy)
    routed = {str(r.get("rule")) for r in approvals.approval_routes(verdict)}
    failing = [o for o in _failing_errors(verdict) if o.get("rule") not in routed]  # said by `lacking`
    parts = [f"{o['rule']}: {o.get('message') or 'fails'}" for o in failing]
    if lacking:
        return "approval", "; ".join([*lacking, *parts])
    if parts:
        return f"rule:{failing[0]['rule']}", "; ".join(parts)
    code = recorded[0]
    if code.startswith("rule:") or code in HELD_CODES:
        then = "; retry to post it" if item.status in RETRY_FROM else ""
        return "", f"the rules pass now{then}"
    return recorded


def check_correct(item: WorkItem) -> None:
    if item.status not in OPEN:
        raise ActionRefused(f"item {item.id} is {item.status}: only a waiting item can be corrected", code="status")
    if not item.payload.get("document"):
        raise ActionRefused(f"item {item.id} has no extracted document to correct", code="no-document")


def check_rerun(item: WorkItem, has_rules: bool) -> None:
    if item.status not in OPEN:
        raise ActionRefused(f"item {item.id} is {item.status}: its rules are not run again here", code="status")
    if not item.payload.get("document"):
        raise ActionRefused(f"item {item.id} has no extracted document yet", code="no-document")
    if not has_rules:
        raise ActionRefused(f"bot {item.bot} has no rule file", code="no-rules")


def check_approve(item: WorkItem, user: User, policy: approvals.Policy) -> list[approvals.Need]:
    """The needs ``user`` may approve now (raises when there is none)."""
    if item.status not in OPEN:
        raise ActionRefused(f"item {item.id} is {item.status}: nothing waits for an approval", code="status")
    wanted = approvals.needs(item.payload, policy)
    if not wanted:
        raise ActionRefused(f"item {item.id} needs no approval", code="no-approval")
    if not approvals.missing(item.payload, policy):
        raise ActionRefused(f"item {item.id} is approved already: nothing is left to approve", code="approved")
    if user.name in approvals.changers(item.payload):
        raise ActionRefused(
            f"four eyes: {user.name} changed item {item.id}, so another person approves it", code="four-eyes"
        )
    failing = [
        o["rule"]
        for o in _failing_errors(item.payload.get("verdict") or {})
        if o.get("action") not in ("route", "duplicate")
    ]
    if failing:
        raise ActionRefused(f"rules still fail ({', '.join(failing)}): correct the data first", code="rules-fail")
    open_ = [n for n in wanted if approvals.satisfied(n, item.payload, policy) is None] or wanted
    # While a role's approval is open, only a holder of such a role approves (a "second person"
    # approval by anyone else alone would look like the approval the rule asks for).
    asked = [n for n in open_ if n.role] or open_
    refusals = {need: policy.refusal(user.roles, need) for need in asked}
    if all(refusals.values()):
        reasons = "; ".join(f"{need.describe()}: {refusal}" for need, refusal in refusals.items())
        raise ActionRefused(f"{user.name} may not approve item {item.id}: {reasons}", code="role")
    return [need for need in wanted if not policy.refusal(user.roles, need)]


def check_retry(item: WorkItem, policy: approvals.Policy, journal: list[JournalEntry]) -> None:
    if item.status not in RETRY_FROM:
        raise ActionRefused(f"item {item.id} is {item.status}: it cannot be retried", code="status")
    if item.status == Status.CANCELLED and rejected(item, journal):
        raise ActionRefused(f"item {item.id} was rejected: it is not retried", code="rejected")
    lacking = approvals.missing(item.payload, policy)
    if lacking:
        raise ActionRefused(f"item {item.id} is not retried: " + "; ".join(lacking), code="needs-approval")


def check_cancel(item: WorkItem) -> None:
    if item.status not in CANCEL_FROM:
        raise ActionRefused(f"item {item.id} is {item.status}: it cannot be cancelled now", code="status")


def check_reject(item: WorkItem) -> None:
    if item.status not in REJECT_FROM:
        raise ActionRefused(f"item {item.id} is {item.status}: it cannot be rejected now", code="status")


def check_held(item_id: int, user: User, holder: str | None) -> None:
    """Refuse when someone else is reviewing the item now (see ``Store.hold``)."""
    if holder and holder != user.name:
        minutes = round(HOLD_SECONDS / 60)
        raise ActionRefused(
            f"{holder} is reviewing item {item_id} now: it is theirs until they leave it (and {minutes} minutes more)",
            code="held",
        )


def take_hold(store: Store, item: WorkItem, user: User) -> str | None:
    """Hold a waiting item for a supervisor who opens it (renewing their hold); return who holds
    it now (None: nobody, the item waits on no one or the user only views). Taking it (not a
    renewal) is journaled: see :func:`hold`."""
    if item.status in OPEN and user.can("supervisor"):
        return hold(store, item.id, user.name)
    return store.holders().get(item.id)


# Holds in the journal: taking a hold, letting go of it, and an action refused because another
# person holds the item each leave a line ("hold", "let-go", "hold-refused"), where supervisors
# read the item's history. Renewals (every RENEW_SECONDS while the page is open), a hold that
# simply runs out and a page merely viewed while another holds it leave none: they would bury
# the item's history under lines that say nothing new.
def hold(store: Store, item_id: int, person: str) -> str:
    """Take or renew ``person``'s hold; journal it when they did not hold the item before."""
    before = store.holders().get(item_id)
    holder = store.hold(item_id, person, seconds=HOLD_SECONDS)
    if holder == person and before != person:
        taken_from = f" ({before}'s hold had run out)" if before else ""
        why = f"reviewing it: others may only comment for {round(HOLD_SECONDS / 60)} minutes after they leave it"
        store.note(item_id, actor=person, action="hold", why=why + taken_from)
    return holder


def let_go(store: Store, item_id: int, person: str, why: str) -> None:
    """End ``person``'s hold (journaled); another's stays."""
    if store.holders().get(item_id) == person:
        store.hold(item_id, person, seconds=0)
        store.note(item_id, actor=person, action="let-go", why=why)


def journal_refusal(store: Store, item_id: int, person: str, action: str, holder: str) -> None:
    """An action refused because ``holder`` holds the item: the conflict, journaled."""
    store.note(item_id, actor=person, action="hold-refused", why=f"{action} refused: {holder} is reviewing the item")


def check_assign(item: WorkItem) -> None:
    if item.status == Status.PROCESSING:
        raise ActionRefused(f"item {item.id} is processing: a runner holds it", code="status")


def offered(
    item: WorkItem,
    user: User,
    policy: approvals.Policy,
    journal: list[JournalEntry],
    has_rules: bool,
    holder: str | None = None,
) -> dict[str, str]:
    """Action name -> "" when it would be accepted now, else why not (``holder``: who reviews the
    item now; others may only comment)."""
    checks: dict[str, Callable[[], object]] = {
        "approve": lambda: check_approve(item, user, policy),
        "retry": lambda: check_retry(item, policy, journal),
        "correct": lambda: check_correct(item),
        "review": lambda: check_correct(item),
        "rerun": lambda: check_rerun(item, has_rules),
        "cancel": lambda: check_cancel(item),
        "reject": lambda: check_reject(item),
        "assign": lambda: check_assign(item),
        "comment": lambda: None,
    }
    out = {}
    for name, check in checks.items():
        try:
            if name not in UNHELD:
                check_held(item.id, user, holder)
            check()
            out[name] = ""
        except ActionRefused as exc:
            out[name] = str(exc)
    return out
