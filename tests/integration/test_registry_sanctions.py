"""Sanctions through the registry's HTTP API on a real PostgreSQL: warnings, freezes and revocations, what they do
to the NGO and its permits, their events and audit entries, lifting, reading, and the end of those with an end date.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from support.tokens import as_role
from test_registry_organizations_harness import (  # noqa: F401 - fixtures
    Registry,
    migrated_registry_template,
    registry_database,
    registry_fixture,
)

from mitra_registry.sql import SANCTIONS
from mitra_registry.usecases import sanctions as sanctions_usecases
from mitra_registry.workers.sanction_expiry import SanctionExpiryWorker
from mitra_shared.context import Context
from mitra_shared.contracts.registry import (
    OrganizationStatusChanged,
    PermitRevoked,
    SanctionImposed,
    SanctionLifted,
)
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration
# The harness's clock starts on 2026-03-02, 10:00 in Jakarta.
TODAY = date(2026, 3, 2)


async def active_ngo(registry: Registry, name: str | None = None) -> dict[str, Any]:
    organization = await registry.register(legal_name=name or f"Sanctioned NGO {uuid.uuid4().hex[:8]}")
    return await registry.move(organization, "registered", "active")


async def impose(registry: Registry, organization: dict[str, Any], **body: Any) -> Any:
    payload = {"kind": "warning", "category": "fundraising", "reason": "Raised funds in Indonesia", **body}
    return await registry.post(f"/organizations/{organization['id']}/sanctions", payload, subject="tpoa-secretary")


async def status_of(registry: Registry, organization: dict[str, Any]) -> str:
    return str((await registry.get(f"/organizations/{organization['id']}")).json()["status"])


def fields_of(response: Any) -> set[str]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return {error["field"] for error in response.json().get("errors", [])}


async def test_a_freeze_suspends_the_ngo_until_it_is_lifted(registry: Registry) -> None:
    ngo = await active_ngo(registry)
    response = await impose(registry, ngo, kind="freeze", ends_on="2026-06-30")
    assert response.status_code == 201, response.text
    freeze = response.json()
    assert response.headers["Location"] == f"/sanctions/{freeze['id']}"
    assert (freeze["kind"], freeze["status"], freeze["starts_on"], freeze["ends_on"]) == (
        "freeze",
        "active",
        TODAY.isoformat(),
        "2026-06-30",
    )
    assert freeze["imposed_by"] == "tpoa-secretary"
    assert await status_of(registry, ngo) == "suspended"

    [imposed] = await registry.events(SanctionImposed.kind.routing_key)
    assert imposed["data"]["sanction_id"] == freeze["id"]
    assert (imposed["data"]["sanction_kind"], imposed["data"]["organization_status"]) == ("freeze", "suspended")
    changes = [e["data"] for e in await registry.events(OrganizationStatusChanged.kind.routing_key)]
    assert (changes[-1]["previous_status"], changes[-1]["status"]) == ("active", "suspended")
    assert "sanction.imposed" in {entry["action"] for entry in await registry.audit()}
    history = (await registry.get(f"/organizations/{ngo['id']}/status-history")).json()
    assert history[-1]["status"] == "suspended"

    again = await impose(registry, ngo, kind="freeze")
    assert again.status_code == 409, again.text
    assert fields_of(again) == {"body.kind"}

    lifted = await registry.post(f"/sanctions/{freeze['id']}/lift", {"reason": "The funds were returned"})
    assert lifted.status_code == 200, lifted.text
    assert (lifted.json()["status"], lifted.json()["lift_reason"]) == ("lifted", "The funds were returned")
    assert await status_of(registry, ngo) == "active"
    [told] = await registry.events(SanctionLifted.kind.routing_key)
    assert (told["data"]["expired"], told["data"]["organization_status"]) == (False, "active")

    twice = await registry.post(f"/sanctions/{freeze['id']}/lift", {"reason": "again"})
    assert twice.status_code == 409, twice.text


async def test_a_revocation_revokes_the_ngo_and_its_valid_permits_and_is_final(registry: Registry) -> None:
    ngo = await active_ngo(registry)
    permit = {"permit_type": "principle", "number": f"IP-{uuid.uuid4().hex[:6]}", "issued_on": "2026-01-05"}
    granted = await registry.post(f"/organizations/{ngo['id']}/permits", {**permit, "valid_until": "2028-12-31"})
    assert granted.status_code == 201, granted.text

    with_end = await impose(registry, ngo, kind="revocation", ends_on="2026-12-31")
    assert with_end.status_code == 422
    assert fields_of(with_end) == {"body.ends_on"}

    response = await impose(registry, ngo, kind="revocation", category="political_activity")
    assert response.status_code == 201, response.text
    revocation = response.json()
    assert await status_of(registry, ngo) == "revoked"
    permit_id = uuid.UUID(granted.json()["id"])
    assert await registry.pool.fetchval("SELECT status FROM permits WHERE id = $1", permit_id) == "revoked"
    [revoked] = await registry.events(PermitRevoked.kind.routing_key)
    assert revoked["data"]["permit_id"] == granted.json()["id"]
    assert (revoked["data"]["sanction_id"], revoked["data"]["revoked_on"]) == (revocation["id"], TODAY.isoformat())
    assert "permit.revoked" in {entry["action"] for entry in await registry.audit()}

    lift = await registry.post(f"/sanctions/{revocation['id']}/lift", {"reason": "changed our mind"})
    assert lift.status_code == 409, lift.text
    more = await impose(registry, ngo)
    assert more.status_code == 409, more.text
    assert fields_of(more) == {"path.organization_id"}


async def test_a_warning_moves_nothing_and_is_read_as_the_ngo_is(registry: Registry) -> None:
    ngo, other = await active_ngo(registry), await active_ngo(registry)
    past = await impose(registry, ngo, ends_on=(TODAY - timedelta(days=1)).isoformat())
    assert past.status_code == 422
    assert fields_of(past) == {"body.ends_on"}
    warning = (await impose(registry, ngo, category="reporting_failure")).json()
    await impose(registry, ngo, kind="freeze")
    assert warning["status"] == "active"

    page = (await registry.get(f"/organizations/{ngo['id']}/sanctions", kind="warning")).json()
    assert (page["total"], [item["id"] for item in page["items"]]) == (1, [warning["id"]])
    assert (await registry.get(f"/organizations/{ngo['id']}/sanctions")).json()["total"] == 2

    own = as_role("ngo", organization_id=ngo["id"])
    stranger = as_role("ngo", organization_id=other["id"])
    assert (await registry.get(f"/sanctions/{warning['id']}", as_=own)).status_code == 200
    assert (await registry.get(f"/sanctions/{warning['id']}", as_=stranger)).status_code == 404
    assert (await registry.get(f"/organizations/{ngo['id']}/sanctions", as_=stranger)).status_code == 404
    ministry = as_role("ministry", ministry_code="KEMENSOS")
    assert (await registry.get(f"/organizations/{ngo['id']}/sanctions", as_=ministry)).json()["total"] == 2
    refused = await registry.post(f"/organizations/{ngo['id']}/sanctions", {}, as_=ministry)
    assert refused.status_code == 403
    assert (await registry.get(f"/sanctions/{uuid.uuid4()}")).status_code == 404


async def test_an_applicant_is_warned_but_not_frozen(registry: Registry) -> None:
    applicant = await registry.register(legal_name=f"Applicant {uuid.uuid4().hex[:8]}")
    assert (await impose(registry, applicant)).status_code == 201
    frozen = await impose(registry, applicant, kind="freeze")
    assert frozen.status_code == 409, frozen.text
    assert await status_of(registry, applicant) == "applicant"


async def test_a_sanction_ends_by_itself_the_day_after_its_end_date_once(
    registry: Registry,
    registry_database: str,  # noqa: F811 - the harness's fixture
) -> None:
    ngo = await active_ngo(registry)
    freeze = (await impose(registry, ngo, kind="freeze", ends_on="2026-03-10")).json()
    warning = (await impose(registry, ngo, ends_on="2026-03-20")).json()
    worker = SanctionExpiryWorker(
        uow=UnitOfWork(registry.pool, service="registry"), clock=registry.clock, listen_dsn=registry_database
    )

    async def run_worker() -> int:
        return await worker.run_once()

    registry.clock.set(date(2026, 3, 10))
    assert await run_worker() == 0
    registry.clock.set(date(2026, 3, 11))
    assert await run_worker() == 1
    assert await run_worker() == 0
    assert (await registry.get(f"/sanctions/{freeze['id']}")).json()["status"] == "expired"
    assert (await registry.get(f"/sanctions/{warning['id']}")).json()["status"] == "active"
    assert await status_of(registry, ngo) == "active"
    [ended] = await registry.events(SanctionLifted.kind.routing_key)
    assert (ended["data"]["sanction_id"], ended["data"]["expired"]) == (freeze["id"], True)
    assert ended["data"]["lifted_by"].startswith("system:")

    registry.clock.set(date(2026, 4, 1))
    assert await run_worker() == 1
    assert (await registry.get(f"/sanctions/{warning['id']}")).json()["status"] == "expired"


async def move(registry: Registry, organization: dict[str, Any], status: str) -> Any:
    current = (await registry.get(f"/organizations/{organization['id']}")).json()
    return await registry.post(
        f"/organizations/{organization['id']}/status",
        {"status": status, "reason": f"TPOA decided: {status}"},
        **{"If-Match": f'"{current["version"]}"'},
    )


async def test_a_revocation_and_the_end_of_a_freeze_are_sanctions_not_status_changes(registry: Registry) -> None:
    ngo = await active_ngo(registry)
    before = await registry.written()
    revoked = await move(registry, ngo, "revoked")
    assert revoked.status_code == 409, revoked.text
    assert fields_of(revoked) == {"body.status"}
    assert f"POST /organizations/{ngo['id']}/sanctions" in revoked.json()["detail"]
    assert await registry.written() == before

    freeze = (await impose(registry, ngo, kind="freeze")).json()
    before = await registry.written()
    for status in ("active", "registered", "closed"):
        refused = await move(registry, ngo, status)
        assert refused.status_code == 409, refused.text
        assert fields_of(refused) == {"body.status"}
        assert f"lift the freeze: POST /sanctions/{freeze['id']}/lift" in refused.json()["detail"]
    assert await registry.written() == before
    assert await status_of(registry, ngo) == "suspended"

    assert (await registry.post(f"/sanctions/{freeze['id']}/lift", {"reason": "resolved"})).status_code == 200
    assert await status_of(registry, ngo) == "active"
    # A suspension without a freeze (administrative) is entered and left by status change.
    assert (await move(registry, ngo, "suspended")).status_code == 200
    assert (await move(registry, ngo, "active")).status_code == 200


async def test_a_revocation_quietly_ends_the_other_active_sanctions(
    registry: Registry,
    registry_database: str,  # noqa: F811 - the harness's fixture
) -> None:
    ngo, bystander = await active_ngo(registry), await active_ngo(registry)
    warning = (await impose(registry, ngo, ends_on="2026-03-05")).json()
    freeze = (await impose(registry, ngo, kind="freeze", ends_on="2026-03-06")).json()
    untouched = (await impose(registry, bystander, ends_on="2026-03-05")).json()
    revocation = (await impose(registry, ngo, kind="revocation", category="political_activity")).json()

    for ended in (warning, freeze):
        shown = (await registry.get(f"/sanctions/{ended['id']}")).json()
        assert (shown["status"], shown["lift_reason"], shown["lifted_by"]) == (
            "lifted",
            "superseded by the revocation",
            "tpoa-secretary",
        )
    assert (await registry.get(f"/sanctions/{revocation['id']}")).json()["status"] == "active"
    assert await registry.events(SanctionLifted.kind.routing_key) == []
    superseded = [entry for entry in await registry.audit() if entry["action"] == "sanction.superseded"]
    assert {entry["object_id"] for entry in superseded} == {warning["id"], freeze["id"]}
    assert await status_of(registry, ngo) == "revoked"
    active = (await registry.get(f"/organizations/{ngo['id']}/sanctions", status="active")).json()
    assert [item["id"] for item in active["items"]] == [revocation["id"]]

    # Nothing is left to expire on the revoked NGO; the bystander's warning still expires.
    worker = SanctionExpiryWorker(
        uow=UnitOfWork(registry.pool, service="registry"), clock=registry.clock, listen_dsn=registry_database
    )
    registry.clock.set(date(2026, 3, 10))
    assert await worker.run_once() == 1
    [lifted] = await registry.events(SanctionLifted.kind.routing_key)
    assert (lifted["data"]["sanction_id"], lifted["data"]["expired"]) == (untouched["id"], True)
    assert await status_of(registry, ngo) == "revoked"


async def test_the_expiry_skips_a_candidate_ended_since_it_was_read(registry: Registry) -> None:
    """The claim reads candidates without a lock; each is re-checked under the NGO's lock, so one lifted in between
    is skipped, not ended twice."""
    ngo = await active_ngo(registry)
    freeze = (await impose(registry, ngo, kind="freeze", ends_on="2026-03-05")).json()
    uow = UnitOfWork(registry.pool, service="registry")
    registry.clock.set(date(2026, 3, 10))
    context = Context.for_system("registry.sanction_expiry", registry.clock())
    async with uow.read() as conn:
        [candidate] = await conn.fetch(*SANCTIONS.claim_ended_sanctions(today=date(2026, 3, 10), batch_size=10))
    assert str(candidate["id"]) == freeze["id"]
    assert (await registry.post(f"/sanctions/{freeze['id']}/lift", {"reason": "resolved"})).status_code == 200
    assert await sanctions_usecases.expire_ended(uow, context, batch_size=10) == 0
    [lifted] = await registry.events(SanctionLifted.kind.routing_key)
    assert lifted["data"]["expired"] is False
