"""An item's way through the queue as the runner takes it, one step at a time, with learned
layouts: for ``bench/learning.py`` and the learning tests (the runner itself calls the same
hooks, :mod:`backoffice.learning.hooks`)."""

from __future__ import annotations

from pathlib import Path

from backoffice.documents import extract
from backoffice.documents.models import Document
from backoffice.learning.hooks import after_done, read_learned
from backoffice.learning.layout import Layout
from backoffice.queue.base import NewItem, Store, WorkItem

OWNER = "learning-flow"


def intake(store: Store, bot: str, path: Path) -> tuple[WorkItem, Document]:
    """Queue the file, read it (learned layouts first) and keep the document in the item."""
    item, _ = store.enqueue(NewItem(bot, str(path), payload={"file": path.name}))
    claimed = store.claim(OWNER, bots=[bot])
    assert claimed and claimed[0].id == item.id, "the queue holds another item of this bot"
    document = extract(path)
    learned = read_learned(store, path, document)
    payload = {**item.payload, "document": document.to_dict()}
    if learned is not None:
        payload["learned"] = learned
    return store.update(item.id, OWNER, payload=payload), document


def hold(store: Store, item: WorkItem, reason: str = "a person checks it") -> WorkItem:
    """To the exception queue, where a person corrects it."""
    return store.to_exception(item.id, OWNER, reason=reason, code="check")


def finish(store: Store, item: WorkItem, path: Path, actor: str) -> tuple[WorkItem, Layout | None]:
    """A waiting item retried by ``actor``, taken again and completed: the runner's ``done``
    (and the lesson learned from it)."""
    store.retry(item.id, actor=actor, why="corrected")
    claimed = store.claim(OWNER, bots=[item.bot])
    assert claimed and claimed[0].id == item.id, "the queue holds another item of this bot"
    done = store.complete(item.id, OWNER)
    return done, after_done(store, done, path)


def complete(store: Store, item: WorkItem, path: Path) -> tuple[WorkItem, Layout | None]:
    """An item the runner completes straight away (nobody looked at it)."""
    done = store.complete(item.id, OWNER)
    return done, after_done(store, done, path)
