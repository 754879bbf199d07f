"""The REST target against an in-process fake API (httpx.MockTransport)."""

from __future__ import annotations

import base64
import json

import httpx
import pytest
from pydantic import ValidationError

from backoffice.connectors.base import Context
from backoffice.connectors.ledger import IN_DOUBT
from backoffice.connectors.resilience import CircuitOpen
from backoffice.connectors.rest import RestSettings, RestTarget
from backoffice.documents.models import Field
from backoffice.errors import BusinessError, TargetError
from backoffice.queue.base import NewItem
from backoffice.queue.files import FileStore
from backoffice.queue.memory import MemoryStore
from tests.fakes import invoice


class FakeApi:
    """Answers each request with the next scripted answer; records what it was sent."""

    def __init__(self, *answers):
        self.answers, self.requests = list(answers), []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if self.answers else httpx.Response(201, json={"id": "INV-1"})
        if isinstance(answer, Exception):
            raise answer
        return answer

    @property
    def methods(self) -> list[str]:
        return [r.method for r in self.requests]


@pytest.fixture
def context(tmp_path):
    return Context(bot="invoices", workspace=tmp_path, files=FileStore(tmp_path / "files"))


@pytest.fixture
def item():
    return MemoryStore().enqueue(NewItem("invoices", "sha256:abc"))[0]


def make(context, api, sleeps=None, **settings) -> RestTarget:
    defaults = {"kind": "rest", "name": "erp", "base_url": "http://erp.test", "path": "/api/invoices",
                "idempotency_header": "Idempotency-Key",
                "retry": {"attempts": 4, "backoff_seconds": 1, "jitter": 0}}  # fmt: skip
    sleeps = [] if sleeps is None else sleeps
    return RestTarget(RestSettings.model_validate({**defaults, **settings}), context,
                      transport=httpx.MockTransport(api), sleep=sleeps.append)  # fmt: skip


def test_posts_the_mapped_body_with_lines_key_and_auth(context, item):
    api = FakeApi(httpx.Response(201, json={"data": {"id": 42}}))
    document = invoice()
    document.lines = [{"description": Field("Widget"), "amount": Field("100.00"), "quantity": Field("2")}]
    target = make(
        context, api, id_field="data.id",
        auth={"type": "bearer", "token": "s3cret"},
        body={"vendor.name": "seller_name", "number": "invoice_number", "total": "grand_total",
              "reference": "$key", "source": {"value": "backoffice"}, "due": {"field": "due_date", "type": "string"}},
        lines={"into": "items", "fields": {"text": "description", "amount": "amount",
                                           "qty": {"field": "quantity", "type": "integer"}}},
    )  # fmt: skip
    assert target.post(item, document) == "42"
    [request] = api.requests
    assert request.url == "http://erp.test/api/invoices"
    assert request.headers["Authorization"] == "Bearer s3cret"
    assert request.headers["Idempotency-Key"] == target.idempotency_key(item)
    assert json.loads(request.content) == {
        "vendor": {"name": "Acme GmbH"}, "number": "INV-1", "total": 119.0, "reference": target.idempotency_key(item),
        "source": "backoffice", "due": "2026-02-09", "items": [{"text": "Widget", "amount": 100.0, "qty": 2}],
    }  # fmt: skip


def test_the_idempotency_key_is_stable_and_names_bot_document_and_target(context, item):
    target = make(context, FakeApi())
    other = make(context, FakeApi(), name="erp2")
    again = MemoryStore().enqueue(NewItem("invoices", "sha256:abc"))[0]
    assert target.idempotency_key(item) == target.idempotency_key(again)  # a fresh queue: the same key
    assert target.idempotency_key(item) != other.idempotency_key(item)


def test_5xx_and_connection_errors_are_retried_with_exponential_backoff(context, item):
    sleeps = []
    api = FakeApi(httpx.Response(502), httpx.ConnectError("refused"), httpx.Response(503), httpx.Response(201, json={"id": 7}))
    assert make(context, api, sleeps).post(item, invoice()) == "7"
    assert api.methods == ["POST"] * 4 and sleeps == [1, 2, 4]
    assert len({r.headers["Idempotency-Key"] for r in api.requests}) == 1  # the repeats carry the same key


def test_429_honours_retry_after_and_a_long_one_pauses_the_target(context, item):
    sleeps = []
    api = FakeApi(httpx.Response(429, headers={"Retry-After": "3"}), httpx.Response(201, json={"id": 1}))
    target = make(context, api, sleeps)
    assert target.post(item, invoice()) == "1" and sleeps == [3.0]
    api.answers = [httpx.Response(429, headers={"Retry-After": "600"})]
    with pytest.raises(TargetError, match="asked to wait 600 s"):
        target.post(item, invoice())
    assert target.paused_until() is not None
    with pytest.raises(CircuitOpen):
        target.check_available()


