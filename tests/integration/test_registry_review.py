"""The TPOA member ministries' review of an application through the registry's HTTP API on a real PostgreSQL: opened
at registration, answered once per member, and the gate on registering the applicant."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from support.app import asgi_client, prepared_app
from support.clock import FakeClock
from support.tokens import as_role
from test_registry_organizations_harness import (  # noqa: F401 - fixtures
    Registry,
    migrated_registry_template,
    registry_database,
    registry_fixture,
)

from mitra_registry.bootstrap import build_spec
from mitra_registry.settings import RegistrySettings
from mitra_shared import db
from mitra_shared.contracts.registry import ApplicationReviewAnswered, ApplicationReviewRequested
from mitra_shared.uow import UnitOfWork

pytestmark = pytest.mark.integration
MEMBERS = ["KEMENDAGRI", "POLRI"]
TODAY = date(2026, 3, 2)
ANSWER_BY = date(2026, 3, 16)


@pytest.fixture(name="reviewed")
async def reviewed_registry(registry_database: str, tmp_path: Path) -> AsyncIterator[Registry]:  # noqa: F811
    """The harness's registry, with two TPOA member ministries who have 14 days to answer."""
    pool = await db.create_pool(registry_database, min_size=1, max_size=4)
    clock = FakeClock(datetime(2026, 3, 2, 3, 0, tzinfo=UTC))
    settings = RegistrySettings(environment="test", documents_dir=tmp_path, tpoa_members=MEMBERS, tpoa_review_days=14)
    spec = build_spec(settings)
    app = prepared_app(spec, pool, clock)
    app.state.uow = app.state.resources.uow = UnitOfWork(pool, service=spec.name)
    try:
        async with asgi_client(app, base_url="http://registry", headers={}) as client:
            yield Registry(client=client, pool=pool, clock=clock)
    finally:
        await pool.close()


def member(code: str) -> dict[str, str]:
    return as_role("ministry", ministry_code=code, subject=f"{code.lower()}-officer")


async def answer(registry: Registry, organization: dict[str, Any], code: str, verdict: str, **body: Any) -> Any:
    return await registry.post(
        f"/organizations/{organization['id']}/review/answers", {"verdict": verdict, **body}, as_=member(code)
    )


async def register_it(registry: Registry, organization: dict[str, Any]) -> Any:
    current = (await registry.get(f"/organizations/{organization['id']}")).json()
    return await registry.post(
        f"/organizations/{organization['id']}/status",
        {"status": "registered", "reason": "principle permit granted"},
        **{"If-Match": f'"{current["version"]}"'},
    )


def fields_of(response: Any) -> set[str]:
    assert response.headers["content-type"] == "application/problem+json", response.text
    return {error["field"] for error in response.json().get("errors", [])}


async def new_applicant(registry: Registry) -> dict[str, Any]:
    return await registry.register(legal_name=f"Applicant {uuid.uuid4().hex[:8]}")


async def test_registration_opens_a_review_that_gates_the_registration(reviewed: Registry) -> None:
    applicant = await new_applicant(reviewed)
    [requested] = await reviewed.events(ApplicationReviewRequested.kind.routing_key)
    assert requested["data"]["organization_id"] == applicant["id"]
    assert (requested["data"]["members"], requested["data"]["answer_by"]) == (MEMBERS, ANSWER_BY.isoformat())

    review = (await reviewed.get(f"/organizations/{applicant['id']}/review")).json()
    assert (review["members"], review["awaiting"], review["objected"]) == (MEMBERS, MEMBERS, [])
    assert (review["answer_by"], review["decidable"], review["answers"]) == (ANSWER_BY.isoformat(), False, [])
    blocked = await register_it(reviewed, applicant)
    assert blocked.status_code == 409, blocked.text
    assert fields_of(blocked) == {"review"}

    cleared = await answer(reviewed, applicant, "POLRI", "cleared", note="nothing on file")
    assert cleared.status_code == 201, cleared.text
    assert (cleared.json()["awaiting"], cleared.json()["decidable"]) == (["KEMENDAGRI"], False)
    [answered] = await reviewed.events(ApplicationReviewAnswered.kind.routing_key)
    assert (answered["data"]["member_code"], answered["data"]["verdict"]) == ("POLRI", "cleared")
    assert (answered["data"]["awaiting"], answered["data"]["answered_by"]) == (["KEMENDAGRI"], "polri-officer")
    assert (await answer(reviewed, applicant, "POLRI", "objected")).status_code == 409
    assert (await register_it(reviewed, applicant)).status_code == 409

    assert (await answer(reviewed, applicant, "KEMENDAGRI", "cleared")).status_code == 201
    review = (await reviewed.get(f"/organizations/{applicant['id']}/review")).json()
    assert (review["awaiting"], review["decidable"], len(review["answers"])) == ([], True, 2)
    registered = await register_it(reviewed, applicant)
    assert registered.status_code == 200, registered.text
    assert registered.json()["status"] == "registered"


