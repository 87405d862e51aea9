"""The bare pipeline (same work): the chain Mitra runs for a registration, written with the bare parts and nothing
else, as separate processes like Mitra's (`python -m bench.bare <role>`; bench/bare_system.py starts them):

- `registry`: uvicorn serving a plain ASGI callable (no framework): the same server and HTTP parser Mitra runs, and
  nothing between it and the work: the body validated by a pydantic model (the shape of RegisterOrganization), one
  asyncpg transaction inserting the row, the TPOA members' review row, and the four events Mitra's registration
  publishes (the registration, the review request, and an audit entry for each) in one outbox statement
  (`mitra_shared.outbox.record_many`, as every use case does), 201 with the id. The outbox relay
  (`mitra_shared.outbox.OutboxRelay`, publishing with confirms) runs in the same process, as registry runs its own.
- `agreements`, `notifications`, `reporting`: an aio-pika consumer each (quorum queue bound to the events Mitra's
  service of that name consumes of a registration, manual ack, prefetch 32 as the services) that decodes the
  CloudEvent, validates its data, and in one transaction records the event id (inbox; a redelivery is skipped) and
  does that event's work: agreements learns the NGO (one row); notifications records the delivery of the
  registration and sends one SMTP message over a connection it keeps, and looks up the review's member ministries'
  recipients (the benchmark gives them none, as Mitra's run does); reporting appends the registration to its log and
  chains each audit entry onto its audit log (an advisory lock, the head, a SHA-256, one row), as Mitra's reporting.

Settings are the services' variable names: MITRA_DATABASE_URL, MITRA_AMQP_URL, MITRA_AMQP_NAMESPACE, MITRA_HTTP_PORT,
MITRA_SMTP_PORT (SMTP on 127.0.0.1, no TLS, like the benchmark's sink).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import os
import signal
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aio_pika
import aiosmtplib
import asyncpg
import uvicorn
from aio_pika.abc import AbstractIncomingMessage
from pydantic import BaseModel, Field, ValidationError

from bench.queries import QUERIES
from mitra_shared import db, outbox
from mitra_shared import events as ev
from mitra_shared.contracts.audit import AuditActor, AuditRecorded, audit_kind_of
from mitra_shared.contracts.registry import ApplicationReviewRequested, OrganizationRegistered
from mitra_shared.topology import Names, declare_backbone

PREFETCH = 32
ROUTING_KEY = OrganizationRegistered.kind.routing_key
REGISTRY_AUDIT = audit_kind_of("registry")
CONSUMER_ROLES = ("agreements", "notifications", "reporting")
# What each of Mitra's consumers takes of a registration's four events.
CONSUMED: dict[str, tuple[str, ...]] = {
    "agreements": (ROUTING_KEY,),
    "notifications": (ROUTING_KEY, ApplicationReviewRequested.kind.routing_key),
    "reporting": (ROUTING_KEY, REGISTRY_AUDIT.kind.routing_key),
}
TPOA_ADDRESS = "tpoa@bench.example"
# MITRA_TPOA_MEMBERS's default, under which Mitra's registration opens the members' review.
TPOA_MEMBERS = ["KEMENDAGRI", "KEMENKUMHAM", "KEMENSETNEG", "BAPPENAS", "POLRI", "BIN"]
REVIEW_DAYS = 14
AUDIT_LOCK = 0x61756474


def queue_name(namespace: str, role: str) -> str:
    return f"{namespace}.bare-{role}"


async def declare(channel: aio_pika.abc.AbstractChannel, namespace: str) -> None:
    """The backbone and each consumer's queue bound to the registration (idempotent: every process declares it)."""
    names = Names(namespace)
    await declare_backbone(channel, names)
    for role in CONSUMER_ROLES:
        queue = await channel.declare_queue(
            queue_name(namespace, role), durable=True, arguments={"x-queue-type": "quorum"}
        )
        for routing_key in CONSUMED[role]:
            await queue.bind(names.events_exchange, routing_key=routing_key)


class Registration(BaseModel):
    legal_name: str = Field(min_length=1, max_length=300)
    acronym: str | None = Field(None, max_length=50)
    country_of_origin: str = Field(pattern=r"^[A-Z]{2}$")
    focus_areas: list[str] = Field(default_factory=list, max_length=20)


