"""Decide what a file is by its content, never by its name.

:func:`sniff` returns one of ``pdf``, ``xml``, ``xlsx``, ``csv``, ``email``, ``html``, ``text``,
``image`` (PNG, JPEG, TIFF, GIF, BMP, WebP) or raises :class:`~backoffice.errors.DocumentError`
for an empty file or one we cannot read (an archive, an old Office file, binary data).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from backoffice.documents.pdf import HEADER_WINDOW, describe
from backoffice.errors import DocumentError

MAX_UNPACKED_BYTES = 200_000_000  # an XLSX whose parts unpack to more is refused before it is read
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*", b"GIF87a", b"GIF89a", b"BM")
_EMAIL_HEADERS = (b"from:", b"received:", b"return-path:", b"mime-version:", b"subject:", b"to:", b"date:",
                  b"message-id:", b"delivered-to:", b"content-type:")


def sniff(path: Path) -> str:
    """The format of ``path`` from its leading bytes (and, for a ZIP, its member names)."""
    with path.open("rb") as stream:
        head = stream.read(HEADER_WINDOW)
    if not head:
        raise DocumentError(f"{path.name}: the file is empty (0 bytes)", code="empty-file")
    if head.startswith(IMAGE_MAGIC) or head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image"
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(path)
    if b"%PDF-" in head and not any(head.startswith(m) for m in (b"\xd0\xcf\x11\xe0", b"{\\rtf", b"\x1f\x8b")):
        return "pdf"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    lowered = stripped.lower()
    if lowered.startswith((b"<?xml", b"<!--")) or (lowered.startswith(b"<") and b"xmlns" in lowered
                                                   and not lowered.startswith((b"<html", b"<!doctype html"))):
        return "xml"
    what = describe(head)
    if what == "an e-mail message" or lowered.startswith(_EMAIL_HEADERS) and b"\n" in lowered:
        first = lowered.split(b"\n", 1)[0]
        if b":" in first:
            return "email"
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<body" in lowered[:400]:
        return "html"
    if what != "plain text":
        raise DocumentError(f"{path.name}: cannot read this file: it looks like {what}", code="unsupported-format")
    return "csv" if _looks_like_csv(head) else "text"


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise DocumentError(f"{path.name}: the ZIP container is corrupt ({exc})", code="corrupt-file") from exc
    names = {member.filename for member in members}
    if "xl/workbook.xml" in names:
        # Python's zipfile never inflates a member past the size it declares: bounding the
        # declared sizes bounds what reading the workbook can unpack.
        unpacked = sum(member.file_size for member in members)
        if unpacked > MAX_UNPACKED_BYTES:
            raise DocumentError(f"{path.name}: the workbook unpacks to {unpacked / 1e6:.0f} MB, more than the "
                                f"limit of {MAX_UNPACKED_BYTES // 1_000_000} MB", code="too-large")
        return "xlsx"
    what = "a Word document" if "word/document.xml" in names else "a ZIP archive"
    raise DocumentError(f"{path.name}: cannot read this file: it looks like {what}", code="unsupported-format")


def delimiter_of(text: str) -> str | None:
    """The CSV delimiter (``,;\t|``) most of the first lines hold, or None when no delimiter is common."""
    lines = [line for line in text.splitlines() if line.strip()][:20]
    if len(lines) < 2:
        return None
    body = lines[:-1] if len(lines) > 2 else lines  # the last line of a window may be cut
    best, best_count = None, 0
    for delimiter in ",;\t|":
        holding = sum(1 for line in body if delimiter in line)
        if holding >= 0.8 * len(body) and holding > best_count:
            best, best_count = delimiter, holding
    return best


def _looks_like_csv(head: bytes) -> bool:
    return delimiter_of(head.decode("utf-8", errors="ignore")) is not None
