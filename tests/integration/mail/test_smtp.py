"""Notifications through a real SMTP server (aiosmtpd) with STARTTLS, implicit TLS and login."""

from __future__ import annotations

import email
import email.policy
import os
import ssl
import time
import subprocess
from datetime import UTC, datetime
from string import Template

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from backoffice.errors import ApplicationError, BusinessError
from backoffice.mail.send import SmtpServer, exception_digest, rejection_reply, send
from backoffice.queue.base import Status, WorkItem
from tests.integration.mail.dovecot import free_port

pytestmark = pytest.mark.integration


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.envelopes.append(envelope)
        return "250 Message accepted"

    def messages(self):
        return [email.message_from_bytes(e.content, policy=email.policy.default) for e in self.envelopes]


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (b"bot", b"s3cret")
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd sends the 535 itself


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("smtp-tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return cert, context


@pytest.fixture
def starttls_server(certificate):
    cert, context = certificate
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
                            authenticator=authenticator, auth_required=True)  # fmt: skip
    controller.start()
    yield inbox, SmtpServer("127.0.0.1", sender="bot@backoffice.example", port=port, security="starttls",
                            username="bot", password="s3cret", ca_file=str(cert))  # fmt: skip
    controller.stop()


def item(n: int = 7, **payload) -> WorkItem:
    now = datetime(2026, 11, 23, tzinfo=UTC)
    return WorkItem(
        id=n, bot="invoices", source_key=f"k{n}", status=Status.EXCEPTION, payload=payload, files=(), parent_id=None,
        priority=0, deadline=None, not_before=None, attempts=1, max_attempts=5, lease_owner=None, lease_expires=None,
        reason="net 100.00 + tax 18.00 does not equal the total 119.00", error_code="rule:totals-add-up",
        refs={}, created_at=now, updated_at=now,
    )  # fmt: skip


def test_digest_over_starttls_with_login(starttls_server):
    inbox, server = starttls_server
    items = [item(7, file="acme.pdf"), item(8, subject="Invoice March")]
    send(server, exception_digest(items, ["supervisor@backoffice.example"], link="http://ui/exceptions"))
    [envelope] = inbox.envelopes
    assert envelope.mail_from == "bot@backoffice.example" and envelope.rcpt_tos == ["supervisor@backoffice.example"]
    [message] = inbox.messages()
    assert message["Subject"] == "backoffice: 2 new item(s) in the exception queue"
    body = message.get_content()
    assert "#7  invoices  acme.pdf" in body and "#8  invoices  Invoice March" in body
    assert "does not equal the total 119.00" in body and "http://ui/exceptions" in body


def test_rejection_reply_threads_under_the_original_mail(starttls_server):
    inbox, server = starttls_server
    rejected = item(9, file="scan.pdf", mail={"from": "vendor@acme.example", "subject": "Invoice 42",
                                              "message_id": "<42@acme.example>", "date": "Mon, 2 Nov 2026"})  # fmt: skip
    template = Template("Dear vendor, $file ($subject) was rejected: $reason. Item $item. $unknown stays.")
    send(server, rejection_reply(rejected, template))
    [message] = inbox.messages()
    assert (message["To"], message["Subject"], message["In-Reply-To"]) == ("vendor@acme.example", "Re: Invoice 42", "<42@acme.example>")
    assert message.get_content().strip() == (
        "Dear vendor, scan.pdf (Invoice 42) was rejected: net 100.00 + tax 18.00 does not equal the total 119.00. "
        "Item 9. $unknown stays."
    )


def test_reply_needs_a_sender():
    with pytest.raises(BusinessError, match="did not come by mail"):
        rejection_reply(item(3, file="a.pdf"))


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_implicit_tls(certificate):
    cert, context = certificate
    inbox, port = Inbox(), free_port()
    # aiosmtpd only counts STARTTLS as encryption; this connection is TLS from its first byte.
    controller = Controller(inbox, hostname="127.0.0.1", port=port, ssl_context=context, authenticator=authenticator,
                            auth_required=True, auth_require_tls=False)  # fmt: skip
    controller.start()
    try:
        send(SmtpServer("127.0.0.1", "bot@x.example", port=port, security="tls", username="bot", password="s3cret",
                        ca_file=str(cert)), exception_digest([item()], ["s@x.example"]))  # fmt: skip
        assert len(inbox.envelopes) == 1
    finally:
        controller.stop()


def test_wrong_password_is_refused_and_a_dead_server_is_down(starttls_server):
    inbox, server = starttls_server
    server.password = "wrong"
    with pytest.raises(BusinessError, match="login of bot refused"):
        send(server, exception_digest([item()], ["s@x.example"]))
    down = SmtpServer("127.0.0.1", "bot@x.example", port=free_port(), security="none", timeout=2)
    with pytest.raises(ApplicationError, match="cannot send"):
        send(down, exception_digest([item()], ["s@x.example"]))
    assert inbox.envelopes == []


def test_the_runner_mails_one_digest_of_new_exceptions(starttls_server, tmp_path, monkeypatch):
    import textwrap

    from backoffice.bots import Runner
    from backoffice.config import load_config
    from backoffice.queue.sqlite import SQLiteStore

    inbox, server = starttls_server
    monkeypatch.setenv("TEST_SMTP_PASSWORD", "s3cret")
    inbox_folder = tmp_path / "work" / "inbox"
    inbox_folder.mkdir(parents=True)
    for name, data in (("empty.pdf", b""), ("notes.pdf", b"just text")):
        (inbox_folder / name).write_bytes(data)
        os.utime(inbox_folder / name, (time.time() - 60,) * 2)
    config = tmp_path / "bots.yaml"
    config.write_text(textwrap.dedent(f"""
        notify:
          smtp: {{host: 127.0.0.1, port: {server.port}, security: starttls, username: bot,
                 password: "${{TEST_SMTP_PASSWORD}}", sender: bot@backoffice.example, ca_file: {server.ca_file}}}
          supervisors: [lead@backoffice.example]
        bots:
          - name: invoices
            source: {{kind: folder, path: inbox, create: true, settle_seconds: 0}}
    """))  # fmt: skip
    store = SQLiteStore(tmp_path / "work" / "queue.db")
    Runner(load_config(config), store).run_once()
    [message] = inbox.messages()
    assert message["To"] == "lead@backoffice.example"
    assert message["Subject"] == "backoffice: 2 new item(s) in the exception queue"
    assert "empty.pdf" in message.get_content() and "notes.pdf" in message.get_content()
    Runner(load_config(config), store).run_once()
    assert len(inbox.messages()) == 1  # nothing new: no second digest
