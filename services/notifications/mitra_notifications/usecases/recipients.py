"""Recipients: offices added over the API, and the contacts of registry's partners kept as registry last said.

Who sees and changes which recipient is `domain/access.py`'s rule (an owner's recipients, 404 for another's)."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from uuid import UUID

import asyncpg
import structlog

from mitra_notifications.channels.webhooks import check_url
from mitra_notifications.domain import access, recipients
from mitra_notifications.domain.accounts import AccountState, recipient_of
from mitra_notifications.domain.recipients import OrganizationContact, PartnerState
from mitra_notifications.sql import RECIPIENTS
from mitra_shared.context import Context
from mitra_shared.db import Record
from mitra_shared.errors import NotFound
from mitra_shared.uow import Transaction, UnitOfWork

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class NewRecipient:
    name: str
    role: str
    email: str | None
    webhook_url: str | None
    region_code: str | None
    parent_region_code: str | None
    organization_id: UUID | None
    language: str
    ministry_code: str | None = None
    account_subject: str | None = None


async def add_recipient(
    uow: UnitOfWork, ctx: Context, command: NewRecipient, *, allow_internal_webhooks: bool
) -> Record:
    recipients.require_an_address(command.email, command.webhook_url)
    if command.webhook_url:
        # Before the transaction: a slow name server holds no connection.
        await check_url(command.webhook_url, allow_internal=allow_internal_webhooks)
    async with uow.change(ctx) as tx:
        row = await tx.conn.fetchrow(
            *RECIPIENTS.insert_recipient(
                **asdict(command), id=uuid.uuid4(), webhook_secret=recipients.new_secret(), now=tx.now
            )
        )
        tx.audit("recipient.added", "recipient", row["id"], before=None, after=recipients.audit_values(row))
    return dict(row)


async def set_digest(uow: UnitOfWork, ctx: Context, recipient_id: UUID, digest: bool) -> Record:
    """A recipient's own choice: its owner's, or an administrator's."""
    async with uow.change(ctx) as tx:
        found = await tx.conn.fetchrow(*RECIPIENTS.lock_recipient(recipient_id=recipient_id))
        access.require_owner_or_admin(ctx.principal, _facts(found), recipient_id, "switching a recipient's digest")
        row = await tx.conn.fetchrow(*RECIPIENTS.set_digest(recipient_id=recipient_id, digest=digest))
        _audit_change(tx, "recipient.updated", found, row)
    return _found(row, recipient_id)


async def deactivate_recipient(uow: UnitOfWork, ctx: Context, recipient_id: UUID) -> Record:
    async with uow.change(ctx) as tx:
        found = await tx.conn.fetchrow(*RECIPIENTS.lock_recipient(recipient_id=recipient_id))
        row = await tx.conn.fetchrow(*RECIPIENTS.deactivate_recipient(recipient_id=recipient_id))
        _audit_change(tx, "recipient.deactivated", found, row)
    return _found(row, recipient_id)


def _audit_change(tx: Transaction, action: str, before: asyncpg.Record | None, after: asyncpg.Record | None) -> None:
    """Record a change of a recipient, if anything changed (its webhook secret never goes in the trail)."""
    if before is None or after is None:
        return
    values_before, values_after = recipients.audit_values(before), recipients.audit_values(after)
    if values_before != values_after:
        tx.audit(action, "recipient", after["id"], before=values_before, after=values_after)


async def get_recipient(uow: UnitOfWork, ctx: Context, recipient_id: UUID) -> Record:
    async with uow.read() as conn:
        row = await conn.fetchrow(*RECIPIENTS.get_recipient(recipient_id=recipient_id))
    return dict(access.require_visible(ctx.principal, _facts(row), recipient_id))


async def get_webhook_secret(uow: UnitOfWork, recipient_id: UUID) -> Record:
    """The secret itself: only administrators reach this (the route's policy); no other answer carries it."""
    async with uow.read() as conn:
        row = await conn.fetchrow(*RECIPIENTS.get_webhook_secret(recipient_id=recipient_id))
    return _found(row, recipient_id)


