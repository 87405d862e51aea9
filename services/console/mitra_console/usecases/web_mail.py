"""The console's own e-mail (password reset links), sent over SMTP with the same settings as notifications'
(`MITRA_SMTP_*`)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

from mitra_shared.mail import send_mail
from mitra_shared.settings import MailingServiceSettings


class Mailer(Protocol):
    async def send(self, *, to: str, subject: str, text: str) -> None: ...


@dataclass(frozen=True)
class SmtpMailer:
    settings: MailingServiceSettings

    async def send(self, *, to: str, subject: str, text: str) -> None:
        message = EmailMessage()
        message["From"] = str(self.settings.smtp_from)
        message["To"] = to
        message["Subject"] = subject
        message.set_content(text)
        await send_mail(self.settings, message)
