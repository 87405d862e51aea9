"""An SMTP server in the test process (aiosmtpd, in a thread of its own) and what it received.

with SmtpServer(port) as smtp:        # or smtp = SmtpServer(port); ... smtp.start() ... smtp.stop()
    ...
    smtp.mailbox.to("tpoa@kemlu.example")   # the messages for that address, parsed
"""

from __future__ import annotations

import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Self

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from mitra_devtools.launcher import free_port


class Mailbox:
    """What the SMTP server received, parsed, readable from any thread (the server runs in its own)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._received: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        parsed = message_from_bytes(envelope.original_content or b"", policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self._lock:
            self._received.append((list(envelope.rcpt_tos), parsed))
        return "250 OK"

    @property
    def messages(self) -> list[EmailMessage]:
        """Every message, in arrival order."""
        with self._lock:
            return [message for _, message in self._received]

    def to(self, address: str) -> list[EmailMessage]:
        """The messages whose envelope named `address` as a recipient."""
        with self._lock:
            return [message for recipients, message in self._received if address in recipients]

    def count(self) -> int:
        with self._lock:
            return len(self._received)


class SmtpServer:
    """An SMTP server on 127.0.0.1:`port` (a free one if not given) that keeps every message in `mailbox`.
    It may be started after the code under test already tries to send (an outage that ends)."""

    def __init__(self, port: int | None = None, mailbox: Mailbox | None = None) -> None:
        self.port = port or free_port()
        self.mailbox = mailbox or Mailbox()
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self.running = False

    def start(self) -> None:
        self._controller.start()
        self.running = True

    def stop(self) -> None:
        if self.running:
            self._controller.stop()
            self.running = False

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()
