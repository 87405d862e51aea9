"""HTTP API of a permit's files: attach (multipart, or a finished resumable upload), list, download."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response

from mitra_registry.domain.access import KEEPER, READS_WHOLE_REGISTER
from mitra_registry.usecases import permit_documents
from mitra_shared.documents import DocumentView, Intake, Store, serve_document
from mitra_shared.documents.openapi import download_answers, upload_body
from mitra_shared.http import RequestContext, Work, problems, require_principal
from mitra_shared.policy import allow

router = APIRouter(dependencies=[Depends(require_principal)], tags=["permits"])

READ = allow(*READS_WHOLE_REGISTER, "ngo", note="whoever reads the permit: an NGO its own permits (another's: 404)")
ATTACH = allow(KEEPER, "ngo", note="TPOA, which records permits; an NGO for its own permit (another's: 404)")


@router.post(
    "/permits/{permit_id}/documents",
    status_code=201,
    response_model=DocumentView,
    summary="Attach a file to a permit (its scan)",
    description="Either `multipart/form-data` with the `file` (and `purpose`: `scan`, the default), or JSON naming "
    "a finished resumable upload of yours (`upload_id`). The type is judged from the bytes: PDF, DOCX, XLSX, ODT, "
    "JPEG or PNG, else 415; larger than the limit (25 MB by default): 413. Who may attach is checked before the "
    "body is read. Publishes `registry.document.attached`. `Location`: the download, `/documents/{id}`.",
    responses=problems(404, 409, 413, 415, 422),
    openapi_extra=upload_body(["scan"]),
    dependencies=[ATTACH],
)
async def attach_permit_document(
    permit_id: UUID,
    request: Request,
    uow: Work,
    ctx: RequestContext,
    store: Store,
    intake: Intake,
    response: Response,
) -> DocumentView:
    await permit_documents.check_may_attach(uow, ctx, permit_id)
    async with intake.receive(request, ctx) as received:
        document = await permit_documents.attach_document(uow, ctx, store, permit_id, received)
    response.headers["Location"] = f"/documents/{document.id}"
    return document


@router.get(
    "/permits/{permit_id}/documents",
    response_model=list[DocumentView],
    summary="A permit's files, oldest first",
    responses=problems(404, 422),
    dependencies=[READ],
)
async def list_permit_documents(permit_id: UUID, uow: Work, ctx: RequestContext) -> list[DocumentView]:
    return await permit_documents.permit_documents(uow, ctx, permit_id)


@router.get(
    "/documents/{document_id}",
    response_class=Response,
    summary="Download a permit's file",
    description="For whoever reads the permit; anyone else gets 404, as for a document that does not exist. A "
    "stored file whose SHA-256 no longer matches is not served (500).",
    responses=download_answers(),
    dependencies=[READ],
)
async def download_document(document_id: UUID, uow: Work, ctx: RequestContext, store: Store) -> Response:
    row = await permit_documents.readable_document(uow, ctx, document_id)
    return await serve_document(store, row)
