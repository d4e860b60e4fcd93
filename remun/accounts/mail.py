"""Sending a personal link by email, when a mail server is configured (optional; no Flask here).

Remun never needs a mail server: links are shown to the administrator or
project lead who made them, to hand over. When ``REMUN_SMTP_HOST`` is set, the
link is also emailed to the account's address with smtplib.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

#: How the connection to the mail server is protected.
SECURITY_CHOICES = ("starttls", "ssl", "none")


class MailProblem(Exception):
    """The message could not be sent (the reason is for the server log, not for people)."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    security: str = "starttls"
    username: str | None = None
    password: str | None = None
    timeout: float = 10.0

    @classmethod
    def from_config(cls, config: Mapping[str, object]) -> SmtpSettings | None:
        """The settings from REMUN_SMTP_* values, or None when no mail server is configured."""
        host = str(config.get("REMUN_SMTP_HOST") or "").strip()
        if not host:
            return None
        security = str(config.get("REMUN_SMTP_SECURITY") or "starttls").strip().lower()
        if security not in SECURITY_CHOICES:
            raise ValueError(f"REMUN_SMTP_SECURITY must be one of {', '.join(SECURITY_CHOICES)}, not {security!r}")
        default_port = {"starttls": 587, "ssl": 465, "none": 25}[security]
        sender = str(config.get("REMUN_SMTP_FROM") or "").strip()
        if not sender:
            raise ValueError("REMUN_SMTP_FROM (the address emails come from) is needed with REMUN_SMTP_HOST")
        return cls(
            host=host,
            port=int(config.get("REMUN_SMTP_PORT") or default_port),
            sender=sender,
            security=security,
            username=str(config.get("REMUN_SMTP_USERNAME") or "") or None,
            password=str(config.get("REMUN_SMTP_PASSWORD") or "") or None,
        )


def message(settings: SmtpSettings, to: str, subject: str, body: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = settings.sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2] or None)
    mail.set_content(body)
    return mail


def send(settings: SmtpSettings, to: str, subject: str, body: str) -> None:
    """Send one plain-text message, or raise MailProblem."""
    mail = message(settings, to, subject, body)
    try:
        if settings.security == "ssl":
            server = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                      context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        with server:
            if settings.security == "starttls":
                server.starttls(context=ssl.create_default_context())
            if settings.username:
                server.login(settings.username, settings.password or "")
            server.send_message(mail)
    except (OSError, smtplib.SMTPException) as exc:
        # The reason goes to the log; never the message itself (it holds the link).
        raise MailProblem(f"{type(exc).__name__}: {exc}") from exc
