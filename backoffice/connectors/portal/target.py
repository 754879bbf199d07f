"""Portal target: type each item into a legacy portal's entry form; its confirmation number is
the item's external reference.

    targets:
      - kind: portal
        connection: order-portal
        steps:
          - goto: /orders/new
          - fill: "#reference", value: "{key}"          # the item's idempotency key, searchable later
          - fill: "#customer", value: "{buyer_name}"
          - click: "#submit", navigates: true
          - reject_if: ".errors"                        # server-side validation: a business exception
          - set: reference, read: "#confirmation"
        lookup:                                         # find an earlier submit by the key
          steps:
            - goto: "/orders?reference={key}"
            - set: reference, read: "table#orders tbody tr:first-child .confirmation", optional: true

Exactly once: the runner's effect ledger records the intent before the form is sent and the
confirmation after. A submit that got no answer (a crash, a kill, a page that never came back)
leaves the effect in doubt; the next attempt searches the portal by the key first. Inside one
post, a failed attempt is repeated only after the same search, or when nothing was clicked yet.
"""

from __future__ import annotations

import logging
from typing import Any

from backoffice.connectors.base import Context, Target
from backoffice.connectors.portal.connector import Portal
from backoffice.connectors.portal.settings import PortalTargetSettings
from backoffice.connectors.portal.steps import StepFailed, StepRunner
from backoffice.documents.models import Document
from backoffice.errors import TargetError
from backoffice.queue.base import WorkItem

log = logging.getLogger(__name__)


class PortalTarget(Target):
    Settings = PortalTargetSettings

    def __init__(self, settings: PortalTargetSettings, context: Context):
        super().__init__(settings, context)
        self.portal = Portal(settings, context, failure=TargetError)

    @property
    def can_lookup(self) -> bool:
        return self.settings.lookup is not None

    def variables(self, item: WorkItem, document: Document) -> dict[str, Any]:
        values: dict[str, Any] = {name: field.value for name, field in document.fields.items()}
        values.update(key=self.idempotency_key(item), item_id=item.id, bot=item.bot, source_key=item.source_key)
        return values

    def _search(self, runner: StepRunner, variables: dict[str, Any]) -> str | None:
        found = dict(variables)
        found.pop(self.settings.reference, None)
        runner.run(self.settings.lookup.steps, found)  # type: ignore[union-attr]
        return found.get(self.settings.reference) or None

    def lookup(self, item: WorkItem, document: Document) -> str | None:
        if self.settings.lookup is None:
            raise NotImplementedError(f"{self.name} has no lookup steps")
        variables = self.variables(item, document)
        with self.waiting():
            found = self.portal.attempt(f"{item.bot}-item{item.id}-{self.name}-lookup",
                                        lambda runner: self._search(runner, variables) or "", item=item)  # fmt: skip
        return found or None

    def post(self, item: WorkItem, document: Document) -> str:
        variables, lookup = self.variables(item, document), self.settings.lookup

        def submit(runner: StepRunner) -> str:
            if lookup is not None and lookup.always and (found := self._search(runner, variables)):
                log.info("item %s was already in %s as %s", item.id, self.name, found, extra={"action": "found"})
                return found
            values = dict(variables)
            runner.run(self.settings.steps, values)
            reference = values.get(self.settings.reference)
            if not reference:
                raise StepFailed(f"the steps set no {self.settings.reference!r}", code="portal-reference")
            return str(reference)

        with self.waiting():
            return self.portal.attempt(
                f"{item.bot}-item{item.id}-{self.name}", submit, item=item,
                before_retry=(lambda runner: self._search(runner, variables)) if lookup is not None else None,
                may_repeat=lambda runner: lookup is not None or not runner.clicked,
            )  # fmt: skip

    def close(self) -> None:
        self.portal.close()
