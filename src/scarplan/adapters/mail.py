"""Delivering one e-mail over SMTP (smtplib). What to send and when is the outbox's business."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formataddr, formatdate
from typing import Protocol

from scarplan.settings import Settings


@dataclass(frozen=True)
class OutgoingMail:
    recipient: str
    subject: str
    text_body: str
    html_body: str
    message_id: str
    """The Message-ID header, kept with the queued row so a retry sends the same message."""
    headers: dict[str, str] = field(default_factory=dict)


class MailTransport(Protocol):
    def send(self, mail: OutgoingMail) -> None:
        """Hand `mail` to the mail server or raise OSError / smtplib.SMTPException."""


def mime_message(mail: OutgoingMail, sender: str, sender_name: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = formataddr((sender_name, sender))
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = mail.message_id
    for name, value in mail.headers.items():
        message[name] = value
    message.set_content(mail.text_body)
    message.add_alternative(mail.html_body, subtype="html")
    return message


class SmtpTransport:
    """One connection per message: the sender runs every few seconds, not in a tight loop."""

    def __init__(self, settings: Settings) -> None:
        if settings.smtp_host is None:
            raise ValueError("no SMTP host configured")
        self._settings = settings
        self._host = settings.smtp_host

    def send(self, mail: OutgoingMail) -> None:
        settings = self._settings
        message = mime_message(mail, settings.mail_from, settings.clinic_name)
        timeout = settings.smtp_timeout_s
        client: smtplib.SMTP
        if settings.smtp_security == "ssl":
            client = smtplib.SMTP_SSL(
                self._host,
                settings.smtp_port,
                timeout=timeout,
                context=ssl.create_default_context(),
            )
        else:
            client = smtplib.SMTP(self._host, settings.smtp_port, timeout=timeout)
        with client:
            if settings.smtp_security == "starttls":
                client.starttls(context=ssl.create_default_context())
            if settings.smtp_username is not None:
                password = (
                    settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                )
                client.login(settings.smtp_username, password)
            client.send_message(message)
