from __future__ import annotations

import hashlib
from email.message import EmailMessage

import pytest

from backoffice.connectors.base import Context, Intake
from backoffice.mail.intake import mail_key, read_mail, take_mail
from backoffice.mail.mailbox import Fetched
from backoffice.queue.files import FileStore
from backoffice.queue.memory import MemoryStore
from tests.unit.mail.conftest import make_pdf


@pytest.fixture
def intake(tmp_path):
    return Intake(MemoryStore(), Context(bot="mailbot", workspace=tmp_path, files=FileStore(tmp_path / "files")))


def mail(*attachments: tuple[str, bytes], body: str = "see attached", message_id: str = "<1@x>") -> bytes:
    message = EmailMessage()
    message["From"], message["Subject"], message["Message-ID"] = "Vendor <v@acme.example>", "Invoice 12", message_id
    message.set_content(body)
    for name, data in attachments:
        message.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return message.as_bytes()


def test_a_mail_becomes_a_parent_with_a_child_per_document(intake):
    raw = mail(("a.pdf", make_pdf()), ("b.pdf", make_pdf("other")), ("virus.exe", b"MZ" + b"\0" * 40))
    taken = take_mail(intake, Fetched(17, raw, ()), folder="INBOX", uidvalidity=99)
    store = intake.store
    assert taken.created and taken.children == 3
    parent = taken.parent
    assert parent.payload["mail"] == {"folder": "INBOX", "uid": 17, "uidvalidity": 99, "message_id": "<1@x>",
                                      "subject": "Invoice 12", "date": None, "from": "Vendor <v@acme.example>"}  # fmt: skip
    assert parent.files[0].name == "Invoice 12.eml" and parent.payload["mail_action"] == "pending"
    children = [i for i in store.list() if i.parent_id == parent.id]
    assert sorted(c.payload["file"] for c in children) == ["a.pdf", "b.pdf", "virus.exe"]
    refused = next(c for c in children if c.payload["file"] == "virus.exe")
    assert [f.name for f in refused.files] == ["virus.exe"] and refused.payload["intake_code"] == "unsupported-type"
    assert refused.payload["intake_error"].startswith("virus.exe: ")


def test_reading_the_same_mail_again_adds_nothing(intake):
    raw = mail(("a.pdf", make_pdf()))
    first = take_mail(intake, Fetched(1, raw, ()), folder="INBOX", uidvalidity=1)
    again = take_mail(intake, Fetched(2, raw, ()), folder="INBOX", uidvalidity=1)  # copied: new UID, same mail
    assert (first.created, again.created, again.parent.id) == (True, False, first.parent.id)
    assert len(intake.store.list()) == 2


def test_same_message_id_with_other_content_is_another_mail(intake):
    first = take_mail(intake, Fetched(1, mail(("a.pdf", make_pdf())), ()), folder="INBOX", uidvalidity=1)
    second = take_mail(intake, Fetched(2, mail(("a.pdf", make_pdf("corrected"))), ()), folder="INBOX", uidvalidity=1)
    assert second.created and second.parent.id != first.parent.id


def test_body_is_the_document_when_there_is_no_attachment(intake):
    taken = take_mail(intake, Fetched(5, mail(body="Order: 10 x SKU-1 at 4.50"), ()), folder="Orders", uidvalidity=1)
    [child] = [i for i in intake.store.list() if i.parent_id == taken.parent.id]
    assert child.payload["origin"] == "body" and child.files[0].media_type == "text/plain"
    assert intake.context.files.path(child.files[0]).read_text() == "Order: 10 x SKU-1 at 4.50"
    with_pdf = take_mail(intake, Fetched(6, mail(("a.pdf", make_pdf()), message_id="<2@x>"), ()), folder="Orders", uidvalidity=1)
    assert with_pdf.children == 1  # auto: the body is only a cover note


def test_not_a_mail_becomes_an_item_with_its_reason(intake):
    taken = take_mail(intake, Fetched(8, b"\x00\x01garbage", ()), folder="INBOX", uidvalidity=1)
    assert taken.parent.payload["intake_error"] == "INBOX UID 8: no mail headers found; this is not an email"
    assert intake.context.files.path(taken.parent.files[0]).read_bytes() == b"\x00\x01garbage"