class RegistryApp:
    """A plain ASGI callable: POST /organizations, GET /health/ready."""

    def __init__(self, dsn: str, amqp_url: str, namespace: str) -> None:
        self._dsn, self._amqp_url, self._namespace = dsn, amqp_url, namespace
        self._pool: asyncpg.Pool | None = None
        self._relay: outbox.OutboxRelay | None = None
        self._amqp: aio_pika.abc.AbstractRobustConnection | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
        elif scope["type"] == "http":
            await self._http(scope, receive, send)

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await self._start()
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self._stop()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def _start(self) -> None:
        self._pool = await db.create_pool(self._dsn, min_size=2, max_size=10)
        self._amqp = await aio_pika.connect_robust(self._amqp_url)
        channel = await self._amqp.channel()
        await declare(channel, self._namespace)
        await channel.close()
        self._relay = outbox.OutboxRelay(
            pool=self._pool, listen_dsn=self._dsn, amqp=self._amqp, exchange_name=Names(self._namespace).events_exchange
        )
        await self._relay.start()

    async def _stop(self) -> None:
        if self._relay is not None:
            await self._relay.stop()
        if self._amqp is not None:
            await self._amqp.close()
        if self._pool is not None:
            await self._pool.close()

    async def _http(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["path"] == "/health/ready":
            await _respond(send, 200, b'{"status":"ready"}')
            return
        if scope["path"] != "/organizations" or scope["method"] != "POST":
            await _respond(send, 404, b'{"title":"not found"}')
            return
        body, more = b"", True
        while more:
            message = await receive()
            body += message.get("body", b"")
            more = message.get("more_body", False)
        try:
            command = Registration.model_validate_json(body)
        except ValidationError as error:
            await _respond(send, 422, json.dumps({"errors": error.errors(include_url=False)}, default=str).encode())
            return
        organization_id, now, request_id = uuid.uuid4(), datetime.now(UTC), uuid.uuid4().hex
        registered = OrganizationRegistered(
            organization_id=organization_id,
            legal_name=command.legal_name,
            acronym=command.acronym,
            country_of_origin=command.country_of_origin,
            focus_areas=command.focus_areas,
            status="applicant",
            registered_at=now,
        )
        answer_by = now.date() + timedelta(days=REVIEW_DAYS)
        review = ApplicationReviewRequested(
            organization_id=organization_id,
            organization_name=command.legal_name,
            country_of_origin=command.country_of_origin,
            members=TPOA_MEMBERS,
            answer_by=answer_by,
            requested_by="bench",
            requested_at=now,
        )
        entries = [
            _audit_entry(
                "organization.registered", organization_id, registered.model_dump(mode="json"), now, request_id
            ),
            _audit_entry(
                "application.review_requested",
                organization_id,
                {"members": TPOA_MEMBERS, "answer_by": answer_by.isoformat()},
                now,
                request_id,
            ),
        ]
        events = [
            ev.new_event(data, subject=str(organization_id), correlation_id=request_id)
            for data in (registered, review, *entries)
        ]
        assert self._pool is not None
        async with self._pool.acquire() as conn, conn.transaction():
            await conn.execute(
                QUERIES.baseline_insert_row,
                organization_id,
                command.legal_name,
                command.country_of_origin,
                command.focus_areas,
            )
            await conn.execute(QUERIES.bare_insert_review, organization_id, TPOA_MEMBERS, answer_by)
            await outbox.record_many(conn, events)
        await _respond(send, 201, json.dumps({"id": str(organization_id), "status": "applicant"}).encode())


def _audit_entry(
    action: str, organization_id: uuid.UUID, after: dict[str, Any], now: datetime, request_id: str
) -> AuditRecorded:
    return REGISTRY_AUDIT(
        entry_id=uuid.uuid4(),
        at=now,
        actor=AuditActor(subject="bench", role="tpoa"),
        action=action,
        object_type="organization",
        object_id=str(organization_id),
        before=None,
        after=after,
        request_id=request_id,
        service="registry",
    )


async def _respond(send: Any, status: int, body: bytes) -> None:
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Mailer:
    """One SMTP connection, kept; one message at a time on it."""

    def __init__(self, port: int) -> None:
        self._smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port, use_tls=False, start_tls=False)
        self._lock = asyncio.Lock()

    async def send(self, subject: str, text: str) -> None:
        message = (
            f"From: mitra@bench.example\r\nTo: {TPOA_ADDRESS}\r\nSubject: {subject}\r\n"
            f"Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n"
        ).encode()
        async with self._lock:
            if not self._smtp.is_connected:
                await self._smtp.connect()
            await self._smtp.sendmail("mitra@bench.example", [TPOA_ADDRESS], message)

    async def close(self) -> None:
        if self._smtp.is_connected:
            await self._smtp.quit()


