"""Problem documents in Bahasa Indonesia, on each service's real app (over ASGI, on a database of its own): with
`Accept-Language: id` a validation error, a domain rule's refusal, a 404, a 403 and a 401 come in Indonesian with
`Content-Language: id`; without the header the same requests come in English, as they always did. Fields, status
and type never change."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from support.app import api_client
from support.database import create_migrated_database, drop_database
from support.tokens import as_role

from mitra_shared import db
from mitra_shared.body_limit import MAX_JSON_BODY_BYTES
from mitra_shared.documents import DOCUMENTS_MIGRATIONS

pytestmark = pytest.mark.integration

INDONESIAN = {"Accept-Language": "id-ID,id;q=0.9,en;q=0.5"}


@dataclass(frozen=True)
class Case:
    """One request and what its problem document says in each language."""

    name: str
    method: str
    path: str
    headers: dict[str, str]
    status: int
    english: str  # in the detail (or the first reason) without the header
    indonesian: str  # with it
    field: str | None = None
    json: Any = None
    params: dict[str, str] | None = None


def _spec(service: str) -> Any:
    # Imported here: each service's package is imported only by the cases that use it.
    if service == "registry":
        from mitra_registry.bootstrap import build_spec as registry
        from mitra_registry.settings import RegistrySettings

        return registry(RegistrySettings(environment="test", tpoa_members=[]))
    if service == "agreements":
        from mitra_agreements.bootstrap import build_spec as agreements
        from mitra_agreements.settings import AgreementsSettings

        return agreements(AgreementsSettings(environment="test"))
    if service == "notifications":
        from mitra_notifications.bootstrap import build_spec as notifications
        from mitra_notifications.settings import NotificationsSettings

        return notifications(NotificationsSettings(environment="test"))
    if service == "reporting":
        from mitra_reporting.bootstrap import build_spec as reporting
        from mitra_reporting.settings import ReportingSettings

        return reporting(ReportingSettings(environment="test"))
    from mitra_console.bootstrap import build_spec as console
    from mitra_console.settings import ConsoleSettings

    return console(ConsoleSettings(environment="test"))


MIGRATIONS: dict[str, list[db.MigrationSource]] = {
    "registry": [DOCUMENTS_MIGRATIONS, db.MigrationSource("registry", "mitra_registry")],
    "agreements": [DOCUMENTS_MIGRATIONS, db.MigrationSource("agreements", "mitra_agreements")],
    "notifications": [db.MigrationSource("notifications", "mitra_notifications")],
    "reporting": [DOCUMENTS_MIGRATIONS, db.MigrationSource("reporting", "mitra_reporting")],
    "console": [db.MigrationSource("console", "mitra_console")],
}


@pytest.fixture(scope="module")
def databases() -> Iterator[dict[str, str]]:
    made: dict[str, str] = {}
    try:
        for service, sources in MIGRATIONS.items():
            made[service] = asyncio.run(create_migrated_database(sources))
        yield made
    finally:
        for dsn in made.values():
            asyncio.run(drop_database(dsn))


@pytest.fixture
def client_of(databases: dict[str, str]) -> Callable[[str], Any]:
    def make(service: str) -> Any:
        return _client(service, databases[service])

    return make


class _client:
    """`async with _client(service, dsn) as client`: the service's app on its database, with no default token."""

    def __init__(self, service: str, dsn: str) -> None:
        self.service = service
        self.dsn = dsn

    async def __aenter__(self) -> httpx.AsyncClient:
        self.pool = await db.create_pool(self.dsn, min_size=1, max_size=2)
        self.context = api_client(_spec(self.service), self.pool, headers={})
        return await self.context.__aenter__()

    async def __aexit__(self, *exc: object) -> None:
        await self.context.__aexit__(*exc)
        await self.pool.close()


