"""The two connector interfaces: a Source finds work, a Target posts results.

Adding a connector is one module: the class and its ``Settings`` model (a pydantic model with
a ``kind`` field). Built-ins are listed in :data:`backoffice.connectors.SOURCES` and
:data:`~backoffice.connectors.TARGETS`; a third-party connector is named in bots.yaml by its
dotted path, ``kind: mypackage.erp:ErpTarget``.
"""

from __future__ import annotations

import abc
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from backoffice.queue.base import NewItem, Store, StoredFile, WorkItem
from backoffice.queue.files import FileStore

if TYPE_CHECKING:
    from backoffice.documents.models import Document


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
    """Posts a finished Document to a system and returns the reference that system gave it."""

    Settings: ClassVar[type[Settings]]

    def __init__(self, settings: Any, context: Context):
        self.settings, self.context = settings, context

    @property
    def name(self) -> str:
        return getattr(self.settings, "name", None) or self.settings.kind

    @abc.abstractmethod
    def post(self, item: WorkItem, document: Document) -> str:
        """Write the document; return the external reference. Must be idempotent per item:
        posting the same item again returns the same reference and writes nothing new.
        Raise TargetError when the system is unreachable (the item is retried) and
        BusinessError when it rejects the data."""

    def close(self) -> None:  # noqa: B027 - optional
        """Release connections."""
