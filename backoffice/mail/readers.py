"""Mail read in worker processes, so that intake uses every core.

Parsing mail (the standard library's email package, in Python) is most of the work of intake.
:class:`MailReaders` keeps a pool of worker processes (:mod:`backoffice.processes`). The IMAP
source stores each raw mail itself (it is the parent item's ``.eml``) and hands a worker only
where the file lies: the worker reads it from the page cache, not through a pipe, parses it,
writes its documents to temporary files of the same file store and returns the mail's family
with those files (:class:`~backoffice.queue.files.Handover`). The source adopts them into its
:class:`~backoffice.queue.files.FileBatch`, makes them durable with the others and commits. The
workers read one FETCH while the source fetches the next and commits the one before.

A mail whose reading outlasts ``timeout`` (or kills its worker) becomes a parent item with that
reason, so it reaches the exception queue with its ``.eml``, as a mail that cannot be parsed
does; the pool is replaced and the rest of that FETCH is read in the source's own process.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import time
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult, Pool
from pathlib import Path

from backoffice.mail.intake import Family, Reading, mail_family, unreadable_mail
from backoffice.processes import memory_limit_mb, worker_pool
from backoffice.queue.base import StoredFile
from backoffice.queue.files import FileBatch, FileStore, Handover

log = logging.getLogger(__name__)

SECONDS_PER_MAIL = 60.0  # a mail of 25 MB parses in well under a second
PARALLEL_FROM = 8  # fewer mails than this are read in the source's own process


@dataclass(frozen=True)
class StoredMail:
    """A fetched mail whose raw message is in the file store (or its batch) already."""

    uid: int
    eml: StoredFile
    path: Path  # where it can be read now: a temporary file of the batch, or its place


class MailReaders:
    """A pool of ``workers`` processes that read mails (started when first needed)."""

    def __init__(self, workers: int, *, timeout: float = SECONDS_PER_MAIL):
        self.workers, self.timeout = workers, timeout
        self._pool: Pool | None = None

    def start(self, reading: Reading, mails: list[StoredMail], files: FileBatch) -> Reads:
        """Begin reading ``mails``; their files end up in ``files`` when :meth:`Reads.families` is called."""
        if self.workers < 2 or len(mails) < PARALLEL_FROM:
            return Reads(self, reading, mails, files, None)
        if self._pool is None:
            self._pool = worker_pool(self.workers, tasks_per_child=1000)
        root = str(files.store.root)
        results = [self._pool.apply_async(_read, (reading, m.uid, m.eml, str(m.path), root)) for m in mails]
        return Reads(self, reading, mails, files, results)

    def replace_pool(self) -> None:
        """Stop the workers (one is stuck or died); the next FETCH starts new ones."""
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None

    def close(self) -> None:
        self.replace_pool()


class Reads:
    """The mails of one FETCH being read (or, without results, to be read in this process)."""

    def __init__(self, readers: MailReaders, reading: Reading, mails: list[StoredMail], files: FileBatch,
                 results: list[AsyncResult] | None):  # fmt: skip
        self.readers, self.reading, self.mails, self.files, self.results = readers, reading, mails, files, results

    def families(self) -> list[Family]:
        """Every mail's family, in order, its files adopted into the batch."""
        if self.results is None:
            return [_family_here(self.reading, m, self.files) for m in self.mails]
        families: list[Family] = []
        for index, (mail, result) in enumerate(zip(self.mails, self.results, strict=True)):
            try:
                family, handed = result.get(timeout=self.readers.timeout)
            except multiprocessing.TimeoutError:
                families.append(self._stuck(mail))
                self._collect_ready(index + 1)
                families += [_family_here(self.reading, m, self.files) for m in self.mails[index + 1 :]]
                self.results = None
                return families
            self.files.adopt(handed)
            families.append(family)
        self.results = None
        return families

    def _stuck(self, mail: StoredMail) -> Family:
        reason = (f"{self.reading.folder} UID {mail.uid}: reading the mail took longer than "
                  f"{self.readers.timeout:.0f} s, or crashed its reader")  # fmt: skip
        log.warning("%s; the mail reader processes are replaced", reason,
                    extra={"bot": self.reading.bot, "action": "mail-reader"})  # fmt: skip
        return unreadable_mail(self.reading, mail.uid, mail.eml, reason)

    def _collect_ready(self, start: int) -> None:
        """Before the pool goes: drop the temporary files of results already back."""
        for result in self.results[start:]:  # type: ignore[index]
            if result.ready() and result.successful():
                result.get()[1].discard()
        self.readers.replace_pool()

    def discard(self) -> None:
        """Drop what the workers wrote for this FETCH (it will not be committed)."""
        if self.results is None:
            return
        deadline = time.monotonic() + self.readers.timeout
        for result in self.results:
            try:
                result.get(timeout=max(0.0, deadline - time.monotonic()))[1].discard()
            except multiprocessing.TimeoutError:  # stuck: its files go with its worker
                self.readers.replace_pool()
                break
            except Exception:  # noqa: BLE001, S112 - a reader that failed wrote nothing to keep
                continue
        self.results = None


def _family_here(reading: Reading, mail: StoredMail, files: FileBatch) -> Family:
    return mail_family(reading, mail.uid, mail.path.read_bytes(), mail.eml, files)


@functools.cache
def _store(root: str) -> FileStore:
    return FileStore(root)


def _read(reading: Reading, uid: int, eml: StoredFile, path: str, root: str) -> tuple[Family, Handover]:
    """In a worker: the mail's family and the files written for it, not synced."""
    with _store(root).batch() as files:
        try:
            family = mail_family(reading, uid, Path(path).read_bytes(), eml, files)
        except MemoryError:
            files.discard()
            family = unreadable_mail(reading, uid, eml, f"{reading.folder} UID {uid}: reading the mail needed more "
                                                        f"than {memory_limit_mb()} MB")  # fmt: skip
        return family, files.handover()
