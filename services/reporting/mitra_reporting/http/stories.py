"""Stories over HTTP: drafted, listed, revised and published, each change with the ETag (If-Match) it was based on."""

from __future__ import annotations

from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response
from pydantic import BaseModel

from mitra_reporting.domain.stories import Story, StoryDraft
from mitra_reporting.http.filters import Offset
from mitra_reporting.usecases import stories
from mitra_shared.http import ExpectedVersion, RequestContext, Work, etag, problems, require_principal

router = APIRouter(dependencies=[Depends(require_principal)], tags=["stories"], responses=problems(422))
CHANGE_REFUSED = problems(404, 409, 412, 428)


class StoryPage(BaseModel):
    items: list[Story]
    total: int
    limit: int
    offset: int


def _tagged(story: Story, response: Response) -> Story:
    response.headers["ETag"] = etag(story.version)
    return story


@router.post("/stories", status_code=201, response_model=Story, summary="Draft a good practice or success story")
async def draft_story(body: StoryDraft, uow: Work, ctx: RequestContext, response: Response) -> Story:
    story = await stories.draft_story(uow, ctx, body)
    response.headers["Location"] = f"/stories/{story.id}"
    return _tagged(story, response)


@router.get(
    "/stories", response_model=StoryPage, summary="Stories, by status, NGO or region (a province covers its regencies)"
)
async def list_stories(
    uow: Work,
    status: Literal["draft", "published"] | None = None,
    organization_id: UUID | None = None,
    region_code: Annotated[str | None, Query(pattern=r"^\d{2}(\d{2})?$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Offset = 0,
) -> StoryPage:
    items, total = await stories.list_stories(
        uow, status=status, organization_id=organization_id, region_code=region_code, limit=limit, offset=offset
    )
    return StoryPage(items=items, total=total, limit=limit, offset=offset)


@router.get("/stories/{story_id}", response_model=Story, summary="One story", responses=problems(404))
async def get_story(story_id: UUID, uow: Work, response: Response) -> Story:
    return _tagged(await stories.get_story(uow, story_id), response)


@router.put(
    "/stories/{story_id}",
    response_model=Story,
    summary="Revise a draft (If-Match: the ETag you read)",
    responses=CHANGE_REFUSED,
)
async def revise_story(
    story_id: UUID, body: StoryDraft, uow: Work, ctx: RequestContext, version: ExpectedVersion, response: Response
) -> Story:
    return _tagged(await stories.revise_story(uow, ctx, story_id, body, version), response)


@router.post(
    "/stories/{story_id}/publish",
    response_model=Story,
    summary="Publish a story (If-Match); publishes `reporting.story.published`",
    responses=CHANGE_REFUSED,
)
async def publish_story(
    story_id: UUID, uow: Work, ctx: RequestContext, version: ExpectedVersion, response: Response
) -> Story:
    return _tagged(await stories.publish_story(uow, ctx, story_id, version), response)
