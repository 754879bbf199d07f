"""REST target: posts a document as JSON to an HTTP API (an ERP, an accounts-payable service).

    - kind: rest
      connection: erp                        # or base_url: https://erp.example.com
      path: /api/invoices
      auth: {type: bearer, token: "${ERP_TOKEN}"}
      body: {vendor: seller_name, number: invoice_number, total: grand_total, reference: $key}
      lines: {into: lines, fields: {text: description, amount: amount}}
      idempotency_header: Idempotency-Key    # the API deduplicates by key, and/or:
      lookup: {path: "/api/invoices?reference={key}"}   # find what an earlier post wrote

Timeouts, connection errors, 5xx and 429 are retried inside the post with exponential backoff
and jitter, honouring Retry-After. A request that may have reached the API (a timeout after
sending, a dropped connection, a 500) is followed by a lookup before the next post when the
target has one; otherwise the idempotency key makes the repeat harmless. An API that may still
commit a request after the client gave up on it would answer such a lookup "not there" too
early: so a target without an idempotency header waits ``settle_seconds`` after an unanswered
request before it looks up (default: ``timeout_seconds``, so the lookup comes at least twice the
timeout after the request was sent), and looks up again before every further request. A 4xx that says the
data is wrong is a BusinessError carrying the API's own message. Each target has a circuit
breaker (after ``circuit.failures`` failures in a row it pauses) and an optional rate limit.
"""

from __future__ import annotations

import json
import logging
import random
import string
import time
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import quote

import httpx
from pydantic import Field, field_validator, model_validator

from backoffice.connectors.base import Settings, Target, known_connection
from backoffice.connectors.ledger import IN_DOUBT
from backoffice.connectors.mapping import DocumentMapping, FieldSpec, dig, nest
from backoffice.connectors.resilience import (
    CircuitBreaker,
    CircuitSettings,
    RateLimiter,
    RateLimitSettings,
    RetrySettings,
    backoff,
    retry_after,
)
from backoffice.connectors.rest_auth import AuthSettings, make_auth
from backoffice.documents.models import Document
from backoffice.errors import BusinessError, TargetError
from backoffice.queue.base import WorkItem

log = logging.getLogger(__name__)
NOT_PROCESSED = frozenset({408, 425, 429, 503})  # retried; the API did not act on the request
SYSTEM_REFUSALS = frozenset({401, 403, 404, 405, 407})  # our setup is wrong, not the data
CERTAINLY_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class LinesBody(Settings):
    into: str = Field("lines", description="The JSON key that holds the list of lines (dotted to nest).")
    fields: dict[str, str | FieldSpec] | None = Field(
        None, description="Line field -> JSON key mapping; default: every line field under its own name."
    )


class LookupSettings(Settings):
    path: str = Field(
        description="Where to find a record by reference, relative to the base URL; {key}, {item_id} and "
        "document fields are filled in, e.g. /api/invoices?reference={key}. 404 or an empty list: not there."
    )
    records: str | None = Field(None, description="Dotted path to the list of records, when the answer is not one.")
    id: str | None = Field(None, description="Dotted path of the record's id; default: the target's id_field.")
    always: bool = Field(
        False, description="Look up before every post, not only after a call that got no answer "
        "(when other systems, or an earlier queue, may have posted the same documents).",
    )  # fmt: skip


