"""bots.yaml models of the portal connector: steps, login, browser, and the source and target.

Imports no Playwright: config.py reads these models for every bots.yaml.

A step is a mapping with one action key and a few options::

    - goto: /orders/new                       # relative to the portal's URL; {placeholders} filled in
    - fill: "#customer"                       # a selector ...
      value: "{buyer_name}"                   # ... and what to type ({document field}, {key}, {row column})
    - select: "#currency", value: "{currency}"
    - fill_form:                              # several fields in one go (plain CSS selectors)
        "#customer": "{buyer_name}"           # inputs and text areas: typed in
        "#currency": "{currency}"             # a <select>: the option with this value or label
        "#urgent": "yes"                      # a checkbox: ticked (yes/true/1/on/x) or not
    - click: "#submit", navigates: true       # wait for the page the click loads
    - click: "#submit", navigates: true, mouse: false   # the button's own click(), no mouse
    - wait_for: "table#orders"                # state: visible | attached | hidden | detached
    - expect: "#saved", text: "Order saved"   # a selector (and the text it must contain)
    - reject_if: ".errors"                    # the portal refused the data: a business exception with its text
    - extract_table: "table#timesheets", into: rows, links: {pdf: "a.pdf"}
    - paginate: {next: "a.next", steps: [...], max_pages: 100}
    - download: "{pdf}", into: file           # a URL, fetched with the session's cookies
    - download: "a.pdf", via: click           # or a link clicked, the browser's download kept
    - screenshot: after-submit
    - set: reference, read: "#confirmation"   # a variable: from an element's text (or attribute) ...
    - set: period, value: "{period_start}"    # ... or a template
    - call: mypackage.portal:fix_calendar     # a function(page, item, variables) -> dict | None

Options of every step: ``frame`` (the name of a frame, or part of its URL), ``timeout_seconds``
and ``optional`` (a failing optional step is skipped).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from backoffice.connectors.base import Settings, known_connection
from backoffice.connectors.resilience import RetrySettings

ACTIONS = (
    "goto", "fill", "fill_form", "select", "click", "wait_for", "expect", "reject_if", "extract_table", "paginate",
    "download", "screenshot", "set", "call",
)  # fmt: skip


class Paginate(Settings):
    next: str = Field(description="Selector of the 'next page' link; the last page has none.")
    steps: list[Step] = Field(description="Steps run on every page (typically an extract_table).")
    max_pages: int = Field(100, ge=1, le=10000, description="Stop after this many pages.")


class Step(Settings):
    """One thing a clerk does on a page. Exactly one action key per step."""

    goto: str | None = Field(None, description="Open this URL (relative to the portal's URL).")
    fill: str | None = Field(None, description="Type `value` into the field this selector finds.")
    fill_form: dict[str, str] | None = Field(
        None, description="Fill several fields at once: CSS selector -> value (an input or text area is typed into, a "
        "<select> gets the option with that value or label, a checkbox is ticked by yes/true/1/on/x). One call to "
        "the page instead of one per field; each field must be there, visible and editable.",
    )  # fmt: skip
    select: str | None = Field(None, description="Choose `value` (an option's value or label) in this <select>.")
    click: str | None = Field(None, description="Click the element this selector finds.")
    wait_for: str | None = Field(None, description="Wait until the element this selector finds is in `state`.")
    expect: str | None = Field(None, description="The element this selector finds must show (and contain `text`).")
    reject_if: str | None = Field(
        None, description="When this selector finds something, the portal refused the data: the item goes to the "
        "exception queue with the text shown.",
    )  # fmt: skip
    extract_table: str | None = Field(None, description="Read this <table>'s rows (header -> cell text) into `into`.")
    paginate: Paginate | None = Field(None, description="Run steps on every page, following the 'next' link.")
    download: str | None = Field(None, description="A URL to fetch (via: url) or a link to click (via: click).")
    screenshot: str | None = Field(None, description="Take a screenshot under this name (kept in the file store).")
    set: str | None = Field(None, description="Set this variable from `read` (an element's text) or `value`.")
    call: str | None = Field(None, description="package.module:function(page, item, variables) -> dict or None.")

    value: str | None = Field(None, description="fill/select/set: the value; {placeholders} are filled in.")
    text: str | None = Field(None, description="expect: text the element must contain.")
    state: Literal["visible", "attached", "hidden", "detached"] = Field("visible", description="wait_for: the state.")
    navigates: bool = Field(False, description="click: the click loads a page; wait for it.")
    mouse: bool = Field(
        True, description="click: move the mouse and click, as a person does, after waiting for the element to be "
        "visible, still and not covered. false: call the element's own click() (for plain form buttons: much "
        "faster, since nothing is waited for).",
    )  # fmt: skip
    into: str | None = Field(None, description="extract_table (default rows) / download (default file): variable.")
    links: dict[str, str] = Field(
        default_factory=dict, description="extract_table: column -> selector of a link in the row; its URL is kept."
    )
    via: Literal["url", "click"] = Field("url", description="download: fetch the URL, or click the link.")
    read: str | None = Field(None, description="set: a selector whose text becomes the variable.")
    attribute: str | None = Field(None, description="set with read: take this attribute instead of the text.")
    pattern: str | None = Field(None, description="set: keep only what this regular expression matches (group 1).")
    frame: str | None = Field(None, description="Act inside this frame (its name, or part of its URL).")
    timeout_seconds: float | None = Field(None, gt=0, le=600, description="This step's timeout (default: the connector's).")
    optional: bool = Field(False, description="When this step fails, go on.")

    @model_validator(mode="after")
    def _one_action(self) -> Step:
        chosen = [a for a in ACTIONS if getattr(self, a) is not None]
        if len(chosen) != 1:
            raise ValueError(f"a step needs exactly one of {', '.join(ACTIONS)} (found: {', '.join(chosen) or 'none'})")
        action = chosen[0]
        if action in ("fill", "select") and self.value is None:
            raise ValueError(f"{action} needs a value")
        if action == "fill_form" and not self.fill_form:
            raise ValueError("fill_form needs at least one selector: value")
        if action == "set" and (self.read is None) == (self.value is None):
            raise ValueError("set needs either read (a selector) or value (a template)")
        if action == "call" and ":" not in self.call and "." not in self.call:  # type: ignore[operator]
            raise ValueError("call needs a dotted path package.module:function")
        return self

    @property
    def action(self) -> str:
        return next(a for a in ACTIONS if getattr(self, a) is not None)

    def describe(self) -> str:
        argument = getattr(self, self.action)
        if isinstance(argument, dict):
            return f"{self.action} {', '.join(argument)}"
        return f"{self.action} {argument if isinstance(argument, str) else (argument.next if argument else '')}"


Paginate.model_rebuild()

DEFAULT_LOGIN = [
    Step(fill="input[name=username]", value="{username}"),
    Step(fill="input[name=password]", value="{password}"),
    Step(click="[type=submit]", navigates=True),
]


class Login(Settings):
    url: str = Field("/login", description="The login page; landing on it (in any frame) means the session ended.")
    steps: list[Step] = Field(
        default_factory=lambda: list(DEFAULT_LOGIN),
        description="How to sign in once on the login page; {username} and {password} come from the connection.",
    )
    success: str | None = Field(None, description="A selector that shows the login worked (default: left the login page).")


class BrowserSettings(Settings):
    executable: str | None = Field(
        None, description="Chromium to launch; default $BACKOFFICE_BROWSER, Playwright's own, or a system Chromium."
    )
    headless: bool = Field(True, description="Run without a window (keep true on servers).")
    reuse_context: bool = Field(
        False, description="Keep one logged-in browser context for every item (faster) instead of a fresh one per item."
    )
    trace: bool = Field(True, description="Record a Playwright trace per item, kept as evidence when a step fails.")


class PortalSettings(Settings):
    connection: str | None = Field(None, description="A named connection: its url, username and password.")
    url: str | None = Field(None, description="The portal's base URL, when no connection is named.")
    username: str | None = Field(None, description="User name, when no connection is named.")
    password: SecretStr | None = Field(None, description="Password: write ${ENV_VAR}, never the secret itself.")
    login: Login | None = Field(default_factory=Login, description="How to sign in; null when the portal needs none.")
    browser: BrowserSettings = Field(default_factory=BrowserSettings, description="The browser and its contexts.")
    timeout_seconds: float = Field(10.0, gt=0, le=600, description="Default timeout of one step.")
    retry: RetrySettings = Field(
        default_factory=lambda: RetrySettings(attempts=3), description="Retries of a failed sequence (and of pages "
        "answering 5xx) inside one collect or post, with backoff; then the item is retried by the runner.",
    )  # fmt: skip

    _known_connection = field_validator("connection")(known_connection)

    @model_validator(mode="after")
    def _where(self) -> PortalSettings:
        if (self.connection is None) == (self.url is None):
            raise ValueError("give either connection or url")
        return self


class Items(Settings):
    """How the source turns what its steps found into work items."""

    rows: str = Field("rows", description="The variable holding the rows (an extract_table's `into`).")
    key: str = Field(description="The item's dedupe key, a template over the row's columns, e.g. '{ID}'.")
    download: str | None = Field(
        None, description="A URL template per row (e.g. '{pdf}'): the file becomes the item's file."
    )
    name: str | None = Field(None, description="The downloaded file's name (a template); default: the server's.")
    document: Literal["invoice", "timesheet", "order"] | None = Field(
        None, description="Without a download: the row itself becomes a document of this kind (columns -> fields)."
    )


class PortalSourceSettings(PortalSettings):
    kind: Literal["portal"] = Field(description="A legacy web portal, scraped through Chromium.")
    steps: list[Step] = Field(description="What to do to reach and read the rows.")
    items: Items = Field(description="How rows become work items.")


class Lookup(Settings):
    steps: list[Step] = Field(
        description="Steps that search the portal for the item's {key} and set the `reference` variable "
        "when they find it (left empty: not there)."
    )
    always: bool = Field(False, description="Search before every submit, not only after a call that got no answer.")


class PortalTargetSettings(PortalSettings):
    kind: Literal["portal"] = Field(description="A legacy web portal's entry form, filled through Chromium.")
    name: str | None = Field(None, description="The target's name in the effect ledger and item refs.")
    steps: list[Step] = Field(description="Fill and submit the form, then set the `reference` variable.")
    reference: str = Field("reference", description="The variable whose value is the external reference.")
    lookup: Lookup | None = Field(
        None, description="Find an earlier submit by the item's key; without it a call in doubt goes to a person."
    )
