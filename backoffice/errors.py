"""Every error backoffice raises on purpose derives from :class:`BackofficeError`.

::

    BackofficeError
    ├── ConfigError              bots.yaml or a rule file is wrong (file, line, field)
    ├── QueueError               the work queue refused an operation
    │   ├── ItemNotFound
    │   ├── IllegalTransition    e.g. done -> processing
    │   └── LeaseLost            the runner no longer holds the item it tries to change
    └── StageError               a stage of an item failed; says where the item goes (reason, code, field)
        ├── BusinessError        the data is wrong: goes to a person, never retried
        │   └── DocumentError    a file cannot be read as a document (broken, encrypted, not a PDF)
        └── ApplicationError     a system failed: retried with backoff
            └── TargetError      a target system refused or was unreachable

``BusinessError`` versus ``ApplicationError`` decides where an item goes when a stage fails:
the exception queue, or ``retrying``. Any other exception counts as an application error.
"""

from __future__ import annotations


class BackofficeError(Exception):
    """Root of every error backoffice raises on purpose."""


class ConfigError(BackofficeError):
    """A configuration or rule file is wrong. ``problems`` lists every ``file:line: field: message``."""

    def __init__(self, problems: list[str] | str):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class QueueError(BackofficeError):
    """The work queue refused an operation."""


class ItemNotFound(QueueError):
    def __init__(self, item_id: int):
        self.item_id = item_id
        super().__init__(f"item {item_id} does not exist")


class IllegalTransition(QueueError):
    def __init__(self, item_id: int, current: str, wanted: str):
        self.item_id, self.current, self.wanted = item_id, current, wanted
        super().__init__(f"item {item_id}: cannot go from {current} to {wanted}")


class LeaseLost(QueueError):
    def __init__(self, item_id: int, owner: str):
        self.item_id, self.owner = item_id, owner
        super().__init__(f"item {item_id}: {owner} no longer holds its lease")


class StageError(BackofficeError):
    """Base of the two errors a stage raises to say where its item goes.

    ``code`` is a short stable identifier (``rule:totals``, ``pdf-encrypted``) for filtering;
    ``field`` names the document field at fault, when there is one; ``evidence`` lists stored
    files that show what happened, kept in the item's payload.
    """

    def __init__(self, reason: str, *, code: str = "error", field: str | None = None, evidence: tuple = ()):
        self.reason, self.code, self.field = reason, code, field
        self.evidence = tuple(evidence)  # StoredFiles (a screenshot, the page's HTML) kept on the item
        super().__init__(reason)


class BusinessError(StageError):
    """The data is wrong: the item goes to the exception queue for a person. Never retried."""


class DocumentError(BusinessError):
    """A file cannot be read as a document. The reason names the file."""


class ApplicationError(StageError):
    """A system failed: the item is retried with backoff, up to the bot's limit."""


class TargetError(ApplicationError):
    """A target system refused or could not be reached."""
