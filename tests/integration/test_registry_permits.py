"""Permits through the registry's HTTP API against the real PostgreSQL: every rule, bad input, and the events."""

from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest

from mitra_shared.clock import add_months
from mitra_shared.contracts.registry import PermitExtended, PermitGranted

pytestmark = pytest.mark.integration
PERMIT_FIELDS = {
    "id",
    "organization_id",
    "permit_type",
    "number",
    "issued_on",
    "valid_until",
    "principle_permit_id",
    "msp_id",
    "status",
    "version",
    "granted_at",
}


def jakarta_today() -> date:
    return datetime.now(ZoneInfo("Asia/Jakarta")).date()


@pytest.fixture
def client(registry_client: httpx.AsyncClient) -> httpx.AsyncClient:
    return registry_client


async def register_ngo(client: httpx.AsyncClient, name: str = "Plan International") -> str:
    response = await client.post("/organizations", json={"legal_name": name, "country_of_origin": "GB"})
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def grant(client: httpx.AsyncClient, organization_id: str, **fields: Any) -> dict[str, Any]:
    response = await client.post(f"/organizations/{organization_id}/permits", json=fields)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def grant_principle(
    client: httpx.AsyncClient, organization_id: str, issued_on: date, valid_until: date, number: str | None = None
) -> dict[str, Any]:
    return await grant(
        client,
        organization_id,
        permit_type="principle",
        number=number or f"IP-{uuid.uuid4().hex[:8]}",
        issued_on=issued_on.isoformat(),
        valid_until=valid_until.isoformat(),
    )


async def events(pool: asyncpg.Pool, routing_key: str) -> list[dict[str, Any]]:
    rows = await pool.fetch("SELECT body FROM outbox WHERE routing_key = $1 ORDER BY seq", routing_key)
    return [json.loads(row["body"]) for row in rows]


async def written(pool: asyncpg.Pool) -> tuple[int, int, int]:
    """Permits, extensions and permit events: what a refused request must leave as it was."""
    return (
        int(await pool.fetchval("SELECT count(*) FROM permits")),
        int(await pool.fetchval("SELECT count(*) FROM permit_extensions")),
        int(await pool.fetchval("SELECT count(*) FROM outbox WHERE routing_key LIKE 'registry.permit.%'")),
    )


async def test_a_principle_then_an_operating_permit_are_granted_and_announced(
    client: httpx.AsyncClient, registry_pool: asyncpg.Pool
) -> None:
    ngo = await register_ngo(client)
    response = await client.post(
        f"/organizations/{ngo}/permits",
        json={
            "permit_type": "principle",
            "number": "IP-2025/0042",
            "issued_on": "2025-02-01",
            "valid_until": "2028-02-01",
        },
        headers={"X-Correlation-ID": "corr-permit"},
    )
    assert response.status_code == 201, response.text
    principle = response.json()
    assert set(principle) == PERMIT_FIELDS
    assert response.headers["Location"] == f"/permits/{principle['id']}"
    assert (principle["status"], principle["version"], principle["organization_id"]) == ("valid", 1, ngo)
    assert (principle["principle_permit_id"], principle["msp_id"]) == (None, None)

    msp_id = str(uuid.uuid4())
    operating = await grant(
        client,
        ngo,
        permit_type="operating",
        number="IO-2025/0107",
        issued_on="2025-03-10",
        valid_until="2028-02-01",
        principle_permit_id=principle["id"],
        msp_id=msp_id,
    )
    assert (operating["principle_permit_id"], operating["msp_id"]) == (principle["id"], msp_id)
    read = (await client.get(f"/permits/{operating['id']}")).json()
    assert (read.pop("documents"), read) == ([], operating)  # a permit read lists its files besides its record

    granted = await events(registry_pool, "registry.permit.granted")
    assert [event["subject"] for event in granted] == [principle["id"], operating["id"]]
    assert granted[0]["correlationid"] == "corr-permit"
    first, second = (PermitGranted.model_validate(event["data"]) for event in granted)
    assert (first.organization_name, first.permit_type, first.number) == (
        "Plan International",
        "principle",
        "IP-2025/0042",
    )
    assert (first.issued_on, first.valid_until) == (date(2025, 2, 1), date(2028, 2, 1))
    assert (str(second.principle_permit_id), str(second.msp_id)) == (principle["id"], msp_id)


