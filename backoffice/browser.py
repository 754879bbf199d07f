"""Launching Chromium through Playwright, for portal bots and the supervisor UI's tests.

Which browser: the path given (bots.yaml ``browser.executable``), else ``$BACKOFFICE_BROWSER``,
else Playwright's own Chromium when ``playwright install`` has put one on this machine, else a
system Chromium: for headless runs the old headless shell first (Debian's
``chromium-headless-shell``, the build Playwright itself uses headless: about 1.5 times faster
per page than the full browser here), then the full browser (``/usr/bin/chromium``). Flags keep
a headless browser quiet on machines without outside network and safe to run as root in
containers.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from backoffice.errors import ApplicationError

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Playwright

FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
)
HEADLESS_SHELLS = ("chromium-headless-shell", "chrome-headless-shell")
SYSTEM_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


class BrowserMissing(ApplicationError):
    """No Chromium could be found to launch."""


def find_executable(playwright: Playwright, configured: str | None = None, *, headless: bool = True) -> str | None:
    """The browser to launch; None means Playwright's own (it is installed)."""
    chosen = configured or os.environ.get("BACKOFFICE_BROWSER")
    if chosen:
        if not Path(chosen).is_file():
            raise BrowserMissing(f"browser {chosen} does not exist", code="browser-missing")
        return chosen
    if Path(playwright.chromium.executable_path).is_file():
        return None
    for name in (HEADLESS_SHELLS if headless else ()) + SYSTEM_BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise BrowserMissing(
        "no Chromium found: run `playwright install chromium`, install Debian's chromium, "
        "or set BACKOFFICE_BROWSER to a Chromium executable",
        code="browser-missing",
    )


def why_no_browser() -> str | None:
    """None when a Chromium is there to launch; else the reason (``BrowserMissing``'s message)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            find_executable(playwright)
        except BrowserMissing as exc:
            return exc.reason
    return None


def launch(playwright: Playwright, executable: str | None = None, *, headless: bool = True) -> Browser:
    return playwright.chromium.launch(
        executable_path=find_executable(playwright, executable, headless=headless), headless=headless, args=list(FLAGS)
    )
