"""Use cases of permits: granting, extending, and the expiry schedule (reminders before a permit ends, and the
permit marked expired once it has). Each change runs in one unit of work with the events it publishes.

The expiry use cases run one batch of locked permit rows per unit of work, on the day of the context's `now` in
Asia/Jakarta:

- `expire_lapsed` marks expired every valid permit whose last valid day is past, with `registry.permit.expired`;
  the status condition of the update makes that happen once, whichever replica gets there;
- `send_due_reminders` sends each valid permit the reminder it is owed (`registry.permit.expiring`; see
  `reminder_windows` for which), recording it in `permit_reminders` in the same transaction as the event. The
  table's key is what makes every reminder exactly-once with any number of replicas and across restarts: a replica
  that comes second finds the key taken, and its transaction carries no event.

TPOA grants and extends permits; an NGO reads its own permits only (another NGO's is answered 404, and a list
holds only its own), the other reading roles read them all (`domain.access`). A permit read through the API
(`GET /permits/{id}`, the items of `GET /permits`: `PermitView`) lists its files (`documents`, see
`permit_documents`); the answers of a grant and an extension are the permit's record, as the audit trail keeps it.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from pydantic import Field

from mitra_registry.domain.access import may_read, organization_filter, require_keeper
from mitra_registry.domain.permits import (
    ExtendPermit,
    GrantPermit,
    Permit,
    PermitExtension,
    PermitTerm,
    PrincipleFacts,
    check_may_receive_permit,
    check_operating_permit,
    decide_extension,
    principle_limit,
    reminder_windows,
)
from mitra_registry.sql import PERMITS
from mitra_shared.clock import jakarta_date
from mitra_shared.context import Context
from mitra_shared.contracts.registry import PermitExpired, PermitExpiring, PermitExtended, PermitGranted
from mitra_shared.documents import DocumentView, documents_of, documents_of_many
from mitra_shared.errors import Conflict, NotFound
from mitra_shared.uow import Transaction, UnitOfWork

PERMIT_DOCUMENTS = "permit"
"""The `owner_type` of a permit's files in the documents table."""


class PermitView(Permit):
    """A permit as the API shows it: its record and the files attached to it."""

    documents: list[DocumentView] = Field(
        default_factory=list, description="The files attached to the permit (its scan), oldest first."
    )


# The expiry scheduler listens here, so that a permit granted or extended inside a reminder window is seen at once.
WAKE_CHANNEL = "mitra_registry_permits"


async def grant_permit(uow: UnitOfWork, ctx: Context, organization_id: uuid.UUID, command: GrantPermit) -> Permit:
    """Record a permit granted to an NGO; an operating permit rests on the NGO's valid principle permit."""
    require_keeper(ctx.principal, "records permits")
    async with uow.change(ctx) as tx:
        organization = await tx.conn.fetchrow(*PERMITS.organization_for_permit(organization_id=organization_id))
        if organization is None:
            raise NotFound("path.organization_id", f"no organization {organization_id}")
        check_may_receive_permit(organization["status"])
        if command.permit_type == "operating":
            principle = await _principle(tx, command.principle_permit_id)
            check_operating_permit(command, organization_id, principle)
        row = await tx.conn.fetchrow(
            *PERMITS.insert_permit(
                id=uuid.uuid4(),
                organization_id=organization_id,
                permit_type=command.permit_type,
                number=command.number,
                issued_on=command.issued_on,
                valid_until=command.valid_until,
                principle_permit_id=command.principle_permit_id,
                msp_id=command.msp_id,
                now=tx.now,
            )
        )
        if row is None:
            raise Conflict(
                "body.number", f"a {command.permit_type} permit numbered {command.number!r} is already recorded"
            )
        permit = Permit.model_validate(dict(row))
        granted = PermitGranted(
            **_about(permit, organization["legal_name"]),
            issued_on=permit.issued_on,
            valid_until=permit.valid_until,
            principle_permit_id=permit.principle_permit_id,
            msp_id=permit.msp_id,
            granted_at=permit.granted_at,
        )
        await _publish_new_term(tx, granted, permit)
        tx.audit("permit.granted", "permit", permit.id, before=None, after=permit.model_dump(mode="json"))
    return permit


