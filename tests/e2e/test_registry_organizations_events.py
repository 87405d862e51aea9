"""An outside government system subscribed to `<ns>.events` sees every change of an NGO and its foreign staff,
each event with its documented payload, and never a passport number."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from support.services import RunningService, RunningSystem, running_services
from support.subscriber import Event, OutsideSubscriber
from support.tokens import as_role

from mitra_shared.contracts import registry as contracts
from mitra_shared.events import EventData, decode

pytestmark = pytest.mark.e2e
BINDINGS = ("registry.organization.*", "registry.foreign_staff.*")


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """Only the registry, as a process: the subscriber here is the outside system, no other service is needed.
    Leaving, it checks that the registry exited cleanly on SIGTERM."""
    log_dir = tmp_path_factory.mktemp("registry-events-logs")
    with running_services(["registry"], log_dir=log_dir, namespace_prefix="e2e-registry") as running:
        yield running


@pytest.fixture
async def outside_system(registry: RunningSystem) -> AsyncIterator[OutsideSubscriber]:
    async with OutsideSubscriber(registry.namespace, BINDINGS) as outside:
        yield outside


async def latest(outside: OutsideSubscriber, routing_key: str, subject: str) -> Event:
    """The last event of that routing key about that subject, waited for."""
    found = await outside.wait_for_count(routing_key, 1, lambda event: event["subject"] == subject)
    return found[-1]


def read(outside: OutsideSubscriber, event: Event, contract: type[EventData], passport: str) -> Any:
    """The event's data as its contract reads it, after checking the envelope and that no passport travels."""
    message = outside.message(event)
    assert passport.encode() not in message.body
    assert passport not in json.dumps({k: str(v) for k, v in (message.headers or {}).items()})
    decoded = decode(message.body)
    assert decoded.type == contract.kind.type
    assert message.headers["cloudEvents_type"] == contract.kind.type
    assert message.headers["cloudEvents_id"] == str(decoded.id)
    assert message.content_type == "application/cloudevents+json"
    return contract.model_validate(decoded.data)


async def test_a_subscriber_sees_each_change_of_an_ngo_and_its_foreign_staff(
    registry: RunningSystem, outside_system: OutsideSubscriber
) -> None:
    service: RunningService = registry.services["registry"]
    suffix = uuid.uuid4().hex[:8]
    passport = f"NX{suffix.upper()}"
    # TPOA enters the NGO and decides its status; the NGO keeps its own particulars and foreign staff.
    async with httpx.AsyncClient(base_url=service.url, timeout=10, headers=as_role("tpoa", subject="tpoa-1")) as client:
        created = await client.post(
            "/organizations",
            json={"legal_name": f"Swisscontact {suffix}", "country_of_origin": "CH", "focus_areas": ["poverty"]},
        )
        assert created.status_code == 201, created.text
        ngo = created.json()
        as_the_ngo = as_role("ngo", subject="swisscontact-1", organization_id=ngo["id"])
        registered = read(
            outside_system,
            await latest(outside_system, "registry.organization.registered", ngo["id"]),
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
            headers={**as_the_ngo, "If-Match": created.headers["ETag"]},
        )
        assert updated.status_code == 200, updated.text
        update = read(
            outside_system,
            await latest(outside_system, "registry.organization.updated", ngo["id"]),
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

        changes = await outside_system.wait_for_count(
            "registry.organization.status_changed", 2, lambda event: event["subject"] == ngo["id"]
        )
        statuses = sorted(
            (read(outside_system, e, contracts.OrganizationStatusChanged, passport) for e in changes),
            key=lambda c: c.version,
        )
        assert [(c.previous_status, c.status, c.reason, c.changed_by, c.version) for c in statuses] == [
            ("applicant", "registered", "Principle permit granted", "tpoa-1", 3),
            ("registered", "active", "MSP signed with Kemensos", "tpoa-1", 4),
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
            headers=as_the_ngo,
        )
        assert assigned_response.status_code == 201, assigned_response.text
        assignment = assigned_response.json()
        assert assignment["passport_number"] == passport  # the register keeps it, for TPOA and the NGO itself
        assert assignment["assigned_by"] == "swisscontact-1"
        # Anyone else reading the register sees it masked.
        seen = await client.get(f"/foreign-staff/{assignment['id']}", headers=as_role("auditor"))
        assert (seen.json()["passport_number"], seen.json()["passport_number_masked"]) == (
            None,
            "*" * 7 + passport[-3:],
        )
        assigned = read(
            outside_system,
            await latest(outside_system, "registry.foreign_staff.assigned", assignment["id"]),
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
            headers=as_the_ngo,
        )
        assert ended_response.status_code == 200, ended_response.text
        ended = read(
            outside_system,
            await latest(outside_system, "registry.foreign_staff.ended", assignment["id"]),
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
