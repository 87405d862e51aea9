"""The test support itself, against the real broker, HTTP and SMTP: what the other tests rely on when they wait for
an event at an outside subscriber, a call at a webhook endpoint or a mail at the SMTP server, move the clock, or
call a service's app over ASGI."""

from __future__ import annotations

import smtplib
from collections.abc import AsyncIterator
from datetime import UTC, date, timedelta
from email.message import EmailMessage
from typing import Any

import aio_pika
import asyncpg
import httpx
import pytest
from aio_pika.abc import AbstractRobustConnection
from fastapi import APIRouter
from support.app import api_client
from support.broker import delete_namespace
from support.clock import FakeClock, at_jakarta
from support.mail import SmtpServer
from support.polling import eventually
from support.subscriber import OutsideSubscriber
from support.webhooks import webhook_receiver

from mitra_shared import db
from mitra_shared import events as ev
from mitra_shared.events import EventData, EventKind
from mitra_shared.http import RequestContext, Work
from mitra_shared.policy import allow
from mitra_shared.service import ServiceSpec
from mitra_shared.settings import ServiceSettings
from mitra_shared.topology import Names, declare_backbone

pytestmark = pytest.mark.integration


class ThingHappened(EventData):
    kind = EventKind("test", "thing", "happened", 1)

    name: str


class OtherThing(EventData):
    kind = EventKind("test", "other", "noticed", 1)

    name: str


@pytest.fixture
async def exchange(namespace: str, amqp: AbstractRobustConnection) -> AsyncIterator[aio_pika.abc.AbstractExchange]:
    channel = await amqp.channel()
    await declare_backbone(channel, Names(namespace))
    try:
        yield await channel.get_exchange(Names(namespace).events_exchange, ensure=False)
    finally:
        await channel.close()
        await delete_namespace(namespace, consumers=[])


async def publish(
    exchange: aio_pika.abc.AbstractExchange, data: ThingHappened | OtherThing, correlation_id: str
) -> ev.CloudEvent[EventData]:
    event = ev.new_event(data, subject=data.name, correlation_id=correlation_id)
    message = aio_pika.Message(
        ev.encode(event), headers=ev.amqp_headers(event), content_type=ev.CONTENT_TYPE, message_id=str(event.id)
    )
    await exchange.publish(message, routing_key=type(data).kind.routing_key)
    return event


async def test_an_outside_subscriber_sees_the_events_it_is_bound_to_in_order(
    namespace: str, exchange: aio_pika.abc.AbstractExchange
) -> None:
    async with OutsideSubscriber(namespace, ["test.thing.*"]) as subscriber:
        first = await publish(exchange, ThingHappened(name="first"), "req-1")
        await publish(exchange, OtherThing(name="not bound"), "req-2")
        second = await publish(exchange, ThingHappened(name="second"), "req-3")

        found = await subscriber.wait_for("test.thing.happened", where=lambda e: e["data"]["name"] == "second")
        assert found["id"] == str(second.id)
        assert found["correlationid"] == "req-3"
        assert [e["id"] for e in subscriber.of(ThingHappened.kind.type)] == [str(first.id), str(second.id)]
        assert len(await subscriber.wait_for_count("test.thing.happened", 2)) == 2
        assert subscriber.message(found).headers["cloudEvents_type"] == ThingHappened.kind.type
        assert subscriber.of("test.other.noticed") == []
        with pytest.raises(AssertionError, match=r"1 x test\.thing\.happened at the subscriber"):
            await subscriber.wait_for("test.thing.happened", where=lambda e: e["data"]["name"] == "never", timeout=0.3)


async def test_a_webhook_receiver_keeps_each_call_and_answers_as_told() -> None:
    async with webhook_receiver() as hooks, httpx.AsyncClient(timeout=5) as client:
        assert (await client.post(hooks.url, content=b"one", headers={"webhook-id": "a"})).status_code == 204
        hooks.statuses["3374"] = 503
        assert (await client.post(hooks.url_for("3374"), content=b"two")).status_code == 503
        hooks.status = 500
        assert (await client.post(hooks.url, content=b"three")).status_code == 500

    assert [body for _, body in hooks.received] == [b"one", b"two", b"three"]
    assert [body for _, body in hooks.received_at("3374")] == [b"two"]
    assert hooks.received[0][0]["webhook-id"] == "a"


