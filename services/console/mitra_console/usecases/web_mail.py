"""The console's own e-mail (password reset links), sent over SMTP with the same settings as notifications'
(`MITRA_SMTP_*`)."""

from __future__ import annotations

from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import aiosmtplib


class Mailer(Protocol):
    async def send(self, *, to: str, subject: str, text: str) -> None: ...


@dataclass(frozen=True)
class SmtpMailer:
    host: str
    port: int
    security: str
    username: str | None
    password: str | None
    sender: str
    timeout: float

    async def send(self, *, to: str, subject: str, text: str) -> None:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message.set_content(text)
        await aiosmtplib.send(
            message,
            hostname=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.security == "tls",
            start_tls=self.security == "starttls",
            timeout=self.timeout,
        )
