"""The registry's audit trail: every change made on a person's behalf records, in its own transaction, who made it
(subject, name, role, scope), in which request, what on which object, and the values before and after; never a
passport number (only its masked form)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from support.tokens import as_role
from test_registry_organizations_harness import (  # noqa: F401 - fixtures
    Registry,
    migrated_registry_template,
    registry_database,
    registry_fixture,
)

pytestmark = pytest.mark.integration
# The harness's clock starts on 2026-03-02, 10:00 in Jakarta.

PASSPORT = "NX7700123"
TPOA = {"subject": "tpoa-officer-7", "name": "Siti Rahma", "role": "tpoa", "scope": {}}


def tpoa(request_id: str) -> dict[str, str]:
    """TPOA's officer (`TPOA`), in a request with this correlation id."""
    return {**as_role("tpoa", subject=TPOA["subject"], name=TPOA["name"]), "X-Correlation-ID": request_id}


def if_match(thing: dict[str, Any]) -> dict[str, str]:
    return {"If-Match": f'"{thing["version"]}"'}


def ngo_actor(subject: str, organization: dict[str, Any]) -> dict[str, Any]:
    """How the audit trail names an NGO's staff member (a token without a `name`)."""
    return {"subject": subject, "name": None, "role": "ngo", "scope": {"organization_id": organization["id"]}}


def only(entries: list[dict[str, Any]], action: str) -> dict[str, Any]:
    [entry] = [entry for entry in entries if entry["action"] == action]
    return entry


def assert_entry(
    entry: dict[str, Any], *, action: str, object_type: str, object_id: str, actor: dict[str, Any], request_id: str
) -> None:
    assert entry["action"] == action
    assert (entry["object_type"], entry["object_id"]) == (object_type, object_id)
    assert entry["actor"] == actor
    assert entry["request_id"] == request_id
    assert entry["service"] == "registry"
    assert entry["at"] == "2026-03-02T03:00:00Z"  # the context's now, as on the rows


async def test_registering_updating_and_moving_an_ngo_record_who_did_what_before_and_after(registry: Registry) -> None:
    created = await registry.client.post(
        "/organizations", json={"legal_name": "Plan International", "country_of_origin": "GB"}, headers=tpoa("req-1")
    )
    assert created.status_code == 201, created.text
    organization = created.json()
    ngo = as_role("ngo", subject="ngo-staff-3", organization_id=organization["id"])
    patched = await registry.client.patch(
        f"/organizations/{organization['id']}",
        json={"legal_name": "Plan International UK", "acronym": "PIUK"},
        headers={**ngo, **if_match(organization), "X-Correlation-ID": "req-2"},
    )
    assert patched.status_code == 200, patched.text
    moved = await registry.client.post(
        f"/organizations/{organization['id']}/status",
        json={"status": "registered", "reason": "Principle permit granted"},
        headers={**tpoa("req-3"), **if_match(patched.json())},
    )
    assert moved.status_code == 200, moved.text

    entries = await registry.audit()
    assert [entry["action"] for entry in entries] == [
        "organization.registered",
        "organization.updated",
        "organization.status_changed",
    ]
    registered, updated, status_changed = entries
    assert_entry(
        registered,
        action="organization.registered",
        object_type="organization",
        object_id=organization["id"],
        actor=TPOA,
        request_id="req-1",
    )
    assert registered["before"] is None
    assert registered["after"] == organization

    assert_entry(
        updated,
        action="organization.updated",
        object_type="organization",
        object_id=organization["id"],
        actor=ngo_actor("ngo-staff-3", organization),
        request_id="req-2",
    )
    assert updated["before"] == organization
    assert (updated["before"]["legal_name"], updated["before"]["acronym"]) == ("Plan International", None)
    assert updated["after"] == patched.json()
    assert (updated["after"]["legal_name"], updated["after"]["acronym"]) == ("Plan International UK", "PIUK")

    assert_entry(
        status_changed,
        action="organization.status_changed",
        object_type="organization",
        object_id=organization["id"],
        actor=TPOA,
        request_id="req-3",
    )
    assert status_changed["before"] == patched.json()
    assert status_changed["after"] == {**moved.json(), "status_reason": "Principle permit granted"}
    assert (status_changed["before"]["status"], status_changed["after"]["status"]) == ("applicant", "registered")