def test_read_mail_only_writes_files_to_the_batch(intake):
    raw = mail(("a.pdf", make_pdf()))
    files = intake.context.files
    with files.batch() as batch:
        parent, children = read_mail(intake.context, Fetched(3, raw, ()), batch, folder="INBOX", uidvalidity=7)
        assert intake.store.list() == [] and not files.path(parent.files[0]).exists()
        batch.sync()
    assert files.path(parent.files[0]).read_bytes() == raw and files.path(children[0].files[0]).exists()
    assert (parent.bot, parent.max_attempts, parent.payload["mail"]["uid"]) == ("mailbot", 5, 3)
    assert [c.source_key for c in children] == [f"{parent.source_key}/0:{children[0].files[0].sha256[:16]}"]


def test_the_same_mail_delivered_twice_is_one_mail(intake):
    raw = mail(("a.pdf", make_pdf()))
    first = take_mail(intake, Fetched(1, raw, ()), folder="INBOX", uidvalidity=1)
    again = b"Received: from relay2.example by mx.example; Mon, 1 Jan 2026 10:00:00 +0000\r\n" + raw
    second = take_mail(intake, Fetched(2, again, ()), folder="INBOX", uidvalidity=1)
    assert first.created and not second.created and second.parent.id == first.parent.id
    assert len(intake.store.list()) == 2  # one parent, one document: the PDF is read once


def test_the_same_message_id_with_other_attachments_is_another_mail(intake):
    first = take_mail(intake, Fetched(1, mail(("a.pdf", make_pdf())), ()), folder="INBOX", uidvalidity=1)
    other = take_mail(intake, Fetched(2, mail(("a.pdf", make_pdf("other text"))), ()), folder="INBOX", uidvalidity=1)
    assert other.created and other.parent.id != first.parent.id


def test_a_mail_without_message_id_is_keyed_by_its_raw_content(intake):
    raw = mail(("a.pdf", make_pdf())).replace(b"Message-ID: <1@x>\r\n", b"").replace(b"Message-ID: <1@x>\n", b"")
    assert b"Message-ID" not in raw
    taken = take_mail(intake, Fetched(1, raw, ()), folder="INBOX", uidvalidity=1)
    assert taken.parent.source_key == mail_key(None, hashlib.sha256(raw).hexdigest())
    resent = take_mail(intake, Fetched(2, b"Received: by x\r\n" + raw, ()), folder="INBOX", uidvalidity=1)
    assert resent.created  # without a Message-ID nothing says it is the same mail


def test_a_mail_the_parser_trips_over_goes_to_a_person_with_its_eml(intake, monkeypatch):
    from backoffice.mail import intake as intake_module

    def trips(*args, **kwargs):
        raise ValueError("unexpected structure")

    monkeypatch.setattr(intake_module, "parse_mail", trips)
    taken = take_mail(intake, Fetched(9, mail(("a.pdf", make_pdf())), ()), folder="INBOX", uidvalidity=1)
    assert taken.created and taken.children == 0
    assert taken.parent.payload["intake_error"] == (
        "INBOX UID 9: the mail could not be read (ValueError: unexpected structure)")
    assert intake.context.files.path(taken.parent.files[0]).exists()


def test_a_failing_file_store_is_not_blamed_on_the_mail(intake, monkeypatch):
    from backoffice.mail import intake as intake_module

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(intake_module, "parse_mail", disk_full)
    with pytest.raises(OSError):  # the mail stays in the mailbox and is read again on the next poll
        take_mail(intake, Fetched(9, mail(("a.pdf", make_pdf())), ()), folder="INBOX", uidvalidity=1)
    assert intake.store.list() == []


def test_raw_8bit_names_and_subjects_are_stored_and_shown_safely(tmp_path):
    from backoffice.queue.sqlite import SQLiteStore

    raw = (b"From: a@example.com\r\nSubject: Rechnung f\xfcr M\xe4rz\r\nMessage-ID: <8bit@x>\r\nMIME-Version: 1.0\r\n"
           b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nanbei\r\n"
           b"--B\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"Rechnung M\xe4rz.pdf\"\r\n"
           b"Content-Transfer-Encoding: base64\r\n\r\n" + __import__("base64").encodebytes(make_pdf()) + b"--B--\r\n")
    context = Context(bot="mailbot", workspace=tmp_path, files=FileStore(tmp_path / "files"))
    intake = Intake(SQLiteStore(tmp_path / "queue.db"), context)
    taken = take_mail(intake, Fetched(3, raw, ()), folder="INBOX", uidvalidity=1)
    [child] = [i for i in intake.store.list() if i.parent_id == taken.parent.id]
    shown = child.payload["file"]  # the parser shows the odd byte as U+FFFD (or we as \\xNN)
    assert shown.startswith("Rechnung M") and shown.endswith("rz.pdf") and child.files[0].name == shown
    assert shown.encode("utf-8") and taken.parent.payload["mail"]["subject"].startswith("Rechnung f")
