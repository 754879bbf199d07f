"""One fetched mail becomes items: a parent for the message and a child for each document.

The parent keeps the raw message (``.eml``), what the mailbox action needs (folder, UID,
UIDVALIDITY, Message-ID) and the parts that belong to the mail itself (``parts``: signatures,
logos, reports... see :mod:`backoffice.mail.walker`). A child is a document to extract, or a part
that was refused (a zip bomb, a program), which then reaches the exception queue with its reason
and its file. Nothing is lost silently: a mail that yields no child at all is a parent with its
``intake_error``, which reaches the exception queue with the ``.eml``.

Keys make intake idempotent: the parent's key is the Message-ID and a digest of what the mail
holds (its documents and text, not its headers: the same mail delivered twice, with one more
``Received:`` header, is one mail), or the raw message's hash when there is no Message-ID; a
child's key is the parent's plus its position and hash, so reading the same mail again after a
crash enqueues nothing new.

:func:`read_mail` writes the mail's files and returns its family (parent and children) without
touching the queue; the IMAP source commits the families of a whole FETCH in one transaction
(:meth:`~backoffice.queue.base.Store.enqueue_families`), parent, children and the link between
them together, so a parent never exists without its children.

The mail package knows nothing of connectors (the IMAP source in ``connectors/`` builds on it):
what reading a mail needs of a source, it names here as :class:`Place` and :class:`Taking`.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from typing import Literal, Protocol

from backoffice.errors import DocumentError
from backoffice.mail.mailbox import Fetched
from backoffice.mail.mime import MailLimits, ParsedMail
from backoffice.mail.parse import parse_mail
from backoffice.mail.names import printable, safe_filename
from backoffice.queue.base import NewItem, Store, StoredFile, WorkItem
from backoffice.queue.files import FileBatch, FileStore

log = logging.getLogger(__name__)
BodyPolicy = Literal["auto", "always", "never"]
Family = tuple[NewItem, list[NewItem]]


class Place(Protocol):
    """Where a bot's mail goes: its name, its items' attempts, its file store (a source's
    :class:`~backoffice.connectors.base.Context` is one)."""

    bot: str
    max_attempts: int
    files: FileStore


class Taking(Protocol):
    """A source adding work: its queue and its place (an :class:`~backoffice.connectors.base.Intake`)."""

    @property
    def store(self) -> Store: ...

    @property
    def context(self) -> Place: ...


@dataclass(frozen=True)
class Taken:
    parent: WorkItem
    created: bool

    @property
    def child_ids(self) -> list[int]:
        return self.parent.payload.get("children", [])

    @property
    def children(self) -> int:
        return len(self.child_ids)


def mail_key(message_id: str | None, raw_sha256: str, content: str | None = None) -> str:
    """The parent's key. With a Message-ID: the Message-ID and a digest of what the mail holds
    (``content``: its documents and text, never its headers), so the same mail delivered twice
    (one more ``Received:`` header) is one mail. Without one: the SHA-256 (hex) of the raw message."""
    if message_id and content is not None:
        return "mail:" + hashlib.sha256(b"id\0" + message_id.encode("utf-8", "replace") + b"\0" + content.encode()).hexdigest()
    digest = hashlib.sha256((message_id or "").encode("utf-8", "replace") + b"\0" + bytes.fromhex(raw_sha256)).hexdigest()
    return f"mail:{digest}"


def content_digest(parsed: ParsedMail) -> str:
    """What the mail holds, for its key: every document's and refused part's hash and name, and its text."""
    hashed = hashlib.sha256()
    for document in parsed.documents:
        hashed.update(f"d\0{document.name}\0{document.stored.sha256}\n".encode())
    for rejected in parsed.rejected:
        hashed.update(f"r\0{rejected.name}\0{rejected.stored.sha256 if rejected.stored else ''}\n".encode())
    hashed.update(b"t\0" + (parsed.text.strip() or parsed.html.strip()).encode("utf-8", "surrogatepass"))
    return hashed.hexdigest()


@dataclass(frozen=True)
class Reading:
    """How a bot's mail is read: whose items (bot, attempts), from where, with which limits."""

    bot: str
    folder: str
    uidvalidity: int
    max_attempts: int = 5
    limits: MailLimits = MailLimits()
    body: BodyPolicy = "auto"


def read_mail(
    context: Place,
    fetched: Fetched,
    files: FileStore | FileBatch,
    *,
    folder: str,
    uidvalidity: int,
    limits: MailLimits = MailLimits(),
    body: BodyPolicy = "auto",
) -> Family:
    """The mail's family, its files written to ``files``; nothing is enqueued."""
    reading = Reading(context.bot, folder, uidvalidity, context.max_attempts, limits, body)
    eml = files.put_bytes(fetched.raw, f"uid-{fetched.uid}.eml")
    return mail_family(reading, fetched.uid, fetched.raw, eml, files)


