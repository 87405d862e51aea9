"""The MSP import: its template, and a file of MSPs signed before Mitra (with their obligations' history)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any, Literal

from fastapi import Query, Request, Response

from mitra_agreements.http.dependencies import CurrentPolicy
from mitra_agreements.http.dependencies import router as make_router
from mitra_agreements.usecases import imports
from mitra_agreements.usecases.imports import MspImportReport
from mitra_shared.errors import ContentTooLarge
from mitra_shared.http import Problem, RequestContext, Work
from mitra_shared.policy import allow
from mitra_shared.tabular import MAX_BYTES, XLSX_TYPE, media_kind

router = make_router("imports")

IMPORT_MSPS = allow(
    "tpoa", "ministry", note="tpoa: any MSP; ministry: the MSPs whose ministry_code is its own (other rows refused)"
)
_EXAMPLE_CSV = (
    "number,title,organization_legal_name,organization_country,ministry_code,focus_areas,work_locations,starts_on,"
    "ends_on,signed_on,past_obligations_received_on\n"
    "MSP/123/KEMENSOS/2024,Kerja sama perlindungan anak,Plan International,GB,KEMENSOS,child_welfare,33;3374,"
    "2024-01-01,2028-12-31,2024-01-05,2026-06-30\n"
)
_BODY: dict[str, Any] = {
    "required": True,
    "content": {
        "text/csv": {"schema": {"type": "string"}, "example": _EXAMPLE_CSV},
        XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
    },
}


@router.get(
    "/imports/msps/template",
    summary="The MSP import's template (XLSX or CSV, Indonesian or English headers)",
    description="The header row only (an example row would be imported by whoever forgets to delete it). The XLSX "
    "has the `msps`/`msp` sheet, the optional `obligations`/`kewajiban` sheet (each obligation received on paper: "
    "MSP number, kind, period, region, date) and a `Guide`/`Petunjuk` sheet describing every column.",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, XLSX_TYPE: {}}, "description": "The template file"}},
    dependencies=[IMPORT_MSPS],
)
async def msp_template(
    format: Annotated[Literal["xlsx", "csv"], Query(description="The file's format.")] = "xlsx",
    language: Annotated[Literal["id", "en"], Query(description="The headers' language.")] = "id",
) -> Response:
    content = await asyncio.to_thread(imports.msp_template, format, language)
    return Response(
        content,
        media_type=XLSX_TYPE if format == "xlsx" else "text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="mitra-import-msps-{language}.{format}"'},
    )


async def _body(request: Request) -> bytes:
    """The file, refused (413) past the limit without reading the rest."""
    declared = request.headers.get("content-length", "")
    too_large = f"a file to import may be at most {MAX_BYTES // (1024 * 1024)} MiB"
    if declared.isdigit() and int(declared) > MAX_BYTES:
        raise ContentTooLarge("body", too_large)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BYTES:
            raise ContentTooLarge("body", too_large)
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/imports/msps",
    response_model=MspImportReport,
    summary="Import MSPs signed before Mitra, with their obligations' history",
    description="The body is the file: `text/csv` (the `msps` sheet only) or XLSX (the `msps`/`msp` sheet, first; "
    "optionally `obligations`/`kewajiban`). One row per MSP, matched by its `number`: a new number is recorded in "
    "the state its dates give (signed, active or ended), its obligations planned as signing plans them, and "
    "announced by `agreements.msp.signed` with `imported: true` (no mail; webhooks as usual). Obligations due "
    "before today are marked received outside Mitra on `past_obligations_received_on` (or the date the "
    "obligations sheet gives): no reminder or overdue notice follows for them; the others are due in Mitra, and "
    "the report counts the overdue notices and reminders that will follow. A row equal to the MSP recorded with "
    "that number is unchanged; one that differs is refused (an import does not amend an MSP in Mitra). A file "
    "with any bad row is refused whole (422, each row by `line` and `file.<column>`), nothing imported. "
    "`dry_run=true` checks, writes and counts the same, then rolls everything back. A ministry imports only its own "
    "MSPs (`ministry_code`), and only those signed before Mitra began recording MSPs (the "
    "`MITRA_MSP_IMPORT_SIGNED_BEFORE` setting; TPOA is not limited). The obligations sheet's problems are named "
    "`file.obligations.<column>` (its lines are its own sheet's).",
    responses={
        403: {
            "model": Problem,
            "description": "A ministry's file whose only bad rows are another ministry's MSPs: each such row by its "
            "`line` (`file.ministry_code`, or `file.obligations.msp_number`); nothing was imported",
        },
        409: {
            "model": Problem,
            "description": "An MSP number of the file was recorded in Mitra meanwhile (signed there while the file "
            "was imported): the row by its `line` (`file.number`); nothing was imported, import the file again",
        },
        413: {"model": Problem, "description": "The file is larger than 5 MiB"},
        415: {"model": Problem, "description": "The body is neither CSV nor XLSX"},
        422: {"model": Problem, "description": "Bad rows, each by its line and column; nothing was imported"},
    },
    openapi_extra={"requestBody": _BODY},
    dependencies=[IMPORT_MSPS],
)
async def import_msps(
    request: Request,
    uow: Work,
    ctx: RequestContext,
    policy: CurrentPolicy,
    dry_run: Annotated[bool, Query(description="Check and count only; write nothing.")] = False,
) -> MspImportReport:
    kind = media_kind(request.headers.get("content-type"))
    content = await _body(request)
    return await imports.import_msps(uow, ctx, content, kind, dry_run=dry_run, policy=policy)
