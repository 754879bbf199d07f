"""``backoffice ui`` and ``backoffice users add|remove|list`` (registered in backoffice.cli)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Optional

import typer

if TYPE_CHECKING:
    from backoffice.queue.users import UserStore

users_app = typer.Typer(help="Users of the supervisor UI (kept in the queue database): add, remove, list.",
                        no_args_is_help=True)  # fmt: skip


@contextmanager
def _users() -> Iterator[UserStore]:
    """The users kept with the deployment's queue (any backend)."""
    from backoffice.commandline import deployment as _config, open_queue as _store

    store = _store(_config(check_paths=False))
    try:
        yield store.users()
    finally:
        store.close()


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The user's sign-in name.")],
    role: Annotated[str, typer.Option(help="viewer (reads), supervisor (acts on items) or admin (also sees users).")] = "supervisor",
    approves: Annotated[Optional[list[str]], typer.Option("--approves", help="An approval role the user holds, as rule files name it (e.g. finance-manager); repeat for several.")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input instead of asking.")] = False,
) -> None:
    """Add a user of the supervisor UI, or change an existing user's password and role."""
    from backoffice.commandline import out

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with _users() as users:
        user = users.add(name, password, role, approves or [])
    out.print(f"user {user.name} ({', '.join([user.role, *user.roles])}) saved")


@users_app.command("remove")
def users_remove(name: Annotated[str, typer.Argument(help="The user's sign-in name.")]) -> None:
    """Remove a user of the supervisor UI and end their sessions."""
    from backoffice.commandline import out

    with _users() as users:
        users.remove(name)
    out.print(f"user {name} removed")


@users_app.command("list")
def users_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")] = False) -> None:
    """List the users of the supervisor UI and their roles."""
    from backoffice.commandline import emit_json as _emit_json, out

    with _users() as users:
        found = users.list()
    if as_json:
        _emit_json([u.to_dict() for u in found])
        return
    for user in found:
        out.print(f"{user.name}\t{user.role}\t{','.join(user.roles)}", markup=False, highlight=False)
    if not found:
        out.print("no users yet: backoffice users add NAME --role supervisor", markup=False)


def ui(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    session_hours: Annotated[float, typer.Option(help="Sessions expire after this many hours.")] = 8.0,
    idle_minutes: Annotated[float, typer.Option(min=1, help="A session unused for this many minutes ends.")] = 30.0,
    trusted_proxy: Annotated[Optional[str], typer.Option(help="Behind a reverse proxy: its address (or a comma-separated list); the client's address is then taken from its X-Forwarded-For, for sign-in throttling and records.")] = None,
    oidc_issuer: Annotated[Optional[str], typer.Option(help="Sign in with this OpenID provider too (its issuer URL, e.g. https://login.microsoftonline.com/TENANT/v2.0).", envvar="BACKOFFICE_OIDC_ISSUER")] = None,
    oidc_client_id: Annotated[Optional[str], typer.Option(help="The UI's client id at the OpenID provider.", envvar="BACKOFFICE_OIDC_CLIENT_ID")] = None,
    oidc_client_secret: Annotated[Optional[str], typer.Option(help="Its client secret.", envvar="BACKOFFICE_OIDC_CLIENT_SECRET")] = None,
    oidc_name_claim: Annotated[str, typer.Option(help="The ID token claim that names the user.")] = "preferred_username",
    oidc_roles_claim: Annotated[str, typer.Option(help="The claim that lists the user's roles (dotted path, e.g. realm_access.roles).")] = "roles",
    oidc_redirect_url: Annotated[Optional[str], typer.Option(help="The callback URL registered at the provider, when the UI is behind a proxy (https://HOST/login/oidc/callback).")] = None,
    oidc_role: Annotated[Optional[list[str]], typer.Option(help="Rename a role the provider gives: PROVIDER=OURS (e.g. AP.Approver=finance-manager); repeat for several.")] = None,
    insecure_cookies: Annotated[bool, typer.Option("--insecure-cookies", help="Send the session cookie over plain HTTP too (only for a trusted network; browsers accept Secure cookies on localhost).")] = False,
    smtp_host: Annotated[Optional[str], typer.Option(help="SMTP server for replies to rejected mail.")] = None,
    smtp_port: Annotated[Optional[int], typer.Option(help="SMTP port (default by --smtp-security).")] = None,
    smtp_security: Annotated[str, typer.Option(help="tls, starttls or none (loopback only).")] = "starttls",
    smtp_sender: Annotated[str, typer.Option(help="From address of replies.")] = "backoffice@localhost",
    smtp_user: Annotated[Optional[str], typer.Option(help="SMTP login.", envvar="BACKOFFICE_SMTP_USER")] = None,
    smtp_password: Annotated[Optional[str], typer.Option(help="SMTP password.", envvar="BACKOFFICE_SMTP_PASSWORD")] = None,
) -> None:
    """Serve the supervisor UI: dashboard, exception queue and item pages (sign in with `backoffice users add`)."""
    import uvicorn

    from backoffice.commandline import deployment as _config, err, open_queue as _store
    from backoffice.mail.send import SmtpServer
    from backoffice.web.app import create_app
    from backoffice.web.context import Settings, Workspace

    config = _config(check_paths=False)
    smtp = None
    if smtp_host:
        smtp = SmtpServer(smtp_host, smtp_sender, port=smtp_port, security=smtp_security,  # type: ignore[arg-type]
                          username=smtp_user, password=smtp_password)  # fmt: skip
    oidc = None
    if oidc_issuer:
        from backoffice.errors import ConfigError
        from backoffice.web.oidc import OidcSettings

        if not (oidc_client_id and oidc_client_secret):
            raise ConfigError("--oidc-issuer needs --oidc-client-id and --oidc-client-secret (or BACKOFFICE_OIDC_*)")
        if any("=" not in given for given in oidc_role or []):
            raise ConfigError("--oidc-role takes PROVIDER=OURS, e.g. AP.Approver=finance-manager")
        renamed = dict(given.split("=", 1) for given in oidc_role or [])
        oidc = OidcSettings(oidc_issuer, oidc_client_id, oidc_client_secret, oidc_name_claim, oidc_roles_claim,
                            renamed, redirect_url=oidc_redirect_url or "")
    settings = Settings(session_seconds=session_hours * 3600, idle_seconds=idle_minutes * 60,
                        secure_cookies=not insecure_cookies, smtp=smtp, oidc=oidc)
    ws = Workspace.open(config, _store(config), settings)
    if not ws.users.list():
        err.print("no users yet: add one with `backoffice users add NAME --role admin`", markup=False)
    shown = "localhost" if host in ("127.0.0.1", "::1") else host  # where browsers keep Secure cookies on HTTP
    err.print(f"supervisor UI on http://{shown}:{port}/ (Ctrl-C stops)", markup=False)
    uvicorn.run(create_app(ws), host=host, port=port, log_level="warning", proxy_headers=bool(trusted_proxy),
                forwarded_allow_ips=trusted_proxy or "")
