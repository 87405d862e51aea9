"""The ministry's pages (`/ministry`...): its work first. What waits for its review (submissions), what is due or
overdue across its MSPs (obligations), the recommendations to decide (with the decision form), the MSPs awaiting its
signature, and its MSPs (Mitra Utama). The agreements API keeps each list to the ministry's own MSPs (the token's
scope); accepting or returning a submission and signing an MSP happen on the MSP and obligation pages (/msps/...,
/obligations/..., helper pages-ngo), which these lists link to."""

from __future__ import annotations

from fastapi import Response

from mitra_console.http.web import documents
from mitra_console.http.web.kit import N_, Page, Paging, Sorting, add_nav, all_of, web_allow, web_router
from mitra_console.http.web.msp_panels import open_reviews
from mitra_console.http.web.offices_labels import KINDS, LABELS, choice, day_filter, filters, labels, options, uuid_of

router = web_router()
MINISTRY = web_allow("ministry", note="its own MSPs (Mitra Utama): the agreements API filters by the token's scope")
add_nav("ministry", "/ministry/submissions", N_("To review"))
add_nav("ministry", "/ministry/obligations", N_("Due and overdue"))
add_nav("ministry", "/ministry/recommendations", N_("Recommendations"))
add_nav("ministry", "/ministry/msps", N_("MSPs"))

OBLIGATION_KINDS = {key: KINDS[key] for key in ("action_plan", "work_plan", "semester_report", "annual_report")}
OBLIGATION_STATES = {
    key: LABELS[key]
    for key in ("overdue", "pending", "returned", "submitted", "accepted", "closed", "received_outside")
}
MSP_STATES = {
    key: LABELS[key]
    for key in ("submitted", "approved", "signed", "active", "extended", "ended", "terminated", "rejected", "draft")
}
RECOMMENDATION_KINDS = {key: KINDS[key] for key in ("visa", "tax_exemption")}
RECOMMENDATION_STATES = {key: LABELS[key] for key in ("requested", "issued")}
SHOWN_ON_HOME = 5


@router.get("/ministry", dependencies=[MINISTRY])
async def ministry_home(page: Page) -> Response:
    first = {"limit": SHOWN_ON_HOME, "offset": 0}
    submissions, for_comment, overdue, recommendations, to_sign, msps, reviews = await all_of(
        page.api.get("agreements", "/submissions", params={**first, "decidable": "true"}),
        page.api.get(
            "agreements", "/submissions", params={"limit": 1, "offset": 0, "kind": "work_plan", "decidable": "false"}
        ),
        page.api.get("agreements", "/obligations", params={**first, "status": "overdue"}),
        page.api.get("agreements", "/recommendations", params={**first, "status": "requested"}),
        page.api.get("agreements", "/msps", params={**first, "status": "approved"}),
        page.api.get("agreements", "/msps", params=first),
        open_reviews(page),
    )
    return page.render(
        "ministry/home.html",
        {
            "submissions": submissions,
            "for_comment_total": for_comment["total"],
            "reviews": reviews,
            "overdue": overdue,
            "recommendations": recommendations,
            "to_sign": to_sign,
            "msps": msps,
            **labels(),
        },
    )


@router.get("/ministry/submissions", dependencies=[MINISTRY])
async def submissions(page: Page) -> Response:
    """What the ministry accepts or returns (`decidable`); `?for=comment`: the regional work plans of its MSPs, which
    only their region's office decides and the ministry comments on."""
    paging = Paging.from_request(page)
    sorting = Sorting.from_request(page, ("submitted_at", "due_on"), default="submitted_at")
    for_comment = choice(page, "for", ("comment",)) == "comment"
    kind = "work_plan" if for_comment else choice(page, "kind", OBLIGATION_KINDS)
    data = await page.api.get(
        "agreements",
        "/submissions",
        params={
            "limit": paging.limit,
            "offset": paging.offset,
            "sort": sorting.value,
            "kind": kind,
            "decidable": "false" if for_comment else "true",
        },
    )
    return page.render(
        "ministry/submissions.html",
        {
            "items": data["items"],
            "total": data["total"],
            "links": paging.links(data["total"]),
            "sorting": sorting,
            "chosen": filters(page, "kind", "for"),
            "for_comment": for_comment,
            "kind_options": options(page, OBLIGATION_KINDS, blank=N_("Every kind")),
            **labels(),
        },
    )


@router.get("/ministry/obligations", dependencies=[MINISTRY])
async def obligations(page: Page) -> Response:
    """Due or overdue across its MSPs: by default what is still open (overdue, pending, returned)."""
    paging = Paging.from_request(page)
    sorting = Sorting.from_request(page, ("due_on", "organization_name"), default="due_on")
    errors = page.errors()
    status = choice(page, "status", OBLIGATION_STATES)
    kind = choice(page, "kind", OBLIGATION_KINDS)
    due_before = day_filter(page, "due_before", errors)
    data = await page.api.get(
        "agreements",
        "/obligations",
        params={
            "limit": paging.limit,
            "offset": paging.offset,
            "sort": sorting.value,
            "status": [status] if status else ["overdue", "pending", "returned"],
            "kind": kind,
            "due_before": due_before,
        },
    )
    return page.render(
        "ministry/obligations.html",
        {
            "items": data["items"],
            "total": data["total"],
            "links": paging.links(data["total"]),
            "sorting": sorting,
            "chosen": filters(page, "status", "kind", "due_before"),
            "status_options": options(page, OBLIGATION_STATES, blank=N_("Open (overdue, pending, returned)")),
            "kind_options": options(page, OBLIGATION_KINDS, blank=N_("Every kind")),
            **labels(),
        },
        errors=errors,
    )


