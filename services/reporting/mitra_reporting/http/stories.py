"""Stories over HTTP: drafted, listed, revised and published, each change with the ETag (If-Match) it was based on.

Who writes, reads and publishes which story: `domain/access.py`.
"""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from mitra_reporting.domain.access import READERS, STORY_PUBLISHERS, STORY_WRITERS
from mitra_reporting.domain.stories import StoryDraft
from mitra_reporting.http.filters import Offset
from mitra_reporting.usecases import stories
from mitra_reporting.usecases.stories import StoryView
from mitra_shared.http import ExpectedVersion, RequestContext, Work, etag, problems, require_principal
from mitra_shared.policy import allow

router = APIRouter(dependencies=[Depends(require_principal)], tags=["stories"], responses=problems(422))
CHANGE_REFUSED = problems(404, 409, 412, 428)
READ = allow(
    *READERS,
    note="published stories: all but admin; drafts: tpoa, auditor, integration all; a ministry those of its MSPs; "
    "a region those of its area; an NGO its own (another's draft: 404)",
)
WRITE = allow(
    *STORY_WRITERS,
    note="tpoa any; a ministry a story of its MSPs; a region one of its area; an NGO one of its own organization",
)
PUBLISH = allow(
    *STORY_PUBLISHERS,
    note="tpoa any; a ministry a story of its MSPs; a region one of its area; never the one who drafted it",
)


class StoryPage(BaseModel):
    items: list[StoryView]
    total: int
    limit: int
    offset: int


def _tagged(story: StoryView, response: Response) -> StoryView:
    response.headers["ETag"] = etag(story.version)
    return story


@router.post(
    "/stories",
    status_code=201,
    response_model=StoryView,
    summary="Draft a good practice or success story",
    dependencies=[WRITE],
)
async def draft_story(body: StoryDraft, uow: Work, ctx: RequestContext, response: Response) -> StoryView:
    story = await stories.draft_story(uow, ctx, body)
    response.headers["Location"] = f"/stories/{story.id}"
    return _tagged(story, response)


@router.get(
    "/stories",
    response_model=StoryPage,
    summary="Stories, by status, NGO or region (a province covers its regencies)",
    dependencies=[READ],
)
async def list_stories(
    uow: Work,
    ctx: RequestContext,
    status: Literal["draft", "published"] | None = None,
    organization_id: UUID | None = None,
    region_code: Annotated[str | None, Query(pattern=r"^\d{2}(\d{2})?$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> StoryPage:
    items, total = await stories.list_stories(
        uow, ctx, status=status, organization_id=organization_id, region_code=region_code, limit=limit, offset=offset
    )
    return StoryPage(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/stories/{story_id}", response_model=StoryView, summary="One story", responses=problems(404), dependencies=[READ]
)
async def get_story(story_id: UUID, uow: Work, ctx: RequestContext, response: Response) -> StoryView:
    return _tagged(await stories.get_story(uow, ctx, story_id), response)


@router.put(
    "/stories/{story_id}",
    response_model=StoryView,
    summary="Revise a draft (If-Match: the ETag you read)",
    responses=CHANGE_REFUSED,
    dependencies=[WRITE],
)
async def revise_story(
    story_id: UUID, body: StoryDraft, uow: Work, ctx: RequestContext, version: ExpectedVersion, response: Response
) -> StoryView:
    return _tagged(await stories.revise_story(uow, ctx, story_id, body, version), response)


@router.post(
    "/stories/{story_id}/publish",
    response_model=StoryView,
    summary="Publish a story (If-Match); publishes `reporting.story.published`",
    responses=CHANGE_REFUSED,
    dependencies=[PUBLISH],
)
async def publish_story(
    story_id: UUID, uow: Work, ctx: RequestContext, version: ExpectedVersion, response: Response
) -> StoryView:
    return _tagged(await stories.publish_story(uow, ctx, story_id, version), response)
