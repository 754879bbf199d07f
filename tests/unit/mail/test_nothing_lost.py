"""Nothing is lost silently: every mail yields a document item, or is an exception item with its
reason and its .eml; its parent is done only when every child is done or cancelled by a person.

The property test builds mails from random MIME trees (nested multiparts of every kind, bodies
empty or not, attachments of every type, signatures, reports, calendar parts, logos, broken
boundaries, forwarded mails) and checks the invariant on what intake makes of each.
"""

from __future__ import annotations

import io
from email.message import EmailMessage

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backoffice.bots import mail_parent
from backoffice.errors import DocumentError
from backoffice.mail.intake import Reading, mail_family
from backoffice.queue.base import NewItem, Status
from backoffice.queue.files import FileStore
from backoffice.queue.memory import MemoryStore
from tests.unit.mail.conftest import make_pdf

PDF = make_pdf()


def _png(width: int, height: int) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 10)).save(buffer, "PNG")
    return buffer.getvalue()


LEAVES = {
    "pdf": ("application", "pdf", PDF, "invoice.pdf"),
    "pdf-no-name": ("application", "octet-stream", PDF, None),
    "photo": ("image", "png", _png(900, 700), "IMG_0001.png"),
    "logo": ("image", "png", _png(60, 30), "logo.png"),
    "signature": (
        "application",
        "pkcs7-signature",
        b"0\x82\x01\x00\x06\x09\x2a\x86\x48\x86\xf7\x0d\x01\x07\x02",
        "smime.p7s",
    ),
    "calendar": ("text", "calendar", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "invite.ics"),
    "disclaimer": ("text", "plain", b"\r\nsent from my phone\r\n", "ATT00001.txt"),
    "exe": ("application", "octet-stream", b"MZ\x90\x00" + b"\x00" * 60, "run.exe"),
    "empty": ("application", "pdf", b"", "empty.pdf"),
    "csv": ("text", "csv", b"a,b\n1,2\n", "hours.csv"),
    "binary": ("application", "octet-stream", bytes(range(256)), "blob.bin"),
}
leaf = st.tuples(st.sampled_from(sorted(LEAVES)), st.sampled_from(["attachment", "inline", None]), st.booleans())
bodies = st.sampled_from(["", "   ", "Please pay invoice 7.", None])


def build(tree, body: str | None, html: bool) -> EmailMessage:
    """A mail: an optional body (plain, or plain and HTML that shows every cid), then ``tree``."""
    message = EmailMessage()
    message["From"], message["Subject"], message["Message-ID"] = "a@example.com", "generated", "<gen@x>"
    if body is not None:
        message.set_content(body)
        if html:
            message.add_alternative(f'<p>{body}</p><img src="cid:c0@x">', subtype="html")
    for index, node in enumerate(tree):
        if isinstance(node, list):  # a forwarded mail holding its own tree
            message.add_attachment(build(node, "forwarded text", False))
            continue
        name, disposition, with_cid = node
        maintype, subtype, data, filename = LEAVES[name]
        kwargs = {"cid": f"<c{index}@x>"} if with_cid else {}
        if maintype == "text":
            message.add_attachment(
                data.decode(), subtype=subtype, filename=filename, disposition=disposition or "attachment", **kwargs
            )
        else:
            message.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename,
                                   disposition=disposition or "attachment", **kwargs)  # fmt: skip
    return message


trees = st.recursive(
    st.lists(leaf, max_size=4), lambda inner: st.lists(st.one_of(leaf, inner), max_size=3), max_leaves=8
)


def _family(tmp_path, raw: bytes):
    files = FileStore(tmp_path / "files")
    eml = files.put_bytes(raw, "m.eml")
    return mail_family(Reading("bot", "INBOX", 1), 1, raw, eml, files)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=trees, body=bodies, html=st.booleans(), damage=st.sampled_from(["none", "boundary", "truncate"]))