def test_a_request_that_may_have_landed_is_looked_up_before_posting_again(context, item):
    api = FakeApi(
        httpx.ReadTimeout("no answer"),  # the API may have stored it
        httpx.Response(200, json={"items": [{"id": "INV-9"}], "total": 1}),  # ... and it did
    )
    target = make(context, api, idempotency_header=None, lookup={"path": "/api/invoices?reference={key}", "records": "items"})
    assert target.post(item, invoice()) == "INV-9"
    assert api.methods == ["POST", "GET"]
    assert api.requests[1].url.params["reference"] == target.idempotency_key(item)


def test_lookup_that_finds_nothing_lets_the_post_go_again(context, item):
    api = FakeApi(httpx.Response(500), httpx.Response(404), httpx.Response(201, json={"id": "INV-2"}))
    target = make(context, api, idempotency_header=None, lookup={"path": "/api/invoices/by-reference/{key}"})
    assert target.post(item, invoice()) == "INV-2"
    assert api.methods == ["POST", "GET", "POST"]


def test_a_connection_that_was_never_made_needs_no_lookup(context, item):
    api = FakeApi(httpx.ConnectError("refused"), httpx.Response(201, json={"id": "INV-3"}))
    target = make(context, api, idempotency_header=None, lookup={"path": "/x?r={key}"})
    assert target.post(item, invoice()) == "INV-3" and api.methods == ["POST", "POST"]


def test_validation_errors_are_business_errors_with_the_apis_message(context, item):
    api = FakeApi(httpx.Response(422, json={"message": "vendor 'Acme GmbH' is unknown"}))
    with pytest.raises(BusinessError) as caught:
        make(context, api).post(item, invoice())
    assert caught.value.reason == "erp: vendor 'Acme GmbH' is unknown" and caught.value.code == "http-422"
    api = FakeApi(httpx.Response(400, json={"errors": [{"message": "total must be a number"}, "bad date"]}))
    with pytest.raises(BusinessError, match="total must be a number; bad date"):
        make(context, api).post(item, invoice())


def test_a_refusal_after_a_request_in_doubt_is_not_taken_as_nothing_written(context, item):
    api = FakeApi(httpx.Response(500), httpx.Response(409, json={"message": "invoice INV-1 already exists"}))
    with pytest.raises(BusinessError) as caught:
        make(context, api).post(item, invoice())
    assert caught.value.code == IN_DOUBT


def test_our_own_setup_errors_are_application_errors(context, item):
    with pytest.raises(TargetError, match="HTTP 401: bad token") as caught:
        make(context, FakeApi(httpx.Response(401, text="bad token"))).post(item, invoice())
    assert caught.value.code == "http-401"


def test_retries_used_up_name_the_last_failure(context, item):
    api = FakeApi(*[httpx.Response(503, json={"message": "maintenance"})] * 4)
    with pytest.raises(TargetError, match=r"HTTP 503: maintenance \(4 requests\)") as caught:
        make(context, api).post(item, invoice())
    assert caught.value.code == "target-unavailable"


def test_the_circuit_opens_after_failures_in_a_row_and_a_trial_closes_it(context, item):
    clock = [1000.0]
    api = FakeApi(*[httpx.Response(500)] * 3)
    target = make(context, api, retry={"attempts": 5, "backoff_seconds": 0}, circuit={"failures": 3, "reset_seconds": 30})
    target.breaker.clock = lambda: clock[0]
    with pytest.raises(CircuitOpen):
        target.post(item, invoice())
    assert len(api.requests) == 3  # the fourth request was never sent
    assert target.paused_until() == 1030.0
    clock[0] = 1031.0  # the pause is over: one trial request goes through and closes the circuit
    assert target.post(item, invoice()) == "INV-1"
    assert target.paused_until() is None


def test_rate_limit_spaces_requests(context, item):
    target = make(context, FakeApi(), rate_limit={"per_second": 2, "burst": 1})
    clock, slept = [0.0], []
    target.limiter.clock = lambda: clock[0]
    target.limiter.sleep = slept.append
    target.limiter._at = 0.0
    for _ in range(3):
        target.post(item, invoice())
    assert slept == [0.5, 1.0]