async def test_the_smtp_server_receives_once_started_and_sorts_mail_by_recipient() -> None:
    smtp = SmtpServer()
    message = EmailMessage()
    message["Subject"] = "Ormas Asing baru terdaftar"
    message["From"] = "mitra@localhost"
    message["To"] = "tpoa@kemlu.example"
    message.set_content("isi")
    with pytest.raises(ConnectionRefusedError):  # not started yet: nothing listens
        smtplib.SMTP("127.0.0.1", smtp.port, timeout=2)
    with smtp:
        with smtplib.SMTP("127.0.0.1", smtp.port, timeout=5) as client:
            client.send_message(message, to_addrs=["tpoa@kemlu.example", "copy@kemlu.example"])
        await eventually(lambda: _count(smtp), description="the mail received")
    assert [m["Subject"] for m in smtp.mailbox.to("copy@kemlu.example")] == ["Ormas Asing baru terdaftar"]
    assert smtp.mailbox.to("nobody@kemlu.example") == []
    assert smtp.mailbox.messages[0].get_content().strip() == "isi"


async def _count(smtp: SmtpServer) -> int:
    return smtp.mailbox.count()


def test_the_fake_clock_stands_still_until_moved() -> None:
    clock = FakeClock(at_jakarta(date(2030, 1, 1), hour=8))
    assert clock() == clock() == at_jakarta(date(2030, 1, 1), hour=8)
    assert clock.advance(days=30) == at_jakarta(date(2030, 1, 31), hour=8)
    assert clock.advance(timedelta(hours=2)) == at_jakarta(date(2030, 1, 31), hour=10)
    assert clock.advance() == at_jakarta(date(2030, 1, 31), hour=10) + timedelta(seconds=1)
    assert clock.set(date(2030, 6, 1)) == at_jakarta(date(2030, 6, 1), hour=9)
    # The calendar day is Jakarta's, whatever the moment's own zone.
    clock.set(at_jakarta(date(2030, 6, 1), hour=23, minute=30))
    assert clock.today == date(2030, 6, 1)
    clock.set(at_jakarta(date(2030, 6, 2), hour=1).astimezone(UTC))  # 18:00 UTC on 1 June
    assert clock.today == date(2030, 6, 2)
    with pytest.raises(ValueError, match="aware"):
        clock.set(clock().replace(tzinfo=None))
    with pytest.raises(TypeError):
        clock.advance(timedelta(days=1), days=1)


async def test_api_client_serves_the_real_app_with_the_tests_pool_unit_of_work_and_clock(
    pool: asyncpg.Pool, clock: FakeClock
) -> None:
    router = APIRouter()

    @router.get("/now", dependencies=[allow("tpoa")])
    async def now(context: RequestContext, uow: Work) -> dict[str, Any]:
        async with uow.read() as conn:
            answer = await conn.fetchval("SELECT 41 + 1")
        return {"now": context.now.isoformat(), "actor": context.actor, "answer": answer}

    spec = ServiceSpec(
        name="probe",
        title="Probe",
        description="A service of one route, to test the test client.",
        version="0",
        settings=ServiceSettings(environment="test"),
        migrations=db.SHARED_MIGRATIONS,
        routers=[router],
    )
    async with api_client(spec, pool, clock=clock) as client:
        answer = await client.get("/now")
        assert answer.status_code == 200, answer.text
        assert answer.json() == {"now": clock().isoformat(), "actor": "tester", "answer": 42}
        assert str(client.base_url) == "http://probe"
    async with api_client(spec, pool, headers={}) as anonymous:
        refused = await anonymous.get("/now")
        assert refused.status_code == 401
        assert refused.headers["content-type"] == "application/problem+json"
