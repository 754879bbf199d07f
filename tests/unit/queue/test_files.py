from __future__ import annotations

import hashlib
import io
import os
import tempfile
import time

import pytest

from backoffice.queue import files as files_module
from backoffice.queue.files import FileStore, sniff_media_type


def test_content_addressed_and_stored_once(tmp_path):
    files = FileStore(tmp_path / "files")
    one = files.put_bytes(b"%PDF-1.7 hello", "a.pdf")
    two = files.put_bytes(b"%PDF-1.7 hello", "b.pdf")
    assert one.sha256 == two.sha256 == hashlib.sha256(b"%PDF-1.7 hello").hexdigest()
    assert files.path(one).read_bytes() == b"%PDF-1.7 hello"
    assert files.path(one).relative_to(tmp_path / "files").parts == (one.sha256[:2], one.sha256[2:])
    assert [p.name for p in (tmp_path / "files").iterdir()] == [one.sha256[:2]]  # no temporary files


def test_media_type_by_content_first():
    assert sniff_media_type(b"%PDF-1.4", "scan.txt") == "application/pdf"
    assert sniff_media_type(b"\x89PNG\r\n", "invoice.pdf") == "image/png"
    assert sniff_media_type(b"hello", "notes.csv") == "text/csv"
    assert sniff_media_type(b"\x00\x01", "blob") == "application/octet-stream"


def listing(root) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def test_a_batch_names_its_files_only_once_synced(tmp_path):
    files = FileStore(tmp_path / "files")
    with files.batch() as batch:
        one = batch.put_bytes(b"%PDF-1.7 one", "one.pdf")
        two = batch.put_stream(io.BytesIO(b"two" * 1000), "two.txt")
        again = batch.put_bytes(b"%PDF-1.7 one", "other-name.pdf")
        assert not files.path(one).exists() and not files.path(two).exists()
        assert len(listing(files.root)) == 2  # two temporary files, the same content once
        batch.sync()
        assert files.path(one).read_bytes() == b"%PDF-1.7 one" and files.path(two).read_bytes() == b"two" * 1000
    assert (again.sha256, again.name, one.media_type, two.size) == (one.sha256, "other-name.pdf", "application/pdf", 3000)
    assert listing(files.root) == sorted(str(files.path(s).relative_to(files.root)) for s in (one, two))


def test_a_batch_left_without_sync_leaves_nothing(tmp_path):
    files = FileStore(tmp_path / "files")
    with files.batch() as batch:
        stored = batch.put_bytes(b"draft", "draft.txt")
    assert listing(files.root) == [] and not files.path(stored).exists()


def test_content_stored_already_is_not_written_again(tmp_path, monkeypatch):
    files = FileStore(tmp_path / "files")
    first = files.put_bytes(b"%PDF-1.7 same", "a.pdf")
    created = []
    real = tempfile.mkstemp
    monkeypatch.setattr(tempfile, "mkstemp", lambda **kw: created.append(kw) or real(**kw))
    with files.batch() as batch:
        assert batch.put_bytes(b"%PDF-1.7 same", "b.pdf").sha256 == first.sha256
        batch.sync()
    assert created == [] and files.path(first).read_bytes() == b"%PDF-1.7 same"


@pytest.mark.parametrize("count", [2, 40])
def test_files_are_flushed_before_they_are_named_and_named_before_sync_returns(tmp_path, monkeypatch, count):
    files = FileStore(tmp_path / "files")
    events = []
    monkeypatch.setattr(files_module, "_fsync", lambda path: events.append(("fsync", path)))
    monkeypatch.setattr(files_module, "_syncfs", lambda: lambda fd: events.append(("syncfs", fd)) or 0)
    real_replace = os.replace
    monkeypatch.setattr(os, "replace", lambda a, b: events.append(("rename", str(b))) or real_replace(a, b))
    with files.batch() as batch:
        stored = [batch.put_bytes(f"file {n}".encode(), f"{n}.txt") for n in range(count)]
        batch.sync()
    kinds = [kind for kind, _ in events]
    renames = [i for i, kind in enumerate(kinds) if kind == "rename"]
    assert len(renames) == count and all(files.path(s).exists() for s in stored)
    flushes_before = [event for event in events[: renames[0]] if event[0] != "rename"]
    flushes_after = [event for event in events[renames[-1] :] if event[0] != "rename"]
    if count > files_module.SYNCFS_FROM:  # many: the file system is flushed at once, twice
        assert [kind for kind, _ in flushes_before] == ["syncfs"] and [kind for kind, _ in flushes_after] == ["syncfs"]
    else:  # few: each file, then each folder
        assert len(flushes_before) == count and all(path.startswith(str(files.root / ".incoming-")) for _, path in flushes_before)
        assert {path for _, path in flushes_after} == {str(files.path(s).parent) for s in stored}


def test_a_failed_flush_names_nothing_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    files = FileStore(tmp_path / "files")

    def broken(path):
        raise OSError(5, "I/O error")

    monkeypatch.setattr(files_module, "_fsync", broken)
    with files.batch() as batch:
        stored = batch.put_bytes(b"lost", "lost.txt")
        with pytest.raises(OSError):
            batch.sync()
    assert listing(files.root) == [] and not files.path(stored).exists()


def test_a_batch_hands_its_files_to_another_which_syncs_them_once(tmp_path):
    files = FileStore(tmp_path / "files")
    stored_before = files.put_bytes(b"%PDF-1.7 stored", "old.pdf")
    with files.batch() as mine, files.batch() as worker:
        shared = mine.put_bytes(b"%PDF-1.7 both", "a.pdf")
        assert mine.where(shared).read_bytes() == b"%PDF-1.7 both" and mine.where(shared) != files.path(shared)
        assert mine.where(stored_before) == files.path(stored_before)
        again = worker.put_bytes(b"%PDF-1.7 both", "a.pdf")  # written by both: kept once
        only = worker.put_bytes(b"%PDF-1.7 worker", "w.pdf")
        worker.put_bytes(b"%PDF-1.7 stored", "old.pdf")  # found stored already
        handed = worker.handover()
        assert sorted(handed.waiting) == sorted([again.sha256, only.sha256]) and handed.known == {stored_before.sha256}
        mine.adopt(handed)
        assert len([p for p in listing(files.root) if ".incoming-" in p]) == 2  # the duplicate is gone
        mine.sync()
    assert files.path(only).read_bytes() == b"%PDF-1.7 worker" and files.path(shared).exists()
    assert [p for p in listing(files.root) if ".incoming-" in p] == []


def test_a_handover_that_is_not_adopted_can_be_dropped(tmp_path):
    files = FileStore(tmp_path / "files")
    with files.batch() as worker:
        worker.put_bytes(b"never committed", "x.txt")
        handed = worker.handover()
    assert len(listing(files.root)) == 1  # the worker's batch closed without dropping the handed file
    handed.discard()
    assert listing(files.root) == []


def test_a_sweep_deletes_only_stale_temporary_files(tmp_path):
    files = FileStore(tmp_path / "files")
    kept = files.put_bytes(b"%PDF-1.7 kept", "k.pdf")
    stale, fresh = files.root / ".incoming-dead1234", files.root / ".incoming-busy5678"
    stale.write_bytes(b"half written")
    fresh.write_bytes(b"being written")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    assert files.sweep(older_than=3600) == 1
    assert not stale.exists() and fresh.exists() and files.path(kept).exists()
