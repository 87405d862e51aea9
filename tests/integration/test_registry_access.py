"""Who may do what on the registry: every operation of its OpenAPI document x every role x own/other scope.

The operations come from the document the real app serves; EXPECTED holds one row per operation, one answer per
role. The test fails for an operation without a row, a row without an operation, an operation whose
`x-mitra-access` names no role, and a row that disagrees with the roles the document names. Each answer is tried
with a request that would succeed for an allowed caller (a DENY is a real 403, not a 422 in disguise):

- ALLOW: 2xx;
- DENY: 403, and nothing written;
- OWN: 2xx on the calling NGO's own record, 404 (as if it did not exist, the registry's rule) on another NGO's;
- FILTER: 2xx, a list holding the caller's own records and none of another NGO's.

One database for the module, seeded once through the API as TPOA: two active NGOs (`own`, the caller's when it is
an NGO, and `other`), each with a foreign expert, a principle permit and a warning, a province and a ministry. The
ministry (KEMENSOS) is TPOA's one member ministry: it clears each application before TPOA registers the NGO.

The shared resumable uploads (`/uploads`, tus) are in the table too; OPTIONS and HEAD, which the common table
reader leaves out, are checked against the document here. An upload is its creator's alone: each caller works on
one it made.
"""

from __future__ import annotations

import itertools
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio
from support.access import assert_policies_match, public_operations
from support.app import api_client
from support.clock import FakeClock
from support.tokens import as_role, auth_headers

from mitra_registry.bootstrap import build_spec
from mitra_registry.settings import RegistrySettings
from mitra_shared import db
from mitra_shared.access import ROLES

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

ALLOW, DENY, OWN, FILTER = "allow", "deny", "own", "filtered"

