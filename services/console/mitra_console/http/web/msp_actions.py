"""The actions on an MSP, each a plain form on its page (POST → redirect → GET): the NGO submits its draft; the TPOA
team's member ministries clear it or object (with a note); TPOA approves (refused while a member objects or is
awaited: the reason is shown at the approve button) or rejects it with a reason; its Mitra Utama ministry records
the signing (date, signatories), asks TPOA for an extension (TPOA approves or rejects it) or ends it early. A refusal
is shown on the MSP's page next to the field the API names."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Response

from mitra_console.http.web.kit import N_, Page, web_allow, web_router
from mitra_console.http.web.msp_common import NGO_ONLY, about_the_form, rows, uuid_or_404, valid_date
from mitra_console.http.web.msp_panels import VERDICTS
from mitra_console.http.web.msps import render_msp

router = web_router()
TPOA = web_allow("tpoa", note="not whoever drafted or submitted the MSP (four eyes)")
MINISTRY = web_allow("ministry", note="the MSP's Mitra Utama ministry (its ministry_code)")
SIGNATORY_FIELDS = ("name", "title", "party")


async def _send(
    page: Page,
    msp_id: str,
    action: str,
    body: dict[str, Any] | None,
    form: dict[str, str],
    renamed: Mapping[str, str] | None = None,
) -> Response:
    """The action sent; a refusal shown at the form's fields (`renamed`: the API's field → the form's, where two
    forms of the page would otherwise have inputs of the same id)."""
    errors = page.errors()
    answer = await page.api.send("POST", "agreements", f"/msps/{uuid_or_404(msp_id)}/{action}", json=body or {})
    if answer.ok:
        return page.redirect(f"/msps/{msp_id}", flash=DONE[action], kind="info" if answer.status == 202 else "success")
    errors.add_problem(_renamed(about_the_form(answer.problem), renamed or {}))
    return await render_msp(page, msp_id, errors=errors, form=form, action=action, status=422)


def _renamed(problem: Mapping[str, Any] | None, names: Mapping[str, str]) -> Mapping[str, Any] | None:
    if not problem or not names:
        return problem
    errors = []
    for error in problem.get("errors") or []:
        field = str(error.get("field") or "").removeprefix("body.")
        errors.append({**error, "field": names.get(field, field)} if field in names else error)
    return {**problem, "errors": errors}


DONE = {
    "submit": N_("The MSP is submitted to TPOA for review."),
    "approve": N_("The MSP is approved."),
    "reject": N_("The MSP is rejected."),
    "sign": N_("The signing is recorded. The MSP's obligations are created."),
    "extend": N_("The extension is requested. TPOA reviews it with its member ministries."),
    "extension/approve": N_("The extension is approved. The MSP is extended."),
    "extension/reject": N_("The extension is rejected. The NGO and the ministry are told."),
    "review/answers": N_("Your answer is recorded. TPOA sees it."),
    "terminate": N_("The MSP is ended."),
}


@router.post("/msps/{msp_id}/submit", dependencies=[NGO_ONLY])
async def submit(page: Page, msp_id: str) -> Response:
    return await _send(page, msp_id, "submit", None, await page.form())


@router.post("/msps/{msp_id}/approve", dependencies=[TPOA])
async def approve(page: Page, msp_id: str) -> Response:
    form = await page.form()
    return await _send(page, msp_id, "approve", {"note": form.get("note") or None}, form)


@router.post("/msps/{msp_id}/reject", dependencies=[TPOA])
async def reject(page: Page, msp_id: str) -> Response:
    form = await page.form()
    if not form.get("reason", "").strip():
        errors = page.errors()
        errors.add("reason", N_("Enter the reason for rejecting the MSP."))
        return await render_msp(page, msp_id, errors=errors, form=form, action="reject", status=422)
    return await _send(page, msp_id, "reject", {"reason": form["reason"]}, form)


@router.post("/msps/{msp_id}/sign", dependencies=[MINISTRY])
async def sign(page: Page, msp_id: str) -> Response:
    form = await page.form()
    try:
        count = max(2, min(int(form.get("signatories_rows", 2)), 20))
    except ValueError:
        count = 2
    if form.get("action") == "add_signatories":
        form["signatories_rows"] = str(min(count + 1, 20))
        return await render_msp(page, msp_id, form=form, action="sign")
    errors = page.errors()
    if not form.get("number", "").strip():
        errors.add("number", N_("Enter the MSP's number."))
    if form.get("signed_on") and not valid_date(form.get("signed_on")):
        errors.add("signed_on", N_("Enter a date like 2026-12-31."))
    signatories = []
    for index, row in enumerate(rows(form, "signatories", SIGNATORY_FIELDS, count)):
        if not (row["name"] or row["title"]):  # the party is always chosen: a row without a person is empty
            continue
        if not row["name"]:
            errors.add(f"signatories.{index}.name", N_("Enter the signatory's name."))
        if not row["title"]:
            errors.add(f"signatories.{index}.title", N_("Enter the signatory's position."))
        signatories.append(row)
    if not signatories:
        errors.add("signatories.0.name", N_("Enter at least one signatory."))
    if errors:
        return await render_msp(page, msp_id, errors=errors, form=form, action="sign", status=422)
    body = {
        "number": form["number"].strip(),
        "signed_on": form.get("signed_on") or None,
        "signatories": signatories,
        "signed_document_ref": form.get("signed_document_ref") or None,
    }
    return await _send(page, msp_id, "sign", body, form)


@router.post("/msps/{msp_id}/extend", dependencies=[MINISTRY])
async def extend(page: Page, msp_id: str) -> Response:
    form = await page.form()
    errors = page.errors()
    if not valid_date(form.get("ends_on")):
        errors.add("ends_on", N_("Enter the new end date, like 2029-12-31."))
    if not form.get("reason", "").strip():
        errors.add("reason", N_("Enter the reason for the extension."))
    if errors:
        return await render_msp(page, msp_id, errors=errors, form=form, action="extend", status=422)
    return await _send(page, msp_id, "extend", {"ends_on": form["ends_on"], "reason": form["reason"]}, form)


@router.post("/msps/{msp_id}/terminate", dependencies=[MINISTRY])
async def terminate(page: Page, msp_id: str) -> Response:
    form = await page.form()
    errors = page.errors()
    reason = form.get("termination_reason", "").strip()  # not `reason`: the extension form's field has that id
    if not reason:
        errors.add("termination_reason", N_("Enter the reason for ending the MSP."))
    if form.get("terminated_on") and not valid_date(form.get("terminated_on")):
        errors.add("terminated_on", N_("Enter a date like 2026-12-31."))
    if errors:
        return await render_msp(page, msp_id, errors=errors, form=form, action="terminate", status=422)
    body = {"reason": reason, "terminated_on": form.get("terminated_on") or None}
    return await _send(page, msp_id, "terminate", body, form, renamed={"reason": "termination_reason"})


async def answer_review(page: Page, form: dict[str, str], service: str, path: str, rerender: Any) -> Response:
    """A member ministry's answer to a TPOA team review (of an MSP, its extension or an applicant): cleared, or
    objected with a note; shared by the MSP's and the NGO's pages (`rerender(errors, form)` shows the page again)."""
    errors = page.errors()
    verdict, note = form.get("verdict", ""), form.get("review_note", "").strip()
    if verdict not in VERDICTS:
        errors.add("verdict", N_("Choose whether you clear it or object."))
    elif verdict == "objected" and not note:
        errors.add("review_note", N_("Say why your ministry objects: TPOA and the other members read it."))
    if errors:
        return await rerender(errors, form)
    answer = await page.api.send("POST", service, path, json={"verdict": verdict, "note": note or None})
    if answer.ok:
        return page.redirect(form.get("back") or "/", flash=DONE["review/answers"])
    errors.add_problem(_renamed(answer.problem, {"note": "review_note"}), fields={"verdict", "review_note"})
    return await rerender(errors, form)


@router.post("/msps/{msp_id}/review/answers", dependencies=[web_allow("ministry", note="a TPOA member ministry")])
async def review_answer(page: Page, msp_id: str) -> Response:
    form = await page.form()
    form["back"] = f"/msps/{uuid_or_404(msp_id)}#review-title"

    async def rerender(errors: Any, values: dict[str, str]) -> Response:
        return await render_msp(page, msp_id, errors=errors, form=values, action="answer", status=422)

    return await answer_review(page, form, "agreements", f"/msps/{uuid_or_404(msp_id)}/review/answers", rerender)


@router.post("/msps/{msp_id}/extension/approve", dependencies=[TPOA])
async def approve_extension(page: Page, msp_id: str) -> Response:
    return await _send(page, msp_id, "extension/approve", None, await page.form())


@router.post("/msps/{msp_id}/extension/reject", dependencies=[TPOA])
async def reject_extension(page: Page, msp_id: str) -> Response:
    form = await page.form()
    if not form.get("extension_note", "").strip():
        errors = page.errors()
        errors.add("extension_note", N_("Enter the reason for rejecting the extension."))
        return await render_msp(page, msp_id, errors=errors, form=form, action="extension/reject", status=422)
    body = {"note": form["extension_note"].strip()}
    return await _send(page, msp_id, "extension/reject", body, form, renamed={"note": "extension_note"})
