"""Mail read in worker processes: the same families as read in place, the files adopted by the
batch that commits them, and a reader that hangs costs only its own mail."""

from __future__ import annotations

import time
from email.message import EmailMessage

import pytest

from backoffice import processes
from backoffice.mail import readers as readers_module
from backoffice.mail.intake import Reading
from backoffice.mail.readers import PARALLEL_FROM, MailReaders, StoredMail
from backoffice.queue.files import FileStore
from tests.unit.mail.conftest import make_pdf


def raw_mail(n: int) -> bytes:
    message = EmailMessage()
    message["From"], message["Subject"], message["Message-ID"] = "v@acme.example", f"Invoice {n}", f"<{n}@x>"
    message.set_content("attached")
    message.add_attachment(make_pdf(f"Invoice INV-{n}"), maintype="application", subtype="pdf", filename=f"{n}.pdf")
    return message.as_bytes()


def read_all(readers: MailReaders, files: FileStore, raws: list[bytes]):
    reading = Reading("mailbot", "INBOX", 7)
    with files.batch() as batch:
        mails = []
        for uid, raw in enumerate(raws, 1):
            eml = batch.put_bytes(raw, f"uid-{uid}.eml")
            mails.append(StoredMail(uid, eml, batch.where(eml)))
        reads = readers.start(reading, mails, batch)
        families = reads.families()
        batch.sync()
    return reads, families


def incoming(files: FileStore) -> list:
    return list(files.root.glob(".incoming-*"))


def test_workers_read_the_same_families_as_the_runner_and_hand_over_their_files(tmp_path):
    raws = [raw_mail(n) for n in range(PARALLEL_FROM + 2)]
    in_place, parallel = FileStore(tmp_path / "here"), FileStore(tmp_path / "workers")
    readers = MailReaders(2)
    try:
        reads, families = read_all(readers, parallel, raws)
        assert reads.results is None and readers._pool is not None  # read by the pool, every result taken
    finally:
        readers.close()
    _, expected = read_all(MailReaders(0), in_place, raws)
    assert families == expected
    for parent, [child] in families:
        assert parallel.path(parent.files[0]).exists() and parallel.path(child.files[0]).read_bytes().startswith(b"%PDF")
    assert incoming(parallel) == []


def test_a_few_mails_are_read_in_place(tmp_path):
    readers = MailReaders(2)
    reads, families = read_all(readers, FileStore(tmp_path / "files"), [raw_mail(1), raw_mail(2)])
    assert readers._pool is None and len(families) == 2


def _hang_on(uids: set[int]) -> None:
    """In a worker (processes.WORKER_SETUP): the mails of ``uids`` are read, then their reader hangs."""
    real = readers_module.mail_family

    def slow(reading, uid, raw, eml, files):
        family = real(reading, uid, raw, eml, files)  # its document is written: then it hangs
        if uid in uids:
            time.sleep(60)
        return family

    readers_module.mail_family = slow


def hang_on_uid_3() -> None:
    _hang_on({3})


def hang_on_uids_3_and_4() -> None:
    _hang_on({3, 4})


def test_a_reader_that_hangs_costs_only_its_mail(tmp_path, monkeypatch):
    monkeypatch.setattr(processes, "WORKER_SETUP", [f"{__name__}:hang_on_uid_3"])  # what each worker runs first
    readers = MailReaders(2, timeout=3.0)
    files = FileStore(tmp_path / "files")
    try:
        started = time.monotonic()
        _, families = read_all(readers, files, [raw_mail(n) for n in range(PARALLEL_FROM + 2)])
        assert time.monotonic() - started < 30
        assert readers._pool is None  # replaced: the next FETCH starts new workers
    finally:
        readers.close()
    stuck = families[2][0]
    assert families[2][1] == [] and "UID 3: reading the mail took longer than 3 s" in stuck.payload["intake_error"]
    assert stuck.files[0].name == "uid-3.eml" and files.path(stuck.files[0]).exists()  # the mail is kept
    assert all(len(children) == 1 for n, (_, children) in enumerate(families) if n != 2)
    assert incoming(files) == []  # what the stopped worker had written is gone


def test_a_fetch_whose_pool_was_replaced_for_another_is_read_in_place(tmp_path, monkeypatch):
    monkeypatch.setattr(processes, "WORKER_SETUP", [f"{__name__}:hang_on_uids_3_and_4"])  # the second FETCH waits
    readers, files = MailReaders(2, timeout=3.0), FileStore(tmp_path / "files")
    reading = Reading("mailbot", "INBOX", 7)
    try:
        with files.batch() as first_batch, files.batch() as second_batch:
            started = []
            for batch, uids in ((first_batch, range(1, 11)), (second_batch, range(11, 21))):  # two FETCHes in flight
                mails = [StoredMail(uid, eml := batch.put_bytes(raw_mail(uid), f"uid-{uid}.eml"), batch.where(eml))
                         for uid in uids]  # fmt: skip
                started.append(readers.start(reading, mails, batch))
            first, second = (reads.families() for reads in started)
            first_batch.sync()
            second_batch.sync()
    finally:
        readers.close()
    assert "took longer" in first[2][0].payload["intake_error"]
    assert [n for n, (parent, _) in enumerate(first) if "intake_error" in parent.payload] == [2]  # UID 4: read here
    assert all("intake_error" not in parent.payload and len(children) == 1 for parent, children in second)
    assert incoming(files) == []


def test_discard_drops_what_the_workers_wrote(tmp_path):
    files, readers = FileStore(tmp_path / "files"), MailReaders(2)
    reading = Reading("mailbot", "INBOX", 7)
    try:
        with files.batch() as batch:
            mails = [StoredMail(uid, eml := batch.put_bytes(raw_mail(uid), "m.eml"), batch.where(eml))
                     for uid in range(PARALLEL_FROM)]  # fmt: skip
            reads = readers.start(reading, mails, batch)
            reads.discard()
    finally:
        readers.close()
    assert incoming(files) == [] and [p for p in files.root.rglob("*") if p.is_file()] == []


@pytest.mark.parametrize("workers", [0, 1])
def test_no_pool_without_two_workers(tmp_path, workers):
    readers = MailReaders(workers)
    read_all(readers, FileStore(tmp_path / "files"), [raw_mail(n) for n in range(PARALLEL_FROM)])
    assert readers._pool is None
