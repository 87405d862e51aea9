"""Use cases of the NGOs in the register and of the focus-area vocabulary they name.

Each change runs in one unit of work: it reads what it needs, asks the domain, writes, and publishes its event
stamped with the context's `now`, which is also the time on its rows, with its audit entry (the values before and
after). Who may read and change which NGO is
`domain.access`'s to say: another NGO's record is answered 404, as if it did not exist.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import asyncpg

from mitra_registry.domain.access import may_change, may_read, organization_filter, require_keeper
from mitra_registry.domain.organizations import (
    INITIAL_STATUS,
    LIFECYCLE,
    REGISTRATION_REASON,
    ChangeStatus,
    FocusArea,
    Organization,
    OrganizationQuery,
    RegisterOrganization,
    StatusChange,
    UpdateOrganization,
    changed_fields,
    check_transition,
    check_version,
    like_pattern_body,
    require_known_focus_areas,
)
from mitra_registry.domain.sanctions import check_status_change
from mitra_registry.sql import ORGANIZATIONS, SANCTIONS
from mitra_registry.usecases.review_gate import (
    NO_REVIEW,
    ReviewPolicy,
    announce_review,
    require_decidable,
    review_request,
)
from mitra_shared.clock import jakarta_date
from mitra_shared.context import Context
from mitra_shared.contracts.registry import OrganizationRegistered, OrganizationStatusChanged, OrganizationUpdated
from mitra_shared.errors import Conflict, NotFound
from mitra_shared.uow import Transaction, UnitOfWork

_UPDATE_COLUMNS = (
    "legal_name",
    "acronym",
    "country_of_origin",
    "headquarters_address",
    "indonesia_office_address",
    "website",
    "representative_name",
    "contact_email",
    "contact_phone",
    "contact_language",
    "focus_areas",
)


async def register_organization(
    uow: UnitOfWork, ctx: Context, command: RegisterOrganization, review: ReviewPolicy = NO_REVIEW
) -> Organization:
    """Enter an NGO as an applicant; the registration is the first entry of its status history. With TPOA members
    in `review`, their review of the application opens in the same unit of work. One statement writes the three
    (and checks the focus areas): a registration is one of the system's most frequent commands."""
    require_keeper(ctx.principal, "enters NGOs in the register")
    async with uow.change(ctx) as tx:
        requested_review = review_request(review, INITIAL_STATUS, tx.now)
        row = await tx.conn.fetchrow(
            *ORGANIZATIONS.register_organization(
                **new_organization_values(command, status=INITIAL_STATUS, now=tx.now),
                reason=REGISTRATION_REASON,
                changed_by=tx.actor,
                members=list(requested_review.members) if requested_review else [],
                answer_by=requested_review.answer_by if requested_review else None,
            )
        )
        assert row is not None, "the statement answers one row whatever it wrote"
        require_known_focus_areas(command.focus_areas, set(row["known_focus_areas"]))
        if row["id"] is None:
            raise Conflict(
                "body.legal_name", f"{command.legal_name!r} from {command.country_of_origin} is already in the register"
            )
        organization = Organization.model_validate(dict(row))
        tx.publish(
            OrganizationRegistered(**event_facts(organization), registered_at=organization.registered_at),
            subject=str(organization.id),
        )
        tx.audit(
            "organization.registered", "organization", organization.id, before=None, after=audit_values(organization)
        )
        if requested_review is not None:
            announce_review(tx, organization, requested_review)
    return organization


async def update_organization(
    uow: UnitOfWork, ctx: Context, organization_id: uuid.UUID, command: UpdateOrganization, *, expected_version: int
) -> Organization:
    """Apply the named changes if the caller saw the current version; a change to nothing changes nothing. The
    keeper changes any NGO's particulars, an NGO its own."""
    if not may_change(ctx.principal, organization_id):
        raise no_organization(organization_id)
    async with uow.change(ctx) as tx:
        current = await _lock(tx.conn, organization_id)
        check_version(current, expected_version)
        changes = changed_fields(current, command)
        if not changes:
            return current
        if "focus_areas" in changes:
            await _require_focus_areas(tx.conn, changes["focus_areas"])
        columns = {name: changes.get(name) for name in _UPDATE_COLUMNS}
        try:
            row = await tx.conn.fetchrow(
                *ORGANIZATIONS.update_organization(
                    organization_id=organization_id, fields=list(changes), now=tx.now, **columns
                )
            )
        except asyncpg.UniqueViolationError:
            raise Conflict(
                "body.legal_name", "another organization from the same country has this legal name"
            ) from None
        assert row is not None, "the row is locked by this transaction"
        organization = Organization.model_validate(dict(row))
        tx.publish(
            OrganizationUpdated(
                **event_facts(organization),
                website=organization.website,
                changed_fields=list(changes),
                version=organization.version,
                updated_at=organization.updated_at,
            ),
            subject=str(organization.id),
        )
        after = audit_values(organization)
        tx.audit("organization.updated", "organization", organization.id, before=audit_values(current), after=after)
    return organization