class RestSettings(Settings):
    kind: Literal["rest"] = Field(description="An HTTP API taking JSON.")
    name: str | None = Field(None, description="Name of this target in refs and logs (default: the kind).")
    connection: str | None = Field(
        None, description="A named connection: its url is the base URL, its username/password basic auth."
    )
    base_url: str | None = Field(None, description="The API's base URL, when no connection is named.")
    path: str = Field("/", description="Where documents go, relative to the base URL; may use {placeholders}.")
    method: Literal["POST", "PUT"] = Field("POST", description="POST, or PUT to a path naming the record.")
    auth: AuthSettings | None = Field(None, description="bearer, basic or oauth2 (client credentials).")
    headers: dict[str, str] = Field(default_factory=dict, description="Extra request headers.")
    body: dict[str, str | FieldSpec] | None = Field(
        None, description="JSON key -> document field mapping; default: every field under its own name."
    )
    lines: LinesBody | None = Field(default_factory=LinesBody, description="Where line items go; null: none.")
    idempotency_header: str | None = Field(
        None, description="Header that carries the item's idempotency key (e.g. Idempotency-Key)."
    )
    lookup: LookupSettings | None = Field(None, description="How to find what an earlier post wrote.")
    id_field: str = Field("id", description="Dotted path of the new record's id in the API's answer.")
    timeout_seconds: float = Field(10.0, gt=0, description="Seconds to wait for an answer.")
    settle_seconds: float | None = Field(
        None, ge=0, description="After a request that got no answer, wait this long before looking up whether "
        "it landed: the longest the API may take to commit a request the client gave up on. Default: "
        "timeout_seconds. Used when the API cannot deduplicate (no idempotency_header).",
    )  # fmt: skip
    connect_timeout_seconds: float = Field(5.0, gt=0, description="Seconds to wait for a connection.")
    verify_tls: bool = Field(True, description="Check the server's TLS certificate.")
    retry: RetrySettings = Field(default_factory=RetrySettings, description="Retries inside one post.")
    circuit: CircuitSettings = Field(default_factory=CircuitSettings, description="When the target pauses.")
    rate_limit: RateLimitSettings | None = Field(None, description="At most this many requests per second.")

    _known_connection = field_validator("connection")(known_connection)

    @model_validator(mode="after")
    def _where_and_how(self) -> RestSettings:
        if (self.connection is None) == (self.base_url is None):
            raise ValueError("give either connection or base_url")
        if self.idempotency_header is None and self.lookup is None:
            raise ValueError(
                "set idempotency_header or lookup (or both): without either a retried post could be written twice"
            )
        return self