def _cases() -> Iterator[tuple[str, Case]]:
    unknown = uuid.uuid4()
    tpoa, admin = as_role("tpoa"), as_role("admin")
    for service, item_path, reader in (
        ("registry", "/organizations", tpoa),
        ("agreements", "/msps", tpoa),
        ("notifications", "/recipients", admin),
        ("reporting", "/stories", tpoa),
        ("console", "/accounts", admin),
    ):
        yield (
            service,
            Case(
                "401", "GET", f"{item_path}/{unknown}", {}, 401, "a bearer token is required", "diperlukan token bearer"
            ),
        )
        yield (
            service,
            Case(
                "422 validation",
                "GET",
                f"{item_path}/not-a-uuid",
                reader,
                422,
                "Input should be a valid UUID",
                "Isian harus berupa UUID",
                field=f"path.{_id_name(item_path)}",
            ),
        )
        yield service, Case("unknown route", "GET", "/no-such-thing", reader, 404, "Not Found", "Tidak ditemukan")
    yield (
        "registry",
        Case(
            "404",
            "GET",
            f"/organizations/{unknown}",
            tpoa,
            404,
            f"no organization {unknown}",
            f"tidak ada organisasi {unknown}",
        ),
    )
    yield (
        "registry",
        Case(
            "403",
            "GET",
            "/organizations",
            admin,
            403,
            "the `admin` role may not do this",
            "peran `admin` tidak boleh",
        ),
    )
    yield (
        "agreements",
        Case("404", "GET", f"/msps/{unknown}", tpoa, 404, f"no MSP {unknown}", f"tidak ada MSP {unknown}"),
    )
    yield (
        "agreements",
        Case(
            "422 domain rule",
            "GET",
            "/obligations",
            tpoa,
            422,
            "must be after 2026-05-01",
            "harus setelah 2026-05-01",
            field="query.due_before",
            params={"due_after": "2026-05-01", "due_before": "2026-04-01"},
        ),
    )
    yield (
        "agreements",
        Case(
            "403",
            "POST",
            f"/msps/{unknown}/approve",
            as_role("ngo", organization_id=uuid.uuid4()),
            403,
            "the `ngo` role may not do this",
            "peran `ngo` tidak boleh",
        ),
    )
    yield (
        "notifications",
        Case(
            "404",
            "GET",
            f"/recipients/{unknown}",
            admin,
            404,
            f"no recipient {unknown}",
            f"tidak ada penerima {unknown}",
        ),
    )
    yield (
        "notifications",
        Case(
            "403",
            "DELETE",
            f"/routing-rules/{unknown}",
            tpoa,
            403,
            "the `tpoa` role may not do this",
            "peran `tpoa` tidak boleh",
        ),
    )
    yield (
        "reporting",
        Case("404", "GET", f"/stories/{unknown}", tpoa, 404, f"no story {unknown}", f"tidak ada cerita {unknown}"),
    )
    yield (
        "reporting",
        Case(
            "422 domain rule",
            "GET",
            "/dashboard/msps",
            tpoa,
            422,
            "the period ends before it starts",
            "periode berakhir sebelum dimulai",
            field="query.to",
            params={"from": "2026-05-01", "to": "2026-04-01"},
        ),
    )
    yield (
        "reporting",
        Case(
            "403",
            "GET",
            f"/stories/{unknown}",
            admin,
            403,
            "the `admin` role may not do this",
            "peran `admin` tidak boleh",
        ),
    )
    yield (
        "console",
        Case("404", "GET", f"/accounts/{unknown}", admin, 404, f"no account {unknown}", f"tidak ada akun {unknown}"),
    )
    yield (
        "console",
        Case(
            "403",
            "PATCH",
            f"/clients/{unknown}",
            tpoa,
            403,
            "the `tpoa` role may not do this",
            "peran `tpoa` tidak boleh",
            json={},
        ),
    )


def _id_name(item_path: str) -> str:
    return {"/msps": "msp_id", "/recipients": "recipient_id", "/stories": "story_id", "/accounts": "account_id"}.get(
        item_path, "organization_id"
    )


CASES = list(_cases())


@pytest.mark.parametrize(("service", "case"), CASES, ids=[f"{service}-{case.name}" for service, case in CASES])
async def test_a_problem_comes_in_the_language_asked_for(
    client_of: Callable[[str], Any], service: str, case: Case
) -> None:
    async with client_of(service) as client:
        english = await _ask(client, case, {})
        indonesian = await _ask(client, case, INDONESIAN)
    for answer in (english, indonesian):
        assert answer.status_code == case.status, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert "accept-language" in answer.headers["vary"].lower()
    assert english.headers["content-language"] == "en"
    assert indonesian.headers["content-language"] == "id"
    said_en, said_id = english.json(), indonesian.json()
    assert case.english in _text(said_en), said_en
    assert case.indonesian in _text(said_id), said_id
    assert case.english not in _text(said_id)
    assert said_id["title"] != said_en["title"]
    for unchanged in ("status", "type", "instance"):
        assert said_id.get(unchanged) == said_en.get(unchanged)
    assert [e["field"] for e in said_id.get("errors", [])] == [e["field"] for e in said_en.get("errors", [])]
    if case.field:
        assert case.field in [e["field"] for e in said_id["errors"]]
    if case.status == 401:
        assert indonesian.headers["www-authenticate"] == english.headers["www-authenticate"]


async def _ask(client: httpx.AsyncClient, case: Case, language: dict[str, str]) -> httpx.Response:
    return await client.request(
        case.method, case.path, headers={**case.headers, **language}, json=case.json, params=case.params
    )


def _text(problem: dict[str, Any]) -> str:
    return " | ".join([str(problem.get("detail")), *(str(e.get("reason")) for e in problem.get("errors") or [])])


async def test_english_first_and_a_wildcard_get_english(client_of: Callable[[str], Any]) -> None:
    async with client_of("registry") as client:
        for header in ("en-US,en;q=0.9,id;q=0.8", "*", "fr"):
            answer = await client.get(
                "/organizations/not-a-uuid", headers={**as_role("tpoa"), "Accept-Language": header}
            )
            assert answer.headers["content-language"] == "en", header
            assert answer.json()["title"] == "Invalid request"


async def test_a_body_too_large_is_refused_in_the_language_asked_for(client_of: Callable[[str], Any]) -> None:
    """The body limit answers before any route: the language comes from the request's headers all the same."""
    body = b'{"legal_name": "' + b"x" * MAX_JSON_BODY_BYTES + b'"}'
    async with client_of("registry") as client:
        for language, expected in (("id", "isi JSON paling banyak"), ("en", "a JSON body may be at most")):
            headers = {**as_role("tpoa"), "Content-Type": "application/json", "Accept-Language": language}
            answer = await client.post("/organizations", content=body, headers=headers)
            assert answer.status_code == 413
            assert answer.headers["content-language"] == language
            assert expected in answer.json()["detail"]