def mail_family(reading: Reading, uid: int, raw: bytes, eml: StoredFile, files: FileStore | FileBatch) -> Family:
    """The family of the mail ``raw`` (stored already as ``eml``), its documents written to
    ``files``. A mail that cannot be parsed is a parent with its ``intake_error``."""

    def item(key: str, **kw) -> NewItem:  # a parent, or a child: documents and refused parts
        return NewItem(bot=reading.bot, source_key=key, max_attempts=reading.max_attempts, **kw)

    where = f"{reading.folder} UID {uid}"
    mail = {"folder": reading.folder, "uid": uid, "uidvalidity": reading.uidvalidity}
    try:
        parsed = parse_mail(raw, files, reading.limits, name=where)
    except DocumentError as exc:
        return unreadable_mail(reading, uid, eml, exc.reason)
    except OSError:
        raise  # the file store failed (disk full): the mail is read again on the next poll
    except Exception as exc:  # a mail the parsers trip over: to a person, with the .eml; never a stuck mailbox
        log.exception("%s: reading the mail failed", where, extra={"bot": reading.bot, "action": "intake"})
        return unreadable_mail(reading, uid, eml, f"{where}: the mail could not be read ({type(exc).__name__}: {exc})")
    mail.update(message_id=printable(parsed.message_id) or None, subject=printable(parsed.subject),
                date=printable(parsed.date) or None, **{"from": printable(parsed.sender)})
    eml = replace(eml, name=safe_filename(parsed.subject, uid, "message/rfc822") + ".eml")
    key = mail_key(parsed.message_id, eml.sha256, content_digest(parsed))
    text = parsed.text.strip() or parsed.html.strip()
    attached = parsed.documents or parsed.rejected  # a body beside attachments is a cover note
    body_is_document = bool(text) and (reading.body == "always" or (reading.body == "auto" and not attached))
    payload = {"mail": mail, "file": eml.name, "warnings": [printable(w) for w in parsed.warnings], "mail_action": "pending",
               "documents": len(parsed.documents) + int(body_is_document), "refused": len(parsed.rejected),
               "parts": [{**part.to_dict(), "name": printable(part.name)} for part in parsed.parts]}
    children = [
        item(f"{key}/{index}:{document.stored.sha256[:16]}", files=(document.stored,),
             payload={"file": printable(document.name), "origin": printable(document.origin), "mail": mail})
        for index, document in enumerate(parsed.documents)
    ]  # fmt: skip
    children += [
        item(f"{key}/refused/{index}", files=(rejected.stored or eml,),
             payload={"file": printable(rejected.name), "mail": mail, "intake_error": printable(rejected.reason),
                      "intake_code": rejected.code})
        for index, rejected in enumerate(parsed.rejected)
    ]  # fmt: skip
    if body_is_document:
        suffix, media = (".txt", "text/plain") if parsed.text.strip() else (".html", "text/html")
        stored = replace(files.put_bytes(printable(text).encode("utf-8"), f"body{suffix}"), media_type=media)
        children.append(item(f"{key}/body:{stored.sha256[:16]}", files=(stored,),
                             payload={"file": stored.name, "origin": "body", "mail": mail, "media_type": media}))  # fmt: skip
    if not children:  # nothing lost: a mail with nothing to take goes to a person, with its .eml
        kept = ", ".join(f"{printable(p.name)} ({p.kind})" for p in parsed.parts) or "nothing"
        payload["intake_error"] = f"{where}: the mail holds no document and no text (its parts: {kept})"
    return item(key, files=(eml,), payload=payload), children


def unreadable_mail(reading: Reading, uid: int, eml: StoredFile, reason: str) -> Family:
    """A parent alone, keeping the raw mail, that goes to the exception queue with ``reason``."""
    stored = replace(eml, name=f"uid-{uid}.eml")
    mail = {"folder": reading.folder, "uid": uid, "uidvalidity": reading.uidvalidity}
    parent = NewItem(bot=reading.bot, source_key=mail_key(None, stored.sha256), max_attempts=reading.max_attempts,
                     files=(stored,), payload={"file": stored.name, "mail": mail, "intake_error": reason})  # fmt: skip
    return parent, []


def take_mail(
    intake: Taking,
    fetched: Fetched,
    *,
    folder: str,
    uidvalidity: int,
    limits: MailLimits = MailLimits(),
    body: BodyPolicy = "auto",
) -> Taken:
    """Read one mail and commit its family (files durable first)."""
    with intake.context.files.batch() as files:
        family = read_mail(intake.context, fetched, files, folder=folder, uidvalidity=uidvalidity, limits=limits, body=body)
        files.sync()
    [(parent, created)] = intake.store.enqueue_families([family], actor=f"source:{intake.context.bot}")
    return Taken(parent, created)
