"""``backoffice ui`` and ``backoffice users add|remove|list`` (registered in backoffice.cli)."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

users_app = typer.Typer(help="Users of the supervisor UI (kept in the queue database): add, remove, list.",
                        no_args_is_help=True)  # fmt: skip


def _users():
    from backoffice.cli import _config
    from backoffice.web.users import SQLiteUsers

    config = _config(check_paths=False)
    url = config.queue_url
    if not url.startswith("sqlite:///"):
        from backoffice.errors import ConfigError

        raise ConfigError(f"{config.path}: users are kept in a SQLite queue, not {url}")
    from pathlib import Path

    Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    return SQLiteUsers(url.removeprefix("sqlite:///"))


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The user's sign-in name.")],
    role: Annotated[str, typer.Option(help="viewer (reads), supervisor (acts on items) or admin (also sees users).")] = "supervisor",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input instead of asking.")] = False,
) -> None:
    """Add a user of the supervisor UI, or change an existing user's password and role."""
    from backoffice.cli import out

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    users = _users()
    try:
        user = users.add(name, password, role)
    finally:
        users.close()
    out.print(f"user {user.name} ({user.role}) saved")


@users_app.command("remove")
def users_remove(name: Annotated[str, typer.Argument(help="The user's sign-in name.")]) -> None:
    """Remove a user of the supervisor UI and end their sessions."""
    from backoffice.cli import out

    users = _users()
    try:
        users.remove(name)
    finally:
        users.close()
    out.print(f"user {name} removed")


@users_app.command("list")
def users_list(as_json: Annotated[bool, typer.Option("--json", help="Print JSON for scripts instead of tables.")] = False) -> None:
    """List the users of the supervisor UI and their roles."""
    from backoffice.cli import _emit_json, out

    users = _users()
    try:
        found = users.list()
    finally:
        users.close()
    if as_json:
        _emit_json([u.to_dict() for u in found])
        return
    for user in found:
        out.print(f"{user.name}\t{user.role}", markup=False, highlight=False)
    if not found:
        out.print("no users yet: backoffice users add NAME --role supervisor", markup=False)


def ui(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8080,
    session_hours: Annotated[float, typer.Option(help="Sessions expire after this many hours.")] = 8.0,
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

    from backoffice.cli import _config, _store, err
    from backoffice.mail.send import SmtpServer
    from backoffice.web.app import create_app
    from backoffice.web.context import Settings, Workspace

    config = _config(check_paths=False)
    smtp = None
    if smtp_host:
        smtp = SmtpServer(smtp_host, smtp_sender, port=smtp_port, security=smtp_security,  # type: ignore[arg-type]
                          username=smtp_user, password=smtp_password)  # fmt: skip
    settings = Settings(session_seconds=session_hours * 3600, secure_cookies=not insecure_cookies, smtp=smtp)
    ws = Workspace.open(config, _store(config), settings)
    if not ws.users.list():
        err.print("no users yet: add one with `backoffice users add NAME --role admin`", markup=False)
    shown = "localhost" if host in ("127.0.0.1", "::1") else host  # where browsers keep Secure cookies on HTTP
    err.print(f"supervisor UI on http://{shown}:{port}/ (Ctrl-C stops)", markup=False)
    uvicorn.run(create_app(ws), host=host, port=port, log_level="warning", proxy_headers=False)