async def test_a_principle_permit_is_valid_at_most_three_years_to_the_day(
    client: httpx.AsyncClient, registry_pool: asyncpg.Pool
) -> None:
    ngo = await register_ngo(client)
    await grant_principle(client, ngo, date(2024, 1, 15), date(2027, 1, 15))
    too_long = await client.post(
        f"/organizations/{ngo}/permits",
        json={"permit_type": "principle", "number": "IP-2", "issued_on": "2024-01-15", "valid_until": "2027-01-16"},
    )
    assert too_long.status_code == 422
    [error] = too_long.json()["errors"]
    assert error["field"] == "body.valid_until"
    assert "at most 3 years" in error["reason"]
    assert "2027-01-15" in error["reason"]
    assert await written(registry_pool) == (1, 0, 1)


async def test_an_operating_permit_rests_on_a_valid_principle_permit_of_the_same_ngo(
    client: httpx.AsyncClient, registry_pool: asyncpg.Pool
) -> None:
    ngo = await register_ngo(client)
    other_ngo = await register_ngo(client, "CARE International")
    principle = await grant_principle(client, ngo, date(2025, 1, 1), date(2027, 12, 31))
    others = await grant_principle(client, other_ngo, date(2025, 1, 1), date(2027, 12, 31))
    operating = await grant(
        client,
        ngo,
        permit_type="operating",
        number="IO-1",
        issued_on="2025-02-01",
        valid_until="2027-06-30",
        principle_permit_id=principle["id"],
    )
    lapsed = await grant_principle(client, ngo, date(2022, 1, 1), date(2024, 12, 31))
    await registry_pool.execute("UPDATE permits SET status = 'expired' WHERE id = $1", uuid.UUID(lapsed["id"]))
    before = await written(registry_pool)

    def operating_permit(**overrides: Any) -> dict[str, Any]:
        return {
            "permit_type": "operating",
            "number": "IO-2",
            "issued_on": "2025-02-01",
            "valid_until": "2027-06-30",
            "principle_permit_id": principle["id"],
        } | overrides

    for body, status, field, reason in (
        (operating_permit(valid_until="2028-01-01"), 422, "body.valid_until", "never valid past its principle permit"),
        (operating_permit(issued_on="2024-12-31"), 422, "body.issued_on", "before its principle permit"),
        (operating_permit(principle_permit_id=others["id"]), 422, "body.principle_permit_id", "another NGO"),
        (operating_permit(principle_permit_id=operating["id"]), 422, "body.principle_permit_id", "no principle permit"),
        (operating_permit(principle_permit_id=str(uuid.uuid4())), 422, "body.principle_permit_id", "no principle"),
        (
            operating_permit(principle_permit_id=lapsed["id"], issued_on="2023-01-01", valid_until="2024-06-30"),
            409,
            "body.principle_permit_id",
            "is expired",
        ),
    ):
        response = await client.post(f"/organizations/{ngo}/permits", json=body)
        assert response.status_code == status, (body, response.text)
        [error] = response.json()["errors"]
        assert error["field"] == field, body
        assert reason in error["reason"], body
    assert await written(registry_pool) == before


