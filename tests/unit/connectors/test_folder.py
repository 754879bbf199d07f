from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from backoffice.connectors.base import Context, Intake
from backoffice.connectors.folder import FolderSettings, FolderSource
from backoffice.queue.files import FileStore
from backoffice.queue.memory import MemoryStore


@pytest.fixture
def setup(tmp_path):
    def make(**settings):
        context = Context(bot="invoices", workspace=tmp_path, files=FileStore(tmp_path / "files"))
        source = FolderSource(FolderSettings(kind="folder", path="inbox", create=True, settle_seconds=1, **settings), context)
        store = MemoryStore()
        return source, Intake(store, context), store, tmp_path / "inbox"

    return make


def drop(folder: Path, name: str, data: bytes = b"%PDF-1.4 test", age: float = 60) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def test_takes_settled_files_commits_items_then_moves_them(setup):
    source, intake, store, inbox = setup()
    drop(inbox, "a.pdf", b"%PDF-1.4 a")
    drop(inbox, "B.PDF", b"%PDF-1.4 b")
    assert source.collect(intake) == 2
    items = store.list()
    assert sorted(i.payload["file"] for i in items) == ["B.PDF", "a.pdf"]
    for item in items:
        [stored] = item.files
        assert item.source_key == f"sha256:{stored.sha256}"
        assert source.context.files.path(stored).read_bytes().startswith(b"%PDF-1.4")
        assert stored.media_type == "application/pdf"
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["B.PDF", "a.pdf"]
    assert [p.name for p in inbox.iterdir() if p.is_file()] == []


def test_skips_files_still_being_written_partials_and_other_patterns(setup):
    source, intake, store, inbox = setup()
    drop(inbox, "fresh.pdf", age=0)
    drop(inbox, "upload.pdf.part")
    drop(inbox, ".hidden.pdf")
    drop(inbox, "~lock.pdf")
    drop(inbox, "notes.txt")
    assert source.collect(intake) == 0
    assert store.list() == []
    assert sorted(p.name for p in inbox.iterdir() if p.is_file()) == [
        ".hidden.pdf", "fresh.pdf", "notes.txt", "upload.pdf.part", "~lock.pdf",
    ]  # fmt: skip


def test_a_symlink_is_left_alone_with_one_warning(setup, tmp_path, caplog):
    source, intake, store, inbox = setup()
    secret = drop(tmp_path / "elsewhere", "secret.pdf", b"%PDF-1.4 not for the inbox")
    inbox.mkdir(exist_ok=True)
    (inbox / "link.pdf").symlink_to(secret)
    drop(inbox, "real.pdf")
    assert source.collect(intake) == 1 and source.collect(intake) == 0
    assert [i.payload["file"] for i in store.list()] == ["real.pdf"]
    assert (inbox / "link.pdf").is_symlink()
    assert [r.getMessage() for r in caplog.records if "symbolic link" in r.getMessage()] == [
        f"{inbox / 'link.pdf'} is a symbolic link; not taken (copy the file in instead)"
    ]


def test_a_file_that_vanishes_during_the_scan_does_not_stop_it(setup, monkeypatch):
    source, intake, store, inbox = setup()
    drop(inbox, "a.pdf", b"%PDF-1.4 a")
    drop(inbox, "b.pdf", b"%PDF-1.4 b")
    real_scandir = os.scandir

    class Vanishing:  # a.pdf is moved away by someone else after it was listed
        def __init__(self, path):
            self.entries = real_scandir(path)

        def __enter__(self):
            return [e if e.name != "a.pdf" else Gone(e) for e in self.entries]

        def __exit__(self, *exc):
            self.entries.close()

    class Gone:
        def __init__(self, entry):
            self.name, self.path = entry.name, entry.path

        def is_symlink(self):
            return False

        def is_file(self):
            return True

        def stat(self):
            raise FileNotFoundError(self.path)

    monkeypatch.setattr("backoffice.connectors.folder.os.scandir", Vanishing)
    assert source.collect(intake) == 1
    assert [i.payload["file"] for i in store.list()] == ["b.pdf"]


