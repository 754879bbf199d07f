"""Sign-in with OpenID Connect against a real provider over HTTP (oidc-provider-mock, an
Authlib-based provider: discovery, dynamic client registration, authorization code with PKCE,
signed ID tokens, JWKS), started by the test on loopback."""

from __future__ import annotations

import shutil
import warnings
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from backoffice.config import load_config
from backoffice.queue import open_store
from backoffice.web.app import create_app
from backoffice.web.context import Settings, Workspace
from backoffice.web.oidc import OidcSettings

pytestmark = pytest.mark.integration
CALLBACK = "https://testserver/login/oidc/callback"
PEOPLE = {
    "carol": {
        "preferred_username": "carol",
        "email": "carol@example.com",
        "groups": ["AP.Approver", "supervisor", "All Staff"],
    },
    "alice": {"preferred_username": "alice", "groups": ["admin"]},
    "dave": {"preferred_username": "dave", "email": "dave@example.com", "groups": ["Everyone"]},
}


@pytest.fixture(scope="module")
def provider():
    from oidc_provider_mock import User, run_server_in_thread

    users = [User(sub=f"{name}-sub", claims=claims) for name, claims in PEOPLE.items()]
    with run_server_in_thread(require_client_registration=True, require_nonce=True, user_claims=users) as server:
        url = f"http://localhost:{server.server_port}"
        registered = httpx.post(f"{url}/oauth2/clients", json={"redirect_uris": [CALLBACK]}).raise_for_status().json()
        yield url, registered


@pytest.fixture(params=["callback from the request", "callback given"])
def client(provider, tmp_path, request):
    url, registered = provider
    folder = tmp_path / "ws"
    shutil.copytree(_demo_workspace(tmp_path), folder)
    config = load_config(folder / "bots.yaml")
    store = open_store(config.queue_url)
    oidc = OidcSettings(url, registered["client_id"], registered["client_secret"], roles_claim="groups",
                        role_map={"AP.Approver": "finance-manager"},
                        redirect_url=CALLBACK if request.param == "callback given" else "")  # fmt: skip
    ws = Workspace.open(config, store, Settings(oidc=oidc))
    with warnings.catch_warnings():  # starlette would like httpx2; httpx is what the project has
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

        test_client = TestClient(create_app(ws), base_url="https://testserver", follow_redirects=False)
    with test_client:
        test_client.ws = ws
        yield test_client
    ws.close()
    store.close()


def _demo_workspace(tmp_path):
    from backoffice.demo.run import run_demo
    from tests.conftest import ROOT

    folder = tmp_path / "demo"
    run_demo(ROOT / "bots.yaml", folder, count=2, seed=7, portal=False)
    return folder


def sign_in_at_provider(client, who: str, state: str | None = None) -> httpx.Response:
    """Start at our /login/oidc, choose ``who`` on the provider's own form, come back."""
    start = client.get("/login/oidc?next=/exceptions")
    assert start.status_code == 302, start.text
    authorize = start.headers["location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["redirect_uri"] == [CALLBACK]
    form = httpx.get(authorize)
    assert form.status_code == 200 and 'name="sub"' in form.text  # the provider's authorization page
    back = httpx.post(authorize, data={"sub": f"{who}-sub"})
    assert back.status_code == 302 and back.headers["location"].startswith(CALLBACK)
    callback = urlsplit(back.headers["location"])
    params = parse_qs(callback.query)
    if state is not None:
        params["state"] = [state]
    return client.get(callback.path, params={k: v[0] for k, v in params.items()})


def test_a_provider_user_signs_in_with_the_roles_the_claim_gives(client):
    signed = sign_in_at_provider(client, "carol")
    assert signed.status_code == 303 and signed.headers["location"] == "/exceptions", signed.text
    assert client.get("/exceptions").status_code == 200
    carol = client.ws.users.get("carol")
    assert carol.role == "supervisor" and carol.roles == ("finance-manager",)
    assert client.ws.users.verify("carol", "") is None  # no password to guess
    [record] = client.ws.users.sign_ins(name="carol")
    assert record.outcome == "ok" and record.address == "testclient"


def test_a_claim_without_a_backoffice_role_is_refused(client):
    refused = sign_in_at_provider(client, "dave")
    assert refused.status_code == 403 and "gives dave no backoffice role (groups: Everyone)" in refused.text
    assert client.get("/exceptions").status_code == 303  # not signed in
    assert client.ws.users.get("dave") is None


def test_a_forged_state_is_refused(client):
    refused = sign_in_at_provider(client, "carol", state="forged")
    assert refused.status_code == 401 and "did not check out" in refused.text
    assert client.get("/exceptions").status_code == 303


def test_the_sign_in_page_offers_the_provider(client):
    page = client.get("/login")
    assert 'href="/login/oidc?next=/"' in page.text or 'href="/login/oidc?next=%2F"' in page.text


def test_a_local_user_with_a_password_is_not_taken_over(client):
    client.ws.users.add("alice", "alice-pass-1", "viewer")
    refused = sign_in_at_provider(client, "alice")
    assert refused.status_code == 403 and "alice is a local user with a password here" in refused.text
    assert client.ws.users.verify("alice", "alice-pass-1").role == "viewer"