@pytest.mark.parametrize("status", ["suspended", "revoked", "closed"])
async def test_an_ngo_that_is_suspended_revoked_or_closed_gets_no_permit_nor_extension(
    client: httpx.AsyncClient, registry_pool: asyncpg.Pool, status: str
) -> None:
    ngo = await register_ngo(client)
    today = jakarta_today()
    principle = await grant_principle(client, ngo, today - timedelta(days=400), today + timedelta(days=200))
    await registry_pool.execute("UPDATE organizations SET status = $2 WHERE id = $1", uuid.UUID(ngo), status)
    before = await written(registry_pool)

    refused = await client.post(
        f"/organizations/{ngo}/permits",
        json={"permit_type": "principle", "number": "IP-9", "issued_on": "2025-01-01", "valid_until": "2026-01-01"},
    )
    assert refused.status_code == 409
    assert status in refused.json()["detail"]
    not_extended = await client.post(
        f"/permits/{principle['id']}/extensions", json={"valid_until": (today + timedelta(days=900)).isoformat()}
    )
    assert not_extended.status_code == 409
    assert await written(registry_pool) == before


async def test_permit_numbers_are_unique_per_type_and_unknown_ngos_are_not_found(
    client: httpx.AsyncClient, registry_pool: asyncpg.Pool
) -> None:
    ngo = await register_ngo(client)
    principle = await grant_principle(client, ngo, date(2025, 1, 1), date(2027, 1, 1), number="NO-1")
    again = await client.post(
        f"/organizations/{ngo}/permits",
        json={"permit_type": "principle", "number": "NO-1", "issued_on": "2025-01-01", "valid_until": "2026-01-01"},
    )
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "body.number"
    await grant(
        client,
        ngo,
        permit_type="operating",
        number="NO-1",
        issued_on="2025-01-01",
        valid_until="2026-01-01",
        principle_permit_id=principle["id"],
    )
    unknown = await client.post(
        f"/organizations/{uuid.uuid4()}/permits",
        json={"permit_type": "principle", "number": "NO-2", "issued_on": "2025-01-01", "valid_until": "2026-01-01"},
    )
    assert unknown.status_code == 404
    assert (await client.get(f"/permits/{uuid.uuid4()}")).status_code == 404
    assert await written(registry_pool) == (2, 0, 2)