def test_same_document_twice_is_one_item_and_both_files_move(setup):
    source, intake, store, inbox = setup()
    drop(inbox, "invoice.pdf", b"%PDF same")
    assert source.collect(intake) == 1
    drop(inbox, "invoice.pdf", b"%PDF same")
    drop(inbox, "copy.pdf", b"%PDF same")
    assert source.collect(intake) == 0
    assert len(store.list()) == 1
    assert sorted(p.name for p in (inbox / "processed").iterdir()) == ["copy.pdf", "invoice.1.pdf", "invoice.pdf"]


def test_crash_between_commit_and_move_neither_loses_nor_duplicates(setup, monkeypatch):
    source, intake, store, inbox = setup()
    drop(inbox, "a.pdf", b"%PDF a")

    def crash(*args):
        raise KeyboardInterrupt("killed right after the commit")

    monkeypatch.setattr(FolderSource, "_move", crash)
    with pytest.raises(KeyboardInterrupt):
        source.collect(intake)
    assert len(store.list()) == 1 and (inbox / "a.pdf").exists()
    monkeypatch.undo()
    assert source.collect(intake) == 0  # the restart finds the committed item
    assert len(store.list()) == 1 and (inbox / "processed" / "a.pdf").exists()


def test_oversize_file_becomes_an_item_with_its_reason_and_moves_to_failed(setup):
    source, intake, store, inbox = setup(max_bytes=10)
    drop(inbox, "huge.pdf", b"%PDF" + b"x" * 100)
    assert source.collect(intake) == 1
    [item] = store.list()
    assert item.files == ()
    assert item.payload["intake_error"] == "huge.pdf: 104 bytes is above the limit of 10"
    assert (inbox / "failed" / "huge.pdf").exists()


def test_missing_folder_is_created_only_when_asked(tmp_path):
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="folder does not exist"):
        FolderSettings.model_validate({"kind": "folder", "path": "nope"}, context={"workspace": tmp_path})
    assert FolderSettings.model_validate({"kind": "folder", "path": "nope", "create": True}, context={"workspace": tmp_path})


def test_files_are_taken_a_hundred_at_a_time_each_batch_durable_then_committed_then_moved(setup, monkeypatch):
    source, intake, store, inbox = setup()
    for n in range(150):
        drop(inbox, f"{n:03}.pdf", b"%PDF-1.4 " + str(n).encode())
    commits = []
    real = store.enqueue_many

    def enqueue_many(items, **kw):
        items = list(items)
        stored = [source.context.files.path(i.files[0]).exists() for i in items]
        commits.append((len(items), all(stored), sum(1 for p in inbox.glob("*.pdf"))))
        return real(items, **kw)

    monkeypatch.setattr(store, "enqueue_many", enqueue_many)
    assert source.collect(intake) == 150
    # two transactions; each batch's files named in the store before it; its files still in the inbox then
    assert commits == [(100, True, 150), (50, True, 50)]
    assert len(store.list(limit=500)) == 150 and len(list((inbox / "processed").iterdir())) == 150
    assert list(source.context.files.root.glob(".incoming-*")) == []


def test_the_log_tells_which_files_were_duplicates(setup, caplog):
    source, intake, store, inbox = setup()
    drop(inbox, "a.pdf", b"%PDF-1.4 same")
    drop(inbox, "b.pdf", b"%PDF-1.4 same")  # the same content in the same scan
    drop(inbox, "c.pdf", b"%PDF-1.4 other")
    with caplog.at_level("INFO", logger="backoffice.connectors.folder"):
        assert source.collect(intake) == 2
    took = sorted(r.getMessage() for r in caplog.records if r.getMessage().startswith("took "))
    assert [("(duplicate)" in line) for line in took] == [False, True, False]  # a, b, c


