"""Walk a parsed mail and decide, part by part, what a person reading it would take.

- **Documents**: attached files of the document types (PDF, images, text, Office, OpenDocument,
  XML, ...), decided by content; archives (ZIP, gzip), TNEF ``winmail.dat`` and Outlook ``.msg``
  files opened; forwarded mails (``message/rfc822``, also base64-encoded, ``message/global``,
  ``.eml``) opened, and one whose only content is its text gives that text as a document.
- **Parts of the mail** (recorded, never documents, never exception items): signatures
  (S/MIME, PGP), disclaimer fragments (``ATT00001.txt``), delivery reports and the mail they
  return, calendar parts, contact cards, alternative renderings (``text/watch-html``), and logos
  (:func:`decorative`). Unnamed text blocks are the body (:func:`~backoffice.mail.mime.bodies`);
  a named text file is a document, also when sent inline (as Apple Mail sends attachments).
  When a mail has no document and no text at all, its images are what was sent, and are taken.
- **Refused**, each to the exception queue with its reason: unsupported types, empty, oversized,
  encrypted, too deeply nested, archive bombs.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import io
import logging
import re
from dataclasses import dataclass, replace
from email.message import Message
from urllib.parse import unquote

from backoffice.mail import containers, kinds
from backoffice.mail.containers import Bounds, Refused
from backoffice.mail.mime import (
    MailDocument,
    MailLimits,
    MailPart,
    ParsedMail,
    Rejected,
    bodies,
    parse_bytes,
    text_of,
)
from backoffice.mail.names import printable, safe_filename
from backoffice.mail.repair import lenient_filename
from backoffice.mail.skeleton import Base64Reader, Skeleton
from backoffice.queue.files import FileBatch, FileStore

log = logging.getLogger(__name__)
STREAM_BYTES = 4_000_000  # encoded parts this large are decoded to the file store a chunk at a time
REPORT_TYPES = {
    "message/delivery-status",
    "message/disposition-notification",
    "message/feedback-report",
    "message/rfc822-headers",
    "text/rfc822-headers",
    "message/global-delivery-status",
    "message/global-headers",
    "message/global-disposition-notification",
}
CALENDAR_TYPES = {"text/calendar", "application/ics", "text/x-vcalendar"}
CONTACT_TYPES = {"text/vcard", "text/x-vcard", "text/directory"}
ENCRYPTED_TYPES = {"application/pkcs7-mime", "application/x-pkcs7-mime", "application/pgp-encrypted"}
DISCLAIMER = re.compile(r"(?i)att\d{5,}\.{1,2}(txt|html?)")  # the fragments Exchange and Apple Mail split a body into
CID = re.compile(r"(?i)cid:([^\"'\s>)]+)")
SOURCE = re.compile(r"(?i)\bsrc\s*=\s*[\"']?([^\"'\s>]+)")  # an image the HTML shows by its Content-Location
LOGO_PIXELS = 400 * 400  # a signature banner of 600 x 150 is a logo; a phone photo of 640 x 480 is not
LOGO_BYTES = 100_000
# A uuencoded file in a text body: "begin MODE NAME", lines of uuencode, an empty line (a lone
# backtick or space), "end"
UUENCODED = re.compile(r"(?m)^begin [0-7]{3,4} (?P<name>[^\r\n]+)\r?\n(?P<data>(?:[\x20-\x60]+\r?\n)*?)end[ \t]*$")


@dataclass(frozen=True)
class Hint:
    """What the mail says about a part: referenced from its HTML, shown inline, named."""

    referenced: bool = False
    inline_text: bool = False  # no file name, not an attachment: text the mail shows


def image_facts(data: bytes) -> tuple[tuple[int, int], bool, bool] | None:
    """The image's size in pixels, whether a camera took it (EXIF Make or Model) and whether it
    is animated; None when the bytes are no image Pillow can read."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            exif = image.getexif()
            return image.size, bool(exif.get(0x010F) or exif.get(0x0110)), bool(getattr(image, "is_animated", False))
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, TypeError, Image.DecompressionBombError):
        return None  # not an image Pillow reads, or one claiming more pixels than any photo


