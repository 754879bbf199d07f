"""A finished child makes the parent that waits for it due at once, and only when it was the last
open one; a mail of many documents does not read all its siblings at every completion."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backoffice.bots.mail_parent import wake_parent
from backoffice.queue.base import NewItem, Status
from backoffice.queue.memory import MemoryStore


class CountingStore(MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.gets = 0

    def get(self, item_id: int):
        self.gets += 1
        return super().get(item_id)


def test_the_last_child_wakes_the_parent_and_the_reads_grow_linearly():
    store = CountingStore()
    later = datetime.now(UTC) + timedelta(minutes=10)
    children = [NewItem(bot="docs", source_key=f"doc-{n}") for n in range(60)]
    [(parent, _)] = store.enqueue_families([(NewItem(bot="mail", source_key="m1", not_before=later), children)])
    store.gets = 0
    for n in range(60):
        [child] = store.claim("r", bots=["docs"])
        done = store.complete(child.id, "r")
        wake_parent(store, done, "r")
        waiting = store.get(parent.id)
        if n < 59:
            assert waiting.not_before == later, f"woken while {59 - n} children were still open"
    assert waiting.status == Status.PENDING
    assert waiting.not_before is None or waiting.not_before <= datetime.now(UTC)
    assert [e.action for e in store.journal(parent.id)][-1] == "due-now"
    # One parent read and about one sibling read per completion (plus the test's own read);
    # reading every sibling each time would be 60 * 59 / 2 = 1,770.
    assert store.gets <= 4 * 60
