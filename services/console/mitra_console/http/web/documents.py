"""Documents on the console's pages (issue 13): the files attached to submissions, MSPs, recommendations and permits
live in the services (registry, agreements, reporting); the console lists them, passes downloads through, and
attaches files for the person with their token.

- `GET /documents/{service}/{id}`: the service's file streamed through chunk by chunk (never whole in memory),
  with its Content-Type, Content-Disposition and Content-Length.
- Attaching without JavaScript: the page's form posts `multipart/form-data` to a route of the page's module, which
  calls `attach(page, service, api_path, purpose=..., key=..., errors=...)`: the file part (spooled to a temporary
  file by the form parser) is sent on to the service's multipart endpoint. A body beyond the size limit and the
  form's margin is refused with the 413 page (`Connection: close`): unread when it says its length, else as soon
  as the count passes the limit, before the CSRF and role checks (routing.MultipartBodyLimit, on every page route).
  A refusal (413 too large, 415 not an allowed type...) is shown in the error summary at the form's file input.
- Attaching with JavaScript (`static/js/documents.js`, tus-js-client): the file goes first, resumably, to the
  service's tus endpoint through the proxy `/uploads/{service}[/{id}]` (POST, HEAD, PATCH, DELETE passed on with
  the session's token, the PATCH body streamed through; the `X-CSRF-Token` header the page gives), then the same
  form is posted with the finished upload's id (`upload_id`), which `attach` sends as JSON `{upload_id, purpose}`.
  An upload the service refuses as a file (413, 415, 422) is deleted at once (the person chooses the file again);
  one not sent yet (another field refused) or not answered for (the service down) is kept in the re-shown form
  (`kept_upload`). A tus refusal other than 413 (409: too many unfinished uploads) makes the script post the file
  with the form instead.
- `POST /documents/agreements/{id}/publication`: the Mitra Utama ministry or TPOA makes a document public or private.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress
from typing import Any
from uuid import UUID

from fastapi import Depends, Request, Response
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile
from starlette.responses import StreamingResponse

from mitra_console.domain import web
from mitra_console.http.web.i18n import N_
from mitra_console.http.web.kit import Answer, FormErrors, Page, PageNotFound, web_allow, web_router
from mitra_console.http.web.policy import PEOPLE_ROLES
from mitra_console.http.web.routing import FORM_MARGIN, FileTooLarge, PageError, ServiceUnavailable
from mitra_console.usecases import accounts

router = web_router()

SERVICES = ("registry", "agreements", "reporting")
"""The services that keep documents (notifications keeps none)."""
READERS = web_allow(*PEOPLE_ROLES, note="whoever may read the object the document belongs to: the service decides")
UPLOADERS = web_allow(*PEOPLE_ROLES, note="a person's own resumable upload; the service checks who attaches it")
PUBLISHERS = web_allow("ministry", "tpoa", note="the MSP's Mitra Utama ministry or TPOA: agreements decides")

TYPE_LABELS = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
    "application/vnd.oasis.opendocument.text": "ODT",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
}
ACCEPT = ",".join([".pdf", ".docx", ".xlsx", ".odt", ".jpg", ".jpeg", ".png", *TYPE_LABELS])
PURPOSES = {
    "main": N_("Main document"),
    "annex": N_("Annex"),
    "signed_msp": N_("Signed MSP"),
    "amendment": N_("Amendment"),
    "supporting": N_("Supporting document"),
    "letter": N_("Signed letter (scan)"),
    "scan": N_("Permit scan"),
    "photo": N_("Photo"),
}
GENERATED_LETTER = N_("Recommendation letter")

DOWNLOAD_HEADERS = ("content-type", "content-disposition", "content-length", "etag", "last-modified")


def max_bytes(page: Page) -> int:
    """MITRA_DOCUMENTS_MAX_BYTES, as the services have it (25 MB unless set)."""
    return page.state.settings.documents_max_bytes


def size_text(size: int | None, lang: str) -> str:
    """`820 KB`, `2,4 MB` (the language's decimal sign); bytes under 1 KB are `1 KB`."""
    from babel.numbers import format_decimal

    if size is None:
        return ""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{format_decimal(round(size / (1024 * 1024), 1), format='#,##0.#', locale=lang)} MB"


def limit_text(page: Page) -> str:
    return size_text(max_bytes(page), page.lang)


def checked_uuid(value: str) -> UUID:
    """The id in a path, or the page is not found."""
    try:
        return UUID(value)
    except ValueError:
        raise PageNotFound(value) from None


def checked_service(name: str) -> str:
    """A service that keeps documents, or the page is not found."""
    if name not in SERVICES:
        raise PageNotFound(name)
    return name


# --- lists ------------------------------------------------------------------------------------------------------------


async def raw(page: Page, service: str, view: Mapping[str, Any], list_path: str) -> list[Mapping[str, Any]]:
    """The object's documents as the service gives them: those its view carries (`documents`), else its
    `.../documents` list (none when the service has no such list)."""
    documents = view.get("documents")
    if documents is None:
        answer = await page.api.relay("GET", service, list_path, headers={})
        documents = answer.json() if answer.status_code == 200 and answer.content else []
    return list(documents)


async def listed(page: Page, service: str, view: Mapping[str, Any], list_path: str) -> list[dict[str, Any]]:
    """The object's documents (`raw`), as the pages show them (`shown`)."""
    return (await shown(page, service, {"": await raw(page, service, view, list_path)}))[""]


async def shown(
    page: Page, service: str, by_owner: Mapping[str, Sequence[Mapping[str, Any]]]
) -> dict[str, list[dict[str, Any]]]:
    """Documents as the pages show them, by owner (one look-up of the uploaders' names for all): a generated letter
    first, then oldest first; with their type label, purpose label, size text, download URL and uploader's name."""
    subjects = {
        UUID(str(item["uploaded_by"]))
        for items in by_owner.values()
        for item in items
        if _ischecked_uuid(str(item.get("uploaded_by") or ""))
    }
    names = await accounts.display_names(page.request.app.state.uow, sorted(subjects)) if subjects else {}
    result: dict[str, list[dict[str, Any]]] = {}
    for owner, items in by_owner.items():
        rows = []
        for item in items:
            by = str(item.get("uploaded_by") or "")
            name = names.get(UUID(by)) if _ischecked_uuid(by) else by
            generated = bool(item.get("generated"))
            purpose = str(item.get("purpose") or "")
            label = GENERATED_LETTER if generated and purpose == "letter" else PURPOSES.get(purpose, purpose)
            rows.append(
                {
                    **item,
                    "type_label": TYPE_LABELS.get(str(item.get("content_type")), str(item.get("content_type") or "")),
                    "purpose_label": page.gettext(label) if label else "",
                    "size_text": size_text(item.get("size"), page.lang),
                    "url": f"/documents/{service}/{item['id']}",
                    "by": name if name and not (generated and by.startswith("system")) else None,
                    "service": service,
                }
            )
        rows.sort(key=lambda row: (not (row.get("generated") and row.get("purpose") == "letter"), row["uploaded_at"]))
        result[owner] = rows
    return result


def _ischecked_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True


# --- attaching --------------------------------------------------------------------------------------------------------


async def refuse_oversized(request: Request) -> None:
    """Before the form is read: a body longer than the limit allows is refused unread (a page saying so)."""
    length = request.headers.get("content-length", "")
    limit = int(request.app.state.resources.settings.documents_max_bytes)
    if length.isdigit() and int(length) > limit + FORM_MARGIN:
        raise FileTooLarge(size_text(limit, "en"))


SIZE_GUARD: Any = Depends(refuse_oversized)
"""First in an attaching route's `dependencies` (before its `web_allow`, which reads the form for its CSRF token)."""


DISCARDED = (413, 415, 422)
"""The service's refusals of an upload as a file (too large, not an allowed type, not valid): never attachable."""


async def attach(
    page: Page, service: str, path: str, *, purpose: str, key: str, errors: FormErrors, required: bool = True
) -> Answer | None:
    """Sends the posted form's file (`file`) or finished resumable upload (`upload_id`) to the service's documents
    endpoint `path` with `purpose`. Its refusal goes to `errors` at the field `<key>.file` (the form's file input);
    None when nothing was sent (no file chosen and not `required`, or a refusal before sending).

    A chosen file wins over an upload id (a form re-shown with a kept upload, then a file chosen without
    JavaScript). An upload the service refuses as a file (413, 415, 422) is deleted at once, and the person chooses
    the file again; one the service answered for otherwise is spent too (`kept_upload` gives it no more)."""
    form = await page.request.form()
    upload_id = form.get("upload_id")
    upload = upload_id.strip() if isinstance(upload_id, str) else ""
    file = form.get("file")
    field = f"{key}.file"
    if isinstance(file, UploadFile) and file.filename and (file.size or 0) > 0:
        if _ischecked_uuid(upload):
            await discard_upload(page, service, upload)
        if (file.size or 0) > max_bytes(page):
            errors.add(field, N_("The file is too large: a file may be at most %(max)s."), max=limit_text(page))
            return None
        try:
            answer = await page.api.upload(
                service,
                path,
                file=file.file,
                filename=file.filename,
                content_type=file.content_type or "application/octet-stream",
                data={"purpose": purpose},
            )
        finally:
            await file.close()  # its temporary file goes now, not when the request is collected
    elif upload:
        if not _ischecked_uuid(upload):
            errors.add(field, N_("The upload was not finished. Choose the file again."))
            return None
        page.request.state.upload_spent = True  # unless the service does not answer (`kept_upload`)
        try:
            answer = await page.api.send("POST", service, path, json={"upload_id": upload, "purpose": purpose})
        except PageNotFound:  # the upload is gone (expired, attached already); were the object gone, so is its page
            errors.add(field, N_("The upload was not found. Choose the file again."))
            return None
        except ServiceUnavailable:
            page.request.state.upload_spent = False  # still there, still attachable
            raise
        if answer.status in DISCARDED:
            await discard_upload(page, service, upload)
    else:
        if required:
            if isinstance(file, UploadFile) and file.filename:
                errors.add(field, N_("The file is empty. Choose another file."))
            else:
                errors.add(field, N_("Choose a file to attach."))
        return None
    if not answer.ok:
        refusal(page, answer, key, errors)
    return answer


async def discard_upload(page: Page, service: str, upload_id: str) -> None:
    """Deletes a finished upload that will not be attached (tus termination; the service's sweeper deletes it on
    expiry if this fails)."""
    page.request.state.upload_spent = True
    with suppress(PageError):
        await page.api.relay("DELETE", service, f"/uploads/{upload_id}", headers={"Tus-Resumable": "1.0.0"})


def kept_upload(page: Page, form: Mapping[str, str]) -> str:
    """The posted finished upload's id while it may still be attached (`attach` did not use it up: not sent, or the
    service did not answer): a 422 re-render keeps it in the form's hidden `upload_id`, so the file is not sent
    again."""
    upload = str(form.get("upload_id") or "").strip()
    if not _ischecked_uuid(upload) or getattr(page.request.state, "upload_spent", False):
        return ""
    return upload


def refusal(page: Page, answer: Answer, key: str, errors: FormErrors) -> None:
    """A service's refusal of a file, in the person's words, at the form's fields."""
    field = f"{key}.file"
    if answer.status == 413:
        errors.add(field, N_("The file is too large: a file may be at most %(max)s."), max=limit_text(page))
    elif answer.status == 415:
        errors.add(
            field,
            N_(
                "The file is not a PDF, DOCX, XLSX, ODT, JPEG or PNG file (its content was checked, not its name). "
                "Choose a file of one of those types."
            ),
        )
    elif answer.status == 409 and "upload" in str(answer.problem or {}).lower():
        errors.add(field, N_("The upload was not finished. Choose the file again."))
    else:
        problem = dict(answer.problem or {})
        renamed = []
        for error in problem.get("errors") or []:
            name = str(error.get("field") or "").removeprefix("body.")
            if name in ("file", "purpose", "upload_id"):
                error = {**error, "field": f"{key}.{'file' if name == 'upload_id' else name}"}
            renamed.append(error)
        problem["errors"] = renamed
        errors.add_problem(problem)


def upload_form(page: Page, service: str, key: str, purposes: Sequence[str], **extra: Any) -> dict[str, Any]:
    """What the `upload_form` macro (kit/documents.html) shows: the service of the resumable upload, the form's key
    (its inputs' ids), the purposes to choose from (labelled), the types and size in the hint."""
    return {
        "service": service,
        "key": key,
        "purposes": [(purpose, page.gettext(PURPOSES[purpose])) for purpose in purposes],
        "limit": limit_text(page),
        "max_bytes": max_bytes(page),
        "accept": ACCEPT,
        **extra,
    }


# --- downloads --------------------------------------------------------------------------------------------------------


@router.get("/documents/{service}/{document_id}", dependencies=[READERS])
async def download(page: Page, service: str, document_id: str) -> Response:
    """The service's file, streamed through as it arrives (whoever may read the object; the service decides)."""
    response = await page.api.open_stream(checked_service(service), f"/documents/{checked_uuid(document_id)}")
    headers = {name: response.headers[name] for name in DOWNLOAD_HEADERS if name in response.headers}
    if "content-encoding" in response.headers:  # asked for identity; if encoded all the same, passed on decoded
        headers.pop("content-length", None)
    headers["cache-control"] = "private, no-store"
    headers.setdefault("content-disposition", "attachment")
    return StreamingResponse(
        response.aiter_bytes(),
        status_code=200,
        headers=headers,
        media_type=None,
        background=BackgroundTask(response.aclose),
    )


@router.post("/documents/agreements/{document_id}/publication", dependencies=[PUBLISHERS])
async def publication(page: Page, document_id: str) -> Response:
    """Make an MSP's or an annual report's document public (in the IATI export) or private again."""
    form = await page.form()
    public = form.get("public") == "true"
    back = web.safe_next(form.get("next") or "/")
    answer = await page.api.send(
        "PUT", "agreements", f"/documents/{checked_uuid(document_id)}/publication", json={"public": public}
    )
    if answer.ok:
        if public:
            return page.redirect(back, flash=N_("The document is public: it is listed in the open data."))
        return page.redirect(back, flash=N_("The document is private."))
    problem = answer.problem or {}
    reason = str(problem.get("detail") or problem.get("title") or answer.status)
    return page.redirect(back, flash=N_("The document was not changed: %(reason)s"), kind="warning", reason=reason)