async def test_an_update_that_changes_nothing_and_a_refused_change_record_no_entry(registry: Registry) -> None:
    organization = await registry.register(legal_name="Oxfam", country_of_origin="GB")
    same = await registry.patch(
        f"/organizations/{organization['id']}", {"legal_name": "Oxfam"}, **if_match(organization)
    )
    assert same.status_code == 200, same.text
    stale = await registry.patch(
        f"/organizations/{organization['id']}", {"legal_name": "Oxfam GB"}, **{"If-Match": '"7"'}
    )
    assert stale.status_code == 412, stale.text
    area = {"code": "water", "name_id": "Air bersih", "name_en": "Clean water"}
    assert (await registry.post("/focus-areas", area)).status_code == 201
    assert (await registry.post("/focus-areas", area)).status_code == 409

    assert [entry["action"] for entry in await registry.audit()] == ["organization.registered", "focus_area.added"]


async def test_adding_a_focus_area_is_recorded(registry: Registry) -> None:
    area = {"code": "water", "name_id": "Air bersih", "name_en": "Clean water"}
    response = await registry.client.post("/focus-areas", json=area, headers=tpoa("req-fa"))
    assert response.status_code == 201, response.text

    [entry] = await registry.audit()
    assert_entry(
        entry, action="focus_area.added", object_type="focus_area", object_id="water", actor=TPOA, request_id="req-fa"
    )
    assert (entry["before"], entry["after"]) == (None, area)


async def test_assigning_and_ending_foreign_staff_are_recorded_with_the_masked_passport_only(
    registry: Registry,
) -> None:
    organization = await registry.move(
        await registry.register(legal_name="SNV Netherlands", country_of_origin="NL"), "registered", "active"
    )
    ngo = as_role("ngo", subject="ngo-staff-1", organization_id=organization["id"])
    assigned = await registry.client.post(
        f"/organizations/{organization['id']}/foreign-staff",
        json={
            "full_name": "Maria Jansen",
            "nationality": "NL",
            "role": "Programme adviser",
            "starts_on": "2026-03-01",
            "ends_on": "2028-02-29",
            "passport_number": PASSPORT,
        },
        headers={**ngo, "X-Correlation-ID": "req-assign"},
    )
    assert assigned.status_code == 201, assigned.text
    assignment = assigned.json()
    assert assignment["passport_number"] == PASSPORT  # the NGO itself sees it, the audit trail does not keep it
    ended = await registry.client.post(
        f"/foreign-staff/{assignment['id']}/end",
        json={"ended_on": "2026-03-31", "reason": "Contract ended early"},
        headers=tpoa("req-end"),
    )
    assert ended.status_code == 200, ended.text

    entries = await registry.audit()
    assigned_entry = only(entries, "foreign_staff.assigned")
    assert_entry(
        assigned_entry,
        action="foreign_staff.assigned",
        object_type="foreign_staff",
        object_id=assignment["id"],
        actor=ngo_actor("ngo-staff-1", organization),
        request_id="req-assign",
    )
    without_passport = {key: value for key, value in assignment.items() if key != "passport_number"}
    assert assigned_entry["before"] is None
    assert assigned_entry["after"] == without_passport
    assert assigned_entry["after"]["passport_number_masked"] == "******123"

    ended_entry = only(entries, "foreign_staff.ended")
    assert_entry(
        ended_entry,
        action="foreign_staff.ended",
        object_type="foreign_staff",
        object_id=assignment["id"],
        actor=TPOA,
        request_id="req-end",
    )
    assert ended_entry["before"] == without_passport
    assert ended_entry["after"] == {key: value for key, value in ended.json().items() if key != "passport_number"}
    assert (ended_entry["before"]["ended_on"], ended_entry["after"]["ended_on"]) == (None, "2026-03-31")
    assert ended_entry["after"]["end_reason"] == "Contract ended early"

    # No audit entry (nor any other event) holds the passport number, in its body or its headers.
    for entry in entries:
        assert "passport_number" not in (entry["before"] or {})
        assert "passport_number" not in (entry["after"] or {})
    rows = await registry.pool.fetch("SELECT body, headers::text AS headers FROM outbox")
    assert rows
    assert all(PASSPORT.encode() not in row["body"] and PASSPORT not in row["headers"] for row in rows)


async def test_registering_and_changing_a_partner_are_recorded(registry: Registry) -> None:
    contact = {"name": "Biro Kerja Sama", "email": "kerjasama@kemensos.go.id", "language": "id"}
    created = await registry.client.post(
        "/partners",
        json={"kind": "ministry", "code": "KEMENSOS", "name": "Kementerian Sosial", "contacts": [contact]},
        headers=tpoa("req-p1"),
    )
    assert created.status_code == 201, created.text
    partner = created.json()
    changed = await registry.client.patch(
        f"/partners/{partner['id']}",
        json={"name": "Kementerian Sosial RI", "active": False},
        headers={**tpoa("req-p2"), **if_match(partner)},
    )
    assert changed.status_code == 200, changed.text

    registered, updated = await registry.audit()
    assert_entry(
        registered,
        action="partner.registered",
        object_type="partner",
        object_id=partner["id"],
        actor=TPOA,
        request_id="req-p1",
    )
    assert (registered["before"], registered["after"]) == (None, partner)
    assert_entry(
        updated,
        action="partner.updated",
        object_type="partner",
        object_id=partner["id"],
        actor=TPOA,
        request_id="req-p2",
    )
    assert (updated["before"], updated["after"]) == (partner, changed.json())
    assert (updated["before"]["name"], updated["after"]["name"]) == ("Kementerian Sosial", "Kementerian Sosial RI")
    assert (updated["before"]["active"], updated["after"]["active"]) == (True, False)


