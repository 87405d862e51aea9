"""The queues across MSPs: obligations, submissions, visits, recommendation requests and mitigation actions, each
a page and its total, filtered as asked and held to the caller's scope (`domain/queues.py`, `domain/access.py`)."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel

from mitra_agreements.domain import queues as rules
from mitra_agreements.domain.access import deciding_office
from mitra_agreements.domain.monitoring import MitigationActionItem
from mitra_agreements.domain.queues import (
    MitigationActionQuery,
    ObligationQuery,
    RecommendationQuery,
    SubmissionQuery,
    VisitQuery,
)
from mitra_agreements.sql import QUEUES
from mitra_agreements.usecases.access import scope_parameters
from mitra_agreements.usecases.views import ObligationItem, RecommendationItem, SubmissionItem, VisitItem, view
from mitra_shared.context import Context
from mitra_shared.db import Query
from mitra_shared.uow import UnitOfWork

Item = TypeVar("Item", bound=BaseModel)


AnyQuery = ObligationQuery | SubmissionQuery | VisitQuery | RecommendationQuery | MitigationActionQuery


def _across_msps(query: AnyQuery) -> dict[str, Any]:
    return {
        "organization_id": query.organization_id,
        "ministry_code": query.ministry_code,
        "msp_id": query.msp_id,
        "sort": query.sort,
        "limit": query.limit,
        "offset": query.offset,
    }


async def _page(
    uow: UnitOfWork, ctx: Context, item: type[Item], query: Query, **parameters: Any
) -> tuple[list[Item], int]:
    """A page of the queue and its total, within the caller's scope (403 for a role that reads nothing here)."""
    scope = scope_parameters(ctx)
    async with uow.read() as conn:
        rows = await conn.fetch(*query(**parameters, **scope))
    return [view(item, row) for row in rows], (rows[0]["total"] if rows else 0)


async def list_obligations(uow: UnitOfWork, ctx: Context, query: ObligationQuery) -> tuple[list[ObligationItem], int]:
    rules.check_window(query.due_after, query.due_before, field="query.due_before", inclusive=False)
    return await _page(
        uow,
        ctx,
        ObligationItem,
        QUEUES.list_obligations,
        statuses=list(query.status),
        kinds=list(query.kind),
        due_before=query.due_before,
        due_after=query.due_after,
        region_code=query.region_code,
        **_across_msps(query),
    )


async def list_submissions(uow: UnitOfWork, ctx: Context, query: SubmissionQuery) -> tuple[list[SubmissionItem], int]:
    decider_ministry_code, decider_region_code = deciding_office(ctx.principal)
    return await _page(
        uow,
        ctx,
        SubmissionItem,
        QUEUES.list_submissions,
        statuses=list(query.status),
        kinds=list(query.kind),
        region_code=query.region_code,
        decidable=query.decidable,
        decider_ministry_code=decider_ministry_code,
        decider_region_code=decider_region_code,
        **_across_msps(query),
    )


async def list_visits(uow: UnitOfWork, ctx: Context, query: VisitQuery) -> tuple[list[VisitItem], int]:
    rules.check_window(query.from_, query.to, field="query.to", inclusive=True)
    return await _page(
        uow,
        ctx,
        VisitItem,
        QUEUES.list_visits,
        statuses=list(query.status),
        window_from=query.from_,
        window_to=query.to,
        region_code=query.region_code,
        **_across_msps(query),
    )


async def list_recommendations(
    uow: UnitOfWork, ctx: Context, query: RecommendationQuery
) -> tuple[list[RecommendationItem], int]:
    return await _page(
        uow,
        ctx,
        RecommendationItem,
        QUEUES.list_recommendations,
        statuses=list(query.status),
        kinds=list(query.kind),
        **_across_msps(query),
    )


async def list_mitigation_actions(
    uow: UnitOfWork, ctx: Context, query: MitigationActionQuery
) -> tuple[list[MitigationActionItem], int]:
    rules.check_window(query.due_after, query.due_before, field="query.due_before", inclusive=False)
    return await _page(
        uow,
        ctx,
        MitigationActionItem,
        QUEUES.list_mitigation_actions,
        statuses=list(query.status),
        owners=list(query.owner),
        due_before=query.due_before,
        due_after=query.due_after,
        region_code=query.region_code,
        **_across_msps(query),
    )
