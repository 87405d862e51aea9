"""Who may do what on agreements: every operation of its OpenAPI document x every role x own/other scope.

The operations come from the document the real app serves; EXPECTED holds one row per operation, one answer per
role. The test fails for an operation without a row, a row without an operation, an operation whose
`x-mitra-access` names no role, and a row that disagrees with the roles the document names. Each answer is tried
with a request that would succeed for an allowed caller (a DENY is a real 403, not a 422 in disguise):

- ALLOW: 2xx;
- DENY: 403, and nothing written;
- OWN: 2xx on a record in the caller's scope; on one outside it, 404 when the record is named in the path (it does
  not exist for the caller, agreements' rule) or 403 when named in the body (the NGO of a draft, the MSP of a visit
  or a recommendation); nothing written;
- FILTERED: 2xx, a list holding the records in the caller's scope and none outside it.

The shared resumable uploads (`/uploads`, tus) are in the table too; OPTIONS and HEAD, which the common table
reader leaves out, are checked against the document here. An upload is its creator's alone: each caller works on
one it made. Attachments send a small PDF as `multipart/form-data`.

The callers: an NGO's staff (the `own` NGO), an officer of KEMENSOS (the `own` MSPs' Mitra Utama) and of the province
33 (the `own` MSPs work in its regency 3374 and in Bali, 51), and the unscoped roles. `own` records: NGO A's MSPs
with KEMENSOS in 3374 and 51; `other` records: NGO B's MSPs with KEMENLU in 51 only. One database for the module;
registry's facts learned through agreements' own event handlers, everything else made through the API by the role
that really does it (the NGO drafts and submits, TPOA approves, the ministry signs).
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import asyncpg
import httpx
import pytest
import pytest_asyncio
from support.access import assert_policies_match, public_operations
from support.app import api_client
from support.clock import FakeClock
from support.database import create_migrated_database, drop_database
from support.tokens import as_role

from mitra_agreements.bootstrap import build_spec
from mitra_agreements.consumers.registry_facts import HANDLERS
from mitra_agreements.settings import AgreementsSettings
from mitra_shared import db
from mitra_shared import events as ev
from mitra_shared.access import ROLES, region_covers
from mitra_shared.clock import JAKARTA
from mitra_shared.context import Context
from mitra_shared.contracts import registry as registry_contracts
from mitra_shared.documents import DOCUMENTS_MIGRATIONS
from mitra_shared.events import EventData, new_event
from mitra_shared.uow import UnitOfWork

pytestmark = [pytest.mark.integration, pytest.mark.asyncio(loop_scope="module")]

ALLOW, DENY, OWN, FILTERED = "allow", "deny", "own", "filtered"
YES, NO, FILTER = ALLOW, DENY, FILTERED

# fmt: off
# One answer per role, in the order of mitra_shared.access.ROLES (YES: ALLOW, NO: DENY, FILTER: FILTERED):
#                                                     tpoa    ministry region  ngo     auditor admin   integration
EXPECTED: dict[str, tuple[str, ...]] = {
    "GET /organizations":                             (YES,    FILTER, FILTER, FILTER, YES,    NO,     YES),
    "GET /organizations/{organization_id}":           (YES,    OWN,    OWN,    OWN,    YES,    NO,     YES),
    "POST /msps":                                     (NO,     NO,     NO,     OWN,    NO,     NO,     NO),
    "GET /msps":                                      (YES,    FILTER, FILTER, FILTER, YES,    NO,     YES),
    "GET /msps/{msp_id}":                             (YES,    OWN,    OWN,    OWN,    YES,    NO,     YES),
    "POST /msps/{msp_id}/submit":                     (NO,     NO,     NO,     OWN,    NO,     NO,     NO),
    "POST /msps/{msp_id}/approve":                    (YES,    NO,     NO,     NO,     NO,     NO,     NO),
    "POST /msps/{msp_id}/reject":                     (YES,    NO,     NO,     NO,     NO,     NO,     NO),
    "POST /msps/{msp_id}/sign":                       (NO,     OWN,    NO,     NO,     NO,     NO,     NO),
    "POST /msps/{msp_id}/extend":                     (NO,     OWN,    NO,     NO,     NO,     NO,     NO),
    "POST /msps/{msp_id}/extension/approve":          (YES,    NO,     NO,     NO,     NO,     NO,     NO),
    "POST /msps/{msp_id}/extension/reject":           (YES,    NO,     NO,     NO,     NO,     NO,     NO),
    # TPOA's member review: the government's deliberation (not the NGO's or the regions'); answered by a member
    # ministry the review asked (here a review that asked the caller's ministry, of an MSP it reads).
    "GET /msps/{msp_id}/review":                      (YES,    OWN,    NO,     NO,     YES,    NO,     YES),
    "POST /msps/{msp_id}/review/answers":             (NO,     OWN,    NO,     NO,     NO,     NO,     NO),
    "POST /msps/{msp_id}/terminate":                  (NO,     OWN,    NO,     NO,     NO,     NO,     NO),
    "GET /msps/{msp_id}/obligations":                 (YES,    OWN,    OWN,    OWN,    YES,    NO,     YES),
    "GET /obligations":                               (YES,    FILTER, FILTER, FILTER, YES,    NO,     YES),
    "POST /obligations/{obligation_id}/submissions":  (NO,     NO,     NO,     OWN,    NO,     NO,     NO),
    "GET /obligations/{obligation_id}/submissions":   (YES,    OWN,    OWN,    OWN,    YES,    NO,     YES),
    "GET /submissions":                               (YES,    FILTER, FILTER, FILTER, YES,    NO,     YES),
    "GET /submissions/{submission_id}":               (YES,    OWN,    OWN,    OWN,    YES,    NO,     YES),
    "POST /submissions/{submission_id}/accept":       (NO,     OWN,    OWN,    NO,     NO,     NO,     NO),
    "POST /submissions/{submission_id}/return":       (NO,     OWN,    OWN,    NO,     NO,     NO,     NO),
    "POST /submissions/{submission_id}/comments":     (NO,     OWN,    OWN,    NO,     NO,     NO,     NO),
    "POST /visits":                                   (NO,     NO,     NO,     OWN,    NO,     NO,     NO),
    "GET /visits":                                    (YES,    FILTER, FILTER, FILTER, YES,    NO,     YES),
    "GET /visits/{visit_id}":                         (YES,    OWN,    OWN,    OWN,    YES,    NO,     YES),
    "PATCH /visits/{visit_id}":                       (NO,     NO,     NO,     OWN,    NO,     NO,     NO),
    "POST /visits/{visit_id}/cancel":                 (NO,     NO,     NO,     OWN,    NO,     NO,     NO),
    "POST /recommendations":                          (NO,     NO,     NO,     OWN,    NO,     NO,     NO),
    "GET /recommendations":                           (YES,    FILTER, NO,     FILTER, YES,    NO,     YES),
    "GET /recommendations/{recommendation_id}":       (YES,    OWN,    NO,     OWN,    YES,    NO,     YES),
    "POST /recommendations/{recommendation_id}/issue":(NO,     OWN,    NO,     NO,     NO,     NO,     NO),
    # Documents: attached by who may now, read by whoever reads their owner, published by the MSP's Mitra Utama or
    # TPOA (what takes no document now, or whose purpose is another's, is not a question of access: 409, 422).
    "POST /submissions/{submission_id}/documents":    (NO,     NO,     NO,     OWN,    NO,     NO,     NO),
    "GET /submissions/{submission_id}/documents":     (YES,    OWN,    OWN,    OWN,    YES,    NO,     YES),
    "POST /msps/{msp_id}/documents":                  (YES,    OWN,    NO,     OWN,    NO,     NO,     NO),
    "GET /msps/{msp_id}/documents":                   (YES,    OWN,    OWN,    OWN,    YES,    NO,     YES),
    "POST /recommendations/{recommendation_id}/documents":
                                                      (NO,     OWN,    NO,     OWN,    NO,     NO,     NO),
    "GET /recommendations/{recommendation_id}/documents":
                                                      (YES,    OWN,    NO,     OWN,    YES,    NO,     YES),
    "GET /documents/{document_id}":                   (YES,    OWN,    OWN,    OWN,    YES,    NO,     YES),
    "PUT /documents/{document_id}/publication":       (YES,    OWN,    NO,     NO,     NO,     NO,     NO),
    # The shared resumable uploads: the roles that attach documents; each sees only the uploads it made.
    "OPTIONS /uploads":                               (YES,    YES,    YES,    YES,    NO,     NO,     NO),
    "POST /uploads":                                  (YES,    YES,    YES,    YES,    NO,     NO,     NO),
    "HEAD /uploads/{upload_id}":                      (YES,    YES,    YES,    YES,    NO,     NO,     NO),
    "PATCH /uploads/{upload_id}":                     (YES,    YES,    YES,    YES,    NO,     NO,     NO),
    "DELETE /uploads/{upload_id}":                    (YES,    YES,    YES,    YES,    NO,     NO,     NO),
    # MSPs signed before Mitra, imported from a file (a dry run here: checked and counted, nothing written); a
    # ministry imports the MSPs of its own ministry_code only.
    "GET /imports/msps/template":                     (YES,    YES,    NO,     NO,     NO,     NO,     NO),
    "POST /imports/msps":                             (YES,    OWN,    NO,     NO,     NO,     NO,     NO),
}
# fmt: on
NAMED_IN_THE_BODY = {"POST /msps", "POST /visits", "POST /recommendations", "POST /imports/msps"}
"""Operations whose record is named in the body: another's is refused with 403 (in the path: 404)."""
PUBLIC_PREFIXES = ("/health", "/asyncapi", "/public/")
"""Operations without a token: the probes, the event documentation, and the documents marked public."""
UNLISTED_METHODS = ("OPTIONS", "HEAD")
"""Methods the common reader of the document (support/access.py) leaves out: their rows are checked here."""
PDF = b"%PDF-1.4\n% access\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
TUS = {"Tus-Resumable": "1.0.0"}

