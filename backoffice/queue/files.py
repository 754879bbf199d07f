"""Content-addressed file storage under the workspace: ``files/ab/cdef…`` by SHA-256.

Items refer to files by hash; the bytes never go into the queue database. Writing the same
content twice stores it once. Writes go to a temporary file that is fsynced and renamed, so a
crash never leaves a half-written blob under a valid name.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from backoffice.queue.base import StoredFile

CHUNK = 1 << 20
MAGIC = [
    (b"%PDF", "application/pdf"),
    (b"\x89PNG", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"PK\x03\x04", "application/zip"),
    (b"II*\x00", "image/tiff"),
    (b"MM\x00*", "image/tiff"),
]


OFFICE_SUFFIXES = (".xlsx", ".docx", ".pptx", ".odt", ".ods")


def sniff_media_type(head: bytes, name: str) -> str:
    """The media type by content first (a PDF named .txt is still a PDF), then by name.

    Office documents are ZIP archives inside; a ZIP named .xlsx is taken as a spreadsheet.
    """
    stripped = head.lstrip()
    for magic, media_type in MAGIC:
        if stripped.startswith(magic):
            if media_type == "application/zip" and name.lower().endswith(OFFICE_SUFFIXES):
                return mimetypes.guess_type(name)[0] or media_type
            return media_type
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


class FileStore:
    def __init__(self, root: Path | str):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, stored: StoredFile) -> Path:
        return self.root / stored.sha256[:2] / stored.sha256[2:]

    def put_file(self, source: Path, name: str | None = None) -> StoredFile:
        with open(source, "rb") as stream:
            return self.put_stream(stream, name or source.name)

    def put_bytes(self, data: bytes, name: str) -> StoredFile:
        import io

        return self.put_stream(io.BytesIO(data), name)

    def put_stream(self, stream: BinaryIO, name: str) -> StoredFile:
        digest = hashlib.sha256()
        size = 0
        head = b""
        fd, tmp = tempfile.mkstemp(dir=self.root, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    if not head:
                        head = chunk[:1024]
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            stored = StoredFile(
                name=name, sha256=digest.hexdigest(), size=size, media_type=sniff_media_type(head, name)
            )
            final = self.path(stored)
            if final.exists():
                os.unlink(tmp)
            else:
                final.parent.mkdir(exist_ok=True)
                os.replace(tmp, final)
                _fsync_dir(final.parent)
            return stored
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
