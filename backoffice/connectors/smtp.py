"""SMTP notifications: a digest of new exception items to the supervisors.

The digest covers the items that reached the exception queue since the last digest (a
watermark kept in ``<workspace>/state/digest.json``, written after the mail is sent), so a
supervisor gets each item once, and nothing when there is nothing new.
"""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr

from backoffice.connectors.base import Settings
from backoffice.mail.send import SmtpServer, exception_digest, send
from backoffice.queue.base import Status, Store

log = logging.getLogger(__name__)


class SmtpSettings(Settings):
    host: str = Field(description="SMTP server host name.")
    port: int | None = Field(None, description="Port (default 465 for tls, 587 for starttls, 25 for none).")
    security: Literal["tls", "starttls", "none"] = Field("starttls", description="tls (implicit), starttls or none.")
    username: str | None = Field(None, description="Login name, when the server wants one.")
    password: SecretStr | None = Field(None, description="Password; write ${ENV_VAR}.")
    sender: str = Field(description="The From address of notifications.")
    ca_file: str | None = Field(None, description="CA bundle that signs the server's certificate (default: the system's).")

    def server(self) -> SmtpServer:
        return SmtpServer(host=self.host, sender=self.sender, port=self.port, security=self.security,
                          username=self.username, password=self.password.get_secret_value() if self.password else None,
                          ca_file=self.ca_file)  # fmt: skip


class NotifySettings(Settings):
    smtp: SmtpSettings = Field(description="The server that sends notifications.")
    supervisors: list[str] = Field(min_length=1, description="Who receives the digest of new exception items.")
    digest_minutes: float = Field(60.0, gt=0, description="At most one digest this often (run --once sends at its end).")
    link: str | None = Field(None, description="Link to the supervisor UI, put in the digest.")


class Notifier:
    def __init__(self, settings: NotifySettings, workspace: Path):
        self.settings = settings
        self.state = workspace / "state" / "digest.json"
        self._next = 0.0

    def due(self) -> bool:
        return time.monotonic() >= self._next

    def send_digest(self, store: Store, limit: int = 500) -> int:
        """Mail the items that entered the exception queue since the last digest; return how many."""
        self._next = time.monotonic() + self.settings.digest_minutes * 60
        since = self._watermark()
        new = [i for i in store.list(status=Status.EXCEPTION, limit=limit) if i.updated_at.timestamp() > since]
        if not new:
            return 0
        send(self.settings.smtp.server(), exception_digest(list(reversed(new)), self.settings.supervisors, self.settings.link))
        self._write(max(i.updated_at.timestamp() for i in new))
        log.info("digest of %d exception item(s) sent to %s", len(new), ", ".join(self.settings.supervisors),
                 extra={"action": "notify"})  # fmt: skip
        return len(new)

    def _watermark(self) -> float:
        try:
            return float(json.loads(self.state.read_text())["sent_up_to"])
        except (OSError, ValueError, KeyError):
            return 0.0

    def _write(self, sent_up_to: float) -> None:
        self.state.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state.with_suffix(".tmp")
        tmp.write_text(json.dumps({"sent_up_to": sent_up_to, "at": datetime.now(UTC).isoformat()}))
        tmp.replace(self.state)