async def change_status(
    uow: UnitOfWork, ctx: Context, organization_id: uuid.UUID, command: ChangeStatus, *, expected_version: int
) -> Organization:
    """Move an NGO in its lifecycle, recording who (the context's actor), when and why: TPOA's decision. Revoking
    and ending a freeze are sanctions' (`domain.sanctions.check_status_change`)."""
    require_keeper(ctx.principal, "moves an NGO in its lifecycle")
    async with uow.change(ctx) as tx:
        current = await _lock(tx.conn, organization_id)
        check_version(current, expected_version)
        frozen_by = None
        if current.status == "suspended":
            frozen_by = await tx.conn.fetchval(*SANCTIONS.active_freeze(organization_id=organization_id))
        check_status_change(organization_id, current.status, command.status, frozen_by)
        check_transition(current.status, command.status)
        if current.status == "applicant" and command.status == "registered":
            await require_decidable(tx.conn, organization_id, jakarta_date(tx.now))
        organization = await move_status(tx, current, command.status, command.reason)
    return organization


async def move_status(tx: Transaction, current: Organization, status: str, reason: str) -> Organization:
    """Move a locked NGO to `status` (the caller has checked the step): its status history, the
    `registry.organization.status_changed` event and the audit entry, by the context's actor at its now."""
    row = await tx.conn.fetchrow(
        *ORGANIZATIONS.set_organization_status(organization_id=current.id, status=status, now=tx.now)
    )
    assert row is not None, "the row is locked by this transaction"
    organization = Organization.model_validate(dict(row))
    await _record_status_change(tx, organization, previous_status=current.status, reason=reason)
    tx.publish(
        OrganizationStatusChanged(
            organization_id=organization.id,
            legal_name=organization.legal_name,
            previous_status=current.status,
            status=organization.status,
            reason=reason,
            changed_by=tx.actor,
            version=organization.version,
            changed_at=tx.now,
        ),
        subject=str(organization.id),
    )
    tx.audit(
        "organization.status_changed",
        "organization",
        organization.id,
        before=audit_values(current),
        after={**audit_values(organization), "status_reason": reason},
    )
    return organization


async def get_organization(uow: UnitOfWork, ctx: Context, organization_id: uuid.UUID) -> Organization:
    if not may_read(ctx.principal, organization_id):
        raise no_organization(organization_id)
    async with uow.read() as conn:
        row = await conn.fetchrow(*ORGANIZATIONS.get_organization(organization_id=organization_id))
    if row is None:
        raise no_organization(organization_id)
    return Organization.model_validate(dict(row))


async def status_history(uow: UnitOfWork, ctx: Context, organization_id: uuid.UUID) -> list[StatusChange]:
    if not may_read(ctx.principal, organization_id):
        raise no_organization(organization_id)
    async with uow.read() as conn:
        await require_organization(conn, organization_id)
        rows = await conn.fetch(*ORGANIZATIONS.status_history(organization_id=organization_id))
    return [StatusChange.model_validate(dict(row)) for row in rows]


async def list_organizations(uow: UnitOfWork, ctx: Context, query: OrganizationQuery) -> tuple[list[Organization], int]:
    """One page of the NGOs the query matches within the caller's scope (an NGO: itself), and how many in all."""
    scope = organization_filter(ctx.principal)
    async with uow.read() as conn:
        if query.focus_area is not None:
            await _require_focus_areas(conn, [query.focus_area], field="query.focus_area")
        rows = await conn.fetch(
            *ORGANIZATIONS.list_organizations(
                scope_organization_id=scope,
                status=query.status,
                country=query.country.upper() if query.country else None,
                focus_area=query.focus_area,
                expiring_before=query.expiring_before,
                search=like_pattern_body(query.q) if query.q else None,
                sort=query.sort,
                direction=query.direction,
                lifecycle=list(LIFECYCLE),
                limit=query.limit,
                offset=query.offset,
            )
        )
    total: int = rows[0]["total"]
    return [Organization.model_validate(dict(row)) for row in rows if row["id"] is not None], total


