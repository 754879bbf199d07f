"""Turn one raw email into the documents a bot should read, and the reasons for what it refused.

Decisions follow what mail really looks like: attachment names in RFC 2047 or RFC 2231
encoding (the standard library's ``policy.default`` decodes both), bodies in any charset, PDFs
sent as ``application/octet-stream`` or under a wrong name (the type is decided by content),
forwarded mails (``message/rfc822``, ``.eml``) and Outlook ``.msg`` files opened recursively,
ZIP archives expanded within limits, inline images (logos, signatures) skipped, oversized
parts refused with a reason, and every file name made safe. Each accepted document is written
to the content-addressed file store at once (or to a :class:`~backoffice.queue.files.FileBatch`).

Long base64 bodies never go through the standard library's line-by-line parser: they are set
aside before parsing and decoded from the original bytes a chunk at a time, straight into the
file store (:mod:`backoffice.mail.skeleton`), so a 20 MB attachment is never decoded in memory.
"""

from __future__ import annotations

import email
import email.headerregistry
import email.policy
import fnmatch
import functools
import io
import logging
import re
import zipfile
from dataclasses import dataclass, field
from email.message import EmailMessage, Message

from backoffice.errors import DocumentError
from backoffice.mail.names import safe_filename
from backoffice.mail.skeleton import Base64Reader, Skeleton, set_aside
from backoffice.queue.base import StoredFile
from backoffice.queue.files import FileBatch, FileStore, sniff_media_type

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


LINE_BREAKS = re.compile(r"\n|\r")
STREAM_BYTES = 4_000_000  # encoded parts this large are decoded to the file store a chunk at a time


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


def parse_mail(
    raw: bytes, files: FileStore | FileBatch, limits: MailLimits = MailLimits(), name: str = "message"
) -> ParsedMail:
    """Parse ``raw`` (RFC 5322 bytes); raise DocumentError naming ``name`` when it is no mail at all."""
    if not raw or raw.isspace():  # (not raw.strip(): that copies a 27 MB mail)
        raise DocumentError(f"{name}: the message is empty", code="mail-empty")
    skeleton, message = _parse(raw)
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
    parsed.text, parsed.html = _bodies(message, skeleton, parsed.warnings)
    _Walker(files, limits, parsed).part(message, skeleton, depth=0, origin="")
    return parsed


class _Headers(email.headerregistry.HeaderRegistry):
    """The standard registry builds a new header class for every header it parses; one per
    header name does."""

    @functools.cache  # noqa: B019 - one registry for the life of the process
    def __getitem__(self, name: str) -> type:
        return super().__getitem__(name.lower())


class _ParseOnce(email.policy.EmailPolicy):
    """``policy.default`` that parses a header value once: the parser and ``get_content_type()``
    read a part's Content-Type about seven times, and ``policy.default`` parses it anew each
    time (most of the cost of reading a small mail). Header objects are immutable."""

    def header_fetch_parse(self, name, value):
        return value if hasattr(value, "name") else _parsed_header(name, value)


@functools.lru_cache(maxsize=1024)
def _parsed_header(name: str, value: str):
    return POLICY_HEADERS(name, LINE_BREAKS.sub("", value))  # as policy.default unfolds it


POLICY_HEADERS = _Headers()
POLICY = _ParseOnce(header_factory=POLICY_HEADERS)


def _parse(raw: bytes) -> tuple[Skeleton, Message]:
    skeleton = set_aside(raw)
    return skeleton, email.message_from_bytes(skeleton.text, policy=POLICY)


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


def _bodies(message: Message, skeleton: Skeleton, warnings: list[str]) -> tuple[str, str]:
    if not isinstance(message, EmailMessage):
        return "", ""
    found = []
    for kind in ("plain", "html"):
        body = message.get_body(preferencelist=(kind,))
        if body is not None:
            skeleton.restore(body)
        found.append(_text_of(body, warnings) if body is not None else "")
    return found[0], found[1]


