"""Mail read in worker processes, so that intake uses every core.

Parsing mail (the standard library's email package, in Python) is most of the work of intake.
:class:`MailReaders` keeps a pool of worker processes (:mod:`backoffice.processes`). The IMAP
source stores each raw mail itself (it is the parent item's ``.eml``) and hands a worker only
where the file lies: the worker reads it from the page cache, not through a pipe, parses it,
writes its documents to temporary files of the same file store and returns the mail's family
with those files (:class:`~backoffice.queue.files.Handover`). The source adopts them into its
:class:`~backoffice.queue.files.FileBatch`, makes them durable with the others and commits. The
workers read the FETCHes before while the source fetches the next.

A mail whose reading outlasts ``timeout`` (or kills its worker) becomes a parent item with that
reason, so it reaches the exception queue with its ``.eml``, as a mail that cannot be parsed
does. The pool is then replaced: every FETCH it was reading is read in the source's own process
instead, and what the stopped workers wrote is deleted (each FETCH's temporary files carry a
name of their own, so they are found).
"""

from __future__ import annotations

import functools
import logging
import secrets
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from pebble import ProcessExpired

from backoffice.mail.intake import Family, Reading, mail_family, unreadable_mail
from backoffice.processes import Pending, WorkerPool, memory_limit_mb, worker_pool
from backoffice.queue.base import StoredFile
from backoffice.queue.files import FileBatch, FileStore, Handover

log = logging.getLogger(__name__)

SECONDS_PER_MAIL = 60.0  # a mail of 25 MB parses in well under a second
PARALLEL_FROM = 8  # fewer mails than this are read in the source's own process
POLL_SECONDS = 0.5  # how often a wait for a worker checks that its pool still runs


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
        self._pool: WorkerPool | None = None
        self._generation = 0  # which pool: a Reads of an older one reads in place
        self._lock = threading.Lock()

    def start(self, reading: Reading, mails: list[StoredMail], files: FileBatch) -> Reads:
        """Begin reading ``mails``; their files end up in ``files`` when :meth:`Reads.families` is called."""
        if self.workers < 2 or len(mails) < PARALLEL_FROM:
            return Reads(self, reading, mails, files)
        prefix = f".incoming-{secrets.token_hex(6)}-"
        root = str(files.store.root)
        with self._lock:
            if self._pool is None:
                self._pool = worker_pool(self.workers, tasks_per_child=1000)
            results = [self._pool.apply_async(_read, (reading, m.uid, m.eml, str(m.path), root, prefix)) for m in mails]
            return Reads(self, reading, mails, files, results, self._generation, prefix)

    def running(self, generation: int) -> bool:
        """Whether the pool of ``generation`` still runs (its workers may still write)."""
        return generation == self._generation

    def replace_pool(self, generation: int | None = None) -> None:
        """Stop the workers (of ``generation``, unless replaced already); when this returns
        they are gone, and the next FETCH starts new ones."""
        with self._lock:
            if generation is not None and generation != self._generation:
                return
            if self._pool is not None:
                self._pool.terminate()
                self._pool.join()
                self._pool = None
            self._generation += 1

    def close(self) -> None:
        self.replace_pool()


class Reads:
    """The mails of one FETCH being read (or, without results, to be read in this process)."""

    def __init__(self, readers: MailReaders, reading: Reading, mails: list[StoredMail], files: FileBatch,
                 results: list[Pending] | None = None, generation: int = 0, prefix: str = ""):  # fmt: skip
        self.readers, self.reading, self.mails, self.files = readers, reading, mails, files
        self.results, self.generation, self.prefix = results, generation, prefix

    def families(self) -> list[Family]:
        """Every mail's family, in order, its files adopted into the batch."""
        if self.results is None:
            return [_family_here(self.reading, m, self.files) for m in self.mails]
        families: list[Family] = []
        for index, (mail, result) in enumerate(zip(self.mails, self.results, strict=True)):
            got = self._wait(result)
            if got is None:  # stuck: this mail goes to a person; the pool is replaced
                families.append(self._stuck(mail))
                self.readers.replace_pool(self.generation)
            if got is None or got == "replaced":  # the workers are gone: read the rest here
                self.results = None
                self.files.drop_strays(self.prefix)  # what they wrote and was not adopted
                rest = self.mails[index + 1 :] if got is None else self.mails[index:]
                return families + [_family_here(self.reading, m, self.files) for m in rest]
            family, handed = got
            self.files.adopt(handed)
            families.append(family)
        self.results = None
        return families

    def _wait(self, result: Pending):
        """The worker's answer; None when it took too long; "replaced" when the pool was
        replaced meanwhile (for another FETCH's stuck mail). A worker's error is raised."""
        deadline = time.monotonic() + self.readers.timeout
        while not result.ready():
            if not self.readers.running(self.generation):
                return "replaced"
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            result.wait(min(POLL_SECONDS, left))
        if not self.readers.running(self.generation):
            return "replaced"  # stopped with its pool (for another FETCH's stuck mail), or done just before
        try:
            return result.get()
        except ProcessExpired:  # the mail killed its reader: as stuck
            return None

    def _stuck(self, mail: StoredMail) -> Family:
        reason = (f"{self.reading.folder} UID {mail.uid}: reading the mail took longer than "
                  f"{self.readers.timeout:.0f} s, or crashed its reader")  # fmt: skip
        log.warning("%s; the mail reader processes are replaced", reason,
                    extra={"bot": self.reading.bot, "action": "mail-reader"})  # fmt: skip
        return unreadable_mail(self.reading, mail.uid, mail.eml, reason)

    def discard(self) -> None:
        """Drop what the workers wrote for this FETCH (it will not be committed)."""
        if self.results is None:
            return
        deadline = time.monotonic() + self.readers.timeout
        for result in self.results:
            while not result.ready() and self.readers.running(self.generation) and time.monotonic() < deadline:
                result.wait(POLL_SECONDS)
            if not result.ready():  # stuck, or its pool is gone: stop the writers first
                self.readers.replace_pool(self.generation)
                break
        self.results = None
        self.files.drop_strays(self.prefix, keep_adopted=False)


def _family_here(reading: Reading, mail: StoredMail, files: FileBatch) -> Family:
    return mail_family(reading, mail.uid, mail.path.read_bytes(), mail.eml, files)


@functools.cache
def _store(root: str) -> FileStore:
    return FileStore(root)


def _read(reading: Reading, uid: int, eml: StoredFile, path: str, root: str, prefix: str) -> tuple[Family, Handover]:
    """In a worker: the mail's family and the files written for it, not synced."""
    with _store(root).batch(prefix=prefix) as files:
        try:
            family = mail_family(reading, uid, Path(path).read_bytes(), eml, files)
        except MemoryError:
            files.discard()
            family = unreadable_mail(reading, uid, eml, f"{reading.folder} UID {uid}: reading the mail needed more "
                                                        f"than {memory_limit_mb()} MB")  # fmt: skip
        return family, files.handover()
