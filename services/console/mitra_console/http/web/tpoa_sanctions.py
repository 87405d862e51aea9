"""TPOA's sanctions on an NGO (issue 14), on the NGO's page: impose one (a warning, a freeze, a revocation; its
category, the reason, an optional end date), a revocation only after a "check your answers" step (it revokes every
permit and cannot be lifted); lift an active one with a reason. And a member ministry's answer to the TPOA team's
review of an applicant, on the applicant's page. A refusal shows at the field it names, the form kept."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Response

from mitra_console.http.web.kit import N_, FormErrors, Page, web_allow, web_router
from mitra_console.http.web.msp_actions import answer_review
from mitra_console.http.web.msp_common import uuid_or_404, valid_date
from mitra_console.http.web.msp_panels import SANCTION_CATEGORIES, SANCTION_KINDS
from mitra_console.http.web.offices_labels import uuid_of
from mitra_console.http.web.tpoa_organizations import render_organization

router = web_router()
TPOA = web_allow("tpoa", note="TPOA imposes and lifts sanctions")
MEMBERS = web_allow("ministry", note="a member ministry of the TPOA team (registry checks)")
FIELDS = ("kind", "category", "reason", "ends_on")


def _at_form_fields(problem: Mapping[str, Any] | None, prefix: str) -> Mapping[str, Any] | None:
    """The API's `body.reason` → the form's `<prefix>.reason` (the page has other forms with a `reason`)."""
    if not problem:
        return problem
    errors = []
    for error in problem.get("errors") or []:
        name = str(error.get("field") or "").removeprefix("body.")
        errors.append({**error, "field": f"{prefix}.{name}"} if name in FIELDS else error)
    return {**problem, "errors": errors}


def _checked(form: Mapping[str, str], errors: FormErrors) -> dict[str, Any]:
    kind, category = form.get("sanction.kind", ""), form.get("sanction.category", "")
    reason, ends_on = form.get("sanction.reason", "").strip(), form.get("sanction.ends_on", "")
    if kind not in SANCTION_KINDS:
        errors.add("sanction.kind", N_("Choose the kind of sanction."))
    if category not in SANCTION_CATEGORIES:
        errors.add("sanction.category", N_("Choose what the NGO did."))
    if len(reason) < 3:
        errors.add("sanction.reason", N_("Say why, in a few words: the NGO and the offices concerned read it."))
    if ends_on and kind == "revocation":
        errors.add("sanction.ends_on", N_("A revocation has no end date."))
    elif ends_on and not valid_date(ends_on):
        errors.add("sanction.ends_on", N_("Enter a date like 2026-12-31."))
    return {"kind": kind, "category": category, "reason": reason, "ends_on": ends_on or None}


@router.post("/organizations/{organization_id}/sanctions", dependencies=[TPOA])
async def impose(page: Page, organization_id: str) -> Response:
    organization_id = uuid_of(organization_id)
    form = await page.form()
    errors = page.errors()
    body = _checked(form, errors)
    if form.get("action") == "change" or errors:
        return await render_organization(page, organization_id, form=form, errors=errors or None, action="sanction")
    if body["kind"] == "revocation" and form.get("action") != "confirm":
        organization = await page.api.get("registry", f"/organizations/{organization_id}")
        return page.render("tpoa/sanction_check.html", {"organization": organization, "sanction": body, "form": form})
    answer = await page.api.send("POST", "registry", f"/organizations/{organization_id}/sanctions", json=body)
    if answer.ok:
        flash = N_("The sanction is imposed. The NGO and the offices concerned are told.")
        return page.redirect(f"/organizations/{organization_id}#sanctions-title", flash=flash)
    errors.add_problem(_at_form_fields(answer.problem, "sanction"), fields={f"sanction.{name}" for name in FIELDS})
    return await render_organization(page, organization_id, form=form, errors=errors, action="sanction")


@router.post("/organizations/{organization_id}/sanctions/{sanction_id}/lift", dependencies=[TPOA])
async def lift(page: Page, organization_id: str, sanction_id: str) -> Response:
    organization_id = uuid_of(organization_id)
    sanction = str(uuid_or_404(sanction_id))
    form = await page.form()
    errors = page.errors()
    name = f"lift.{sanction}.reason"
    reason = form.get(name, "").strip()
    if len(reason) < 3:
        errors.add(name, N_("Say why the sanction is lifted."))
    else:
        answer = await page.api.send("POST", "registry", f"/sanctions/{sanction}/lift", json={"reason": reason})
        if answer.ok:
            flash = N_("The sanction is lifted. The NGO and the offices concerned are told.")
            return page.redirect(f"/organizations/{organization_id}#sanctions-title", flash=flash)
        problem = answer.problem or {}
        renamed = [
            {**error, "field": name} if str(error.get("field") or "").endswith("reason") else error
            for error in problem.get("errors") or []
        ]
        errors.add_problem({**problem, "errors": renamed}, fields={name})
    return await render_organization(page, organization_id, form=form, errors=errors, action="lift")


@router.post("/organizations/{organization_id}/review/answers", dependencies=[MEMBERS])
async def review_answer(page: Page, organization_id: str) -> Response:
    organization_id = uuid_of(organization_id)
    form = await page.form()
    form["back"] = f"/organizations/{organization_id}#review-title"

    async def rerender(errors: FormErrors, values: dict[str, str]) -> Response:
        return await render_organization(page, organization_id, form=values, errors=errors, action="answer")

    return await answer_review(page, form, "registry", f"/organizations/{organization_id}/review/answers", rerender)
