"""Sending mail: a digest of new exception items to supervisors, and a templated reply to the
sender of a rejected document. SMTP over implicit TLS, STARTTLS, or plain on loopback, with login.

Failures: an unreachable or failing server raises :class:`SmtpDown` (retried); a server that
refuses the login or every recipient raises :class:`SmtpRefused` (a person must fix it).
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from collections.abc import Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from string import Template
from typing import Literal

from backoffice.errors import ApplicationError, BusinessError
from backoffice.queue.base import WorkItem


class SmtpDown(ApplicationError):
    """The SMTP server could not be reached or failed."""


class SmtpRefused(BusinessError):
    """The SMTP server refused the login or the recipients."""


@dataclass
class SmtpServer:
    host: str
    sender: str
    port: int | None = None
    security: Literal["tls", "starttls", "none"] = "starttls"
    username: str | None = None
    password: str | None = None
    ca_file: str | None = None
    timeout: float = 30.0
    ssl_context: ssl.SSLContext | None = field(default=None, repr=False)

    def context(self) -> ssl.SSLContext:
        return self.ssl_context or ssl.create_default_context(cafile=self.ca_file)


def send(server: SmtpServer, message: EmailMessage) -> None:
    if "From" not in message:
        message["From"] = server.sender
    port = server.port or {"tls": 465, "starttls": 587, "none": 25}[server.security]
    where = f"smtp://{server.host}:{port}"
    try:
        if server.security == "tls":
            smtp = smtplib.SMTP_SSL(server.host, port, timeout=server.timeout, context=server.context())
        else:
            smtp = smtplib.SMTP(server.host, port, timeout=server.timeout)
        with smtp:
            if server.security == "starttls":
                smtp.starttls(context=server.context())
            if server.username:
                smtp.login(server.username, server.password or "")
            smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise SmtpRefused(f"{where}: login of {server.username} refused: {exc.smtp_error!r}", code="smtp-login") from exc
    except smtplib.SMTPRecipientsRefused as exc:
        raise SmtpRefused(f"{where}: recipients refused: {', '.join(exc.recipients)}", code="smtp-recipients") from exc
    except (smtplib.SMTPException, OSError, socket.timeout, ssl.SSLError) as exc:
        raise SmtpDown(f"{where}: cannot send: {exc}", code="smtp-unreachable") from exc


def exception_digest(items: Sequence[WorkItem], to: Sequence[str], link: str | None = None) -> EmailMessage:
    """One mail listing new items in the exception queue: id, bot, file and reason."""
    message = EmailMessage()
    message["To"] = ", ".join(to)
    message["Subject"] = f"backoffice: {len(items)} new item(s) in the exception queue"
    message["Message-ID"] = make_msgid(domain="backoffice.invalid")
    lines = [f"{len(items)} item(s) need a person:", ""]
    for item in items:
        name = item.payload.get("file") or item.payload.get("subject") or item.source_key
        lines.append(f"  #{item.id}  {item.bot}  {name}")
        lines.append(f"         {item.reason or ''}")
    lines += ["", f"Review them: {link}" if link else "Review them: backoffice queue list --status exception"]
    message.set_content("\n".join(lines) + "\n")
    return message


DEFAULT_REPLY = Template(
    "Hello,\n\nwe could not process $file that you sent on $date ($subject).\n\n"
    "Reason: $reason\n\nPlease send a corrected document.\n"
)


def rejection_reply(item: WorkItem, template: Template = DEFAULT_REPLY) -> EmailMessage:
    """A reply to the mail an item came from. The template may use $file, $subject, $date,
    $reason and $item; anything else is left as written (string.Template.safe_substitute)."""
    mail = item.payload.get("mail") or {}
    sender = mail.get("from")
    if not sender:
        raise SmtpRefused(f"item {item.id} did not come by mail; there is nobody to reply to", code="reply-no-sender")
    message = EmailMessage()
    message["To"] = sender
    subject = mail.get("subject") or ""
    message["Subject"] = subject if subject.lower().startswith("re:") else f"Re: {subject}".strip()
    if mail.get("message_id"):
        message["In-Reply-To"] = message["References"] = mail["message_id"]
    message["Message-ID"] = make_msgid(domain="backoffice.invalid")
    message.set_content(template.safe_substitute(
        file=item.payload.get("file", "your document"), subject=subject, date=mail.get("date", ""),
        reason=item.reason or "", item=item.id,
    ))  # fmt: skip
    return message
