"""Use cases of government partners: each change in one unit of work, with the event it publishes."""

from __future__ import annotations

import uuid
from typing import Any

from mitra_registry.domain.access import require_keeper
from mitra_registry.domain.partners import Partner, PartnerPatch, RegisterPartner, check_version, patched_fields
from mitra_registry.sql import PARTNERS
from mitra_shared.context import Context
from mitra_shared.contracts.registry import PartnerContact, PartnerRegistered, PartnerUpdated
from mitra_shared.errors import Conflict, NotFound, RuleBroken
from mitra_shared.uow import Transaction, UnitOfWork


async def register_partner(uow: UnitOfWork, ctx: Context, command: RegisterPartner) -> Partner:
    """Add a ministry, TPOA, province or regency; a regency's province must be registered. TPOA's to do."""
    require_keeper(ctx.principal, "registers partners")
    async with uow.change(ctx) as tx:
        if command.parent_code is not None and not await tx.conn.fetchval(
            *PARTNERS.province_exists(code=command.parent_code)
        ):
            raise RuleBroken("body.parent_code", f"no province with code {command.parent_code}")
        row = await tx.conn.fetchrow(
            *PARTNERS.insert_partner(
                id=uuid.uuid4(),
                kind=command.kind,
                code=command.code,
                name=command.name,
                parent_code=command.parent_code,
                contacts=[contact.stored() for contact in command.contacts],
                now=tx.now,
            )
        )
        if row is None:
            raise Conflict("body.code", f"a {command.kind} with code {command.code} is already registered")
        partner = Partner.model_validate(dict(row))
        publish_registered(tx, partner)
        audit_registered(tx, partner)
    return partner


async def update_partner(
    uow: UnitOfWork, ctx: Context, partner_id: uuid.UUID, patch: PartnerPatch, *, expected_version: int
) -> Partner:
    """Apply a change made against `expected_version`; a change that changes nothing is no event. TPOA's to do."""
    require_keeper(ctx.principal, "changes partners")
    async with uow.change(ctx) as tx:
        row = await tx.conn.fetchrow(*PARTNERS.get_partner_for_update(partner_id=partner_id))
        if row is None:
            raise _no_partner(partner_id)
        current = Partner.model_validate(dict(row))
        check_version(current, expected_version)
        changes = patched_fields(current, patch)
        if not changes:
            return current
        updated = await tx.conn.fetchrow(
            *PARTNERS.update_partner(
                partner_id=partner_id,
                name=changes.get("name"),
                contacts=changes.get("contacts"),
                active=changes.get("active"),
                now=tx.now,
            )
        )
        partner = Partner.model_validate(dict(updated))
        publish_updated(tx, partner)
        tx.audit("partner.updated", "partner", partner.id, before=audit_values(current), after=audit_values(partner))
    return partner


async def get_partner(uow: UnitOfWork, partner_id: uuid.UUID) -> Partner:
    async with uow.read() as conn:
        row = await conn.fetchrow(*PARTNERS.get_partner(partner_id=partner_id))
    if row is None:
        raise _no_partner(partner_id)
    return Partner.model_validate(dict(row))


async def list_partners(
    uow: UnitOfWork,
    *,
    kind: str | None,
    parent_code: str | None,
    q: str | None,
    active: bool | None,
    sort: str,
    limit: int,
    offset: int,
) -> tuple[list[Partner], int]:
    """One page of the partners that match, and how many match in all."""
    async with uow.read() as conn:
        rows = await conn.fetch(
            *PARTNERS.list_partners(
                kind=kind, parent_code=parent_code, q=q, active=active, sort=sort, limit=limit, offset=offset
            )
        )
    total = rows[0]["total"] if rows else 0
    return [Partner.model_validate({k: v for k, v in row.items() if k != "total"}) for row in rows], total


def publish_registered(tx: Transaction, partner: Partner) -> None:
    tx.publish(PartnerRegistered(**event_facts(partner), registered_at=partner.registered_at), subject=str(partner.id))


def publish_updated(tx: Transaction, partner: Partner) -> None:
    tx.publish(
        PartnerUpdated(**event_facts(partner), active=partner.active, updated_at=partner.updated_at),
        subject=str(partner.id),
    )


def audit_registered(tx: Transaction, partner: Partner) -> None:
    tx.audit("partner.registered", "partner", partner.id, before=None, after=audit_values(partner))


def audit_values(partner: Partner) -> dict[str, Any]:
    """The partner's values as the audit trail keeps them before and after a change (its contacts hold no secret)."""
    return partner.model_dump(mode="json")


def event_facts(partner: Partner) -> dict[str, Any]:
    """What every partner event says of the partner: who it is, its contacts, its version."""
    return {
        "partner_id": partner.id,
        "partner_kind": partner.kind,
        "name": partner.name,
        "code": partner.code,
        "parent_code": partner.parent_code,
        "contacts": [PartnerContact.model_validate(contact) for contact in partner.contacts],
        "version": partner.version,
    }


def _no_partner(partner_id: uuid.UUID) -> NotFound:
    return NotFound("path.partner_id", f"no partner {partner_id}")
