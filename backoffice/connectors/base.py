"""The two connector interfaces: a Source finds work, a Target posts results.

Adding a connector is one module: the class and its ``Settings`` model (a pydantic model with
a ``kind`` field). Built-ins are listed in :data:`backoffice.connectors.SOURCES` and
:data:`~backoffice.connectors.TARGETS`; a third-party connector is named in bots.yaml by its
dotted path, ``kind: mypackage.erp:ErpTarget``.
"""

from __future__ import annotations

import abc
import hashlib
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationInfo

from backoffice.queue.base import NewItem, Store, StoredFile, WorkItem
from backoffice.queue.files import FileStore

if TYPE_CHECKING:
    from backoffice.documents.models import Document


def known_connection(value: str | None, info: ValidationInfo) -> str | None:
    """Validator for a ``connection`` field: the name must be one of bots.yaml's connections.
    Use in a settings model as ``_known = field_validator("connection")(known_connection)``."""
    known = (info.context or {}).get("connections")
    if value is not None and known is not None and value not in known:
        raise ValueError(f"no connection named {value!r} (known: {', '.join(sorted(known)) or 'none'})")
    return value


class Settings(BaseModel):
    """Base of every connector's settings model: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid")


@dataclass
class Context:
    """What a connector may use: the bot's name, the workspace, its files and named connections."""

    bot: str
    workspace: Path
    files: FileStore
    connections: dict[str, Any] = field(default_factory=dict)
    max_attempts: int = 5
    run: str = "adhoc"  # the current Run's id, set by the runner (the files target names files by it)

    def connection(self, name: str) -> Any:
        """The named connection of bots.yaml (``url``, ``username``, ``password``)."""
        try:
            return self.connections[name]
        except KeyError:
            known = ", ".join(sorted(self.connections)) or "none"
            raise ValueError(f"no connection named {name!r} in bots.yaml (known: {known})") from None

    @property
    def log(self) -> logging.LoggerAdapter:
        return logging.LoggerAdapter(logging.getLogger("backoffice.connectors"), {"bot": self.bot})


class Intake:
    """How a Source adds work: files go to the file store, items to the queue (deduplicated)."""

    def __init__(self, store: Store, context: Context):
        self.store, self.context = store, context

    def add(
        self,
        source_key: str,
        *,
        files: tuple[StoredFile, ...] = (),
        payload: dict[str, Any] | None = None,
        parent_id: int | None = None,
        priority: int = 0,
    ) -> tuple[WorkItem, bool]:
        return self.store.enqueue(
            NewItem(
                bot=self.context.bot,
                source_key=source_key,
                payload=payload or {},
                files=files,
                parent_id=parent_id,
                priority=priority,
                max_attempts=self.context.max_attempts,
            ),
            actor=f"source:{self.context.bot}",
        )


class Source(abc.ABC):
    """Finds new work and hands it to the queue through an :class:`Intake`."""

    Settings: ClassVar[type[Settings]]

    def __init__(self, settings: Any, context: Context):
        self.settings, self.context = settings, context

    @abc.abstractmethod
    def collect(self, intake: Intake) -> int:
        """Enqueue whatever is new; return how many new items. Never lose input: an item is
        committed before the source forgets where it came from (moves a file, flags a mail)."""

    def close(self) -> None:  # noqa: B027 - optional
        """Release connections."""


class Target(abc.ABC):
    """Posts a finished Document to a system and returns the reference that system gave it.

    The runner records every call in the queue's effect ledger (see
    :mod:`backoffice.connectors.ledger`). When an earlier call for the item ended without an
    answer, it may have landed; before calling again the runner asks the target:
    :meth:`lookup` when :attr:`can_lookup`, otherwise it posts again only when the target is
    :attr:`idempotent` (posting twice writes once). A target that is neither sends such an
    item to the exception queue for a person to check.
    """

    Settings: ClassVar[type[Settings]]

    def __init__(self, settings: Any, context: Context):
        self.settings, self.context = settings, context
        self.waited = 0.0  # seconds spent waiting on the target system (see waiting())

    @property
    def name(self) -> str:
        return getattr(self.settings, "name", None) or self.settings.kind

    @abc.abstractmethod
    def post(self, item: WorkItem, document: Document) -> str:
        """Write the document; return the external reference. Raise TargetError when the
        system is unreachable (the item is retried) and BusinessError when it rejects the data
        (nothing was written)."""

    @property
    def idempotent(self) -> bool:
        """Whether posting the same item again writes nothing new (an upsert, an idempotency key)."""
        return False

    @property
    def can_lookup(self) -> bool:
        """Whether :meth:`lookup` can find what an earlier call wrote."""
        return False

    def lookup(self, item: WorkItem, document: Document) -> str | None:
        """The external reference of what an earlier post for this item wrote, or None."""
        raise NotImplementedError(f"{self.name} cannot look up earlier posts")

    def idempotency_key(self, item: WorkItem) -> str:
        """A key that names this item's post to this target, the same on every retry and in a
        fresh queue: derived from the bot, the item's source key and the target's name."""
        digest = hashlib.sha256(f"{item.bot}\0{item.source_key}\0{self.name}".encode()).hexdigest()
        return f"bo-{digest[:40]}"

    def paused_until(self) -> float | None:
        """The monotonic time until which this target takes no work (its circuit is open)."""
        return None

    def check_available(self) -> None:  # noqa: B027 - optional
        """Raise CircuitOpen (a TargetError) when the target is paused; nothing is sent."""

    @contextmanager
    def waiting(self) -> Iterator[None]:
        """Count the time inside as waiting on the target (benchmarks report the rest as the
        connector's own overhead)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.waited += time.perf_counter() - start

    def close(self) -> None:  # noqa: B027 - optional
        """Release connections."""
