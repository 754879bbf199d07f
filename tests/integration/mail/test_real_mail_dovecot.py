"""The 73 real mails of ../shared/corpus/mail through a real Dovecot and the IMAP source (its
reader processes included): none lost silently, at least 95% taken exactly as a careful person
would (the expectations: tests/unit/mail/real_mail.py). Run with ``-s`` to see the table."""

from __future__ import annotations

import re
from email.parser import BytesHeaderParser

import pytest
from imapclient import IMAPClient

from backoffice.bots import mail_parent
from backoffice.connectors.base import Context, Intake
from backoffice.connectors.imap import ImapSettings, ImapSource
from backoffice.errors import DocumentError
from backoffice.queue.files import FileStore
from backoffice.queue.sqlite import SQLiteStore
from tests.unit.mail.real_mail import EXPECTED, Taken, key, mail_files

pytestmark = pytest.mark.integration


@pytest.fixture
def bobs_inbox(dovecot):
    client = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False)
    client.login("bob", "builder")
    for folder in ("INBOX", "Processed", "Failed"):
        client.select_folder(folder)
        if uids := client.search():
            client.delete_messages(uids)
            client.expunge()
    yield client
    client.logout()


def test_the_real_mail_corpus_through_dovecot(dovecot, bobs_inbox, tmp_path):
    uids: dict[str, int] = {}
    for path in mail_files():
        answer = bobs_inbox.append("INBOX", path.read_bytes())
        uids[key(path)] = int(re.search(rb"APPENDUID \d+ (\d+)", answer).group(1))
    store = SQLiteStore(tmp_path / "queue.db")
    context = Context(bot="mailbox", workspace=tmp_path, files=FileStore(tmp_path / "files"))
    settings = ImapSettings(kind="imap", host="127.0.0.1", port=dovecot.port, security="none", username="bob",
                            password="builder", readers=2, idle=False)  # fmt: skip
    source = ImapSource(settings, context)
    try:
        source.collect(Intake(store, context))
    finally:
        source.close()
    parents = {p.payload["mail"]["uid"]: p for p in store.list(limit=10_000) if p.parent_id is None}
    by_message_id = {p.payload["mail"].get("message_id"): p for p in parents.values()}
    rows, silent, as_expected = [], 0, 0
    for path in mail_files():
        parent = parents.get(uids[key(path)])
        if parent is None:  # the same mail delivered twice: one parent (same Message-ID, same content)
            message_id = BytesHeaderParser().parsebytes(path.read_bytes()).get("Message-ID", "").strip()
            parent = by_message_id[message_id]
        children = [store.get(i) for i in parent.payload.get("children", [])]
        got = Taken.of(parent.payload, children)
        try:
            mail_parent.check_nothing_lost(parent)
        except DocumentError:
            assert got.nothing, f"{key(path)}: a parent without children and without a reason"
        silent += got.silent_loss
        ok = got.matches(EXPECTED[key(path)])
        as_expected += ok
        rows.append(f"| {key(path).rsplit('/', 1)[-1]} | {len(got.documents)} | {len(got.refused)} | "
                    f"{', '.join(sorted(got.parts)) or '-'} | {'yes' if ok else 'NO'} |")  # fmt: skip
    print("\n| mail | documents | refused | parts of the mail | as expected |\n|---|---|---|---|---|")
    print("\n".join(rows))
    print(
        f"\n{len(rows)} mails, {as_expected} taken as expected ({as_expected / len(rows):.1%}), {silent} silent losses"
    )
    assert len(rows) == 73 and silent == 0
    assert as_expected / len(rows) >= 0.95
    bobs_inbox.select_folder("INBOX")
    assert bobs_inbox.search() == []  # every mail left the inbox once its items were committed


def test_the_same_mail_delivered_twice_is_one_mail_and_both_copies_leave_the_inbox(dovecot, bobs_inbox, tmp_path):
    from email.message import EmailMessage

    from tests.unit.mail.conftest import make_pdf

    mail = EmailMessage()
    mail["From"], mail["Subject"], mail["Message-ID"] = (
        "billing@vendor.example",
        "Invoice 9",
        "<twice-9@vendor.example>",
    )
    mail.set_content("Invoice attached.")
    mail.add_attachment(make_pdf(), maintype="application", subtype="pdf", filename="invoice-9.pdf")
    raw = mail.as_bytes()
    bobs_inbox.append(
        "INBOX", b"Received: from mx1.vendor.example by mx.example; Mon, 7 Dec 2026 10:00:00 +0000\r\n" + raw
    )
    bobs_inbox.append(
        "INBOX", b"Received: from mx2.vendor.example by mx.example; Mon, 7 Dec 2026 10:00:05 +0000\r\n" + raw
    )
    store = SQLiteStore(tmp_path / "queue.db")
    context = Context(bot="mailbox", workspace=tmp_path, files=FileStore(tmp_path / "files"))
    source = ImapSource(ImapSettings(kind="imap", host="127.0.0.1", port=dovecot.port, security="none",
                                     username="bob", password="builder", idle=False), context)  # fmt: skip
    try:
        assert source.collect(Intake(store, context)) == 2  # one parent, one document
    finally:
        source.close()
    items = store.list()
    assert len([i for i in items if i.parent_id is None]) == 1
    assert [i.payload["file"] for i in items if i.parent_id is not None] == ["invoice-9.pdf"]
    bobs_inbox.select_folder("INBOX")
    assert bobs_inbox.search() == []
    bobs_inbox.select_folder("Processed")
    assert len(bobs_inbox.search()) == 2