TODAY = date(2027, 1, 5)
OWN_REGION = "33"  # the region officer's province; the own MSPs work in its regency 3374 (and in 51)
PLACES = {"own": ["3374", "51"], "other": ["51"]}
WORK_PLAN_REGION = {"own": "3374", "other": "51"}
SCOPE_OF = {"ministry": {"ministry_code": "KEMENSOS"}, "region": {"region_code": OWN_REGION}}
MEMBER = "KEMENDAGRI"  # TPOA's one member ministry in this world (MITRA_TPOA_MEMBERS)
_serial = itertools.count(1)


def cases() -> Iterator[Any]:
    for operation, answers in EXPECTED.items():
        for role, answer in zip(ROLES, answers, strict=True):
            scopes = ("own", "other") if answer in (OWN, FILTERED) else ("any",)
            for scope in scopes:
                yield pytest.param(operation, role, answer, scope, id=f"{operation} x {role} x {scope}")


def partner_id(code: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"partner/{code}")


@dataclass
class World:
    """Registry's facts as agreements learned them, a client on the app, and the records the reads share."""

    client: httpx.AsyncClient
    pool: asyncpg.Pool
    organizations: dict[str, str]  # "own", "other" -> organization id
    ministries: dict[str, str] = field(default_factory=lambda: {"own": "KEMENSOS", "other": "KEMENLU"})
    shared: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def caller(self, role: str) -> dict[str, str]:
        """The caller of the table: in the `own` scope for the scoped roles."""
        if role == "ngo":
            return as_role("ngo", organization_id=self.organizations["own"])
        return as_role(role, **SCOPE_OF.get(role, {}))

    def ngo_of(self, scope: str) -> dict[str, str]:
        return as_role("ngo", subject="seed-ngo", organization_id=self.organizations[side(scope)])

    def ministry_of(self, scope: str) -> dict[str, str]:
        return as_role("ministry", subject="seed-ministry", ministry_code=self.ministries[side(scope)])

    async def call(self, who: dict[str, str], method: str, path: str, body: Any = None) -> Any:
        response = await self.client.request(method, path, json=body, headers=who)
        assert response.is_success, f"{method} {path}: {response.text}"
        return response.json()

    async def writes(self) -> int:
        return int(await self.pool.fetchval("SELECT count(*) FROM outbox"))

    # --- records, made by the role that makes them ------------------------------------------------------------

    async def draft(self, scope: str, places: list[str] | None = None) -> dict[str, Any]:
        body = draft_body(self, scope) | ({"work_location_codes": places} if places else {})
        return await self.call(self.ngo_of(scope), "POST", "/msps", body)

    async def submitted(self, scope: str, places: list[str] | None = None) -> dict[str, Any]:
        msp = await self.draft(scope, places)
        return await self.call(self.ngo_of(scope), "POST", f"/msps/{msp['id']}/submit", {})

    async def cleared(self, scope: str) -> dict[str, Any]:
        """Submitted, and cleared by TPOA's member: TPOA may approve it."""
        msp = await self.submitted(scope)
        await self.clear(msp)
        return msp

    async def clear(self, msp: dict[str, Any]) -> None:
        member = as_role("ministry", subject="seed-member", ministry_code=MEMBER)
        await self.call(member, "POST", f"/msps/{msp['id']}/review/answers", {"verdict": "cleared"})

    async def approved(self, scope: str, places: list[str] | None = None) -> dict[str, Any]:
        msp = await self.submitted(scope, places)
        await self.clear(msp)
        tpoa = as_role("tpoa", subject="seed-tpoa")
        return await self.call(tpoa, "POST", f"/msps/{msp['id']}/approve", {"note": "ok"})

    async def signed(self, scope: str, places: list[str] | None = None) -> dict[str, Any]:
        msp = await self.approved(scope, places)
        return await self.call(self.ministry_of(scope), "POST", f"/msps/{msp['id']}/sign", sign_body())

    async def extension_requested(self, scope: str) -> dict[str, Any]:
        msp = await self.signed(scope)
        body = {"ends_on": "2029-12-31", "reason": "agreed"}
        return await self.call(self.ministry_of(scope), "POST", f"/msps/{msp['id']}/extend", body)

    async def extension_cleared(self, scope: str) -> dict[str, Any]:
        msp = await self.extension_requested(scope)
        await self.clear(msp)
        return msp

    async def submission_to_decide(self, scope: str, role: str) -> dict[str, Any]:
        """A submission the caller of the table decides in its own scope: a report for the ministry, a work plan
        of exactly its region for a region's office (none of another's scope reads)."""
        if role == "ministry":
            msp = await self.signed(scope)
            obligations = await self.call(as_role("tpoa"), "GET", f"/msps/{msp['id']}/obligations")
            [report] = [o for o in obligations if o["kind"] == "semester_report" and o["period"] == "2027-S1"]
            path = f"/obligations/{report['id']}/submissions"
            return await self.call(self.ngo_of(scope), "POST", path, {"summary": "Semester I"})
        if role == "region" and side(scope) == "own":
            msp = await self.signed(scope, [OWN_REGION])
            obligations = await self.call(as_role("tpoa"), "GET", f"/msps/{msp['id']}/obligations")
            [plan] = [o for o in obligations if o["kind"] == "work_plan" and o["period"] == "2027"]
            path = f"/obligations/{plan['id']}/submissions"
            return await self.call(self.ngo_of(scope), "POST", path, {"summary": "RKT 2027"})
        return await self.submission(scope)

    async def asking_the_caller(self, scope: str) -> dict[str, Any]:
        """A submitted MSP whose review asked the caller's ministry as well (in its own scope)."""
        msp = await self.submitted(scope)
        if side(scope) == "own":
            await self.pool.execute(
                "UPDATE msp_reviews SET members = members || $2::text WHERE msp_id = $1 AND status = 'open'",
                uuid.UUID(msp["id"]),
                self.ministries["own"],
            )
        return msp

    async def work_plan(self, scope: str, msp: dict[str, Any] | None = None) -> dict[str, Any]:
        msp = msp or await self.signed(scope)
        obligations = await self.call(as_role("tpoa"), "GET", f"/msps/{msp['id']}/obligations")
        [plan] = [
            o
            for o in obligations
            if o["kind"] == "work_plan" and o["period"] == "2027" and o["region_code"] == WORK_PLAN_REGION[side(scope)]
        ]
        return plan

    async def submission(self, scope: str) -> dict[str, Any]:
        plan = await self.work_plan(scope)
        return await self.call(
            self.ngo_of(scope), "POST", f"/obligations/{plan['id']}/submissions", {"summary": "RKT 2027"}
        )

    async def visit(self, scope: str, msp: dict[str, Any] | None = None) -> dict[str, Any]:
        msp = msp or await self.shared_record("signed", scope)
        return await self.call(self.ngo_of(scope), "POST", "/visits", visit_body(msp, scope))

    async def recommendation(self, scope: str, msp: dict[str, Any] | None = None) -> dict[str, Any]:
        msp = msp or await self.shared_record("signed", scope)
        body = {"msp_id": msp["id"], "kind": "tax_exemption", "purpose": "Imported goods"}
        return await self.call(self.ngo_of(scope), "POST", "/recommendations", body)

    async def shared_record(self, kind: str, scope: str) -> dict[str, Any]:
        """One record of each kind and scope, made once, for the calls that change nothing of it."""
        key = (kind, side(scope))
        if key not in self.shared:
            if kind == "signed":
                self.shared[key] = await self.signed(scope)
            elif kind in ("work_plan", "submission"):  # a work plan with its submission, awaiting review
                plan = await self.work_plan(scope, await self.shared_record("signed", scope))
                self.shared["work_plan", side(scope)] = plan
                self.shared["submission", side(scope)] = await self.call(
                    self.ngo_of(scope), "POST", f"/obligations/{plan['id']}/submissions", {"summary": "RKT 2027"}
                )
            elif kind == "visit":
                self.shared[key] = await self.visit(scope)
            elif kind == "recommendation":  # requested, awaiting the decision
                self.shared[key] = await self.recommendation(scope)
            elif kind == "issued_recommendation":
                self.shared[key] = await self.issued_recommendation(scope)
            else:  # a document of the MSP, attached by its NGO
                msp = await self.shared_record("signed", scope)
                self.shared[key] = await self.attach(self.ngo_of(scope), f"/msps/{msp['id']}/documents", "annex")
        return self.shared[key]

    async def issued_recommendation(self, scope: str) -> dict[str, Any]:
        requested = await self.recommendation(scope)
        decision = {"granted": True, "reference_number": f"REK/{next(_serial)}"}
        return await self.call(self.ministry_of(scope), "POST", f"/recommendations/{requested['id']}/issue", decision)

    async def attach(self, who: dict[str, str], path: str, purpose: str) -> dict[str, Any]:
        response = await self.client.post(path, headers=who, **arguments(attachment(purpose)))
        assert response.status_code == 201, f"POST {path}: {response.text}"
        return response.json()

    async def upload(self, who: dict[str, str]) -> str:
        """A new resumable upload of `who`'s; its path."""
        response = await self.client.post("/uploads", headers={**who, **TUS, "Upload-Length": str(len(PDF))})
        assert response.status_code == 201, response.text
        return response.headers["Location"]


