"""Long base64 bodies set aside before parsing: the mail reads exactly as without, and a large
attachment is decoded straight to the file store."""

from __future__ import annotations

import base64
import binascii
import os
from email.message import EmailMessage

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backoffice.mail import parse_mail, skeleton
from backoffice.mail.skeleton import Base64Reader, set_aside
from backoffice.queue.files import FileStore
from tests.unit.mail.test_mime_corpus import CASES, PDF, attach, mail


def reading(parsed) -> dict:
    """Everything a parsed mail tells, file contents by hash."""
    return {
        "headers": (parsed.message_id, parsed.subject, parsed.sender, parsed.date),
        "bodies": (parsed.text, parsed.html),
        "documents": [(d.name, d.origin, d.stored) for d in parsed.documents],
        "rejected": parsed.rejected,
        "warnings": parsed.warnings,
    }


@pytest.mark.parametrize(("name", "raw"), [(c[0], c[1]) for c in CASES], ids=[c[0] for c in CASES])
def test_every_corpus_mail_reads_the_same_with_every_base64_body_set_aside(tmp_path, monkeypatch, name, raw):
    files = FileStore(tmp_path / "files")
    monkeypatch.setattr(skeleton, "MIN_RUN", 10**12)
    assert set_aside(raw).text is raw
    parsed_whole = reading(parse_mail(raw, files, name=name))
    monkeypatch.setattr(skeleton, "MIN_RUN", 1)
    assert reading(parse_mail(raw, files, name=name)) == parsed_whole


def test_the_comparison_above_sets_aside_a_body_in_most_corpus_mails():
    assert sum(bool(set_aside(raw, min_run=1).spans) for _, raw, *_ in CASES) >= len(CASES) * 2 // 3


def big_pdf(size: int = 3_000_000) -> bytes:
    return b"%PDF-1.4\n" + os.urandom(size)


@pytest.mark.parametrize("newline", [b"\r\n", b"\n"])
def test_a_large_attachment_is_set_aside_and_stored_exactly(tmp_path, newline):
    data = big_pdf()
    raw = attach(mail(), PDF, "small.pdf")
    raw = attach(raw, data, "scan.pdf").as_bytes().replace(b"\n", newline)
    seen = set_aside(raw)
    assert len(seen.text) < 20_000 and len(seen.spans) == 1  # the small PDF stays for the parser
    files = FileStore(tmp_path / "files")
    parsed = parse_mail(raw, files)
    assert [d.name for d in parsed.documents] == ["small.pdf", "scan.pdf"]
    assert files.path(parsed.documents[1].stored).read_bytes() == data
    assert parsed.text.strip() == "Please find attached."


def test_a_large_attachment_over_the_limit_is_refused_without_reading_it(tmp_path):
    from backoffice.mail import MailLimits

    raw = attach(mail(), big_pdf(), "scan.pdf").as_bytes()
    parsed = parse_mail(raw, FileStore(tmp_path / "files"), MailLimits(max_part_bytes=1_000_000))
    assert [r.code for r in parsed.rejected] == ["too-large"] and parsed.documents == []
    assert parsed.rejected[0].reason.startswith("scan.pdf: about 3,0")


def test_a_large_attachment_of_an_unread_type_is_refused_by_its_first_bytes(tmp_path):
    raw = attach(mail(), b"MZ" + os.urandom(500_000), "setup.exe", subtype="octet-stream").as_bytes()
    parsed = parse_mail(raw, FileStore(tmp_path / "files"))
    assert [r.code for r in parsed.rejected] == ["unsupported-type"] and parsed.documents == []


def test_a_large_zip_is_opened(tmp_path):
    from tests.unit.mail.test_mime_corpus import zipped

    data = big_pdf(200_000)
    raw = attach(mail(), zipped({"a.pdf": data}), "docs.zip", subtype="zip").as_bytes()
    files = FileStore(tmp_path / "files")
    parsed = parse_mail(raw, files)
    assert [d.origin for d in parsed.documents] == ["docs.zip"]
    assert files.path(parsed.documents[0].stored).read_bytes() == data


def test_text_that_looks_like_base64_comes_back_exactly(tmp_path, monkeypatch):
    run = "\n".join("A" * 70 + str(n % 10) for n in range(200))
    body = f"Dear team,\n-- \nsigned\n\n{run}\n"
    message = EmailMessage()
    message["From"], message["Subject"] = "a@example.com", "key"
    message.set_content(body, cte="7bit")
    raw = attach(message, PDF, "a.pdf").as_bytes()
    assert set_aside(raw, min_run=1000).spans  # the run after the signature was set aside...
    monkeypatch.setattr(skeleton, "MIN_RUN", 1000)
    assert parse_mail(raw, FileStore(tmp_path / "files")).text == body  # ...and read back as it was


def test_a_mail_without_long_base64_is_left_as_it_is():
    raw = attach(mail(), PDF, "a.pdf").as_bytes()
    assert set_aside(raw).text is raw and set_aside(raw).spans == {}


@pytest.mark.parametrize("line", [76, 75, 64, 1000, 10**8])
@pytest.mark.parametrize("size", [0, 1, 2, 3, 1000, 2_500_001])
def test_base64_reader_decodes_any_line_length_in_chunks(line, size):
    data = os.urandom(size)
    encoded = base64.b64encode(data)
    text = b"\r\n".join(encoded[i : i + line] for i in range(0, len(encoded), line))
    raw = b"head" + text + b"tail"
    reader = Base64Reader(raw, 4, 4 + len(text))
    assert reader.peek() == data[: len(reader.peek())]
    chunks = list(iter(lambda: reader.read(100_000), b""))
    assert b"".join(chunks) == data
    if size > 1_000_000:
        assert len(chunks) > 3  # never all at once


def test_base64_reader_is_lenient_with_missing_padding():
    encoded = base64.b64encode(b"invoice!!").rstrip(b"=")[:-1]  # 11 characters, no padding
    assert Base64Reader(encoded, 0, len(encoded)).read() == base64.b64decode(encoded + b"=")


@given(st.lists(st.sampled_from(list(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n")), max_size=60),
       st.booleans())  # fmt: skip
def test_the_fast_decoder_reads_base64_text_as_binascii_does(characters, pad):
    def lenient(text: bytes) -> bytes | None:  # binascii, with "=" or "==" added when pad allows
        for padding in (b"", b"=", b"==") if pad else (b"",):
            try:
                return binascii.a2b_base64(text + padding)
            except binascii.Error:
                pass
        return b"" if pad else None

    data = bytes(characters)
    assert skeleton._decode(data, pad=pad) == lenient(data)


def test_a_base64_run_with_padding_inside_reads_as_binascii_reads_it():
    first, second = base64.b64encode(b"ab"), base64.b64encode(b"cdef")  # two encodings run together
    raw = first + b"\r\n" + second
    assert Base64Reader(raw, 0, len(raw)).read() == binascii.a2b_base64(raw) == b"ab"
