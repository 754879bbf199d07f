"""What runners sharing one queue tell each other: see :mod:`backoffice.queue.registry` (each
backend gives its own with ``Store.registry()``)."""

from backoffice.queue.registry import Registry, RunnerInfo, TickRecord

__all__ = ["Registry", "RunnerInfo", "TickRecord"]