def side(scope: str) -> str:
    """The records a case is about: another's for `other`, the caller's (or any, for the unscoped roles) else."""
    return "other" if scope == "other" else "own"


@dataclass(frozen=True)
class Send:
    """A request that is not (only) a JSON body: a multipart form, raw bytes, headers of its own."""

    headers: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, bytes, str]] | None = None
    data: dict[str, str] | None = None
    content: bytes | None = None


def arguments(body: Any) -> dict[str, Any]:
    """httpx's arguments for a request's body: JSON unless it is a `Send`."""
    if not isinstance(body, Send):
        return {"json": body}
    sent: dict[str, Any] = {"files": body.files, "data": body.data, "content": body.content}
    return {name: value for name, value in sent.items() if value is not None}


def attachment(purpose: str | None = None) -> Send:
    """A small PDF as `multipart/form-data` (field `file`), with its purpose if given."""
    return Send(files={"file": ("laporan.pdf", PDF, "application/pdf")}, data={"purpose": purpose} if purpose else None)


def draft_body(world: World, scope: str) -> dict[str, Any]:
    return {
        "organization_id": world.organizations[side(scope)],
        "ministry_partner_id": str(partner_id(world.ministries[side(scope)])),
        "title": f"Kerja sama {next(_serial)}",
        "work_location_codes": PLACES[side(scope)],
        "starts_on": "2027-01-01",
        "ends_on": "2029-06-30",
    }