def decorative(data: bytes, kind: str, referenced: bool) -> bool:
    """A logo or an icon, not a photo or a scan. A logo is small and shown by the HTML body
    (``cid:``): at most :data:`LOGO_PIXELS` pixels and :data:`LOGO_BYTES` bytes, and no camera
    photo (EXIF names a camera); an animation the body shows is decoration too. An image the body does not show is decoration only when tiny (an
    icon, a tracking pixel)."""
    facts = image_facts(data)
    if facts is None:  # unreadable (damaged, or HEIC): shown in the body and small, a broken logo
        return referenced and len(data) <= LOGO_BYTES
    size, camera, animated = facts
    if referenced:  # an animation in the body is decoration whatever its size
        return animated or (size[0] * size[1] <= LOGO_PIXELS and len(data) <= LOGO_BYTES and not camera)
    return max(size) <= 200 and len(data) <= 30_000


class Walker:
    def __init__(self, files: FileStore | FileBatch, limits: MailLimits, parsed: ParsedMail):
        self.files, self.limits, self.parsed = files, limits, parsed
        self.bounds = Bounds(
            limits.max_part_bytes, limits.max_archive_bytes, limits.max_archive_members, limits.max_compression_ratio
        )
        self.count = 0
        self.cids: set[str] = set()
        self.held: list[tuple[str, bytes, str, str]] = []  # decorative images: (name, data, kind, origin)

    # -- the mail --------------------------------------------------------------------------
    def mail(self, message: Message, skeleton: Skeleton) -> None:
        self.cids = _referenced_cids(message, skeleton)
        self.part(message, skeleton, 0, "", "")
        parsed = self.parsed
        parsed.text = self._uuencoded(parsed.text)
        if not (parsed.documents or parsed.rejected or parsed.text.strip() or _html_text(parsed.html)):
            for name, data, kind, origin in self.held:  # nothing else in the mail: the images are what was sent
                parsed.parts[:] = [p for p in parsed.parts if not (p.kind == "logo" and p.name == origin + name)]
                self._document(data, name, kind, origin)

    def part(self, part: Message, skeleton: Skeleton, depth: int, origin: str, container: str) -> None:
        content_type = part.get_content_type()
        if part.is_multipart() and not content_type.startswith("message/"):
            if content_type == "multipart/encrypted":
                self._reject(
                    origin + "encrypted", "encrypted", "the mail is encrypted (PGP/MIME); open it in a mail client"
                )
                return
            for index, sub in enumerate(part.get_payload()):
                if content_type == "multipart/signed" and index > 0:
                    self._record(sub, "signature", origin)
                elif (
                    content_type == "multipart/report"
                    and index > 0
                    and sub.get_content_maintype() in ("message", "text")
                ):
                    self._record(sub, "report" if index == 1 else "returned-mail", origin)
                else:
                    self.part(sub, skeleton, depth, origin, content_type)
            return
        self._leaf(part, skeleton, depth, origin, content_type, container)

    def _leaf(
        self, part: Message, skeleton: Skeleton, depth: int, origin: str, content_type: str, container: str
    ) -> None:
        disposition = _safe(part.get_content_disposition)
        filename = lenient_filename(part, _safe(part.get_filename))
        name = filename or ""
        if content_type in ("message/rfc822", "message/global", "message/partial") or (
            content_type.startswith("message/")
            and content_type not in REPORT_TYPES
            and content_type != "message/external-body"
        ):
            self._nested(part, skeleton, depth, origin)
            return
        if part.get_content_maintype() == "multipart":  # a multipart the parser found no part in
            shown = str(part.get_payload() or "")
            self._record(part, "text" if shown.strip() else "empty", origin)
            if shown.strip() and not self.parsed.text.strip():
                self.parsed.text = shown  # what it holds is the text the mail shows
            return
        kind = _part_kind(content_type, name, disposition, container)
        if kind == "text":
            return  # the body (read by mime.bodies), or a block of it: nothing to record
        if kind is not None:
            self._record(part, kind, origin)
            return
        if content_type in ENCRYPTED_TYPES:
            self._reject(
                origin + (safe_filename(filename, 0, content_type) if filename else "smime.p7m"),
                "encrypted",
                "an S/MIME encrypted or opaque-signed part; open it in a mail client",
            )
            return
        self.count += 1
        cid = str(_safe(lambda: part.get("Content-ID")) or "").strip().strip("<>")
        location = str(_safe(lambda: part.get("Content-Location")) or "").strip()
        hint = Hint(
            referenced=bool(cid and cid in self.cids) or bool(location and location in self.cids),
            inline_text=not filename and disposition != "attachment",
        )
        span = skeleton.span(part)
        if span is not None and str(part.get("content-transfer-encoding", "")).strip().lower() == "base64":
            self._stream(Base64Reader(skeleton.raw, *span), name, content_type, depth, origin, hint)
            return
        skeleton.restore(part)
        encoded = part.get_payload()
        if isinstance(encoded, str) and len(encoded) * 3 // 4 > self.limits.max_part_bytes:
            self._reject(
                origin + safe_filename(filename, self.count, content_type),
                "too-large",
                f"about {len(encoded) * 3 // 4:,} bytes",
            )
            return
        try:
            data = _decoded(part)
        except (ValueError, binascii.Error, LookupError) as exc:  # x-uuencode and friends, damaged
            self._reject(
                origin + safe_filename(filename, self.count, content_type),
                "undecodable",
                f"the part cannot be decoded ({part.get('content-transfer-encoding')}): {exc}",
            )
            return
        if not data and str(part.get("content-transfer-encoding", "")).strip().lower() in ("x-uuencode", "uuencode"):
            data = _uudecode(encoded if isinstance(encoded, str) else "")
        self.data(data, name, depth, origin, content_type, hint)

    def _stream(self, reader: Base64Reader, name: str, declared: str, depth: int, origin: str, hint: Hint) -> None:
        """A long base64 body: a large document goes to the file store a chunk at a time."""
        if reader.encoded_size * 3 // 4 > self.limits.max_part_bytes:
            self._reject(
                origin + safe_filename(name, self.count, declared),
                "too-large",
                f"about {reader.encoded_size * 3 // 4:,} bytes",
            )
            return
        if reader.encoded_size < STREAM_BYTES:  # in memory: the file store skips writing what it has
            self.data(reader.read(), name, depth, origin, declared, hint)
            return
        head = reader.peek()
        kind = kinds.media_type(head, name, declared)
        if head and self._is_document(kind) and kind != "text/plain":
            name = safe_filename(name, self.count, kind)
            stored = self.files.put_stream(reader, name)  # type: ignore[arg-type]  # reads like a stream
            self._take(MailDocument(name, replace(stored, media_type=kind), origin.rstrip("/") or "attachment"))
        else:  # an archive or a mail to open, or anything else: in memory, within the size limit
            self.data(reader.read(), name, depth, origin, declared, hint)

    # -- a blob, by its content -------------------------------------------------------------
    def data(
        self,
        data: bytes,
        name: str,
        depth: int,
        origin: str,
        declared: str = "application/octet-stream",
        hint: Hint | None = None,
    ) -> None:
        """Decide what a blob is by its content and take, open, record or refuse it."""
        kind = kinds.media_type(data, name, declared)
        name = safe_filename(name, self.count, kind)
        where = origin + name
        if len(data) > self.limits.max_part_bytes:
            self._reject(where, "too-large", f"{len(data):,} bytes")
        elif kind in kinds.SIGNATURE_TYPES:  # (an empty one too: a signature is no document either way)
            self.parsed.parts.append(MailPart(where, "signature", kind, len(data)))
        elif not data:
            self._reject(where, "empty", "0 bytes")
        elif hint is not None and hint.inline_text and kind == "text/plain" and not self.parsed.text.strip():
            self.parsed.parts.append(MailPart(where, "text", kind, len(data)))  # mislabelled: the text it shows
            self.parsed.text = data.decode("utf-8", "replace")
        elif kinds.is_program(data, name, kind):  # before archives: a .jar is a ZIP
            self._reject(where, "unsupported-type", f"{kind} is a program or script, not a document", data)
        elif kind == "application/zip":
            self._archive(data, name, depth, origin)
        elif kind == "application/gzip":
            self._opened(lambda: [containers.gunzip(data, name, self.bounds)], name, depth, origin)
        elif kind == "application/ms-tnef":
            self._tnef(data, name, depth, origin)
        elif kind == "application/vnd.ms-outlook":
            self._outlook(data, name, depth, origin)
        elif kind in ("message/rfc822", "message/global") or name.lower().endswith(".eml"):
            self._mail_bytes(data, name, depth, origin)
        elif self._is_document(kind):
            if (
                kind.startswith("image/")
                and hint is not None
                and not self.limits.include_inline_images
                and decorative(data, kind, hint.referenced)
            ):
                self.parsed.parts.append(MailPart(where, "logo", kind, len(data)))
                self.held.append((name, data, kind, origin))
                return
            self._document(data, name, kind, origin)
        else:
            self._reject(where, "unsupported-type", f"{kind} is not a document type this bot reads", data)

    def _is_document(self, kind: str) -> bool:
        return any(fnmatch.fnmatchcase(kind, pattern) for pattern in self.limits.document_types)

    def _document(self, data: bytes, name: str, kind: str, origin: str) -> None:
        stored = replace(self.files.put_bytes(data, name), media_type=kind)
        self._take(MailDocument(name, stored, origin.rstrip("/") or "attachment"))

    def _take(self, document: MailDocument) -> None:
        """Take a document, unless the mail gave the same file already: the same name and the
        same bytes, attached twice or again in a forwarded mail or an archive. It is handled
        once (a second item would be posted twice, or stop as a duplicate); the repeat is
        recorded. Files that share their bytes under different names are each taken."""
        if any(
            d.stored.sha256 == document.stored.sha256 and d.name.casefold() == document.name.casefold()
            for d in self.parsed.documents
        ):
            where = (
                document.origin.rstrip("/") + "/" + document.name if document.origin != "attachment" else document.name
            )
            self.parsed.parts.append(MailPart(where, "duplicate", document.stored.media_type, document.stored.size))
            return
        self.parsed.documents.append(document)

    def _duplicates(self) -> int:
        return sum(part.kind == "duplicate" for part in self.parsed.parts)

    def _uuencoded(self, text: str) -> str:
        """The body without its uuencoded files (``begin 644 name`` ... ``end``, as old mail
        programs and mainframe gateways attach them), each taken as a document; mail clients
        show them as attachments, so a person would too."""
        if "begin " not in text:
            return text
        kept, last = [], 0
        for match in UUENCODED.finditer(text):
            kept.append(text[last : match.start()])
            last = match.end()
            data = _uudecode(match.group("data"))
            self.count += 1
            self.data(data, match.group("name").strip(), 0, "body/")
        return "".join(kept) + text[last:] if kept else text

    def _record(self, part: Message, kind: str, origin: str) -> None:
        filename = _safe(part.get_filename)
        content_type = part.get_content_type()
        payload = part.get_payload()
        size = len(payload) if isinstance(payload, str) else 0
        name = safe_filename(filename, 0, content_type) if filename else content_type
        self.parsed.parts.append(MailPart(origin + name, kind, content_type, size))

    # -- containers -----------------------------------------------------------------------
    def _deeper(self, depth: int, where: str) -> bool:
        if depth + 1 > self.limits.max_depth:
            self._reject(where, "too-deep", f"nested deeper than {self.limits.max_depth} levels")
            return False
        return True

    def _opened(self, open_files, name: str, depth: int, origin: str) -> None:
        if not self._deeper(depth, origin + name):
            return
        try:
            for inner_name, inner in open_files():
                self.data(inner, safe_filename(inner_name, self.count, ""), depth + 1, f"{origin}{name}/")
        except Refused as refused:
            self._reject(origin + name, refused.code, refused.reason)

    def _archive(self, data: bytes, name: str, depth: int, origin: str) -> None:
        where = f"{origin}{name}/"
        if not self._deeper(depth, origin + name):
            return
        try:
            for index, (member, content) in enumerate(containers.zip_members(data, self.bounds), 1):
                if content is None:
                    self._reject(
                        where + safe_filename(member, index, ""),
                        "zip-encrypted",
                        "the file in the archive is encrypted",
                    )
                else:
                    self.data(content, safe_filename(member, index, ""), depth + 1, where)
        except Refused as refused:
            self._reject(origin + name, refused.code, refused.reason)

    def _tnef(self, data: bytes, name: str, depth: int, origin: str) -> None:
        if not self._deeper(depth, origin + name):
            return
        try:
            found, rtf = containers.tnef_files(data)
        except Refused as refused:
            self._reject(origin + name, refused.code, refused.reason, data)
            return
        for index, (inner_name, inner) in enumerate(found, 1):
            self.data(inner, safe_filename(inner_name, index, ""), depth + 1, f"{origin}{name}/")
        if not found and rtf.strip():
            self._document(rtf, "body.rtf", "application/rtf", f"{origin}{name}/")
        elif not found:  # tnefparse reads what it can: nothing at all is for a person to look at
            self._reject(
                origin + name,
                "tnef-unreadable",
                "no attachment and no text could be read from this Outlook TNEF (winmail.dat) file",
                data,
            )

    def _nested(self, part: Message, skeleton: Skeleton, depth: int, origin: str) -> None:
        """A forwarded mail: opened as it is, or decoded first (base64, message/global)."""
        encoding = str(part.get("content-transfer-encoding", "") or "").strip().lower()
        payload = part.get_payload()
        inner = payload[0] if isinstance(payload, list) and payload and isinstance(payload[0], Message) else None
        if inner is not None and encoding not in ("base64", "quoted-printable"):
            subject = str(_safe(lambda: inner.get("Subject")) or "") or "forwarded mail"
            self._open_mail(inner, skeleton, depth, f"{origin}{safe_filename(subject, 0, 'message/rfc822')}/")
            return
        if inner is not None:  # the parser read encoded text as a message
            skeleton.restore(inner)
            data = _decode_text(inner.as_string() if inner.keys() else str(inner.get_payload()), encoding)
        else:
            skeleton.restore(part)
            data = _decoded(part)
        if not data.strip():
            self.parsed.parts.append(MailPart(origin + "forwarded mail", "empty", part.get_content_type(), 0))
            return
        self._mail_bytes(data, "forwarded.eml", depth, origin)

    def _mail_bytes(self, data: bytes, name: str, depth: int, origin: str) -> None:
        skeleton, inner = parse_bytes(data)
        if not inner.keys():
            self._reject(origin + name, "mail-malformed", "no mail headers found in the attached mail", data)
            return
        subject = str(_safe(lambda: inner.get("Subject")) or "")
        label = name if name != "forwarded.eml" else safe_filename(subject or "forwarded mail", 0, "message/rfc822")
        self._open_mail(inner, skeleton, depth, f"{origin}{label}/")

    def _open_mail(self, inner: Message, skeleton: Skeleton, depth: int, where: str) -> None:
        """Open a forwarded mail; when it holds no document, its text is the document."""
        if not self._deeper(depth, where.rstrip("/")):
            return
        self.parsed.warnings += [f"{where}: {d}" for d in inner.defects]
        before = len(self.parsed.documents) + len(self.parsed.rejected) + self._duplicates()
        self.cids |= _referenced_cids(inner, skeleton)
        self.part(inner, skeleton, depth + 1, where, "")
        if len(self.parsed.documents) + len(self.parsed.rejected) + self._duplicates() > before:
            return  # it held documents (also ones the mail had given already): its text is a cover note
        text, html = bodies(inner, skeleton, self.parsed.warnings)
        stem = where.rstrip("/").rsplit("/", 1)[-1]
        if text.strip():
            self._document(text.encode("utf-8"), safe_filename(stem, 0, "") + ".txt", "text/plain", where)
        elif _html_text(html):
            self._document(html.encode("utf-8"), safe_filename(stem, 0, "") + ".html", "text/html", where)

    def _outlook(self, data: bytes, name: str, depth: int, origin: str) -> None:
        if not self._deeper(depth, origin + name):
            return
        try:
            msg = containers.outlook_message(data)
        except Refused as refused:
            self._reject(origin + name, refused.code, refused.reason, data)
            return
        try:
            self._outlook_attachments(msg, depth + 1, f"{origin}{name}/")
        finally:
            msg.close()

    def _outlook_attachments(self, msg, depth: int, where: str) -> None:
        """The attachments of an opened Outlook message: files, and embedded Outlook messages
        (opened in turn, within the depth limit); anything else is refused with its kind."""
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
                self._reject(
                    where + inner_name,
                    "unsupported-type",
                    f"an Outlook attachment of kind {type(attachment).__name__} is not a document",
                )

    def _reject(self, where: str, code: str, reason: str, data: bytes | None = None) -> None:
        log.info("mail part %s refused: %s", printable(where), printable(reason))
        stored = None
        if data and len(data) <= self.limits.max_part_bytes:  # kept for the person who looks at it
            stored = self.files.put_bytes(data, where.rsplit("/", 1)[-1] or "part.bin")
        self.parsed.rejected.append(Rejected(where, code, f"{where}: {reason}", stored))