async def consume(role: str, dsn: str, amqp_url: str, namespace: str, smtp_port: int) -> None:
    pool = await db.create_pool(dsn, min_size=2, max_size=10)
    connection = await aio_pika.connect_robust(amqp_url)
    mailer = Mailer(smtp_port) if role == "notifications" else None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)

    async def apply(conn: asyncpg.Connection, received: ev.ReceivedEvent) -> str | None:
        """The event's work in the consumer's transaction; the registered NGO's name when a mail is to be sent."""
        if received.type == REGISTRY_AUDIT.kind.type:
            await _chain_audit_entry(conn, received, ev.read_data(received, REGISTRY_AUDIT))
            return None
        if received.type == ApplicationReviewRequested.kind.type:
            review = ev.read_data(received, ApplicationReviewRequested)
            await conn.fetch(QUERIES.bare_member_recipients, review.members)
            return None
        data = ev.read_data(received, OrganizationRegistered)
        if role == "agreements":
            await conn.execute(QUERIES.bare_learn_organization, data.organization_id, data.legal_name)
        elif role == "notifications":
            await conn.execute(QUERIES.bare_record_delivery, received.id, TPOA_ADDRESS, data.legal_name)
            return data.legal_name
        else:
            await conn.execute(
                QUERIES.bare_log_event, received.id, received.type, received.subject, json.dumps(received.data)
            )
        return None

    async def on_message(message: AbstractIncomingMessage) -> None:
        received = ev.decode(message.body)
        mail_for = None
        async with pool.acquire() as conn, conn.transaction():
            fresh = await conn.fetchval(QUERIES.bare_inbox_insert, received.id, received.type)
            if fresh:
                mail_for = await apply(conn, received)
        if mail_for is not None and mailer is not None:
            await mailer.send(f"Registered: {mail_for}", f"{mail_for} was entered in the register.")
        await message.ack()

    try:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=PREFETCH)
        await declare(channel, namespace)
        queue = await channel.get_queue(queue_name(namespace, role))
        await queue.consume(on_message)
        await stop.wait()
        await channel.close()
    finally:
        await connection.close()
        if mailer is not None:
            await mailer.close()
        await pool.close()


async def _chain_audit_entry(conn: asyncpg.Connection, received: ev.ReceivedEvent, entry: AuditRecorded) -> None:
    """The entry chained onto the log: the lock, the head, the hash of the previous hash and the entry, one row."""
    await conn.execute(QUERIES.bare_audit_lock, AUDIT_LOCK)
    head = await conn.fetchrow(QUERIES.bare_audit_head)
    previous = head["hash"] if head is not None else "0" * 64
    values = entry.model_dump(mode="json")
    digest = hashlib.sha256((previous + json.dumps(values, sort_keys=True, separators=(",", ":"))).encode()).hexdigest()
    await conn.execute(QUERIES.bare_audit_append, received.id, json.dumps(values), previous, digest)


class _Server(uvicorn.Server):
    """Exits 0 after a graceful shutdown on SIGTERM, as Mitra's services do (`mitra_shared.cli`); uvicorn itself
    re-raises the signal."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.handle_exit, sig, None)
        try:
            yield
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)


def main(argv: list[str]) -> int:
    role = argv[0] if argv else ""
    dsn = os.environ["MITRA_DATABASE_URL"]
    amqp_url = os.environ["MITRA_AMQP_URL"]
    namespace = os.environ["MITRA_AMQP_NAMESPACE"]
    if role == "registry":
        app = RegistryApp(dsn, amqp_url, namespace)
        port = int(os.environ["MITRA_HTTP_PORT"])
        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on")
        server = _Server(config)
        server.run()
        return 0 if server.started else 1
    if role in CONSUMER_ROLES:
        # The event loop uvicorn gives Mitra's services (uvloop when installed), for the consumers too.
        running = consume(role, dsn, amqp_url, namespace, int(os.environ["MITRA_SMTP_PORT"]))
        try:
            import uvloop
        except ImportError:
            asyncio.run(running)
        else:
            uvloop.run(running)
        return 0
    print(f"usage: python -m bench.bare {{registry,{','.join(CONSUMER_ROLES)}}}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