def test_every_generated_mail_yields_a_document_or_an_exception_with_its_eml(tmp_path, tree, body, html, damage):
    raw = build(tree, body, html).as_bytes()
    if damage == "boundary" and b"boundary=" in raw:
        raw = raw.replace(b'boundary="', b'boundary="x', 1)  # the declared boundary matches no line
    elif damage == "truncate":
        raw = raw[: max(len(raw) * 2 // 3, raw.find(b"\n\n") + 2)]
    parent, children = _family(tmp_path, raw)
    assert children or parent.payload.get("intake_error"), "a mail vanished without a document or a reason"
    assert parent.files and parent.files[0].name.endswith(".eml")
    for child in children:
        assert child.files, "a child without its file"
        if "intake_error" in child.payload:
            assert child.payload["intake_error"].strip()
    names = [c.payload["file"] for c in children]
    assert not any(n in ("smime.p7s", "ATT00001.txt", "invite.ics") for n in names), (
        "a part of the mail became a document"
    )


def _stored_family(store: MemoryStore, *children_payloads: dict):
    parent = NewItem(
        bot="bot", source_key="mail:1", payload={"mail": {"folder": "INBOX", "uid": 1}, "mail_action": "done"}
    )
    kids = [NewItem(bot="bot", source_key=f"mail:1/{i}", payload=p) for i, p in enumerate(children_payloads)]
    [(item, _)] = store.enqueue_families([(parent, kids)])
    store.note(item.id, actor="test", action="mailbox-done")
    return store.get(item.id)


def test_a_parent_without_children_is_never_done():
    store = MemoryStore()
    parent = _stored_family(store)
    with pytest.raises(DocumentError) as caught:
        mail_parent.handle(None, parent, store, "runner-1")
    assert caught.value.code == "mail-nothing-taken" and "nothing is lost silently" in caught.value.reason


def test_a_parent_waits_for_a_child_a_source_cancelled_and_ends_when_a_person_did():
    store = MemoryStore()
    parent = _stored_family(store, {"file": "a.pdf"})
    child = parent.payload["children"][0]
    store.cancel(child, actor="source:bot", why="superseded")
    with pytest.raises(mail_parent.Waiting):
        mail_parent.handle(None, parent, store, "runner-1")
    store.retry(child, actor="source:bot")
    store.cancel(child, actor="alice", why="not ours")
    assert store.get(child).status == Status.CANCELLED
    mail_parent.handle(None, parent, store, "runner-1")  # returns: the parent may complete


def test_a_parent_ends_when_a_person_rejected_its_child():
    store = MemoryStore()
    parent = _stored_family(store, {"file": "a.pdf"})
    child = parent.payload["children"][0]
    with pytest.raises(mail_parent.Waiting):
        mail_parent.handle(None, parent, store, "runner-1")
    store.reject_item(child, actor="alice", why="not our invoice")
    mail_parent.handle(None, parent, store, "runner-1")  # returns: the parent may complete


def test_damaged_real_mails_never_trip_the_reader_and_lose_nothing(tmp_path):
    """Real mails, damaged at random (bytes changed, cut, boundary and encoding words thrown in):
    intake reads every one without an error of its own and keeps the invariant. (What such
    damage once tripped on is in test_damage_found_by_fuzzing_is_read_not_raised.)"""
    import random

    from tests.unit.mail.real_mail import mail_files

    rng = random.Random(15)
    mails = [p.read_bytes() for p in mail_files() if p.stat().st_size < 100_000]
    files = FileStore(tmp_path / "files")
    inserts = [
        b"\r\n--",
        b"=?utf-8?b?",
        b"boundary=",
        b"\r\n\r\n",
        b"Content-Type: message/rfc822\r\n",
        b"base64",
        b"\x00",
    ]
    for _ in range(300):
        raw = bytearray(rng.choice(mails))
        for _ in range(rng.randint(1, 20)):
            at = rng.randrange(max(len(raw), 1))
            roll = rng.random()
            if roll < 0.4 and raw:
                raw[min(at, len(raw) - 1)] = rng.randrange(256)
            elif roll < 0.7:
                del raw[at : at + rng.randint(1, 200)]
            else:
                raw[at:at] = rng.choice(inserts)
        eml = files.put_bytes(bytes(raw), "m.eml")
        parent, children = mail_family(Reading("bot", "INBOX", 1), 1, bytes(raw), eml, files)
        assert children or parent.payload.get("intake_error")
        assert "could not be read" not in parent.payload.get("intake_error", ""), parent.payload["intake_error"]


def _png_claiming(width: int, height: int) -> bytes:
    import struct
    import zlib

    header = b"IHDR" + struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + header + struct.pack(">I", zlib.crc32(header)) + bytes(64)


def _damaged_zip() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.pdf", PDF * 3)
    data = bytearray(buffer.getvalue())
    start = 30 + len("a.pdf")
    data[start : start + 40] = bytes(range(40))  # the deflate stream, broken
    return bytes(data)


def _with_part(headers: bytes, body: bytes) -> bytes:
    import base64

    return (
        b"From: a@example.com\r\nSubject: s\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=Z\r\n\r\n"
        b"--Z\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n--Z\r\n"
        + headers
        + b"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        + base64.encodebytes(body)
        + b"--Z--\r\n"
    )


@pytest.mark.parametrize("raw", [
    b"From: a@example.com\r\nSubject: s\r\nContent-Type: text/plain; charset=\"utf\x00-8\"\r\n\r\nhello\r\n",
    b"From: G: a@b.example; <d@e.example>\r\nSubject: s\r\n\r\nhello\r\n",
    b"From: a@example.com\r\nSubject: s\r\nContent-Type: text/plain; name*=utf\x00-8''x.txt\r\n\r\nhello\r\n",
    _with_part(b"Content-Type: application/zip; name=docs.zip", _damaged_zip()),
    _with_part(b"Content-Type: image/png; name=huge.png", _png_claiming(200_000, 200_000)),
], ids=["nul-in-charset", "header-group", "nul-in-rfc2231-charset", "broken-deflate", "png-of-billions-of-pixels"])  # fmt: skip
def test_damage_found_by_fuzzing_is_read_not_raised(tmp_path, raw):
    parent, children = _family(tmp_path, raw)
    assert children or parent.payload.get("intake_error")
    assert "could not be read" not in parent.payload.get("intake_error", "")