def sign_body() -> dict[str, Any]:
    return {
        "number": f"MSP/ACCESS/{next(_serial)}",
        "signatories": [{"name": "Dra. Sri", "title": "Director General", "party": "ministry"}],
    }


def visit_body(msp: dict[str, Any], scope: str) -> dict[str, Any]:
    return {
        "msp_id": msp["id"],
        "visitors": [{"name": "John Smith", "nationality": "GB", "role": "Adviser"}],
        "purpose": "Monitoring",
        "arrives_on": "2027-02-01",
        "departs_on": "2027-02-03",
        "region_codes": [WORK_PLAN_REGION[side(scope)]],
    }


# --- registry's facts, learned as agreements' consumer learns them ------------------------------------------------


async def learn(pool: asyncpg.Pool, data: EventData) -> None:
    received = ev.decode(ev.encode(new_event(data, subject="registry")))
    known = HANDLERS[type(data).kind]
    context = Context.for_system("agreements.consumer", received.time, causation_id=received.id)
    async with UnitOfWork(pool).change(context) as tx:
        await known.apply(tx, received, ev.read_data(received, known.model))


async def learn_the_register(pool: asyncpg.Pool) -> dict[str, str]:
    at = datetime(2026, 1, 1, tzinfo=JAKARTA)
    organizations = {}
    for scope, name in (("own", "NGO A"), ("other", "NGO B")):
        organization_id = uuid.uuid4()
        organizations[scope] = str(organization_id)
        await learn(
            pool,
            registry_contracts.OrganizationRegistered(
                organization_id=organization_id,
                legal_name=name,
                country_of_origin="GB",
                status="active",
                registered_at=at,
            ),
        )
        await learn(
            pool,
            registry_contracts.PermitGranted(
                permit_id=uuid.uuid4(),
                organization_id=organization_id,
                organization_name=name,
                permit_type="principle",
                number=f"IP-{scope}",
                issued_on=date(2026, 1, 1),
                valid_until=date(2029, 12, 31),
                granted_at=at,
            ),
        )
    for kind, code, name, parent in (
        ("ministry", "KEMENSOS", "Kementerian Sosial", None),
        ("ministry", "KEMENLU", "Kementerian Luar Negeri", None),
        ("province", "33", "Jawa Tengah", None),
        ("regency", "3374", "Kota Semarang", "33"),
        ("province", "51", "Bali", None),
    ):
        await learn(
            pool,
            registry_contracts.PartnerUpdated(
                partner_id=partner_id(code),
                partner_kind=kind,
                name=name,
                code=code,
                parent_code=parent,
                version=1,
                updated_at=at,
            ),
        )
    return organizations


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    dsn = await create_migrated_database([DOCUMENTS_MIGRATIONS, db.MigrationSource("agreements", "mitra_agreements")])
    pool = await db.create_pool(dsn, min_size=1, max_size=4)
    settings = AgreementsSettings(
        environment="test", documents_dir=tmp_path_factory.mktemp("documents"), tpoa_members=[MEMBER]
    )
    spec = build_spec(settings)
    try:
        organizations = await learn_the_register(pool)
        async with api_client(spec, pool, clock=FakeClock(TODAY), headers={}) as client:
            seeded = World(client=client, pool=pool, organizations=organizations)
            for scope in ("own", "other"):  # the MSPs through which a ministry or a region knows the NGOs
                await seeded.shared_record("signed", scope)
            yield seeded
    finally:
        await pool.close()
        await drop_database(dsn)


# --- one request per operation, that succeeds for a caller allowed to make it ---------------------------------

Request = tuple[str, str, Any]
Prepare = Callable[[World, str, str], Awaitable[Request]]
"""(world, "own"/"other"/"any", role) -> the request (method, path, body), its target made beforehand (for the
caller's role where it matters: an upload is its creator's, a ministry attaches to a decided recommendation)."""


def get(path: Callable[[World, str], Awaitable[str]]) -> Prepare:
    async def prepare(world: World, scope: str, role: str) -> Request:
        return "GET", await path(world, scope), None

    return prepare


def post(path: str, target: Callable[[World, str], Awaitable[dict[str, Any]]], body: Any = None) -> Prepare:
    """A POST to `path` (formatted with the target's id) on a new target of the scope."""

    async def prepare(world: World, scope: str, role: str) -> Request:
        made = await target(world, scope)
        return "POST", path.format(id=made["id"]), body() if callable(body) else (body or {})

    return prepare


def decide_submission(action: str, body: dict[str, Any] | None = None) -> Prepare:
    """A decision on a submission the caller decides in its own scope (`World.submission_to_decide`)."""

    async def prepare(world: World, scope: str, role: str) -> Request:
        submission = await world.submission_to_decide(scope, role)
        return "POST", f"/submissions/{submission['id']}/{action}", body or {}

    return prepare


async def shared_path(world: World, kind: str, scope: str, template: str) -> str:
    return template.format(id=(await world.shared_record(kind, scope))["id"])


async def new_draft(world: World, scope: str, role: str) -> Request:
    return "POST", "/msps", draft_body(world, scope)


async def new_visit(world: World, scope: str, role: str) -> Request:
    return "POST", "/visits", visit_body(await world.shared_record("signed", scope), scope)


async def new_recommendation(world: World, scope: str, role: str) -> Request:
    msp = await world.shared_record("signed", scope)
    return "POST", "/recommendations", {"msp_id": msp["id"], "kind": "tax_exemption", "purpose": "Imported goods"}


