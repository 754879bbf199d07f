"""What a file's leading bytes say it is, for the messages that refuse it ("not a PDF, it looks
like a ZIP archive")."""

from __future__ import annotations

HEADER_WINDOW = 1024  # leading bytes read to judge a file

# Leading bytes of formats people send instead of PDFs, most specific first.
MAGIC: list[tuple[bytes, str]] = [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an old Microsoft Office document"),
    (b"{\\rtf", "an RTF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
]


def describe(head: bytes) -> str:
    """Say what leading bytes look like, for a not-a-pdf message."""
    for magic, name in MAGIC:
        if head.startswith(magic):
            return name
    lowered = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if lowered.startswith(b"<?xml"):
        return "an XML document"
    if lowered.startswith((b"<!doctype html", b"<html")):
        return "an HTML page"
    if lowered.startswith((b"from:", b"received:", b"return-path:", b"mime-version:")):
        return "an e-mail message"
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # A multi-byte character cut at the window's end is still text.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return "binary data"
    if all(ch.isprintable() or ch in "\r\n\t\f" for ch in text):
        return "plain text"
    return "binary data"