GOOD_PRINCIPLE = {"permit_type": "principle", "number": "IP-1", "issued_on": "2025-01-01", "valid_until": "2026-01-01"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({k: v for k, v in GOOD_PRINCIPLE.items() if k != "number"}, "body.number"),
        (GOOD_PRINCIPLE | {"number": "  "}, "body.number"),
        (GOOD_PRINCIPLE | {"permit_type": "temporary"}, "body.permit_type"),
        (GOOD_PRINCIPLE | {"issued_on": "01/01/2025"}, "body.issued_on"),
        (GOOD_PRINCIPLE | {"valid_until": "2026-02-30"}, "body.valid_until"),
        (GOOD_PRINCIPLE | {"valid_until": "2024-12-31"}, "body.valid_until"),
        (GOOD_PRINCIPLE | {"principle_permit_id": str(uuid.uuid4())}, "body.principle_permit_id"),
        (GOOD_PRINCIPLE | {"msp_id": str(uuid.uuid4())}, "body.msp_id"),
        (GOOD_PRINCIPLE | {"permit_type": "operating"}, "body.principle_permit_id"),
        (GOOD_PRINCIPLE | {"permit_type": "operating", "principle_permit_id": "IP-1"}, "body.principle_permit_id"),
        (GOOD_PRINCIPLE | {"status": "valid"}, "body.status"),
    ],
)
async def test_bad_permits_are_refused_naming_the_field_and_nothing_is_written(
    client: httpx.AsyncClient, registry_pool: asyncpg.Pool, body: dict[str, Any], field: str
) -> None:
    ngo = await register_ngo(client)
    response = await client.post(f"/organizations/{ngo}/permits", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert await written(registry_pool) == (0, 0, 0)


async def test_a_permit_path_must_name_an_id(client: httpx.AsyncClient) -> None:
    for method, path, body in (
        ("POST", "/organizations/plan/permits", GOOD_PRINCIPLE),
        ("GET", "/permits/ip-1", None),
        ("POST", "/permits/ip-1/extensions", {"valid_until": "2030-01-01"}),
    ):
        response = await client.request(method, path, json=body)
        assert response.status_code == 422, path
        assert response.json()["errors"][0]["field"] in ("path.organization_id", "path.permit_id")


async def test_a_principle_extension_on_time_is_not_flagged_and_a_late_one_is_accepted_flagged(
    client: httpx.AsyncClient, registry_pool: asyncpg.Pool
) -> None:
    ngo = await register_ngo(client)
    today = jakarta_today()
    far = today + timedelta(days=200)
    on_time_permit = await grant_principle(client, ngo, far - timedelta(days=1000), far)
    valid_until = today + timedelta(days=60)
    late_permit = await grant_principle(client, ngo, valid_until - timedelta(days=1000), valid_until)

    on_time = await client.post(
        f"/permits/{on_time_permit['id']}/extensions", json={"valid_until": (far + timedelta(days=365)).isoformat()}
    )
    assert on_time.status_code == 201, on_time.text
    assert on_time.json()["requested_late"] is False

    late = await client.post(
        f"/permits/{late_permit['id']}/extensions",
        json={"valid_until": (valid_until + timedelta(days=365)).isoformat()},
    )
    assert late.status_code == 201, late.text
    extension = late.json()
    assert extension["requested_late"] is True
    assert extension["requested_on"] == today.isoformat()  # today in Asia/Jakarta when left out
    assert extension["previous_valid_until"] == valid_until.isoformat()
    assert extension["permit"]["valid_until"] == (valid_until + timedelta(days=365)).isoformat()
    assert extension["permit"]["version"] == 2
    read = (await client.get(f"/permits/{late_permit['id']}")).json()
    assert (read.pop("documents"), read) == ([], extension["permit"])

    extended = [
        PermitExtended.model_validate(event["data"])
        for event in await events(registry_pool, "registry.permit.extended")
    ]
    assert [(e.requested_late, e.previous_valid_until, e.organization_name) for e in extended] == [
        (False, far, "Plan International"),
        (True, valid_until, "Plan International"),
    ]
    assert await written(registry_pool) == (2, 2, 4)


async def test_an_extension_is_a_new_term_of_at_most_three_years_and_only_for_a_valid_permit(
    client: httpx.AsyncClient, registry_pool: asyncpg.Pool
) -> None:
    ngo = await register_ngo(client)
    today = jakarta_today()
    ends = today + timedelta(days=30)
    principle = await grant_principle(client, ngo, ends - timedelta(days=700), ends)
    operating = await grant(
        client,
        ngo,
        permit_type="operating",
        number="IO-1",
        issued_on=(ends - timedelta(days=600)).isoformat(),
        valid_until=(ends - timedelta(days=10)).isoformat(),
        principle_permit_id=principle["id"],
    )
    lapsed = await grant_principle(client, ngo, today - timedelta(days=400), today - timedelta(days=1))
    await registry_pool.execute("UPDATE permits SET status = 'expired' WHERE id = $1", uuid.UUID(lapsed["id"]))
    before = await written(registry_pool)
    new_term_starts = ends + timedelta(days=1)
    latest = add_months(new_term_starts, 36)

    for permit, body, status, field in (
        (principle, {"valid_until": (latest + timedelta(days=1)).isoformat()}, 422, "body.valid_until"),
        (principle, {"valid_until": ends.isoformat()}, 422, "body.valid_until"),
        (
            principle,
            {"valid_until": latest.isoformat(), "requested_on": (today + timedelta(days=1)).isoformat()},
            422,
            "body.requested_on",
        ),
        (principle, {"valid_until": "2040-13-01"}, 422, "body.valid_until"),
        (principle, {"valid_until": latest.isoformat(), "late": True}, 422, "body.late"),
        (principle, {}, 422, "body.valid_until"),
        (operating, {"valid_until": (ends + timedelta(days=1)).isoformat()}, 422, "body.valid_until"),
        (lapsed, {"valid_until": latest.isoformat()}, 409, None),
    ):
        response = await client.post(f"/permits/{permit['id']}/extensions", json=body)
        assert response.status_code == status, (body, response.text)
        assert [error["field"] for error in response.json().get("errors", [])] == ([field] if field else []), body
    unknown = await client.post(f"/permits/{uuid.uuid4()}/extensions", json={"valid_until": latest.isoformat()})
    assert unknown.status_code == 404
    assert await written(registry_pool) == before

    longest = await client.post(f"/permits/{principle['id']}/extensions", json={"valid_until": latest.isoformat()})
    assert longest.status_code == 201, longest.text
    # The operating permit may now follow its principle permit, and is never flagged late.
    following = await client.post(
        f"/permits/{operating['id']}/extensions", json={"valid_until": (latest - timedelta(days=30)).isoformat()}
    )
    assert following.status_code == 201, following.text
    assert following.json()["requested_late"] is False


async def test_permits_are_listed_by_ngo_type_status_and_expiry(
    client: httpx.AsyncClient, registry_pool: asyncpg.Pool
) -> None:
    plan = await register_ngo(client)
    care = await register_ngo(client, "CARE International")
    p2026 = await grant_principle(client, plan, date(2024, 1, 1), date(2026, 6, 30), number="P-2026")
    p2027 = await grant_principle(client, care, date(2025, 1, 1), date(2027, 6, 30), number="P-2027")
    o2026 = await grant(
        client,
        plan,
        permit_type="operating",
        number="O-2026",
        issued_on="2024-02-01",
        valid_until="2026-03-31",
        principle_permit_id=p2026["id"],
    )
    old = await grant_principle(client, care, date(2020, 1, 1), date(2022, 12, 31), number="P-2022")
    await registry_pool.execute("UPDATE permits SET status = 'expired' WHERE id = $1", uuid.UUID(old["id"]))

    async def numbers(**params: Any) -> list[str]:
        response = await client.get("/permits", params=params)
        assert response.status_code == 200, response.text
        return [item["number"] for item in response.json()["items"]]

    assert await numbers() == ["P-2022", "O-2026", "P-2026", "P-2027"]
    assert await numbers(organization_id=plan) == ["O-2026", "P-2026"]
    assert await numbers(permit_type="principle", status="valid") == ["P-2026", "P-2027"]
    assert await numbers(status="expired") == ["P-2022"]
    assert await numbers(expiring_before="2026-07-01") == ["O-2026", "P-2026"]
    assert await numbers(expiring_before="2026-06-30") == ["O-2026"]
    page = (await client.get("/permits", params={"limit": 2, "offset": 1})).json()
    assert (page["total"], [item["id"] for item in page["items"]]) == (4, [o2026["id"], p2026["id"]])
    assert p2027["organization_id"] == care

    for params, field in (
        ({"organization_id": "plan"}, "query.organization_id"),
        ({"permit_type": "temporary"}, "query.permit_type"),
        ({"status": "frozen"}, "query.status"),
        ({"expiring_before": "next year"}, "query.expiring_before"),
        ({"limit": 501}, "query.limit"),
        ({"limit": 10**30}, "query.limit"),
        ({"offset": -1}, "query.offset"),
        ({"offset": 10**30}, "query.offset"),  # once a 500: more than PostgreSQL's bigint
    ):
        refused = await client.get("/permits", params=params)
        assert refused.status_code == 422, params
        assert [error["field"] for error in refused.json()["errors"]] == [field]


async def test_permit_endpoints_need_a_token(client: httpx.AsyncClient) -> None:
    some_id = uuid.uuid4()
    for method, path in (
        ("POST", f"/organizations/{some_id}/permits"),
        ("GET", f"/permits/{some_id}"),
        ("GET", "/permits"),
        ("POST", f"/permits/{some_id}/extensions"),
    ):
        response = await client.request(method, path, headers={"Authorization": ""})
        assert response.status_code == 401, (method, path)
