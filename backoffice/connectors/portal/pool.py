"""One browser per runner: portal connectors share it, the last one to close stops it.

Playwright starts on first use (so bots.yaml without portal bots never imports it), Chromium is
launched through :func:`backoffice.browser.launch`, and it is closed when every connector has
closed (the runner closes its bots after a run and on SIGTERM) or, failing that, at exit. A
runner killed outright takes its browser with it: Playwright's driver ends when its parent's
pipe closes, and the browser with the driver.
"""

from __future__ import annotations

import atexit
import logging
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

log = logging.getLogger(__name__)


class BrowserPool:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._executable: str | None = None
        self._users = 0

    def acquire(self, executable: str | None = None, *, headless: bool = True) -> Browser:
        """The shared browser, launched on first use; pair every call with :meth:`release`."""
        with self._lock:
            if self._browser is None or not self._browser.is_connected():
                self._start(executable, headless)
            elif executable and executable != self._executable:
                log.warning("browser %s already runs; %s is not launched as well", self._executable, executable)
            self._users += 1
            return self._browser  # type: ignore[return-value]

    def _start(self, executable: str | None, headless: bool) -> None:
        from playwright.sync_api import sync_playwright

        from backoffice.browser import launch

        self._stop()
        self._playwright = sync_playwright().start()
        try:
            self._browser = launch(self._playwright, executable, headless=headless)
        except BaseException:
            self._stop()
            raise
        self._executable = executable
        log.info("browser started (%s)", executable or "default Chromium", extra={"action": "browser-start"})

    def release(self) -> None:
        with self._lock:
            self._users = max(self._users - 1, 0)
            if self._users == 0:
                self._stop()

    def close(self) -> None:
        """Stop the browser now, whoever still holds it."""
        with self._lock:
            self._users = 0
            self._stop()

    @property
    def running(self) -> bool:
        return self._browser is not None

    def _stop(self) -> None:
        browser, playwright = self._browser, self._playwright
        self._browser = self._playwright = None
        if browser is not None:
            try:
                browser.close()
            except Exception:  # already gone: the driver or the browser died
                log.debug("closing the browser failed", exc_info=True)
            log.info("browser stopped", extra={"action": "browser-stop"})
        if playwright is not None:
            try:
                playwright.stop()
            except Exception:
                log.debug("stopping Playwright failed", exc_info=True)


POOL = BrowserPool()
atexit.register(POOL.close)
