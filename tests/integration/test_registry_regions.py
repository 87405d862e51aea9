"""The regions import through the registry's HTTP API on the real PostgreSQL, with BPS's files as a user has them."""

from __future__ import annotations

import json
from typing import Any

import asyncpg
import httpx
import pytest
from support.paths import DATA

from mitra_shared.contracts.registry import PartnerRegistered, PartnerUpdated

pytestmark = pytest.mark.integration
# BPS's lists, as the repository keeps them (data/README.md says where they come from).
PROVINCES = (DATA / "regions" / "provinces.csv").read_bytes()
REGENCIES = (DATA / "regions" / "regencies.csv").read_bytes()
CSV = {"Content-Type": "text/csv"}


@pytest.fixture
def client(registry_client: httpx.AsyncClient) -> httpx.AsyncClient:
    return registry_client


async def import_file(client: httpx.AsyncClient, level: str, content: bytes) -> httpx.Response:
    return await client.post("/partners/regions/import", params={"level": level}, content=content, headers=CSV)


async def imported(client: httpx.AsyncClient, level: str, content: bytes) -> dict[str, Any]:
    response = await import_file(client, level, content)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def counts(pool: asyncpg.Pool) -> dict[str, int]:
    rows = await pool.fetch("SELECT kind, count(*) AS n FROM partners GROUP BY kind")
    return {row["kind"]: row["n"] for row in rows}


async def outbox_count(pool: asyncpg.Pool) -> int:
    return int(await pool.fetchval("SELECT count(*) FROM outbox"))


async def test_the_bps_files_load_34_provinces_and_514_regencies_and_a_second_import_changes_nothing(
    client: httpx.AsyncClient, registry_pool: asyncpg.Pool
) -> None:
    assert await imported(client, "provinces", PROVINCES) == {
        "level": "provinces",
        "added": 34,
        "updated": 0,
        "unchanged": 0,
    }
    assert await imported(client, "regencies", REGENCIES) == {
        "level": "regencies",
        "added": 514,
        "updated": 0,
        "unchanged": 0,
    }
    assert await counts(registry_pool) == {"province": 34, "regency": 514}
    rows = await registry_pool.fetch("SELECT body FROM outbox WHERE routing_key = 'registry.partner.registered'")
    registered = [PartnerRegistered.model_validate(json.loads(row["body"])["data"]) for row in rows]
    assert len(registered) == 548
    semarang = next(event for event in registered if event.code == "3374")
    assert (semarang.partner_kind, semarang.name, semarang.parent_code) == ("regency", "KOTA SEMARANG", "33")

    before = await registry_pool.fetch("SELECT id, name, version, updated_at FROM partners ORDER BY id")
    events_before = await outbox_count(registry_pool)
    assert await imported(client, "provinces", PROVINCES) == {
        "level": "provinces",
        "added": 0,
        "updated": 0,
        "unchanged": 34,
    }
    assert await imported(client, "regencies", REGENCIES) == {
        "level": "regencies",
        "added": 0,
        "updated": 0,
        "unchanged": 514,
    }
    assert await registry_pool.fetch("SELECT id, name, version, updated_at FROM partners ORDER BY id") == before
    assert await outbox_count(registry_pool) == events_before

    central_java = (await client.get("/partners", params={"kind": "regency", "parent_code": "33", "limit": 100})).json()
    assert central_java["total"] == 35


async def test_additions_beyond_2018_are_accepted_and_renames_are_reported_as_updates(
    client: httpx.AsyncClient, registry_pool: asyncpg.Pool
) -> None:
    await imported(client, "provinces", PROVINCES)
    await imported(client, "regencies", REGENCIES)
    # Papua's 2022 split: three new provinces, and a regency moved into one under its new code.
    provinces_2022 = PROVINCES.replace(b"94,PAPUA", b"94,PAPUA (2022)") + (
        b"95,PAPUA SELATAN\r\n96,PAPUA TENGAH\r\n97,PAPUA PEGUNUNGAN\r\n"
    )
    assert await imported(client, "provinces", provinces_2022) == {
        "level": "provinces",
        "added": 3,
        "updated": 1,
        "unchanged": 33,
    }
    regencies_2022 = REGENCIES + b'9501,95,"KABUPATEN MERAUKE"\r\n'
    assert await imported(client, "regencies", regencies_2022) == {
        "level": "regencies",
        "added": 1,
        "updated": 0,
        "unchanged": 514,
    }
    assert await counts(registry_pool) == {"province": 37, "regency": 515}
    [renamed] = await registry_pool.fetch("SELECT body FROM outbox WHERE routing_key = 'registry.partner.updated'")
    update = PartnerUpdated.model_validate(json.loads(renamed["body"])["data"])
    assert (update.code, update.name, update.version) == ("94", "PAPUA (2022)", 2)