async def extend_permit(uow: UnitOfWork, ctx: Context, permit_id: uuid.UUID, command: ExtendPermit) -> PermitExtension:
    """Give a valid permit a new term; a principle permit's extension asked for late is accepted, flagged."""
    require_keeper(ctx.principal, "extends permits")
    async with uow.change(ctx) as tx:
        row = await tx.conn.fetchrow(*PERMITS.get_permit_for_update(permit_id=permit_id))
        if row is None:
            raise _no_permit(permit_id)
        permit = Permit.model_validate(dict(row))
        organization = await tx.conn.fetchrow(*PERMITS.organization_for_permit(organization_id=permit.organization_id))
        assert organization is not None, "a permit's organization is never deleted"
        check_may_receive_permit(organization["status"])
        principle = await _principle(tx, permit.principle_permit_id) if permit.principle_permit_id else None
        decision = decide_extension(
            PermitTerm(permit.permit_type, permit.status, permit.valid_until),
            command,
            today=jakarta_date(tx.now),
            principle_valid_until=principle_limit(principle),
        )
        extension_id = uuid.uuid4()
        await tx.conn.execute(
            *PERMITS.insert_extension(
                id=extension_id,
                permit_id=permit.id,
                previous_valid_until=permit.valid_until,
                valid_until=command.valid_until,
                requested_on=decision.requested_on,
                requested_late=decision.requested_late,
                now=tx.now,
            )
        )
        extended_row = await tx.conn.fetchrow(
            *PERMITS.extend_permit(permit_id=permit.id, valid_until=command.valid_until, now=tx.now)
        )
        extended = Permit.model_validate(dict(extended_row))
        extension = PermitExtended(
            **_about(permit, organization["legal_name"]),
            previous_valid_until=permit.valid_until,
            valid_until=extended.valid_until,
            requested_on=decision.requested_on,
            requested_late=decision.requested_late,
            extended_at=tx.now,
        )
        await _publish_new_term(tx, extension, extended)
        tx.audit(
            "permit.extended",
            "permit",
            permit.id,
            before=permit.model_dump(mode="json"),
            after={**extended.model_dump(mode="json"), "requested_late": decision.requested_late},
        )
    return PermitExtension(
        id=extension_id,
        permit_id=permit.id,
        previous_valid_until=permit.valid_until,
        valid_until=extended.valid_until,
        requested_on=decision.requested_on,
        requested_late=decision.requested_late,
        extended_at=ctx.now,
        permit=extended,
    )


async def get_permit(uow: UnitOfWork, ctx: Context, permit_id: uuid.UUID) -> PermitView:
    async with uow.read() as conn:
        row = await conn.fetchrow(*PERMITS.get_permit(permit_id=permit_id))
        if row is None or not may_read(ctx.principal, row["organization_id"]):
            raise _no_permit(permit_id)
        documents = await documents_of(conn, PERMIT_DOCUMENTS, permit_id)
    return PermitView.model_validate({**dict(row), "documents": documents})


async def list_permits(
    uow: UnitOfWork,
    ctx: Context,
    *,
    organization_id: uuid.UUID | None,
    permit_type: str | None,
    status: str | None,
    expiring_before: date | None,
    limit: int,
    offset: int,
) -> tuple[list[PermitView], int]:
    """One page of the permits that match within the caller's scope (an NGO: its own), soonest end first, each
    with its files, and how many match in all."""
    scope = organization_filter(ctx.principal)
    async with uow.read() as conn:
        rows = await conn.fetch(
            *PERMITS.list_permits(
                scope_organization_id=scope,
                organization_id=organization_id,
                permit_type=permit_type,
                status=status,
                expiring_before=expiring_before,
                limit=limit,
                offset=offset,
            )
        )
        documents = await documents_of_many(conn, PERMIT_DOCUMENTS, [row["id"] for row in rows])
    total = rows[0]["total"] if rows else 0
    items = [
        PermitView.model_validate(
            {**{k: v for k, v in row.items() if k != "total"}, "documents": documents.get(row["id"], [])}
        )
        for row in rows
    ]
    return items, total