async def list_focus_areas(uow: UnitOfWork) -> list[FocusArea]:
    async with uow.read() as conn:
        rows = await conn.fetch(ORGANIZATIONS.list_focus_areas)
    return [FocusArea.model_validate(dict(row)) for row in rows]


async def add_focus_area(uow: UnitOfWork, ctx: Context, focus_area: FocusArea) -> FocusArea:
    """Add a code to the vocabulary (no event: the vocabulary is the register's own)."""
    require_keeper(ctx.principal, "adds focus areas")
    async with uow.change(ctx) as tx:
        row = await tx.conn.fetchrow(
            *ORGANIZATIONS.insert_focus_area(
                code=focus_area.code, name_id=focus_area.name_id, name_en=focus_area.name_en
            )
        )
        if row is None:
            raise Conflict("body.code", f"focus area {focus_area.code!r} already exists")
        added = FocusArea.model_validate(dict(row))
        tx.audit("focus_area.added", "focus_area", added.code, before=None, after=added.model_dump(mode="json"))
    return added


async def lock_organization(conn: asyncpg.Connection, organization_id: uuid.UUID) -> asyncpg.Record:
    """The NGO's row, locked for the rest of the transaction (every change of one NGO takes this lock first)."""
    row = await conn.fetchrow(*ORGANIZATIONS.lock_organization(organization_id=organization_id))
    if row is None:
        raise no_organization(organization_id)
    return row


async def require_organization(conn: asyncpg.Connection, organization_id: uuid.UUID) -> None:
    if await conn.fetchrow(*ORGANIZATIONS.get_organization(organization_id=organization_id)) is None:
        raise no_organization(organization_id)


def new_organization_values(command: RegisterOrganization, *, status: str, now: datetime) -> dict[str, Any]:
    """The parameters of `insert_organization` for a new NGO: the API's registration and the import's."""
    return {
        "id": uuid.uuid4(),
        "legal_name": command.legal_name,
        "acronym": command.acronym,
        "country_of_origin": command.country_of_origin,
        "headquarters_address": command.headquarters_address,
        "indonesia_office_address": command.indonesia_office_address,
        "website": str(command.website) if command.website else None,
        "representative_name": command.representative_name,
        "contact_email": command.contact_email,
        "contact_phone": command.contact_phone,
        "contact_language": command.contact_language,
        "status": status,
        "focus_areas": command.focus_areas,
        "now": now,
    }


def audit_values(organization: Organization) -> dict[str, Any]:
    """The NGO's values as the audit trail keeps them before and after a change (its particulars hold no secret)."""
    return organization.model_dump(mode="json")


def event_facts(organization: Organization) -> dict[str, Any]:
    """What the registration and update events say of the NGO: who it is, where from, what it does, its status."""
    return {
        "organization_id": organization.id,
        "legal_name": organization.legal_name,
        "acronym": organization.acronym,
        "country_of_origin": organization.country_of_origin,
        "focus_areas": organization.focus_areas,
        "status": organization.status,
        "contact_email": organization.contact_email,
        "contact_language": organization.contact_language,
    }


async def _record_status_change(
    tx: Transaction, organization: Organization, *, previous_status: str | None, reason: str
) -> None:
    """The entry of the NGO's status history for the change in progress: by the context's actor, at its now."""
    await tx.conn.execute(
        *ORGANIZATIONS.insert_status_change(
            organization_id=organization.id,
            previous_status=previous_status,
            status=organization.status,
            reason=reason,
            changed_by=tx.actor,
            changed_at=tx.now,
            version=organization.version,
        )
    )


async def lock_organization_record(conn: asyncpg.Connection, organization_id: uuid.UUID) -> Organization:
    """The NGO, locked for the rest of the transaction (see `lock_organization`)."""
    return await _lock(conn, organization_id)


async def _lock(conn: asyncpg.Connection, organization_id: uuid.UUID) -> Organization:
    return Organization.model_validate(dict(await lock_organization(conn, organization_id)))


def no_organization(organization_id: uuid.UUID) -> NotFound:
    return NotFound("path.organization_id", f"no organization {organization_id}")


async def _require_focus_areas(conn: asyncpg.Connection, codes: list[Any], *, field: str = "body.focus_areas") -> None:
    known = {row["code"] for row in await conn.fetch(*ORGANIZATIONS.focus_area_codes(codes=codes))}
    require_known_focus_areas(codes, known, field=field)
