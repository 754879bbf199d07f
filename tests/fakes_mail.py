"""An IMAP source that pauses between committing a mail's items and moving the mail, so a test
can kill the runner in exactly that window."""

from __future__ import annotations

import os
import time
from pathlib import Path

from backoffice.connectors.imap import ImapSettings, ImapSource


class SlowToMoveSettings(ImapSettings):
    kind: str  # a dotted path instead of "imap"


class SlowToMoveImapSource(ImapSource):
    Settings = SlowToMoveSettings

    def act(self, box, mails):
        Path(os.environ["SLOW_MOVE_MARKER"]).write_text("committed; about to move\n")
        time.sleep(60)
        super().act(box, mails)
