"""What the benchmark watches, each recording when (time.monotonic(), the clock the load generator also uses)
it first saw a registration's effect:

- `Subscriber`: an outside system's queue on `<ns>.events`; the time the event is delivered to it, keyed on the
  CloudEvents subject (the organization id) read from the `cloudEvents_subject` header.
- `SmtpSink`: an SMTP server in the benchmark's own event loop; the time the mail's DATA is accepted, keyed on the
  unique token each command carries where its mail shows it: the NGO's name or the MSP's number (in the subject),
  the visit's purpose or the report's summary (in the text).
- `TablePoller`: polls a table in a service's own database for rows past a watermark; for reporting, the event log
  row that its projection update commits with (same transaction), so the row's visibility is the projection's.
  Resolution: the poll interval plus one query (about 0.3 ms).
- `InboxCounter`: how many events of some types each consuming service has applied (its inbox), for sustained
  rates.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Sequence
from email import message_from_bytes, policy
from email.header import decode_header, make_header
from email.message import EmailMessage
from email.parser import BytesHeaderParser

import asyncpg
from aio_pika.abc import AbstractIncomingMessage
from aiosmtpd.smtp import SMTP, Envelope, Session

from bench.queries import QUERIES
from mitra_devtools.subscriber import EventTap

# Where each command's token shows in its mail (bench/load.py, bench/mix.py write them so).
TOKEN_PATTERN = re.compile(r"(?:Bench NGO |MSP/BENCH/|Bench visit |Bench report )([0-9a-f]{16})")
RAW_TOKEN_PATTERN = re.compile(TOKEN_PATTERN.pattern.encode())


class Subscriber(EventTap):
    """An outside system's queue (the same tap the tests subscribe with); notes when each subject first arrived."""

    def __init__(self, amqp_url: str, namespace: str, routing_keys: Sequence[str]) -> None:
        super().__init__(amqp_url, namespace, routing_keys, connection_name="mitra-bench-subscriber")
        self.arrivals: dict[str, float] = {}
        self.deliveries = 0

    async def on_message(self, message: AbstractIncomingMessage) -> None:
        seen = time.monotonic()
        self.deliveries += 1
        subject = (message.headers or {}).get("cloudEvents_subject")
        if isinstance(subject, bytes):
            subject = subject.decode()
        if isinstance(subject, str):
            self.arrivals.setdefault(subject, seen)


class SmtpSink:
    """Accepts every mail, keeps no content: counts it and notes when the NGO it names was mailed about."""

    def __init__(self, host: str, port: int) -> None:
        self._host = host
        self._port = port
        self._server: asyncio.AbstractServer | None = None
        self._parser = BytesHeaderParser()
        self.arrivals: dict[str, float] = {}
        self.mails = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        seen = time.monotonic()
        self.mails += 1
        if token := self._token(envelope.original_content or b""):
            self.arrivals.setdefault(token, seen)
        return "250 OK"

    def _token(self, content: bytes) -> str | None:
        headers = self._parser.parsebytes(content)
        subject = str(make_header(decode_header(headers.get("Subject", ""))))
        if match := TOKEN_PATTERN.search(subject):
            return match[1]
        if match := RAW_TOKEN_PATTERN.search(content):  # a text sent as 8bit or quoted-printable
            return match[1].decode()
        message = message_from_bytes(content, policy=policy.default)
        body = message.get_body(("plain",)) if isinstance(message, EmailMessage) else None
        match = TOKEN_PATTERN.search(str(body.get_content())) if body is not None else None
        return match[1] if match else None

    @property
    def port(self) -> int:
        return self._port

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: SMTP(self, hostname="bench.localhost"), self._host, self._port)

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5)


class TablePoller:
    """Notes when rows become visible in a table with an ever-growing `seq` (reporting's event log)."""

    # Transactions that started earlier may commit a lower seq after a higher one is seen: look back this far.
    LOOK_BACK = 32

    def __init__(self, dsn: str, query: str, *, interval: float = 0.005) -> None:
        self._dsn = dsn
        self._query = query
        self._interval = interval
        self._task: asyncio.Task[None] | None = None
        self.arrivals: dict[str, float] = {}
        self.polls = 0

    async def start(self) -> None:
        conn = await asyncpg.connect(self._dsn)
        self._task = asyncio.create_task(self._run(conn))

    async def _run(self, conn: asyncpg.Connection) -> None:
        highest = 0
        statement = await conn.prepare(self._query)
        try:
            while True:
                rows = await statement.fetch(max(0, highest - self.LOOK_BACK))
                seen = time.monotonic()
                self.polls += 1
                for row in rows:
                    self.arrivals.setdefault(row["key"], seen)
                    highest = max(highest, row["seq"])
                await asyncio.sleep(self._interval)
        finally:
            await conn.close()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


class InboxCounter:
    """Samples, every `interval`, how many events of the given types each consuming service has applied."""

    def __init__(self, dsns: dict[str, str], event_types: Sequence[str], *, interval: float = 0.1) -> None:
        self._dsns = dsns
        self._event_types = list(event_types)
        self._interval = interval
        self._task: asyncio.Task[None] | None = None
        self.samples: dict[str, list[tuple[float, int]]] = {name: [] for name in dsns}

    async def start(self) -> None:
        connections = {name: await asyncpg.connect(dsn) for name, dsn in self._dsns.items()}
        self._task = asyncio.create_task(self._run(connections))

    async def _run(self, connections: dict[str, asyncpg.Connection]) -> None:
        try:
            while True:
                for name, conn in connections.items():
                    count = await conn.fetchval(QUERIES.inbox_count, self._event_types)
                    self.samples[name].append((time.monotonic(), count))
                await asyncio.sleep(self._interval)
        finally:
            for conn in connections.values():
                await conn.close()

    def latest(self, name: str) -> int:
        samples = self.samples[name]
        return samples[-1][1] if samples else 0

    def reached_at(self, name: str, count: int) -> float | None:
        """When the service's inbox first held at least `count` events."""
        return next((moment for moment, value in self.samples[name] if value >= count), None)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
