"""Running the steps of bots.yaml on a Playwright page: one method per action.

Variables are a plain dict: document fields, ``key``, ``item_id``, a row's columns, and what
``set``, ``extract_table`` and ``download`` steps put there; ``{name}`` in a step's strings is
filled from them. A step that fails raises :class:`StepFailed` naming the step; a page that
answers 5xx to a GET is loaded again with backoff; landing on the login page raises
:class:`SessionExpired` unless the step can simply be repeated after signing in again.
"""

from __future__ import annotations

import importlib
import logging
import re
import string
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlparse

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import expect

from backoffice.connectors.portal.forms import FormFailed, dom_click, fill_form, peek
from backoffice.connectors.portal.settings import Step
from backoffice.connectors.resilience import backoff
from backoffice.errors import ApplicationError, BusinessError, StageError

if TYPE_CHECKING:
    from playwright.sync_api import Frame, Page

    from backoffice.connectors.portal.session import Session

log = logging.getLogger(__name__)
TABLE_JS = """(table, links) => {
  const text = (cell) => (cell.innerText || cell.textContent || "").trim();
  let head = Array.from(table.querySelectorAll("thead th")).map(text);
  let rows = Array.from(table.querySelectorAll("tbody tr"));
  if (!head.length) {
    const all = Array.from(table.querySelectorAll("tr"));
    head = all.length ? Array.from(all[0].querySelectorAll("th,td")).map(text) : [];
    rows = all.slice(1);
  }
  return rows.map((row) => {
    const cells = Array.from(row.querySelectorAll("td,th"));
    const record = {};
    head.forEach((name, i) => { record[name || `column${i + 1}`] = cells[i] ? text(cells[i]) : ""; });
    for (const [name, selector] of Object.entries(links)) {
      const link = row.querySelector(selector);
      record[name] = link ? link.href : "";
    }
    return record;
  });
}"""


class StepFailed(ApplicationError):
    """A step could not be done (a selector found nothing in time, a page kept failing)."""


class SessionExpired(ApplicationError):
    """The portal showed its login page in the middle of a sequence."""


@dataclass(frozen=True)
class Downloaded:
    name: str
    data: bytes


class _Template(string.Formatter):
    def get_value(self, key: Any, args: Any, kwargs: Any) -> Any:
        if isinstance(key, str) and key not in kwargs:
            known = ", ".join(sorted(k for k in kwargs if not k.startswith("_"))) or "none"
            raise StepFailed(f"unknown placeholder {{{key}}} (known: {known})", code="portal-placeholder")
        return super().get_value(key, args, kwargs)


def render(template: str, variables: dict[str, Any]) -> str:
    """``template`` with ``{name}`` filled from ``variables``."""
    return _Template().vformat(template, (), variables)


def load_callable(path: str) -> Any:
    module_name, _, name = path.partition(":") if ":" in path else path.rpartition(".")
    try:
        return getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError) as exc:
        raise StepFailed(f"call {path}: {exc}", code="portal-call") from exc