async def test_a_regions_import_records_one_entry_per_region_registered_or_renamed(registry: Registry) -> None:
    async def import_provinces(content: str, request_id: str) -> dict[str, Any]:
        response = await registry.client.post(
            "/partners/regions/import",
            params={"level": "provinces"},
            content=content.encode(),
            headers={**tpoa(request_id), "Content-Type": "text/csv"},
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    first = await import_provinces("code,name\n11,ACEH\n33,JAWA TENGAH\n", "req-import-1")
    assert (first["added"], first["updated"]) == (2, 0)
    registered = await registry.audit()
    assert [entry["action"] for entry in registered] == ["partner.registered", "partner.registered"]
    assert {entry["after"]["code"]: entry["after"]["name"] for entry in registered} == {
        "11": "ACEH",
        "33": "JAWA TENGAH",
    }
    assert {entry["request_id"] for entry in registered} == {"req-import-1"}
    assert all(entry["actor"] == TPOA and entry["before"] is None for entry in registered)

    second = await import_provinces("code,name\n11,ACEH\n33,PROVINSI JAWA TENGAH\n", "req-import-2")
    assert (second["added"], second["updated"], second["unchanged"]) == (0, 1, 1)
    renamed = (await registry.audit())[2:]
    [entry] = renamed
    central_java = next(item for item in registered if item["after"]["code"] == "33")
    assert_entry(
        entry,
        action="partner.renamed",
        object_type="partner",
        object_id=central_java["object_id"],
        actor=TPOA,
        request_id="req-import-2",
    )
    assert entry["before"] == central_java["after"]
    assert (entry["before"]["name"], entry["after"]["name"]) == ("JAWA TENGAH", "PROVINSI JAWA TENGAH")
    assert (entry["before"]["version"], entry["after"]["version"]) == (1, 2)

    # The same file again changes nothing, and records nothing.
    assert (await import_provinces("code,name\n11,ACEH\n33,PROVINSI JAWA TENGAH\n", "req-import-3"))["updated"] == 0
    assert len(await registry.audit()) == 3


async def test_granting_and_extending_a_permit_are_recorded(registry: Registry) -> None:
    organization = await registry.register(legal_name="World Vision", country_of_origin="US")
    granted = await registry.client.post(
        f"/organizations/{organization['id']}/permits",
        json={"permit_type": "principle", "number": "IP-001", "issued_on": "2026-01-05", "valid_until": "2027-12-31"},
        headers=tpoa("req-grant"),
    )
    assert granted.status_code == 201, granted.text
    permit = granted.json()
    extended = await registry.client.post(
        f"/permits/{permit['id']}/extensions", json={"valid_until": "2029-12-31"}, headers=tpoa("req-extend")
    )
    assert extended.status_code == 201, extended.text

    entries = await registry.audit()
    grant_entry = only(entries, "permit.granted")
    assert_entry(
        grant_entry,
        action="permit.granted",
        object_type="permit",
        object_id=permit["id"],
        actor=TPOA,
        request_id="req-grant",
    )
    assert (grant_entry["before"], grant_entry["after"]) == (None, permit)
    extend_entry = only(entries, "permit.extended")
    assert_entry(
        extend_entry,
        action="permit.extended",
        object_type="permit",
        object_id=permit["id"],
        actor=TPOA,
        request_id="req-extend",
    )
    assert extend_entry["before"] == permit
    assert extend_entry["after"] == {**extended.json()["permit"], "requested_late": False}
    assert (extend_entry["before"]["valid_until"], extend_entry["after"]["valid_until"]) == ("2027-12-31", "2029-12-31")


async def test_each_audit_entry_is_an_event_of_its_own_on_the_audit_route(registry: Registry) -> None:
    organization = await registry.register(legal_name="Caritas", country_of_origin="DE")
    [row] = await registry.pool.fetch("SELECT body FROM outbox WHERE routing_key = 'audit.registry.recorded'")
    event = json.loads(row["body"])
    assert event["type"] == "id.go.mitra.audit.registry.recorded.v1"
    assert event["subject"] == organization["id"]
