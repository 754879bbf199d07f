"""One IMAP mailbox folder, through imapclient: connect (TLS, STARTTLS or plain on loopback),
log in (password or XOAUTH2), find messages, fetch them in batches, move or flag them, IDLE.

Errors: a server that cannot be reached or drops the connection raises :class:`MailboxDown`
(an ApplicationError: retried with backoff); refused credentials raise :class:`LoginRefused`
(a BusinessError: a person must fix them).
"""

from __future__ import annotations

import logging
import socket
import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, Protocol

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError

from backoffice.errors import ApplicationError, BusinessError

log = logging.getLogger(__name__)
NETWORK_ERRORS = (OSError, socket.timeout, ssl.SSLError, IMAPClientError)
FETCH_BYTES = 32_000_000  # about this much mail per FETCH


class MailboxDown(ApplicationError):
    """The IMAP server could not be reached, or dropped the connection."""


class LoginRefused(BusinessError):
    """The IMAP server refused the credentials."""


class TokenProvider(Protocol):
    def access_token(self) -> str: ...


@dataclass(frozen=True)
class Selection:
    """Which messages of the folder to take."""

    unseen: bool = False
    since: date | None = None
    sender: str | None = None
    subject: str | None = None

    def criteria(self) -> list:
        found: list = []
        if self.unseen:
            found.append("UNSEEN")
        if self.since:
            found += ["SINCE", self.since]
        if self.sender:
            found += ["FROM", self.sender]
        if self.subject:
            found += ["SUBJECT", self.subject]
        return found or ["ALL"]


@dataclass
class Account:
    host: str
    username: str
    port: int | None = None
    security: Literal["tls", "starttls", "none"] = "tls"
    password: str | None = None
    oauth: TokenProvider | None = None
    ca_file: str | None = None
    verify: bool = True
    timeout: float = 60.0
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False)

    def context(self) -> ssl.SSLContext:
        if self.ssl_context is None:
            self.ssl_context = ssl.create_default_context(cafile=self.ca_file)
            if not self.verify:
                self.ssl_context.check_hostname = False
                self.ssl_context.verify_mode = ssl.CERT_NONE
        return self.ssl_context


@dataclass(frozen=True)
class Fetched:
    uid: int
    raw: bytes
    flags: tuple[bytes, ...]


def _quiet(client: IMAPClient) -> None:
    """imapclient sets imaplib's ``debug`` to 5 to send its trace to the ``imapclient.imaplib``
    logger, and imaplib then formats the repr of every response, each whole message included,
    whether that logger is enabled or not: eight times the cost of the FETCH itself, and a
    transient copy several times the size of a large mail. Trace only when someone listens."""
    if not logging.getLogger("imapclient.imaplib").isEnabledFor(logging.DEBUG):
        client._imap.debug = 0


