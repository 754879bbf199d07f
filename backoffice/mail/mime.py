"""What one raw email becomes (the documents a bot should read, the parts that belong to the mail
itself, the reasons for what it refused) and the helpers that read its headers and bodies;
:func:`backoffice.mail.parse.parse_mail` reads a mail into it.

What is a document is decided as a person reading the mail would (:mod:`backoffice.mail.walker`):
attached files, photos and scans (also when a phone sends them inline), forwarded mails opened;
logos, signatures, disclaimer fragments, delivery reports, calendar parts and alternative
renderings are recorded as parts of the mail, never as documents. Attachment names in RFC 2047
or RFC 2231 encoding (the standard library's ``policy.default`` decodes both) or left unquoted,
bodies in any charset, types decided by content. A mail whose MIME structure is broken is read
as a mail client shows it (:mod:`backoffice.mail.repair`).

Long base64 bodies never go through the standard library's line-by-line parser: they are set
aside before parsing and decoded from the original bytes a chunk at a time, straight into the
file store (:mod:`backoffice.mail.skeleton`), so a 20 MB attachment is never decoded in memory.
"""

from __future__ import annotations

import email
import email.headerregistry
import email.policy
import functools
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message

from backoffice.mail.skeleton import Skeleton, set_aside
from backoffice.queue.base import StoredFile

DOCUMENT_TYPES = (
    "application/pdf",
    "image/*",
    "text/*",
    "application/xml",
    "application/json",
    "application/rtf",
    "application/msword",
    "application/vnd.ms-*",
    "application/vnd.openxmlformats-officedocument*",
    "application/vnd.oasis.opendocument*",
    "application/x-ole-storage",
)
LINE_BREAKS = re.compile(r"\n|\r")


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
    stored: StoredFile | None = None  # the refused file itself, when it could be kept


@dataclass(frozen=True)
class MailPart:
    """A part that belongs to the mail, not a document: kind is one of logo, signature,
    disclaimer, report, calendar, contact, alternative, text, returned-mail, empty."""

    name: str
    kind: str
    media_type: str
    size: int

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": self.kind, "media_type": self.media_type, "size": self.size}


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
    parts: list[MailPart] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    repaired: bool = False  # the MIME structure was broken and read leniently


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
    value = LINE_BREAKS.sub("", value)  # as policy.default unfolds it
    try:
        return POLICY_HEADERS(name, value)
    except (ValueError, AttributeError, TypeError, IndexError):  # e.g. a NUL in an RFC 2231 charset
        try:
            return POLICY_HEADERS(name, value.replace("\x00", ""))
        except (ValueError, AttributeError, TypeError, IndexError):
            return POLICY_HEADERS(name, "")  # as if absent: the mail is still read


POLICY_HEADERS = _Headers()
POLICY = _ParseOnce(header_factory=POLICY_HEADERS)


def parse_bytes(raw: bytes) -> tuple[Skeleton, Message]:
    skeleton = set_aside(raw)
    return skeleton, email.message_from_bytes(skeleton.text, policy=POLICY)


def header(message: Message, name: str, warnings: list[str]) -> str | None:
    """A header's value, or None when absent or malformed (said in ``warnings``)."""
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError, AttributeError) as exc:  # a header the parser cannot make sense of
        warnings.append(f"header {name} is malformed: {exc}")
        return None
    return str(value).strip() if value is not None else None


def text_of(part: Message, warnings: list[str]) -> str:
    try:
        content = part.get_content()
        return content if isinstance(content, str) else content.decode("utf-8", "replace")
    except (LookupError, UnicodeError, KeyError, AttributeError, ValueError) as exc:  # an unknown or lying charset
        warnings.append(f"body charset {part.get_content_charset()!r} unreadable ({exc}); read as latin-1")
        return (part.get_payload(decode=True) or b"").decode("latin-1")


def bodies(message: Message, skeleton: Skeleton, warnings: list[str]) -> tuple[str, str]:
    """The plain text and the HTML the mail shows (either may be empty)."""
    if not isinstance(message, EmailMessage):
        return "", ""
    found = []
    for kind in ("plain", "html"):
        try:
            body = message.get_body(preferencelist=(kind,))
            if body is not None and body.get_content_disposition() == "attachment":
                body = None  # an attached text file is a document, not the body
        except (KeyError, AttributeError, ValueError, TypeError, IndexError) as exc:  # a header it cannot parse
            warnings.append(f"the {kind} body cannot be found: {type(exc).__name__}: {exc}")
            body = None
        if body is not None:
            skeleton.restore(body)
        found.append(text_of(body, warnings) if body is not None else "")
    blocks = _plain_blocks(message)
    if len(blocks) > 1:  # a body split around attachments (Apple Mail): every block of it
        for block in blocks:
            skeleton.restore(block)
        found[0] = "\n".join(text_of(block, warnings).strip("\r\n") for block in blocks)
    return found[0], found[1]


def _plain_blocks(part: Message) -> list[Message]:
    """The unnamed, not attached text/plain parts of this mail (not of the mails it forwards)."""
    if part.get_content_maintype() == "message":
        return []
    if part.is_multipart():
        return [block for sub in part.get_payload() if isinstance(sub, Message) for block in _plain_blocks(sub)]
    try:
        named = part.get_filename() is not None or part.get_content_disposition() == "attachment"
    except (ValueError, IndexError, TypeError):
        named = True
    return [part] if part.get_content_type() == "text/plain" and not named else []
