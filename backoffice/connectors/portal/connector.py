"""What the portal source and target share: a session and attempts with backoff and evidence.

An attempt runs in a page of the session (fresh or kept), signs in when needed, and runs the
work. A business error (the portal refused the data) is raised at once with evidence. Any
other failure is tried again after a backoff, signing in again when the portal showed its
login page, unless repeating could act twice (see ``may_repeat``); the last failure is raised
as ``failure`` carrying a screenshot, the page's HTML and the Playwright trace.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar

from playwright.sync_api import Error as PlaywrightError

from backoffice.connectors.base import Context
from backoffice.connectors.portal.session import Session
from backoffice.connectors.portal.settings import PortalSettings
from backoffice.connectors.portal.steps import StepRunner, _first_line
from backoffice.connectors.resilience import backoff
from backoffice.errors import ApplicationError, BusinessError, StageError

log = logging.getLogger(__name__)
T = TypeVar("T")


class Portal:
    def __init__(self, settings: PortalSettings, context: Context, failure: type[ApplicationError] = ApplicationError):
        self.settings, self.context, self.failure = settings, context, failure
        self.session = Session(settings, context)
        self.rng = random.Random()

    def attempt(
        self,
        label: str,
        work: Callable[[StepRunner], T],
        *,
        item: Any = None,
        before_retry: Callable[[StepRunner], T | None] | None = None,
        may_repeat: Callable[[StepRunner], bool] = lambda runner: True,
    ) -> T:
        """``work`` in a signed-in page, tried up to ``retry.attempts`` times. ``before_retry``
        runs first on every later attempt; a value it returns ends the attempts (an earlier
        attempt turned out to have done the work)."""
        retry = self.settings.retry
        fields = {"bot": self.context.bot, "action": "portal-attempt"}
        for attempt in range(1, retry.attempts + 1):
            with self.session.item():
                runner = StepRunner(self.session, item)
                try:
                    self.session.ensure_login()
                    if attempt > 1 and before_retry is not None:
                        found = before_retry(runner)
                        if found is not None:
                            return found
                    return work(runner)
                except BusinessError as exc:
                    raise BusinessError(exc.reason, code=exc.code, field=exc.field,
                                        evidence=self.session.evidence(label)) from exc  # fmt: skip
                except (StageError, PlaywrightError) as exc:
                    reason = exc.reason if isinstance(exc, StageError) else _first_line(exc)
                    code = exc.code if isinstance(exc, StageError) else "portal-browser"
                    if self.session.page is not None and not self.session.page.is_closed() and self.session.on_login_page():
                        self.session.logged_in = False
                    last = attempt >= retry.attempts or not may_repeat(runner)
                    if last:
                        evidence = self.session.evidence(label)
                        log.warning("%s failed after %s attempt(s): %s", label, attempt, reason,
                                    extra={**fields, "evidence": [f.name for f in evidence]})  # fmt: skip
                        raise self.failure(reason, code=code, evidence=evidence) from exc
                    log.info("%s: attempt %s failed (%s); trying again", label, attempt, reason, extra=fields)
            time.sleep(backoff(attempt, retry, self.rng))
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        self.session.close()