async def test_only_the_members_asked_answer_and_only_while_it_is_an_applicant(reviewed: Registry) -> None:
    applicant = await new_applicant(reviewed)
    path = f"/organizations/{applicant['id']}/review/answers"
    assert (await answer(reviewed, applicant, "KEMENSOS", "cleared")).status_code == 403
    region = await reviewed.post(path, {"verdict": "cleared"}, as_=as_role("region", region_code="33"))
    assert region.status_code == 403
    tpoa = await reviewed.post(path, {"verdict": "cleared"})
    assert tpoa.status_code == 403
    ngo = as_role("ngo", organization_id=applicant["id"])
    assert (await reviewed.get(f"/organizations/{applicant['id']}/review", as_=ngo)).status_code == 403
    assert (await reviewed.get(f"/organizations/{uuid.uuid4()}/review")).status_code == 404
    assert (await answer(reviewed, {"id": str(uuid.uuid4())}, "POLRI", "cleared")).status_code == 404
    invalid = await answer(reviewed, applicant, "POLRI", "maybe")
    assert invalid.status_code == 422
    assert fields_of(invalid) == {"body.verdict"}

    current = (await reviewed.get(f"/organizations/{applicant['id']}")).json()
    closed = await reviewed.post(
        f"/organizations/{applicant['id']}/status",
        {"status": "closed", "reason": "application withdrawn"},
        **{"If-Match": f'"{current["version"]}"'},
    )
    assert closed.status_code == 200, closed.text
    assert (await answer(reviewed, applicant, "POLRI", "cleared")).status_code == 409


async def test_an_objection_blocks_for_good_and_silence_only_until_the_answer_day(reviewed: Registry) -> None:
    objected, silent = await new_applicant(reviewed), await new_applicant(reviewed)
    assert (await answer(reviewed, objected, "POLRI", "objected", note="under investigation")).status_code == 201
    assert (await answer(reviewed, silent, "POLRI", "cleared")).status_code == 201

    reviewed.clock.set(ANSWER_BY)
    assert (await register_it(reviewed, silent)).status_code == 409
    reviewed.clock.set(date(2026, 3, 17))
    review = (await reviewed.get(f"/organizations/{silent['id']}/review")).json()
    assert (review["awaiting"], review["decidable"]) == (["KEMENDAGRI"], True)
    assert (await register_it(reviewed, silent)).status_code == 200

    blocked = await register_it(reviewed, objected)
    assert blocked.status_code == 409
    assert "POLRI" in blocked.json()["detail"]
    assert (await reviewed.get(f"/organizations/{objected['id']}/review")).json()["objected"] == ["POLRI"]


async def test_without_members_there_is_no_review(registry: Registry) -> None:
    applicant = await new_applicant(registry)
    assert await registry.events(ApplicationReviewRequested.kind.routing_key) == []
    assert (await registry.get(f"/organizations/{applicant['id']}/review")).status_code == 404
    assert (await register_it(registry, applicant)).status_code == 200