async def change_visit(world: World, scope: str, role: str) -> Request:
    visit = await world.visit(scope)
    return "PATCH", f"/visits/{visit['id']}", {"purpose": "Monitoring and evaluation"}


async def submit_work_plan(world: World, scope: str, role: str) -> Request:
    plan = await world.work_plan(scope)
    return "POST", f"/obligations/{plan['id']}/submissions", {"summary": "RKT 2027"}


def listing(path: str, kind: str) -> Prepare:
    """A list, once the shared records of both scopes it should or should not hold exist."""

    async def prepare(world: World, scope: str, role: str) -> Request:
        for side_ in ("own", "other"):
            await world.shared_record(kind, side_)
        return "GET", path, None

    return prepare


def attach_to(kind: str, template: str, purpose: str | None = None) -> Prepare:
    """An attachment (a PDF, multipart) to the shared record of the scope."""

    async def prepare(world: World, scope: str, role: str) -> Request:
        return "POST", await shared_path(world, kind, scope, template), attachment(purpose)

    return prepare


async def attach_to_recommendation(world: World, scope: str, role: str) -> Request:
    """Supporting documents before the decision (the NGO); the signed letter after it (the ministry)."""
    kind = "issued_recommendation" if role == "ministry" else "recommendation"
    return "POST", await shared_path(world, kind, scope, "/recommendations/{id}/documents"), attachment()


async def publish_document(world: World, scope: str, role: str) -> Request:
    return "PUT", await shared_path(world, "document", scope, "/documents/{id}/publication"), {"public": True}


def on_an_upload(method: str, send: Send) -> Prepare:
    """A request on a new upload of the caller's (of TPOA's for a role that makes none: refused before it is
    looked up)."""

    async def prepare(world: World, scope: str, role: str) -> Request:
        maker = role if EXPECTED[f"{method} /uploads/{{upload_id}}"][ROLES.index(role)] != DENY else "tpoa"
        return method, await world.upload(world.caller(maker)), send

    return prepare


async def new_upload(world: World, scope: str, role: str) -> Request:
    return "POST", "/uploads", Send(headers={**TUS, "Upload-Length": str(len(PDF))})


async def upload_options(world: World, scope: str, role: str) -> Request:
    return "OPTIONS", "/uploads", Send()


IMPORT_HEADER = (
    "number,title,organization_id,ministry_code,work_locations,starts_on,ends_on,signed_on,ministry_signatory_name,"
    "ministry_signatory_title"
)


async def import_an_msp(world: World, scope: str, role: str) -> Request:
    """A dry run of a CSV of one MSP signed before Mitra: NGO A's with KEMENSOS in 3374 (`own`), NGO B's with
    KEMENLU in Bali (`other`), each resting on its NGO's principle permit."""
    row = [
        f"MSP/IMPORT/{next(_serial)}",
        "Kerja sama sebelum Mitra",
        world.organizations[side(scope)],
        world.ministries[side(scope)],
        WORK_PLAN_REGION[side(scope)],
        "2026-03-01",
        "2028-12-31",
        "2026-02-01",
        "Dra. Sri Wahyuni",
        "Direktur Jenderal",
    ]
    content = f"{IMPORT_HEADER}\n{','.join(row)}\n".encode()
    return "POST", "/imports/msps?dry_run=true", Send(headers={"Content-Type": "text/csv"}, content=content)


PREPARE: dict[str, Prepare] = {
    "GET /organizations": get(lambda world, scope: _const("/organizations?limit=500")),
    "GET /organizations/{organization_id}": get(
        lambda world, scope: _const(f"/organizations/{world.organizations[side(scope)]}")
    ),
    "POST /msps": new_draft,
    "GET /msps": get(lambda world, scope: _const("/msps?limit=500")),
    "GET /msps/{msp_id}": get(lambda world, scope: shared_path(world, "signed", scope, "/msps/{id}")),
    "POST /msps/{msp_id}/submit": post("/msps/{id}/submit", World.draft),
    "POST /msps/{msp_id}/approve": post("/msps/{id}/approve", World.cleared, {"note": "reviewed"}),
    "POST /msps/{msp_id}/reject": post("/msps/{id}/reject", World.submitted, {"reason": "overlaps"}),
    "POST /msps/{msp_id}/sign": post("/msps/{id}/sign", World.approved, sign_body),
    "POST /msps/{msp_id}/extend": post(
        "/msps/{id}/extend", World.signed, {"ends_on": "2029-12-31", "reason": "agreed"}
    ),
    "POST /msps/{msp_id}/extension/approve": post("/msps/{id}/extension/approve", World.extension_cleared, {}),
    "POST /msps/{msp_id}/extension/reject": post(
        "/msps/{id}/extension/reject", World.extension_requested, {"note": "not now"}
    ),
    "GET /msps/{msp_id}/review": get(lambda world, scope: shared_path(world, "signed", scope, "/msps/{id}/review")),
    "POST /msps/{msp_id}/review/answers": post(
        "/msps/{id}/review/answers", World.asking_the_caller, {"verdict": "cleared"}
    ),
    "POST /msps/{msp_id}/terminate": post("/msps/{id}/terminate", World.signed, {"reason": "ended by agreement"}),
    "GET /msps/{msp_id}/obligations": get(
        lambda world, scope: shared_path(world, "signed", scope, "/msps/{id}/obligations")
    ),
    "GET /obligations": listing("/obligations?kind=work_plan&due_before=2027-04-01&limit=500", "work_plan"),
    "POST /obligations/{obligation_id}/submissions": submit_work_plan,
    "GET /obligations/{obligation_id}/submissions": get(
        lambda world, scope: shared_path(world, "work_plan", scope, "/obligations/{id}/submissions")
    ),
    "GET /submissions": listing("/submissions?limit=500", "work_plan"),
    "GET /submissions/{submission_id}": get(
        lambda world, scope: shared_path(world, "submission", scope, "/submissions/{id}")
    ),
    "POST /submissions/{submission_id}/accept": decide_submission("accept"),
    "POST /submissions/{submission_id}/return": decide_submission("return", {"comments": "add the budget"}),
    "POST /submissions/{submission_id}/comments": post(
        "/submissions/{id}/comments", World.submission, {"comment": "align the budget with the RPJMD"}
    ),
    "POST /visits": new_visit,
    "GET /visits": listing("/visits?limit=500", "visit"),
    "GET /visits/{visit_id}": get(lambda world, scope: shared_path(world, "visit", scope, "/visits/{id}")),
    "PATCH /visits/{visit_id}": change_visit,
    "POST /visits/{visit_id}/cancel": post("/visits/{id}/cancel", World.visit, {"reason": "flight cancelled"}),
    "POST /recommendations": new_recommendation,
    "GET /recommendations": listing("/recommendations?limit=500", "recommendation"),
    "GET /recommendations/{recommendation_id}": get(
        lambda world, scope: shared_path(world, "recommendation", scope, "/recommendations/{id}")
    ),
    "POST /recommendations/{recommendation_id}/issue": post(
        "/recommendations/{id}/issue",
        World.recommendation,
        lambda: {"granted": True, "reference_number": f"REK/{next(_serial)}"},
    ),
    "POST /submissions/{submission_id}/documents": attach_to("submission", "/submissions/{id}/documents"),
    "GET /submissions/{submission_id}/documents": get(
        lambda world, scope: shared_path(world, "submission", scope, "/submissions/{id}/documents")
    ),
    "POST /msps/{msp_id}/documents": attach_to("signed", "/msps/{id}/documents", "annex"),
    "GET /msps/{msp_id}/documents": get(
        lambda world, scope: shared_path(world, "signed", scope, "/msps/{id}/documents")
    ),
    "POST /recommendations/{recommendation_id}/documents": attach_to_recommendation,
    "GET /recommendations/{recommendation_id}/documents": get(
        lambda world, scope: shared_path(world, "recommendation", scope, "/recommendations/{id}/documents")
    ),
    "GET /documents/{document_id}": get(lambda world, scope: shared_path(world, "document", scope, "/documents/{id}")),
    "PUT /documents/{document_id}/publication": publish_document,
    "OPTIONS /uploads": upload_options,
    "POST /uploads": new_upload,
    "HEAD /uploads/{upload_id}": on_an_upload("HEAD", Send(headers=TUS)),
    "PATCH /uploads/{upload_id}": on_an_upload(
        "PATCH",
        Send(headers={**TUS, "Upload-Offset": "0", "Content-Type": "application/offset+octet-stream"}, content=PDF),
    ),
    "DELETE /uploads/{upload_id}": on_an_upload("DELETE", Send(headers=TUS)),
    "GET /imports/msps/template": get(lambda world, scope: _const("/imports/msps/template?format=csv&language=en")),
    "POST /imports/msps": import_an_msp,
}


