"""Sources that are down: told once per outage, and shown by ``backoffice status``.

When a source's ``collect`` fails, the first failure of an outage is logged as a WARNING with
its reason (with the traceback only when it is no known outage, that is no ApplicationError such
as an unreachable mailbox: then it is a bug worth its traceback, once); the following polls
fail quietly; the first poll that works again logs an INFO with how long the source was down.
The outage is recorded in the registry (:meth:`~backoffice.bots.registry.Registry.source_down`)
so that ``backoffice status``, in any process, shows which source is down, since when and why.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from backoffice.errors import ApplicationError
from backoffice.queue.base import Store

if TYPE_CHECKING:
    from backoffice.bots.registry import Registry

log = logging.getLogger(__name__)


class SourceDown(ApplicationError):
    """A scheduled run found its source down; the outage is logged once by :class:`Outages`."""


def reason_of(exc: BaseException) -> str:
    return str(getattr(exc, "reason", "") or exc) or type(exc).__name__


class Outages:
    """The outage state of each bot's source, in this runner."""

    def __init__(self, store: Store, clock: Callable[[], float] = time.time):
        self.store, self.clock = store, clock
        self.since: dict[str, float] = {}
        self._cleared: set[str] = set()  # bots whose record this process has cleared once
        self._registry: Registry | None = None

    def failed(self, bot: str, exc: BaseException) -> None:
        """A poll of ``bot``'s source failed with ``exc``."""
        if bot in self.since:
            log.debug("source of bot %s still down: %s", bot, reason_of(exc), extra={"bot": bot, "action": "collect"})
            return
        self.since[bot] = now = self.clock()
        reason = reason_of(exc)
        log.warning(
            "source of bot %s is down: %s",
            bot,
            reason,
            exc_info=not isinstance(exc, ApplicationError),
            extra={"bot": bot, "action": "source-down"},
        )
        self._record(lambda registry: registry.source_down(bot, reason, now))

    def worked(self, bot: str) -> None:
        """A poll of ``bot``'s source worked."""
        since = self.since.pop(bot, None)
        if since is not None:
            started = datetime.fromtimestamp(since, UTC).isoformat(timespec="seconds")
            log.info(
                "source of bot %s is back after %.0f s (down since %s)",
                bot,
                self.clock() - since,
                started,
                extra={"bot": bot, "action": "source-up"},
            )
        if since is not None or bot not in self._cleared:  # also an outage an earlier runner recorded
            self._cleared.add(bot)
            self._record(lambda registry: registry.source_up(bot))

    def _record(self, write: Callable) -> None:
        from backoffice.bots.registry import Registry

        try:
            if self._registry is None:
                self._registry = Registry.for_store(self.store, clock=self.clock)
            write(self._registry)
        except Exception as exc:  # noqa: BLE001 - the queue's database may be what is down
            log.debug("cannot record the source's state: %s", exc)

    def close(self) -> None:
        if self._registry is not None:
            self._registry.close()
            self._registry = None
