"""Leader election among runners sharing one queue: a lease row (table ``leases``).

Every runner calls :meth:`Leader.poll` about three times per lease; the holder renews its lease,
the others take it over once it has expired. So exactly one live runner fires the schedules,
and when it dies (SIGKILL, a lost machine) another one leads within ``lease_seconds``. A leader
that could not renew in time (paused, cut off) learns at its next poll that it lost the lease;
the schedule ticks are recorded once per ``(bot, tick)`` in the database, so even two runners
that both believe they lead for a moment never fire one tick twice.
"""

from __future__ import annotations

import logging

from backoffice.bots.registry import Registry

log = logging.getLogger(__name__)

LEASE = "scheduler"


class Leader:
    def __init__(self, registry: Registry, owner: str, lease_seconds: float, *, name: str = LEASE):
        self.registry, self.owner, self.lease_seconds, self.name = registry, owner, lease_seconds, name
        self.leading = False

    def poll(self) -> bool:
        """Take or renew the lease; returns whether this runner leads now."""
        try:
            leading = self.registry.acquire(self.name, self.owner, self.lease_seconds)
        except Exception:
            log.exception("cannot reach the lease table; not leading", extra={"action": "leader"})
            leading = False
        if leading != self.leading:
            log.info("%s %s the schedules", self.owner, "now fires" if leading else "no longer fires",
                     extra={"action": "leader"})  # fmt: skip
        self.leading = leading
        return leading

    def resign(self) -> None:
        if self.leading:
            self.registry.release(self.name, self.owner)
            self.leading = False
            log.info("%s resigned as leader", self.owner, extra={"action": "leader"})


__all__ = ["LEASE", "Leader"]