async def test_an_import_keeps_contacts_and_activity_and_renames_to_the_file(
    client: httpx.AsyncClient, registry_pool: asyncpg.Pool
) -> None:
    contact = {
        "name": "Kesbangpol Jateng",
        "email": "kesbangpol@jatengprov.go.id",
        "webhook_url": None,
        "language": "id",
    }
    response = await client.post(
        "/partners", json={"kind": "province", "code": "33", "name": "Jawa Tengah", "contacts": [contact]}
    )
    partner = response.json()
    deactivated = await client.patch(f"/partners/{partner['id']}", json={"active": False}, headers={"If-Match": '"1"'})
    assert deactivated.status_code == 200

    report = await imported(client, "provinces", PROVINCES)
    assert (report["added"], report["updated"], report["unchanged"]) == (33, 1, 0)
    after = (await client.get(f"/partners/{partner['id']}")).json()
    assert (after["name"], after["contacts"], after["active"], after["version"]) == ("JAWA TENGAH", [contact], False, 3)
    [_, renamed] = await registry_pool.fetch(
        "SELECT body FROM outbox WHERE routing_key = 'registry.partner.updated' ORDER BY seq"
    )
    update = PartnerUpdated.model_validate(json.loads(renamed["body"])["data"])
    assert (update.name, update.active, update.contacts[0].email) == ("JAWA TENGAH", False, contact["email"])


@pytest.mark.parametrize(
    ("level", "content", "line", "reason"),
    [
        pytest.param(
            "regencies",
            REGENCIES.replace(b"3374,33,KOTA SEMARANG", b"33X4,33,KOTA SEMARANG"),
            REGENCIES.split(b"\n").index(b"3374,33,KOTA SEMARANG\r") + 1,
            "code '33X4': a regency or city code has four digits",
            id="bad-code-deep-in-the-real-file",
        ),
        pytest.param(
            "regencies",
            REGENCIES + b"9901,99,KABUPATEN ENTAH\r\n",
            516,
            "province_code 99: no such province",
            id="unknown-province",
        ),
        pytest.param(
            "regencies", REGENCIES + b"1101,11,KABUPATEN SIMEULUE\r\n", 516, "already on line 2", id="duplicate"
        ),
        pytest.param(
            "regencies",
            REGENCIES + b"3499,33,KABUPATEN SALAH\r\n",
            516,
            "starts with its province's code 33",
            id="code-outside-its-province",
        ),
        pytest.param("provinces", PROVINCES + b"96\r\n", 36, "expected 2 fields", id="missing-field"),
        pytest.param("provinces", PROVINCES + b"96,PAPUA TENGAH,X\r\n", 36, "expected 2 fields", id="extra-field"),
        pytest.param("provinces", PROVINCES + b'96,"  "\r\n', 36, "name is empty", id="empty-name"),
        pytest.param("provinces", b"kode,nama\r\n11,ACEH\r\n", 1, "the header must be code,name", id="header"),
        pytest.param("provinces", b"", 1, "the file is empty", id="empty-file"),
        pytest.param("provinces", b"code,name\n11,ACEH\n12,SUMATERA \xff\n", 3, "not UTF-8", id="not-utf8"),
        pytest.param("provinces", b'code,name\n11,ACEH\n12,"SUMATERA\n', 3, "not valid CSV", id="open-quote"),
    ],
)
async def test_a_malformed_row_rejects_the_whole_file_naming_its_line(
    client: httpx.AsyncClient, registry_pool: asyncpg.Pool, level: str, content: bytes, line: int, reason: str
) -> None:
    if level == "regencies":
        await imported(client, "provinces", PROVINCES)
    before = (await counts(registry_pool), await outbox_count(registry_pool))

    response = await import_file(client, level, content)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["errors"][0]["field"] == "body"
    assert problem["errors"][0]["reason"].startswith(f"{level} file, line {line}: ")
    assert reason in problem["errors"][0]["reason"]
    assert problem["detail"].startswith(f"{level} file, line {line}: ")
    assert (await counts(registry_pool), await outbox_count(registry_pool)) == before


async def test_every_malformed_row_is_reported(client: httpx.AsyncClient, registry_pool: asyncpg.Pool) -> None:
    response = await import_file(client, "regencies", b"code,province_code,name\n1101,11,A\n1102,11,B\n12,1,C\n")
    assert response.status_code == 422
    reasons = [error["reason"] for error in response.json()["errors"]]
    assert [reason.split(":")[0] for reason in reasons] == [
        "regencies file, line 2",
        "regencies file, line 3",
        "regencies file, line 4",
    ]
    assert "import the provinces first" in reasons[0]
    assert await counts(registry_pool) == {}


async def test_the_request_itself_is_checked(client: httpx.AsyncClient, registry_pool: asyncpg.Pool) -> None:
    no_level = await client.post("/partners/regions/import", content=PROVINCES, headers=CSV)
    assert no_level.status_code == 422
    assert [error["field"] for error in no_level.json()["errors"]] == ["query.level"]
    bad_level = await import_file(client, "districts", PROVINCES)
    assert [error["field"] for error in bad_level.json()["errors"]] == ["query.level"]
    as_json = await client.post(
        "/partners/regions/import", params={"level": "provinces"}, json={"code": "11", "name": "ACEH"}
    )
    assert as_json.status_code == 415
    assert await counts(registry_pool) == {}
