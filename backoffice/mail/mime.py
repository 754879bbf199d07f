"""Turn one raw email into the documents a bot should read, and the reasons for what it refused.

Decisions follow what mail really looks like: attachment names in RFC 2047 or RFC 2231
encoding (the standard library's ``policy.default`` decodes both), bodies in any charset, PDFs
sent as ``application/octet-stream`` or under a wrong name (the type is decided by content),
forwarded mails (``message/rfc822``, ``.eml``) and Outlook ``.msg`` files opened recursively,
ZIP archives expanded within limits, inline images (logos, signatures) skipped, oversized
parts refused with a reason, and every file name made safe. Each accepted document is written
to the content-addressed file store at once.
"""

from __future__ import annotations

import email
import email.policy
import fnmatch
import io
import logging
import zipfile
from dataclasses import dataclass, field
from email.message import EmailMessage, Message

from backoffice.errors import DocumentError
from backoffice.mail.names import safe_filename
from backoffice.queue.base import StoredFile
from backoffice.queue.files import FileStore, sniff_media_type

log = logging.getLogger(__name__)
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
DOCUMENT_TYPES = (
    "application/pdf",
    "image/*",
    "text/csv",
    "text/xml",
    "application/xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)


@dataclass(frozen=True)
class MailLimits:
    """Bounds against hostile mail: sizes in bytes, depth of nested mails and archives."""

    max_part_bytes: int = 25_000_000
    max_depth: int = 3
    max_archive_members: int = 200
    max_archive_bytes: int = 200_000_000
    max_compression_ratio: float = 100.0
    include_inline_images: bool = False
    document_types: tuple[str, ...] = DOCUMENT_TYPES


@dataclass(frozen=True)
class MailDocument:
    """A document found in a mail: its safe name, the stored file and where it sat."""

    name: str
    stored: StoredFile
    origin: str


@dataclass(frozen=True)
class Rejected:
    name: str
    code: str
    reason: str


@dataclass
class ParsedMail:
    message_id: str | None
    subject: str
    sender: str
    date: str | None
    text: str = ""
    html: str = ""
    documents: list[MailDocument] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def parse_mail(raw: bytes, files: FileStore, limits: MailLimits = MailLimits(), name: str = "message") -> ParsedMail:
    """Parse ``raw`` (RFC 5322 bytes); raise DocumentError naming ``name`` when it is no mail at all."""
    if not raw.strip():
        raise DocumentError(f"{name}: the message is empty", code="mail-empty")
    message = email.message_from_bytes(raw, policy=email.policy.default)
    if not message.keys():
        raise DocumentError(f"{name}: no mail headers found; this is not an email", code="mail-malformed")
    warnings = [f"{name}: {type(d).__name__}: {d}" for d in message.defects]
    parsed = ParsedMail(
        message_id=_header(message, "Message-ID", warnings),
        subject=_header(message, "Subject", warnings) or "",
        sender=_header(message, "From", warnings) or "",
        date=_header(message, "Date", warnings),
        warnings=warnings,
    )
    parsed.text, parsed.html = _bodies(message, parsed.warnings)
    _Walker(files, limits, parsed).part(message, depth=0, origin="")
    return parsed


def _header(message: Message, name: str, warnings: list[str]) -> str | None:
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError) as exc:  # a header the parser cannot make sense of
        warnings.append(f"header {name} is malformed: {exc}")
        return None
    return str(value).strip() if value is not None else None


def _text_of(part: Message, warnings: list[str]) -> str:
    try:
        return part.get_content()
    except (LookupError, UnicodeError) as exc:  # an unknown or lying charset
        warnings.append(f"body charset {part.get_content_charset()!r} unreadable ({exc}); read as latin-1")
        return (part.get_payload(decode=True) or b"").decode("latin-1")


def _bodies(message: Message, warnings: list[str]) -> tuple[str, str]:
    if not isinstance(message, EmailMessage):
        return "", ""
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    return (_text_of(plain, warnings) if plain else "", _text_of(html, warnings) if html else "")


