"""A private Dovecot for tests: own config on loopback, passwd-file users, Maildir, TLS, OAuth2.

``Dovecot(folder).start()`` runs ``dovecot -F`` as a child process; ``stop()`` ends it. The
folder must be reachable by the ``dovecot`` user (the auth process reads the users file), so it
lives under a 0755 temporary directory, and the mail belongs to a non-root user (``bomail``).
OAuth2 logins (XOAUTH2, OAUTHBEARER) are checked by :class:`TokenServer`, a token
introspection endpoint the tests start.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs

MAIL_USER = "bomail"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_installed() -> None:
    if shutil.which("dovecot") is None:
        subprocess.run(["apt-get", "install", "-y", "-qq", "dovecot-imapd"], check=True, capture_output=True)
    try:
        pwd.getpwnam(MAIL_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", MAIL_USER], check=True)


class TokenServer:
    """OAuth2 token introspection (RFC 7662) for Dovecot: ``tokens`` maps token -> user."""

    def __init__(self):
        self.tokens: dict[str, str] = {}
        self.port = free_port()
        tokens = self.tokens

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", 0))).decode()
                token = parse_qs(body).get("token", [""])[0]
                user = tokens.get(token)
                answer = {"active": "true", "username": user} if user else {"active": "false"}
                data = json.dumps(answer).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> TokenServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class Dovecot:
    def __init__(self, folder: Path, token_server: TokenServer | None = None):
        ensure_installed()
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o755)
        self.port, self.tls_port = free_port(), free_port()
        self.token_server = token_server
        self.process: subprocess.Popen | None = None
        self.users: dict[str, str] = {}
        self.owner = pwd.getpwnam(MAIL_USER)
        self._write_certificate()

    # -- set-up --------------------------------------------------------------------------
    def add_user(self, name: str, password: str) -> None:
        home = self.folder / "home" / name
        (home / "Maildir").mkdir(parents=True, exist_ok=True)
        for path in (self.folder / "home", home, home / "Maildir"):
            os.chown(path, self.owner.pw_uid, self.owner.pw_gid)
        self.users[name] = password
        lines = [
            f"{user}:{{PLAIN}}{secret}:{self.owner.pw_uid}:{self.owner.pw_gid}::{self.folder / 'home' / user}::"
            for user, secret in self.users.items()
        ]
        users = self.folder / "users"
        users.write_text("\n".join(lines) + "\n")
        os.chmod(users, 0o644)

    def _write_certificate(self) -> None:
        self.cert, self.key = self.folder / "cert.pem", self.folder / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
             "-keyout", str(self.key), "-out", str(self.cert)],
            check=True, capture_output=True,
        )  # fmt: skip
        os.chmod(self.key, 0o644)

    def _config(self) -> str:
        oauth = ""
        mechanisms = "plain login"
        if self.token_server is not None:
            ext = self.folder / "oauth2.conf.ext"
            ext.write_text(
                f"introspection_mode = post\nintrospection_url = http://127.0.0.1:{self.token_server.port}/introspect\n"
                "username_attribute = username\nactive_attribute = active\nactive_value = true\n"
            )
            os.chmod(ext, 0o644)
            oauth = f"passdb {{\n  driver = oauth2\n  mechanisms = xoauth2 oauthbearer\n  args = {ext}\n}}\n"
            mechanisms += " xoauth2 oauthbearer"
        f = self.folder
        return f"""
protocols = imap
listen = 127.0.0.1
base_dir = {f / "run"}
state_dir = {f / "state"}
log_path = {f / "dovecot.log"}
ssl = yes
ssl_cert = <{self.cert}
ssl_key = <{self.key}
disable_plaintext_auth = no
auth_mechanisms = {mechanisms}
default_internal_user = dovecot
default_login_user = dovenull
mail_location = maildir:~/Maildir
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Processed {{
    auto = create
  }}
  mailbox Failed {{
    auto = create
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
    ssl = yes
  }}
}}
{oauth}passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {f / "users"}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {f / "users"}
}}
"""

    # -- life ----------------------------------------------------------------------------
    def start(self) -> Dovecot:
        conf = self.folder / "dovecot.conf"
        conf.write_text(self._config())
        os.chmod(conf, 0o644)
        for sub in ("run", "state"):
            (self.folder / sub).mkdir(exist_ok=True)
        self.process = subprocess.Popen(  # its own session: stop() ends every child with it
            ["dovecot", "-F", "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"dovecot exited: {self.process.stderr.read().decode()} {self.log()}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not listen on {self.port}: {self.log()}")

    def stop(self) -> None:
        """End the master and every process it started (imap sessions outlive a master
        stopped alone), like a server that goes down."""
        if self.process is None:
            return
        group = self.process.pid
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(group, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                continue
            time.sleep(0.1)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        path = self.folder / "dovecot.log"
        return path.read_text() if path.exists() else ""

    def __enter__(self) -> Dovecot:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
