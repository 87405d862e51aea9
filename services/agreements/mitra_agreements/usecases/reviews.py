"""TPOA's review as a team (`domain/reviews.py`), and extensions through TPOA: the review a submitted MSP or a
proposed extension opens for TPOA's member ministries, their answers, and TPOA's decision on an extension.

A member ministry reads the MSP its review asked it about (and only that, beyond its own MSPs); everyone else as
`domain/access.py` says. The extension itself (new end date, new obligations) happens on TPOA's approval."""

from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

import asyncpg
from pydantic import BaseModel, ConfigDict, Field

from mitra_agreements.domain import access
from mitra_agreements.domain import msps as msp_rules
from mitra_agreements.domain import reviews as rules
from mitra_agreements.domain.obligations import ObligationRules, plan_obligations
from mitra_agreements.domain.policy import Policy
from mitra_agreements.sql import MSPS, OBLIGATIONS, REVIEWS
from mitra_agreements.usecases import registry_facts
from mitra_agreements.usecases.access import parties
from mitra_agreements.usecases.commands import Decide, ExtendMsp
from mitra_agreements.usecases.event_facts import ministry_party, obligation_summary, organization_party, regions
from mitra_agreements.usecases.obligations import (
    audit_obligations_closed,
    audit_obligations_created,
    create_obligations,
)
from mitra_agreements.usecases.views import Msp, values, view
from mitra_shared.access import has_role, ministry_of
from mitra_shared.clock import jakarta_date
from mitra_shared.context import Context
from mitra_shared.contracts import agreements as contracts
from mitra_shared.errors import Conflict, NotFound
from mitra_shared.uow import Transaction, UnitOfWork


class AnswerReview(BaseModel):
    """Command: a TPOA member ministry clears or objects to the MSP (or extension) under review."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"verdict": "objected", "note": "The NGO's focus overlaps another MSP"}]},
    )

    verdict: Literal["cleared", "objected"]
    note: str | None = Field(None, max_length=5000)


class RejectExtension(BaseModel):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{"note": "Permit review pending"}]}
    )

    note: str = Field(min_length=3, max_length=2000)


class ReviewAnswer(BaseModel):
    member_code: str
    verdict: Literal["cleared", "objected"]
    note: str | None
    answered_by: str
    answered_at: datetime


class ReviewView(BaseModel):
    review_id: UUID
    subject: Literal["msp", "extension"]
    members: list[str]
    answer_by: date = Field(description="After this day TPOA may decide without the missing answers.")
    status: Literal["open", "closed"]
    answers: list[ReviewAnswer]
    awaiting: list[str]
    objected: list[str]
    decidable: bool = Field(description="TPOA may approve now: no objection, and every answer in or time is up.")


# --- for the MSP use cases, inside their transaction --------------------------------------------------------


async def _review_of(conn: asyncpg.Connection, row: asyncpg.Record | None) -> rules.Review | None:
    if row is None:
        return None
    answers = await conn.fetch(*REVIEWS.answers_of(review_id=row["id"]))
    return rules.Review(
        subject=row["subject"],
        members=tuple(row["members"]),
        answer_by=row["answer_by"],
        answers=tuple(
            rules.Answer(a["member_code"], a["verdict"], a["note"], a["answered_by"], a["answered_at"]) for a in answers
        ),
        is_open=row["status"] == "open",
    )


def _msp_facts(msp: asyncpg.Record) -> dict[str, Any]:
    """The fields every event about an MSP's review or extension carries."""
    return {
        "msp_id": msp["id"],
        "organization": organization_party(msp),
        "ministry": ministry_party(msp),
        "title": msp["title"],
    }


async def open_review(
    tx: Transaction,
    msp: asyncpg.Record,
    subject: rules.ReviewSubject,
    policy: Policy,
    proposed_ends_on: date | None = None,
) -> None:
    """Open a review of the MSP (or its extension) for TPOA's members and tell them; none without members."""
    members = rules.members_to_ask(policy.tpoa_members)
    if not members:
        return
    row = await tx.conn.fetchrow(
        *REVIEWS.insert_review(
            id=uuid.uuid4(),
            msp_id=msp["id"],
            subject=subject,
            members=list(members),
            answer_by=rules.answer_by(jakarta_date(tx.now), policy.tpoa_review_days),
            opened_by=tx.actor,
            now=tx.now,
        )
    )
    assert row is not None
    tx.publish(
        contracts.MspReviewRequested(
            **_msp_facts(msp),
            review_id=row["id"],
            subject=subject,
            proposed_ends_on=proposed_ends_on,
            members=list(members),
            answer_by=row["answer_by"],
            requested_by=tx.actor,
            requested_at=tx.now,
        ),
        subject=str(msp["id"]),
    )


async def check_decidable(conn: asyncpg.Connection, msp_id: UUID, today: date) -> None:
    """TPOA's approval waits for the open review (409 on `review`); it is then closed with the decision."""
    review = await _review_of(conn, await conn.fetchrow(*REVIEWS.open_review_for_update(msp_id=msp_id)))
    rules.check_decidable(review, today)


