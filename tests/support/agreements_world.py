"""Agreements' world for its integration tests: registry's facts as agreements learns them (through its own event
handlers, one transaction each, as its consumer does), its real app over ASGI under a controllable clock, and MSPs
made through the API by the roles that really do it (the NGO drafts and submits, TPOA approves, the ministry signs).

    @pytest.fixture
    async def world(database: str, tmp_path: Path) -> AsyncIterator[AgreementsWorld]:
        async with agreements_world(AgreementsWorld, database, tmp_path, today=date(2027, 1, 5)) as made:
            yield made

The world's NGO ("Plan International" unless named) is active with a principle permit (IP-1) valid to 2029-12-31;
the partners are KEMENSOS, Jawa Tengah (33) and Kota Semarang (3374) unless others are given. TPOA decides alone (no
member ministries) unless the settings name them.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx

from mitra_agreements.bootstrap import build_spec
from mitra_agreements.consumers import staff_facts
from mitra_agreements.consumers.registry_facts import HANDLERS
from mitra_agreements.settings import AgreementsSettings
from mitra_shared import events as ev
from mitra_shared.clock import JAKARTA
from mitra_shared.context import Context
from mitra_shared.contracts import registry as registry_contracts
from mitra_shared.db import MigrationSource
from mitra_shared.documents import DOCUMENTS_MIGRATIONS
from mitra_shared.events import EventData, new_event
from mitra_shared.uow import UnitOfWork
from support.app import api_client
from support.clock import FakeClock
from support.database import migrated_pool
from support.tokens import as_role

__all__ = [
    "AGREEMENTS",
    "FACTS",
    "MIGRATIONS",
    "MITRA_UTAMA",
    "PERMIT_VALID_UNTIL",
    "SEMARANG_PARTNERS",
    "SIGNATORIES",
    "TPOA",
    "AgreementsWorld",
    "agreements_world",
    "foreign_staff_assigned",
    "learn",
    "learn_the_register",
    "organization_registered",
    "partner",
    "partner_id",
    "permit_granted",
    "published",
]

AGREEMENTS = MigrationSource("agreements", "mitra_agreements")
MIGRATIONS = [DOCUMENTS_MIGRATIONS, AGREEMENTS]
FACTS: Mapping[Any, Any] = {**HANDLERS, **staff_facts.HANDLERS}
"""Registry's facts agreements consumes, with their handlers (as bootstrap wires them)."""
REGISTERED_AT = datetime(2026, 1, 1, tzinfo=JAKARTA)
PERMIT_VALID_UNTIL = date(2029, 12, 31)
SEMARANG_PARTNERS = (
    ("ministry", "KEMENSOS", "Kementerian Sosial", None),
    ("province", "33", "Jawa Tengah", None),
    ("regency", "3374", "Kota Semarang", "33"),
)
"""(kind, code, name, parent code) of the partners a world knows unless it names others."""
SIGNATORIES = [{"name": "Dra. Sri", "title": "Director General", "party": "ministry"}]
TPOA = as_role("tpoa", subject="tpoa-secretary")
MITRA_UTAMA = as_role("ministry", subject="kemensos-officer", ministry_code="KEMENSOS")

W = TypeVar("W", bound="AgreementsWorld")


def partner_id(code: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"partner/{code}")


async def learn(
    pool: asyncpg.Pool, data: EventData, *, at: datetime | None = None, handlers: Mapping[Any, Any] = FACTS
) -> None:
    """Apply one of registry's events the way agreements' consumer does (its own slim model, one transaction)."""
    received = ev.decode(ev.encode(new_event(data, subject="registry", time=at)))
    known = handlers[type(data).kind]
    context = Context.for_system("agreements.consumer", received.time, causation_id=received.id)
    async with UnitOfWork(pool, "agreements").change(context) as tx:
        await known.apply(tx, received, ev.read_data(received, known.model))


async def published(pool: asyncpg.Pool, routing_key: str) -> list[dict[str, Any]]:
    """The events with that routing key in the outbox, oldest first."""
    rows = await pool.fetch("SELECT body FROM outbox WHERE routing_key = $1 ORDER BY seq", routing_key)
    return [json.loads(row["body"]) for row in rows]


def organization_registered(organization_id: uuid.UUID, name: str = "Plan International") -> EventData:
    return registry_contracts.OrganizationRegistered(
        organization_id=organization_id,
        legal_name=name,
        country_of_origin="GB",
        status="active",
        registered_at=REGISTERED_AT,
    )


def permit_granted(
    organization_id: uuid.UUID,
    permit_id: uuid.UUID,
    valid_until: date = PERMIT_VALID_UNTIL,
    *,
    name: str = "Plan International",
    number: str | None = None,
) -> EventData:
    return registry_contracts.PermitGranted(
        permit_id=permit_id,
        organization_id=organization_id,
        organization_name=name,
        permit_type="principle",
        number=number or f"IP-{permit_id.hex[:6]}",
        issued_on=date(2026, 1, 1),
        valid_until=valid_until,
        granted_at=REGISTERED_AT,
    )


def partner(kind: str, code: str, name: str, parent: str | None = None, version: int = 1) -> EventData:
    return registry_contracts.PartnerUpdated(
        partner_id=partner_id(code),
        partner_kind=kind,  # type: ignore[arg-type]
        name=name,
        code=code,
        parent_code=parent,
        version=version,
        updated_at=REGISTERED_AT,
    )


