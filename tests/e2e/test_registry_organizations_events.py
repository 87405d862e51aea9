"""An outside government system subscribed to `<ns>.events` sees every change of an NGO and its foreign staff,
each event with its documented payload, and never a passport number."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import aio_pika
import httpx
import pytest
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue
from e2e_support import DEFAULT_RETRY_DELAYS_MS, RunningService, start_service, stop_service, wait_ready
from support import AMQP_URL, auth_headers, delete_namespace, drop_database, eventually, free_port, unique

from mitra_shared.contracts import registry as contracts
from mitra_shared.events import EventData, decode

pytestmark = pytest.mark.e2e
BINDINGS = ("registry.organization.*", "registry.foreign_staff.*")


class OutsideSystem:
    """A subscriber with its own queue, bound to the registry's organization and foreign-staff events."""

    def __init__(self, queue: AbstractQueue) -> None:
        self.queue = queue
        self.received: list[AbstractIncomingMessage] = []

    async def about(self, subject: str, routing_key: str) -> AbstractIncomingMessage | None:
        while (message := await self.queue.get(fail=False, no_ack=True)) is not None:
            self.received.append(message)
        found = [m for m in self.received if m.routing_key == routing_key and json.loads(m.body)["subject"] == subject]
        return found[-1] if found else None

    async def wait_for(self, subject: str, routing_key: str) -> AbstractIncomingMessage:
        async def arrived() -> AbstractIncomingMessage | None:
            return await self.about(subject, routing_key)

        return await eventually(arrived, description=f"{routing_key} about {subject} at the outside system")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, RunningService]]:
    """Only the registry, as a process: the subscriber here is the outside system, no other service is needed."""
    namespace = unique("e2e-registry").replace("_", "-")
    log_dir = tmp_path_factory.mktemp("registry-events-logs")
    # Nothing sends mail here; the setting only has to be valid.
    service = start_service("registry", namespace=namespace, smtp_port=free_port(), log_dir=log_dir, extra_env={})
    try:
        wait_ready(service)
        yield namespace, service
    finally:
        code = stop_service(service)

        async def clean() -> None:
            await drop_database(service.database_url)
            await delete_namespace(namespace, ["registry"], DEFAULT_RETRY_DELAYS_MS)

        asyncio.run(clean())
        assert code == 0, f"registry did not exit cleanly on SIGTERM ({code})"


@pytest.fixture
async def outside_system(registry: tuple[str, RunningService]) -> AsyncIterator[OutsideSystem]:
    namespace, _ = registry
    connection = await aio_pika.connect(AMQP_URL)
    channel = await connection.channel()
    exchange = await channel.get_exchange(f"{namespace}.events", ensure=True)
    queue = await channel.declare_queue(unique("outside-registry"), exclusive=True, auto_delete=True)
    for binding in BINDINGS:
        await queue.bind(exchange, routing_key=binding)
    try:
        yield OutsideSystem(queue)
    finally:
        await connection.close()


def read(message: AbstractIncomingMessage, contract: type[EventData], passport: str) -> Any:
    """The message's data as its contract reads it, after checking the envelope and that no passport travels."""
    assert passport.encode() not in message.body
    assert passport not in json.dumps({k: str(v) for k, v in (message.headers or {}).items()})
    event = decode(message.body)
    assert event.type == contract.kind.type
    assert message.headers["cloudEvents_type"] == contract.kind.type
    assert message.headers["cloudEvents_id"] == str(event.id)
    assert message.content_type == "application/cloudevents+json"
    return contract.model_validate(event.data)


