"""OAuth2 access tokens for IMAP (XOAUTH2): the refresh-token flow (Gmail, Microsoft 365) and
Microsoft 365's client-credentials (app-only) flow, against a configurable token endpoint.

A refresh-token flow keeps its state in a small JSON file (the token store); when the endpoint
returns a new refresh token, it is written back atomically so the next run uses it.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from backoffice.errors import ApplicationError, BusinessError
from backoffice.logs.redact import register_secret

log = logging.getLogger(__name__)
EARLY = 60.0  # renew a token this many seconds before it expires


class TokenError(ApplicationError):
    """The token endpoint could not be reached or answered with a server error."""


class TokenRefused(BusinessError):
    """The token endpoint refused the grant (revoked refresh token, wrong secret): a person must act."""


@dataclass
class _Cached:
    token: str = ""
    expires_at: float = 0.0


@dataclass
class ClientCredentials:
    """Microsoft 365 app-only: ``grant_type=client_credentials`` with a scope such as
    ``https://outlook.office365.com/.default``."""

    token_url: str
    client_id: str
    client_secret: str
    scope: str = "https://outlook.office365.com/.default"
    timeout: float = 30.0
    _cached: _Cached = field(default_factory=_Cached, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def access_token(self) -> str:
        with self._lock:
            if self._cached.token and time.time() < self._cached.expires_at - EARLY:
                return self._cached.token
            answer = _post(self.token_url, {
                "grant_type": "client_credentials", "client_id": self.client_id,
                "client_secret": self.client_secret, "scope": self.scope,
            }, self.timeout)  # fmt: skip
            self._cached = _Cached(answer["access_token"], time.time() + float(answer.get("expires_in", 3600)))
            return self._cached.token


@dataclass
class RefreshToken:
    """``grant_type=refresh_token``; the refresh token lives in ``store`` (JSON) and is rotated there."""

    token_url: str
    client_id: str
    store: Path
    client_secret: str | None = None
    scope: str | None = None
    timeout: float = 30.0
    _cached: _Cached = field(default_factory=_Cached, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def access_token(self) -> str:
        with self._lock:
            if self._cached.token and time.time() < self._cached.expires_at - EARLY:
                return self._cached.token
            state = self._read()
            form = {"grant_type": "refresh_token", "client_id": self.client_id, "refresh_token": state["refresh_token"]}
            if self.client_secret:
                form["client_secret"] = self.client_secret
            if self.scope:
                form["scope"] = self.scope
            answer = _post(self.token_url, form, self.timeout)
            self._cached = _Cached(answer["access_token"], time.time() + float(answer.get("expires_in", 3600)))
            if answer.get("refresh_token") and answer["refresh_token"] != state["refresh_token"]:
                self._write({**state, "refresh_token": answer["refresh_token"]})
                log.info("refresh token rotated; written back to %s", self.store)
            return self._cached.token

    def _read(self) -> dict:
        try:
            state = json.loads(self.store.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise TokenRefused(f"{self.store}: cannot read the token store: {exc}", code="oauth-store") from None
        if not state.get("refresh_token"):
            raise TokenRefused(f"{self.store}: no refresh_token in the token store", code="oauth-store")
        register_secret(state["refresh_token"])
        return state

    def _write(self, state: dict) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.store.parent, prefix=f".{self.store.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(state, out)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.store)


def _post(url: str, form: dict, timeout: float) -> dict:
    try:
        response = httpx.post(url, data=form, timeout=timeout)
    except httpx.HTTPError as exc:
        raise TokenError(f"token endpoint {url} unreachable: {exc}", code="oauth-unreachable") from exc
    if response.status_code >= 500:
        raise TokenError(f"token endpoint {url} answered {response.status_code}", code="oauth-unavailable")
    try:
        answer = response.json()
    except ValueError:
        answer = {}
    if response.status_code >= 400 or "access_token" not in answer:
        detail = answer.get("error_description") or answer.get("error") or response.text[:200]
        raise TokenRefused(f"token endpoint {url} refused the grant: {detail}", code="oauth-refused")
    register_secret(answer["access_token"])
    return answer
