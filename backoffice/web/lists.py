"""The lists a supervisor works through, as the queue's finder gives them, with the one view the
queue cannot answer alone: "waiting for my approval". The finder finds the few items that may
wait for a four-eyes approval (``ItemFilter.approver``); the four-eyes rules say which of them
the approver may approve now: their roles reach it, they changed none of its data, it is not
approved already and no rule fails that a correction must fix first (``state.check_approve``)."""

from __future__ import annotations

from backoffice.queue.base import WorkItem
from backoffice.queue.finder import Judge
from backoffice.web.context import Workspace
from backoffice.web.query import ItemFilter, Page
from backoffice.web.state import ActionRefused, check_approve


def judge(ws: Workspace, approver: str) -> Judge | None:
    """Whether an item waits for ``approver``'s approval (None: no such user, so none does)."""
    user = ws.users.get(approver) if approver else None
    if user is None or not user.can("supervisor"):
        return None
    policy = ws.policy

    def waits(item: WorkItem) -> bool:
        try:
            check_approve(item, user, policy)
        except ActionRefused:
            return False
        return True

    return waits


def find(ws: Workspace, wanted: ItemFilter) -> Page:
    """The page ``wanted`` names, "waiting for my approval" judged by the four-eyes rules."""
    if not wanted.approver:
        return ws.finder.find(wanted)
    waits = judge(ws, wanted.approver)
    if waits is None:  # nobody of that name approves anything
        return Page([], 0, wanted)
    return ws.finder.find(wanted, waits)


def count(ws: Workspace, wanted: ItemFilter) -> int:
    """How many items ``wanted`` finds, as :func:`find` judges them (the views' counts)."""
    if not wanted.approver:
        return ws.finder.count(wanted)
    waits = judge(ws, wanted.approver)
    return 0 if waits is None else ws.finder.count(wanted, waits)