async def _const(path: str) -> str:
    return path


# --- the table against the document -----------------------------------------------------------------------------


async def test_the_table_names_every_operation_of_the_document_and_agrees_with_its_policies(world: World) -> None:
    document = (await world.client.get("/openapi.json")).json()
    public = public_operations(document)
    assert all(name.split()[1].startswith(PUBLIC_PREFIXES) for name in public), sorted(public)
    assert set(PREPARE) == set(EXPECTED)
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
    method, path, body = await PREPARE[operation](world, scope, role)
    before = await world.writes()
    headers = {**(body.headers if isinstance(body, Send) else {}), **world.caller(role)}
    response = await world.client.request(method, path, headers=headers, **arguments(body))
    if answer == DENY or (answer == OWN and scope == "other"):
        expected = 403 if answer == DENY or operation in NAMED_IN_THE_BODY else 404
        assert response.status_code == expected, response.text
        assert response.headers["content-type"] == "application/problem+json"
        assert await world.writes() == before, "a refused call wrote something"
        return
    assert response.is_success, response.text
    if operation == "POST /imports/msps":
        assert response.json()["added"] == 1, "the row is one the caller may import"
    if operation in LISTS:
        await check_list(world, operation, role, answer, scope, response.json()["items"])


LISTS = {
    "GET /msps": "id",
    "GET /organizations": "organization_id",
    "GET /obligations": "id",
    "GET /submissions": "obligation_id",
    "GET /visits": "id",
    "GET /recommendations": "id",
}
"""The lists filtered to the caller's scope, and the field naming an item."""
SHARED_IN_LIST = {
    "GET /msps": "signed",
    "GET /obligations": "work_plan",
    "GET /submissions": "work_plan",
    "GET /visits": "visit",
    "GET /recommendations": "recommendation",
}
"""The shared record (of each scope) a list is checked for."""


async def check_list(
    world: World, operation: str, role: str, answer: str, scope: str, items: list[dict[str, Any]]
) -> None:
    if operation in SHARED_IN_LIST:
        own = str((await world.shared_record(SHARED_IN_LIST[operation], "own"))["id"])
        other = str((await world.shared_record(SHARED_IN_LIST[operation], "other"))["id"])
    else:
        own, other = world.organizations["own"], world.organizations["other"]
    listed = {str(item[LISTS[operation]]) for item in items}
    if answer == ALLOW:
        assert {own, other} <= listed
    elif scope == "own":
        assert own in listed, "the list leaves out a record in the caller's scope"
        if operation == "GET /msps":
            assert [item["id"] for item in items if not in_scope(role, item)] == [], "outside the caller's scope"
        elif operation != "GET /organizations":
            assert [item["id"] for item in items if not queue_item_in_scope(world, role, item)] == [], (
                "outside the caller's scope"
            )
    else:
        assert other not in listed, "the list holds a record outside the caller's scope"


def in_scope(role: str, msp: dict[str, Any]) -> bool:
    codes = [location["code"] for location in msp["work_locations"]]
    if role == "ministry":
        return bool(msp["ministry_code"] == "KEMENSOS")
    if role == "region":
        return any(region_covers(OWN_REGION, code) or region_covers(code, OWN_REGION) for code in codes)
    return msp["organization_name"] == "NGO A"


def queue_item_in_scope(world: World, role: str, item: dict[str, Any]) -> bool:
    """An item of a queue (obligation, submission, visit, recommendation) the caller of the table reads."""
    if role == "ministry":
        return bool(item["ministry_code"] == "KEMENSOS")
    if role == "ngo":
        return bool(item["organization_id"] == world.organizations["own"])
    codes = item["region_codes"] if "region_codes" in item else [item["region_code"] or OWN_REGION]
    return any(region_covers(OWN_REGION, code) or region_covers(code, OWN_REGION) for code in codes)


# --- a region's officer and the parts of an MSP it sees -----------------------------------------------------------