async def queue(registry: Registry, *, as_: dict[str, str] | None = None, **params: Any) -> dict[str, Any]:
    response = await registry.get("/reviews", as_=as_, **params)
    assert response.status_code == 200, response.text
    return response.json()


def names(page: dict[str, Any]) -> list[str]:
    return [item["organization_name"] for item in page["items"]]


async def test_the_review_queue_shows_a_member_what_awaits_its_answer(reviewed: Registry) -> None:
    first = await reviewed.register(legal_name="First applicant", country_of_origin="US")
    reviewed.clock.advance(days=1)
    second = await reviewed.register(legal_name="Second applicant", country_of_origin="NL")
    reviewed.clock.advance(days=1)
    decided = await reviewed.register(legal_name="Decided applicant")
    for code in MEMBERS:
        assert (await answer(reviewed, decided, code, "cleared")).status_code == 201
    assert (await register_it(reviewed, decided)).status_code == 200
    assert (await answer(reviewed, first, "POLRI", "objected", note="under investigation")).status_code == 201

    # POLRI by default: what still awaits its answer; `awaiting=false`: what it answered (open reviews only).
    polri, kemendagri = member("POLRI"), member("KEMENDAGRI")
    assert names(await queue(reviewed, as_=polri)) == ["Second applicant"]
    answered = await queue(reviewed, as_=polri, awaiting="false")
    assert (names(answered), answered["total"]) == (["First applicant"], 1)
    page = await queue(reviewed, as_=kemendagri)
    assert (names(page), page["total"], page["limit"], page["offset"]) == (
        ["First applicant", "Second applicant"],
        2,
        50,
        0,
    )
    [item, _] = page["items"]
    assert item == {
        "organization_id": first["id"],
        "organization_name": "First applicant",
        "country_of_origin": "US",
        "members": MEMBERS,
        "answer_by": ANSWER_BY.isoformat(),
        "awaiting": ["KEMENDAGRI"],
        "objected": ["POLRI"],
        "decidable": False,
        "requested_at": "2026-03-02T03:00:00Z",
    }
    second_page = await queue(reviewed, as_=kemendagri, limit=1, offset=1)
    assert (names(second_page), second_page["total"]) == (["Second applicant"], 2)
    beyond = await queue(reviewed, as_=kemendagri, offset=5)
    assert (beyond["items"], beyond["total"]) == ([], 2)
    assert (await queue(reviewed, as_=member("KEMENSOS")))["total"] == 0

    # TPOA and the readers: every open review; `awaiting` filters by "some member still awaited".
    assert names(await queue(reviewed)) == ["First applicant", "Second applicant"]
    assert (await queue(reviewed, awaiting="false"))["total"] == 0
    assert names(await queue(reviewed, as_=as_role("auditor"), awaiting="true")) == names(await queue(reviewed))
    assert (await answer(reviewed, second, "POLRI", "cleared")).status_code == 201
    assert (await answer(reviewed, second, "KEMENDAGRI", "cleared")).status_code == 201
    done = await queue(reviewed, awaiting="false")
    assert (names(done), done["items"][0]["decidable"]) == (["Second applicant"], True)

    reviewed.clock.set(date(2026, 3, 17))
    late = (await queue(reviewed, as_=kemendagri))["items"]
    assert [(i["organization_name"], i["decidable"]) for i in late] == [("First applicant", False)]


async def test_the_review_queue_is_the_governments_and_checks_its_parameters(reviewed: Registry) -> None:
    applicant = await new_applicant(reviewed)
    for caller in (as_role("region", region_code="33"), as_role("ngo", organization_id=applicant["id"])):
        assert (await reviewed.get("/reviews", as_=caller)).status_code == 403
    for params, field in (({"awaiting": "perhaps"}, "query.awaiting"), ({"limit": 0}, "query.limit")):
        refused = await reviewed.get("/reviews", **params)
        assert refused.status_code == 422, refused.text
        assert fields_of(refused) == {field}
    unknown = await reviewed.get("/reviews", status="open")
    assert unknown.status_code == 422
