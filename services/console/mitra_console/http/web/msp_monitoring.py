"""Monitoring an MSP in force (issue 14), on its page: its ministry, or a region office it works in, records a
monitoring visit (date, region, aspects, rating, findings) and opens mitigation actions (what, who owns it, by when,
from which visit); the owner (the NGO, the ministry, or the region office named) moves an action on, the ministry
also cancels it. A refusal is shown next to the field the API names, the form kept."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from fastapi import Response

from mitra_console.http.web.kit import N_, FormErrors, NotAllowed, Page, web_allow, web_router
from mitra_console.http.web.msp_common import uuid_or_404, valid_date
from mitra_console.http.web.msp_panels import ASPECTS, OWNERS, RATINGS
from mitra_console.http.web.msps import render_msp

router = web_router()
MONITORS = web_allow("ministry", "region", note="the MSP's ministry, or a region office it works in")
OWNERS_ALLOWED = web_allow("ngo", "ministry", "region", note="the action's owner; the ministry also cancels")
VISIT_FIELDS = {"visited_on", "region_code", "aspects", "rating", "findings"}
ACTION_FIELDS = {"description", "owner", "owner_region_code", "due_on", "monitoring_visit_id"}
MOVES = ("in_progress", "done", "cancelled")


async def _create(
    page: Page,
    msp_id: str,
    form: dict[str, str],
    errors: FormErrors,
    body: dict[str, Any] | None,
    kind: Literal["monitoring-visit", "mitigation-action"],
    *,
    flash: str,
    anchor: str,
) -> Response:
    """Send a checked form (`body`, None when it has errors) to agreements as a new `kind` of the MSP: back to the
    MSP's page at `anchor` when it is taken, else the page again with the form and the refusal by its field."""
    if body is not None:
        fields = VISIT_FIELDS if kind == "monitoring-visit" else ACTION_FIELDS
        try:
            answer = await page.api.send("POST", "agreements", f"/msps/{uuid_or_404(msp_id)}/{kind}s", json=body)
        except NotAllowed as refused:  # a region's office naming a region outside its area (403 on that field)
            errors.add_problem(refused.problem or {"detail": refused.detail}, fields=fields)
        else:
            if answer.ok:
                return page.redirect(f"/msps/{msp_id}#{anchor}", flash=flash)
            errors.add_problem(answer.problem, fields=fields)
    return await render_msp(page, msp_id, errors=errors, form=form, action=kind, status=422)


@router.post("/msps/{msp_id}/monitoring-visits", dependencies=[MONITORS])
async def record_visit(page: Page, msp_id: str) -> Response:
    form = await page.form()
    aspects = [code for code in (await page.form_lists()).get("aspects", []) if code in ASPECTS]
    form["aspects"] = ",".join(aspects)
    errors = page.errors()
    if not valid_date(form.get("visited_on")):
        errors.add("visited_on", N_("Enter the date of the visit, like 2026-12-31."))
    if not aspects:
        errors.add("aspects", N_("Choose at least one aspect looked at."))
    if form.get("rating") not in RATINGS:
        errors.add("rating", N_("Choose the rating."))
    if len(form.get("findings", "").strip()) < 3:
        errors.add("findings", N_("Enter what the visit found."))
    body = None
    if not errors:
        body = {
            "visited_on": form["visited_on"],
            "region_code": form.get("region_code") or None,
            "aspects": aspects,
            "rating": form["rating"],
            "findings": form["findings"].strip(),
        }
    flash = N_("The monitoring visit is recorded. The NGO and the ministry are told.")
    return await _create(page, msp_id, form, errors, body, "monitoring-visit", flash=flash, anchor="monitoring-title")


@router.post("/msps/{msp_id}/mitigation-actions", dependencies=[MONITORS])
async def open_action(page: Page, msp_id: str) -> Response:
    form = await page.form()
    errors = page.errors()
    owner = form.get("owner", "")
    if len(form.get("description", "").strip()) < 3:
        errors.add("description", N_("Enter what must be done."))
    if owner not in OWNERS:
        errors.add("owner", N_("Choose who does it."))
    if owner == "region" and not form.get("owner_region_code"):
        errors.add("owner_region_code", N_("Choose the region office that does it."))
    if not valid_date(form.get("due_on")):
        errors.add("due_on", N_("Enter the due date, like 2026-12-31."))
    body = None
    if not errors:
        body = {
            "description": form["description"].strip(),
            "owner": owner,
            "owner_region_code": form.get("owner_region_code") if owner == "region" else None,
            "due_on": form["due_on"],
            "monitoring_visit_id": form.get("monitoring_visit_id") or None,
        }
    flash = N_("The mitigation action is open. Its owner is told.")
    return await _create(page, msp_id, form, errors, body, "mitigation-action", flash=flash, anchor="mitigation-title")


@router.post("/mitigation-actions/{action_id}/status", dependencies=[OWNERS_ALLOWED])
async def move_action(page: Page, action_id: str) -> Response:
    form = await page.form()
    msp_id = str(uuid_or_404(form.get("msp", "")))
    action = str(uuid_or_404(action_id))
    form["action_id"] = action
    errors = page.errors()
    status = form.get("status", "")
    if status not in MOVES:
        errors.add(f"action.{action}.status", N_("Choose the new status."))
    else:
        body = {"status": status, "note": form.get("note", "").strip() or None}
        try:
            answer = await page.api.send("POST", "agreements", f"/mitigation-actions/{action}/status", json=body)
        except NotAllowed as refused:
            errors.add_problem(_at_action(refused.problem or {"detail": refused.detail}, action))
        else:
            if answer.ok:
                return page.redirect(f"/msps/{msp_id}#action-{action}", flash=N_("The action's status is changed."))
            errors.add_problem(_at_action(answer.problem or {}, action))
    return await render_msp(page, msp_id, errors=errors, form=form, action="mitigation-status", status=422)


def _at_action(problem: Mapping[str, Any], action_id: str) -> Mapping[str, Any]:
    """A refused status change, next to that action's inputs: its note's problem at the note, any other at its
    status (the page lists every action, each with its own form)."""
    reasons = [error for error in problem.get("errors") or [] if isinstance(error, Mapping)]
    if not reasons:
        reasons = [{"reason": str(problem.get("detail") or problem.get("title") or "")}]
    errors = []
    for error in reasons:
        name = "note" if str(error.get("field") or "").removeprefix("body.") == "note" else "status"
        errors.append({**error, "field": f"action.{action_id}.{name}"})
    return {**problem, "errors": errors}
