"""A mail's parent item: it performs the mailbox action when intake could not (the server was
away), then waits until every document of the mail is finished. It is done when all its
children are done or cancelled by a person; while any is open it is postponed, using no attempt.

Nothing is lost silently: a parent with no child at all never completes as done; it goes to the
exception queue with its ``.eml`` (:func:`check_nothing_lost`).

The same roll-up (:func:`wait_for_children`) holds an item of a Python bot that handed work to
other bots (:mod:`backoffice.bots.python`) until those items are finished.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backoffice.errors import DocumentError, IllegalTransition
from backoffice.queue.base import Status, Store, WorkItem

WAIT_SECONDS = 30.0
MAX_WAIT_SECONDS = 600.0
FINISHED = (Status.DONE, Status.CANCELLED, Status.REJECTED)  # rejected: a person closed it


class Waiting(Exception):  # noqa: N818 - not an error: the item is postponed
    def __init__(self, reason: str, seconds: float = WAIT_SECONDS):
        self.reason = reason
        self.not_before = datetime.now(UTC) + timedelta(seconds=seconds)
        super().__init__(reason)


def is_mail_parent(item: WorkItem) -> bool:
    return item.parent_id is None and "mail_action" in item.payload


def handle(source, item: WorkItem, store: Store, owner: str) -> None:
    """Raise Waiting while the mail is not finished; DocumentError when it was no mail at all."""
    if "children" not in item.payload and "intake_error" not in item.payload:
        raise Waiting("the mail's intake is not finished yet", seconds=5)
    if not any(entry.action == "mailbox-done" for entry in store.journal(item.id)):
        store.note(item.id, actor=owner, action="mailbox-done", why=_act(source, item))
    if "intake_error" in item.payload:
        raise DocumentError(item.payload["intake_error"], code="mail-unreadable")
    check_nothing_lost(item)
    wait_for_children(store, item)


def wait_for_children(store: Store, item: WorkItem) -> None:
    """Raise Waiting while any item listed in the payload's ``children`` is not finished (the
    roll-up of a mail, and of a Python bot's item that handed work to other bots)."""
    children = [store.get(child_id) for child_id in item.payload.get("children", ())]
    waiting = [c.id for c in children if c.status not in FINISHED or not _closed_by_person(store, c)]
    if waiting:
        # A young mail is checked often, one waiting on a person for days rarely.
        age = (datetime.now(UTC) - item.created_at).total_seconds()
        raise Waiting(
            f"waiting for {len(waiting)} of {len(children)} document(s): items {', '.join(map(str, waiting))}",
            seconds=min(MAX_WAIT_SECONDS, max(WAIT_SECONDS, age / 4)),
        )


def wake_parent(store: Store, child: WorkItem, actor: str) -> None:
    """When ``child`` was the last open item its parent waited for, make the parent due now
    instead of at its next look (up to :data:`MAX_WAIT_SECONDS` away): a mail, or a Python bot's
    item, completes as soon as its last document is done, also within one ``run --once``."""
    if child.parent_id is None or child.status not in FINISHED:
        return
    parent = store.get(child.parent_id)
    now = datetime.now(UTC)
    if parent.status != Status.PENDING or parent.not_before is None or parent.not_before <= now:
        return  # not waiting (or due anyway)
    # Children finish roughly in the order they were made: looking from the newest, an open one
    # is usually met at once, so a mail of n documents costs O(n) gets in all, not O(n^2).
    siblings = (i for i in reversed(parent.payload.get("children", ())) if i != child.id)
    if any(store.get(i).status not in FINISHED for i in siblings):
        return
    try:
        store.due_now(parent.id, actor=actor, why=f"item {child.id}, the last it waited for, is finished")
    except IllegalTransition:
        pass  # a runner took it meanwhile: it looks now anyway


def check_nothing_lost(item: WorkItem) -> None:
    """The invariant of intake, checked where the parent would complete: a mail yields at least
    one document item (or refused part) or it is an exception item with its reason and .eml."""
    if not item.payload.get("children"):
        mail = item.payload.get("mail") or {}
        raise DocumentError(
            f"{mail.get('folder', '?')} UID {mail.get('uid', '?')}: the mail yielded no document and no reason; "
            "it is kept with its .eml for a person (nothing is lost silently)",
            code="mail-nothing-taken",
        )


def _closed_by_person(store: Store, child: WorkItem) -> bool:
    """A done child is finished; a cancelled one only when a person (not a source) cancelled it."""
    if child.status != Status.CANCELLED:
        return True
    cancels = [e for e in store.journal(child.id) if e.to_status == Status.CANCELLED]
    return bool(cancels) and not cancels[-1].actor.startswith("source:")


def _act(source, item: WorkItem) -> str:
    """Find the mail again (by Message-ID, else by UID while UIDVALIDITY holds) and move or flag it."""
    mail = item.payload["mail"]
    with source.mailbox(mail["folder"]) as box:
        if mail.get("message_id"):
            uids = box.find_message_id(mail["message_id"])
        else:
            uids = [mail["uid"]] if box.uidvalidity == mail.get("uidvalidity") else []
        if not uids:
            return "the mail had already left the folder"
        source.act(box, [(uid, item) for uid in uids])
    return source.describe_action(item)