# fmt: off
# One answer per role, in the order of mitra_shared.access.ROLES:
#                                                          tpoa    minis.  region  ngo     auditor admin   integration
EXPECTED: dict[str, tuple[str, ...]] = {
    "POST /organizations":                                (ALLOW,  DENY,   DENY,   DENY,   DENY,   DENY,   DENY),
    "GET /organizations":                                 (ALLOW,  ALLOW,  ALLOW,  FILTER, ALLOW,  DENY,   ALLOW),
    "GET /organizations/{organization_id}":               (ALLOW,  ALLOW,  ALLOW,  OWN,    ALLOW,  DENY,   ALLOW),
    "PATCH /organizations/{organization_id}":             (ALLOW,  DENY,   DENY,   OWN,    DENY,   DENY,   DENY),
    "POST /organizations/{organization_id}/status":       (ALLOW,  DENY,   DENY,   DENY,   DENY,   DENY,   DENY),
    "GET /organizations/{organization_id}/status-history":(ALLOW,  ALLOW,  ALLOW,  OWN,    ALLOW,  DENY,   ALLOW),
    "POST /organizations/{organization_id}/sanctions":    (ALLOW,  DENY,   DENY,   DENY,   DENY,   DENY,   DENY),
    "GET /organizations/{organization_id}/sanctions":     (ALLOW,  ALLOW,  ALLOW,  OWN,    ALLOW,  DENY,   ALLOW),
    "GET /sanctions/{sanction_id}":                       (ALLOW,  ALLOW,  ALLOW,  OWN,    ALLOW,  DENY,   ALLOW),
    "POST /sanctions/{sanction_id}/lift":                 (ALLOW,  DENY,   DENY,   DENY,   DENY,   DENY,   DENY),
    # The member ministries' review of an application: a member answers (the caller's KEMENSOS is the member).
    "GET /organizations/{organization_id}/review":        (ALLOW,  ALLOW,  DENY,   DENY,   ALLOW,  DENY,   ALLOW),
    "POST /organizations/{organization_id}/review/answers":(DENY,  ALLOW,  DENY,   DENY,   DENY,   DENY,   DENY),
    "GET /reviews":                                       (ALLOW,  ALLOW,  DENY,   DENY,   ALLOW,  DENY,   ALLOW),
    "GET /focus-areas":                                   (ALLOW,  ALLOW,  ALLOW,  ALLOW,  ALLOW,  ALLOW,  ALLOW),
    "POST /focus-areas":                                  (ALLOW,  DENY,   DENY,   DENY,   DENY,   DENY,   DENY),
    "POST /organizations/{organization_id}/foreign-staff":(ALLOW,  DENY,   DENY,   OWN,    DENY,   DENY,   DENY),
    "GET /organizations/{organization_id}/foreign-staff": (ALLOW,  ALLOW,  ALLOW,  OWN,    ALLOW,  DENY,   ALLOW),
    "GET /foreign-staff/{assignment_id}":                 (ALLOW,  ALLOW,  ALLOW,  OWN,    ALLOW,  DENY,   ALLOW),
    "POST /foreign-staff/{assignment_id}/end":            (ALLOW,  DENY,   DENY,   OWN,    DENY,   DENY,   DENY),
    "POST /partners/regions/import":                      (ALLOW,  DENY,   DENY,   DENY,   DENY,   DENY,   DENY),
    "POST /partners":                                     (ALLOW,  DENY,   DENY,   DENY,   DENY,   DENY,   DENY),
    "GET /partners":                                      (ALLOW,  ALLOW,  ALLOW,  ALLOW,  ALLOW,  ALLOW,  ALLOW),
    "GET /partners/{partner_id}":                         (ALLOW,  ALLOW,  ALLOW,  ALLOW,  ALLOW,  ALLOW,  ALLOW),
    "PATCH /partners/{partner_id}":                       (ALLOW,  DENY,   DENY,   DENY,   DENY,   DENY,   DENY),
    "POST /organizations/{organization_id}/permits":      (ALLOW,  DENY,   DENY,   DENY,   DENY,   DENY,   DENY),
    "GET /permits":                                       (ALLOW,  ALLOW,  ALLOW,  FILTER, ALLOW,  DENY,   ALLOW),
    "GET /permits/{permit_id}":                           (ALLOW,  ALLOW,  ALLOW,  OWN,    ALLOW,  DENY,   ALLOW),
    "POST /permits/{permit_id}/extensions":               (ALLOW,  DENY,   DENY,   DENY,   DENY,   DENY,   DENY),
    "POST /permits/{permit_id}/documents":                (ALLOW,  DENY,   DENY,   OWN,    DENY,   DENY,   DENY),
    "GET /permits/{permit_id}/documents":                 (ALLOW,  ALLOW,  ALLOW,  OWN,    ALLOW,  DENY,   ALLOW),
    "GET /documents/{document_id}":                       (ALLOW,  ALLOW,  ALLOW,  OWN,    ALLOW,  DENY,   ALLOW),
    # The shared resumable uploads: the roles that attach documents; each sees only the uploads it made.
    "OPTIONS /uploads":                                   (ALLOW,  ALLOW,  ALLOW,  ALLOW,  DENY,   DENY,   DENY),
    "POST /uploads":                                      (ALLOW,  ALLOW,  ALLOW,  ALLOW,  DENY,   DENY,   DENY),
    "HEAD /uploads/{upload_id}":                          (ALLOW,  ALLOW,  ALLOW,  ALLOW,  DENY,   DENY,   DENY),
    "PATCH /uploads/{upload_id}":                         (ALLOW,  ALLOW,  ALLOW,  ALLOW,  DENY,   DENY,   DENY),
    "DELETE /uploads/{upload_id}":                        (ALLOW,  ALLOW,  ALLOW,  ALLOW,  DENY,   DENY,   DENY),
    "GET /imports/{kind}/template":                       (ALLOW,  DENY,   DENY,   DENY,   DENY,   DENY,   DENY),
    "POST /imports/{kind}":                               (ALLOW,  DENY,   DENY,   DENY,   DENY,   DENY,   DENY),
}
# fmt: on
PUBLIC_OPERATIONS = {
    "GET /health/live",
    "GET /health/ready",
    "GET /asyncapi.json",
    "GET /asyncapi",
}
UNLISTED_METHODS = ("OPTIONS", "HEAD")
"""Methods the common reader of the document (support/access.py) leaves out: their rows are checked here."""
TUS = {"Tus-Resumable": "1.0.0"}
MEMBER = "KEMENSOS"
"""TPOA's one member ministry in this module, the ministry callers' own."""
SCOPES = {"ministry_code": MEMBER, "region_code": "33"}
DOCUMENTS_DIR = Path(tempfile.mkdtemp(prefix="mitra-registry-access-"))
SCAN = b"%PDF-1.4\n%%EOF\n"
NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)  # 10:00 in Jakarta
_serial = itertools.count(1)


