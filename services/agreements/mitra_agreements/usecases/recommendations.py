"""Visa/stay-permit and tax-exemption recommendations: requested under an MSP in force, decided once by the
ministry under a unique reference number. The NGO itself requests (a visa for the expert of one of its foreign-staff
assignments, as agreements learned them); its Mitra Utama issues, not whoever requested;
a recommendation the caller may not read is answered as unknown, 404 (`domain/access.py`)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any
from uuid import UUID

import asyncpg

from mitra_agreements.domain import access
from mitra_agreements.domain import recommendations as rules
from mitra_agreements.domain.letters import LetterFacts, Letterhead, letterhead_for, recommendation_letter
from mitra_agreements.sql import MSPS, RECOMMENDATIONS
from mitra_agreements.usecases import documents
from mitra_agreements.usecases.access import parties
from mitra_agreements.usecases.commands import IssueRecommendation, RequestRecommendation
from mitra_agreements.usecases.event_facts import ministry_party, organization_party
from mitra_agreements.usecases.letters import render_letter
from mitra_agreements.usecases.msps import msp_in_force
from mitra_agreements.usecases.views import Recommendation, RecommendationDetail, values, view
from mitra_shared.clock import jakarta_date
from mitra_shared.context import Context
from mitra_shared.contracts import agreements as contracts
from mitra_shared.contracts.documents import document_ref
from mitra_shared.documents import DocumentStore, documents_of, store_generated
from mitra_shared.errors import NotFound
from mitra_shared.uow import UnitOfWork


async def _known_assignment(conn: asyncpg.Connection, assignment_id: UUID | None) -> rules.KnownAssignment | None:
    if assignment_id is None:
        return None
    row = await conn.fetchrow(*RECOMMENDATIONS.get_known_assignment(assignment_id=assignment_id))
    if row is None:
        return None
    return rules.KnownAssignment(
        row["assignment_id"],
        row["organization_id"],
        row["full_name"],
        row["nationality"],
        row["starts_on"],
        row["ends_on"],
        row["ended_on"],
    )


async def request_recommendation(uow: UnitOfWork, ctx: Context, command: RequestRecommendation) -> Recommendation:
    """The NGO asks; a visa recommendation names its expert's assignment (`domain/recommendations.py`)."""
    async with uow.change(ctx) as tx:
        msp = await msp_in_force(tx.conn, ctx, command.msp_id, field="body.msp_id")
        expert = rules.check_request(
            command,
            organization_id=msp["organization_id"],
            assignment=await _known_assignment(tx.conn, command.staff_assignment_id),
            today=jakarta_date(tx.now),
        )
        row = await tx.conn.fetchrow(
            *RECOMMENDATIONS.insert_recommendation(
                id=uuid.uuid4(),
                kind=command.kind,
                msp_id=command.msp_id,
                expert_name=expert.name,
                expert_nationality=expert.nationality,
                staff_assignment_id=expert.staff_assignment_id,
                purpose=command.purpose,
                requested_by=tx.actor,
                now=tx.now,
            )
        )
        tx.publish(
            contracts.RecommendationRequested(
                recommendation_id=row["id"],
                recommendation_kind=command.kind,
                msp_id=command.msp_id,
                organization=organization_party(msp),
                ministry=ministry_party(msp),
                expert_name=expert.name,
                expert_nationality=expert.nationality,
                staff_assignment_id=expert.staff_assignment_id,
                purpose=command.purpose,
                requested_by=tx.actor,
                requested_at=tx.now,
            ),
            subject=str(row["id"]),
        )
        after = values(Recommendation, row)
        tx.audit("recommendation.requested", "recommendation", row["id"], before=None, after=after)
    return view(Recommendation, row)


def letter_facts(recommendation: Mapping[str, Any], msp: Mapping[str, Any]) -> LetterFacts:
    """What the letter of a decided recommendation says, from its row (after the decision) and its MSP's."""
    return LetterFacts(
        reference_number=recommendation["reference_number"],
        decided_on=jakarta_date(recommendation["issued_at"]),
        granted=recommendation["granted"],
        note=recommendation["note"],
        kind=recommendation["kind"],
        expert_name=recommendation["expert_name"],
        expert_nationality=recommendation["expert_nationality"],
        purpose=recommendation["purpose"],
        requested_on=jakarta_date(recommendation["requested_at"]),
        organization_name=msp["organization_name"],
        ministry_name=msp["ministry_name"],
        msp_title=msp["title"],
        msp_number=msp["number"],
    )


