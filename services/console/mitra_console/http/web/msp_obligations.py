"""`/obligations/{id}`: one obligation of an MSP (an Action Plan, a work plan (RKT), a report) with its submissions
and the reviewers' comments. The NGO submits it with its funding lines (rows added and removed without JavaScript:
"Add another line" and "Remove" re-render the form), and again after a return, seeing the comment; the Mitra Utama
ministry accepts it or returns it with a comment; a regional work plan (RKT) only its region's office, the ministry
(and a province on its regency's plan) commenting on it instead, the comments listed with each submission.

Documents: the NGO attaches its file when submitting and, while the submission awaits review, more files (the main
document, annexes); everyone who sees the page lists and downloads each submission's files (the reviewer while
reviewing); the Mitra Utama ministry and TPOA make an annual report's documents public or private."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fastapi import Response

from mitra_console.http.web import documents
from mitra_console.http.web.documents import SIZE_GUARD
from mitra_console.http.web.kit import N_, FormErrors, Page, PageNotFound, web_allow, web_router
from mitra_console.http.web.msp_common import (
    NGO_ONLY,
    READERS,
    filled,
    funding_lines,
    may_comment,
    may_decide,
    may_submit,
    received_outside,
    regional_plan,
    renumber_problem,
    renumbered,
    row_count,
    rows,
    rows_changed,
    uuid_or_404,
)
from mitra_console.http.web.msp_panels import optional
from mitra_console.http.web.routing import LoginRequired, PageError

router = web_router()
DECIDERS = web_allow("ministry", "region", note="the Mitra Utama; a region's office the work plans of its area")
FUNDING_FIELDS = ("source", "amount", "currency", "use")
UUID_LIKE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)


async def find_obligation(page: Page, obligation_id: str, msp_hint: str | None) -> dict[str, Any]:
    """The obligation as the queue shows it (with its MSP and NGO). `?msp=` (set by the MSP page's links) finds it
    in one call; without it the person's queue is read through (it holds only what they may see)."""
    wanted = str(uuid_or_404(obligation_id))
    params: dict[str, Any] = {"limit": 500, "sort": "due_on"}
    if msp_hint:
        params["msp_id"] = str(uuid_or_404(msp_hint))
    offset = 0
    for _ in range(40):
        data = await page.api.get("agreements", "/obligations", params={**params, "offset": offset})
        for item in data["items"]:
            if str(item["id"]) == wanted:
                return dict(item)
        offset += len(data["items"])
        if not data["items"] or offset >= data["total"]:
            break
    if msp_hint:  # a stale hint: look everywhere
        return await find_obligation(page, obligation_id, None)
    raise PageNotFound(obligation_id)


async def render_obligation(
    page: Page,
    obligation_id: str,
    *,
    msp_hint: str | None = None,
    errors: FormErrors | None = None,
    form: Mapping[str, str] | None = None,
    status: int = 200,
    kept_upload: str = "",
) -> Response:
    """The obligation's page; `kept_upload`: a finished resumable upload not attached yet, kept in the shown upload
    form's hidden `upload_id` (its file is not sent again)."""
    obligation = await find_obligation(page, obligation_id, msp_hint)
    submissions = [
        {**item, "by": _person(item.get("submitted_by")), "decider": _person(item.get("decided_by"))}
        for item in await page.api.get("agreements", f"/obligations/{obligation['id']}/submissions")
    ]
    for item in submissions:
        item["thread"] = await _comments(page, item) if regional_plan(obligation) else []
    raw = {
        str(item["id"]): await documents.raw(page, "agreements", item, f"/submissions/{item['id']}/documents")
        for item in submissions
    }
    files = await documents.shown(page, "agreements", raw)
    for item in submissions:
        item["files"] = files[str(item["id"])]
    latest = submissions[-1] if submissions else None
    returned = latest if latest and latest["status"] == "returned" else None
    values = dict(form or {})
    if form is None and returned:  # a resubmission starts from what was returned
        values["summary"] = returned.get("summary", "")
        values["document_ref"] = returned.get("document_ref") or ""
        for index, line in enumerate(returned.get("funding") or []):
            for name in FUNDING_FIELDS:
                values[f"funding.{index}.{name}"] = str(line.get(name) if line.get(name) is not None else "")
        values["funding_rows"] = str(max(1, len(returned.get("funding") or [])))
    decidable = may_decide(page, obligation) and latest is not None and latest["status"] == "submitted"
    user = page.user
    attachable = (
        not received_outside(obligation)
        and latest is not None
        and latest["status"] == "submitted"
        and user.role == "ngo"
        and str(obligation.get("organization_id")) == str(user.organization_id)
    )
    publishes = obligation.get("kind") == "annual_report" and (
        user.role == "tpoa" or (user.role == "ministry" and user.ministry_code == obligation.get("ministry_code"))
    )
    chosen = (form or {}).get("purpose") or ("annex" if latest and latest["files"] else "main")
    return page.render(
        "msps/obligation.html",
        {
            "obligation": obligation,
            "outside": received_outside(obligation),
            "submissions": list(reversed(submissions)),
            "latest": latest,
            "returned": returned,
            "can_submit": may_submit(page, obligation),
            "decidable": decidable,
            "commentable": may_comment(page, obligation) and latest is not None,
            "form": values,
            "funding_rows": row_count(values, "funding"),
            "attach": documents.upload_form(
                page, "agreements", "doc", ("main", "annex"), purpose=chosen, upload_id=kept_upload
            )
            if attachable
            else None,
            "submit_upload": documents.upload_form(page, "agreements", "submit", ("main",), upload_id=kept_upload),
            "publishes": publishes,
            # the obligation's page (not the URL of a POST re-rendering it): where the publication form comes back to
            "back": f"/obligations/{obligation['id']}"
            + (f"?msp={obligation['msp_id']}" if obligation.get("msp_id") else ""),
        },
        errors=errors,
        status=status,
    )


async def _comments(page: Page, submission: dict[str, Any]) -> list[dict[str, Any]]:
    """The offices' comments on a submission (GET /submissions/{id} lists them); the reviewer's own comment on a
    decision stays the text it was."""
    detail = await optional(page, "agreements", f"/submissions/{submission['id']}")
    found = (detail or {}).get("comments")
    if isinstance(submission.get("comments"), list):
        found, submission["comments"] = submission["comments"], None
    return list(found) if isinstance(found, list) else []


def _person(subject: str | None) -> str | None:
    """Who, as the API names them: a username, not an account's opaque id (those are left out)."""
    if not subject or UUID_LIKE.match(subject):
        return None
    return subject


@router.get("/obligations/{obligation_id}", dependencies=[READERS])
async def obligation_page(page: Page, obligation_id: str) -> Response:
    return await render_obligation(page, obligation_id, msp_hint=page.request.query_params.get("msp"))


@router.post("/obligations/{obligation_id}/submissions/{submission_id}/documents", dependencies=[SIZE_GUARD, NGO_ONLY])
async def attach_document(page: Page, obligation_id: str, submission_id: str) -> Response:
    """The NGO attaches a file (the main document or an annex) to its submission awaiting review."""
    form = await page.form()
    hint = form.get("msp") or None
    purpose = form.get("purpose") or ""
    purpose = purpose if purpose in ("main", "annex") else "main"
    errors = page.errors()
    path = f"/submissions/{uuid_or_404(submission_id)}/documents"
    answer = await documents.attach(page, "agreements", path, purpose=purpose, key="doc", errors=errors)
    if answer is not None and answer.ok:
        suffix = f"?msp={hint}" if hint else ""
        return page.redirect(
            f"/obligations/{obligation_id}{suffix}",
            flash=N_("The file %(name)s is attached."),
            name=str((answer.json or {}).get("filename", "")),
        )
    return await render_obligation(
        page,
        obligation_id,
        msp_hint=hint,
        errors=errors,
        form=form,
        status=422,
        kept_upload=documents.kept_upload(page, form),
    )


@router.post("/obligations/{obligation_id}/submit", dependencies=[SIZE_GUARD, NGO_ONLY])
async def submit(page: Page, obligation_id: str) -> Response:
    form = await page.form()
    hint = form.get("msp") or None
    shown = rows(form, "funding", FUNDING_FIELDS, row_count({**form, "action": ""}, "funding"))
    if rows_changed(form):  # "add another line" or "remove": the same form again, nothing sent
        values = {**form, **renumbered("funding", shown)}
        if form.get("action") == "add_funding":
            values["funding_rows"] = str(min(len(shown) + 1, 20))
        return await render_obligation(page, obligation_id, msp_hint=hint, form=values)
    errors = page.errors()
    if len(form.get("summary", "").strip()) < 3:
        errors.add("summary", N_("Enter the text of the plan or report (at least 3 characters)."))
    lines = funding_lines(shown, errors)
    if not errors:
        body = {"summary": form["summary"], "document_ref": form.get("document_ref") or None, "funding": lines}
        answer = await page.api.send(
            "POST", "agreements", f"/obligations/{uuid_or_404(obligation_id)}/submissions", json=body
        )
        if answer.ok:
            suffix = f"?msp={hint}" if hint else ""
            submission_id = str((answer.json or {}).get("id", ""))
            refused = page.errors()
            try:
                attached = await documents.attach(
                    page,
                    "agreements",
                    f"/submissions/{uuid_or_404(submission_id)}/documents",
                    purpose="main",
                    key="doc",
                    errors=refused,
                    required=False,
                )
            except LoginRequired:
                raise
            except PageError:  # the submission is sent all the same: not "nothing was changed"
                attached = None
                refused.add("doc.file", N_("The file could not be attached just now. Attach it again below."))
            if refused or (attached is not None and not attached.ok):  # sent, but its file refused: attach it below
                errors.add(None, N_("The submission is sent, but its file is not attached:"))
                errors.extend(refused)
                return await render_obligation(
                    page,
                    obligation_id,
                    msp_hint=hint,
                    errors=errors,
                    status=422,
                    kept_upload=documents.kept_upload(page, form),
                )
            return page.redirect(
                f"/obligations/{obligation_id}{suffix}",
                flash=N_("Sent. The reviewer is told, and so are you when it is decided."),
            )
        index_of = [index for index, _row in filled(shown)]
        errors.add_problem(renumber_problem(answer.problem, "funding", index_of))
    values = {**form, **renumbered("funding", shown)}
    return await render_obligation(
        page,
        obligation_id,
        msp_hint=hint,
        errors=errors,
        form=values,
        status=422,
        kept_upload=documents.kept_upload(page, form),
    )


async def _decide(page: Page, obligation_id: str, submission_id: str, accept: bool) -> Response:
    form = await page.form()
    hint = form.get("msp") or None
    comments = form.get("comments", "").strip()
    errors = page.errors()
    if not accept and not comments:
        errors.add("comments", N_("Enter a comment: tell the NGO what to change."))
    if not errors:
        action = "accept" if accept else "return"
        answer = await page.api.send(
            "POST",
            "agreements",
            f"/submissions/{uuid_or_404(submission_id)}/{action}",
            json={"comments": comments or None},
        )
        if answer.ok:
            suffix = f"?msp={hint}" if hint else ""
            done = N_("Accepted. The NGO is told.") if accept else N_("Returned to the NGO with your comment.")
            return page.redirect(f"/obligations/{obligation_id}{suffix}", flash=done)
        errors.add_problem(answer.problem)
    return await render_obligation(page, obligation_id, msp_hint=hint, errors=errors, form=form, status=422)


@router.post("/obligations/{obligation_id}/submissions/{submission_id}/accept", dependencies=[DECIDERS])
async def accept(page: Page, obligation_id: str, submission_id: str) -> Response:
    return await _decide(page, obligation_id, submission_id, True)


@router.post("/obligations/{obligation_id}/submissions/{submission_id}/return", dependencies=[DECIDERS])
async def return_(page: Page, obligation_id: str, submission_id: str) -> Response:
    return await _decide(page, obligation_id, submission_id, False)


@router.post("/obligations/{obligation_id}/submissions/{submission_id}/comments", dependencies=[DECIDERS])
async def comment(page: Page, obligation_id: str, submission_id: str) -> Response:
    """The ministry (or a province) comments on a regional work plan it does not decide."""
    form = await page.form()
    hint = form.get("msp") or None
    errors = page.errors()
    text = form.get("comment", "").strip()
    if len(text) < 3:
        errors.add("comment", N_("Enter your comment on the work plan."))
    else:
        path = f"/submissions/{uuid_or_404(submission_id)}/comments"
        answer = await page.api.send("POST", "agreements", path, json={"comment": text})
        if answer.ok:
            suffix = f"?msp={hint}" if hint else ""
            flash = N_("Your comment is sent. The NGO and the region's office are told.")
            return page.redirect(f"/obligations/{obligation_id}{suffix}", flash=flash)
        errors.add_problem(answer.problem, fields={"comment"})
    return await render_obligation(page, obligation_id, msp_hint=hint, errors=errors, form=form, status=422)