def test_oauth2_client_credentials_token_is_reused_and_renewed_on_401(context, item):
    tokens = iter(["t1", "t2"])

    def api(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            assert request.headers["Authorization"] == "Basic " + base64.b64encode(b"bot:pw").decode()
            assert b"grant_type=client_credentials" in request.content
            return httpx.Response(200, json={"access_token": next(tokens), "expires_in": 3600})
        if request.headers["Authorization"] == "Bearer t1" and api.calls == 1:
            api.calls += 1
            return httpx.Response(401)
        api.calls += 1
        api.seen.append(request.headers["Authorization"])
        return httpx.Response(201, json={"id": api.calls})

    api.calls, api.seen = 0, []
    target = make(context, api, auth={"type": "oauth2", "token_url": "/oauth/token", "client_id": "bot", "client_secret": "pw"})
    target.post(item, invoice())  # token t1 taken
    target.post(item, invoice())  # t1 refused: t2 fetched, the request sent again
    target.post(item, invoice())  # t2 reused
    assert api.seen == ["Bearer t1", "Bearer t2", "Bearer t2"]


def test_a_named_connection_gives_base_url_and_basic_auth(context, item):
    from backoffice.config import Connection

    context.connections = {"erp": Connection(url="http://erp.test/v2/", username="u", password="p")}
    api = FakeApi()
    make(context, api, base_url=None, connection="erp", path="invoices").post(item, invoice())
    assert str(api.requests[0].url) == "http://erp.test/v2/invoices"
    assert api.requests[0].headers["Authorization"] == "Basic " + base64.b64encode(b"u:p").decode()


def test_settings_must_say_how_a_repeat_is_avoided_and_where_the_api_is():
    with pytest.raises(ValidationError, match="set idempotency_header or lookup"):
        RestSettings(kind="rest", base_url="http://x")
    with pytest.raises(ValidationError, match="either connection or base_url"):
        RestSettings(kind="rest", idempotency_header="Idempotency-Key")


def test_an_answer_without_an_id_is_an_application_error(context, item):
    with pytest.raises(TargetError, match="the answer has no 'id'"):
        make(context, FakeApi(httpx.Response(200, json={"ok": True}))).post(item, invoice())
    api = FakeApi(httpx.Response(201, headers={"Location": "/api/invoices/77"}))
    assert make(context, api).post(item, invoice()) == "77"


def test_time_waiting_on_the_api_is_counted(context, item):
    target = make(context, FakeApi(httpx.Response(503), httpx.Response(201, json={"id": 1})))
    target.post(item, invoice())
    assert target.waited > 0


def test_lookup_before_every_post_when_asked(context, item):
    api = FakeApi(httpx.Response(200, json=[{"id": "OLD-1"}]), httpx.Response(200, json=[]), httpx.Response(201, json={"id": 5}))
    target = make(context, api, idempotency_header=None, lookup={"path": "/api/invoices?ref={key}", "always": True})
    assert target.post(item, invoice()) == "OLD-1"  # posted by an earlier deployment: found, not posted
    assert target.post(item, invoice()) == "5"
    assert api.methods == ["GET", "GET", "POST"]


class LateCommitApi:
    """An API without idempotency keys that commits a request ``lag`` seconds after it came in,
    answering too late for a client that waits ``timeout``: the record exists only from then on.
    Time is a fake clock that the target's sleeps (and the client's timeouts) move forward."""

    def __init__(self, timeout: float, lag: float):
        self.now, self.timeout, self.lag = 0.0, timeout, lag
        self.pending: list[float] = []  # when each request in flight commits
        self.records: list[str] = []
        self.methods: list[str] = []

    def sleep(self, seconds: float) -> None:
        self.now += seconds

    def _commit(self) -> None:
        for at in [at for at in self.pending if at <= self.now]:
            self.pending.remove(at)
            self.records.append(f"INV-{len(self.records) + 1}")

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.methods.append(request.method)
        self._commit()
        if request.method == "GET":
            return httpx.Response(200, json={"items": [{"id": r} for r in self.records[:1]]})
        if len(self.methods) == 1:  # the first post: committed after the client gave up
            self.pending.append(self.now + self.lag)
            self.now += self.timeout
            raise httpx.ReadTimeout("no answer")
        self.records.append(f"INV-{len(self.records) + 1}")
        return httpx.Response(201, json={"id": self.records[-1]})


@pytest.mark.parametrize("settle, records", [(None, 1), (0, 2)])
def test_a_commit_after_the_timeout_is_waited_for_before_the_lookup(context, item, settle, records):
    api = LateCommitApi(timeout=1.5, lag=2.0)  # the demo ERP's --faults timeout against timeout_seconds 1.5
    settings = RestSettings.model_validate({
        "kind": "rest", "name": "erp", "base_url": "http://erp.test", "path": "/api/invoices",
        "lookup": {"path": "/api/invoices?reference={key}", "records": "items"}, "timeout_seconds": 1.5,
        "settle_seconds": settle, "retry": {"attempts": 4, "backoff_seconds": 0.3, "jitter": 0},
    })  # fmt: skip
    target = RestTarget(settings, context, transport=httpx.MockTransport(api), sleep=api.sleep, clock=lambda: api.now)
    ref = target.post(item, invoice())
    api.sleep(10)
    api._commit()
    assert len(api.records) == records  # settle 0: the lookup came before the commit, and it posted again
    if settle is None:
        assert ref == "INV-1" and api.methods == ["POST", "GET"]
        assert api.now >= 1.5 + 1.5  # the lookup waited a timeout's length after the request was given up


def test_an_idempotent_target_does_not_wait_to_settle(context, item):
    target = make(context, FakeApi(), lookup={"path": "/x?r={key}"})
    assert target.settle == 0
    assert make(context, FakeApi(), idempotency_header=None, lookup={"path": "/x?r={key}"}, timeout_seconds=3).settle == 3
