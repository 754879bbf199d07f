"""IMAP source: a shared mailbox that back-office teams forward documents to.

Each mail becomes a parent item and each document in it a child item (see
:mod:`backoffice.mail.intake`). The mailbox action (move to ``Processed``/``Failed``, or mark
seen) happens only after the mail's items are committed; when the server is unreachable at that
moment, the parent item performs it later (:mod:`backoffice.bots.mail_parent`), so a crash at any
point neither loses a mail nor processes it twice. With ``idle: true`` a watcher thread waits in
IMAP IDLE and wakes the runner as soon as mail arrives; polling stays the fallback.

Intake works a FETCH at a time (up to ``batch`` mails): the raw mails are stored, worker
processes parse them (:mod:`backoffice.mail.readers`) while the next FETCH comes, a commit
thread makes their files durable together and commits their items in one transaction, then
the mails are moved in one command.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr

from backoffice.connectors.base import Intake, Settings, Source
from backoffice.mail.intake import Reading
from backoffice.mail.mailbox import Account, Fetched, Mailbox, MailboxDown, Selection
from backoffice.mail.mime import MailLimits
from backoffice.mail.oauth import ClientCredentials, RefreshToken
from backoffice.mail.readers import MailReaders, Reads, StoredMail
from backoffice.paths import inside
from backoffice.queue.base import WorkItem
from backoffice.processes import worker_count

log = logging.getLogger(__name__)
MAILBOX_GRACE_SECONDS = 30  # a mail's parent item is due this long after its documents
COMMITS_AHEAD = 2  # FETCHes being read and committed while this thread fetches the next


class OAuthSettings(Settings):
    flow: Literal["refresh_token", "client_credentials"] = Field(
        description="refresh_token (Gmail, Microsoft 365 delegated) or client_credentials (Microsoft 365 app-only)."
    )
    token_url: str = Field(description="The token endpoint, e.g. https://login.microsoftonline.com/TENANT/oauth2/v2.0/token.")
    client_id: str = Field(description="The application (client) id.")
    client_secret: SecretStr | None = Field(None, description="The client secret; write ${ENV_VAR}.")
    scope: str | None = Field(None, description="Scope; default for client_credentials: the Outlook IMAP scope.")
    token_store: str | None = Field(
        None, description="refresh_token flow: JSON file holding the refresh token (rotated in place), in the workspace."
    )


class ImapSettings(Settings):
    kind: Literal["imap"] = Field(description="An IMAP mailbox.")
    host: str = Field(description="IMAP server host name.")
    port: int | None = Field(None, description="Port (default 993 for tls, 143 otherwise).")
    security: Literal["tls", "starttls", "none"] = Field("tls", description="tls (implicit), starttls, or none.")
    username: str = Field(description="Login name.")
    password: SecretStr | None = Field(None, description="Password; write ${ENV_VAR}. Not needed with oauth.")
    oauth: OAuthSettings | None = Field(None, description="Log in with OAuth2 (XOAUTH2) instead of a password.")
    ca_file: str | None = Field(None, description="CA bundle that signs the server's certificate (default: the system's).")
    folders: list[str] = Field(["INBOX"], min_length=1, description="Folders to read.")
    unseen: bool = Field(False, description="Only messages without the \\Seen flag.")
    since: date | None = Field(None, description="Only messages received on or after this date.")
    sender: str | None = Field(None, description="Only messages whose From contains this.")
    subject: str | None = Field(None, description="Only messages whose Subject contains this.")
    action: Literal["move", "seen", "none"] = Field(
        "move", description="After the items are committed: move the mail, mark it seen, or leave it."
    )
    processed_folder: str = Field("Processed", description="Where taken mail moves (action: move).")
    failed_folder: str = Field("Failed", description="Where mail without any usable document moves.")
    batch: int = Field(100, ge=1, le=1000, description="Messages per FETCH (and per queue commit).")
    body: Literal["auto", "always", "never"] = Field(
        "auto", description="Read the mail body as a document: when there is no attachment (auto), always, never."
    )
    max_part_bytes: int = Field(25_000_000, gt=0, description="Larger attachments are refused with a reason.")
    include_inline_images: bool = Field(
        False, description="Take every image as a document, logos too (by default small images the HTML body "
        "shows, and tiny ones, are recorded as parts of the mail; photos are documents either way).",
    )
    readers: int | None = Field(
        None, ge=0, description="Worker processes that parse mail (default: one per core; 0 or 1: in the runner). "
        "A FETCH of fewer than 8 mails is read in the runner.",
    )
    idle: bool = Field(True, description="Wait in IMAP IDLE for new mail between polls.")
    timeout: float = Field(60.0, gt=0, description="Network timeout in seconds.")


@dataclass
class _Commit:
    """A FETCH on its way: its UIDs, its reading, the notes its commit journals, the commit."""

    uids: list[int]
    reads: Reads
    notes: list[tuple[int, str, str]]
    future: Future


class ImapSource(Source):
    Settings = ImapSettings
    settings: ImapSettings

    def __init__(self, settings: ImapSettings, context):
        super().__init__(settings, context)
        self._oauth = self._token_provider()
        self._watcher: threading.Thread | None = None
        self._stop = threading.Event()
        self.readers = MailReaders(worker_count(settings.readers))

    # -- connecting ----------------------------------------------------------------------
    def _token_provider(self):
        oauth = self.settings.oauth
        if oauth is None:
            return None
        secret = oauth.client_secret.get_secret_value() if oauth.client_secret else None
        if oauth.flow == "client_credentials":
            return ClientCredentials(oauth.token_url, oauth.client_id, secret or "",
                                     **({"scope": oauth.scope} if oauth.scope else {}))  # fmt: skip
        store = inside(self.context.workspace, oauth.token_store or f"tokens/{self.context.bot}.json")
        return RefreshToken(oauth.token_url, oauth.client_id, Path(store), client_secret=secret, scope=oauth.scope)

    def account(self) -> Account:
        s = self.settings
        return Account(
            host=s.host, port=s.port, security=s.security, username=s.username,
            password=s.password.get_secret_value() if s.password else None, oauth=self._oauth,
            ca_file=s.ca_file, timeout=s.timeout,
        )  # fmt: skip

    def mailbox(self, folder: str) -> Mailbox:
        return Mailbox(self.account(), folder)

    @property
    def limits(self) -> MailLimits:
        return MailLimits(max_part_bytes=self.settings.max_part_bytes,
                          include_inline_images=self.settings.include_inline_images)  # fmt: skip

    def selection(self) -> Selection:
        s = self.settings
        return Selection(unseen=s.unseen or s.action == "seen", since=s.since, sender=s.sender, subject=s.subject)

    # -- collecting ----------------------------------------------------------------------
    def collect(self, intake: Intake) -> int:
        """Take every selected mail, a FETCH at a time: read the mails and write their files;
        once the files are durable, commit every family of the FETCH in one transaction, then
        move or flag the mails. The mailbox actions done are journaled with the next commit."""
        new = 0
        done: list[tuple[int, str, str]] = []  # (parent id, "mailbox-done", what was done)
        try:
            for folder in self.settings.folders:
                with self.mailbox(folder) as box:
                    new += self._take_folder(box, folder, intake, done)
        finally:
            self.readers.close()  # no idle reader processes between polls (a new pool forks in milliseconds)
            if done:
                intake.store.enqueue_families([], actor=self.actor, notes=done)
        return new

    @property
    def actor(self) -> str:
        return f"source:{self.context.bot}"

    def _take_folder(self, box: Mailbox, folder: str, intake: Intake, done: list[tuple[int, str, str]]) -> int:
        """FETCH after FETCH, in three steps that overlap: this thread fetches a FETCH and
        stores its raw mails, while the reader processes parse the ones before and a commit
        thread makes their files durable and commits their families, in order. This thread
        moves the mails of each FETCH once it is committed: between two FETCHes, and when
        ``COMMITS_AHEAD`` are on their way it waits for the oldest."""
        new, reading = 0, self.reading(intake, folder, box.uidvalidity or 0)
        pending: deque[_Commit] = deque()  # started, not acted on
        with ThreadPoolExecutor(1, thread_name_prefix=f"imap-commit-{self.context.bot}") as committer:
            try:
                for fetched in box.fetch_batches(box.search(self.selection()), batch=self.settings.batch):
                    uids, reads = self._start(fetched, reading, intake)
                    notes, done[:] = list(done), []  # journaled with this FETCH's commit
                    pending.append(_Commit(uids, reads, notes, committer.submit(self._commit, reads, intake, notes)))
                    while pending and (pending[0].future.done() or len(pending) > COMMITS_AHEAD):
                        new += self._act_on(box, pending.popleft(), done)
                while pending:
                    new += self._act_on(box, pending.popleft(), done)
            finally:
                for commit in pending:  # after a failure: not moved now, the next poll does it
                    if commit.future.cancel():  # never started: what was written for it goes
                        commit.reads.discard()
                        commit.reads.files.close()
                        done += commit.notes
        for commit in pending:  # the commits that were running have ended with the executor
            if not commit.future.cancelled() and commit.future.exception() is not None:
                done += commit.notes
        return new

    def reading(self, intake: Intake, folder: str, uidvalidity: int) -> Reading:
        return Reading(self.context.bot, folder, uidvalidity, intake.context.max_attempts, self.limits,
                       self.settings.body)  # fmt: skip

    def _start(self, fetched: list[Fetched], reading: Reading, intake: Intake) -> tuple[list[int], Reads]:
        """Store the raw mails of a FETCH (their .eml files) and start reading them."""
        files = intake.context.files.batch()
        try:
            stored = []
            for mail in fetched:
                eml = files.put_bytes(mail.raw, f"uid-{mail.uid}.eml")
                stored.append(StoredMail(mail.uid, eml, files.where(eml)))
            uids = [mail.uid for mail in fetched]
            fetched.clear()  # the raw mails go: they are read from the file store
            return uids, self.readers.start(reading, stored, files)
        except BaseException:
            files.close()
            raise

    def _commit(self, reads: Reads, intake: Intake, notes: list[tuple[int, str, str]]) -> list[tuple[WorkItem, bool]]:
        """In the commit thread: once a FETCH is read, make its files durable, then commit its
        families in one transaction (with the notes of mailbox actions done before)."""
        with reads.files as files:
            try:
                families = reads.families()
            except BaseException:
                reads.discard()
                raise
            files.sync()  # the files are durable before the rows that name them
        # The parents wait before a runner takes them: this source moves their mails meanwhile
        # (after a crash, the parent does it); their documents are due at once.
        later = datetime.now(UTC) + timedelta(seconds=MAILBOX_GRACE_SECONDS)
        families = [(replace(parent, not_before=later), children) for parent, children in families]
        return intake.store.enqueue_families(families, actor=self.actor, notes=notes)

    def _act_on(self, box: Mailbox, commit: _Commit, done: list[tuple[int, str, str]]) -> int:
        """Once a FETCH is committed, move or flag its mails; return its new items."""
        try:
            added = commit.future.result()
        except BaseException:
            done += commit.notes  # not journaled: the next commit takes them
            raise
        new = sum(1 + len(parent.payload.get("children", ())) for parent, created in added if created)
        taken = [(uid, parent) for uid, (parent, _) in zip(commit.uids, added, strict=True)]
        try:  # every item of the FETCH is committed: now the mails may leave the folder
            self.act(box, taken)
        except MailboxDown as exc:
            log.warning("mailbox action postponed: %s; the parent items will do it", exc.reason,
                        extra={"bot": self.context.bot, "action": "mailbox"})  # fmt: skip
            return new
        done += [(parent.id, "mailbox-done", self.describe_action(parent)) for _, parent in taken]
        return new

    # -- the mailbox action --------------------------------------------------------------
    def failed(self, parent) -> bool:
        """A mail goes to the Failed folder when nothing in it could be read as a document."""
        return "intake_error" in parent.payload or not parent.payload.get("documents")

    def describe_action(self, parent) -> str:
        s = self.settings
        if s.action == "move":
            return f"moved to {s.failed_folder if self.failed(parent) else s.processed_folder}"
        return "marked seen" if s.action == "seen" else "left in place"

    def act(self, box: Mailbox, mails: list[tuple[int, object]]) -> None:
        """Move or flag these (uid, parent item) pairs in the open folder."""
        s = self.settings
        if s.action == "seen":
            box.mark_seen([uid for uid, _ in mails])
        elif s.action == "move":
            failed = [uid for uid, parent in mails if self.failed(parent)]
            box.move([uid for uid, _ in mails if uid not in failed], s.processed_folder)
            box.move(failed, s.failed_folder)

    # -- IDLE ----------------------------------------------------------------------------
    def watch(self, wake: Callable[[], None]) -> None:
        """Start a thread that waits in IDLE on the first folder and calls ``wake`` on new mail."""
        if not self.settings.idle or self._watcher is not None:
            return
        self._watcher = threading.Thread(target=self._watch, args=(wake,), name=f"imap-idle-{self.context.bot}",
                                         daemon=True)  # fmt: skip
        self._watcher.start()

    def _watch(self, wake: Callable[[], None]) -> None:
        """Wait in IDLE; while the server is away, reconnect with backoff, telling the outage
        once (a WARNING when it starts, an INFO when the connection is back)."""
        delay, down = 1.0, False
        while not self._stop.is_set():
            try:
                with self.mailbox(self.settings.folders[0]) as box:
                    delay = 1.0
                    if down:
                        log.info("IDLE connection back", extra={"bot": self.context.bot, "action": "idle"})
                        down = False
                    while not self._stop.is_set():
                        if box.wait_for_mail(timeout=min(300.0, self.settings.timeout)):
                            wake()
            except MailboxDown as exc:  # reconnect with backoff while the server is away
                log.log(logging.DEBUG if down else logging.WARNING, "IDLE connection lost: %s; reconnecting",
                        exc.reason, extra={"bot": self.context.bot, "action": "idle"})
                down = True
            except Exception:
                if not down:
                    log.exception("IDLE watcher failed; reconnecting", extra={"bot": self.context.bot})
                down = True
            self._stop.wait(delay)
            delay = min(delay * 2, 60.0)

    def close(self) -> None:
        self._stop.set()
        self.readers.close()