class Mailbox:
    """A logged-in session on one folder. Use as a context manager."""

    def __init__(self, account: Account, folder: str = "INBOX"):
        self.account, self.folder = account, folder
        self.client: IMAPClient | None = None
        self.uidvalidity: int | None = None

    # -- session -------------------------------------------------------------------------
    def __enter__(self) -> Mailbox:
        self.connect()
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def connect(self) -> None:
        account = self.account
        implicit_tls = account.security == "tls"
        port = account.port or (993 if implicit_tls else 143)
        try:
            client = IMAPClient(account.host, port=port, ssl=implicit_tls, ssl_context=account.context() if implicit_tls else None,
                                timeout=account.timeout)  # fmt: skip
            _quiet(client)
            if account.security == "starttls":
                client.starttls(account.context())
        except NETWORK_ERRORS as exc:
            raise MailboxDown(f"imap://{account.host}:{port}: cannot connect: {exc}", code="imap-unreachable") from exc
        try:
            if account.oauth is not None:
                client.oauth2_login(account.username, account.oauth.access_token())
            else:
                client.login(account.username, account.password or "")
            status = client.select_folder(self.folder)
        except LoginError as exc:
            client.shutdown()
            raise LoginRefused(f"imap://{account.host}:{port}: login of {account.username} refused: {exc}",
                               code="imap-login") from exc  # fmt: skip
        except NETWORK_ERRORS as exc:
            raise MailboxDown(f"imap://{account.host}:{port}/{self.folder}: {exc}", code="imap-unreachable") from exc
        self.client = client
        self.uidvalidity = int(status[b"UIDVALIDITY"])
        log.debug("connected to %s as %s, folder %s", account.host, account.username, self.folder)

    def close(self) -> None:
        if self.client is not None:
            try:
                self.client.logout()
            except NETWORK_ERRORS:
                pass
            self.client = None

    def _call(self, what: str, method: str, *args):
        """``self.client.<method>(*args)``; MailboxDown when the session is gone or breaks."""
        if self.client is None:
            raise MailboxDown(f"{self.folder}: not connected", code="imap-unreachable")
        try:
            return getattr(self.client, method)(*args)
        except NETWORK_ERRORS as exc:
            self.client = None
            raise MailboxDown(f"imap://{self.account.host}/{self.folder}: {what} failed: {exc}", code="imap-unreachable") from exc

    # -- reading -------------------------------------------------------------------------
    def search(self, selection: Selection = Selection()) -> list[int]:
        return sorted(self._call("search", "search", selection.criteria()))

    def fetch(self, uids: Sequence[int], batch: int = 50) -> Iterator[Fetched]:
        """Whole messages, without setting \\Seen (FETCHes as :meth:`fetch_batches` groups them)."""
        for fetched in self.fetch_batches(uids, batch):
            yield from fetched

    def fetch_batches(self, uids: Sequence[int], batch: int = 50, max_bytes: int = FETCH_BYTES) -> Iterator[list[Fetched]]:
        """Whole messages, without setting \\Seen, one list per FETCH: at most ``batch``
        messages and about ``max_bytes`` (a larger message comes alone), so that memory holds
        one FETCH at a time whatever the mailbox holds."""
        group: list[int] = []
        total = 0
        for uid, size in self._sizes(uids):
            if group and (len(group) >= batch or total + size > max_bytes):
                yield self._fetch(group)
                group, total = [], 0
            group.append(uid)
            total += size
        if group:
            yield self._fetch(group)

    def _sizes(self, uids: Sequence[int]) -> Iterator[tuple[int, int]]:
        for start in range(0, len(uids), 1000):  # keeps the command line short
            chunk = list(uids[start : start + 1000])
            answer = self._call("fetch", "fetch", chunk, ["RFC822.SIZE"])
            for uid in chunk:
                if uid in answer:
                    yield uid, int(answer[uid].get(b"RFC822.SIZE", 0))

    def _fetch(self, uids: list[int]) -> list[Fetched]:
        answer = self._call("fetch", "fetch", uids, ["BODY.PEEK[]", "FLAGS"])
        found = []
        for uid in uids:
            data = answer.pop(uid, None)
            if data is not None and b"BODY[]" in data:
                found.append(Fetched(uid, data[b"BODY[]"], tuple(data.get(b"FLAGS", ()))))
        return found

    def find_message_id(self, message_id: str) -> list[int]:
        return sorted(self._call("search", "search", ["HEADER", "Message-ID", message_id]))

    # -- acting --------------------------------------------------------------------------
    def move(self, uids: Sequence[int], folder: str) -> None:
        if not uids:
            return
        if self.client is not None and self.client.has_capability("MOVE"):
            self._call("move", "move", list(uids), folder)
        else:
            self._call("copy", "copy", list(uids), folder)
            self._call("flag", "add_flags", list(uids), [b"\\Deleted"])
            self._call("expunge", "uid_expunge", list(uids))

    def mark_seen(self, uids: Sequence[int]) -> None:
        if uids:
            self._call("flag", "add_flags", list(uids), [b"\\Seen"])

    def wait_for_mail(self, timeout: float) -> bool:
        """IDLE up to ``timeout`` seconds; True when the server announced a change."""
        if self.client is None or not self.client.has_capability("IDLE"):
            return False
        self._call("idle", "idle")
        try:
            responses = self._call("idle", "idle_check", timeout)
        finally:
            if self.client is not None:
                self._call("idle", "idle_done")
        return any(r for r in responses if len(r) > 1 and r[1] in (b"EXISTS", b"RECENT"))