class RestTarget(Target):
    Settings = RestSettings
    settings: RestSettings

    def __init__(
        self,
        settings: RestSettings,
        context,
        *,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        super().__init__(settings, context)
        username = password = None
        base_url = settings.base_url
        if settings.connection is not None:
            connection = context.connection(settings.connection)
            base_url, username = connection.url, connection.username
            password = connection.password.get_secret_value() if connection.password else None
        self.base_url: str = base_url  # type: ignore[assignment]
        self._auth = make_auth(settings.auth, self.base_url, username, password)
        self._transport, self._sleep, self._rng, self._clock = transport, sleep, rng or random.Random(), clock
        self._unanswered_at: dict[str, float] = {}  # idempotency key -> when a request of it last got no answer
        self._client: httpx.Client | None = None
        self.mapping = DocumentMapping(settings.body, settings.lines.fields if settings.lines else None, typed=True)
        self.breaker = CircuitBreaker(self.name, settings.circuit)
        self.limiter = RateLimiter(settings.rate_limit) if settings.rate_limit else None

    # -- what the runner asks --------------------------------------------------------------
    @property
    def idempotent(self) -> bool:
        return self.settings.idempotency_header is not None

    @property
    def can_lookup(self) -> bool:
        return self.settings.lookup is not None

    def paused_until(self) -> float | None:
        return self.breaker.paused_until

    def check_available(self) -> None:
        self.breaker.available()

    @property
    def client(self) -> httpx.Client:
        if self._client is None:
            timeout = httpx.Timeout(self.settings.timeout_seconds, connect=self.settings.connect_timeout_seconds)
            self._client = httpx.Client(
                base_url=self.base_url, auth=self._auth, timeout=timeout, verify=self.settings.verify_tls,
                headers={"Accept": "application/json", **self.settings.headers}, transport=self._transport,
            )  # fmt: skip
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    # -- posting ---------------------------------------------------------------------------
    def post(self, item: WorkItem, document: Document) -> str:
        request = self._post_request(item, document)
        retry, last, wait_hint = self.settings.retry, "", None
        doubt = self.settings.lookup is not None and self.settings.lookup.always
        for attempt in range(1, retry.attempts + 1):
            if attempt > 1:
                self._pause(attempt - 1, wait_hint, last)
            if doubt and self.can_lookup:  # the last request may have landed: look before posting again
                found = self.lookup(item, document)
                if found is not None:
                    return found
                doubt = False
            try:
                response = self._exchange(request)
            except httpx.TransportError as exc:
                if not isinstance(exc, CERTAINLY_NOT_SENT):
                    doubt = self._unanswered(item)
                last, wait_hint = f"{type(exc).__name__}: {exc or 'no answer'}", None
                self.breaker.failure()
                continue
            status = response.status_code
            if status < 300:
                self.breaker.success()
                self._unanswered_at.pop(self.idempotency_key(item), None)
                return self._external_id(response)
            if status in NOT_PROCESSED or status >= 500:
                self.breaker.failure()
                if status not in NOT_PROCESSED:
                    doubt = self._unanswered(item)
                last = f"HTTP {status}: {_message(response)}"
                wait_hint = retry_after(response.headers.get("Retry-After"))
                self._give_up_on_long_wait(wait_hint, last)
                continue
            self.breaker.success()
            if status in SYSTEM_REFUSALS:
                raise TargetError(f"{self.name}: HTTP {status}: {_message(response)}", code=f"http-{status}")
            # Nothing was written, unless an earlier request of this post may have landed.
            raise BusinessError(f"{self.name}: {_message(response)}", code=IN_DOUBT if doubt else f"http-{status}")
        raise TargetError(f"{self.name}: {last} ({retry.attempts} requests)", code="target-unavailable")

    def lookup(self, item: WorkItem, document: Document) -> str | None:
        lookup = self.settings.lookup
        if lookup is None:
            return super().lookup(item, document)
        request = self.client.build_request("GET", self._render(lookup.path, item, document))
        self._settle(item)
        retry, last, wait_hint = self.settings.retry, "", None
        for attempt in range(1, retry.attempts + 1):
            if attempt > 1:
                self._pause(attempt - 1, wait_hint, last)
            try:
                response = self._exchange(request)
            except httpx.TransportError as exc:
                self.breaker.failure()
                last, wait_hint = f"{type(exc).__name__}: {exc or 'no answer'}", None
                continue
            if response.status_code in NOT_PROCESSED or response.status_code >= 500:
                self.breaker.failure()
                last, wait_hint = f"HTTP {response.status_code}", retry_after(response.headers.get("Retry-After"))
                self._give_up_on_long_wait(wait_hint, last)
                continue
            self.breaker.success()
            if response.status_code == 404:
                return None
            if response.status_code >= 300:
                raise TargetError(f"{self.name}: lookup answered HTTP {response.status_code}: {_message(response)}",
                                  code=f"http-{response.status_code}")  # fmt: skip
            found = self._found_id(response, lookup)
            if found is not None:
                self._unanswered_at.pop(self.idempotency_key(item), None)
            return found
        raise TargetError(
            f"{self.name}: cannot tell whether item {item.id} was posted: {last}", code="target-unavailable"
        )

    # -- requests in doubt -----------------------------------------------------------------
    @property
    def settle(self) -> float:
        """Seconds a lookup waits after an unanswered request (0 when the API deduplicates)."""
        if self.idempotent:
            return 0.0
        return self.settings.timeout_seconds if self.settings.settle_seconds is None else self.settings.settle_seconds

    def _unanswered(self, item: WorkItem) -> bool:
        """Note that a request of ``item`` got no answer (it may land later); True: in doubt."""
        now = self._clock()
        if len(self._unanswered_at) > 1000:  # items that ended elsewhere (the exception queue): forget the settled
            self._unanswered_at = {k: at for k, at in self._unanswered_at.items() if now - at < self.settle}
        self._unanswered_at[self.idempotency_key(item)] = now
        return True

    def _settle(self, item: WorkItem) -> None:
        """Wait until a request of this item that got no answer (in this process) can no longer
        commit; a runner that died mid-request is followed only after its lease expired."""
        since = self._unanswered_at.get(self.idempotency_key(item))
        if since is None or not self.settle:
            return
        wait = since + self.settle - self._clock()
        if wait > 0:
            log.info(
                "%s: waiting %.2f s for an unanswered request to settle before the lookup",
                self.name,
                wait,
                extra={"target": self.name, "action": "settle"},
            )
            with self.waiting():
                self._sleep(wait)

    # -- pieces ----------------------------------------------------------------------------
    def _special(self, item: WorkItem, document: Document) -> dict[str, Any]:
        return {"$item_id": item.id, "$key": self.idempotency_key(item), "$source": document.source,
                "$kind": document.kind, "$bot": item.bot, "$run": self.context.run}  # fmt: skip

    def _post_request(self, item: WorkItem, document: Document) -> httpx.Request:
        special = self._special(item, document)
        body = self.mapping.row(document, special)
        if self.settings.lines is not None:
            body[self.settings.lines.into] = [nest(line) for line in self.mapping.line_rows(document, special)]
        headers = {"Content-Type": "application/json"}
        if self.settings.idempotency_header:
            headers[self.settings.idempotency_header] = special["$key"]
        content = json.dumps(nest(body), default=_json_value, ensure_ascii=False).encode()
        url = self._render(self.settings.path, item, document)
        return self.client.build_request(self.settings.method, url, content=content, headers=headers)

    def _render(self, template: str, item: WorkItem, document: Document) -> str:
        values = {"key": self.idempotency_key(item), "item_id": item.id, "bot": item.bot}
        values.update({name: f.value for name, f in document.fields.items()})
        out = []
        for text, name, _, _ in string.Formatter().parse(template):
            out.append(text)
            if name is not None:
                if values.get(name) in (None, ""):
                    raise BusinessError(f"{self.name}: {name} is empty (needed for {template})", code="mapping",
                                        field=name)  # fmt: skip
                out.append(quote(str(values[name]), safe=""))
        return "".join(out)

    def _exchange(self, request: httpx.Request) -> httpx.Response:
        self.breaker.check()
        if self.limiter is not None:
            self.waited += self.limiter.acquire()
        with self.waiting():
            return self.client.send(request)

    def _pause(self, failed: int, hint: float | None, last: str) -> None:
        delay = max(backoff(failed, self.settings.retry, self._rng), hint or 0.0)
        log.info("%s: %s; request %d in %.2f s", self.name, last, failed + 1, delay,
                 extra={"target": self.name, "action": "request-retry"})  # fmt: skip
        with self.waiting():
            self._sleep(delay)

    def _give_up_on_long_wait(self, hint: float | None, last: str) -> None:
        if hint is not None and hint > self.settings.retry.max_retry_after_seconds:
            self.breaker.pause(hint)
            raise TargetError(f"{self.name}: {last}; asked to wait {hint:.0f} s", code="target-busy")

    def _external_id(self, response: httpx.Response) -> str:
        try:
            found = dig(response.json(), self.settings.id_field)
        except ValueError:
            found = None
        if found is None and response.headers.get("Location"):
            found = response.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
        if found in (None, ""):
            raise TargetError(f"{self.name}: the answer has no {self.settings.id_field!r}", code="target-response")
        return str(found)

    def _found_id(self, response: httpx.Response, lookup: LookupSettings) -> str | None:
        try:
            data = response.json()
        except ValueError:
            raise TargetError(f"{self.name}: lookup answer is not JSON", code="target-response") from None
        if lookup.records:
            data = dig(data, lookup.records)
        if isinstance(data, list):
            data = data[0] if data else None
        if not data:
            return None
        found = dig(data, lookup.id or self.settings.id_field)
        if found in (None, ""):
            raise TargetError(f"{self.name}: lookup found a record without an id", code="target-response")
        return str(found)


def _json_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON")


def _one_message(error: Any) -> str:
    if isinstance(error, dict):
        return str(error.get("message") or error.get("msg") or error)
    return str(error)


def _message(response: httpx.Response) -> str:
    """The API's own words for a refusal."""
    try:
        data = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason_phrase
    if isinstance(data, dict):
        for key in ("message", "detail", "error", "title"):
            if isinstance(data.get(key), str):
                return data[key]
        errors = data.get("errors") or data.get("detail")
        if isinstance(errors, list):
            return "; ".join(_one_message(e) for e in errors)
    return json.dumps(data)[:300]
