"""IMAP sources that pause at a chosen point of intake, so a test can kill the runner there:
between committing a mail's items and moving the mail, or between making the mail's files
durable and committing its items."""

from __future__ import annotations

import os
import time
from pathlib import Path

from backoffice.connectors.base import Intake
from backoffice.connectors.imap import ImapSettings, ImapSource


class SlowToMoveSettings(ImapSettings):
    kind: str  # a dotted path instead of "imap"


class SlowToMoveImapSource(ImapSource):
    Settings = SlowToMoveSettings

    def act(self, box, mails):
        Path(os.environ["SLOW_MOVE_MARKER"]).write_text("committed; about to move\n")
        time.sleep(60)
        super().act(box, mails)


class _SlowToCommitStore:
    """The runner's store, waiting before it commits the families of a FETCH."""

    def __init__(self, store):
        self._store = store

    def __getattr__(self, name):
        return getattr(self._store, name)

    def enqueue_families(self, families, **kw):
        families = list(families)
        if families:
            Path(os.environ["SLOW_COMMIT_MARKER"]).write_text("files durable; about to commit\n")
            time.sleep(60)
        return self._store.enqueue_families(families, **kw)


class SlowToCommitImapSource(ImapSource):
    Settings = SlowToMoveSettings

    def collect(self, intake: Intake) -> int:
        return super().collect(Intake(_SlowToCommitStore(intake.store), intake.context))