async def test_a_region_sees_the_msp_wide_obligations_and_those_of_its_area_and_decides_only_its_work_plans(
    world: World,
) -> None:
    region = world.caller("region")
    msp = await world.signed("own")
    listed = await world.call(region, "GET", f"/msps/{msp['id']}/obligations")
    regions = {o["region_code"] for o in listed}
    assert regions == {None, "3374"}, "the work plans of Bali (51) are not Jawa Tengah's"
    everything = await world.call(as_role("tpoa"), "GET", f"/msps/{msp['id']}/obligations")
    [bali] = [o for o in everything if o["kind"] == "work_plan" and o["region_code"] == "51" and o["period"] == "2027"]
    unseen = await world.client.get(f"/obligations/{bali['id']}/submissions", headers=region)
    assert unseen.status_code == 404, unseen.text

    # Bali's RKT of an MSP Jawa Tengah sees: Bali's officer decides it, not Jawa Tengah's.
    submitted = await world.call(
        world.ngo_of("own"), "POST", f"/obligations/{bali['id']}/submissions", {"summary": "RKT Bali"}
    )
    refused = await world.client.post(f"/submissions/{submitted['id']}/accept", json={}, headers=region)
    assert refused.status_code == 404, refused.text
    bali_office = as_role("region", region_code="51")
    accepted = await world.client.post(f"/submissions/{submitted['id']}/accept", json={}, headers=bali_office)
    assert accepted.status_code == 200, accepted.text

    # A report is the ministry's to decide, even for the region the MSP works in.
    [report] = [o for o in everything if o["period"] == "2027-S1" and o["kind"] == "semester_report"]
    report_submitted = await world.call(
        world.ngo_of("own"), "POST", f"/obligations/{report['id']}/submissions", {"summary": "Semester I"}
    )
    not_its_own = await world.client.post(f"/submissions/{report_submitted['id']}/accept", json={}, headers=region)
    assert not_its_own.status_code == 403, not_its_own.text


async def test_a_regency_sees_a_province_wide_msp_and_a_visit_to_its_area(world: World) -> None:
    as_ngo = world.ngo_of("own")
    msp = await world.call(as_ngo, "POST", "/msps", {**draft_body(world, "own"), "work_location_codes": ["33"]})
    await world.call(as_ngo, "POST", f"/msps/{msp['id']}/submit", {})
    await world.clear(msp)
    await world.call(as_role("tpoa"), "POST", f"/msps/{msp['id']}/approve", {})
    await world.call(world.ministry_of("own"), "POST", f"/msps/{msp['id']}/sign", sign_body())
    semarang = as_role("region", region_code="3374")
    assert (await world.client.get(f"/msps/{msp['id']}", headers=semarang)).status_code == 200
    visit = await world.visit("own", msp)  # to 3374
    assert (await world.client.get(f"/visits/{visit['id']}", headers=semarang)).status_code == 200
    solo = as_role("region", region_code="3372")  # another regency of the same province: the MSP, not the visit
    assert (await world.client.get(f"/visits/{visit['id']}", headers=solo)).status_code == 404
    assert (await world.client.get(f"/msps/{msp['id']}", headers=solo)).status_code == 200
    bali = as_role("region", region_code="51")
    assert (await world.client.get(f"/msps/{msp['id']}", headers=bali)).status_code == 404


# --- four eyes ----------------------------------------------------------------------------------------------------


async def test_whoever_drafted_or_submitted_an_msp_does_not_approve_reject_or_sign_it(world: World) -> None:
    alice = {"subject": "alice"}
    as_ngo = as_role("ngo", organization_id=world.organizations["own"], **alice)
    msp = await world.call(as_ngo, "POST", "/msps", draft_body(world, "own"))
    await world.call(as_ngo, "POST", f"/msps/{msp['id']}/submit", {})
    for step, body in (("approve", {}), ("reject", {"reason": "my own"})):
        refused = await world.client.post(f"/msps/{msp['id']}/{step}", json=body, headers=as_role("tpoa", **alice))
        assert refused.status_code == 403, refused.text
        assert "four eyes" in refused.json()["detail"]
    await world.clear(msp)
    await world.call(as_role("tpoa", subject="bob"), "POST", f"/msps/{msp['id']}/approve", {})
    alice_signs = as_role("ministry", ministry_code="KEMENSOS", **alice)
    refused = await world.client.post(f"/msps/{msp['id']}/sign", json=sign_body(), headers=alice_signs)
    assert refused.status_code == 403, refused.text
    signed = await world.call(world.ministry_of("own"), "POST", f"/msps/{msp['id']}/sign", sign_body())
    assert signed["status"] == "active"


async def test_whoever_submitted_a_work_plan_does_not_accept_it_nor_a_requester_issue(world: World) -> None:
    carol = {"subject": "carol"}
    plan = await world.work_plan("own")
    as_ngo = as_role("ngo", organization_id=world.organizations["own"], **carol)
    submission = await world.call(as_ngo, "POST", f"/obligations/{plan['id']}/submissions", {"summary": "RKT"})
    for who in (as_role("ministry", ministry_code="KEMENSOS"), as_role("region", region_code="3374", **carol)):
        refused = await world.client.post(f"/submissions/{submission['id']}/accept", json={}, headers=who)
        assert refused.status_code == 403, refused.text
    semarang = as_role("region", region_code="3374")
    await world.call(semarang, "POST", f"/submissions/{submission['id']}/accept", {})

    msp = await world.shared_record("signed", "own")
    body = {"msp_id": msp["id"], "kind": "tax_exemption", "purpose": "Imported goods"}
    requested = await world.call(as_ngo, "POST", "/recommendations", body)
    issue = {"granted": True, "reference_number": f"REK/{next(_serial)}"}
    refused = await world.client.post(
        f"/recommendations/{requested['id']}/issue",
        json=issue,
        headers=as_role("ministry", ministry_code="KEMENSOS", **carol),
    )
    assert refused.status_code == 403, refused.text
    issued = await world.call(world.caller("ministry"), "POST", f"/recommendations/{requested['id']}/issue", issue)
    assert issued["status"] == "issued"


# --- monitoring visits and mitigation actions (issue 14): their rows, and their cases ----------------------------

# fmt: off
#                                                     tpoa    ministry region  ngo     auditor admin   integration
MONITORING_EXPECTED: dict[str, tuple[str, ...]] = {
    "POST /msps/{msp_id}/monitoring-visits":          (NO,     OWN,    OWN,    NO,     NO,     NO,     NO),
    "GET /msps/{msp_id}/monitoring-visits":           (YES,    OWN,    OWN,    OWN,    YES,    NO,     YES),
    "GET /monitoring-visits/{monitoring_visit_id}":   (YES,    OWN,    OWN,    OWN,    YES,    NO,     YES),
    "POST /msps/{msp_id}/mitigation-actions":         (NO,     OWN,    OWN,    NO,     NO,     NO,     NO),
    "GET /msps/{msp_id}/mitigation-actions":          (YES,    OWN,    OWN,    OWN,    YES,    NO,     YES),
    "GET /mitigation-actions":                        (YES,    FILTER, FILTER, FILTER, YES,    NO,     YES),
    "GET /mitigation-actions/{action_id}":            (YES,    OWN,    OWN,    OWN,    YES,    NO,     YES),
    "POST /mitigation-actions/{action_id}/status":    (NO,     OWN,    OWN,    OWN,    NO,     NO,     NO),
}
# fmt: on
_monitoring: dict[tuple[str, str], dict[str, Any]] = {}
MONITORING_VISIT = {
    "visited_on": "2027-01-04",
    "aspects": ["administration"],
    "rating": "satisfactory",
    "findings": "As planned",
}


