"""Importing what exists in spreadsheets (issue 15): TPOA's `/tpoa/imports` (NGOs, permits, foreign staff, partners
and contacts, on registry; MSPs, on agreements) and a ministry's `/ministry/imports` (its MSPs).

- Each kind's template (`GET /imports/{kind}/template?format=xlsx|csv`, in the page's language) passed through.
- A file posted (`POST /imports/{kind}`) goes to the service's dry run; a refusal shows every problem (line, column,
  reason) under the error summary, and nothing is kept. A good file is kept in the console's database
  (`usecases.web_imports`) and the preview shows what the import will do ("check your answers",
  `GET /imports/{kind}/{kept}`); confirming (`POST /imports/{kind}/{kept}`) imports that same file, and the same
  address then shows the result.
- A confirmation takes the kept file once: a second one (a double click) imports nothing and shows the first one's
  result, or that the file is being imported. An import the service did not answer in time may still be running:
  the page says so and asks to check the register before importing the file again (it offers no second import).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Response
from starlette.datastructures import UploadFile

from mitra_console.http.web.documents import size_text
from mitra_console.http.web.imports_files import (
    ACCEPT,
    KINDS,
    MAX_BYTES,
    MSP_COUNTS,
    REGISTRY_KINDS,
    Kind,
    NoAnswer,
    column_headers,
    content_type_of,
    kind_for,
    post_file,
    problems_of,
)
from mitra_console.http.web.kit import N_, Answer, FormErrors, Page, add_nav, web_allow, web_router
from mitra_console.usecases import web_imports

router = web_router()
TPOA = web_allow("tpoa", note="TPOA imports the register's records and MSPs")
MINISTRY = web_allow("ministry", note="a ministry imports its own MSPs: agreements refuses the rows of another")
IMPORTERS = web_allow(
    "tpoa", "ministry", note="TPOA every kind; a ministry only MSPs, its own (agreements decides row by row)"
)
add_nav("tpoa", "/tpoa/imports", N_("Import"))
add_nav("ministry", "/ministry/imports", N_("Import MSPs"))

COUNT_LABELS = {
    "rows": N_("Rows in the file"),
    "added": N_("New records"),
    "updated": N_("Records changed"),
    "unchanged": N_("Records already as in the file"),
    "obligations_created": N_("Obligations created"),
    "received_outside_mitra": N_("Obligations received outside Mitra"),
    "reminders_to_follow": N_("Reminders to follow"),
    "overdue_notices_to_follow": N_("Overdue notices to follow"),
    "expiry_warnings_to_follow": N_("MSP expiry warnings to follow"),
}


def imports_home(page: Page) -> str:
    return "/tpoa/imports" if page.user.role == "tpoa" else "/ministry/imports"


@router.get("/tpoa/imports", dependencies=[TPOA])
async def tpoa_imports(page: Page) -> Response:
    return overview(page)


@router.get("/ministry/imports", dependencies=[MINISTRY])
async def ministry_imports(page: Page) -> Response:
    return overview(page)


def overview(
    page: Page, *, errors: FormErrors | None = None, failed: Mapping[str, Any] | None = None, status: int = 200
) -> Response:
    """The kinds the person may import, each with its templates and its upload form (and a refused file's
    problems, or a field's error, when there are)."""
    role = page.user.role
    kinds = [KINDS[key] for key in (*REGISTRY_KINDS, "msps") if role in KINDS[key].roles]
    return page.render(
        "imports/overview.html",
        {
            "kinds": [_section(page, kind) for kind in kinds],
            "failed": failed,
            "max": size_text(MAX_BYTES, page.lang),
            "accept": ACCEPT,
            "for_tpoa": role == "tpoa",
        },
        errors=errors,
        status=status,
    )


def _section(page: Page, kind: Kind) -> dict[str, Any]:
    template = f"/imports/{kind.key}/template?language={page.lang}&format="
    return {
        "key": kind.key,
        "label": page.gettext(kind.label),
        "what": page.gettext(kind.what),
        "xlsx": template + "xlsx",
        "csv": template + "csv",
    }


@router.get("/imports/{kind}/template", dependencies=[IMPORTERS])
async def template(page: Page, kind: str) -> Response:
    """The service's template, in the page's language unless `language` says otherwise."""
    chosen = kind_for(page, kind)
    query = page.request.query_params
    file_format = "csv" if query.get("format") == "csv" else "xlsx"
    language = query.get("language") if query.get("language") in ("id", "en") else page.lang
    answer = await page.api.download(
        chosen.service, f"/imports/{chosen.key}/template", params={"format": file_format, "language": language}
    )
    filename = f"mitra-import-{chosen.key}-{language}.{file_format}"
    headers = {
        "Content-Disposition": answer.headers.get("content-disposition") or f'attachment; filename="{filename}"',
        "Cache-Control": "private, no-store",
    }
    return Response(answer.content, media_type=answer.headers.get("content-type"), headers=headers)


@router.post("/imports/{kind}", dependencies=[IMPORTERS])
async def upload(page: Page, kind: str) -> Response:
    """The chosen file, checked by the service (a dry run): its problems, or its preview."""
    chosen = kind_for(page, kind)
    errors = page.errors()
    field = f"{chosen.key}.file"
    form = await page.request.form()
    file = form.get("file")
    content = b""
    content_type = None
    if not isinstance(file, UploadFile) or not file.filename:
        errors.add(field, N_("Choose an XLSX or CSV file."))
    elif (content_type := content_type_of(file.filename)) is None:
        errors.add(field, N_("The file must be an XLSX or CSV file, like the templates."))
    elif (file.size or 0) > MAX_BYTES:
        errors.add(field, N_("The file is too large: it may be at most %(max)s."), max=size_text(MAX_BYTES, page.lang))
    else:
        content = await file.read()
        if not content:
            errors.add(field, N_("The file is empty. Choose a file with a header row and rows to import."))
    if errors or content_type is None or not isinstance(file, UploadFile):
        return overview(page, errors=errors, status=422)
    answer = await post_file(page, chosen, content, content_type, dry_run=True)
    if not answer.ok:
        return await _refused(page, chosen, answer, str(file.filename))
    kept_id = await web_imports.keep(
        page.request.app.state.uow,
        page.context(),
        account_id=page.user.id,
        kind=chosen.key,
        filename=str(file.filename),
        content_type=content_type,
        content=content,
        preview=answer.json if isinstance(answer.json, Mapping) else {},
    )
    return page.redirect(f"/imports/{chosen.key}/{kept_id}")


@router.get("/imports/{kind}/{kept_id}", dependencies=[IMPORTERS])
async def preview_or_result(page: Page, kind: str, kept_id: str) -> Response:
    """Before the confirmation, what the import will do; after it, what it did (or that it is not known yet)."""
    chosen = kind_for(page, kind)
    kept = await web_imports.find(
        page.request.app.state.uow, page.context(), kept_id, account_id=page.user.id, kind=chosen.key
    )
    if kept is None:
        return _gone(page)
    context: dict[str, Any] = {"kind": _section(page, chosen), "filename": kept.filename, "back": imports_home(page)}
    if kept.status in ("importing", "unknown"):
        context |= {"unknown": kept.status == "unknown", "register": _register(page, chosen)}
        return page.render("imports/pending.html", context)
    report = kept.result if kept.result is not None else kept.preview
    rows = int(report.get("rows") or 0)
    return page.render(
        "imports/result.html" if kept.status == "imported" else "imports/preview.html",
        {
            **context,
            "counts": _counts(page, chosen, report),
            "rows": rows,
            "button": page.gettext(N_("Import 1 row") if rows == 1 else N_("Import %(n)s rows"), n=rows),
            "overdue": int(report.get("overdue_notices_to_follow") or 0),
            "nothing_changes": rows > 0 and int(report.get("unchanged") or 0) == rows,
            "action": f"/imports/{chosen.key}/{kept.id}",
        },
    )


@router.post("/imports/{kind}/{kept_id}", dependencies=[IMPORTERS])
async def confirm(page: Page, kind: str, kept_id: str) -> Response:
    """The previewed file imported, once; the same address shows the result (a second confirmation imports
    nothing: it is sent there too)."""
    chosen = kind_for(page, kind)
    uow, ctx = page.request.app.state.uow, page.context()
    address = f"/imports/{chosen.key}/{kept_id}"
    taken = await web_imports.take(uow, ctx, kept_id, account_id=page.user.id, kind=chosen.key)
    if taken is None:  # already taken (its result, or "being imported", is at its address), or gone
        return page.redirect(address)
    try:
        answer = await post_file(page, chosen, taken.content, taken.content_type, dry_run=False)
    except NoAnswer:
        await web_imports.finish(uow, ctx, kept_id, None)
        return page.redirect(address)
    except Exception:
        await web_imports.release(uow, ctx, kept_id)  # nothing was imported: the file may be confirmed again
        raise
    if not answer.ok:
        await web_imports.forget(uow, ctx, kept_id)
        return await _refused(page, chosen, answer, taken.filename)
    await web_imports.finish(uow, ctx, kept_id, answer.json if isinstance(answer.json, Mapping) else {})
    return page.redirect(address)


def _register(page: Page, kind: Kind) -> str:
    """Where the person sees what an import recorded."""
    if kind.key != "msps":
        return "/tpoa/register"
    return "/ministry/msps" if page.user.role == "ministry" else "/msps"


def _gone(page: Page) -> Response:
    return page.redirect(
        imports_home(page),
        flash=N_("The file is no longer kept (a preview is kept for 30 minutes). Choose the file again."),
        kind="warning",
    )


def _counts(page: Page, kind: Kind, report: Mapping[str, Any]) -> list[dict[str, Any]]:
    names = ["rows", "added", "updated", "unchanged", *(MSP_COUNTS if kind.key == "msps" else ())]
    return [
        {"key": name, "label": page.gettext(COUNT_LABELS[name]), "value": int(report.get(name) or 0)} for name in names
    ]


async def _refused(page: Page, kind: Kind, answer: Answer, filename: str) -> Response:
    """The service's refusal of the file: each bad row in the problems table (422), else at the file's field."""
    field = f"{kind.key}.file"
    errors = page.errors()
    problem = answer.problem or {}
    if answer.status in (403, 422):
        failed = {
            "kind": _section(page, kind),
            "filename": filename,
            "problems": problems_of(problem, await column_headers(page, kind)),
        }
        return overview(page, failed=failed, status=422)
    if answer.status == 413:
        errors.add(field, N_("The file is too large: it may be at most %(max)s."), max=size_text(MAX_BYTES, page.lang))
    elif answer.status == 415:
        errors.add(field, N_("The file is not an XLSX or CSV file (its content was checked, not its name)."))
    else:
        errors.add_problem(problem, fields=set())
    return overview(page, errors=errors, status=answer.status)
