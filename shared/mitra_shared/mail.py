"""Sending one e-mail over the SMTP server of `MITRA_SMTP_*` (none, STARTTLS or TLS; a login when configured): the
one way notifications' mails and the console's password-reset mails leave."""

from __future__ import annotations

from email.message import EmailMessage

import aiosmtplib

from mitra_shared.settings import MailingServiceSettings


async def send_mail(settings: MailingServiceSettings, message: EmailMessage) -> None:
    await aiosmtplib.send(
        message,
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        use_tls=settings.smtp_security == "tls",
        start_tls=settings.smtp_security == "starttls",
        timeout=settings.smtp_timeout_seconds,
    )