async def test_a_subscriber_sees_each_change_of_an_ngo_and_its_foreign_staff(
    registry: tuple[str, RunningService], outside_system: OutsideSystem
) -> None:
    _, service = registry
    suffix = uuid.uuid4().hex[:8]
    passport = f"NX{suffix.upper()}"
    async with httpx.AsyncClient(base_url=service.url, timeout=10, headers=auth_headers(subject="kemlu-1")) as client:
        created = await client.post(
            "/organizations",
            json={"legal_name": f"Swisscontact {suffix}", "country_of_origin": "CH", "focus_areas": ["poverty"]},
        )
        assert created.status_code == 201, created.text
        ngo = created.json()
        registered = read(
            await outside_system.wait_for(ngo["id"], "registry.organization.registered"),
            contracts.OrganizationRegistered,
            passport,
        )
        assert (registered.legal_name, registered.country_of_origin, registered.status) == (
            f"Swisscontact {suffix}",
            "CH",
            "applicant",
        )
        assert registered.focus_areas == ["poverty"]

        updated = await client.patch(
            f"/organizations/{ngo['id']}",
            json={"acronym": "SC", "website": "https://www.swisscontact.org/"},
            headers={"If-Match": created.headers["ETag"]},
        )
        assert updated.status_code == 200, updated.text
        update = read(
            await outside_system.wait_for(ngo["id"], "registry.organization.updated"),
            contracts.OrganizationUpdated,
            passport,
        )
        assert (update.changed_fields, update.acronym, update.website, update.version) == (
            ["acronym", "website"],
            "SC",
            "https://www.swisscontact.org/",
            2,
        )

        etag = updated.headers["ETag"]
        for status, reason in (("registered", "Principle permit granted"), ("active", "MSP signed with Kemensos")):
            moved = await client.post(
                f"/organizations/{ngo['id']}/status",
                json={"status": status, "reason": reason},
                headers={"If-Match": etag},
            )
            assert moved.status_code == 200, moved.text
            etag = moved.headers["ETag"]

        async def both_changes() -> list[AbstractIncomingMessage]:
            await outside_system.about(ngo["id"], "registry.organization.status_changed")
            found = [
                m
                for m in outside_system.received
                if m.routing_key == "registry.organization.status_changed"
                and json.loads(m.body)["subject"] == ngo["id"]
            ]
            return found if len(found) >= 2 else []

        changes = await eventually(both_changes, description="two status changes at the outside system")
        statuses = sorted(
            (read(m, contracts.OrganizationStatusChanged, passport) for m in changes), key=lambda c: c.version
        )
        assert [(c.previous_status, c.status, c.reason, c.changed_by, c.version) for c in statuses] == [
            ("applicant", "registered", "Principle permit granted", "kemlu-1", 3),
            ("registered", "active", "MSP signed with Kemensos", "kemlu-1", 4),
        ]

        # Starting today in Jakarta, as the service counts days.
        starts_on = datetime.now(ZoneInfo("Asia/Jakarta")).date()
        ends_on = starts_on + timedelta(days=730)
        assigned_response = await client.post(
            f"/organizations/{ngo['id']}/foreign-staff",
            json={
                "full_name": "Anna Keller",
                "nationality": "CH",
                "role": "Country director",
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat(),
                "passport_number": passport,
            },
        )
        assert assigned_response.status_code == 201, assigned_response.text
        assignment = assigned_response.json()
        assert assignment["passport_number"] == passport  # the register keeps it, for authorised users
        assigned = read(
            await outside_system.wait_for(assignment["id"], "registry.foreign_staff.assigned"),
            contracts.ForeignStaffAssigned,
            passport,
        )
        assert (assigned.organization_id, assigned.organization_name, assigned.full_name) == (
            uuid.UUID(ngo["id"]),
            f"Swisscontact {suffix}",
            "Anna Keller",
        )
        assert (assigned.nationality, assigned.role, assigned.starts_on, assigned.ends_on) == (
            "CH",
            "Country director",
            starts_on,
            ends_on,
        )
        assert assigned.active_assignments == 1

        ended_response = await client.post(
            f"/foreign-staff/{assignment['id']}/end",
            json={"ended_on": starts_on.isoformat(), "reason": "Visa not granted"},
        )
        assert ended_response.status_code == 200, ended_response.text
        ended = read(
            await outside_system.wait_for(assignment["id"], "registry.foreign_staff.ended"),
            contracts.ForeignStaffEnded,
            passport,
        )
        assert (ended.organization_id, ended.ended_on, ended.reason, ended.active_assignments) == (
            uuid.UUID(ngo["id"]),
            starts_on,
            "Visa not granted",
            0,
        )

    # Personal data stays out of the service's log too.
    assert passport not in service.log()