@router.get("/ministry/msps", dependencies=[MINISTRY])
async def msps(page: Page) -> Response:
    paging = Paging.from_request(page)
    status = choice(page, "status", MSP_STATES)
    data = await page.api.get(
        "agreements", "/msps", params={"limit": paging.limit, "offset": paging.offset, "status": status}
    )
    return page.render(
        "ministry/msps.html",
        {
            "items": data["items"],
            "total": data["total"],
            "links": paging.links(data["total"]),
            "chosen": filters(page, "status"),
            "status_options": options(page, MSP_STATES, blank=N_("Every status")),
            **labels(),
        },
    )


@router.get("/ministry/recommendations", dependencies=[MINISTRY])
async def recommendations(page: Page) -> Response:
    paging = Paging.from_request(page)
    sorting = Sorting.from_request(page, ("requested_at",), default="requested_at")
    status = choice(page, "status", (*RECOMMENDATION_STATES, "all"))
    kind = choice(page, "kind", RECOMMENDATION_KINDS)
    data = await page.api.get(
        "agreements",
        "/recommendations",
        params={
            "limit": paging.limit,
            "offset": paging.offset,
            "sort": sorting.value,
            "status": None if status == "all" else status or "requested",
            "kind": kind,
        },
    )
    status_options = [
        ("", page.gettext(N_("To decide"))),
        ("issued", page.gettext(N_("Decided"))),
        ("all", page.gettext(N_("Every status"))),
    ]
    return page.render(
        "ministry/recommendations.html",
        {
            "items": data["items"],
            "total": data["total"],
            "links": paging.links(data["total"]),
            "sorting": sorting,
            "chosen": filters(page, "status", "kind"),
            "status_options": status_options,
            "kind_options": options(page, RECOMMENDATION_KINDS, blank=N_("Every kind")),
            **labels(),
        },
    )


async def _recommendation_page(
    page: Page, recommendation_id: str, *, form: dict[str, str] | None = None, errors: object = None
) -> Response:
    recommendation = await page.api.get("agreements", f"/recommendations/{recommendation_id}")
    msp = await page.api.get("agreements", f"/msps/{recommendation['msp_id']}")
    files = await documents.listed(
        page, "agreements", recommendation, f"/recommendations/{recommendation_id}/documents"
    )
    # the deciding ministry may add the signed scan of its letter once it has decided
    issued = recommendation["status"] == "issued"
    attach = documents.upload_form(page, "agreements", "letter", ("letter",)) if issued else None
    return page.render(
        "ministry/recommendation.html",
        {"item": recommendation, "msp": msp, "form": form or {}, "files": files, "attach": attach, **labels()},
        errors=errors,  # type: ignore[arg-type]
        status=422 if errors else 200,
    )


@router.get("/ministry/recommendations/{recommendation_id}", dependencies=[MINISTRY])
async def recommendation(page: Page, recommendation_id: str) -> Response:
    return await _recommendation_page(page, uuid_of(recommendation_id))


@router.post("/ministry/recommendations/{recommendation_id}/decide", dependencies=[MINISTRY])
async def decide_recommendation(page: Page, recommendation_id: str) -> Response:
    """Grant or refuse a request under a reference number (agreements: POST /recommendations/{id}/issue)."""
    recommendation_id = uuid_of(recommendation_id)
    form = await page.form()
    errors = page.errors()
    granted = form.get("granted", "")
    if granted not in ("yes", "no"):
        errors.add("granted", N_("Choose whether to grant or refuse the recommendation."))
    if not form.get("reference_number", "").strip():
        errors.add("reference_number", N_("Enter the reference number of the decision letter."))
    if granted == "no" and not form.get("note", "").strip():
        errors.add("note", N_("Say why the recommendation is refused."))
    if not errors:
        answer = await page.api.send(
            "POST",
            "agreements",
            f"/recommendations/{recommendation_id}/issue",
            json={
                "granted": granted == "yes",
                "reference_number": form["reference_number"].strip(),
                "note": form.get("note", "").strip() or None,
            },
        )
        if answer.ok:
            message = N_("The recommendation is granted.") if granted == "yes" else N_("The recommendation is refused.")
            return page.redirect(f"/ministry/recommendations/{recommendation_id}", flash=message)
        errors.add_problem(answer.problem)
    return await _recommendation_page(page, recommendation_id, form=form, errors=errors)


@router.post("/ministry/recommendations/{recommendation_id}/documents", dependencies=[documents.SIZE_GUARD, MINISTRY])
async def attach_letter(page: Page, recommendation_id: str) -> Response:
    """The deciding ministry attaches the signed scan of its recommendation letter."""
    recommendation_id = uuid_of(recommendation_id)
    errors = page.errors()
    path = f"/recommendations/{recommendation_id}/documents"
    answer = await documents.attach(page, "agreements", path, purpose="letter", key="letter", errors=errors)
    if answer is not None and answer.ok:
        name = str((answer.json or {}).get("filename", ""))
        flash = N_("The file %(name)s is attached.")
        return page.redirect(f"/ministry/recommendations/{recommendation_id}", flash=flash, name=name)
    return await _recommendation_page(page, recommendation_id, errors=errors)