class _Walker:
    def __init__(self, files: FileStore | FileBatch, limits: MailLimits, parsed: ParsedMail):
        self.files, self.limits, self.parsed = files, limits, parsed
        self.count = 0

    def part(self, part: Message, skeleton: Skeleton, depth: int, origin: str) -> None:
        if part.is_multipart():
            for sub in part.iter_parts() if isinstance(part, EmailMessage) else part.get_payload():
                self.part(sub, skeleton, depth, origin)
            return
        content_type = part.get_content_type()
        disposition = part.get_content_disposition()
        filename = part.get_filename()
        if content_type == "message/rfc822":
            skeleton.restore(part)
            self._nested_mail(part, skeleton, depth, origin)
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
        span = skeleton.span(part)
        if span is not None and str(part.get("content-transfer-encoding", "")).strip().lower() == "base64":
            self.stream(Base64Reader(skeleton.raw, *span), name, depth, origin)
            return
        skeleton.restore(part)
        encoded = part.get_payload()
        if isinstance(encoded, str) and len(encoded) * 3 // 4 > self.limits.max_part_bytes:
            self._reject(origin + name, "too-large", f"about {len(encoded) * 3 // 4:,} bytes")
            return
        data = part.get_payload(decode=True) or b""
        self.data(data, name, depth, origin)

    def stream(self, reader: Base64Reader, name: str, depth: int, origin: str) -> None:
        """A long base64 body: a large document goes to the file store a chunk at a time."""
        if reader.encoded_size * 3 // 4 > self.limits.max_part_bytes:
            self._reject(origin + name, "too-large", f"about {reader.encoded_size * 3 // 4:,} bytes")
            return
        if reader.encoded_size < STREAM_BYTES:  # in memory: the file store skips writing what it has
            self.data(reader.read(), name, depth, origin)
            return
        head = reader.peek()
        kind, media_type = self._kind(head, name)
        if head and kind == "document":
            self._document(self.files.put_stream(reader, name), name, origin)  # type: ignore[arg-type]
        elif head and kind == "unsupported":
            self._unsupported(origin + name, media_type)
        else:  # an archive or a mail to open, or nothing at all: in memory, within the size limit
            self.data(reader.read(), name, depth, origin)

    def data(self, data: bytes, name: str, depth: int, origin: str) -> None:
        """Decide what a blob is by its content and take, open or refuse it."""
        where = origin + name
        if len(data) > self.limits.max_part_bytes:
            self._reject(where, "too-large", f"{len(data):,} bytes")
            return
        if not data:
            self._reject(where, "empty", "0 bytes")
            return
        kind, media_type = self._kind(data[:1024], name)
        if kind == "zip":
            self._archive(data, name, depth, origin)
        elif kind == "msg":
            self._outlook(data, name, depth, origin)
        elif kind == "mail":
            self._mail_bytes(data, name, depth, origin)
        elif kind == "document":
            self._document(self.files.put_bytes(data, name), name, origin)
        else:
            self._unsupported(where, media_type)

    def _kind(self, head: bytes, name: str) -> tuple[str, str]:
        """What a blob is, from its first kilobyte and its name: zip, msg, mail, document or
        unsupported; and its media type."""
        media_type = sniff_media_type(head[:1024], name)
        if media_type == "application/zip":
            return "zip", media_type
        if head.startswith(OLE_MAGIC) and name.lower().endswith(".msg"):
            return "msg", media_type
        if name.lower().endswith(".eml") or media_type == "message/rfc822":
            return "mail", media_type
        if any(fnmatch.fnmatchcase(media_type, pattern) for pattern in self.limits.document_types):
            return "document", media_type
        return "unsupported", media_type

    def _document(self, stored: StoredFile, name: str, origin: str) -> None:
        self.parsed.documents.append(MailDocument(name, stored, origin.rstrip("/") or "attachment"))

    def _unsupported(self, where: str, media_type: str) -> None:
        self._reject(where, "unsupported-type", f"{media_type} is not a document type this bot reads")

    def _deeper(self, depth: int, where: str) -> bool:
        if depth + 1 > self.limits.max_depth:
            self._reject(where, "too-deep", f"nested deeper than {self.limits.max_depth} levels")
            return False
        return True

    def _nested_mail(self, part: Message, skeleton: Skeleton, depth: int, origin: str) -> None:
        inner = part.get_payload()[0] if part.is_multipart() else part.get_content()
        subject = str(inner.get("Subject", "") or "forwarded mail")
        where = f"{origin}{safe_filename(subject, 0, 'message/rfc822')}/"
        if self._deeper(depth, where):
            self.parsed.warnings += [f"{where}: {d}" for d in inner.defects]
            self.part(inner, skeleton, depth + 1, where)

    def _mail_bytes(self, data: bytes, name: str, depth: int, origin: str) -> None:
        if self._deeper(depth, origin + name):
            skeleton, inner = _parse(data)
            self.part(inner, skeleton, depth + 1, f"{origin}{name}/")

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
            self._outlook_attachments(msg, depth + 1, f"{origin}{name}/")
        finally:
            msg.close()

    def _outlook_attachments(self, msg, depth: int, where: str) -> None:
        """The attachments of an opened Outlook message: files, and embedded Outlook messages
        (opened in turn, within the depth limit); anything else is refused with its kind. What
        extract_msg cannot read of a damaged message is refused with its error."""
        try:
            attachments = list(msg.attachments)
        except Exception as exc:  # noqa: BLE001 - extract_msg raises many types for broken files
            self._reject(where.rstrip("/"), "msg-unreadable", f"cannot read the Outlook message's attachments: {exc}")
            return
        for index, attachment in enumerate(attachments, 1):
            try:
                inner_name = safe_filename(attachment.longFilename or attachment.shortFilename, index, "")
                inner = attachment.data
            except Exception as exc:  # noqa: BLE001 - as above
                self._reject(f"{where}attachment-{index}", "msg-unreadable", f"cannot read the attachment: {exc}")
                continue
            if isinstance(inner, bytes):
                self.data(inner, inner_name, depth, where)
            elif hasattr(inner, "attachments"):  # an embedded message (extract_msg opened it)
                if not inner_name.lower().endswith(".msg"):
                    inner_name += ".msg"
                if self._deeper(depth, where + inner_name):
                    self._outlook_attachments(inner, depth + 1, f"{where}{inner_name}/")
            else:
                self._reject(where + inner_name, "unsupported-type",
                             f"an Outlook attachment of kind {type(attachment).__name__} is not a document")  # fmt: skip

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
