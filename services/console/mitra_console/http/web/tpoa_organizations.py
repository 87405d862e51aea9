"""An NGO's page (`/organizations/{id}`): its profile, permits, foreign staff and status history from the register,
for the roles that read the register (an NGO only its own: registry answers 404 for another); and TPOA's decision
on its status (approve or refuse an applicant, suspend, reinstate...), with a reason, sent with the version read
(If-Match) so a decision on a record changed meanwhile is refused, not applied. Each permit's scans are listed
and downloaded there; TPOA (and the NGO, for its own permits) attaches a scan."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from fastapi import Response

from mitra_console.http.web import documents, msp_panels
from mitra_console.http.web.kit import N_, Page, PageNotFound, web_allow, web_router
from mitra_console.http.web.offices_labels import focus_names, labels, uuid_of

router = web_router()
READERS = web_allow(
    "tpoa", "ministry", "region", "auditor", "ngo", note="those who read the register; an NGO its own record only"
)
TPOA = web_allow("tpoa", note="TPOA decides an NGO's status")
SCANNERS = web_allow("tpoa", "ngo", note="TPOA, and an NGO for its own permits (registry checks)")

# registry's lifecycle (domain/organizations.py ALLOWED_TRANSITIONS), each target with what it means here; a
# revocation is a sanction (the form beside it), and a frozen NGO leaves `suspended` only by lifting its freeze
TRANSITIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "applicant": (
        ("registered", N_("Approve: registered (principle permit granted)")),
        ("closed", N_("Refuse the application: closed")),
    ),
    "registered": (
        ("active", N_("Active (MSP signed)")),
        ("suspended", N_("Suspend")),
        ("closed", N_("Close")),
    ),
    "active": (
        ("registered", N_("Back to registered (MSP ended without a new one)")),
        ("suspended", N_("Suspend")),
        ("closed", N_("Close")),
    ),
    "suspended": (
        ("active", N_("Reinstate: active")),
        ("registered", N_("Reinstate: registered")),
        ("closed", N_("Close")),
    ),
}


async def render_organization(
    page: Page,
    organization_id: str,
    *,
    form: dict[str, str] | None = None,
    errors: Any = None,
    action: str = "",
) -> Response:
    """The NGO's page; after a refused action (`action`: `status`, `sanction`, `lift`, `answer`), its form open
    again with the errors at its fields."""
    answer = await page.api.send("GET", "registry", f"/organizations/{organization_id}")
    organization = answer.json
    if not answer.ok:
        raise PageNotFound()
    permits = await page.api.get("registry", "/permits", params={"organization_id": organization_id, "limit": 100})
    staff = await page.api.get("registry", f"/organizations/{organization_id}/foreign-staff", params={"limit": 100})
    history = await page.api.get("registry", f"/organizations/{organization_id}/status-history")
    raw = {
        str(permit["id"]): await documents.raw(page, "registry", permit, f"/permits/{permit['id']}/documents")
        for permit in permits["items"]
    }
    scans = await documents.shown(page, "registry", raw)
    user = page.user
    scanner = user.role == "tpoa" or (user.role == "ngo" and str(user.organization_id) == organization_id)
    attach = (
        documents.upload_form(
            page,
            "registry",
            "scan",
            ("scan",),
            permit_id=(form or {}).get("scan.permit_id", ""),
            upload_id=documents.kept_upload(page, form or {}),  # a finished upload, the permit not chosen yet
        )
        if scanner and permits["items"]
        else None
    )
    names = await focus_names(page)
    panels = await msp_panels.organization_panels(page, organization)
    frozen = any(item.get("kind") == "freeze" and item.get("status") == "active" for item in panels["sanctions"])
    transitions = TRANSITIONS.get(organization["status"], ()) if page.user.role == "tpoa" and not frozen else ()
    return page.render(
        "tpoa/organization.html",
        {
            "organization": organization,
            "version": answer.headers.get("etag") or f'"{organization["version"]}"',
            "permits": permits["items"],
            "staff": staff["items"],
            "history": list(reversed(history)),
            "focus_text": ", ".join(names.get(code, code) for code in organization["focus_areas"]),
            "transition_options": [("", page.gettext(N_("Choose")))]
            + [(status, page.gettext(label)) for status, label in transitions],
            "form": form or {},
            "scans": scans,
            "permit_choices": [(str(permit["id"]), permit["number"]) for permit in permits["items"]],
            "attach": attach,
            "open_action": action,
            **panels,
            "frozen": frozen,
            **labels(),
        },
        errors=errors,
        status=422 if errors else 200,
    )


@router.get("/organizations/{organization_id}", dependencies=[READERS])
async def organization(page: Page, organization_id: str) -> Response:
    return await render_organization(page, uuid_of(organization_id))


@router.post("/organizations/{organization_id}/status", dependencies=[TPOA])
async def change_status(page: Page, organization_id: str) -> Response:
    organization_id = uuid_of(organization_id)
    form = await page.form()
    errors = page.errors()
    status, reason, version = form.get("status", ""), form.get("reason", "").strip(), form.get("version", "")
    if not status:
        errors.add("status", N_("Choose the new status."))
    if len(reason) < 3:
        errors.add("reason", N_("Say why, in a few words: it goes to the status history and to the NGO."))
    if not errors:
        answer = await page.api.send(
            "POST",
            "registry",
            f"/organizations/{organization_id}/status",
            json={"status": status, "reason": reason},
            headers={"If-Match": version or '"0"'},
        )
        if answer.ok:
            return page.redirect(
                f"/organizations/{organization_id}",
                flash=N_("The NGO's status is now: %(status)s."),
                status=page.gettext(labels()["status_labels"].get(status, status)),
            )
        if answer.status == 412:
            errors.add(None, N_("Someone changed this NGO's record meanwhile. Check it below and decide again."))
        else:
            errors.add_problem(_review_at_status(answer.problem), fields={"status", "reason"})
    return await render_organization(page, organization_id, form=form, errors=errors)


def _review_at_status(problem: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    """Registry's refusal to register an applicant while its review blocks it (409 on `review`): at the status."""
    if not problem:
        return problem
    errors = [
        {**error, "field": "status"} if str(error.get("field") or "").removeprefix("body.") == "review" else error
        for error in problem.get("errors") or []
    ]
    return {**problem, "errors": errors}


@router.post("/organizations/{organization_id}/permit-scans", dependencies=[documents.SIZE_GUARD, SCANNERS])
async def attach_scan(page: Page, organization_id: str) -> Response:
    """A permit's scan, attached to the permit chosen (registry: POST /permits/{id}/documents, purpose `scan`)."""
    organization_id = uuid_of(organization_id)
    form = await page.form()
    errors = page.errors()
    permit_id = form.get("scan.permit_id", "")
    try:
        permit = str(UUID(permit_id))
    except ValueError:
        errors.add("scan.permit_id", N_("Choose the permit the scan is of."))
    else:
        path = f"/permits/{permit}/documents"
        answer = await documents.attach(page, "registry", path, purpose="scan", key="scan", errors=errors)
        if answer is not None and answer.ok:
            name = str((answer.json or {}).get("filename", ""))
            flash = N_("The file %(name)s is attached.")
            return page.redirect(f"/organizations/{organization_id}#permits", flash=flash, name=name)
    return await render_organization(page, organization_id, form=form, errors=errors)