def test_a_non_utf8_name_and_a_hidden_file_hold_up_none_of_99_good_files(tmp_path, caplog):
    """All in one poll, on the SQLite queue (where a surrogate in a name used to fail the batch)."""
    from backoffice.queue.sqlite import SQLiteStore

    context = Context(bot="invoices", workspace=tmp_path, files=FileStore(tmp_path / "files"))
    source = FolderSource(FolderSettings(kind="folder", path="inbox", create=True, settle_seconds=1), context)
    store = SQLiteStore(tmp_path / "queue.db")
    inbox = tmp_path / "inbox"
    for n in range(99):
        drop(inbox, f"invoice-{n:02}.pdf", f"%PDF-1.4 {n}".encode())
    odd = os.path.join(os.fsencode(inbox), b"facture-caf\xe9.pdf")
    with open(odd, "wb") as stream:
        stream.write(b"%PDF-1.4 latin-1 name")
    os.utime(odd, (time.time() - 60, time.time() - 60))
    drop(inbox, ".hidden.pdf")
    caplog.set_level("INFO", logger="backoffice.connectors.folder")
    assert source.collect(Intake(store, context)) == 100
    names = sorted(i.payload["file"] for i in store.list(limit=1000))
    assert names == ["facture-caf\\xe9.pdf"] + [f"invoice-{n:02}.pdf" for n in range(99)]
    [odd_item] = [i for i in store.list(limit=1000) if "file_name_bytes" in i.payload]
    assert odd_item.payload["file"] == "facture-caf\\xe9.pdf"  # shown safely
    assert bytes.fromhex(odd_item.payload["file_name_bytes"]) == b"facture-caf\xe9.pdf"  # kept exactly
    assert os.path.exists(os.path.join(os.fsencode(inbox), b"processed", b"facture-caf\xe9.pdf"))
    assert [p.name for p in inbox.iterdir() if p.is_file()] == [".hidden.pdf"]
    skipped = [r for r in caplog.records if "hidden or temporary" in r.getMessage()]
    assert len(skipped) == 1 and ".hidden.pdf" in skipped[0].getMessage()
    source.collect(Intake(store, context))  # seen before: not told again
    assert len([r for r in caplog.records if "hidden or temporary" in r.getMessage()]) == 1


def test_a_file_that_cannot_be_read_is_logged_once_and_the_others_are_taken(setup, monkeypatch, caplog):
    source, intake, store, inbox = setup()
    drop(inbox, "good.pdf", b"%PDF-1.4 good")
    drop(inbox, "odd.pdf", b"%PDF-1.4 odd")
    real = source._read

    def read(path, files):
        if path.name == "odd.pdf":
            raise ValueError("something nobody foresaw")
        return real(path, files)

    monkeypatch.setattr(source, "_read", read)
    assert source.collect(intake) == 1 and source.collect(intake) == 0
    assert [i.payload["file"] for i in store.list()] == ["good.pdf"]
    told = [r for r in caplog.records if "odd.pdf" in r.getMessage()]
    assert len(told) == 1 and "something nobody foresaw" in told[0].getMessage()
    assert (inbox / "odd.pdf").exists()  # left for the next scan


def test_an_item_the_queue_refuses_does_not_keep_the_others_out(setup, monkeypatch):
    source, intake, store, inbox = setup()
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        drop(inbox, name, f"%PDF-1.4 {name}".encode())
    real = store.enqueue_many

    def enqueue_many(items, **kw):
        items = list(items)
        if any(i.payload["file"] == "b.pdf" for i in items):
            raise ValueError("the queue refuses b.pdf")
        return real(items, **kw)

    monkeypatch.setattr(store, "enqueue_many", enqueue_many)
    assert source.collect(intake) == 2
    assert sorted(i.payload["file"] for i in store.list()) == ["a.pdf", "c.pdf"]
    assert (inbox / "b.pdf").exists() and not (inbox / "a.pdf").exists()
