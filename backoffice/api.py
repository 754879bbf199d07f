"""Bots written in Python: the public API (``from backoffice.api import Item, bot``).

A Python bot is a function the runner calls once per work item, in place of the declarative
pipeline (extract -> rules -> targets). Everything else is the same as for a declarative bot:
its source fills the queue, the runner claims the item under a lease, a heartbeat renews it,
errors decide where the item goes, targets are called through the effect ledger, and the
journal, the supervisor UI, schedules and metrics see the item as they see any other::

    from pydantic import BaseModel
    from backoffice.api import Item, bot

    class Settings(BaseModel):
        erp_url: str
        max_total: int = 10_000

    @bot
    def delivery_notes(item: Item, settings: Settings) -> None:
        doc = item.read(kind="order")                      # documents.extract, kept in the payload
        if doc.value("order_number") is None:
            item.business_error("no order number", field="order_number")  # -> exception queue
        item.post("erp", {"order": doc.value("order_number")})  # through the ledger: at most once
        item.hand_to("invoices")                           # a child item in another bot's queue

and in bots.yaml::

    - name: delivery-notes
      kind: python
      handler: mypackage.delivery:delivery_notes
      settings: {erp_url: "https://erp.example.com"}
      source: {kind: folder, path: notes}
      targets: [{kind: rest, name: erp, url: "https://erp.example.com/orders"}]

What happens to the item:

- the handler returns: the item is done (once the children it handed over with ``wait=True``
  are finished: the parent/child roll-up of a mail, :mod:`backoffice.bots.mail_parent`);
- it raises :class:`~backoffice.errors.BusinessError` (``item.business_error(...)``): the item
  goes to the exception queue with the reason (and field) for a person; never retried;
- it raises anything else (``item.application_error(...)``, a ``ConnectionError``, a bug): the
  item goes to ``retrying`` with the bot's backoff, and to the exception queue after
  ``retry.max_attempts``.

A retry calls the handler again from the start: what the item already did is kept in its
payload and the effect ledger, so ``read`` returns the document read before, ``post`` returns
the reference of a post that already landed (without calling the target), and ``hand_to``
returns the child made before. Write handlers so that their own side effects are safe to repeat,
or put them behind ``post`` (a target connector) to get the ledger's at-most-once.

This module is imported by user code and by :mod:`backoffice.config` (to validate a handler's
``settings:``), so it depends only on documents' models and errors; the runner's implementation
of :class:`Item` lives in :mod:`backoffice.bots.python`.
"""

from __future__ import annotations

import abc
import importlib
import importlib.util
import inspect
import sys
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, overload

from pydantic import BaseModel

from backoffice.documents.models import Document
from backoffice.errors import ApplicationError, BusinessError

__all__ = ["ApplicationError", "BusinessError", "Document", "Handler", "Item", "bot", "load_handler"]


class Item(abc.ABC):
    """One work item as a Python bot's handler sees it. The runner gives one to each call."""

    @property
    @abc.abstractmethod
    def id(self) -> int:
        """The item's id in the queue (the supervisor UI's /items/<id>)."""

    @property
    @abc.abstractmethod
    def bot(self) -> str:
        """The name of the bot handling the item."""

    @property
    @abc.abstractmethod
    def file(self) -> str | None:
        """The name people know the item's file by (``invoice-17.pdf``), or None without a file."""

    @property
    @abc.abstractmethod
    def payload(self) -> Mapping[str, Any]:
        """The item's payload as stored (read only): what the source put there, the document read,
        what was posted, what the handler saved with :meth:`save`."""

    @property
    @abc.abstractmethod
    def attempt(self) -> int:
        """This attempt's number, from 1; a retry after an application error counts up."""

    @property
    @abc.abstractmethod
    def parent_id(self) -> int | None:
        """The item that handed this one over (or the mail it came in), or None."""

    @abc.abstractmethod
    def path(self) -> Path:
        """The item's file on disk, to read it your own way. Raises BusinessError when the item
        has no file. Do not write to it: files are stored by content."""

    @abc.abstractmethod
    def read(self, kind: str | None = None) -> Document:
        """The document in the item's file, read by ``documents.extract(path, kind=kind)``
        (default: the bot's ``extractor:``; any kind the extractors accept, ``auto`` included).

        The document is kept in the payload (``document``), as the declarative bots keep it: a
        retry does not read the file again, a person's correction in the supervisor UI applies
        to it, and the UI shows it. A file that cannot be read raises DocumentError (a
        BusinessError) naming the file: the item goes to the exception queue."""

    @abc.abstractmethod
    def post(self, target: str, data: Document | Mapping[str, Any], *, kind: str | None = None) -> str:
        """Post ``data`` to the bot's target named ``target`` (its ``name:`` in bots.yaml, or its
        kind) through the effect ledger; return the reference the target system gave.

        At most once per item and target, across retries and a runner killed mid-call: a post
        that landed is not made again (its reference is returned), one whose answer was lost is
        looked up first (or refused to a person when the target can do neither).

        ``data`` is a Document (as read) or a mapping of field name -> value, which becomes a
        Document of ``kind`` (default: the kind of the document the item read, else ``data``)
        whose fields are the mapping's values as text (dates in ISO form) and whose ``lines`` are
        a ``lines`` list of mappings, if given: targets map it like any document. What is posted
        is kept in the payload (``posted``) before the call, for the supervisor UI."""

    @abc.abstractmethod
    def hand_to(
        self,
        bot: str,
        *,
        file: Path | str | None = None,
        payload: Mapping[str, Any] | None = None,
        key: str | None = None,
        wait: bool = True,
    ) -> int:
        """Hand work to another bot: a new item in ``bot``'s queue, this item as its parent.
        Return the new item's id.

        ``file``: a file to give it (stored now); default: this item's own files. ``payload``:
        what it starts with (``{"document": doc.to_dict()}`` spares it reading the file again).
        ``key`` names the hand-over among this item's hand-overs (default: the file's name, else
        ``bot``): handing over again under the same key (a retry) returns the same item.
        ``wait``: this item is done only when every child it waits for is finished (the mail
        roll-up); with False it is done when the handler returns. The journal of both items
        says who handed what to whom."""

    @abc.abstractmethod
    def save(self, **values: Any) -> None:
        """Keep JSON values in the payload (``saved``) at once: a retry finds them in
        ``payload["saved"]`` (an order number looked up, an answer an API gave) and the UI shows them."""

    @abc.abstractmethod
    def note(self, why: str) -> None:
        """Write a line in the item's journal (the supervisor UI's history of the item)."""

    def business_error(self, reason: str, *, field: str | None = None, code: str = "business") -> NoReturn:
        """Raise a BusinessError: the data is wrong, the item goes to the exception queue with
        ``reason`` (and ``field``, the document field at fault) for a person. Never retried.
        ``raise item.business_error(...)`` reads well too: it raises before the ``raise``."""
        raise BusinessError(reason, code=code, field=field)

    def application_error(self, reason: str, *, code: str = "application") -> NoReturn:
        """Raise an ApplicationError: a system failed, the item is retried with the bot's
        backoff and goes to the exception queue after ``retry.max_attempts``."""
        raise ApplicationError(reason, code=code)


