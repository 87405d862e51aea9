"""Foreign staff through the registry's HTTP API on a real PostgreSQL: the limits, ending, masking, the race."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from test_registry_organizations_harness import (  # noqa: F401 - fixtures
    Registry,
    migrated_registry_template,
    registry_database,
    registry_fixture,
)

from mitra_shared.contracts.registry import ForeignStaffAssigned, ForeignStaffEnded

pytestmark = pytest.mark.integration
# The harness's clock starts on 2026-03-02, 10:00 in Jakarta.


def expert(n: int = 1, **fields: Any) -> dict[str, Any]:
    return {
        "full_name": f"Expert {n}",
        "nationality": "NL",
        "role": "Programme adviser",
        "starts_on": "2026-03-01",
        "ends_on": "2028-02-29",
        "passport_number": f"NX{n:07d}",
        **fields,
    }


async def active_ngo(registry: Registry, name: str = "SNV Netherlands") -> dict[str, Any]:
    organization = await registry.register(legal_name=name, country_of_origin="NL")
    return await registry.move(organization, "registered", "active")


def fields_of(response: Any) -> set[str]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return {error["field"] for error in response.json().get("errors", [])}


async def test_an_assignment_is_recorded_and_published_without_the_passport(registry: Registry) -> None:
    ngo = await active_ngo(registry)
    response = await registry.post(
        f"/organizations/{ngo['id']}/foreign-staff", expert(1, passport_number="nx 0000 001"), subject="tpoa-officer-7"
    )
    assert response.status_code == 201, response.text
    assignment = response.json()
    assert response.headers["Location"] == f"/foreign-staff/{assignment['id']}"
    assert assignment["passport_number"] == "NX0000001"
    assert (assignment["state"], assignment["assigned_by"]) == ("active", "tpoa-officer-7")

    shown = (await registry.get(f"/foreign-staff/{assignment['id']}")).json()
    assert shown == assignment
    listed = (await registry.get(f"/organizations/{ngo['id']}/foreign-staff")).json()
    assert listed["total"] == 1
    [item] = listed["items"]
    assert item["passport_number_masked"] == "******001"
    assert "passport_number" not in item

    [event] = await registry.events("registry.foreign_staff.assigned")
    data = ForeignStaffAssigned.model_validate(event["data"])
    assert (data.assignment_id, data.organization_id) == (uuid.UUID(assignment["id"]), uuid.UUID(ngo["id"]))
    assert (data.organization_name, data.full_name, data.nationality) == ("SNV Netherlands", "Expert 1", "NL")
    assert data.active_assignments == 1
    assert event["subject"] == assignment["id"]
    assert event["time"] == assignment["assigned_at"] == "2026-03-02T03:00:00Z"  # the context's now
    rows = await registry.pool.fetch("SELECT body, headers::text AS headers FROM outbox")
    assert all(b"0000001" not in row["body"] and "0000001" not in row["headers"] for row in rows)


async def test_a_fourth_active_expert_is_refused_and_nothing_is_written(registry: Registry) -> None:
    ngo = await active_ngo(registry)
    path = f"/organizations/{ngo['id']}/foreign-staff"
    for n in range(1, 4):
        assert (await registry.post(path, expert(n))).status_code == 201
    before = await registry.written()
    response = await registry.post(path, expert(4))
    assert response.status_code == 409
    assert "at most 3 active foreign staff" in response.json()["detail"]
    assert await registry.written() == before
    # One planned for after the others end is fine.
    later = await registry.post(path, expert(5, starts_on="2028-03-01", ends_on="2029-02-28"))
    assert later.status_code == 201, later.text
    assert later.json()["state"] == "upcoming"
    [last] = (await registry.events("registry.foreign_staff.assigned"))[-1:]
    assert last["data"]["active_assignments"] == 3


async def test_concurrent_assignments_cannot_pass_the_limit_together(registry: Registry) -> None:
    ngo = await active_ngo(registry)
    path = f"/organizations/{ngo['id']}/foreign-staff"
    responses = await asyncio.gather(*(registry.post(path, expert(n)) for n in range(1, 7)))
    assert sorted(r.status_code for r in responses) == [201, 201, 201, 409, 409, 409]
    assert await registry.count("foreign_staff_assignments") == 3
    counts = sorted(e["data"]["active_assignments"] for e in await registry.events("registry.foreign_staff.assigned"))
    assert counts == [1, 2, 3]


INVALID_ASSIGNMENTS: list[tuple[dict[str, Any], str]] = [
    ({"ends_on": "2031-03-02"}, "body.ends_on"),  # longer than 5 years
    ({"ends_on": "2026-02-28"}, "body.ends_on"),  # before it starts
    ({"starts_on": "2025-01-01", "ends_on": "2026-03-01"}, "body.ends_on"),  # already over (today is 2026-03-02)
    ({"starts_on": "2026-02-30"}, "body.starts_on"),
    ({"nationality": "Dutch"}, "body.nationality"),
    ({"nationality": "ID"}, "body.nationality"),
    ({"passport_number": "N/A"}, "body.passport_number"),
    ({"full_name": ""}, "body.full_name"),
    ({"role": None}, "body.role"),
    ({"visa": "C312"}, "body.visa"),
]


async def test_an_invalid_assignment_names_the_field_and_writes_nothing(registry: Registry, subtests: Any) -> None:
    ngo = await active_ngo(registry)
    before = await registry.written()
    for fields, field in INVALID_ASSIGNMENTS:
        with subtests.test(fields=fields):
            response = await registry.post(f"/organizations/{ngo['id']}/foreign-staff", expert(1, **fields))
            assert response.status_code == 422, response.text
            assert fields_of(response) == {field}
    missing = await registry.post(f"/organizations/{ngo['id']}/foreign-staff", {"full_name": "Nobody"})
    assert missing.status_code == 422
    assert {"body.nationality", "body.starts_on", "body.ends_on", "body.passport_number"} <= fields_of(missing)
    assert await registry.written() == before


async def test_only_a_registered_or_active_ngo_takes_foreign_staff(registry: Registry) -> None:
    applicant = await registry.register(legal_name="Applicant NGO", country_of_origin="NL")
    suspended = await registry.move(await registry.register(legal_name="Frozen NGO"), "registered", "suspended")
    registered = await registry.move(await registry.register(legal_name="Registered NGO"), "registered")
    before = await registry.written()
    for organization in (applicant, suspended):
        response = await registry.post(f"/organizations/{organization['id']}/foreign-staff", expert())
        assert response.status_code == 409
        assert organization["status"] in response.json()["detail"]
    unknown = await registry.post(f"/organizations/{uuid.uuid4()}/foreign-staff", expert())
    assert unknown.status_code == 404
    assert await registry.written() == before
    assert (await registry.post(f"/organizations/{registered['id']}/foreign-staff", expert())).status_code == 201


async def test_the_same_expert_is_not_assigned_twice_in_one_period(registry: Registry) -> None:
    ngo = await active_ngo(registry)
    path = f"/organizations/{ngo['id']}/foreign-staff"
    assert (await registry.post(path, expert(1))).status_code == 201
    again = await registry.post(path, expert(2, passport_number="NX0000001", starts_on="2027-01-01"))
    assert again.status_code == 409
    assert fields_of(again) == {"body.passport_number"}


async def test_ending_an_assignment_frees_its_place(registry: Registry) -> None:
    ngo = await active_ngo(registry)
    path = f"/organizations/{ngo['id']}/foreign-staff"
    first, *_ = [(await registry.post(path, expert(n))).json() for n in range(1, 4)]

    ended = await registry.post(
        f"/foreign-staff/{first['id']}/end",
        {"ended_on": "2026-03-02", "reason": "Returned to headquarters"},
        subject="tpoa-officer-9",
    )
    assert ended.status_code == 200, ended.text
    body = ended.json()
    assert (body["ended_on"], body["end_reason"], body["ended_by"], body["state"]) == (
        "2026-03-02",
        "Returned to headquarters",
        "tpoa-officer-9",
        "ended",
    )
    [event] = await registry.events("registry.foreign_staff.ended")
    data = ForeignStaffEnded.model_validate(event["data"])
    assert (str(data.assignment_id), data.ended_on.isoformat(), data.reason, data.active_assignments) == (
        first["id"],
        "2026-03-02",
        "Returned to headquarters",
        2,
    )
    assert data.organization_name == "SNV Netherlands"

    # From today the ended one no longer counts (yesterday it did: a start on 1 March would still be refused).
    assert (await registry.post(path, expert(4, starts_on="2026-03-01"))).status_code == 409
    assert (await registry.post(path, expert(4, starts_on="2026-03-02"))).status_code == 201
    states = [i["state"] for i in (await registry.get(f"/organizations/{ngo['id']}/foreign-staff")).json()["items"]]
    assert sorted(states) == ["active", "active", "active", "ended"]
    assert (await registry.get(f"/organizations/{ngo['id']}/foreign-staff", state="ended")).json()["total"] == 1

    before = await registry.written()
    twice = await registry.post(f"/foreign-staff/{first['id']}/end", {"ended_on": "2026-03-02", "reason": "again"})
    assert twice.status_code == 409
    assert await registry.written() == before


INVALID_ENDINGS: list[tuple[dict[str, Any], str]] = [
    ({"ended_on": "2026-02-28", "reason": "too early"}, "body.ended_on"),  # before it started
    ({"ended_on": "2028-03-01", "reason": "too late"}, "body.ended_on"),  # after its planned end
    ({"ended_on": "someday", "reason": "left"}, "body.ended_on"),
    ({"ended_on": "2026-06-30"}, "body.reason"),
    ({"ended_on": "2026-06-30", "reason": "left", "by": "me"}, "body.by"),
]


async def test_an_invalid_ending_names_the_field_and_writes_nothing(registry: Registry, subtests: Any) -> None:
    ngo = await active_ngo(registry)
    assignment = (await registry.post(f"/organizations/{ngo['id']}/foreign-staff", expert())).json()
    before = await registry.written()
    for body, field in INVALID_ENDINGS:
        with subtests.test(body=body):
            response = await registry.post(f"/foreign-staff/{assignment['id']}/end", body)
            assert response.status_code == 422, response.text
            assert fields_of(response) == {field}
    unknown = await registry.post(f"/foreign-staff/{uuid.uuid4()}/end", {"ended_on": "2026-06-30", "reason": "x y"})
    assert unknown.status_code == 404
    assert await registry.written() == before
    assert (await registry.get(f"/foreign-staff/{assignment['id']}")).json() == assignment


async def test_the_day_turns_in_jakarta(registry: Registry) -> None:
    ngo = await active_ngo(registry)
    path = f"/organizations/{ngo['id']}/foreign-staff"
    for n in range(1, 3):
        assert (await registry.post(path, expert(n))).status_code == 201
    last_day = (await registry.post(path, expert(3, ends_on="2026-03-02"))).json()
    assert last_day["state"] == "active"
    assert (await registry.post(path, expert(4, starts_on="2026-03-02"))).status_code == 409

    registry.clock.advance(hours=13, minutes=59)  # 23:59 in Jakarta, still 2 March
    assert (await registry.get(f"/foreign-staff/{last_day['id']}")).json()["state"] == "active"
    registry.clock.advance(minutes=1)  # midnight in Jakarta, 17:00 UTC: 3 March
    assert (await registry.get(f"/foreign-staff/{last_day['id']}")).json()["state"] == "ended"
    assert (await registry.post(path, expert(4, starts_on="2026-03-03"))).status_code == 201
    # An assignment that ended yesterday (Jakarta) cannot be ended now.
    over = await registry.post(f"/foreign-staff/{last_day['id']}/end", {"ended_on": "2026-03-02", "reason": "late"})
    assert over.status_code == 409


BAD_STAFF_LIST_PARAMETERS: list[tuple[dict[str, Any], str]] = [
    ({"state": "retired"}, "query.state"),
    ({"limit": 0}, "query.limit"),
    ({"offset": -1}, "query.offset"),
    ({"offset": 10**30}, "query.offset"),
    ({"active": "true"}, "query.active"),
]


async def test_the_staff_list_pages_and_refuses_bad_parameters(registry: Registry, subtests: Any) -> None:
    ngo = await active_ngo(registry)
    path = f"/organizations/{ngo['id']}/foreign-staff"
    for n in range(1, 4):
        assert (await registry.post(path, expert(n, starts_on=f"2026-0{n + 2}-01"))).status_code == 201
    page = (await registry.get(path, limit=1, offset=1)).json()
    assert ([i["full_name"] for i in page["items"]], page["total"]) == (["Expert 2"], 3)
    assert (await registry.get(path, state="upcoming")).json()["total"] == 2
    for params, field in BAD_STAFF_LIST_PARAMETERS:
        with subtests.test(params=params):
            response = await registry.get(path, **params)
            assert response.status_code == 422, response.text
            assert fields_of(response) == {field}
    assert (await registry.get(f"/organizations/{uuid.uuid4()}/foreign-staff")).status_code == 404
    assert (await registry.get(f"/foreign-staff/{uuid.uuid4()}")).status_code == 404


async def test_an_expert_works_at_most_five_years_in_all_across_ngos(registry: Registry) -> None:
    first, second = await active_ngo(registry, "SNV Netherlands"), await active_ngo(registry, "Cordaid")
    passport = {"passport_number": "NX7777777"}
    earlier = await registry.post(
        f"/organizations/{first['id']}/foreign-staff",
        expert(1, starts_on="2026-03-01", ends_on="2029-02-28", **passport),
    )
    assert earlier.status_code == 201, earlier.text
    # Days shared with the first assignment count once: up to the fifth anniversary of its start is allowed.
    within = await registry.post(
        f"/organizations/{second['id']}/foreign-staff",
        expert(2, starts_on="2029-01-01", ends_on="2031-02-28", **passport),
    )
    assert within.status_code == 201, within.text
    before = await registry.written()
    beyond = await registry.post(
        f"/organizations/{second['id']}/foreign-staff",
        expert(3, starts_on="2031-03-01", ends_on="2031-03-31", **passport),
    )
    assert beyond.status_code == 409, beyond.text
    assert fields_of(beyond) == {"body.ends_on"}
    assert "NX7777777" not in beyond.text
    assert "SNV" not in beyond.text
    assert await registry.written() == before
    # Another expert is not concerned.
    other = await registry.post(
        f"/organizations/{second['id']}/foreign-staff", expert(4, starts_on="2031-03-01", ends_on="2031-03-31")
    )
    assert other.status_code == 201, other.text
