"""How the REST target signs in: a bearer token, HTTP basic, or OAuth2 client credentials.

Secrets are ``SecretStr`` (write ``${ENV_VAR}`` in bots.yaml); they never appear in a repr or
a log line.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections.abc import Callable, Generator
from typing import Annotated, Literal

import httpx
from pydantic import Field, SecretStr

from backoffice.connectors.base import Settings
from backoffice.errors import TargetError

log = logging.getLogger(__name__)


class BearerAuth(Settings):
    type: Literal["bearer"] = Field(description="Send 'Authorization: Bearer <token>'.")
    token: SecretStr = Field(description="The token; write ${ENV_VAR}.")


class BasicAuth(Settings):
    type: Literal["basic"] = Field(description="HTTP basic authentication.")
    username: str = Field(description="User name.")
    password: SecretStr = Field(description="Password; write ${ENV_VAR}.")


class OAuth2Auth(Settings):
    type: Literal["oauth2"] = Field(description="OAuth2 client credentials: a token from token_url.")
    token_url: str = Field(description="The token endpoint: absolute, or relative to the base URL.")
    client_id: str = Field(description="The client id.")
    client_secret: SecretStr = Field(description="The client secret; write ${ENV_VAR}.")
    scope: str | None = Field(None, description="Scopes to ask for, space-separated.")


AuthSettings = Annotated[BearerAuth | BasicAuth | OAuth2Auth, Field(discriminator="type")]


def basic_header(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode("ascii")


class StaticHeader(httpx.Auth):
    def __init__(self, value: str):
        self.value = value

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = self.value
        yield request


class ClientCredentials(httpx.Auth):
    """OAuth2 client credentials: fetch a token, reuse it until shortly before it expires, and
    fetch a new one once when the API answers 401."""

    requires_response_body = True

    def __init__(self, settings: OAuth2Auth, base_url: str, clock: Callable[[], float] = time.monotonic):
        self.settings, self.clock = settings, clock
        self.token_url = httpx.URL(base_url).join(settings.token_url) if base_url else httpx.URL(settings.token_url)
        self._token: str | None = None
        self._expires = 0.0
        self._lock = threading.Lock()

    def _token_request(self) -> httpx.Request:
        form = {"grant_type": "client_credentials"}
        if self.settings.scope:
            form["scope"] = self.settings.scope
        secret = self.settings.client_secret.get_secret_value()
        return httpx.Request(
            "POST", self.token_url, data=form,
            headers={"Authorization": basic_header(self.settings.client_id, secret), "Accept": "application/json"},
        )  # fmt: skip

    def _take(self, response: httpx.Response) -> None:
        if response.status_code != 200:
            raise TargetError(
                f"token endpoint {self.token_url} answered HTTP {response.status_code}", code="target-auth"
            )
        try:
            data = response.json()
            token, lifetime = data["access_token"], float(data.get("expires_in", 3600))
        except (ValueError, KeyError, TypeError):
            raise TargetError(f"token endpoint {self.token_url} sent no access_token", code="target-auth") from None
        with self._lock:
            self._token, self._expires = token, self.clock() + max(lifetime - 30, lifetime / 2)
        log.info("got an OAuth2 token from %s for %.0f s", self.token_url, lifetime, extra={"action": "oauth2-token"})

    def _valid_token(self) -> str | None:
        with self._lock:
            return self._token if self._token and self.clock() < self._expires else None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        token = self._valid_token()
        if token is None:
            self._take((yield self._token_request()))
            token = self._valid_token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:  # revoked or expired early: one fresh token, one more try
            self._take((yield self._token_request()))
            request.headers["Authorization"] = f"Bearer {self._valid_token()}"
            yield request


def make_auth(
    settings: AuthSettings | None, base_url: str, username: str | None, password: str | None
) -> httpx.Auth | None:
    """The httpx Auth for a target's ``auth`` (or, without one, its connection's user and password)."""
    if isinstance(settings, BearerAuth):
        return StaticHeader(f"Bearer {settings.token.get_secret_value()}")
    if isinstance(settings, BasicAuth):
        return StaticHeader(basic_header(settings.username, settings.password.get_secret_value()))
    if isinstance(settings, OAuth2Auth):
        return ClientCredentials(settings, base_url)
    if username is not None:
        return StaticHeader(basic_header(username, password or ""))
    return None