def foreign_staff_assigned(
    organization_id: uuid.UUID,
    *,
    assignment_id: uuid.UUID | None = None,
    full_name: str = "Maria",
    nationality: str = "DK",
    role: str = "Adviser",
    organization_name: str = "Plan International",
    starts_on: date = date(2026, 6, 1),
    ends_on: date = date(2028, 5, 31),
) -> registry_contracts.ForeignStaffAssigned:
    """Registry's assignment of a foreign expert (Maria, DK, unless named) to the NGO, under way in 2027."""
    return registry_contracts.ForeignStaffAssigned(
        assignment_id=assignment_id or uuid.uuid4(),
        organization_id=organization_id,
        organization_name=organization_name,
        full_name=full_name,
        nationality=nationality,
        role=role,
        starts_on=starts_on,
        ends_on=ends_on,
        active_assignments=1,
    )


async def learn_the_register(
    pool: asyncpg.Pool,
    organization_id: uuid.UUID,
    *,
    name: str = "Plan International",
    partners: Iterable[tuple[str, str, str, str | None]] = SEMARANG_PARTNERS,
    handlers: Mapping[Any, Any] = FACTS,
) -> None:
    """The NGO, active with a principle permit IP-1 valid to 2029-12-31, and the partners, as agreements learns them."""
    events = [
        organization_registered(organization_id, name),
        permit_granted(organization_id, uuid.uuid4(), name=name, number="IP-1"),
        *(partner(kind, code, partner_name, parent) for kind, code, partner_name, parent in partners),
    ]
    for event in events:
        await learn(pool, event, at=REGISTERED_AT, handlers=handlers)


@dataclass
class AgreementsWorld:
    """Agreements' app on the test's database and clock, and the NGO registry told it of."""

    client: httpx.AsyncClient
    pool: asyncpg.Pool
    clock: FakeClock
    organization_id: uuid.UUID
    consumes: Mapping[Any, Any] = field(default_factory=lambda: FACTS)
    places: list[str] = field(default_factory=lambda: ["3374"])

    @property
    def ngo(self) -> dict[str, str]:
        """The NGO's staff."""
        return as_role("ngo", subject="ngo-staff", organization_id=self.organization_id)

    async def call(self, who: dict[str, str], method: str, path: str, body: Any = None, expected: int = 200) -> Any:
        response = await self.client.request(method, path, json=body, headers=who)
        assert response.status_code == expected, f"{method} {path}: {response.status_code} {response.text}"
        return response.json()

    async def refused(self, who: dict[str, str], method: str, path: str, body: Any, expected: int) -> str | None:
        """The field a refusal names (None for a refusal of the whole request)."""
        problem = await self.call(who, method, path, body, expected)
        errors = problem.get("errors") or [{}]
        return errors[0].get("field")  # type: ignore[no-any-return]

    async def published(self, routing_key: str) -> list[dict[str, Any]]:
        return await published(self.pool, routing_key)

    async def learn(self, data: EventData, at: datetime | None = None) -> None:
        """Apply one of registry's events through the handler agreements is wired with (bootstrap's `consumes`)."""
        await learn(self.pool, data, at=at, handlers=self.consumes)

    def draft_body(self, places: list[str] | None = None) -> dict[str, Any]:
        return {
            "organization_id": str(self.organization_id),
            "ministry_partner_id": str(partner_id("KEMENSOS")),
            "title": f"Kerja sama {uuid.uuid4().hex[:6]}",
            "work_location_codes": self.places if places is None else places,
            "starts_on": "2027-01-01",
            "ends_on": "2029-06-30",
        }

    async def draft(self, places: list[str] | None = None) -> dict[str, Any]:
        return dict(await self.call(self.ngo, "POST", "/msps", self.draft_body(places), 201))

    async def submitted(self, places: list[str] | None = None) -> dict[str, Any]:
        msp = await self.draft(places)
        return dict(await self.call(self.ngo, "POST", f"/msps/{msp['id']}/submit", {}))

    async def before_approval(self, msp_id: str) -> None:
        """What must happen between the submission and TPOA's approval (nothing, when TPOA decides alone)."""

    async def signed(self, places: list[str] | None = None) -> dict[str, Any]:
        msp = await self.submitted(places)
        await self.before_approval(msp["id"])
        await self.call(TPOA, "POST", f"/msps/{msp['id']}/approve", {"note": "TPOA meeting"})
        body = {"number": f"MSP/{uuid.uuid4().hex[:8]}", "signatories": SIGNATORIES}
        return dict(await self.call(MITRA_UTAMA, "POST", f"/msps/{msp['id']}/sign", body))


@asynccontextmanager
async def agreements_world(
    world_type: type[W],
    database: str,
    tmp_path: Path,
    *,
    today: date,
    name: str = "Plan International",
    partners: Iterable[tuple[str, str, str, str | None]] = SEMARANG_PARTNERS,
    **settings: Any,
) -> AsyncIterator[W]:
    """A migrated database, registry's facts learned through the handlers agreements is wired with, the app on a
    clock at `today`. `settings`: more of AgreementsSettings (TPOA decides alone unless `tpoa_members` are named)."""
    clock = FakeClock(today)
    config = AgreementsSettings(environment="test", documents_dir=tmp_path, **{"tpoa_members": [], **settings})
    spec = build_spec(config, clock=clock)
    async with migrated_pool(database, MIGRATIONS) as pool:
        organization_id = uuid.uuid4()
        await learn_the_register(pool, organization_id, name=name, partners=partners, handlers=spec.consumes)
        async with api_client(spec, pool, clock=clock, headers={}) as client:
            yield world_type(client, pool, clock, organization_id, spec.consumes)
