"""One raw email read: its headers and bodies (:mod:`backoffice.mail.mime`), a broken MIME structure
read as a mail client shows it (:mod:`backoffice.mail.repair`), then each part taken or refused as
a person reading it would (:mod:`backoffice.mail.walker`)."""

from __future__ import annotations

import email

from backoffice.errors import DocumentError
from backoffice.mail.mime import POLICY, MailLimits, ParsedMail, bodies, header, parse_bytes
from backoffice.mail.repair import flatten, is_broken
from backoffice.mail.walker import Walker
from backoffice.queue.files import FileBatch, FileStore

DEFAULT_LIMITS = MailLimits()


def parse_mail(
    raw: bytes, files: FileStore | FileBatch, limits: MailLimits = DEFAULT_LIMITS, name: str = "message"
) -> ParsedMail:
    """Parse ``raw`` (RFC 5322 bytes); raise DocumentError naming ``name`` when it is no mail at all."""
    if not raw or raw.isspace():  # (not raw.strip(): that copies a 27 MB mail)
        raise DocumentError(f"{name}: the message is empty", code="mail-empty")
    skeleton, message = parse_bytes(raw)
    if not message.keys():
        raise DocumentError(f"{name}: no mail headers found; this is not an email", code="mail-malformed")
    warnings = [f"{name}: {type(d).__name__}: {d}" for d in message.defects]
    parsed = ParsedMail(
        message_id=header(message, "Message-ID", warnings),
        subject=header(message, "Subject", warnings) or "",
        sender=header(message, "From", warnings) or "",
        date=header(message, "Date", warnings),
        warnings=warnings,
    )
    if is_broken(message):
        skeleton.text = flatten(skeleton.text)
        message = email.message_from_bytes(skeleton.text, policy=POLICY)
        parsed.repaired = True
        warnings.append(f"{name}: the MIME structure is broken; read as a mail client shows it")
    parsed.text, parsed.html = bodies(message, skeleton, parsed.warnings)
    Walker(files, limits, parsed).mail(message, skeleton)
    return parsed
