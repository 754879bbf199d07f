"""The IMAP session against a real Dovecot: TLS, STARTTLS, login, OAuth2, search, fetch, move, IDLE."""

from __future__ import annotations

import json
import threading
import time
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from imapclient import IMAPClient

from backoffice.mail.mailbox import Account, LoginRefused, Mailbox, MailboxDown, Selection
from backoffice.mail.oauth import ClientCredentials, RefreshToken, TokenRefused
from tests.integration.mail.dovecot import free_port

pytestmark = pytest.mark.integration


def message(n: int, sender: str = "billing@acme.example") -> bytes:
    mail = EmailMessage()
    mail["From"], mail["To"], mail["Subject"] = sender, "alice@example", f"Invoice {n}"
    mail["Message-ID"] = f"<inv-{n}@acme.example>"
    mail.set_content(f"invoice number {n}")
    return mail.as_bytes()


def account(dovecot, **kw) -> Account:
    base = {"host": "127.0.0.1", "username": "alice", "password": "wonderland", "port": dovecot.tls_port,
            "security": "tls", "ca_file": str(dovecot.cert)}  # fmt: skip
    base.update(kw)
    return Account(**base)


@pytest.fixture
def inbox(dovecot):
    """An empty INBOX (and Processed) for alice, plus a raw client to put mail in."""
    client = IMAPClient("127.0.0.1", port=dovecot.port, ssl=False)
    client.login("alice", "wonderland")
    for folder in ("INBOX", "Processed"):
        client.select_folder(folder)
        uids = client.search()
        if uids:
            client.delete_messages(uids)
            client.expunge()
    yield client
    client.logout()


def test_tls_login_search_fetch_and_move(dovecot, inbox):
    for n in range(5):
        inbox.append("INBOX", message(n, sender="other@x.example" if n == 4 else "billing@acme.example"))
    with Mailbox(account(dovecot)) as box:
        assert box.uidvalidity > 0
        uids = box.search(Selection(sender="billing@acme.example"))
        assert len(uids) == 4
        fetched = list(box.fetch(uids, batch=3))
        assert [f.uid for f in fetched] == uids
        assert b"Subject: Invoice 0" in fetched[0].raw and b"\\Seen" not in fetched[0].flags
        assert box.search(Selection(unseen=True)) == sorted([*uids, box.search(Selection(sender="other@x.example"))[0]])
        box.mark_seen(uids[:1])
        assert uids[0] not in box.search(Selection(unseen=True))
        box.move(uids[:2], "Processed")
        assert box.find_message_id("<inv-0@acme.example>") == []
        assert len(box.search()) == 3
    inbox.select_folder("Processed")
    assert len(inbox.search()) == 2


def test_fetch_batches_hold_a_bounded_number_of_messages_and_bytes(dovecot, inbox):
    for n in range(5):
        inbox.append("INBOX", message(n))
    big = EmailMessage()
    big["From"], big["Subject"], big["Message-ID"] = "scanner@acme.example", "Scan", "<scan@acme.example>"
    big.set_content("x" * 300_000)  # about 300 KB
    inbox.append("INBOX", big.as_bytes())
    inbox.append("INBOX", message(5))
    with Mailbox(account(dovecot)) as box:
        uids = box.search()
        by_count = [[f.uid for f in batch] for batch in box.fetch_batches(uids, batch=2)]
        assert by_count == [uids[0:2], uids[2:4], uids[4:6], uids[6:7]]
        by_bytes = [[f.uid for f in batch] for batch in box.fetch_batches(uids, batch=100, max_bytes=100_000)]
        assert by_bytes == [uids[0:5], uids[5:6], uids[6:7]]  # the large mail comes alone
        [[large]] = [batch for batch in box.fetch_batches(uids[5:6])]
        assert b"Subject: Scan" in large.raw and len(large.raw) > 300_000 and large.uid == uids[5]


def test_starttls(dovecot, inbox):
    inbox.append("INBOX", message(1))
    with Mailbox(account(dovecot, port=dovecot.port, security="starttls")) as box:
        assert len(box.search()) == 1


