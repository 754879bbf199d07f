from __future__ import annotations

import hashlib

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