HandlerFunction = Callable[..., None]


@dataclass(frozen=True)
class Handler:
    """A function made a bot's handler by :func:`bot`: ``function(item)`` or
    ``function(item, settings)``, ``settings`` an instance of the ``settings`` model."""

    function: HandlerFunction
    settings: type[BaseModel] | None = None

    @property
    def name(self) -> str:
        return f"{self.function.__module__}:{self.function.__qualname__}"

    def validate(self, values: Mapping[str, Any] | None) -> BaseModel | None:
        """The bot's ``settings:`` checked by the handler's model (pydantic's ValidationError
        when wrong); ``settings:`` given to a handler without a model is an error too."""
        if self.settings is None:
            if values:
                raise ValueError(f"{self.name} takes no settings (its function has no settings parameter)")
            return None
        return self.settings.model_validate(dict(values or {}))

    def __call__(self, item: Item, settings: BaseModel | None = None) -> None:
        if self.settings is None:
            self.function(item)
        else:
            self.function(item, settings if settings is not None else self.settings())


@overload
def bot(function: HandlerFunction, /) -> Handler: ...
@overload
def bot(*, settings: type[BaseModel] | None = None) -> Callable[[HandlerFunction], Handler]: ...
def bot(
    function: HandlerFunction | None = None, /, *, settings: type[BaseModel] | None = None
) -> Handler | Callable[[HandlerFunction], Handler]:
    """Make ``function`` a bot's handler: ``@bot`` or ``@bot(settings=Model)``.

    The settings model (a pydantic model validating the bot's ``settings:`` in bots.yaml) is
    ``settings`` or else the annotation of the function's second parameter; a function of one
    parameter takes no settings. bots.yaml names the handler as ``handler: package.module:name``.
    """

    def make(found: HandlerFunction) -> Handler:
        return Handler(found, settings or _settings_model(found))

    return make if function is None else make(function)


def _settings_model(function: HandlerFunction) -> type[BaseModel] | None:
    parameters = list(inspect.signature(function).parameters.values())
    if len(parameters) < 2:
        return None
    hints = typing.get_type_hints(function)
    model = hints.get(parameters[1].name)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        raise TypeError(
            f"{function.__module__}:{function.__qualname__}: its second parameter ({parameters[1].name}) must be "
            "annotated with a pydantic model (the bot's settings), or give @bot(settings=Model)"
        )
    return model


def load_handler(path: str, folder: Path | str | None = None) -> Handler:
    """The handler ``package.module:name`` names; ValueError says what is wrong (no module, no
    such name, not made a handler by @bot). ``folder`` (the folder of bots.yaml) is searched
    for the module after the installed packages, so a deployment's own bot modules beside
    bots.yaml import without being installed."""
    module_name, _, name = path.partition(":")
    if not module_name or not name:
        raise ValueError(f"handler {path!r}: write package.module:function")
    if (
        folder is not None
        and str(folder) not in sys.path
        and importlib.util.find_spec(module_name.split(".")[0]) is None
    ):
        sys.path.append(str(folder))
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # noqa: BLE001 - user code may fail to import in any way; say how
        raise ValueError(f"handler {path!r}: cannot import {module_name}: {type(exc).__name__}: {exc}") from exc
    found: Any = module
    for part in name.split("."):
        found = getattr(found, part, None)
        if found is None:
            raise ValueError(f"handler {path!r}: {module_name} has no {name}")
    if not isinstance(found, Handler):
        raise ValueError(f"handler {path!r}: {name} is not a bot handler (decorate it with @backoffice.api.bot)")
    return found
