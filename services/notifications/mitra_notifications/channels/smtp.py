"""Sending e-mail over SMTP (STARTTLS or TLS, with authentication when configured)."""

from __future__ import annotations

from email.message import EmailMessage

from mitra_notifications.domain.deliveries import message_id as stable_message_id
from mitra_notifications.settings import NotificationsSettings
from mitra_shared.mail import send_mail


class SmtpMailer:
    def __init__(self, settings: NotificationsSettings) -> None:
        self._settings = settings

    async def send(self, *, to: str, subject: str, text: str, html: str, message_id: str) -> None:
        """Send one e-mail; `message_id` is the notification's (or the digest's) id."""
        settings = self._settings
        message = EmailMessage()
        message["From"] = settings.smtp_from
        message["To"] = to
        message["Subject"] = subject
        # The same Message-ID on every attempt and resend lets a mail server or client recognise the duplicate.
        message["Message-ID"] = stable_message_id(message_id, settings.smtp_from.split("@", 1)[1])
        message["X-Mitra-Notification-Id"] = message_id
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        await send_mail(settings, message)
