"""A Python bot's item in the runner: the :class:`backoffice.api.Item` its handler is given.

The runner calls :func:`handle` instead of the declarative stages for a bot of ``kind: python``
(:meth:`backoffice.bots.runner.Runner._handle`), inside the same lease, heartbeat and error
handling. Everything the handler does to the item is written to the queue as it happens, so
that a retry (or another runner after a crash) finds it:

    payload["document"]   the document ``read`` found (and ``read_as``, the kind it asked for)
    payload["posted"]     what ``post`` sent to each target, written before the call
    payload["saved"]      what the handler kept with ``save``
    payload["children"]   the items ``hand_to`` made that this one waits for (the mail roll-up)
    payload["handed"]     those it does not wait for
    payload["handled"]    the handler returned; a retry only waits for the children
    payload["error_field"] the field a BusinessError or ApplicationError named

Posting goes through :func:`backoffice.connectors.ledger.post_once`, like the stages' posting.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backoffice.api import Item
from backoffice.bots import mail_parent, stages
from backoffice.bots.bot import Bot
from backoffice.connectors.ledger import post_once
from backoffice.documents.models import Document, Field
from backoffice.errors import BusinessError, DocumentError, StageError
from backoffice.queue.base import NewItem, StoredFile, WorkItem

if TYPE_CHECKING:
    from backoffice.bots.runner import Runner

log = logging.getLogger(__name__)

HANDLED = "handled"
ERROR_FIELD = "error_field"


def handle(runner: Runner, bot: Bot, item: WorkItem, document: Document | None = None) -> WorkItem:
    """Call the bot's handler for the item (unless an earlier attempt finished it), then wait
    for the children it handed over; raises what the handler raised, or ``Waiting``."""
    assert bot.handler is not None
    if not item.payload.get(HANDLED):
        facade = RunnerItem(runner, bot, item, document)
        try:
            with runner.observer.timed(bot.name, "handler"):
                bot.handler(facade, bot.settings)
        except StageError as exc:
            if exc.field is not None:  # the field at fault, for the person who takes the item
                facade.update({ERROR_FIELD: exc.field})
            raise
        item = facade.update({HANDLED: True})
    mail_parent.wait_for_children(runner.store, item)
    return item


class RunnerItem(Item):
    """The Item a handler is given: each method reads or writes the queue through the runner."""

    def __init__(self, runner: Runner, bot: Bot, item: WorkItem, document: Document | None = None):
        self._runner, self._bot, self._item = runner, bot, item
        self._read_ahead = document  # read in a worker before the handler ran (the bot's extractor)

    # -- what the item is ----------------------------------------------------------------
    @property
    def id(self) -> int:
        return self._item.id

    @property
    def bot(self) -> str:
        return self._bot.name

    @property
    def file(self) -> str | None:
        return self._item.payload.get("file") or (self._item.files[0].name if self._item.files else None)

    @property
    def payload(self) -> Mapping[str, Any]:
        return _ReadOnly(self._item.payload)

    @property
    def attempt(self) -> int:
        return self._item.attempts

    @property
    def parent_id(self) -> int | None:
        return self._item.parent_id

    def path(self) -> Path:
        if not self._item.files:
            raise BusinessError(f"item {self.id}: it has no file", code="no-file")
        return self._bot.context.files.path(self._item.files[0])

    # -- what the handler does -----------------------------------------------------------
    def read(self, kind: str | None = None) -> Document:
        kind = kind or self._bot.config.extractor
        payload = self._item.payload
        if "document" in payload and payload.get("read_as", kind) == kind:
            return Document.from_dict(payload["document"])
        if self._read_ahead is not None and kind == self._bot.config.extractor:
            document = self._read_ahead
        else:
            if "intake_error" in payload:
                raise DocumentError(payload["intake_error"], code="intake")
            name = self.file or f"item {self.id}"
            with self._runner.observer.timed(self.bot, "extract"):
                document = stages.read_file(self.path(), name, kind, self._bot.templates)
        self.update({"document": document.to_dict(), "read_as": kind})
        return document

    def post(self, target: str, data: Document | Mapping[str, Any], *, kind: str | None = None) -> str:
        found = {t.name: t for t in self._bot.targets}
        if target not in found:
            raise BusinessError(
                f"bot {self.bot} has no target named {target!r} (targets: {', '.join(found) or 'none'})",
                code="unknown-target",
            )
        if isinstance(data, Document):
            document = data
        else:
            stored = self._item.payload.get("document")
            document = as_document(data, kind or (stored["kind"] if stored else "data"))
        if document.source is None:
            document.source = self.file
        posted = {**self._item.payload.get("posted", {}), target: _shown(document)}
        if posted != self._item.payload.get("posted"):
            self.update({"posted": posted})  # before the call: the UI shows what was (about to be) sent
        runner = self._runner
        earlier = next((e for e in runner.store.effects(self.id) if e.target == target), None)
        with runner.observer.timed(self.bot, "post"):
            ref = post_once(runner.store, runner.owner, self._item, document, found[target], earlier)
        if earlier is None or earlier.external_id != ref:
            log.info("item %s posted to %s as %s", self.id, target, ref,
                     extra={"bot": self.bot, "item": self.id, "action": "post", "target": target})  # fmt: skip
        return ref

    def hand_to(
        self,
        bot: str,
        *,
        file: Path | str | None = None,
        payload: Mapping[str, Any] | None = None,
        key: str | None = None,
        wait: bool = True,
    ) -> int:
        runner = self._runner
        try:
            config = runner.config.bot(bot)
        except KeyError:
            known = ", ".join(b.name for b in runner.config.bots)
            raise BusinessError(f"no bot named {bot!r} to hand item {self.id} to (bots: {known})",
                                code="unknown-bot") from None  # fmt: skip
        files: tuple[StoredFile, ...] = (
            (self._bot.context.files.put_file(Path(file)),) if file is not None else self._item.files
        )
        key = key or (files[0].name if files else bot)
        name = files[0].name if files else self.file
        new, created = runner.store.enqueue(
            NewItem(
                bot=bot,
                source_key=f"handed:{self.id}:{key}",
                payload={
                    **({"file": name} if name else {}),
                    **(payload or {}),
                    "handed_by": {"bot": self.bot, "item": self.id},
                },  # fmt: skip
                files=files,
                parent_id=self.id,
                max_attempts=config.retry.max_attempts,
            ),
            actor=f"bot:{self.bot}",
        )
        if created:
            runner.store.note(self.id, actor=runner.owner, action="hand-over", why=f"{key} to {bot} as item {new.id}")
            runner.store.note(new.id, actor=runner.owner, action="handed-over", why=f"from {self.bot}, item {self.id}")
        listed = "children" if wait else "handed"
        if new.id not in self._item.payload.get(listed, []):
            self.update({listed: [*self._item.payload.get(listed, []), new.id]})
        return new.id

    def save(self, **values: Any) -> None:
        self.update({"saved": {**self._item.payload.get("saved", {}), **values}})

    def note(self, why: str) -> None:
        self._runner.store.note(self.id, actor=self._runner.owner, action="note", why=why)

    # -- for the runner ------------------------------------------------------------------
    def update(self, values: Mapping[str, Any]) -> WorkItem:
        """Write ``values`` into the item's payload now (under the runner's lease)."""
        self._item = self._runner.store.update(self.id, self._runner.owner, payload={**self._item.payload, **values})
        return self._item


def as_document(data: Mapping[str, Any], kind: str) -> Document:
    """A mapping as a Document targets can map: each value a field (as text), ``lines`` a list
    of mappings. Empty values are left out, as an extractor leaves out what it did not find."""
    fields = {name: Field(_text(value), method="python") for name, value in data.items() if name != "lines"}
    lines = [{n: Field(_text(v), method="python") for n, v in line.items() if v is not None}
             for line in data.get("lines") or ()]  # fmt: skip
    return Document(kind=kind, method="python", fields={n: f for n, f in fields.items() if f.value != ""}, lines=lines)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, int | float | Decimal | str):
        return str(value)
    raise BusinessError(f"cannot post a {type(value).__name__} ({value!r}): give text, numbers, dates or booleans",
                        code="not-postable")  # fmt: skip


def _shown(document: Document) -> dict[str, Any]:
    """What the supervisor UI shows of a post: the kind, the fields' values and the lines."""
    shown: dict[str, Any] = {"kind": document.kind, "fields": {n: f.value for n, f in document.fields.items()}}
    if document.lines:
        shown["lines"] = [{n: f.value for n, f in line.items()} for line in document.lines]
    return shown


class _ReadOnly(Mapping[str, Any]):
    """The payload as a handler may see it: reading only (writing goes through save/hand_to)."""

    def __init__(self, data: Mapping[str, Any]):
        self._data = data

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)
