"""Portal source: scrape a legacy portal's tables; each row (or the file it links to) is an item.

    source:
      kind: portal
      connection: timesheet-portal           # url, username, password: "${PORTAL_PASSWORD}"
      steps:
        - goto: /
        - click: "a[href='/timesheets']"
          frame: menu
        - paginate:
            next: "a.next"
            steps: [{extract_table: "table#timesheets", links: {pdf: "a.pdf"}, frame: main}]
          frame: main
      items: {key: "{ID}", download: "{pdf}"}  # or document: timesheet (the row itself)

A row whose key the bot already has is skipped before anything is downloaded; each new item is
committed to the queue before the next row is read, so a failure half-way keeps what was found.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urljoin

from backoffice.connectors.base import Context, Intake, Source
from backoffice.connectors.portal.connector import Portal
from backoffice.connectors.portal.settings import PortalSourceSettings
from backoffice.connectors.portal.steps import StepFailed, StepRunner, render
from backoffice.documents.models import Document, Field

log = logging.getLogger(__name__)


class PortalSource(Source):
    Settings = PortalSourceSettings

    def __init__(self, settings: PortalSourceSettings, context: Context):
        super().__init__(settings, context)
        self.portal = Portal(settings, context)

    def collect(self, intake: Intake) -> int:
        return self.portal.attempt(f"{self.context.bot}-collect", lambda runner: self._collect(runner, intake))

    def _collect(self, runner: StepRunner, intake: Intake) -> int:
        items = self.settings.items
        variables = runner.run(self.settings.steps, {})
        rows = variables.get(items.rows)
        if not isinstance(rows, list):
            raise StepFailed(f"the steps set no list {items.rows!r} of rows", code="portal-rows")
        new = 0
        for row in rows:
            key = render(items.key, row)
            if intake.store.find(self.context.bot, key) is not None:
                continue
            _, created = intake.add(key, **self._item(runner, row, key))
            new += created
        log.info("%s row(s) read, %s new", len(rows), new, extra={"bot": self.context.bot, "action": "collect"})
        return new

    def _item(self, runner: StepRunner, row: dict[str, Any], key: str) -> dict[str, Any]:
        items = self.settings.items
        payload: dict[str, Any] = {"row": row}
        if items.download is not None:
            url = urljoin(self.portal.session.base_url + "/", render(items.download, row))
            downloaded = runner.fetch(url, self.settings.timeout_seconds * 1000)
            name = render(items.name, row) if items.name else downloaded.name
            payload["file"] = name
            return {"files": (self.context.files.put_bytes(downloaded.data, name),), "payload": payload}
        if items.document is not None:
            fields = {name: Field(value=str(value), method="portal") for name, value in row.items() if value != ""}
            payload["document"] = Document(kind=items.document, method="portal", fields=fields, source=key).to_dict()
        return {"payload": payload}

    def close(self) -> None:
        self.portal.close()