async def close_review(conn: asyncpg.Connection, msp_id: UUID, now: datetime) -> None:
    await conn.execute(*REVIEWS.close_review(msp_id=msp_id, now=now))


async def may_read_as_member(conn: asyncpg.Connection, ctx: Context, msp_id: UUID) -> bool:
    """A TPOA member ministry reads an MSP one of whose reviews asked it."""
    code = ministry_of(ctx.principal) if has_role(ctx.principal, "ministry") else None
    return bool(code) and bool(await conn.fetchval(*REVIEWS.asked_member(msp_id=msp_id, member_code=code)))


async def _readable(conn: asyncpg.Connection, ctx: Context, row: asyncpg.Record | None, msp_id: UUID) -> asyncpg.Record:
    if row is None or not (
        access.may_read_msp(ctx.principal, parties(row)) or await may_read_as_member(conn, ctx, msp_id)
    ):
        raise NotFound("path.msp_id", f"no MSP {msp_id}")
    return row


def _view(row: asyncpg.Record, review: rules.Review, today: date) -> ReviewView:
    return ReviewView(
        review_id=row["id"],
        subject=review.subject,
        members=list(review.members),
        answer_by=review.answer_by,
        status=row["status"],
        answers=[ReviewAnswer(**asdict(answer)) for answer in review.answers],
        awaiting=review.awaiting,
        objected=review.objected,
        decidable=review.is_open and review.decidable(today),
    )


# --- the review ---------------------------------------------------------------------------------------------


async def get_review(uow: UnitOfWork, ctx: Context, msp_id: UUID) -> ReviewView:
    """The MSP's latest review (404 when it never had one)."""
    async with uow.read() as conn:
        await _readable(conn, ctx, await conn.fetchrow(*MSPS.get_msp(msp_id=msp_id)), msp_id)
        row = await conn.fetchrow(*REVIEWS.latest_review(msp_id=msp_id))
        review = await _review_of(conn, row)
    if row is None or review is None:
        raise NotFound("path.msp_id", f"MSP {msp_id} has not been under TPOA's review")
    return _view(row, review, jakarta_date(ctx.now))


async def answer_review(uow: UnitOfWork, ctx: Context, msp_id: UUID, command: AnswerReview) -> ReviewView:
    async with uow.change(ctx) as tx:
        conn = tx.conn
        msp = await _readable(conn, ctx, await conn.fetchrow(*MSPS.get_msp_for_update(msp_id=msp_id)), msp_id)
        row = await conn.fetchrow(*REVIEWS.open_review_for_update(msp_id=msp_id))
        review = await _review_of(conn, row)
        if row is None or review is None:
            raise Conflict("review", "the MSP has no open review to answer")
        member_code = access.check_review_member(ctx.principal, review.members)
        rules.check_answer(review, member_code)
        rules.check_msp_under_review(review.subject, msp["status"])
        answered = {"member_code": member_code, "verdict": command.verdict, "note": command.note}
        answer = await conn.fetchrow(
            *REVIEWS.insert_answer(review_id=row["id"], answered_by=tx.actor, now=tx.now, **answered)
        )
        assert answer is not None
        after = await _review_of(conn, row)
        assert after is not None
        tx.publish(
            contracts.MspReviewAnswered(
                **_msp_facts(msp),
                **answered,
                review_id=row["id"],
                subject=review.subject,
                awaiting=after.awaiting,
                objected=after.objected,
                answered_by=tx.actor,
                answered_at=tx.now,
            ),
            subject=str(msp_id),
        )
        tx.audit("msp.review_answered", "msp_review", row["id"], before=None, after=answered)
    return _view(row, after, jakarta_date(ctx.now))


# --- extensions through TPOA --------------------------------------------------------------------------------


async def _extension_guards(conn: asyncpg.Connection, current: asyncpg.Record, ends_on: date, today: date) -> None:
    await registry_facts.check_not_frozen(
        conn, current["organization_id"], current["organization_name"], field="msp.organization_id"
    )
    msp_rules.check_extension(
        status=current["status"],
        ends_on=current["ends_on"],
        new_ends_on=ends_on,
        organization=await registry_facts.organization(conn, current["organization_id"]),
        organization_id=current["organization_id"],
        organization_name=current["organization_name"],
        permits=await registry_facts.principle_permits(conn, current["organization_id"]),
        today=today,
    )


async def _locked(conn: asyncpg.Connection, ctx: Context, msp_id: UUID) -> asyncpg.Record:
    row = await conn.fetchrow(*MSPS.get_msp_for_update(msp_id=msp_id))
    if row is None or not access.may_read_msp(ctx.principal, parties(row)):
        raise NotFound("path.msp_id", f"no MSP {msp_id}")
    return row


def _pending(current: asyncpg.Record) -> dict[str, str]:
    pending = current["pending_extension"]
    if pending is None:
        raise Conflict("msp.pending_extension", "no extension of this MSP waits for TPOA")
    return dict(pending)