class _Walker:
    def __init__(self, files: FileStore, limits: MailLimits, parsed: ParsedMail):
        self.files, self.limits, self.parsed = files, limits, parsed
        self.count = 0

    def part(self, part: Message, depth: int, origin: str) -> None:
        if part.is_multipart():
            for sub in part.iter_parts() if isinstance(part, EmailMessage) else part.get_payload():
                self.part(sub, depth, origin)
            return
        content_type = part.get_content_type()
        disposition = part.get_content_disposition()
        filename = part.get_filename()
        if content_type == "message/rfc822":
            self._nested_mail(part, depth, origin)
            return
        if content_type in ("text/plain", "text/html") and not filename and disposition != "attachment":
            return  # a body, read by _bodies
        inline_image = content_type.startswith("image/") and (
            disposition == "inline" or (part.get("Content-ID") is not None and disposition != "attachment")
        )
        if inline_image and not self.limits.include_inline_images:
            return  # a logo or a signature, not a document
        self.count += 1
        name = safe_filename(filename, self.count, content_type)
        encoded = part.get_payload()
        if isinstance(encoded, str) and len(encoded) * 3 // 4 > self.limits.max_part_bytes:
            self._reject(origin + name, "too-large", f"about {len(encoded) * 3 // 4:,} bytes")
            return
        data = part.get_payload(decode=True) or b""
        self.data(data, name, depth, origin)

    def data(self, data: bytes, name: str, depth: int, origin: str) -> None:
        """Decide what a blob is by its content and take, open or refuse it."""
        where = origin + name
        if len(data) > self.limits.max_part_bytes:
            self._reject(where, "too-large", f"{len(data):,} bytes")
            return
        if not data:
            self._reject(where, "empty", "0 bytes")
            return
        media_type = sniff_media_type(data[:1024], name)
        if media_type == "application/zip":
            self._archive(data, name, depth, origin)
        elif data.startswith(OLE_MAGIC) and name.lower().endswith(".msg"):
            self._outlook(data, name, depth, origin)
        elif name.lower().endswith(".eml") or media_type == "message/rfc822":
            self._mail_bytes(data, name, depth, origin)
        elif any(fnmatch.fnmatchcase(media_type, pattern) for pattern in self.limits.document_types):
            stored = self.files.put_bytes(data, name)
            self.parsed.documents.append(MailDocument(name, stored, origin.rstrip("/") or "attachment"))
        else:
            self._reject(where, "unsupported-type", f"{media_type} is not a document type this bot reads")

    def _deeper(self, depth: int, where: str) -> bool:
        if depth + 1 > self.limits.max_depth:
            self._reject(where, "too-deep", f"nested deeper than {self.limits.max_depth} levels")
            return False
        return True

    def _nested_mail(self, part: Message, depth: int, origin: str) -> None:
        inner = part.get_payload()[0] if part.is_multipart() else part.get_content()
        subject = str(inner.get("Subject", "") or "forwarded mail")
        where = f"{origin}{safe_filename(subject, 0, 'message/rfc822')}/"
        if self._deeper(depth, where):
            self.parsed.warnings += [f"{where}: {d}" for d in inner.defects]
            self.part(inner, depth + 1, where)

    def _mail_bytes(self, data: bytes, name: str, depth: int, origin: str) -> None:
        if self._deeper(depth, origin + name):
            inner = email.message_from_bytes(data, policy=email.policy.default)
            self.part(inner, depth + 1, f"{origin}{name}/")

    def _outlook(self, data: bytes, name: str, depth: int, origin: str) -> None:
        import extract_msg

        if not self._deeper(depth, origin + name):
            return
        try:
            msg = extract_msg.openMsg(io.BytesIO(data))
        except Exception as exc:  # extract_msg raises many types for broken files
            self._reject(origin + name, "msg-unreadable", f"cannot open Outlook message: {exc}")
            return
        try:
            for index, attachment in enumerate(msg.attachments, 1):
                inner_data = attachment.data
                if isinstance(inner_data, bytes):
                    inner_name = safe_filename(attachment.longFilename or attachment.shortFilename, index, "")
                    self.data(inner_data, inner_name, depth + 1, f"{origin}{name}/")
        finally:
            msg.close()

    def _archive(self, data: bytes, name: str, depth: int, origin: str) -> None:
        where = f"{origin}{name}/"
        if not self._deeper(depth, origin + name):
            return
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
            members = [m for m in archive.infolist() if not m.is_dir()]
        except (zipfile.BadZipFile, ValueError) as exc:
            self._reject(origin + name, "zip-corrupt", f"not a readable ZIP archive: {exc}")
            return
        limits = self.limits
        declared = sum(m.file_size for m in members)
        packed = max(sum(m.compress_size for m in members), 1)
        if len(members) > limits.max_archive_members:
            self._reject(origin + name, "zip-bomb", f"{len(members)} files, more than {limits.max_archive_members}")
            return
        if declared > limits.max_archive_bytes or declared / packed > limits.max_compression_ratio:
            self._reject(origin + name, "zip-bomb", f"unpacks to {declared:,} bytes from {packed:,}")
            return
        for index, member in enumerate(members, 1):
            if member.flag_bits & 0x1:
                self._reject(where + member.filename, "zip-encrypted", "the file in the archive is encrypted")
                continue
            with archive.open(member) as stream:  # read at most the limit, whatever the header claims
                content = stream.read(limits.max_part_bytes + 1)
            self.data(content, safe_filename(member.filename, index, ""), depth + 1, where)

    def _reject(self, where: str, code: str, reason: str) -> None:
        log.info("mail part %s refused: %s", where, reason)
        self.parsed.rejected.append(Rejected(where, code, f"{where}: {reason}"))
