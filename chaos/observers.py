"""What the chaos run watches from outside the system:

- `MailRecorder`: an SMTP server in the run's own event loop that records every message it accepts: its recipients
  and the command token it names (each NGO is registered as "Chaos NGO <token>", which its mail shows).
- `OutsideQueue`: an outside government system's durable quorum queue bound `#` on `<ns>.events`, consumed with
  acknowledgements, as a real subscriber would (an exclusive queue would vanish with its connection when connections
  are dropped, and its messages with it). Redeliveries (at least once) are counted, not treated as faults.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
from collections import Counter
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractRobustConnection
from aiosmtpd.smtp import SMTP, Envelope, Session

from mitra_shared.amqp_nodes import connection_options, parse_nodes
from mitra_shared.topology import Names

NGO_PREFIX = "Chaos NGO "
TOKEN_PATTERN = re.compile(re.escape(NGO_PREFIX) + r"([0-9a-f]{16})")


def token_in(content: bytes) -> tuple[str | None, str]:
    """The command token a mail names (in its subject, else in its plain text) and its Message-ID."""
    message = message_from_bytes(content, policy=policy.default)
    message_id = str(message.get("Message-ID", "")).strip()
    return _token(message), message_id


def _token(message: EmailMessage) -> str | None:
    subject = str(make_header(decode_header(str(message.get("Subject", "")))))
    if match := TOKEN_PATTERN.search(subject):
        return match[1]
    body = message.get_body(("plain",)) if isinstance(message, EmailMessage) else None
    match = TOKEN_PATTERN.search(str(body.get_content())) if body is not None else None
    return match[1] if match else None


class MailRecorder:
    """Accepts every mail and counts it per (token, recipient), and per Message-ID too (notifications gives each
    notification's mail the notification's id: the same mail delivered again keeps it); mails that name no token are
    counted apart."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.by_token_and_recipient: Counter[tuple[str, str]] = Counter()
        self.message_ids: dict[tuple[str, str], set[str]] = {}
        self.without_token = 0
        self._server: asyncio.AbstractServer | None = None

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        token, message_id = token_in(envelope.original_content or b"")
        if token is None:
            self.without_token += 1
        else:
            for recipient in envelope.rcpt_tos:
                key = (token, recipient.lower())
                self.by_token_and_recipient[key] += 1
                self.message_ids.setdefault(key, set()).add(message_id)
        return "250 OK"

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: SMTP(self, hostname="chaos.localhost"), self.host, self.port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)


class OutsideQueue:
    """An outside subscriber: `deliveries` counts every delivery of every event id."""

    def __init__(self, amqp_url: str, namespace: str, *, other_nodes: str = "") -> None:
        self.amqp_url = amqp_url
        # A subscriber of a cluster gives its client every node (as Mitra's services do, MITRA_AMQP_NODES).
        self.connection_options = connection_options(amqp_url, parse_nodes(other_nodes))
        self.names = Names(namespace)
        self.queue_name = f"{namespace}.chaos-outside-subscriber"
        self.deliveries: Counter[str] = Counter()
        self.undecodable = 0
        self._connection: AbstractRobustConnection | None = None

    async def start(self) -> None:
        self._connection = await aio_pika.connect_robust(
            self.amqp_url, client_properties={"connection_name": "chaos-outside-subscriber"}, **self.connection_options
        )
        channel = await self._connection.channel()
        await channel.set_qos(prefetch_count=200)
        exchange = await channel.get_exchange(self.names.events_exchange, ensure=True)
        queue = await channel.declare_queue(self.queue_name, durable=True, arguments={"x-queue-type": "quorum"})
        await queue.bind(exchange, routing_key="#")
        await queue.consume(self._on_message)

    async def _on_message(self, message: AbstractIncomingMessage) -> None:
        try:
            event_id = str(json.loads(message.body)["id"])
        except (ValueError, KeyError, TypeError):
            self.undecodable += 1
        else:
            self.deliveries[event_id] += 1
        with contextlib.suppress(Exception):  # a channel closed under us: the message comes again
            await message.ack()

    async def stop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.close()
            self._connection = None
