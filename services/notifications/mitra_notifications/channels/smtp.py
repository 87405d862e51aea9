"""Sending e-mail over SMTP (STARTTLS or TLS, with authentication when configured), over connections kept open
across messages (`mitra_shared.mail.MailConnection`): one by default; the delivery worker keeps a few
(`MITRA_SMTP_CONNECTIONS`), each opened only when the others are busy, so that mails go out side by side when a busy
consumer beside them makes each SMTP exchange wait for the event loop.

A notification's e-mail is written out here directly (multipart/alternative, plain text and HTML in UTF-8, quoted-
printable; a subject that is not plain ASCII as RFC 2047 encoded words): the email package's `EmailMessage` took
about a millisecond of CPU per message to build and flatten, more than the rest of its delivery. An address that is
not plain ASCII (which needs SMTPUTF8), or a subject with a line break (which it refuses), still goes through
`EmailMessage`.
"""

from __future__ import annotations

import asyncio
import binascii
import re
import secrets
from email.header import Header
from email.message import EmailMessage

from mitra_notifications.domain.deliveries import message_id as stable_message_id
from mitra_notifications.settings import NotificationsSettings
from mitra_shared.mail import MailConnection

_LONGEST_PLAIN_SUBJECT = 900  # a header line may not pass 998 characters
_LINE_BREAK = re.compile(r"[\r\n]")


class SmtpMailer:
    def __init__(self, settings: NotificationsSettings, *, connections: int = 1) -> None:
        self._sender = str(settings.smtp_from)
        self._domain = self._sender.split("@", 1)[1]
        self._connections = [MailConnection(settings) for _ in range(max(1, connections))]
        # Last in, first out: the connection used last (open) goes again; the others open only when it is busy.
        self._idle: asyncio.LifoQueue[MailConnection] = asyncio.LifoQueue()
        for connection in reversed(self._connections):
            self._idle.put_nowait(connection)

    async def send(self, *, to: str, subject: str, text: str, html: str, message_id: str) -> None:
        """Send one e-mail; `message_id` is the notification's (or the digest's) id."""
        # The same Message-ID on every attempt and resend lets a mail server or client recognise the duplicate.
        headers = {
            "From": self._sender,
            "To": to,
            "Subject": subject,
            "Message-ID": stable_message_id(message_id, self._domain),
            "X-Mitra-Notification-Id": message_id,
        }
        connection = await self._idle.get()
        try:
            if _plain(self._sender) and _plain(to) and _plain(message_id) and not _LINE_BREAK.search(subject):
                data = compose(headers, text=text, html=html)
                await connection.send_bytes(sender=self._sender, recipients=[to], data=data)
                return
            message = EmailMessage()
            for name, value in headers.items():
                message[name] = value
            message.set_content(text)
            message.add_alternative(html, subtype="html")
            await connection.send(message)
        finally:
            self._idle.put_nowait(connection)

    async def aclose(self) -> None:
        for connection in self._connections:
            await connection.close()


def compose(headers: dict[str, str], *, text: str, html: str) -> bytes:
    """The message: `headers` (whose values but the subject are plain ASCII), then the text and its HTML."""
    boundary = f"=_mitra_{secrets.token_hex(12)}"  # "=" never occurs in quoted-printable text
    lines = [f"{name}: {_subject(value) if name == 'Subject' else value}" for name, value in headers.items()]
    lines += ["MIME-Version: 1.0", f'Content-Type: multipart/alternative; boundary="{boundary}"', ""]
    head = "\r\n".join(lines).encode("ascii")
    return b"".join(
        [
            head,
            *(_part(boundary, subtype, body) for subtype, body in (("plain", text), ("html", html))),
            f"\r\n--{boundary}--\r\n".encode("ascii"),
        ]
    )


def _part(boundary: str, subtype: str, body: str) -> bytes:
    return (
        f'\r\n--{boundary}\r\nContent-Type: text/{subtype}; charset="utf-8"\r\n'
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
    ).encode("ascii") + binascii.b2a_qp(body.encode("utf-8"), istext=True)


def _subject(subject: str) -> str:
    if _plain(subject) and "=?" not in subject and len(subject) <= _LONGEST_PLAIN_SUBJECT:
        return subject  # ("=?" would read as the start of an encoded word)
    return Header(subject, "utf-8", header_name="Subject").encode(linesep="\r\n")


def _plain(value: str) -> bool:
    """Printable ASCII only: nothing to encode, and no line break that could start a header of its own."""
    return value.isascii() and value.isprintable()
