"""What a file is, decided by its content first and its name or declared type after.

Mail clients name and label files carelessly: a GIF with no extension, a PDF sent as
``application/octet-stream``, an S/MIME signature labelled ``application/pdf``. The bytes
decide. Office Open XML and OpenDocument files are ZIP archives inside, and are documents, not
archives to unpack: :func:`media_type` looks into such a ZIP for ``[Content_Types].xml`` (and
its main part) or the OpenDocument ``mimetype`` member.
"""

from __future__ import annotations

import io
import mimetypes
import re
import zipfile
import zlib

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TNEF_MAGIC = b"\x78\x9f\x3e\x22"
MAGIC = [
    (b"%PDF", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
    (b"BM", "image/bmp"),
    (b"PK\x03\x04", "application/zip"),
    (b"\x1f\x8b", "application/gzip"),
    (TNEF_MAGIC, "application/ms-tnef"),
    (b"{\\rtf", "application/rtf"),
    (b"MZ", "application/x-msdownload"),
    (b"\x7fELF", "application/x-executable"),
]
OLE_TYPES = {
    ".doc": "application/msword",
    ".dot": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
    ".msg": "application/vnd.ms-outlook",
}
SIGNATURE_TYPES = {"application/pkcs7-signature", "application/x-pkcs7-signature", "application/pgp-signature"}
# DER: SEQUENCE, then the OID 1.2.840.113549.1.7.2 (PKCS #7 signedData) within the first bytes
SIGNED_DATA_OID = b"\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02"
PROGRAM_TYPES = {
    "application/x-msdownload",
    "application/x-executable",
    "application/x-msdos-program",
    "text/javascript",
    "application/javascript",
    "application/x-javascript",
    "application/x-sh",
    "text/x-sh",
    "application/x-bat",
    "application/hta",
    "text/vbscript",
    "application/x-ruby",
    "text/x-python",
    "text/x-ruby-script",
    "application/java-archive",
    "application/x-ms-shortcut",
}
PROGRAM_SUFFIXES = {
    ".exe",
    ".com",
    ".scr",
    ".pif",
    ".dll",
    ".msi",
    ".bat",
    ".cmd",
    ".ps1",
    ".psm1",
    ".vbs",
    ".vbe",
    ".js",
    ".jse",
    ".mjs",
    ".wsf",
    ".wsh",
    ".hta",
    ".jar",
    ".lnk",
    ".sh",
    ".rb",
    ".py",
    ".pl",
    ".php",
    ".cpl",
    ".reg",
    ".iso",
    ".img",
}
MAIN_PART = re.compile(rb'ContentType="(application/vnd\.[^"]+)\.main\+xml"')


def media_type(data: bytes, name: str, declared: str = "application/octet-stream") -> str:
    """The media type of ``data``: by magic bytes, then by the name, then as declared."""
    head = data[:2048]
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:12] in (b"ftypheic", b"ftypheix", b"ftypmif1", b"ftyphevc"):
        return "image/heic"
    for magic, found in MAGIC:
        if head.startswith(magic):
            if found == "application/zip":
                return office_type(data, name) or found
            if found == "image/bmp" and len(head) > 14 and head[6:10] != b"\x00\x00\x00\x00":
                break  # "BM" followed by anything: text that starts with BM
            return found
    if head.startswith(OLE_MAGIC):
        return OLE_TYPES.get(_suffix(name)) or (
            declared
            if declared.startswith("application/vnd.ms") or declared == "application/msword"
            else "application/x-ole-storage"
        )
    if is_signature(head, declared, name):
        return (
            "application/pkcs7-signature"
            if not head.lstrip().startswith(b"-----BEGIN PGP")
            else "application/pgp-signature"
        )
    by_name = mimetypes.guess_type(name)[0] if name else None
    if by_name and not by_name.startswith(("application/pdf", "image/", "application/zip")):
        return by_name  # a name that claims a binary format the bytes do not show is not believed
    if (
        declared
        and declared not in ("application/octet-stream", "application/octetstream")
        and not declared.startswith(("application/pdf", "image/", "application/zip"))
    ):
        return declared
    if _looks_like_text(head, cut=len(data) > len(head)):
        return "text/plain"
    return by_name or "application/octet-stream"


def office_type(data: bytes, name: str = "") -> str | None:
    """The media type of an Office Open XML or OpenDocument file, None for any other ZIP."""
    if data[30:38] == b"mimetype":  # ODF: the first member, stored, holds the type
        start = 38 + int.from_bytes(data[28:30], "little")
        found = data[start : start + 100].split(b"PK", 1)[0].decode("ascii", "replace").strip()
        if found.startswith("application/vnd.oasis.opendocument"):
            return found
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "[Content_Types].xml" not in names:
                return None
            with archive.open("[Content_Types].xml") as stream:
                types = stream.read(1_000_000)
    except (zipfile.BadZipFile, ValueError, KeyError, OSError, EOFError, NotImplementedError, zlib.error):
        return None
    main = MAIN_PART.search(types)
    if main is not None:
        kind = main.group(1).decode("ascii")
        return kind + ".12" if "macroEnabled" in kind else kind
    return mimetypes.guess_type(name)[0] or "application/vnd.openxmlformats-officedocument"


def is_signature(head: bytes, declared: str, name: str) -> bool:
    """An S/MIME or PGP signature: by its declared type, its ``.p7s`` name, or a DER signedData."""
    if declared in SIGNATURE_TYPES or _suffix(name) == ".p7s":
        return True
    if head[:1] == b"\x30" and SIGNED_DATA_OID in head[:32]:
        return True
    return head.lstrip().startswith(b"-----BEGIN PGP SIGNATURE-----")


def is_program(data: bytes, name: str, kind: str) -> bool:
    """An executable or a script: never a document, whatever else it claims to be."""
    if kind in PROGRAM_TYPES or _suffix(name) in PROGRAM_SUFFIXES:
        return True
    return data[:2] == b"MZ" or data[:4] == b"\x7fELF"


def extension_for(kind: str) -> str:
    known = {
        "application/pdf": ".pdf",
        "message/rfc822": ".eml",
        "application/zip": ".zip",
        "image/jpeg": ".jpg",
        "text/plain": ".txt",
        "image/tiff": ".tif",
        "application/ms-tnef": ".dat",
    }
    return known.get(kind) or mimetypes.guess_extension(kind) or ".bin"


def _suffix(name: str) -> str:
    dot = name.rfind(".")
    return name[dot:].lower() if dot >= 0 else ""


def _looks_like_text(head: bytes, cut: bool) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as exc:
        if cut and exc.start >= len(head) - 3:  # a character cut by the 2 KB window
            return True
    printable = sum(32 <= b < 127 or b in (9, 10, 13) or b >= 160 for b in head)
    return printable / len(head) > 0.95
