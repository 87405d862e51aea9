"""What agreements learns from registry's events, kept in its own tables: NGOs with their status, principle
permits with their validity, and government partners (ministries, and regions with their province).

Each handler reads the event with agreements' own slim model (only the fields it uses, `extra="ignore"`), so
registry can add fields freely. Events arrive out of order: the newest state wins (by event time for NGOs and
permits, by version for partners; the SQL in `sql/registry_facts.sql` decides).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from mitra_agreements.sql import REGISTRY_FACTS
from mitra_agreements.usecases import registry_facts
from mitra_shared.contracts import registry as registry_contracts
from mitra_shared.events import ConsumedData, ReceivedEvent
from mitra_shared.inbox import Handler, handler
from mitra_shared.uow import Transaction


class OrganizationParticulars(ConsumedData):
    """Agreements' copy of `registry.organization.registered` and `.updated`."""

    organization_id: UUID
    legal_name: str
    acronym: str | None = None
    country_of_origin: str
    status: str


class OrganizationStatusChanged(ConsumedData):
    organization_id: UUID
    legal_name: str
    status: str


class PermitGranted(ConsumedData):
    permit_id: UUID
    organization_id: UUID
    permit_type: str
    number: str
    issued_on: date
    valid_until: date


class PermitValidity(ConsumedData):
    """Agreements' copy of `registry.permit.extended` and `.expired`."""

    permit_id: UUID
    organization_id: UUID
    permit_type: str
    number: str
    valid_until: date


class PermitRevoked(ConsumedData):
    """Agreements' copy of `registry.permit.revoked`."""

    permit_id: UUID
    organization_id: UUID
    permit_type: str
    number: str
    revoked_on: date


class Partner(ConsumedData):
    """Agreements' copy of `registry.partner.registered` and `.updated`."""

    partner_id: UUID
    partner_kind: str
    name: str
    code: str
    parent_code: str | None = None
    active: bool = True
    version: int = 1


class SanctionImposed(ConsumedData):
    """Agreements' copy of `registry.sanction.imposed`."""

    sanction_id: UUID
    organization_id: UUID
    organization_name: str
    sanction_kind: str
    category: str
    reason: str
    starts_on: date
    ends_on: date | None = None
    organization_status: str


class SanctionLifted(ConsumedData):
    """Agreements' copy of `registry.sanction.lifted`."""

    sanction_id: UUID
    organization_id: UUID
    organization_name: str
    sanction_kind: str
    category: str
    reason: str
    organization_status: str


async def organization_particulars(tx: Transaction, event: ReceivedEvent, data: OrganizationParticulars) -> None:
    await tx.conn.execute(*REGISTRY_FACTS.learn_organization(**data.model_dump(), as_of=event.time))


async def organization_status_changed(tx: Transaction, event: ReceivedEvent, data: OrganizationStatusChanged) -> None:
    await tx.conn.execute(*REGISTRY_FACTS.learn_organization_status(**data.model_dump(), as_of=event.time))


async def permit_granted(tx: Transaction, event: ReceivedEvent, data: PermitGranted) -> None:
    await tx.conn.execute(*REGISTRY_FACTS.learn_permit_granted(**data.model_dump(), as_of=event.time))


async def permit_extended(tx: Transaction, event: ReceivedEvent, data: PermitValidity) -> None:
    await tx.conn.execute(*REGISTRY_FACTS.learn_permit_extended(**data.model_dump(), as_of=event.time))


async def permit_expired(tx: Transaction, event: ReceivedEvent, data: PermitValidity) -> None:
    await tx.conn.execute(*REGISTRY_FACTS.learn_permit_expired(**data.model_dump(), as_of=event.time))


async def permit_revoked(tx: Transaction, event: ReceivedEvent, data: PermitRevoked) -> None:
    await tx.conn.execute(*REGISTRY_FACTS.learn_permit_revoked(**data.model_dump(), as_of=event.time))


async def partner(tx: Transaction, event: ReceivedEvent, data: Partner) -> None:
    await tx.conn.execute(*REGISTRY_FACTS.learn_partner(**data.model_dump()))


async def sanction_imposed(tx: Transaction, event: ReceivedEvent, data: SanctionImposed) -> None:
    await registry_facts.sanction_imposed(tx, **data.model_dump(), as_of=event.time)


async def sanction_lifted(tx: Transaction, event: ReceivedEvent, data: SanctionLifted) -> None:
    await registry_facts.sanction_lifted(tx, **data.model_dump(), as_of=event.time)


HANDLERS: dict[Any, Handler[Any]] = {
    registry_contracts.OrganizationRegistered.kind: handler(OrganizationParticulars, organization_particulars),
    registry_contracts.OrganizationUpdated.kind: handler(OrganizationParticulars, organization_particulars),
    registry_contracts.OrganizationStatusChanged.kind: handler(OrganizationStatusChanged, organization_status_changed),
    registry_contracts.PermitGranted.kind: handler(PermitGranted, permit_granted),
    registry_contracts.PermitExtended.kind: handler(PermitValidity, permit_extended),
    registry_contracts.PermitExpired.kind: handler(PermitValidity, permit_expired),
    registry_contracts.PermitRevoked.kind: handler(PermitRevoked, permit_revoked),
    registry_contracts.PartnerRegistered.kind: handler(Partner, partner),
    registry_contracts.PartnerUpdated.kind: handler(Partner, partner),
    registry_contracts.SanctionImposed.kind: handler(SanctionImposed, sanction_imposed),
    registry_contracts.SanctionLifted.kind: handler(SanctionLifted, sanction_lifted),
}