def test_tls_certificate_is_verified(dovecot):
    with pytest.raises(MailboxDown, match="cannot connect"):
        Mailbox(account(dovecot, ca_file=None)).connect()  # self-signed, not in the system store


def test_wrong_password_is_refused_as_a_business_error(dovecot):
    with pytest.raises(LoginRefused, match="login of alice refused"):
        Mailbox(account(dovecot, password="wrong")).connect()


def test_unreachable_server_is_an_application_error():
    with pytest.raises(MailboxDown, match="cannot connect"):
        Mailbox(Account(host="127.0.0.1", port=free_port(), username="x", password="y", security="none", timeout=2)).connect()


class TokenEndpoint:
    """An OAuth2 token endpoint: refresh-token and client-credentials grants, rotating refresh tokens."""

    def __init__(self, token_server):
        self.port, self.grants = free_port(), []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode()).items()}
                endpoint.grants.append(form)
                if form.get("refresh_token") == "revoked" or form.get("client_secret") == "wrong":
                    status, answer = 400, {"error": "invalid_grant", "error_description": "token revoked"}
                else:
                    token = f"access-{len(endpoint.grants)}"
                    token_server.tokens[token] = "alice"
                    status, answer = 200, {"access_token": token, "expires_in": 3600, "refresh_token": f"refresh-{len(endpoint.grants)}"}
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.port}/token"


@pytest.fixture
def endpoint(token_server):
    server = TokenEndpoint(token_server)
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_xoauth2_with_a_refresh_token_that_is_rotated_and_written_back(dovecot, inbox, endpoint, tmp_path):
    inbox.append("INBOX", message(7))
    store = tmp_path / "token.json"
    store.write_text(json.dumps({"refresh_token": "first-refresh", "note": "kept"}))
    flow = RefreshToken(endpoint.url, client_id="backoffice", store=store, scope="https://mail.google.com/")
    with Mailbox(account(dovecot, password=None, oauth=flow)) as box:
        assert len(box.search()) == 1
    assert endpoint.grants[0] == {"grant_type": "refresh_token", "client_id": "backoffice",
                                  "refresh_token": "first-refresh", "scope": "https://mail.google.com/"}  # fmt: skip
    assert json.loads(store.read_text()) == {"refresh_token": "refresh-1", "note": "kept"}
    flow.access_token()
    assert len(endpoint.grants) == 1  # the access token is reused until it nearly expires


def test_xoauth2_with_client_credentials(dovecot, inbox, endpoint):
    flow = ClientCredentials(endpoint.url, client_id="app", client_secret="s3cret")
    with Mailbox(account(dovecot, password=None, oauth=flow)) as box:
        assert box.search() == []
    assert endpoint.grants[0]["grant_type"] == "client_credentials"
    assert endpoint.grants[0]["scope"] == "https://outlook.office365.com/.default"


def test_refused_grant_and_invalid_token(dovecot, endpoint, tmp_path):
    store = tmp_path / "token.json"
    store.write_text(json.dumps({"refresh_token": "revoked"}))
    with pytest.raises(TokenRefused, match="refused the grant: token revoked"):
        Mailbox(account(dovecot, password=None, oauth=RefreshToken(endpoint.url, "backoffice", store))).connect()

    class Stale:
        def access_token(self) -> str:
            return "never-issued"

    with pytest.raises(LoginRefused):
        Mailbox(account(dovecot, password=None, oauth=Stale())).connect()


def test_idle_wakes_up_when_mail_arrives(dovecot, inbox):
    with Mailbox(account(dovecot)) as box:
        assert box.wait_for_mail(timeout=0.3) is False
        timer = threading.Timer(0.3, lambda: inbox.append("INBOX", message(9)))
        timer.start()
        started = time.monotonic()
        assert box.wait_for_mail(timeout=10) is True
        assert time.monotonic() - started < 9  # woken by the server, not by the timeout
        timer.join()


def test_server_restart_drops_the_session_and_a_new_one_works(dovecot, inbox):
    inbox.append("INBOX", message(3))
    box = Mailbox(account(dovecot))
    box.connect()
    dovecot.restart()
    with pytest.raises(MailboxDown):
        box.search()
    box.connect()
    assert len(box.search()) == 1
    box.close()