async def request_extension(uow: UnitOfWork, ctx: Context, msp_id: UUID, command: ExtendMsp, *, policy: Policy) -> Msp:
    """The Mitra Utama asks to extend: the MSP keeps its dates, shows the pending extension, and TPOA's members
    review it."""
    today = jakarta_date(ctx.now)
    async with uow.change(ctx) as tx:
        current = await _locked(tx.conn, ctx, msp_id)
        access.check_ministry_acts(ctx.principal, parties(current))
        if current["pending_extension"] is not None:
            raise Conflict("msp.pending_extension", "an extension of this MSP already waits for TPOA")
        await _extension_guards(tx.conn, current, command.ends_on, today)
        pending = {
            "proposed_ends_on": command.ends_on.isoformat(),
            "reason": command.reason,
            "requested_by": tx.actor,
            "requested_at": tx.now.isoformat(),
        }
        row = await tx.conn.fetchrow(
            *REVIEWS.set_pending_extension(msp_id=msp_id, pending_extension=pending, now=tx.now)
        )
        tx.publish(
            contracts.MspExtensionRequested(
                **_msp_facts(row),
                ends_on=row["ends_on"],
                proposed_ends_on=command.ends_on,
                reason=command.reason,
                requested_by=tx.actor,
                requested_at=tx.now,
            ),
            subject=str(msp_id),
        )
        await open_review(tx, row, "extension", policy, proposed_ends_on=command.ends_on)
        tx.audit("msp.extension_requested", "msp", msp_id, before=values(Msp, current), after=values(Msp, row))
    return view(Msp, row)


async def approve_extension(
    uow: UnitOfWork, ctx: Context, msp_id: UUID, command: Decide | None, *, policy: Policy
) -> Msp:
    """TPOA approves the pending extension (once its review allows): the later end date, the extra period's
    obligations, the old end's extension decision closed; `agreements.msp.extended`."""
    today = jakarta_date(ctx.now)
    async with uow.change(ctx) as tx:
        conn = tx.conn
        current = await _locked(conn, ctx, msp_id)
        access.check_tpoa(ctx.principal)
        pending = _pending(current)
        rules.check_msp_under_review("extension", current["status"])
        ends_on = date.fromisoformat(pending["proposed_ends_on"])
        reason = pending["reason"] if command is None or not command.note else f"{pending['reason']} ({command.note})"
        await check_decidable(conn, msp_id, today)
        await _extension_guards(conn, current, ends_on, today)
        planned = plan_obligations(
            starts_on=current["starts_on"],
            ends_on=ends_on,
            signed_on=current["signed_on"],
            regions=regions(current),
            rules=ObligationRules.model_validate(current["obligation_rules"]),
            from_day=today,
        )
        closed = await conn.fetch(*OBLIGATIONS.close_extension_decision(msp_id=msp_id, now=tx.now))
        created = await create_obligations(conn, msp_id, planned, policy.reminder_days, tx.now)
        row = await conn.fetchrow(
            *MSPS.extend_msp(msp_id=msp_id, ends_on=ends_on, reason=reason, next_check_on=today, now=tx.now)
        )
        await close_review(conn, msp_id, tx.now)
        tx.publish(
            contracts.MspExtended(
                msp_id=msp_id,
                organization=organization_party(row),
                ministry=ministry_party(row),
                previous_ends_on=current["ends_on"],
                ends_on=ends_on,
                reason=reason,
                new_obligations=[obligation_summary(o) for o in created],
                extended_by=tx.actor,
                extended_at=tx.now,
            ),
            subject=str(msp_id),
        )
        tx.audit("msp.extended", "msp", msp_id, before=values(Msp, current), after=values(Msp, row))
        audit_obligations_closed(tx, closed)
        audit_obligations_created(tx, created)
    return view(Msp, row)


async def reject_extension(uow: UnitOfWork, ctx: Context, msp_id: UUID, command: RejectExtension) -> Msp:
    """TPOA refuses the pending extension (any time): the MSP ends on its current date."""
    async with uow.change(ctx) as tx:
        current = await _locked(tx.conn, ctx, msp_id)
        access.check_tpoa(ctx.principal)
        pending = _pending(current)
        rules.check_msp_under_review("extension", current["status"])
        row = await tx.conn.fetchrow(*REVIEWS.reject_extension(msp_id=msp_id, note=command.note, now=tx.now))
        await close_review(tx.conn, msp_id, tx.now)
        tx.publish(
            contracts.MspExtensionRejected(
                **_msp_facts(row),
                proposed_ends_on=date.fromisoformat(pending["proposed_ends_on"]),
                note=command.note,
                rejected_by=tx.actor,
                rejected_at=tx.now,
            ),
            subject=str(msp_id),
        )
        tx.audit("msp.extension_rejected", "msp", msp_id, before=values(Msp, current), after=values(Msp, row))
    return view(Msp, row)
