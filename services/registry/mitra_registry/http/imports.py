"""HTTP API of the bulk imports: each kind's template, and a file (CSV or XLSX) imported whole or not at all."""

from __future__ import annotations

from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from mitra_registry.domain.access import KEEPER
from mitra_registry.domain.imports import FileImportReport, ImportKind
from mitra_registry.settings import RegistrySettings
from mitra_registry.usecases import imports
from mitra_shared.errors import ContentTooLarge
from mitra_shared.http import Problem, RequestContext, Work, require_principal
from mitra_shared.policy import allow
from mitra_shared.tabular import MAX_BYTES, XLSX_TYPE, media_kind

router = APIRouter(dependencies=[Depends(require_principal)], tags=["imports"])
_KEEPER_NOTE = "TPOA keeps the register and brings in the records that predate Mitra"
_KIND = (
    "`organizations` (NGOs), `permits`, `staff` (foreign staff) or `partners` (government partners and their "
    "contacts). Import the NGOs before their permits and staff."
)
_CSV_EXAMPLE = (
    "legal_name,country_of_origin,acronym,contact_email,focus_areas,status\n"
    "Plan International,GB,PLAN,indonesia@plan-international.org,child_welfare;disaster_risk_management,active\n"
    "Winrock International,US,,,poverty,registered\n"
)
_BODY: dict[str, Any] = {
    "required": True,
    "description": "The raw file: CSV (UTF-8, `,` or `;` between fields, a header row) or XLSX (the first sheet). "
    "Columns by their English key or Indonesian header, in any case and order; lists in a cell separated by `;`; "
    "dates as YYYY-MM-DD (or XLSX date cells). At most 5 MiB and 5,000 rows.",
    "content": {
        "text/csv": {
            "schema": {"type": "string"},
            "examples": {"organizations": {"summary": "An NGOs file", "value": _CSV_EXAMPLE}},
        },
        XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
    },
}
_FILE = {"content": {"text/csv": {"schema": {"type": "string"}}, XLSX_TYPE: {"schema": {"type": "string"}}}}


@router.get(
    "/imports/{kind}/template",
    summary="Download the file to fill in for an import",
    description="The header row of the kind's file in the language asked for (nothing else: an example row would "
    "be imported by whoever forgets to delete it). The XLSX has a second sheet, `Petunjuk` (`Guide`), that "
    "describes each column: whether it is required, its format, an example.",
    response_class=Response,
    responses={200: {**_FILE, "description": "The template, as an attachment"}},
    dependencies=[allow(KEEPER, note=_KEEPER_NOTE)],
)
async def template(
    kind: Annotated[ImportKind, Path(description=_KIND)],
    file_format: Annotated[Literal["xlsx", "csv"], Query(alias="format", description="`xlsx` or `csv`.")] = "xlsx",
    language: Annotated[Literal["id", "en"], Query(description="Headers in `id` or `en`.")] = "id",
) -> Response:
    content = await imports.template(kind, file_format, language)
    filename = f"mitra-import-{kind}-{language}.{file_format}"
    return Response(
        content,
        media_type=XLSX_TYPE if file_format == "xlsx" else "text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.post(
    "/imports/{kind}",
    response_model=FileImportReport,
    summary="Import records that predate Mitra from a CSV or XLSX file",
    description=f"Kinds: {_KIND} Rows are matched to the register by a natural key (NGO: legal name without "
    "regard to case or spacing, and country; permit: type and number; foreign staff: NGO, passport number and "
    "start; partner: kind and code): a record not in the register is added, one the file describes otherwise is "
    "updated, one equal to the file is left alone, so importing the same file again changes and publishes "
    "nothing. Each record added or changed publishes the usual event of that fact with `imported: true` and has an "
    "audit entry `<thing>.imported`. A file with any bad row is refused whole with 422, each problem in `errors` "
    "with its `line` (the header is line 1; an XLSX row by its sheet row number, a CSV record by its place in the "
    "file) and column (`file.<column>`); "
    "nothing is imported. `dry_run=true` checks and counts exactly as the import would and writes nothing. "
    "See docs/imports.md for each kind's columns.",
    responses={
        409: {"model": Problem, "description": "A record of the file was entered meanwhile; import again"},
        413: {"model": Problem, "description": "The file is larger than 5 MiB"},
        415: {"model": Problem, "description": "The body is neither CSV nor XLSX"},
        422: {"model": Problem, "description": "A bad row (each one's line and column in `errors`), or a bad kind"},
    },
    openapi_extra={"requestBody": _BODY},
    dependencies=[allow(KEEPER, note=_KEEPER_NOTE)],
)
async def import_file(
    request: Request,
    uow: Work,
    ctx: RequestContext,
    kind: Annotated[ImportKind, Path(description=_KIND)],
    dry_run: Annotated[bool, Query(description="`true`: check and count only; nothing is written.")] = False,
) -> FileImportReport:
    file_kind = media_kind(request.headers.get("content-type"))
    content = await _body(request)
    settings = cast(RegistrySettings, request.app.state.runtime.spec.settings)
    return await imports.import_file(
        uow, ctx, kind, content, file_kind, dry_run=dry_run, lead_days=tuple(settings.permit_reminder_days)
    )


async def _body(request: Request) -> bytes:
    """The request body, refused (413) as soon as it is known to be larger than the limit."""
    too_large = ContentTooLarge("body", f"a file to import is at most {MAX_BYTES // (1024 * 1024)} MiB")
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BYTES:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)
