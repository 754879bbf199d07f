"""Form work in one call to the page: ``fill_form``, ``click`` with ``mouse: false``, and a look
at an element for ``reject_if`` and ``set``.

Playwright's own ``fill`` and ``click`` make several round trips each (find, wait until visible,
still, enabled and not covered, then type or move the mouse). On a 2-core machine that is about
17 ms a field and 60-90 ms a click. These helpers check and act inside the page in one evaluate:
every field is found, visible and editable before any is touched (a bad selector leaves the form
as it was), then each gets its value through the element's native setter followed by ``input``
and ``change`` events, as a person's typing would raise them. A selector that is not there yet is
waited for (Playwright's wait) and the call made again, until the step's timeout.

:func:`peek` serves the reading steps: the first use of a Playwright locator on a new page
costs about 40 ms here (Playwright sets up its selector engine in the page), more than the
whole rest of reading a confirmation page. A plain CSS selector is answered by the page's own
``querySelector``; anything else (Playwright's ``text=``, ``:has-text()``...), or an element not
there yet, is left to the locator, which waits.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from playwright.sync_api import Error as PlaywrightError

from backoffice.errors import ApplicationError

if TYPE_CHECKING:
    from playwright.sync_api import Frame, Page

FILL_JS = """(fields) => {
  const ticked = new Set(["yes", "true", "1", "on", "x"]);
  const planned = [];
  for (const [selector, value] of fields) {
    let element;
    try { element = document.querySelector(selector); }
    catch (error) { return [selector, "is not a CSS selector (a fill step takes Playwright's selectors)", ""]; }
    if (!element) return [selector, "found nothing", "appear"];
    if (!element.getClientRects().length || getComputedStyle(element).visibility === "hidden")
      return [selector, "is not visible", "appear"];
    if (element.disabled) return [selector, "is disabled", "poll"];
    if (element.readOnly) return [selector, "is read-only", "poll"];
    const tag = element.tagName;
    if (tag === "SELECT") {
      const options = Array.from(element.options);
      const option = options.find((o) => o.value === value) || options.find((o) => o.label.trim() === value.trim());
      if (!option) {
        const known = options.map((o) => o.value).join(", ");
        return [selector, `has no option ${JSON.stringify(value)} (options: ${known})`, ""];
      }
      planned.push([selector, element, "select", option.value]);
    } else if (tag === "INPUT" && (element.type === "checkbox" || element.type === "radio")) {
      planned.push([selector, element, "tick", ticked.has(value.trim().toLowerCase())]);
    } else if (tag === "INPUT" && element.type === "file") {
      return [selector, "is a file input", ""];
    } else if (tag === "INPUT" || tag === "TEXTAREA") {
      planned.push([selector, element, "type", value]);
    } else if (element.isContentEditable) {
      planned.push([selector, element, "text", value]);
    } else {
      return [selector, `is a <${tag.toLowerCase()}>, not a field`, ""];
    }
  }
  for (const [selector, element, how, value] of planned) {
    element.focus();
    if (how === "tick") element.checked = value;
    else if (how === "text") element.textContent = value;
    else Object.getOwnPropertyDescriptor(Object.getPrototypeOf(element), "value").set.call(element, value);
    element.dispatchEvent(new Event("input", { bubbles: true }));
    element.dispatchEvent(new Event("change", { bubbles: true }));
    element.blur();
    if (how === "type" && element.value !== value)
      return [selector, `did not take ${JSON.stringify(value)} (a ${element.type} field)`, ""];
  }
  return null;
}"""

CLICK_JS = """(selector) => {
  let element;
  try { element = document.querySelector(selector); }
  catch (error) { return ["is not a CSS selector (mouse: false takes CSS only)", ""]; }
  if (!element) return ["found nothing", "appear"];
  if (!element.getClientRects().length || getComputedStyle(element).visibility === "hidden")
    return ["is not visible", "appear"];
  if (element.disabled) return ["is disabled", "poll"];
  element.click();
  return null;
}"""


POLL_SECONDS = 0.05


PEEK_JS = """([selector, attribute]) => {
  let element;
  try { element = document.querySelector(selector); } catch (error) { return null; }
  if (!element) return [false, false, null];
  const box = element.getBoundingClientRect();
  const visible = box.width > 0 && box.height > 0 && getComputedStyle(element).visibility !== "hidden";
  return [true, visible, attribute ? element.getAttribute(attribute) : element.innerText];
}"""


@dataclass(frozen=True)
class Peek:
    found: bool
    visible: bool
    value: str | None  # the text (innerText), or the attribute asked for


def peek(scope: Page | Frame, selector: str, attribute: str | None = None) -> Peek | None:
    """The first element ``selector`` finds, as it is now; None when it is not plain CSS."""
    answer = scope.evaluate(PEEK_JS, [selector, attribute])
    return None if answer is None else Peek(*answer)


class FormFailed(ApplicationError):
    """A field or button could not be used."""


def fill_form(scope: Page | Frame, fields: dict[str, str], timeout_ms: float) -> None:
    """Give every field its value in one call; wait (until the timeout) for fields not there yet."""
    pairs = list(fields.items())
    _until_done(scope, lambda: scope.evaluate(FILL_JS, pairs), timeout_ms)


def dom_click(scope: Page | Frame, selector: str, timeout_ms: float) -> None:
    """The element's own ``click()``: no mouse, no waiting for it to stand still."""

    def attempt() -> list | None:
        try:
            found = scope.evaluate(CLICK_JS, selector)
        except PlaywrightError as exc:  # the click loaded a page before the answer came back
            if "context was destroyed" in str(exc) or "navigat" in str(exc):
                return None
            raise
        return None if found is None else [selector, *found]

    _until_done(scope, attempt, timeout_ms)


def _until_done(scope: Page | Frame, attempt, timeout_ms: float) -> None:
    deadline = time.monotonic() + timeout_ms / 1000
    for tries in range(1_000_000):
        if tries > 1:  # the wait said it is there and the page disagreed: do not spin
            time.sleep(POLL_SECONDS)
        problem = attempt()
        if problem is None:
            return
        selector, reason, wait = problem  # wait: "appear", "poll" (disabled, read-only) or "" (never)
        left = deadline - time.monotonic()
        if not wait:
            raise FormFailed(f"{selector} {reason}", code="portal-form")
        if left <= 0:
            raise FormFailed(f"{selector} {reason} after {timeout_ms / 1000:g} s", code="portal-form")
        if wait == "poll":
            time.sleep(min(POLL_SECONDS, left))
            continue
        try:  # Playwright's wait for it to be there and visible, then the whole call again
            scope.locator(selector).first.wait_for(state="visible", timeout=left * 1000)
        except PlaywrightError:
            raise FormFailed(f"{selector} {reason} after {timeout_ms / 1000:g} s", code="portal-form") from None
    raise AssertionError("unreachable")  # pragma: no cover