def cases() -> Iterator[Any]:
    for operation, answers in EXPECTED.items():
        for role, answer in zip(ROLES, answers, strict=True):
            scopes = ("own", "other") if answer == OWN else ("any",)
            for scope in scopes:
                yield pytest.param(operation, role, answer, scope, id=f"{operation} x {role} x {scope}")


@dataclass
class World:
    """The seeded register, and a client on it."""

    client: httpx.AsyncClient
    pool: asyncpg.Pool
    organizations: dict[str, dict[str, Any]]  # "own", "other"
    staff: dict[str, dict[str, Any]]
    permits: dict[str, dict[str, Any]]
    sanctions: dict[str, dict[str, Any]]
    partner: dict[str, Any]
    documents: dict[str, dict[str, Any]]

    def caller(self, role: str) -> dict[str, str]:
        if role == "ngo":
            return as_role("ngo", organization_id=self.organizations["own"]["id"])
        scope = {claim: value for claim, value in SCOPES.items() if claim.startswith(role)}
        return as_role(role, **scope)

    async def as_tpoa(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        response = await self.client.request(
            method, path, headers={**as_role("tpoa"), **kwargs.pop("headers", {})}, **kwargs
        )
        assert response.is_success, response.text
        return response.json()  # type: ignore[no-any-return]

    async def new_organization(self, *statuses: str) -> dict[str, Any]:
        organization = await self.as_tpoa(
            "POST", "/organizations", json={"legal_name": f"Access NGO {next(_serial)}", "country_of_origin": "NL"}
        )
        for status in statuses:
            if status == "registered":
                await self.clear_review(organization)
            organization = await self.as_tpoa(
                "POST",
                f"/organizations/{organization['id']}/status",
                json={"status": status, "reason": "for the access test"},
                headers={"If-Match": f'"{organization["version"]}"'},
            )
        return organization

    async def clear_review(self, organization: dict[str, Any]) -> None:
        """The member ministry clears the application, so that TPOA may register the NGO."""
        response = await self.client.post(
            f"/organizations/{organization['id']}/review/answers",
            json={"verdict": "cleared"},
            headers=as_role("ministry", ministry_code=MEMBER),
        )
        assert response.status_code == 201, response.text

    async def new_warning(self, organization: dict[str, Any]) -> dict[str, Any]:
        return await self.as_tpoa(
            "POST",
            f"/organizations/{organization['id']}/sanctions",
            json={"kind": "warning", "category": "reporting_failure", "reason": "report late, for the access test"},
        )

    async def new_assignment(self, organization: dict[str, Any]) -> dict[str, Any]:
        return await self.as_tpoa("POST", f"/organizations/{organization['id']}/foreign-staff", json=expert())

    async def new_permit(self, organization: dict[str, Any]) -> dict[str, Any]:
        return await self.as_tpoa("POST", f"/organizations/{organization['id']}/permits", json=principle_permit())

    async def writes(self) -> int:
        return int(await self.pool.fetchval("SELECT count(*) FROM outbox"))


def expert() -> dict[str, Any]:
    """A foreign expert for a month of their own, far enough apart that no NGO reaches its limit of three."""
    n = next(_serial)
    starts_on = date(2026, 6, 1) + timedelta(days=40 * n)
    return {
        "full_name": f"Expert {n}",
        "nationality": "NL",
        "role": "Adviser",
        "starts_on": starts_on.isoformat(),
        "ends_on": (starts_on + timedelta(days=30)).isoformat(),
        "passport_number": f"NX{n:07d}",
    }


def principle_permit() -> dict[str, Any]:
    return {
        "permit_type": "principle",
        "number": f"IP-ACCESS-{next(_serial)}",
        "issued_on": "2026-01-05",
        "valid_until": "2028-12-31",
    }


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(registry_database: str) -> AsyncIterator[World]:
    """The module's registry database (from conftest, one per module), seeded once."""
    pool = await db.create_pool(registry_database, min_size=1, max_size=4)
    spec = build_spec(RegistrySettings(environment="test", documents_dir=DOCUMENTS_DIR, tpoa_members=[MEMBER]))
    try:
        async with api_client(spec, pool, clock=FakeClock(NOW), headers={}) as client:
            seeded = World(
                client=client, pool=pool, organizations={}, staff={}, permits={}, sanctions={}, partner={}, documents={}
            )
            for name in ("own", "other"):
                organization = await seeded.new_organization("registered", "active")
                seeded.organizations[name] = organization
                seeded.staff[name] = await seeded.new_assignment(organization)
                seeded.permits[name] = await seeded.new_permit(organization)
                seeded.sanctions[name] = await seeded.new_warning(organization)
                seeded.documents[name] = await seeded.as_tpoa(
                    "POST", f"/permits/{seeded.permits[name]['id']}/documents", files={"file": ("scan.pdf", SCAN)}
                )
            await seeded.as_tpoa("POST", "/partners", json={"kind": "province", "code": "33", "name": "Jawa Tengah"})
            seeded.partner = await seeded.as_tpoa(
                "POST", "/partners", json={"kind": "ministry", "code": "KEMENSOS", "name": "Kementerian Sosial"}
            )
            yield seeded
    finally:
        await pool.close()


# --- one request per operation, that succeeds for a caller allowed to make it ---------------------------------

Probe = Callable[[World, dict[str, str], str], Awaitable[httpx.Response]]
"""(world, the caller's headers, "own" or "other") → the answer."""


def target(world: World, scope: str) -> dict[str, Any]:
    """The NGO a request is about: the caller's own (or any, for a role without scope), or another."""
    return world.organizations[which(scope)]


def read(path: Callable[[World, str], str]) -> Probe:
    """A GET of the path made from the world and the scope (a list: its largest page)."""

    async def probe(world: World, who: dict[str, str], scope: str) -> httpx.Response:
        return await world.client.get(path(world, scope), headers=who)

    return probe


def which(scope: str) -> str:
    return "other" if scope == "other" else "own"


async def register_organization(world: World, who: dict[str, str], scope: str) -> httpx.Response:
    body = {"legal_name": f"Access NGO {next(_serial)}", "country_of_origin": "GB"}
    return await world.client.post("/organizations", json=body, headers=who)


async def update_organization(world: World, who: dict[str, str], scope: str) -> httpx.Response:
    organization = await world.as_tpoa("GET", f"/organizations/{target(world, scope)['id']}")
    return await world.client.patch(
        f"/organizations/{organization['id']}",
        json={"representative_name": f"Director {next(_serial)}"},
        headers={**who, "If-Match": f'"{organization["version"]}"'},
    )


async def change_status(world: World, who: dict[str, str], scope: str) -> httpx.Response:
    organization = await world.new_organization()
    await world.clear_review(organization)
    return await world.client.post(
        f"/organizations/{organization['id']}/status",
        json={"status": "registered", "reason": "principle permit granted"},
        headers={**who, "If-Match": f'"{organization["version"]}"'},
    )


async def impose_sanction(world: World, who: dict[str, str], scope: str) -> httpx.Response:
    body = {"kind": "warning", "category": "other", "reason": f"warning {next(_serial)}"}
    return await world.client.post(f"/organizations/{target(world, scope)['id']}/sanctions", json=body, headers=who)


async def lift_sanction(world: World, who: dict[str, str], scope: str) -> httpx.Response:
    sanction = await world.new_warning(target(world, scope))
    return await world.client.post(f"/sanctions/{sanction['id']}/lift", json={"reason": "complied"}, headers=who)


async def answer_review(world: World, who: dict[str, str], scope: str) -> httpx.Response:
    organization = await world.new_organization()
    return await world.client.post(
        f"/organizations/{organization['id']}/review/answers", json={"verdict": "cleared"}, headers=who
    )


async def add_focus_area(world: World, who: dict[str, str], scope: str) -> httpx.Response:
    n = next(_serial)
    body = {"code": f"access_{n}", "name_id": f"Akses {n}", "name_en": f"Access {n}"}
    return await world.client.post("/focus-areas", json=body, headers=who)


async def assign_staff(world: World, who: dict[str, str], scope: str) -> httpx.Response:
    return await world.client.post(
        f"/organizations/{target(world, scope)['id']}/foreign-staff", json=expert(), headers=who
    )


async def end_staff(world: World, who: dict[str, str], scope: str) -> httpx.Response:
    assignment = await world.new_assignment(target(world, scope))
    body = {"ended_on": assignment["starts_on"], "reason": "did not come"}
    return await world.client.post(f"/foreign-staff/{assignment['id']}/end", json=body, headers=who)


async def import_regions(world: World, who: dict[str, str], scope: str) -> httpx.Response:
    return await world.client.post(
        "/partners/regions/import",
        params={"level": "provinces"},
        content=b"code,name\n33,Jawa Tengah\n",
        headers={**who, "Content-Type": "text/csv"},
    )


async def import_template(world: World, who: dict[str, str], scope: str) -> httpx.Response:
    return await world.client.get("/imports/organizations/template", params={"format": "csv"}, headers=who)


async def import_organizations(world: World, who: dict[str, str], scope: str) -> httpx.Response:
    return await world.client.post(
        "/imports/organizations",
        params={"dry_run": "true"},
        content=b"legal_name,country_of_origin\nAccess Probe NGO,NL\n",
        headers={**who, "Content-Type": "text/csv"},
    )


async def register_partner(world: World, who: dict[str, str], scope: str) -> httpx.Response:
    body = {"kind": "ministry", "code": f"MIN{next(_serial)}", "name": "Kementerian Contoh"}
    return await world.client.post("/partners", json=body, headers=who)


async def update_partner(world: World, who: dict[str, str], scope: str) -> httpx.Response:
    partner = await world.as_tpoa("GET", f"/partners/{world.partner['id']}")
    return await world.client.patch(
        f"/partners/{partner['id']}",
        json={"name": f"Kementerian Sosial {next(_serial)}"},
        headers={**who, "If-Match": f'"{partner["version"]}"'},
    )


async def grant_permit(world: World, who: dict[str, str], scope: str) -> httpx.Response:
    return await world.client.post(
        f"/organizations/{target(world, scope)['id']}/permits", json=principle_permit(), headers=who
    )


async def extend_permit(world: World, who: dict[str, str], scope: str) -> httpx.Response:
    permit = await world.new_permit(target(world, scope))
    return await world.client.post(
        f"/permits/{permit['id']}/extensions", json={"valid_until": "2029-12-31"}, headers=who
    )


async def attach_scan(world: World, who: dict[str, str], scope: str) -> httpx.Response:
    permit = world.permits[which(scope)]
    return await world.client.post(
        f"/permits/{permit['id']}/documents", files={"file": ("scan.pdf", SCAN)}, headers=who
    )


async def new_upload(world: World, who: dict[str, str]) -> str:
    """A new resumable upload of `who`'s; its path."""
    response = await world.client.post("/uploads", headers={**who, **TUS, "Upload-Length": str(len(SCAN))})
    assert response.status_code == 201, response.text
    return response.headers["Location"]


async def upload_options(world: World, who: dict[str, str], scope: str) -> httpx.Response:
    return await world.client.options("/uploads", headers=who)


async def create_upload(world: World, who: dict[str, str], scope: str) -> httpx.Response:
    return await world.client.post("/uploads", headers={**who, **TUS, "Upload-Length": str(len(SCAN))})


def on_an_upload(method: str, **request: Any) -> Probe:
    """A request on a new upload of the caller's (of TPOA's for a role that makes none: refused before it is
    looked up)."""

    async def probe(world: World, who: dict[str, str], scope: str) -> httpx.Response:
        made = await create_upload(world, who, scope)
        if made.status_code == 403:
            path = await new_upload(world, as_role("tpoa"))
        else:
            assert made.status_code == 201, made.text
            path = made.headers["Location"]
        extra = request.get("headers", {})
        content = request.get("content")
        return await world.client.request(method, path, headers={**who, **TUS, **extra}, content=content)

    return probe


PROBES: dict[str, Probe] = {
    "POST /organizations": register_organization,
    "GET /organizations": read(lambda world, scope: "/organizations?limit=500"),
    "GET /organizations/{organization_id}": read(lambda world, scope: f"/organizations/{target(world, scope)['id']}"),
    "PATCH /organizations/{organization_id}": update_organization,
    "POST /organizations/{organization_id}/status": change_status,
    "GET /organizations/{organization_id}/status-history": read(
        lambda world, scope: f"/organizations/{target(world, scope)['id']}/status-history"
    ),
    "POST /organizations/{organization_id}/sanctions": impose_sanction,
    "GET /organizations/{organization_id}/sanctions": read(
        lambda world, scope: f"/organizations/{target(world, scope)['id']}/sanctions"
    ),
    "GET /sanctions/{sanction_id}": read(lambda world, scope: f"/sanctions/{world.sanctions[which(scope)]['id']}"),
    "POST /sanctions/{sanction_id}/lift": lift_sanction,
    "GET /organizations/{organization_id}/review": read(
        lambda world, scope: f"/organizations/{target(world, scope)['id']}/review"
    ),
    "POST /organizations/{organization_id}/review/answers": answer_review,
    "GET /reviews": read(lambda world, scope: "/reviews?awaiting=false"),
    "GET /focus-areas": read(lambda world, scope: "/focus-areas"),
    "POST /focus-areas": add_focus_area,
    "POST /organizations/{organization_id}/foreign-staff": assign_staff,
    "GET /organizations/{organization_id}/foreign-staff": read(
        lambda world, scope: f"/organizations/{target(world, scope)['id']}/foreign-staff"
    ),
    "GET /foreign-staff/{assignment_id}": read(
        lambda world, scope: f"/foreign-staff/{world.staff[which(scope)]['id']}"
    ),
    "POST /foreign-staff/{assignment_id}/end": end_staff,
    "POST /partners/regions/import": import_regions,
    "GET /imports/{kind}/template": import_template,
    "POST /imports/{kind}": import_organizations,
    "POST /partners": register_partner,
    "GET /partners": read(lambda world, scope: "/partners"),
    "GET /partners/{partner_id}": read(lambda world, scope: f"/partners/{world.partner['id']}"),
    "PATCH /partners/{partner_id}": update_partner,
    "POST /organizations/{organization_id}/permits": grant_permit,
    "GET /permits": read(lambda world, scope: "/permits?limit=500"),
    "GET /permits/{permit_id}": read(lambda world, scope: f"/permits/{world.permits[which(scope)]['id']}"),
    "POST /permits/{permit_id}/extensions": extend_permit,
    "POST /permits/{permit_id}/documents": attach_scan,
    "GET /permits/{permit_id}/documents": read(
        lambda world, scope: f"/permits/{world.permits[which(scope)]['id']}/documents"
    ),
    "GET /documents/{document_id}": read(lambda world, scope: f"/documents/{world.documents[which(scope)]['id']}"),
    "OPTIONS /uploads": upload_options,
    "POST /uploads": create_upload,
    "HEAD /uploads/{upload_id}": on_an_upload("HEAD"),
    "PATCH /uploads/{upload_id}": on_an_upload(
        "PATCH", headers={"Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}, content=SCAN
    ),
    "DELETE /uploads/{upload_id}": on_an_upload("DELETE"),
}


# --- the table against the document -----------------------------------------------------------------------------


async def test_the_table_names_every_operation_of_the_document_and_agrees_with_its_policies(world: World) -> None:
    document = (await world.client.get("/openapi.json")).json()
    assert public_operations(document) == PUBLIC_OPERATIONS
    assert set(PROBES) == set(EXPECTED)
    allowed = {
        name: [role for role, answer in zip(ROLES, row, strict=True) if answer != DENY]
        for name, row in EXPECTED.items()
    }
    assert_policies_match(
        document, {name: roles for name, roles in allowed.items() if not name.startswith(UNLISTED_METHODS)}
    )
    unlisted = {
        f"{method.upper()} {path}": operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method.upper() in UNLISTED_METHODS
    }
    assert sorted(unlisted) == sorted(name for name in EXPECTED if name.startswith(UNLISTED_METHODS))
    for name, operation in unlisted.items():
        assert set(operation["x-mitra-access"]["roles"]) == set(allowed[name]), name
        assert "403" in operation["responses"], name


# --- every operation x every role x scope ----------------------------------------------------------------------


@pytest.mark.parametrize(("operation", "role", "answer", "scope"), list(cases()))
async def test_operation_by_role_and_scope(world: World, operation: str, role: str, answer: str, scope: str) -> None:
    before = await world.writes()
    response = await PROBES[operation](world, world.caller(role), scope)
    refused = answer == DENY or (answer == OWN and scope == "other")
    if refused:
        expected = 403 if answer == DENY else 404  # another NGO's record is answered as if it did not exist
        assert response.status_code == expected, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert await world.writes() - before == SETUP_WRITES.get(operation, 0), "a refused call wrote something"
        return
    assert response.is_success, response.text
    if operation in LIST_OWNER:
        owners = {item[LIST_OWNER[operation]] for item in response.json()["items"]}
        own, other = world.organizations["own"]["id"], world.organizations["other"]["id"]
        if answer == FILTER:
            assert owners == {own}, "an NGO's list holds its own records, and only them"
        else:
            assert {own, other} <= owners


LIST_OWNER = {"GET /organizations": "id", "GET /permits": "organization_id"}
"""The lists filtered to the caller's scope, and the field of an item that names its NGO."""
SETUP_WRITES = {
    # the new NGO to move, registered as TPOA (with its review opened), and cleared by the member
    "POST /organizations/{organization_id}/status": 6,
    "POST /sanctions/{sanction_id}/lift": 2,  # the warning to lift, imposed as TPOA
    "POST /organizations/{organization_id}/review/answers": 4,  # the new applicant, with its review opened
    "POST /foreign-staff/{assignment_id}/end": 2,  # the new assignment to end, made as TPOA
    "POST /permits/{permit_id}/extensions": 2,  # the new permit to extend, granted as TPOA
}
"""The outbox rows a probe's own preparation (as TPOA) records before the call under test: its event and its audit
entry."""


# --- property level: passport numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["tpoa", "ministry", "region", "ngo", "auditor", "integration"])
async def test_a_passport_number_is_shown_only_to_tpoa_and_the_ngo_itself(world: World, role: str) -> None:
    own = world.staff["own"]
    response = await world.client.get(f"/foreign-staff/{own['id']}", headers=world.caller(role))
    assert response.status_code == 200, response.text
    shown = response.json()
    assert shown["passport_number_masked"] == "******" + own["passport_number"][-3:]
    if role in ("tpoa", "ngo"):
        assert shown["passport_number"] == own["passport_number"]
    else:
        assert shown["passport_number"] is None
        assert own["passport_number"] not in response.text
    listed = await world.client.get(
        f"/organizations/{own['organization_id']}/foreign-staff", headers=world.caller(role)
    )
    assert own["passport_number"] not in listed.text


async def test_an_ngo_sees_its_own_passport_numbers_where_it_assigns_and_ends(world: World) -> None:
    ngo = world.caller("ngo")
    body = expert()
    assigned = await world.client.post(
        f"/organizations/{world.organizations['own']['id']}/foreign-staff", json=body, headers=ngo
    )
    assert assigned.status_code == 201, assigned.text
    assert assigned.json()["passport_number"] == body["passport_number"]
    assert assigned.json()["assigned_by"] == "ngo-tester"
    ended = await world.client.post(
        f"/foreign-staff/{assigned.json()['id']}/end",
        json={"ended_on": body["starts_on"], "reason": "not needed"},
        headers=ngo,
    )
    assert ended.status_code == 200, ended.text
    assert ended.json()["passport_number"] == body["passport_number"]


async def test_another_ngo_is_unknown_to_an_ngo_whatever_it_asks(world: World) -> None:
    """Another NGO's records answer exactly as records that do not exist."""
    ngo = world.caller("ngo")
    other, missing = world.organizations["other"]["id"], str(uuid.uuid4())
    for path in ("/organizations/{}", "/organizations/{}/status-history", "/organizations/{}/foreign-staff"):
        answers = [await world.client.get(path.format(id_), headers=ngo) for id_ in (other, missing)]
        assert [answer.status_code for answer in answers] == [404, 404]
        assert answers[0].json()["detail"].replace(other, "X") == answers[1].json()["detail"].replace(missing, "X")
    unchanged = await world.as_tpoa("GET", f"/organizations/{other}")
    refused = await world.client.patch(
        f"/organizations/{other}", json={"acronym": "MINE"}, headers={**ngo, "If-Match": f'"{unchanged["version"]}"'}
    )
    assert refused.status_code == 404
    assert (await world.as_tpoa("GET", f"/organizations/{other}")) == unchanged


async def test_an_ngo_filtering_its_list_by_another_ngo_gets_nothing(world: World) -> None:
    ngo = world.caller("ngo")
    other = world.organizations["other"]["id"]
    permits = await world.client.get("/permits", params={"organization_id": other}, headers=ngo)
    assert (permits.status_code, permits.json()["total"], permits.json()["items"]) == (200, 0, [])
    found = await world.client.get(
        "/organizations", params={"q": world.organizations["other"]["legal_name"]}, headers=ngo
    )
    assert (found.status_code, found.json()["total"]) == (200, 0)


async def test_a_token_without_a_role_is_refused(world: World) -> None:
    response = await world.client.get("/organizations", headers=auth_headers())
    assert response.status_code == 401
