"""Test connectors, named in test deployments by dotted path (``tests.fakes:RecordingTarget``)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import ClassVar

from pydantic import Field

from backoffice.connectors.base import Settings, Target
from backoffice.connectors.resilience import CircuitOpen
from backoffice.documents.models import Document, Field as DocField
from backoffice.errors import BusinessError, TargetError


def invoice(**values: str) -> Document:
    """A Document as the extractor would return it, with the given field values."""
    base = {
        "invoice_number": "INV-1", "issue_date": "2026-01-10", "due_date": "2026-02-09",
        "seller_name": "Acme GmbH", "currency": "EUR", "net_total": "100.00",
        "tax_total": "19.00", "grand_total": "119.00",
    }  # fmt: skip
    base.update(values)
    fields = {k: DocField(v, 0.9, 1, (10, 10, 50, 20), v) for k, v in base.items() if v is not None}
    return Document("invoice", "text-layer", fields, pages=1, source="inv.pdf")


class RecordingSettings(Settings):
    kind: str
    name: str | None = None
    fail_with: str | None = Field(None, description="target | business | crash")
    fail_times: int = 0


class RecordingTarget(Target):
    """Records every post in memory; fails the first ``fail_times`` posts as configured."""

    Settings = RecordingSettings
    posts: ClassVar[list[tuple[str, int]]] = []
    lookups: ClassVar[list[tuple[str, int]]] = []

    def __init__(self, settings, context):
        super().__init__(settings, context)
        self.calls = 0
        self.paused = False  # a test sets it to play a target whose circuit is open

    def paused_until(self):
        return time.monotonic() + 60 if self.paused else None

    def check_available(self):
        if self.paused:
            raise CircuitOpen(self.name, time.monotonic() + 60)

    def post(self, item, document):
        self.calls += 1
        if self.settings.fail_with and self.calls <= self.settings.fail_times:
            if self.settings.fail_with == "target":
                raise TargetError("ERP answered 503", code="target-unavailable")
            if self.settings.fail_with == "business":
                raise BusinessError("vendor unknown in ERP", code="erp-vendor", field="seller_name")
            raise RuntimeError("boom")
        type(self).posts.append((self.name, item.id))
        return f"{self.name}-{item.id}"

    @property
    def can_lookup(self):
        return True

    def lookup(self, item, document):
        type(self).lookups.append((self.name, item.id))
        return f"{self.name}-{item.id}" if (self.name, item.id) in type(self).posts else None


class PlainSettings(Settings):
    kind: str
    name: str | None = None


class PlainTarget(Target):
    """A target that can neither look up nor deduplicate: an earlier call in doubt stops the item."""

    Settings = PlainSettings
    posts: ClassVar[list[int]] = []

    def post(self, item, document):
        type(self).posts.append(item.id)
        return f"plain-{item.id}"


class SlowSettings(Settings):
    kind: str
    name: str | None = None
    seconds: float = 0.2
    log: str = Field(description="file that records each post (item id per line)")


class SlowTarget(Target):
    """Takes its time, like a slow ERP: a window in which a test can kill the runner."""

    Settings = SlowSettings

    def post(self, item, document):
        log = Path(self.settings.log)
        with open(log.with_suffix(".started"), "a") as started:
            started.write(f"{item.id}\n")
        time.sleep(self.settings.seconds)
        with open(log, "a") as out:
            out.write(f"{item.id}\n")
            out.flush()
            os.fsync(out.fileno())
        return f"slow-{item.id}"

    @property
    def can_lookup(self):
        return True

    def lookup(self, item, document):
        log = Path(self.settings.log)
        posted = log.read_text().split() if log.exists() else []
        return f"slow-{item.id}" if str(item.id) in posted else None
