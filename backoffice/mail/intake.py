"""One fetched mail becomes items: a parent for the message and a child for each document.

The parent keeps the raw message (``.eml``) and what the mailbox action needs (folder, UID,
UIDVALIDITY, Message-ID). A child is a document to extract, or a part that was refused (a zip
bomb, an oversized file), which then reaches the exception queue with its reason, so nothing in
a mail is silently dropped. Keys make intake idempotent: the parent's key is the Message-ID plus
the content hash, a child's key is the parent's plus its position and hash, so reading the same
mail again after a crash enqueues nothing new.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

from backoffice.connectors.base import Intake
from backoffice.errors import DocumentError
from backoffice.mail.mailbox import Fetched
from backoffice.mail.mime import MailLimits, parse_mail
from backoffice.mail.names import safe_filename
from backoffice.queue.base import WorkItem

BodyPolicy = Literal["auto", "always", "never"]


@dataclass(frozen=True)
class Taken:
    parent: WorkItem
    created: bool
    child_ids: list[int]

    @property
    def children(self) -> int:
        return len(self.child_ids)


def mail_key(raw: bytes, message_id: str | None) -> str:
    digest = hashlib.sha256((message_id or "").encode() + b"\0" + hashlib.sha256(raw).digest()).hexdigest()
    return f"mail:{digest}"


def take_mail(
    intake: Intake,
    fetched: Fetched,
    *,
    folder: str,
    uidvalidity: int,
    limits: MailLimits = MailLimits(),
    body: BodyPolicy = "auto",
) -> Taken:
    files = intake.context.files
    where = f"{folder} UID {fetched.uid}"
    mail = {"folder": folder, "uid": fetched.uid, "uidvalidity": uidvalidity}
    try:
        parsed = parse_mail(fetched.raw, files, limits, name=where)
    except DocumentError as exc:
        stored = files.put_bytes(fetched.raw, f"uid-{fetched.uid}.eml")
        parent, created = intake.add(mail_key(fetched.raw, None), files=(stored,),
                                     payload={"file": stored.name, "mail": mail, "intake_error": exc.reason})  # fmt: skip
        return Taken(parent, created, [])
    mail.update(message_id=parsed.message_id, subject=parsed.subject, date=parsed.date, **{"from": parsed.sender})
    key = mail_key(fetched.raw, parsed.message_id)
    text = parsed.text.strip() or parsed.html.strip()
    attached = parsed.documents or parsed.rejected  # a body beside attachments is a cover note
    body_is_document = bool(text) and (body == "always" or (body == "auto" and not attached))
    eml = files.put_bytes(fetched.raw, safe_filename(parsed.subject, fetched.uid, "message/rfc822") + ".eml")
    parent, created = intake.add(
        key, files=(eml,),
        payload={"mail": mail, "file": eml.name, "warnings": parsed.warnings, "mail_action": "pending",
                 "documents": len(parsed.documents) + int(body_is_document), "refused": len(parsed.rejected)},
    )  # fmt: skip
    children: list[int] = []
    for index, document in enumerate(parsed.documents):
        child, _ = intake.add(f"{key}/{index}:{document.stored.sha256[:16]}", files=(document.stored,),
                              parent_id=parent.id, payload={"file": document.name, "origin": document.origin, "mail": mail})  # fmt: skip
        children.append(child.id)
    for index, rejected in enumerate(parsed.rejected):
        child, _ = intake.add(f"{key}/refused/{index}", parent_id=parent.id,
                              payload={"file": rejected.name, "mail": mail, "intake_error": rejected.reason,
                                       "intake_code": rejected.code})  # fmt: skip
        children.append(child.id)
    if body_is_document:
        suffix, media = (".txt", "text/plain") if parsed.text.strip() else (".html", "text/html")
        stored = files.put_bytes(text.encode("utf-8"), f"body{suffix}")
        child, _ = intake.add(f"{key}/body:{stored.sha256[:16]}", files=(stored,), parent_id=parent.id,
                              payload={"file": stored.name, "origin": "body", "mail": mail, "media_type": media})  # fmt: skip
        children.append(child.id)
    return Taken(parent, created, children)
