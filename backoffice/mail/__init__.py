"""Email as it really arrives: MIME parsing into the documents a bot should read."""

from backoffice.mail.mime import MailLimits, ParsedMail
from backoffice.mail.parse import parse_mail

__all__ = ["MailLimits", "ParsedMail", "parse_mail"]
