"""The stages an item goes through: extract, apply the rules, post to each target.

Each stage reads and writes the item's payload, so a retry resumes where it stopped: the
extracted document is kept (a supervisor's correction applies to it), and a target that
already holds a reference for the item is not posted to again.
"""

from __future__ import annotations

from pathlib import Path

from backoffice import documents
from backoffice.bots.bot import Bot
from backoffice.documents.models import Document
from backoffice.documents.pdf import describe
from backoffice.errors import BusinessError, DocumentError
from backoffice.queue.base import Store, WorkItem
from backoffice.rules import Verdict, approvals
from backoffice.rules.duplicates import QueueHistory


def extract(bot: Bot, item: WorkItem) -> Document:
    if "document" in item.payload:
        return Document.from_dict(item.payload["document"])
    name = item.payload.get("file") or (item.files[0].name if item.files else f"item {item.id}")
    if "intake_error" in item.payload:
        raise DocumentError(item.payload["intake_error"], code="intake")
    if not item.files:
        raise DocumentError(f"{name}: the item has no file to read", code="no-file")
    return read_file(bot.context.files.path(item.files[0]), name, bot.config.extractor, bot.templates)


def read_file(path: Path, name: str, kind: str, templates: list | None = None) -> Document:
    """The document in the file at ``path``, which people know as ``name``; errors name it."""
    with path.open("rb") as stream:
        head = stream.read(1024)
    if head and name.lower().endswith(".pdf") and b"%PDF" not in head:
        # The stored copy has no name; the name the sender gave promised a PDF.
        raise DocumentError(f"{name}: not a PDF, it looks like {describe(head)}", code="not-a-pdf")
    try:
        document = documents.extract(path, kind=kind, templates=templates)
    except DocumentError as exc:
        # The stored copy is named by its hash; tell people the name they know.
        raise DocumentError(exc.reason.replace(path.name, name), code=exc.code, field=exc.field) from exc
    return found(document, name)


def found(document: Document, name: str) -> Document:
    """A document read from the file people know as ``name``, unless nothing was found in it."""
    if not document.fields and not document.lines:
        raise DocumentError(f"{name}: no {document.kind} fields found in it", code="nothing-found")
    document.source = name
    return document


def apply_rules(bot: Bot, document: Document, item: WorkItem | None = None, store: Store | None = None,
                policy: approvals.Policy | None = None) -> Verdict | None:
    """The rules' Verdict on the document; values ``set`` rules produced are written into it.

    With the item and its store, duplicate keys are checked against the bot's earlier items,
    holds a person released by retrying the item (a possible duplicate, a route to the
    exception queue) count as released, and so does a route to approval that a current
    approval meets (see :mod:`backoffice.rules.approvals`); without them duplicate keys are
    recorded as not checked.
    """
    if bot.rules_error:
        raise BusinessError(f"rule file is invalid: {bot.rules_error}", code="rules-invalid")
    if not bot.rules:
        return None
    history, released = None, None
    if item is not None and store is not None:
        history = QueueHistory(store, bot.name, before=item.id)
        previous = item.payload.get("verdict")  # only an earlier Verdict has holds to release
        policy = policy or approvals.Policy()
        released = approvals.released(item.payload, store.journal(item.id), policy) if previous else {}
    verdict = bot.rules.evaluate(document, history=history, released=released)
    verdict.apply_to(document)
    return verdict


def reject_if_failed(verdict: Verdict | None) -> None:
    if verdict is not None and verdict.errors:
        first = verdict.errors[0]
        reason = "; ".join(o.message for o in verdict.errors)
        raise BusinessError(reason, code=f"rule:{first.rule}")


def refuse_unapproved(payload: dict, policy: approvals.Policy) -> None:
    """Post nothing unless the approvals the item needs are there and still cover ``payload``
    (what is about to be posted); the refusal says why."""
    missing = approvals.missing(payload, policy)
    if missing:
        raise BusinessError("not posted: " + "; ".join(missing), code="approval")