def mitigation_body(owner: str = "ngo", owner_region_code: str | None = None) -> dict[str, Any]:
    body = {"description": "Complete the attendance lists", "owner": owner, "due_on": "2027-03-01"}
    return body if owner_region_code is None else {**body, "owner_region_code": owner_region_code}


async def monitoring_record(world: World, kind: str, scope: str) -> dict[str, Any]:
    """An MSP-wide monitoring visit or mitigation action (owned by the NGO) of the scope's MSP, made once by its
    ministry."""
    key = (kind, side(scope))
    if key not in _monitoring:
        msp = await world.shared_record("signed", scope)
        path, body = (
            ("monitoring-visits", MONITORING_VISIT) if kind == "monitoring_visit" else ("mitigation-actions", None)
        )
        _monitoring[key] = await world.call(
            world.ministry_of(scope), "POST", f"/msps/{msp['id']}/{path}", body or mitigation_body()
        )
    return _monitoring[key]


def on_monitoring(kind: str, template: str) -> Prepare:
    async def prepare(world: World, scope: str, role: str) -> Request:
        return "GET", template.format(id=(await monitoring_record(world, kind, scope))["id"]), None

    return prepare


async def move_an_action(world: World, scope: str, role: str) -> Request:
    """A new action owned by the caller's office (the NGO, the ministry, or exactly the caller's region, where the
    MSP works; the other side's in Bali)."""
    msp = await world.shared_record("signed", scope)
    owner = role if role in ("ngo", "ministry", "region") else "ngo"
    owner_region = OWN_REGION if side(scope) == "own" else WORK_PLAN_REGION["other"]
    body = mitigation_body(owner, owner_region if owner == "region" else None)
    made = await world.call(world.ministry_of(scope), "POST", f"/msps/{msp['id']}/mitigation-actions", body)
    return "POST", f"/mitigation-actions/{made['id']}/status", {"status": "in_progress"}


async def list_actions(world: World, scope: str, role: str) -> Request:
    for side_ in ("own", "other"):
        await monitoring_record(world, "mitigation_action", side_)
    return "GET", "/mitigation-actions?limit=500", None


MONITORING_PREPARE: dict[str, Prepare] = {
    "POST /msps/{msp_id}/monitoring-visits": post(
        "/msps/{id}/monitoring-visits", lambda world, scope: world.shared_record("signed", scope), MONITORING_VISIT
    ),
    "GET /msps/{msp_id}/monitoring-visits": get(
        lambda world, scope: shared_path(world, "signed", scope, "/msps/{id}/monitoring-visits")
    ),
    "GET /monitoring-visits/{monitoring_visit_id}": on_monitoring("monitoring_visit", "/monitoring-visits/{id}"),
    "POST /msps/{msp_id}/mitigation-actions": post(
        "/msps/{id}/mitigation-actions", lambda world, scope: world.shared_record("signed", scope), mitigation_body
    ),
    "GET /msps/{msp_id}/mitigation-actions": get(
        lambda world, scope: shared_path(world, "signed", scope, "/msps/{id}/mitigation-actions")
    ),
    "GET /mitigation-actions": list_actions,
    "GET /mitigation-actions/{action_id}": on_monitoring("mitigation_action", "/mitigation-actions/{id}"),
    "POST /mitigation-actions/{action_id}/status": move_an_action,
}
EXPECTED.update(MONITORING_EXPECTED)
PREPARE.update(MONITORING_PREPARE)


@pytest.mark.parametrize(
    ("operation", "role", "answer", "scope"), [case for case in cases() if case.values[0] in MONITORING_EXPECTED]
)
async def test_monitoring_operation_by_role_and_scope(
    world: World, operation: str, role: str, answer: str, scope: str
) -> None:
    await test_operation_by_role_and_scope(world, operation, role, answer, scope)
    if operation == "GET /mitigation-actions" and answer != DENY:
        listed = {
            item["id"]
            for item in (await world.call(world.caller(role), "GET", "/mitigation-actions?limit=500"))["items"]
        }
        own = (await monitoring_record(world, "mitigation_action", "own"))["id"]
        other = (await monitoring_record(world, "mitigation_action", "other"))["id"]
        assert own in listed
        assert (other in listed) == (answer == ALLOW), "the queue is held to the caller's scope"


# --- the queue of TPOA's open member reviews: its row, and its cases ---------------------------------------------

# fmt: off
#                                                     tpoa    ministry region  ngo     auditor admin   integration
REVIEW_QUEUE_EXPECTED: dict[str, tuple[str, ...]] = {
    "GET /reviews":                                   (YES,    FILTER, NO,     NO,     YES,    NO,     YES),
}
# fmt: on
_reviews: dict[str, dict[str, Any]] = {}


async def review_asking(world: World, scope: str) -> dict[str, Any]:
    """A submitted MSP under review, made once per side: the `own` one's review asked the caller's ministry too."""
    if side(scope) not in _reviews:
        _reviews[side(scope)] = await world.asking_the_caller(scope)
    return _reviews[side(scope)]


async def list_reviews(world: World, scope: str, role: str) -> Request:
    for side_ in ("own", "other"):
        await review_asking(world, side_)
    return "GET", "/reviews?limit=500", None


EXPECTED.update(REVIEW_QUEUE_EXPECTED)
PREPARE["GET /reviews"] = list_reviews


@pytest.mark.parametrize(
    ("operation", "role", "answer", "scope"), [case for case in cases() if case.values[0] in REVIEW_QUEUE_EXPECTED]
)
async def test_review_queue_by_role_and_scope(world: World, operation: str, role: str, answer: str, scope: str) -> None:
    await test_operation_by_role_and_scope(world, operation, role, answer, scope)
    if answer != DENY:
        listed = {
            item["msp_id"] for item in (await world.call(world.caller(role), "GET", "/reviews?limit=500"))["items"]
        }
        assert (await review_asking(world, "own"))["id"] in listed
        other = (await review_asking(world, "other"))["id"]
        assert (other in listed) == (answer == ALLOW), "a ministry sees only the reviews that asked it"