async def list_recipients(uow: UnitOfWork, ctx: Context, role: str | None) -> list[Record]:
    """Every recipient (of a role) for those who read them all; a scoped caller's own for the others."""
    scope = access.recipient_scope(ctx.principal)
    async with uow.read() as conn:
        rows = await conn.fetch(
            *RECIPIENTS.list_recipients(
                role=role,
                scoped=scope.scoped,
                kinds=list(scope.kinds),
                subject=scope.subject,
                organization_id=scope.organization_id,
                ministry_code=scope.ministry_code,
                region_code=scope.region_code,
            )
        )
    return [dict(row) for row in rows]


def _facts(row: asyncpg.Record | None) -> Record | None:
    return None if row is None else dict(row)


def _found(row: asyncpg.Record | None, recipient_id: UUID) -> Record:
    if row is None:
        raise NotFound("path.recipient_id", f"no recipient {recipient_id}")
    return dict(row)


async def apply_partner_state(tx: Transaction, state: PartnerState) -> None:
    """Keep one recipient per contact of a ministry, TPOA or regional government, as registry last said."""
    conn = tx.conn
    known = await conn.fetchval(*RECIPIENTS.partner_version(partner_id=state.partner_id))
    if recipients.is_stale(known, state.version):
        log.info("older partner state ignored", partner_id=str(state.partner_id), version=state.version, known=known)
        return
    region_code, parent_region_code = recipients.partner_regions(state.partner_kind, state.code, state.parent_code)
    for contact in state.contacts:
        webhook = recipients.contact_webhook(contact.webhook_url)
        if webhook.refused:
            log.warning("partner webhook URL ignored", partner_id=str(state.partner_id), reason=webhook.refused)
        await conn.execute(
            *RECIPIENTS.upsert_partner_contact(
                id=uuid.uuid4(),
                name=contact.name,
                role=state.partner_kind,
                email=contact.email,
                language=contact.language,
                partner_id=state.partner_id,
                partner_version=state.version,
                region_code=region_code,
                parent_region_code=parent_region_code,
                webhook_url=webhook.url,
                webhook_secret=recipients.new_secret(),
                active=state.active,
                partner_code=state.code,
                now=tx.now,
            )
        )
    await conn.execute(
        *RECIPIENTS.deactivate_partner_contacts_except(
            partner_id=state.partner_id, kept_names=state.kept_contact_names, partner_version=state.version
        )
    )


async def apply_account_state(tx: Transaction, account: AccountState) -> None:
    """Keep the recipient of a person's console account as the account's newest event says (`domain/accounts.py`);
    an older event than the one applied changes nothing."""
    kind = recipient_of(account)
    changed = await tx.conn.fetchval(
        *RECIPIENTS.upsert_account_recipient(
            id=uuid.uuid4(),
            name=account.display_name,
            role=kind.role,
            email=account.email,
            account_subject=str(account.account_id),
            account_version=account.version,
            region_code=kind.region_code,
            parent_region_code=kind.parent_region_code,
            partner_code=kind.partner_code,
            organization_id=kind.organization_id,
            active=account.active,
            webhook_secret=recipients.new_secret(),
            now=tx.now,
        )
    )
    if changed is None:
        log.info("older account state ignored", account_id=str(account.account_id), version=account.version)


async def apply_organization_contact(tx: Transaction, contact: OrganizationContact) -> None:
    """Keep the recipient of an NGO's contact address as registry's newest record of the NGO says: made when it first
    has one, changed with it, inactive once it is removed. (Routing leaves it out while a person's account of the
    NGO has the same address: `routing.sql`, `candidates_for`.)"""
    if contact.email:
        query = RECIPIENTS.upsert_organization_contact(
            id=uuid.uuid4(),
            name=contact.name,
            email=contact.email,
            language=contact.language,
            organization_id=contact.organization_id,
            version=contact.version,
            webhook_secret=recipients.new_secret(),
            now=tx.now,
        )
    else:
        query = RECIPIENTS.remove_organization_contact(organization_id=contact.organization_id, version=contact.version)
    if await tx.conn.fetchval(*query) is None:
        log.info("NGO contact unchanged", organization_id=str(contact.organization_id), version=contact.version)
