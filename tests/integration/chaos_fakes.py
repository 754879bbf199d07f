"""Connectors for the chaos test, named in its bots.yaml by dotted path."""

from __future__ import annotations

import os

from pydantic import Field

from backoffice.connectors.base import Intake, Settings, Source


class TickSettings(Settings):
    kind: str
    log: str = Field(description="file that records each collect (one line per scheduled run)")


class TickSource(Source):
    """Collects nothing; writes one line per call, durably, so a test can count the runs."""

    Settings = TickSettings

    def collect(self, intake: Intake) -> int:
        with open(self.settings.log, "a") as out:
            out.write(f"{os.getpid()}\n")
            out.flush()
            os.fsync(out.fileno())
        return 0
