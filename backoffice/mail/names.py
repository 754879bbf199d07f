"""Safe file names for attachments: no paths, no control characters, a sensible extension."""

from __future__ import annotations

import mimetypes
import re
import unicodedata

UNSAFE = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")
EXTENSIONS = {"application/pdf": ".pdf", "message/rfc822": ".eml", "application/zip": ".zip"}
MAX_LENGTH = 150


def safe_filename(name: str | None, index: int, media_type: str) -> str:
    """The last path component of ``name`` with dangerous characters replaced.

    ``../../etc/passwd`` becomes ``passwd``; an empty or dot-only name becomes
    ``attachment-<index><ext>`` with the extension of ``media_type``.
    """
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[/\\]", name)[-1]
    name = printable(UNSAFE.sub("_", name).strip(" ."))  # raw 8-bit bytes in a header: shown as \\xNN
    if not name:
        extension = EXTENSIONS.get(media_type) or mimetypes.guess_extension(media_type) or ".bin"
        name = f"attachment-{index}{extension}"
    if len(name) > MAX_LENGTH:
        stem, dot, suffix = name.rpartition(".")
        name = (stem[: MAX_LENGTH - len(suffix) - 1] + dot + suffix) if dot and len(suffix) <= 10 else name[:MAX_LENGTH]
    return name


def printable(text: str | None) -> str:
    """``text`` safe to show and to store as JSON anywhere: bytes that were not valid UTF-8
    (kept by the parsers as surrogate escapes) shown as ``\\xNN``, NUL as ``\\x00``."""
    if not text:
        return text or ""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "surrogateescape" if _escapes_only(text) else "replace").decode(
            "utf-8", "backslashreplace"
        )
    return text.replace("\x00", "\\x00")


def _escapes_only(text: str) -> bool:
    return all(not 0xD800 <= ord(c) <= 0xDFFF or 0xDC80 <= ord(c) <= 0xDCFF for c in text)
