"""Visa recommendations tied to registry's foreign-staff register: agreements learns each assignment and its end
from `registry.foreign_staff.assigned` / `.ended` (in any order, any number of times), and a visa recommendation
names an assignment of the MSP's NGO that is not over; the expert's name and nationality are the assignment's."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from support.agreements_world import AgreementsWorld, agreements_world, foreign_staff_assigned

from mitra_agreements.bootstrap import build_spec
from mitra_agreements.settings import AgreementsSettings
from mitra_shared.contracts import registry as registry_contracts

pytestmark = pytest.mark.integration

TODAY = date(2027, 1, 5)


@dataclass
class World(AgreementsWorld):
    msp_id: str = ""

    async def request(self, **body: Any) -> httpx.Response:
        sent = {"msp_id": self.msp_id, "kind": "visa", "purpose": "Programme adviser, 12 months", **body}
        return await self.client.post("/recommendations", json=sent, headers=self.ngo)


def assigned(
    organization_id: uuid.UUID,
    *,
    assignment_id: uuid.UUID | None = None,
    starts_on: date = date(2026, 6, 1),
    ends_on: date = date(2028, 5, 31),
    name: str = "Maria Jansen",
) -> registry_contracts.ForeignStaffAssigned:
    return foreign_staff_assigned(
        organization_id,
        assignment_id=assignment_id,
        full_name=name,
        nationality="NL",
        role="Programme adviser",
        organization_name="NGO A",
        starts_on=starts_on,
        ends_on=ends_on,
    )


def ended(organization_id: uuid.UUID, assignment_id: uuid.UUID, ended_on: date) -> registry_contracts.ForeignStaffEnded:
    return registry_contracts.ForeignStaffEnded(
        assignment_id=assignment_id,
        organization_id=organization_id,
        organization_name="NGO A",
        ended_on=ended_on,
        reason="Returned to headquarters",
        active_assignments=0,
    )


@pytest.fixture
async def world(database: str, tmp_path: Path) -> AsyncIterator[World]:
    async with agreements_world(World, database, tmp_path, today=TODAY, name="NGO A") as made:
        made.msp_id = (await made.signed())["id"]
        yield made


def refused_field(response: httpx.Response) -> str:
    assert response.status_code == 422, response.text
    return str(response.json()["errors"][0]["field"])


async def test_the_service_consumes_the_foreign_staff_facts() -> None:
    spec = build_spec(AgreementsSettings(environment="test"))
    keys = {kind.routing_key for kind in spec.consumes}
    assert {"registry.foreign_staff.assigned", "registry.foreign_staff.ended"} <= keys
    assert "registry.organization.registered" in keys, "registry's other facts are still consumed"


async def test_a_visa_recommendation_names_an_active_assignment_of_the_ngo(world: World) -> None:
    assert refused_field(await world.request(expert_name="Maria", expert_nationality="NL")) == (
        "body.staff_assignment_id"
    )
    assert refused_field(await world.request(staff_assignment_id=str(uuid.uuid4()))) == "body.staff_assignment_id"
    another_ngo = assigned(uuid.uuid4())
    await world.learn(another_ngo)
    assert refused_field(await world.request(staff_assignment_id=str(another_ngo.assignment_id))) == (
        "body.staff_assignment_id"
    )

    expert = assigned(world.organization_id)
    await world.learn(expert)
    response = await world.request(
        staff_assignment_id=str(expert.assignment_id), expert_name="Someone Else", expert_nationality="FR"
    )
    assert response.status_code == 201, response.text
    made = response.json()
    assert (made["expert_name"], made["expert_nationality"]) == ("Maria Jansen", "NL")
    row = await world.pool.fetchrow("SELECT * FROM recommendations WHERE id = $1", uuid.UUID(made["id"]))
    assert row["staff_assignment_id"] == expert.assignment_id
    body = await world.pool.fetchval(
        "SELECT body FROM outbox WHERE routing_key = 'agreements.recommendation.requested' ORDER BY seq DESC LIMIT 1"
    )
    data = json.loads(body)["data"]
    assert (data["staff_assignment_id"], data["expert_name"], data["expert_nationality"]) == (
        str(expert.assignment_id),
        "Maria Jansen",
        "NL",
    )

    # A visa is asked for before the expert arrives: an assignment starting later is accepted.
    upcoming = assigned(world.organization_id, starts_on=date(2027, 3, 1), ends_on=date(2028, 2, 28), name="Jan")
    await world.learn(upcoming)
    assert (await world.request(staff_assignment_id=str(upcoming.assignment_id))).status_code == 201

    # A tax exemption names no assignment.
    tax = await world.request(kind="tax_exemption", staff_assignment_id=str(expert.assignment_id))
    assert refused_field(tax) == "body.staff_assignment_id"
    plain_tax = await world.request(kind="tax_exemption", purpose="Imported goods")
    assert plain_tax.status_code == 201, plain_tax.text
    assert plain_tax.json()["expert_name"] is None


async def test_an_ended_assignment_is_refused_whatever_the_order_of_the_events(world: World) -> None:
    over = assigned(world.organization_id, starts_on=date(2025, 1, 1), ends_on=date(2026, 12, 31))
    await world.learn(over)
    assert refused_field(await world.request(staff_assignment_id=str(over.assignment_id))) == (
        "body.staff_assignment_id"
    )

    # Ended early, today: the end arrives before the assignment, and the assignment arrives twice.
    assignment_id = uuid.uuid4()
    await world.learn(ended(world.organization_id, assignment_id, TODAY))
    assert refused_field(await world.request(staff_assignment_id=str(assignment_id))) == "body.staff_assignment_id"
    late = assigned(world.organization_id, assignment_id=assignment_id)
    await world.learn(late)
    await world.learn(late)
    row = await world.pool.fetchrow("SELECT * FROM known_staff_assignments WHERE assignment_id = $1", assignment_id)
    assert (row["full_name"], row["ended_on"]) == ("Maria Jansen", TODAY)
    assert refused_field(await world.request(staff_assignment_id=str(assignment_id))) == "body.staff_assignment_id"

    # Ended from tomorrow: today is its last day, still a valid assignment.
    current = assigned(world.organization_id)
    await world.learn(current)
    await world.learn(ended(world.organization_id, current.assignment_id, date(2027, 1, 6)))
    assert (await world.request(staff_assignment_id=str(current.assignment_id))).status_code == 201
    assert await world.pool.fetchval("SELECT count(*) FROM known_staff_assignments") == 3
