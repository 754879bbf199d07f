"""Sign-in with an OpenID Connect provider (Microsoft Entra ID, Google, Keycloak...), with Authlib.

``/login/oidc`` redirects to the provider (authorization code flow with PKCE, state and
nonce, kept for ten minutes in a signed cookie); ``/login/oidc/callback`` exchanges the code
for tokens and Authlib checks the ID token: the provider's signature (its published keys),
issuer, audience, expiry and nonce. The user's name is the ``name_claim``
(``preferred_username``, else ``email``); their roles are the values of ``roles_claim``
(a dotted path such as ``realm_access.roles`` for Keycloak), each renamed by ``role_map`` when
it names it: access levels (viewer, supervisor, admin) and approval roles. Someone whose
claim gives no access level is refused. The user is kept without a password, with the roles
of their last sign-in.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)
STATE_COOKIE = "bo_oidc"


@dataclass(frozen=True)
class OidcSettings:
    issuer: str  # e.g. https://login.microsoftonline.com/<tenant>/v2.0 or https://kc.example/realms/office
    client_id: str
    client_secret: str
    name_claim: str = "preferred_username"
    roles_claim: str = "roles"
    role_map: Mapping[str, str] = field(default_factory=dict)  # the provider's value -> our role
    label: str = "Sign in with single sign-on"
    redirect_url: str = ""  # the callback as the provider knows it (behind a TLS proxy); default: from the request

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


def client(settings: OidcSettings) -> Any:
    """The Authlib client of the provider (metadata and keys are fetched on first use)."""
    with warnings.catch_warnings():  # Authlib would like httpx2; httpx is what the project has
        warnings.simplefilter("ignore")
        from authlib.integrations.starlette_client import OAuth

    oauth = OAuth()
    oauth.register(
        "provider",
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        server_metadata_url=settings.metadata_url,
        client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256"},
    )
    return oauth.provider


def claim(claims: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted ``path`` of the claims (None when absent)."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def identity(claims: Mapping[str, Any], settings: OidcSettings) -> tuple[str, list[str]]:
    """``(user name, role names)`` the claims give."""
    name = claim(claims, settings.name_claim) or claims.get("email") or ""
    given = claim(claims, settings.roles_claim) or []
    if isinstance(given, str):
        given = given.replace(",", " ").split()
    roles = [settings.role_map.get(str(r), str(r)) for r in given if isinstance(r, (str, int))]
    return str(name), roles
