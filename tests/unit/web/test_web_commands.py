"""``backoffice users add|remove|list`` and ``backoffice ui --help``."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from backoffice.cli import app
from backoffice.web.users import SQLiteUsers

runner = CliRunner()


def test_users_add_list_remove(deployment):
    path = deployment("""
        bots:
          - name: invoices
            source: {kind: folder, path: inbox, create: true}
        """)  # fmt: skip
    added = runner.invoke(app, ["-c", str(path), "users", "add", "alice", "--role", "viewer", "--password-stdin"],
                          input="a long password\n")  # fmt: skip
    assert added.exit_code == 0, added.output
    users = SQLiteUsers(path.parent / "work" / "queue.db")
    assert users.verify("alice", "a long password").role == "viewer"
    listed = runner.invoke(app, ["-c", str(path), "users", "list", "--json"])
    assert json.loads(listed.stdout) == [{"name": "alice", "role": "viewer", "roles": []}]
    approver = runner.invoke(app, ["-c", str(path), "users", "add", "fran", "--approves", "finance-manager",
                                   "--approves", "cfo", "--password-stdin"], input="a long password\n")  # fmt: skip
    assert approver.exit_code == 0 and "user fran (supervisor, cfo, finance-manager) saved" in approver.output
    assert users.verify("fran", "a long password").roles == ("cfo", "finance-manager")
    bad = runner.invoke(app, ["-c", str(path), "users", "add", "fred", "--approves", "Finance Manager",
                              "--password-stdin"], input="a long password\n")  # fmt: skip
    assert bad.exit_code != 0 and "approval role 'Finance Manager'" in str(bad.exception)
    users.remove("fran")
    refused = runner.invoke(app, ["-c", str(path), "users", "add", "bob", "--role", "root", "--password-stdin"],
                            input="a long password\n")  # fmt: skip
    assert refused.exit_code != 0 and "role 'root'" in str(refused.exception)
    assert runner.invoke(app, ["-c", str(path), "users", "remove", "alice"]).exit_code == 0
    assert users.list() == []
    users.close()


def test_ui_has_help_with_its_options():
    result = runner.invoke(app, ["ui", "--help"])
    assert result.exit_code == 0 and "--port" in result.output and "--host" in result.output
    assert "--idle-minutes" in result.output and "--oidc-issuer" in result.output


def test_ui_refuses_an_incomplete_openid_setup(deployment, monkeypatch):
    for name in ("BACKOFFICE_OIDC_CLIENT_ID", "BACKOFFICE_OIDC_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    path = deployment("""
        bots:
          - name: invoices
            source: {kind: folder, path: inbox, create: true}
        """)  # fmt: skip
    result = runner.invoke(app, ["-c", str(path), "ui", "--oidc-issuer", "https://login.example.com"])
    assert result.exit_code != 0 and "--oidc-issuer needs --oidc-client-id" in str(result.exception)
    result = runner.invoke(app, ["-c", str(path), "ui", "--oidc-issuer", "https://login.example.com", "--oidc-client-id",
                                 "ui", "--oidc-client-secret", "s", "--oidc-role", "no-equals-sign"])  # fmt: skip
    assert result.exit_code != 0 and "--oidc-role takes PROVIDER=OURS" in str(result.exception)


def test_ui_takes_the_client_address_from_a_trusted_proxy_only(deployment, monkeypatch):
    import uvicorn

    served = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: served.append((app.state.workspace, options)))
    path = deployment("""
        bots:
          - name: invoices
            source: {kind: folder, path: inbox, create: true}
        """)  # fmt: skip
    assert runner.invoke(app, ["-c", str(path), "ui", "--idle-minutes", "10"]).exit_code == 0
    assert runner.invoke(app, ["-c", str(path), "ui", "--trusted-proxy", "10.0.0.5"]).exit_code == 0
    assert [(o["proxy_headers"], o["forwarded_allow_ips"]) for _, o in served] == [(False, ""), (True, "10.0.0.5")]
    assert [ws.settings.idle_seconds for ws, _ in served] == [600, 1800]
    for ws, _ in served:
        ws.close()
