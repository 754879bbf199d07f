"""A portal session: a browser context and its page, signed in, traced, and its evidence.

Per item the connector asks for :meth:`Session.item`: a fresh context (the default), or the
one kept logged in when ``browser.reuse_context`` is set. While the item runs a Playwright
trace is recorded; when a step fails, :meth:`evidence` keeps a screenshot, the page's HTML and
the trace in the file store, for the item's payload.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from backoffice.connectors.portal.pool import POOL
from backoffice.connectors.portal.settings import PortalSettings
from backoffice.errors import ApplicationError

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

    from backoffice.connectors.base import Context
    from backoffice.queue.base import StoredFile

log = logging.getLogger(__name__)


class LoginFailed(ApplicationError):
    """The portal still shows its login page after signing in."""


class Session:
    def __init__(self, settings: PortalSettings, context: Context):
        self.settings, self.files = settings, context.files
        if settings.connection is not None:
            connection = context.connection(settings.connection)
            url, username = connection.url, connection.username
            password = connection.password.get_secret_value() if connection.password else None
        else:
            url, username = settings.url, settings.username
            password = settings.password.get_secret_value() if settings.password else None
        self.base_url = str(url).rstrip("/")
        self.credentials = {"username": username or "", "password": password or ""}
        self.login_path = urlparse(settings.login.url).path if settings.login else None
        self._browser: Browser | None = None
        self.context: BrowserContext | None = None
        self.page: Page | None = None
        self.logged_in = False
        self._tracing = False  # a trace chunk is being recorded

    # -- contexts ------------------------------------------------------------------------
    def _acquire(self) -> Browser:
        if self._browser is not None and not self._browser.is_connected():  # it crashed: start another
            self._browser = None
            POOL.release()
        if self._browser is None:
            browser = self.settings.browser
            self._browser = POOL.acquire(browser.executable, headless=browser.headless)
        return self._browser

    def _new_context(self) -> None:
        self.context = self._acquire().new_context(base_url=self.base_url, accept_downloads=True)
        self.context.set_default_timeout(self.settings.timeout_seconds * 1000)
        if self.settings.browser.trace:
            self.context.tracing.start(snapshots=True)  # DOM snapshots; a screenshot is taken on failure
            self._tracing = True
        self.page = self.context.new_page()
        self.logged_in = False

    @contextmanager
    def item(self) -> Iterator[Page]:
        """A page for one item (or one collect): fresh, or the kept logged-in one."""
        reuse = self.settings.browser.reuse_context
        if self.context is None or self.page is None or self.page.is_closed():
            self._drop_context()
            self._new_context()
        elif self.settings.browser.trace and not self._tracing:
            self.context.tracing.start_chunk()
            self._tracing = True
        try:
            yield self.page  # type: ignore[misc]
        finally:
            self._end_trace(None)
            if not reuse:
                self._drop_context()

    def _drop_context(self) -> None:
        context, self.context, self.page, self._tracing, self.logged_in = self.context, None, None, False, False
        if context is not None:
            try:
                context.close()
            except Exception:  # the browser went away with it
                log.debug("closing a browser context failed", exc_info=True)

    def close(self) -> None:
        self._drop_context()
        if self._browser is not None:
            self._browser = None
            POOL.release()

    # -- signing in ----------------------------------------------------------------------
    def ensure_login(self) -> None:
        if not self.logged_in:
            self.login()

    def on_login_page(self) -> bool:
        if self.login_path is None or self.page is None:
            return False
        return any(urlparse(frame.url).path == self.login_path for frame in self.page.frames)

    def login(self) -> None:
        """Open the login page and sign in with the connection's credentials."""
        from backoffice.connectors.portal.steps import StepRunner

        self.logged_in = False
        login = self.settings.login
        if login is None:
            self.logged_in = True
            return
        page = self.page
        page.goto(self.base_url + login.url, wait_until="load")  # type: ignore[union-attr]
        StepRunner(self, signing_in=True).run(login.steps, dict(self.credentials))
        if login.success is not None:
            page.locator(login.success).first.wait_for(timeout=self.settings.timeout_seconds * 1000)  # type: ignore[union-attr]
        elif self.on_login_page():
            shown = page.locator(".error").all_inner_texts() if page else []  # type: ignore[union-attr]
            raise LoginFailed(f"signing in to {self.base_url} failed: {' '.join(shown) or 'still on the login page'}",
                              code="portal-login")  # fmt: skip
        self.logged_in = True
        log.info("signed in to %s", self.base_url, extra={"action": "portal-login"})

    # -- evidence ------------------------------------------------------------------------
    def evidence(self, label: str) -> tuple[StoredFile, ...]:
        """A screenshot, the HTML of the page (and of each frame) and the trace, stored; what
        cannot be had (a crashed page) is left out."""
        kept: list[StoredFile] = []
        page = self.page
        if page is not None and not page.is_closed():
            try:
                kept.append(self.files.put_bytes(page.screenshot(full_page=True, timeout=5000), f"{label}.png"))
            except Exception:
                log.warning("no screenshot for %s", label, exc_info=True)
            try:
                kept.append(self.files.put_bytes(_html(page).encode("utf-8"), f"{label}.html"))
            except Exception:
                log.warning("no page HTML for %s", label, exc_info=True)
        trace = self._end_trace(label)
        if trace is not None:
            kept.append(trace)
        return tuple(kept)

    def _end_trace(self, label: str | None) -> StoredFile | None:
        if not self._tracing or self.context is None:
            return None
        self._tracing = False
        try:
            if label is None:
                self.context.tracing.stop_chunk()
                return None
            with tempfile.TemporaryDirectory(prefix="bo-trace-") as folder:
                path = Path(folder) / "trace.zip"
                self.context.tracing.stop_chunk(path=str(path))
                return self.files.put_file(path, f"{label}-trace.zip")
        except Exception:
            log.warning("no trace for %s", label, exc_info=True)
            return None


def _html(page: Any) -> str:
    """The page's HTML with each frame's document appended (a frameset shows nothing itself)."""
    parts = [page.content()]
    for frame in page.frames:
        if frame is not page.main_frame:
            parts.append(f"\n<!-- frame {frame.name or frame.url} -->\n{frame.content()}")
    return "".join(parts)
