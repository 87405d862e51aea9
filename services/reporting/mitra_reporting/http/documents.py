"""Reporting's documents over HTTP: a story's photos (attached, downloaded with their thumbnails) and the annual
summary kept as a PDF document (made, then downloaded like any document).

Who attaches and reads which: `domain/access.py`; an upload is either `multipart/form-data` with its `file`, or
JSON naming a finished resumable upload of the caller's (`upload_id`, see `/uploads`).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from mitra_reporting.domain.access import READ_NOTE, READERS, STORY_WRITERS
from mitra_reporting.domain.filters import Filters
from mitra_reporting.usecases import documents, story_photos
from mitra_reporting.usecases.annual_summary import store_annual_summary_pdf
from mitra_shared.clock import jakarta_date
from mitra_shared.documents import IMAGE_TYPES, DocumentView, Intake, Store, serve_document
from mitra_shared.documents.openapi import download_answers, upload_body
from mitra_shared.http import RequestContext, Work, etag, problems, require_principal
from mitra_shared.policy import allow

router = APIRouter(dependencies=[Depends(require_principal)])

READ = allow(
    *READERS,
    note="a story's photo: whoever reads the story (a published one: all but admin); an annual summary: whoever "
    "would count the same figures (the same reach, or everything); anyone else: 404",
)
ATTACH = allow(
    *STORY_WRITERS,
    note="whoever may revise the story: tpoa any; a ministry one of its MSPs; a region one of its area; an NGO "
    "one of its own organization; a draft only",
)
MAKE = allow(*READERS, note=f"{READ_NOTE}; a ministry asks for its own ministry's year only")


@router.post(
    "/stories/{story_id}/photos",
    status_code=201,
    response_model=DocumentView,
    tags=["stories"],
    summary="Attach a photo to a draft story",
    description="A JPEG or PNG picture (judged from its bytes; any other file: 415 `a photo is JPEG or PNG`), at "
    "most the upload limit (25 MB by default; 413 beyond), stored with a thumbnail of at most 320 px. Who may attach "
    "is checked before the body is read: whoever may revise the story; a published story is not changed (409). "
    "The story goes one version up: `ETag` is its new version (revise or publish with it; the one read before the "
    "photo gets 412). Publishes `reporting.story_photo.attached`. `Location`: the download, `/documents/{id}`.",
    responses=problems(403, 404, 409, 413, 415, 422),
    openapi_extra=upload_body(["photo"], file_description="A JPEG or PNG picture."),
    dependencies=[ATTACH],
)
async def attach_story_photo(
    story_id: UUID, request: Request, uow: Work, ctx: RequestContext, store: Store, intake: Intake, response: Response
) -> DocumentView:
    await story_photos.check_may_attach(uow, ctx, story_id)
    async with intake.receive(request, ctx) as received:
        attached = await story_photos.attach_photo(uow, ctx, store, story_id, received)
    response.headers["Location"] = f"/documents/{attached.photo.id}"
    response.headers["ETag"] = etag(attached.story_version)  # the story's new version
    return attached.photo


@router.get(
    "/documents/{document_id}",
    response_class=Response,
    tags=["stories"],
    summary="Download a document: a story's photo, or a kept annual summary",
    description="For whoever may read what it belongs to; anyone else gets 404, as for a document that does not "
    "exist. A stored file whose SHA-256 no longer matches is not served (500).",
    responses=download_answers((*IMAGE_TYPES, "application/pdf")),
    dependencies=[READ],
)
async def download_document(document_id: UUID, uow: Work, ctx: RequestContext, store: Store) -> Response:
    row = await documents.readable_document(uow, ctx, document_id)
    return await serve_document(store, row)


@router.get(
    "/documents/{document_id}/thumbnail",
    response_class=Response,
    tags=["stories"],
    summary="Download a photo's thumbnail (at most 320 px)",
    description="For whoever may read the story; a document without a thumbnail (not a photo): 404.",
    responses=download_answers(IMAGE_TYPES),
    dependencies=[READ],
)
async def download_thumbnail(document_id: UUID, uow: Work, ctx: RequestContext, store: Store) -> Response:
    row = await documents.readable_document(uow, ctx, document_id, thumbnail=True)
    return await serve_document(store, row, thumbnail=True, inline=True)


class AnnualSummaryPdf(BaseModel):
    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, json_schema_extra={"examples": [{"ministry": "KEMENSOS"}]}
    )

    ministry: str = Field(min_length=2, max_length=50, description="Code of the ministry, e.g. KEMENSOS.")
    as_of: date | None = Field(None, description="Figures as of this day (default: the year's end, or today).")


@router.post(
    "/annual-summary/{year}/pdf",
    status_code=201,
    response_model=DocumentView,
    tags=["dashboards"],
    summary="Make a ministry's annual summary into a PDF document that reporting keeps",
    description="The same figures as `GET /annual-summary` (counted within the caller's reach; a ministry asks "
    "for its own year only), as tables, with the title, year, scope, the day they are as of and when it was made; "
    "kept like an upload (`generated: true`). Download it from `GET /documents/{id}` (`Location`); it is for "
    "whoever would count the same figures. 404 when no MSP of the ministry within the reach runs in the year.",
    responses=problems(403, 404, 422),
    dependencies=[MAKE],
)
async def make_annual_summary_pdf(
    year: Annotated[int, Path(ge=2000, le=2100)],
    body: AnnualSummaryPdf,
    uow: Work,
    ctx: RequestContext,
    store: Store,
    response: Response,
) -> DocumentView:
    chosen = Filters.of_year(body.ministry, year, as_of=body.as_of, today=jakarta_date(ctx.now))
    document = await store_annual_summary_pdf(uow, ctx, store, chosen, year, funding_as_of=body.as_of)
    response.headers["Location"] = f"/documents/{document.id}"
    return document