async def issue_recommendation(
    uow: UnitOfWork,
    ctx: Context,
    recommendation_id: UUID,
    command: IssueRecommendation,
    *,
    store: DocumentStore,
    letterheads: Mapping[str, Letterhead] | None = None,
) -> RecommendationDetail:
    """The ministry's decision, and its letter (PDF, purpose `letter`, generated) stored and recorded in the same
    change (on the ministry's letterhead from `letterheads`, else a plain one with its name)."""
    async with uow.change(ctx) as tx:
        current = await tx.conn.fetchrow(
            *RECOMMENDATIONS.get_recommendation_for_update(recommendation_id=recommendation_id)
        )
        msp = None if current is None else await tx.conn.fetchrow(*MSPS.get_msp(msp_id=current["msp_id"]))
        if current is None or msp is None or not access.may_read_recommendation(ctx.principal, parties(msp)):
            raise NotFound("path.recommendation_id", f"no recommendation {recommendation_id}")
        access.check_issue_recommendation(ctx.principal, parties(msp), requested_by=current["requested_by"])
        rules.check_issue(
            status=current["status"],
            reference_number=current["reference_number"],
            reference_taken=await tx.conn.fetchval(
                *RECOMMENDATIONS.reference_number_taken(reference_number=command.reference_number)
            ),
            new_reference=command.reference_number,
        )
        row = await tx.conn.fetchrow(
            *RECOMMENDATIONS.issue_recommendation(
                recommendation_id=recommendation_id,
                granted=command.granted,
                reference_number=command.reference_number,
                note=command.note,
                issued_by=tx.actor,
                now=tx.now,
            )
        )
        content = recommendation_letter(
            letter_facts(row, msp), letterhead_for(letterheads or {}, msp["ministry_code"], msp["ministry_name"])
        )
        # The file first, then the row that names it, in the decision's change.
        stored = await store_generated(
            store,
            documents.SERVICE,
            filename=content.filename,
            content_type="application/pdf",
            data=render_letter(content),
        )
        owner = await documents.readable_owner(tx.conn, ctx, "recommendation", recommendation_id)
        view_of_letter = await documents.insert_and_record(tx, owner, stored, purpose="letter", generated=True)
        letter = document_ref(view_of_letter)
        tx.publish(
            contracts.RecommendationIssued(
                recommendation_id=recommendation_id,
                recommendation_kind=row["kind"],
                msp_id=row["msp_id"],
                organization=organization_party(msp),
                ministry=ministry_party(msp),
                granted=command.granted,
                reference_number=command.reference_number,
                note=command.note,
                issued_by=tx.actor,
                issued_at=tx.now,
                letter=letter,
            ),
            subject=str(recommendation_id),
        )
        before, after = values(Recommendation, current), values(Recommendation, row)
        tx.audit("recommendation.issued", "recommendation", recommendation_id, before=before, after=after)
        attached = await documents_of(tx.conn, "recommendation", recommendation_id)
    return RecommendationDetail(**view(Recommendation, row).model_dump(), documents=attached)


async def get_recommendation(uow: UnitOfWork, ctx: Context, recommendation_id: UUID) -> RecommendationDetail:
    """One recommendation with its documents (its letter once decided)."""
    async with uow.read() as conn:
        row = await conn.fetchrow(*RECOMMENDATIONS.get_recommendation(recommendation_id=recommendation_id))
        msp = None if row is None else await conn.fetchrow(*MSPS.get_msp(msp_id=row["msp_id"]))
        if row is None or msp is None or not access.may_read_recommendation(ctx.principal, parties(msp)):
            raise NotFound("path.recommendation_id", f"no recommendation {recommendation_id}")
        attached = await documents_of(conn, "recommendation", recommendation_id)
    return RecommendationDetail(**view(Recommendation, row).model_dump(), documents=attached)
