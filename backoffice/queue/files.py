"""Content-addressed file storage under the workspace: ``files/ab/cdef…`` by SHA-256.

Items refer to files by hash; the bytes never go into the queue database. Writing the same
content twice stores it once. Writes go to a temporary file that is fsynced and renamed, so a
crash never leaves a half-written blob under a valid name.

A source that takes many files at once (a FETCH of a hundred mails) writes them through a
:meth:`FileStore.batch`: each goes to its temporary file at once, and ``sync()`` flushes them
all together, then gives each its name and flushes the renames. The source commits the queue
rows that name the files only after ``sync()``.
"""

from __future__ import annotations

import ctypes
import functools
import hashlib
import mimetypes
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from backoffice.queue.base import StoredFile

CHUNK = 1 << 20
INCOMING = ".incoming-"  # temporary files, in the store's folder, until they are synced
SYNCFS_FROM = 4  # files or folders to flush at once: more are flushed by syncfs(2) on Linux
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
        self.folders: set[str] = set()  # the ab/ folders known to exist

    def path(self, stored: StoredFile) -> Path:
        return self.root / stored.sha256[:2] / stored.sha256[2:]

    def put_file(self, source: Path, name: str | None = None) -> StoredFile:
        with open(source, "rb") as stream:
            return self.put_stream(stream, name or source.name)

    def put_bytes(self, data: bytes, name: str) -> StoredFile:
        with self.batch() as batch:
            stored = batch.put_bytes(data, name)
            batch.sync()
        return stored

    def put_stream(self, stream: BinaryIO, name: str) -> StoredFile:
        with self.batch() as batch:
            stored = batch.put_stream(stream, name)
            batch.sync()
        return stored

    def batch(self, *, prefix: str = INCOMING) -> FileBatch:
        """Files made durable together by ``sync()``; leaving the ``with`` block drops the rest.
        Their temporary files are named ``<prefix>…`` in the store's folder."""
        return FileBatch(self, prefix)

    def sweep(self, older_than: float = 3600.0) -> int:
        """Delete temporary files not written to for ``older_than`` seconds (left by a process
        that was killed while writing); return how many."""
        cutoff, deleted = time.time() - older_than, 0
        for path in self.root.glob(f"{INCOMING}*"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    deleted += 1
            except FileNotFoundError:  # another runner swept it first
                continue
        return deleted


class FileBatch:
    """Files written now, durable and under their names only after :meth:`sync`.

    Each file is written to a temporary file at once (``put_bytes`` hashes first, so what is
    stored already is not written again); ``sync()`` flushes them all to the disk together,
    renames them, and flushes the renames.
    """

    def __init__(self, store: FileStore, prefix: str = ""):
        self.store, self.prefix = store, prefix or INCOMING
        self._waiting: dict[str, str] = {}  # sha256 -> its temporary file
        self._known: set[str] = set()  # stored already: their folders are flushed too

    def put_bytes(self, data: bytes, name: str) -> StoredFile:
        stored = _stored(name, hashlib.sha256(data).hexdigest(), len(data), data[:1024])
        if not self._have(stored):
            self._waiting[stored.sha256] = self._write(_Bytes(data), None)[0]
        return stored

    def put_stream(self, stream: BinaryIO, name: str) -> StoredFile:
        digest = hashlib.sha256()
        tmp, size, head = self._write(stream, digest)
        stored = _stored(name, digest.hexdigest(), size, head)
        if self._have(stored):
            os.unlink(tmp)
        else:
            self._waiting[stored.sha256] = tmp
        return stored

    def _have(self, stored: StoredFile) -> bool:
        if stored.sha256 in self._waiting:
            return True
        if self.store.path(stored).exists():
            self._known.add(stored.sha256)
            return True
        return False

    def _write(self, stream: BinaryIO, digest) -> tuple[str, int, bytes]:
        size, head = 0, b""
        fd, tmp = tempfile.mkstemp(dir=self.store.root, prefix=self.prefix)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    if not head:
                        head = bytes(chunk[:1024])
                    if digest is not None:
                        digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
        except BaseException:
            os.unlink(tmp)
            raise
        return tmp, size, head

    def sync(self) -> None:
        """Make every file of the batch durable under its name: flush the files, rename them,
        flush the renames (and the folders of files found stored already, in case their
        rename is still on its way to the disk)."""
        waiting, self._waiting = self._waiting, {}
        try:
            _flush(self.store.root, list(waiting.values()))
            for folder in {sha[:2] for sha in waiting} - self.store.folders:
                (self.store.root / folder).mkdir(exist_ok=True)
                self.store.folders.add(folder)
            for sha in list(waiting):
                os.replace(waiting[sha], self.store.root / sha[:2] / sha[2:])
                del waiting[sha]
                self._known.add(sha)
            _flush(self.store.root, sorted({str(self.store.root / sha[:2]) for sha in self._known}))
            self._known.clear()
        finally:
            for tmp in waiting.values():
                _unlink(tmp)

    def where(self, stored: StoredFile) -> Path:
        """Where ``stored`` can be read now: its temporary file, or its place in the store."""
        tmp = self._waiting.get(stored.sha256)
        return Path(tmp) if tmp is not None else self.store.path(stored)

    def handover(self) -> Handover:
        """The files written and not synced, for another batch of the same store to
        :meth:`adopt` (a worker process hands its files to the source that commits them);
        this batch forgets them."""
        handed = Handover(self._waiting, frozenset(self._known))
        self._waiting, self._known = {}, set()
        return handed

    def adopt(self, handed: Handover) -> None:
        """Take another batch's files as this batch's own (a file written twice is kept once)."""
        for sha, tmp in handed.waiting.items():
            if sha in self._waiting or (self.store.root / sha[:2] / sha[2:]).exists():
                _unlink(tmp)
                self._known.add(sha)
            else:
                self._waiting[sha] = tmp
        self._known |= handed.known

    def forget(self, stored: StoredFile) -> None:
        """Do not keep ``stored`` (written by this batch, not synced yet)."""
        tmp = self._waiting.pop(stored.sha256, None)
        if tmp is not None:
            _unlink(tmp)

    def drop_strays(self, prefix: str, *, keep_adopted: bool = True) -> int:
        """Delete the temporary files named ``<prefix>…`` that this batch does not hold (all of
        them with ``keep_adopted=False``): what stopped worker processes wrote. Return how many."""
        held = set(self._waiting.values()) if keep_adopted else set()
        deleted = 0
        for path in self.store.root.glob(f"{prefix}*"):
            if str(path) not in held:
                _unlink(str(path))
                deleted += 1
        return deleted

    def discard(self) -> None:
        """Drop the files not synced yet."""
        waiting, self._waiting = self._waiting, {}
        for tmp in waiting.values():
            _unlink(tmp)

    def close(self) -> None:
        self.discard()

    def __enter__(self) -> FileBatch:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass(frozen=True)
class Handover:
    """Files one batch wrote for another (:meth:`FileBatch.handover`): ``{sha256: temporary
    file}``, and the hashes found stored already."""

    waiting: dict[str, str]
    known: frozenset[str] = frozenset()

    def discard(self) -> None:
        for tmp in self.waiting.values():
            _unlink(tmp)


class _Bytes:
    """``bytes`` read a chunk at a time without copying."""

    def __init__(self, data: bytes):
        self.view, self.pos = memoryview(data), 0

    def read(self, size: int) -> memoryview:
        chunk = self.view[self.pos : self.pos + size]
        self.pos += len(chunk)
        return chunk


def _flush(root: Path, paths: list[str]) -> None:
    """Make ``paths`` (files or folders under ``root``) durable: an fsync of each, or for many
    on Linux one syncfs(2) of the file system that holds the store."""
    syncfs = _syncfs() if len(paths) > SYNCFS_FROM else None
    if syncfs is None:
        for path in paths:
            _fsync(path)
        return
    fd = os.open(root, os.O_RDONLY)
    try:
        if syncfs(fd) != 0:
            raise OSError(ctypes.get_errno(), "syncfs failed", str(root))
    finally:
        os.close(fd)


@functools.cache
def _syncfs() -> Callable[[int], int] | None:
    """syncfs(2) from the C library, on Linux. One call flushes every file and rename waiting
    on the file system: a hundred fsyncs cost about three times as much here (measured on ext4
    with the IMAP intake, ``bench/imap.py``). Python's os module has no syncfs."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None


def _stored(name: str, sha256: str, size: int, head: bytes) -> StoredFile:
    return StoredFile(name=name, sha256=sha256, size=size, media_type=sniff_media_type(head, name))


def _fsync(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
