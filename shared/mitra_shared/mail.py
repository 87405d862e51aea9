"""Sending e-mail over the SMTP server of `MITRA_SMTP_*` (none, STARTTLS or TLS; a login when configured): the one
way notifications' mails and the console's password-reset mails leave.

`send_mail` opens a connection for one message (the console's rare mails). `MailConnection` keeps one open across
messages (notifications' delivery sends one after another over it), so that connecting, TLS and the login happen
once rather than per message. A kept connection that the server closed while it was idle is found out before any of
the next message reached the server, and that message goes over a new connection at once; a connection that breaks
once a message's DATA began fails that message, as a connection of its own would: the server may have taken it, so
the caller records the attempt and retries it later, as before.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from typing import Any

import aiosmtplib

from mitra_shared.settings import MailingServiceSettings


class _Client(aiosmtplib.SMTP):
    """aiosmtplib's client, telling whether the message in hand got as far as DATA."""

    data_began = False

    async def data(self, *args: Any, **kwargs: Any) -> aiosmtplib.SMTPResponse:
        self.data_began = True
        return await super().data(*args, **kwargs)


def _client(settings: MailingServiceSettings) -> _Client:
    return _Client(
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=settings.smtp_username,
        password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
        use_tls=settings.smtp_security == "tls",
        start_tls=settings.smtp_security == "starttls",
        timeout=settings.smtp_timeout_seconds,
    )


async def send_mail(settings: MailingServiceSettings, message: EmailMessage) -> None:
    """Send one message over a connection of its own."""
    async with _client(settings) as client:
        await client.send_message(message)


class MailConnection:
    """One SMTP connection to the configured server, opened when first needed and kept; one message at a time."""

    def __init__(self, settings: MailingServiceSettings) -> None:
        self._settings = settings
        self._client: _Client | None = None
        self._lock = asyncio.Lock()

    async def send(self, message: EmailMessage) -> None:
        """Send a message as the email package writes it."""
        await self._transact(lambda client: client.send_message(message))

    async def send_bytes(self, *, sender: str, recipients: list[str], data: bytes) -> None:
        """Send a message already written out (ASCII: 7-bit headers and bodies, ASCII addresses)."""
        await self._transact(lambda client: client.sendmail(sender, recipients, data))

    async def _transact(self, send: Callable[[_Client], Awaitable[object]]) -> None:
        async with self._lock:
            reused = self._client is not None and self._client.is_connected
            try:
                await self._send(send)
            except aiosmtplib.SMTPServerDisconnected:
                stale = reused and self._client is not None and not self._client.data_began
                self._forget()
                if not stale:
                    raise
                await self._send(send)  # the server had closed the idle connection: nothing of it was sent

    async def close(self) -> None:
        """Say goodbye to the server (QUIT) and close the connection."""
        async with self._lock:
            client = self._client
            if client is not None and client.is_connected:
                with contextlib.suppress(Exception):
                    await client.quit()
            self._forget()

    async def _send(self, send: Callable[[_Client], Awaitable[object]]) -> None:
        client = self._client
        if client is None or not client.is_connected:
            self._forget()
            client = _client(self._settings)
            try:
                await client.connect()
            except BaseException:
                client.close()
                raise
            self._client = client
        client.data_began = False
        try:
            await send(client)
        except (aiosmtplib.SMTPResponseException, aiosmtplib.SMTPRecipientsRefused):
            if not client.is_connected:
                self._forget()
            raise  # the server refused this message; aiosmtplib reset the envelope and the connection goes on
        except aiosmtplib.SMTPServerDisconnected:
            raise  # `send` decides whether the message may go over a new connection
        except BaseException:
            self._forget()
            raise

    def _forget(self) -> None:
        if self._client is not None:
            self._client.close()
        self._client = None
