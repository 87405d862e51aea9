"""The MSP pages every role that reads agreements shares: `/msps` (the list the API scopes to the person: an NGO's
own, a ministry's as Mitra Utama, those working in a region's area, all for TPOA and the auditor) and `/msps/{id}`
(its summary, its obligations on a timeline with their submissions and the reviewers' comments, and the actions
the person's role may take in the MSP's state), and its documents: the signed MSP, amendments and annexes, attached by
its parties (the NGO, the Mitra Utama ministry) and TPOA, which the ministry and TPOA make public or private."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Response

from mitra_console.http.web import documents, msp_panels
from mitra_console.http.web.kit import (
    N_,
    FormErrors,
    Page,
    PageError,
    Paging,
    Sorting,
    all_of,
    web_allow,
    web_router,
)
from mitra_console.http.web.msp_common import IN_FORCE, READERS, is_mitra_utama, may_decide, uuid_or_404
from mitra_console.http.web.routing import LoginRequired

router = web_router()

MSP_STATUSES = ("draft", "submitted", "approved", "rejected", "signed", "active", "extended", "ended", "terminated")
SUBMISSION_STATUSES = ("submitted", "accepted", "returned")
CLOSED = frozenset({"ended", "terminated", "rejected"})
MONITORED = IN_FORCE | {"ended", "terminated"}
MSP_DOCUMENT_PURPOSES = ("signed_msp", "amendment", "annex")
PARTIES = web_allow("ngo", "ministry", "tpoa", note="the MSP's parties and TPOA (agreements checks)")


@router.get("/msps", dependencies=[READERS])
async def msp_list(page: Page) -> Response:
    query = page.request.query_params
    status = query.get("status") if query.get("status") in MSP_STATUSES else None
    paging = Paging.from_request(page, per_page=20)
    # agreements lists the newest first; the console sorts the page it shows by the column asked for
    sorting = Sorting.from_request(page, ("title", "starts_on", "ends_on", "created_at"), default="-created_at")
    data = await page.api.get(
        "agreements", "/msps", params={"status": status, "limit": paging.limit, "offset": paging.offset}
    )
    items = sorted(data["items"], key=lambda msp: str(msp.get(sorting.key) or ""), reverse=sorting.descending)
    return page.render(
        "msps/list.html",
        {
            "items": items,
            "total": data["total"],
            "links": paging.links(data["total"]),
            "sorting": sorting,
            "status": status or "",
            "statuses": MSP_STATUSES,
            "filtered": bool(status),
        },
    )


@router.get("/msps/{msp_id}", dependencies=[READERS])
async def msp_page(page: Page, msp_id: str) -> Response:
    return await render_msp(page, msp_id)


async def render_msp(
    page: Page,
    msp_id: str,
    *,
    errors: FormErrors | None = None,
    form: Mapping[str, str] | None = None,
    action: str = "",
    status: int = 200,
) -> Response:
    """The MSP's page; after a refused action, with its errors next to that action's form (still open)."""
    key = str(uuid_or_404(msp_id))
    path = f"/msps/{key}"
    # a TPOA member ministry reads the MSP it reviews, not its obligations (nor their submissions)
    msp, found_obligations, found_submissions = await all_of(
        page.api.get("agreements", path),
        msp_panels.optional(page, "agreements", f"{path}/obligations"),
        _submissions_or_refusal(page, key),
    )
    obligations = msp_panels.items_of(found_obligations)
    if obligations and isinstance(found_submissions, PageError):
        raise found_submissions
    submissions = found_submissions if obligations and isinstance(found_submissions, dict) else {}
    timeline = [
        {
            **obligation,
            "ministry_code": msp["ministry_code"],
            "organization_id": msp["organization_id"],
            "submissions": submissions.get(str(obligation["id"]), []),
        }
        for obligation in obligations
    ]
    for item in timeline:
        item["decidable"] = may_decide(page, item) and any(s["status"] == "submitted" for s in item["submissions"])
    user = page.user
    pending = msp.get("pending_extension") or None
    review = None
    # the TPOA team's review of the MSP, or of its pending extension: the government's deliberation, not the NGO's
    reviewed = msp["status"] != "draft" and user.role != "ngo"
    found_review, files, monitoring = await all_of(
        msp_panels.optional(page, "agreements", f"/msps/{msp['id']}/review") if reviewed else None,
        documents.listed(page, "agreements", msp, f"/msps/{msp['id']}/documents"),
        msp_panels.monitoring(page, msp) if msp["status"] in MONITORED else None,
    )
    if reviewed:
        review = msp_panels.review_state(found_review, user.role, user.ministry_code)
    actions = {
        "submit": user.role == "ngo" and msp["status"] == "draft",
        "ask": user.role == "ngo" and msp["status"] in IN_FORCE,
        "review": user.role == "tpoa" and msp["status"] == "submitted",
        "sign": is_mitra_utama(page, msp) and msp["status"] == "approved",
        "extend": is_mitra_utama(page, msp) and msp["status"] in IN_FORCE and not pending,
        "extension": user.role == "tpoa" and msp["status"] in IN_FORCE and bool(pending),
        "terminate": is_mitra_utama(page, msp) and msp["status"] in IN_FORCE,
    }
    funding = [
        {**line, "obligation": item}
        for item in timeline
        for submission in item["submissions"][-1:]
        if submission["status"] != "returned"
        for line in submission.get("funding") or []
    ]
    party = (
        user.role == "tpoa"
        or is_mitra_utama(page, msp)
        or (user.role == "ngo" and str(user.organization_id) == str(msp["organization_id"]))
    )
    attach = (
        documents.upload_form(
            page, "agreements", "msp", MSP_DOCUMENT_PURPOSES, purpose=(form or {}).get("purpose", "signed_msp")
        )
        if party and msp["status"] not in CLOSED
        else None
    )
    counts: dict[str, int] = {}
    for item in timeline:
        counts[item["status"]] = counts.get(item["status"], 0) + 1
    return page.render(
        "msps/detail.html",
        {
            "msp": msp,
            "timeline": timeline,
            "counts": counts,
            "funding": funding,
            "actions": actions,
            "in_force": msp["status"] in IN_FORCE,
            "form": form or {},
            "open_action": action,
            "signatory_rows": _signatory_rows(form),
            "files": files,
            "attach": attach,
            "publishes": user.role == "tpoa" or is_mitra_utama(page, msp),
            "review": review,
            "pending": pending,
            "monitoring": monitoring,
            "panels": msp_panels,
        },
        errors=errors,
        status=status,
    )


@router.post("/msps/{msp_id}/documents", dependencies=[documents.SIZE_GUARD, PARTIES])
async def attach_document(page: Page, msp_id: str) -> Response:
    """A party attaches the signed MSP, an amendment or an annex."""
    form = await page.form()
    purpose = form.get("purpose") or ""
    purpose = purpose if purpose in MSP_DOCUMENT_PURPOSES else "annex"
    errors = page.errors()
    path = f"/msps/{uuid_or_404(msp_id)}/documents"
    answer = await documents.attach(page, "agreements", path, purpose=purpose, key="msp", errors=errors)
    if answer is not None and answer.ok:
        name = str((answer.json or {}).get("filename", ""))
        return page.redirect(f"/msps/{msp_id}#documents-title", flash=N_("The file %(name)s is attached."), name=name)
    return await render_msp(page, msp_id, errors=errors, form=form, status=422)


def _signatory_rows(form: Mapping[str, str] | None) -> int:
    try:
        return max(2, min(int((form or {}).get("signatories_rows", 2)), 20))
    except ValueError:
        return 2


async def _submissions_or_refusal(page: Page, msp_id: str) -> dict[str, list[dict[str, Any]]] | PageError:
    """The MSP's submissions (`_submissions`), asked together with its obligations; a refusal is returned, not
    raised: it matters only when the obligations are shown."""
    try:
        return await _submissions(page, msp_id)
    except LoginRequired:
        raise
    except PageError as refusal:
        return refusal


async def _submissions(page: Page, msp_id: str) -> dict[str, list[dict[str, Any]]]:
    """Every submission of the MSP's obligations, first to last, by obligation (one call, however many)."""
    found: dict[str, list[dict[str, Any]]] = {}
    offset = 0
    while True:
        data = await page.api.get(
            "agreements",
            "/submissions",
            params={
                "msp_id": msp_id,
                "status": list(SUBMISSION_STATUSES),
                "sort": "submitted_at",
                "limit": 500,
                "offset": offset,
            },
        )
        for item in data["items"]:
            found.setdefault(str(item["obligation_id"]), []).append(item)
        offset += len(data["items"])
        if not data["items"] or offset >= data["total"]:
            return found