class StepRunner:
    """Runs steps for one session; ``item`` is handed to ``call`` steps."""

    def __init__(self, session: Session, item: Any = None, *, signing_in: bool = False):
        self.session, self.item = session, item
        self.signing_in = signing_in  # the login steps themselves: the login page is expected
        self.settings = session.settings
        self.clicked = False  # a click happened: the portal may have acted on it

    @property
    def page(self) -> Page:
        return self.session.page  # type: ignore[return-value]

    def run(self, steps: list[Step], variables: dict[str, Any]) -> dict[str, Any]:
        for number, step in enumerate(steps, 1):
            self.run_step(step, variables, number)
        return variables

    def run_step(self, step: Step, variables: dict[str, Any], number: int = 0) -> None:
        timeout = (step.timeout_seconds or self.settings.timeout_seconds) * 1000
        try:
            getattr(self, f"_{step.action}")(step, self._scope(step, timeout), variables, timeout)
        except (BusinessError, SessionExpired):
            raise
        except (PlaywrightError, StepFailed, FormFailed, AssertionError) as exc:
            if step.optional:
                log.info("optional step %s (%s) skipped: %s", number, step.describe(), _first_line(exc))
                return
            reason = exc.reason if isinstance(exc, (StepFailed, FormFailed)) else _first_line(exc)
            raise StepFailed(f"step {number} ({step.describe()}): {reason}", code="portal-step") from exc

    def _scope(self, step: Step, timeout: float) -> Page | Frame:
        if step.frame is None:
            return self.page
        deadline = time.monotonic() + timeout / 1000
        while True:
            for frame in self.page.frames:
                if frame.name == step.frame or (step.frame in frame.url and frame is not self.page.main_frame):
                    return frame
            if time.monotonic() > deadline:
                raise StepFailed(f"no frame named {step.frame}", code="portal-frame")
            self.page.wait_for_timeout(50)

    # -- navigation ----------------------------------------------------------------------
    def open(self, scope: Page | Frame, url: str, timeout: float) -> None:
        """Load ``url`` in ``scope``; 5xx pages are loaded again with backoff; a login page on the
        way is answered by signing in and loading again."""
        retry = self.settings.retry
        signed_in_again = False
        attempt = 0
        while True:
            attempt += 1
            response = scope.goto(url, timeout=timeout, wait_until="load")
            status = response.status if response is not None else 200
            if status < 500 and not self.signing_in and self.session.on_login_page():
                if signed_in_again:
                    raise StepFailed(f"{url} keeps showing the login page", code="portal-login")
                self.session.login()
                signed_in_again = True
                continue
            if status < 500:
                return
            if attempt >= retry.attempts:
                raise StepFailed(f"{url} answered HTTP {status} {attempt} times", code="portal-http")
            wait = backoff(attempt, retry)
            log.info("%s answered HTTP %s; loading again in %.2f s", url, status, wait, extra={"action": "portal-retry"})
            time.sleep(wait)

    def _goto(self, step: Step, scope: Page | Frame, variables: dict, timeout: float) -> None:
        self.open(scope, urljoin(self.session.base_url + "/", render(step.goto, variables).lstrip("/")), timeout)  # type: ignore[arg-type]

    def _click(self, step: Step, scope: Page | Frame, variables: dict, timeout: float) -> None:
        selector = render(step.click, variables)  # type: ignore[arg-type]
        target = scope.locator(selector).first

        def click() -> None:
            self.clicked = True
            if step.mouse:
                target.click(timeout=timeout)
            else:
                dom_click(scope, selector, timeout)

        if not step.navigates:
            click()
            return
        with scope.expect_navigation(timeout=timeout, wait_until="load") as navigation:
            click()
        response = navigation.value
        if response is not None and response.status >= 500:
            raise StepFailed(f"the page answered HTTP {response.status}", code="portal-http")
        if not self.signing_in and self.session.on_login_page():
            self.session.logged_in = False
            raise SessionExpired("the portal asked to sign in again", code="portal-session")

    def _paginate(self, step: Step, scope: Page | Frame, variables: dict, timeout: float) -> None:
        spec = step.paginate
        for page_number in range(1, spec.max_pages + 1):  # type: ignore[union-attr]
            for number, inner in enumerate(spec.steps, 1):  # type: ignore[union-attr]
                self.run_step(inner, variables, number)
            scope = self._scope(step, timeout)  # a frame is replaced when it navigates
            following = scope.locator(render(spec.next, variables))  # type: ignore[union-attr]
            if following.count() == 0:
                log.debug("last page reached after %s page(s)", page_number)
                return
            href = following.first.get_attribute("href", timeout=timeout)
            if not href:
                raise StepFailed(f"the next-page link {spec.next} has no href", code="portal-paginate")  # type: ignore[union-attr]
            self.open(scope, urljoin(scope.url, href), timeout)
        log.warning("paginate stopped after max_pages=%s", spec.max_pages)  # type: ignore[union-attr]

    # -- input ---------------------------------------------------------------------------
    def _fill(self, step: Step, scope: Page | Frame, variables: dict, timeout: float) -> None:
        scope.locator(render(step.fill, variables)).first.fill(render(step.value, variables), timeout=timeout)  # type: ignore[arg-type]

    def _fill_form(self, step: Step, scope: Page | Frame, variables: dict, timeout: float) -> None:
        fields = {render(selector, variables): render(value, variables) for selector, value in step.fill_form.items()}  # type: ignore[union-attr]
        fill_form(scope, fields, timeout)

    def _select(self, step: Step, scope: Page | Frame, variables: dict, timeout: float) -> None:
        scope.locator(render(step.select, variables)).first.select_option(render(step.value, variables), timeout=timeout)  # type: ignore[arg-type]

    def _call(self, step: Step, scope: Page | Frame, variables: dict, timeout: float) -> None:
        function = load_callable(step.call)  # type: ignore[arg-type]
        try:
            result = function(self.page, self.item, variables)
        except (StageError, PlaywrightError, AssertionError):
            raise
        except Exception as exc:  # the bot's own code failed: a failed step, with evidence
            raise StepFailed(f"{step.call} raised {type(exc).__name__}: {exc}", code="portal-call") from exc
        if isinstance(result, dict):
            variables.update(result)

    # -- checks --------------------------------------------------------------------------
    def _wait_for(self, step: Step, scope: Page | Frame, variables: dict, timeout: float) -> None:
        scope.locator(render(step.wait_for, variables)).first.wait_for(state=step.state, timeout=timeout)  # type: ignore[arg-type]

    def _expect(self, step: Step, scope: Page | Frame, variables: dict, timeout: float) -> None:
        found = scope.locator(render(step.expect, variables)).first  # type: ignore[arg-type]
        found.wait_for(state="visible", timeout=timeout)
        if step.text is not None:
            expect(found).to_contain_text(render(step.text, variables), timeout=timeout)

    def _reject_if(self, step: Step, scope: Page | Frame, variables: dict, timeout: float) -> None:
        selector = render(step.reject_if, variables)  # type: ignore[arg-type]
        # no waiting: the page is there, the message is or is not
        looked = peek(scope, selector)
        if looked is not None:
            shown, text = looked.visible, looked.value or ""
        else:
            element = scope.locator(selector).first
            shown = element.is_visible()
            text = element.inner_text(timeout=timeout) if shown else ""
        if shown:
            raise BusinessError(f"the portal refused the data: {' '.join(text.split())}", code="portal-rejected")

    # -- reading -------------------------------------------------------------------------
    def _extract_table(self, step: Step, scope: Page | Frame, variables: dict, timeout: float) -> None:
        table = scope.locator(render(step.extract_table, variables)).first  # type: ignore[arg-type]
        table.wait_for(state="attached", timeout=timeout)
        rows = table.evaluate(TABLE_JS, step.links)
        variables.setdefault(step.into or "rows", []).extend(rows)

    def _set(self, step: Step, scope: Page | Frame, variables: dict, timeout: float) -> None:
        if step.read is not None:
            selector = render(step.read, variables)
            looked = peek(scope, selector, step.attribute)
            if looked is not None and looked.found:
                value = looked.value or ""
            elif step.attribute:  # not there yet (or not plain CSS): Playwright waits for it
                value = scope.locator(selector).first.get_attribute(step.attribute, timeout=timeout) or ""
            else:
                value = scope.locator(selector).first.inner_text(timeout=timeout)
        else:
            value = render(step.value, variables)  # type: ignore[arg-type]
        value = " ".join(value.split())
        if step.pattern:
            match = re.search(step.pattern, value)
            if match is None:
                raise StepFailed(f"{value!r} does not match {step.pattern}", code="portal-pattern")
            value = match.group(1) if match.groups() else match.group(0)
        variables[step.set] = value  # type: ignore[index]

    def _download(self, step: Step, scope: Page | Frame, variables: dict, timeout: float) -> None:
        into = step.into or "file"
        if step.via == "click":
            with self.page.expect_download(timeout=timeout) as waiting:
                scope.locator(render(step.download, variables)).first.click(timeout=timeout)  # type: ignore[arg-type]
            download = waiting.value
            variables[into] = Downloaded(download.suggested_filename, open(download.path(), "rb").read())
            return
        url = urljoin(scope.url or self.session.base_url, render(step.download, variables))  # type: ignore[arg-type]
        variables[into] = self.fetch(url, timeout)

    def fetch(self, url: str, timeout: float) -> Downloaded:
        """GET ``url`` with the session's cookies; 5xx retried, a login page answered by signing in."""
        retry, attempt, signed_in_again = self.settings.retry, 0, False
        while True:
            attempt += 1
            response = self.page.context.request.get(url, timeout=timeout)
            landed = urlparse(response.url).path
            if landed == self.session.login_path and urlparse(url).path != landed:
                if signed_in_again:
                    raise StepFailed(f"{url} keeps asking to sign in", code="portal-login")
                self.session.login()
                signed_in_again = True
                continue
            if response.ok:
                return Downloaded(_file_name(response.headers, url), response.body())
            if response.status < 500 or attempt >= retry.attempts:
                raise StepFailed(f"download {url} answered HTTP {response.status}", code="portal-download")
            time.sleep(backoff(attempt, retry))

    def _screenshot(self, step: Step, scope: Page | Frame, variables: dict, timeout: float) -> None:
        name = render(step.screenshot, variables)  # type: ignore[arg-type]
        stored = self.session.files.put_bytes(self.page.screenshot(full_page=True, timeout=timeout), f"{name}.png")
        variables.setdefault("screenshots", []).append(stored)


def _file_name(headers: dict[str, str], url: str) -> str:
    disposition = headers.get("content-disposition", "")
    match = re.search(r"filename\*=(?:UTF-8'')?([^;]+)", disposition) or re.search(r'filename="?([^";]+)"?', disposition)
    if match:
        return unquote(match.group(1).strip())
    return unquote(urlparse(url).path.rsplit("/", 1)[-1]) or "download"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