async def expire_lapsed(uow: UnitOfWork, ctx: Context, *, batch_size: int) -> int:
    """Mark one batch of permits that ended before the context's day expired; return how many."""
    async with uow.change(ctx) as tx:
        rows = await tx.conn.fetch(*PERMITS.claim_lapsed_permits(today=jakarta_date(tx.now), batch_size=batch_size))
        if not rows:
            return 0
        marked = await tx.conn.fetch(*PERMITS.mark_expired(permit_ids=[row["id"] for row in rows], now=tx.now))
        expired = {row["id"] for row in marked}
        for row in rows:
            if row["id"] in expired:
                tx.publish(PermitExpired(**_term_facts(row)), subject=str(row["id"]))
    return len(expired)


async def send_due_reminders(uow: UnitOfWork, ctx: Context, *, lead_days: Sequence[int], batch_size: int) -> int:
    """Send one batch of the reminders owed on the context's day, per lead time; return how many were sent."""
    sent = 0
    for window in reminder_windows(jakarta_date(ctx.now), lead_days):
        async with uow.change(ctx) as tx:
            rows = await tx.conn.fetch(
                *PERMITS.claim_due_reminders(
                    first=window.first, last=window.last, days_before=window.days_before, batch_size=batch_size
                )
            )
            if not rows:
                continue
            recorded = await tx.conn.fetch(
                *PERMITS.record_reminders(
                    permit_ids=[row["id"] for row in rows],
                    valid_untils=[row["valid_until"] for row in rows],
                    days_before=window.days_before,
                    now=tx.now,
                )
            )
            first = {row["permit_id"] for row in recorded}
            for row in rows:
                if row["id"] in first:
                    expiring = PermitExpiring(**_term_facts(row), days_before=window.days_before)
                    tx.publish(expiring, subject=str(row["id"]))
                    sent += 1
    return sent


def _about(permit: Permit, organization_name: str) -> dict[str, Any]:
    """What every permit event says of its permit: which it is, whose, of what type and number."""
    return {
        "permit_id": permit.id,
        "organization_id": permit.organization_id,
        "organization_name": organization_name,
        "permit_type": permit.permit_type,
        "number": permit.number,
    }


def _term_facts(row: Mapping[str, Any]) -> dict[str, Any]:
    """The expiry schedule's events about a claimed permit row: the permit, and the last day of its term."""
    return {
        "permit_id": row["id"],
        **{name: row[name] for name in ("organization_id", "organization_name", "permit_type", "number")},
        "valid_until": row["valid_until"],
    }


async def _publish_new_term(tx: Transaction, event: PermitGranted | PermitExtended, permit: Permit) -> None:
    """Publish a permit's new term, and wake the expiry scheduler at commit: it may be owed a reminder at once."""
    tx.publish(event, subject=str(permit.id))
    await tx.conn.execute(*PERMITS.wake_expiry_scheduler(channel=WAKE_CHANNEL))


async def _principle(tx: Transaction, permit_id: uuid.UUID | None) -> PrincipleFacts | None:
    row = await tx.conn.fetchrow(*PERMITS.principle_facts(permit_id=permit_id))
    return PrincipleFacts(**dict(row)) if row else None


def _no_permit(permit_id: uuid.UUID) -> NotFound:
    return NotFound("path.permit_id", f"no permit {permit_id}")
