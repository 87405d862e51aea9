"""Government partners through the registry's HTTP API, against the real PostgreSQL: rules, search, ETags, events."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import httpx
import pytest

from mitra_shared.contracts.registry import PartnerRegistered, PartnerUpdated

pytestmark = pytest.mark.integration

SEMARANG_KESBANGPOL = {
    "name": "Kesbangpol Kota Semarang",
    "email": "kesbangpol@semarangkota.go.id",
    "webhook_url": "https://siap.semarangkota.go.id/hooks/mitra",
    "language": "id",
}


@pytest.fixture
def client(registry_client: httpx.AsyncClient) -> httpx.AsyncClient:
    return registry_client


async def events(pool: asyncpg.Pool, routing_key: str) -> list[dict[str, Any]]:
    rows = await pool.fetch("SELECT body FROM outbox WHERE routing_key = $1 ORDER BY seq", routing_key)
    return [json.loads(row["body"]) for row in rows]


async def partner_count(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM partners"))


async def add(client: httpx.AsyncClient, **fields: Any) -> dict[str, Any]:
    response = await client.post("/partners", json=fields)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


async def test_a_partner_is_registered_with_its_contacts_and_announced(
    client: httpx.AsyncClient, registry_pool: asyncpg.Pool
) -> None:
    province = await add(client, kind="province", code="33", name="Jawa Tengah")
    response = await client.post(
        "/partners",
        json={
            "kind": "regency",
            "code": "33.74",
            "name": "Kota Semarang",
            "parent_code": "33",
            "contacts": [SEMARANG_KESBANGPOL, {"name": "Bappeda", "email": "bappeda@semarangkota.go.id"}],
        },
        headers={"X-Correlation-ID": "corr-semarang"},
    )
    assert response.status_code == 201, response.text
    regency = response.json()
    assert response.headers["Location"] == f"/partners/{regency['id']}"
    assert response.headers["ETag"] == '"1"'
    assert regency["code"] == "3374"
    assert regency["parent_code"] == "33"
    assert regency["active"] is True
    assert regency["contacts"][1] == {
        "name": "Bappeda",
        "email": "bappeda@semarangkota.go.id",
        "webhook_url": None,
        "language": "id",
    }

    registered = await events(registry_pool, "registry.partner.registered")
    assert [event["subject"] for event in registered] == [province["id"], regency["id"]]
    assert registered[1]["correlationid"] == "corr-semarang"
    data = PartnerRegistered.model_validate(registered[1]["data"])
    assert (data.partner_kind, data.code, data.parent_code, data.name) == ("regency", "3374", "33", "Kota Semarang")
    assert [contact.model_dump() for contact in data.contacts] == regency["contacts"]

    fetched = await client.get(f"/partners/{regency['id']}")
    assert fetched.status_code == 200
    assert fetched.json() == regency
    assert fetched.headers["ETag"] == '"1"'


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "province", "code": "3", "name": "Jawa Tengah"}, "body.code"),
        ({"kind": "province", "code": "33", "name": "Jawa Tengah", "parent_code": "33"}, "body.parent_code"),
        ({"kind": "regency", "code": "3374", "name": "Kota Semarang"}, "body.parent_code"),
        ({"kind": "regency", "code": "374", "name": "Kota Semarang", "parent_code": "33"}, "body.code"),
        ({"kind": "regency", "code": "3474", "name": "Kota Semarang", "parent_code": "33"}, "body.parent_code"),
        ({"kind": "ministry", "code": "K", "name": "Kementerian Sosial"}, "body.code"),
        ({"kind": "district", "code": "33", "name": "Jawa Tengah"}, "body.kind"),
        ({"kind": "ministry", "code": "KEMENSOS", "name": ""}, "body.name"),
        (
            {"kind": "ministry", "code": "KEMENSOS", "name": "Kemensos", "contacts": [{"name": "Biro"}]},
            "body.contacts.0",
        ),
        (
            {"kind": "ministry", "code": "KEMENSOS", "name": "Kemensos", "contacts": [{"name": "B", "email": "x"}]},
            "body.contacts.0.email",
        ),
        (
            {
                "kind": "ministry",
                "code": "KEMENSOS",
                "name": "Kemensos",
                "contacts": [{"name": "B", "webhook_url": "ftp://kemensos.go.id/hook"}],
            },
            "body.contacts.0.webhook_url",
        ),
        (
            {
                "kind": "ministry",
                "code": "KEMENSOS",
                "name": "Kemensos",
                "contacts": [{"name": "B", "email": "b@kemensos.go.id", "language": "fr"}],
            },
            "body.contacts.0.language",
        ),
        ({"kind": "ministry", "code": "KEMENSOS", "name": "Kemensos", "active": False}, "body.active"),
    ],
)
async def test_bad_partners_are_refused_naming_the_field_and_nothing_is_written(
    client: httpx.AsyncClient, registry_pool: asyncpg.Pool, body: dict[str, Any], field: str
) -> None:
    response = await client.post("/partners", json=body)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert field in [error["field"] for error in response.json()["errors"]]
    assert await partner_count(registry_pool) == 0
    assert await events(registry_pool, "registry.partner.registered") == []


async def test_a_regency_needs_a_registered_province_and_codes_are_unique_per_kind(
    client: httpx.AsyncClient, registry_pool: asyncpg.Pool
) -> None:
    orphan = await client.post(
        "/partners", json={"kind": "regency", "code": "3374", "name": "Semarang", "parent_code": "33"}
    )
    assert orphan.status_code == 422
    assert orphan.json()["errors"] == [{"field": "body.parent_code", "reason": "no province with code 33"}]
    assert await partner_count(registry_pool) == 0

    await add(client, kind="province", code="33", name="Jawa Tengah")
    await add(client, kind="ministry", code="kemensos", name="Kementerian Sosial")
    again = await client.post("/partners", json={"kind": "province", "code": "33", "name": "Central Java"})
    assert again.status_code == 409
    assert again.json()["errors"][0]["field"] == "body.code"
    same_code_other_kind = await client.post("/partners", json={"kind": "tpoa", "code": "KEMENSOS", "name": "TPOA"})
    assert same_code_other_kind.status_code == 201
    assert await partner_count(registry_pool) == 3
    assert len(await events(registry_pool, "registry.partner.registered")) == 3


async def test_partners_are_listed_filtered_searched_without_accents_sorted_and_paged(
    client: httpx.AsyncClient,
) -> None:
    await add(client, kind="province", code="33", name="Jawa Tengah")
    await add(client, kind="province", code="11", name="Aceh")
    await add(client, kind="regency", code="3374", name="Kota Semarang", parent_code="33")
    await add(client, kind="regency", code="3301", name="Kabupaten Cilacap", parent_code="33")
    await add(client, kind="regency", code="1101", name="Kabupaten Simeulue", parent_code="11")
    await add(client, kind="ministry", code="KEMENSOS", name="Kementerian Sosial")
    await add(client, kind="tpoa", code="TPOA", name="Tim Perizinan Ormas Asing (Kemenlu)")
    await add(client, kind="ministry", code="KEMENDAGRI", name="Kementerian Dalam Negeri — Ditjen Polpum Pidié")

    async def names(**params: Any) -> list[str]:
        response = await client.get("/partners", params=params)
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()["items"]]

    assert await names(kind="regency", parent_code="33") == ["Kabupaten Cilacap", "Kota Semarang"]
    assert await names(kind="province", sort="-code") == ["Jawa Tengah", "Aceh"]
    assert await names(q="KABUPATEN", sort="code") == ["Kabupaten Simeulue", "Kabupaten Cilacap"]
    assert await names(q="pidie") == ["Kementerian Dalam Negeri — Ditjen Polpum Pidié"]
    assert await names(q="PIDIÉ") == ["Kementerian Dalam Negeri — Ditjen Polpum Pidié"]
    assert await names(q="50%") == []

    page = (await client.get("/partners", params={"sort": "name", "limit": 3, "offset": 3})).json()
    assert page["total"] == 8
    assert (page["limit"], page["offset"]) == (3, 3)
    assert [item["name"] for item in page["items"]] == [
        "Kabupaten Simeulue",
        "Kementerian Dalam Negeri — Ditjen Polpum Pidié",
        "Kementerian Sosial",
    ]

    for params, field in (
        ({"kind": "district"}, "query.kind"),
        ({"parent_code": "3"}, "query.parent_code"),
        ({"sort": "colour"}, "query.sort"),
        ({"limit": 0}, "query.limit"),
        ({"offset": -1}, "query.offset"),
        ({"offset": 10**30}, "query.offset"),  # once a 500: more than PostgreSQL's bigint
        ({"limit": 10**30}, "query.limit"),
        ({"q": ""}, "query.q"),
    ):
        refused = await client.get("/partners", params=params)
        assert refused.status_code == 422, params
        assert [error["field"] for error in refused.json()["errors"]] == [field]


async def test_a_change_needs_the_current_etag_and_publishes_the_whole_new_state(
    client: httpx.AsyncClient, registry_pool: asyncpg.Pool
) -> None:
    ministry = await add(client, kind="ministry", code="KEMENSOS", name="Kemensos")
    url = f"/partners/{ministry['id']}"
    patch = {"name": "Kementerian Sosial", "contacts": [SEMARANG_KESBANGPOL | {"language": "en"}]}

    missing = await client.patch(url, json=patch)
    assert missing.status_code == 428
    assert missing.json()["errors"][0]["field"] == "header.if-match"
    wildcard = await client.patch(url, json=patch, headers={"If-Match": "*"})
    assert wildcard.status_code == 428

    changed = await client.patch(url, json=patch, headers={"If-Match": '"1"'})
    assert changed.status_code == 200, changed.text
    assert changed.headers["ETag"] == '"2"'
    assert changed.json()["name"] == "Kementerian Sosial"
    assert changed.json()["contacts"][0]["language"] == "en"

    stale = await client.patch(url, json={"name": "Kemensos RI"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.json()["errors"][0]["field"] == "header.if-match"
    garbled = await client.patch(url, json={"name": "Kemensos RI"}, headers={"If-Match": "version one"})
    assert garbled.status_code == 412

    deactivated = await client.patch(url, json={"active": False}, headers={"If-Match": 'W/"2"'})
    assert deactivated.status_code == 200
    assert deactivated.json()["active"] is False
    assert deactivated.json()["version"] == 3

    updates = await events(registry_pool, "registry.partner.updated")
    assert len(updates) == 2
    first, second = (PartnerUpdated.model_validate(event["data"]) for event in updates)
    assert (first.name, first.version, first.active, first.contacts[0].language) == (
        "Kementerian Sosial",
        2,
        True,
        "en",
    )
    assert (second.name, second.version, second.active) == ("Kementerian Sosial", 3, False)
    assert second.contacts == first.contacts

    # Repeating the current state is no change: no new version, no event.
    same = await client.patch(url, json={"active": False, "name": "Kementerian Sosial"}, headers={"If-Match": '"3"'})
    assert same.status_code == 200
    assert same.json()["version"] == 3
    assert len(await events(registry_pool, "registry.partner.updated")) == 2
    listed = (await client.get("/partners", params={"active": False})).json()
    assert [item["id"] for item in listed["items"]] == [ministry["id"]]


async def test_bad_changes_are_refused_naming_the_field_and_nothing_is_written(
    client: httpx.AsyncClient, registry_pool: asyncpg.Pool
) -> None:
    await add(client, kind="province", code="33", name="Jawa Tengah")
    partner = await add(client, kind="regency", code="3374", name="Kota Semarang", parent_code="33")
    url = f"/partners/{partner['id']}"
    for body, field in (
        ({"code": "3375"}, "body.code"),
        ({"parent_code": "34"}, "body.parent_code"),
        ({"kind": "province"}, "body.kind"),
        ({"name": None}, "body.name"),
        ({"active": None}, "body.active"),
        ({"name": "S"}, "body.name"),
        ({"contacts": [{"name": "Kesbangpol", "webhook_url": "javascript:alert(1)"}]}, "body.contacts.0.webhook_url"),
    ):
        response = await client.patch(url, json=body, headers={"If-Match": '"1"'})
        assert response.status_code == 422, body
        assert [error["field"] for error in response.json()["errors"]] == [field], body
    assert (await client.get(url)).json() == partner
    assert await events(registry_pool, "registry.partner.updated") == []

    unknown = await client.patch(
        "/partners/00000000-0000-0000-0000-000000000000", json={"name": "Kota"}, headers={"If-Match": '"1"'}
    )
    assert unknown.status_code == 404
    not_an_id = await client.get("/partners/semarang")
    assert not_an_id.status_code == 422
    assert not_an_id.json()["errors"][0]["field"] == "path.partner_id"


async def test_partner_endpoints_need_a_token(client: httpx.AsyncClient) -> None:
    for method, path in (
        ("GET", "/partners"),
        ("POST", "/partners"),
        ("GET", "/partners/00000000-0000-0000-0000-000000000000"),
        ("PATCH", "/partners/00000000-0000-0000-0000-000000000000"),
        ("POST", "/partners/regions/import?level=provinces"),
    ):
        response = await client.request(method, path, headers={"Authorization": ""})
        assert response.status_code == 401, (method, path)
