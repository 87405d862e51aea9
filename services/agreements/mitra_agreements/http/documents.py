"""The files behind agreements' records: attach to a submission, an MSP or a recommendation, list, download, mark
public; and the public download of what is marked public.

An attachment is checked before a byte of its body is read (a caller who may not see the record gets what reading
it answers, 404 or 403; a record that takes no document now, 409), then received (multipart `file`, or a finished
resumable upload named by `upload_id`), stored, and recorded.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from mitra_agreements.domain.documents import MSP_PURPOSES, RECOMMENDATION_PURPOSES, SUBMISSION_PURPOSES, OwnerType
from mitra_agreements.http.dependencies import READ, BaseUrl
from mitra_agreements.http.dependencies import router as make_router
from mitra_agreements.http.recommendations import READ_RECOMMENDATION
from mitra_agreements.usecases import documents
from mitra_shared.documents import DocumentView, Intake, Store, serve_document
from mitra_shared.documents.openapi import download_answers, upload_body
from mitra_shared.http import Problem, RequestContext, Work
from mitra_shared.policy import PUBLIC, allow

router = make_router("documents")
public_router = APIRouter(tags=["documents"], responses={404: {"model": Problem, "description": "No such resource"}})

ATTACH_TO_SUBMISSION = allow("ngo", note="the NGO that submitted it, while it awaits review")
ATTACH_TO_MSP = allow(
    "ngo", "ministry", "tpoa", note="the MSP's NGO, its Mitra Utama ministry, TPOA; not after the MSP is over"
)
ATTACH_TO_RECOMMENDATION = allow(
    "ngo",
    "ministry",
    note="the requesting NGO before the decision (`supporting`); the deciding ministry after it (`letter`)",
)
PUBLISH = allow("ministry", "tpoa", note="the MSP's Mitra Utama ministry, TPOA; MSP and annual report documents only")


async def _attach(
    owner_type: OwnerType,
    owner_id: UUID,
    request: Request,
    uow: Work,
    ctx: RequestContext,
    intake: Intake,
    store: Store,
    response: Response,
) -> DocumentView:
    # Who may attach, and whether the record takes a document now, before the body is read.
    await documents.check_attach(uow, ctx, owner_type, owner_id)
    async with intake.receive(request, ctx) as received:
        document = await documents.attach(uow, ctx, store, owner_type, owner_id, received)
    response.headers["Location"] = f"/documents/{document.id}"
    return document


@router.post(
    "/submissions/{submission_id}/documents",
    status_code=201,
    response_model=DocumentView,
    summary="Attach the file of a work plan, report or Action Plan, or an annex",
    dependencies=[ATTACH_TO_SUBMISSION],
    openapi_extra=upload_body(
        SUBMISSION_PURPOSES, purpose_description="`main` (default for the first) or `annex` (default after)."
    ),
    description="The NGO that submitted attaches its files while the submission awaits review (409 once decided). "
    "Send `multipart/form-data` with `file` (and `purpose`), or JSON naming a finished resumable upload. Publishes "
    "`agreements.document.attached`; answers with the document and `Location: /documents/{id}`.",
)
async def attach_to_submission(
    submission_id: UUID,
    request: Request,
    uow: Work,
    ctx: RequestContext,
    intake: Intake,
    store: Store,
    response: Response,
) -> DocumentView:
    return await _attach("submission", submission_id, request, uow, ctx, intake, store, response)


@router.post(
    "/msps/{msp_id}/documents",
    status_code=201,
    response_model=DocumentView,
    summary="Attach the signed MSP, an amendment or an annex",
    dependencies=[ATTACH_TO_MSP],
    openapi_extra=upload_body(MSP_PURPOSES, purpose_description="What the document is (required)."),
    description="By the MSP's NGO, its Mitra Utama ministry or TPOA, until the MSP ends, is terminated or rejected "
    "(409 then). Send `multipart/form-data` with `file` and `purpose`, or JSON naming a finished resumable upload. "
    "Publishes `agreements.document.attached`.",
)
async def attach_to_msp(
    msp_id: UUID,
    request: Request,
    uow: Work,
    ctx: RequestContext,
    intake: Intake,
    store: Store,
    response: Response,
) -> DocumentView:
    return await _attach("msp", msp_id, request, uow, ctx, intake, store, response)


@router.post(
    "/recommendations/{recommendation_id}/documents",
    status_code=201,
    response_model=DocumentView,
    summary="Attach a supporting document, or the signed scan of the letter",
    dependencies=[ATTACH_TO_RECOMMENDATION],
    openapi_extra=upload_body(
        RECOMMENDATION_PURPOSES,
        purpose_description="`supporting` (the requesting NGO, before the decision; its default) or `letter` "
        "(the deciding ministry, after it; its default).",
    ),
    description="The requesting NGO attaches supporting documents while the request awaits the decision; the "
    "deciding ministry uploads the signed scan of its letter once decided (agreements makes the letter itself when "
    "the ministry decides). Publishes `agreements.document.attached`.",
)
async def attach_to_recommendation(
    recommendation_id: UUID,
    request: Request,
    uow: Work,
    ctx: RequestContext,
    intake: Intake,
    store: Store,
    response: Response,
) -> DocumentView:
    return await _attach("recommendation", recommendation_id, request, uow, ctx, intake, store, response)


@router.get(
    "/submissions/{submission_id}/documents",
    response_model=list[DocumentView],
    summary="The documents of a submission, oldest first",
    dependencies=[READ],
    description="Whoever reads the submission's obligation reads its documents.",
)
async def submission_documents(submission_id: UUID, uow: Work, ctx: RequestContext) -> list[DocumentView]:
    return await documents.documents_of_owner(uow, ctx, "submission", submission_id)


@router.get(
    "/msps/{msp_id}/documents",
    response_model=list[DocumentView],
    summary="The documents of an MSP, oldest first",
    dependencies=[READ],
)
async def msp_documents(msp_id: UUID, uow: Work, ctx: RequestContext) -> list[DocumentView]:
    return await documents.documents_of_owner(uow, ctx, "msp", msp_id)


@router.get(
    "/recommendations/{recommendation_id}/documents",
    response_model=list[DocumentView],
    summary="The documents of a recommendation (its letter once decided), oldest first",
    dependencies=[READ_RECOMMENDATION],
)
async def recommendation_documents(recommendation_id: UUID, uow: Work, ctx: RequestContext) -> list[DocumentView]:
    return await documents.documents_of_owner(uow, ctx, "recommendation", recommendation_id)


@router.get(
    "/documents/{document_id}",
    response_class=Response,
    summary="Download a document",
    dependencies=[READ],
    responses=download_answers(),
    description="Whoever reads the submission, MSP or recommendation it belongs to; to anyone else it does not "
    "exist (404). Its bytes are checked against the SHA-256 recorded when it was stored: a file changed in the "
    "store is not served (500).",
)
async def download_document(document_id: UUID, uow: Work, ctx: RequestContext, store: Store) -> Response:
    row = await documents.readable_document(uow, ctx, document_id)
    return await serve_document(store, row)


class Publication(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"public": True}]})

    public: bool = Field(description="true: anyone may download it, and the open-data export links it.")


@router.put(
    "/documents/{document_id}/publication",
    response_model=DocumentView,
    summary="Mark a document public, or private again",
    dependencies=[PUBLISH],
    description="The MSP's Mitra Utama ministry or TPOA marks an MSP's document (IATI A09) or an annual report's "
    "(B01) public; any other document is refused (422). Publishes `agreements.document.published` (with its public "
    "URL) or `agreements.document.unpublished`; asking for what already is changes nothing.",
)
async def set_publication(
    document_id: UUID,
    publication: Annotated[Publication, Body()],
    uow: Work,
    ctx: RequestContext,
    base_url: BaseUrl,
) -> DocumentView:
    return await documents.set_publication(uow, ctx, document_id, public=publication.public, base_url=base_url)


@public_router.get(
    "/public/documents/{document_id}",
    response_class=Response,
    summary="Download a public document, without a token",
    dependencies=[PUBLIC],
    responses=download_answers(),
    description="Only a document marked public (an MSP's, an annual report's); any other is unknown (404).",
)
async def download_public_document(document_id: UUID, uow: Work, store: Store) -> Response:
    row = await documents.public_document(uow, document_id)
    return await serve_document(store, row)
