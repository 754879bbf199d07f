"""What a runner tells about its work as it does it: how long each stage of an item took, and
how each item ended. The runner calls its ``observer`` (this base class does nothing);
:class:`backoffice.metrics.Metrics` is one that counts into Prometheus metrics. A worker
process handling items for a runner uses a :class:`Recorder` and hands what it recorded back
with each item, for the runner's own observer (:mod:`backoffice.bots.workers`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from backoffice.queue.base import Status, WorkItem

STAGES = ("extract", "rules", "post")


class Observer:
    """Told by the runner about each stage it timed and each item it finished."""

    def stage(self, bot: str, stage: str, seconds: float) -> None:
        """One stage (``extract``, ``rules``, ``post``) of an item of ``bot`` took ``seconds``."""

    def item(self, bot: str, status: Status, code: str | None, seconds: float) -> None:
        """An item of ``bot`` ended ``status`` (``code``: the reason's code) after ``seconds``."""

    @contextmanager
    def timed(self, bot: str, stage: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.stage(bot, stage, time.perf_counter() - start)

    def finished(self, item: WorkItem, seconds: float) -> None:
        self.item(item.bot, item.status, item.error_code, seconds)


class Recorder(Observer):
    """Keeps the stages it is told of, to be replayed into another observer."""

    def __init__(self) -> None:
        self.stages: list[tuple[str, str, float]] = []

    def stage(self, bot: str, stage: str, seconds: float) -> None:
        self.stages.append((bot, stage, seconds))

    def take(self) -> list[tuple[str, str, float]]:
        taken, self.stages = self.stages, []
        return taken


__all__ = ["STAGES", "Observer", "Recorder"]