def _part_kind(content_type: str, name: str, disposition: str | None, container: str) -> str | None:
    """The kind of a part that belongs to the mail itself, or None for a candidate document."""
    lower = name.lower()
    if content_type in REPORT_TYPES:
        return "report"
    if content_type in CALENDAR_TYPES or lower.endswith((".ics", ".vcs")):
        return "calendar"
    if content_type in CONTACT_TYPES or lower.endswith(".vcf"):
        return "contact"
    if content_type == "application/pgp-keys":
        return "signature"  # (a signature is told by its bytes first, in Walker.data: a PDF labelled one is a PDF)
    if content_type.startswith("text/") and DISCLAIMER.fullmatch(name):
        return "disclaimer"
    if content_type.startswith("text/") and not name and disposition != "attachment":
        if content_type in ("text/plain", "text/html") or container != "multipart/alternative":
            return "text"  # the body, or a second block of it
        return "alternative"  # watch-html, enriched, amp: the same text rendered again
    return None


def _referenced_cids(message: Message, skeleton: Skeleton) -> set[str]:
    found: set[str] = set()
    for part in message.walk():
        if part.get_content_type() == "text/html" and not part.is_multipart():
            skeleton.restore(part)
            html = text_of(part, [])
            found.update(unquote(cid) for cid in CID.findall(html))
            found.update(SOURCE.findall(html))
    return found


def _html_text(html: str) -> bool:
    """Whether an HTML body shows any text (tags and entities aside)."""
    return bool(re.sub(r"(?s)<(style|script)\b.*?</\1>|<[^>]*>|&nbsp;|\s", "", html or ""))


def _safe(getter):
    try:
        return getter()
    except (ValueError, IndexError, TypeError, KeyError, AttributeError):
        return None


def _decoded(part: Message) -> bytes:
    data = part.get_payload(decode=True)
    return data if isinstance(data, bytes) else b""


def _decode_text(text: str, encoding: str) -> bytes:
    if encoding == "base64":
        try:
            return base64.b64decode("".join(text.split()) + "==", validate=False)
        except (binascii.Error, ValueError):
            return b""
    if encoding == "quoted-printable":
        return binascii.a2b_qp(text.encode("ascii", "replace"))
    return text.encode("utf-8", "surrogateescape")


def _uudecode(text: str) -> bytes:
    out = []
    for line in text.splitlines():
        if line.startswith(("begin ", "end")) or not line.strip():
            continue
        try:
            out.append(binascii.a2b_uu(line))
        except binascii.Error:
            continue
    return b"".join(out)
