"""The demo data of `make run` (issue 12): the four services as processes, the demo loaded twice over their APIs,
and what each demo account's role then sees: a real year of work, not an empty screen.

The second load changes nothing and says so; each load is fast. The deadline engine ticks every second here, so
that an obligation whose date passed without a submission is shown overdue.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest
from support import eventually
from support.services import SERVICES, RunningSystem, running_services
from support.subscriber import OutsideSubscriber
from support.tokens import as_role, token

from mitra_devtools import demo
from mitra_devtools.demo_agreements import CARE_MSP_TITLE, PLAN_MSP_TITLE
from mitra_devtools.demo_stories import STORY_TITLE
from mitra_shared.clock import jakarta_date, system_clock

pytestmark = pytest.mark.e2e
LOAD_SECONDS = 30.0
TPOA = as_role("tpoa", subject="tpoa-viewer")
KEMENSOS = as_role("ministry", subject="kemensos-viewer", ministry_code="KEMENSOS")
JATENG = as_role("region", subject="jateng-viewer", region_code="33")
SEMARANG = as_role("region", subject="semarang-viewer", region_code="3374")


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    with running_services(
        SERVICES,
        log_dir=tmp_path_factory.mktemp("demo-logs"),
        namespace_prefix="e2e-demo",
        smtp=True,
        extra_env={"agreements": {"MITRA_DEADLINE_TICK_SECONDS": "1"}},
    ) as running:
        yield running


def mint(subject: str, role: str, scope: dict[str, str]) -> str:
    return token(subject=subject, role=role, **scope)


def load(system: RunningSystem) -> tuple[list[str], float]:
    started = time.monotonic()
    lines = demo.load(
        registry_url=system.url("registry"),
        agreements_url=system.url("agreements"),
        notifications_url=system.url("notifications"),
        reporting_url=system.url("reporting"),
        mint=mint,
        say=lambda line: None,
    )
    return lines, time.monotonic() - started


def get(client: httpx.Client, url: str, headers: dict[str, str], **params: Any) -> Any:
    response = client.get(url, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_demo_shows_each_role_a_year_of_work_and_loads_twice_without_change(system: RunningSystem) -> None:
    today = jakarta_date(system_clock())
    async with OutsideSubscriber(system.namespace, ["agreements.visit.#", "agreements.recommendation.#"]) as events:
        first, seconds = await asyncio.to_thread(load, system)
        assert seconds < LOAD_SECONDS, f"the demo took {seconds:.1f}s to load"
        for expected in ("MSP of Plan International with Kemensos signed", "story published", "visit announced"):
            assert any(expected in line for line in first), (expected, first)
        second, seconds = await asyncio.to_thread(load, system)
        assert second == [], second
        assert seconds < LOAD_SECONDS
        visits = await events.wait_for_count("agreements.visit.announced", 2)
        recommendation = await events.wait_for("agreements.recommendation.requested")

    registry, agreements, reporting = system.url("registry"), system.url("agreements"), system.url("reporting")
    with httpx.Client(timeout=10) as client:
        # TPOA: applicants to review, and CARE International's MSP awaiting its review.
        applicants = get(client, f"{registry}/organizations", TPOA, status="applicant", limit=50)["items"]
        assert "Swisscontact" in {o["legal_name"] for o in applicants}
        submitted = get(client, f"{agreements}/msps", TPOA, status="submitted")["items"]
        assert [m["title"] for m in submitted] == [CARE_MSP_TITLE]

        # Plan International: registered with both permits, active, its MSP with Kemensos signed a year ago.
        plan = next(
            o
            for o in get(client, f"{registry}/organizations", TPOA, q="Plan International")["items"]
            if o["legal_name"] == "Plan International"
        )
        assert plan["status"] == "active"
        permits = get(client, f"{registry}/permits", TPOA, organization_id=plan["id"])["items"]
        assert {p["permit_type"] for p in permits} == {"principle", "operating"}
        assert all(date.fromisoformat(p["valid_until"]) > today for p in permits)
        plan_staff = as_role("ngo", subject="plan-viewer", organization_id=plan["id"])
        msps = get(client, f"{agreements}/msps", plan_staff)["items"]
        assert [(m["title"], m["status"], m["ministry_code"]) for m in msps] == [(PLAN_MSP_TITLE, "active", "KEMENSOS")]
        msp = msps[0]
        assert (today - date.fromisoformat(msp["signed_on"])).days > 330

        # Obligations in every state (the one left open past its date becomes overdue on the engine's next tick).
        def statuses() -> set[str]:
            return {o["status"] for o in get(client, f"{agreements}/msps/{msp['id']}/obligations", plan_staff)}

        wanted = {"accepted", "submitted", "returned", "pending", "overdue"}
        await eventually(
            lambda: asyncio.to_thread(lambda: wanted <= statuses()), timeout=20, description="every obligation state"
        )

        # Kemensos: reports awaiting its review, one of them after a return with a comment; the visa request.
        obligations = get(client, f"{agreements}/msps/{msp['id']}/obligations", KEMENSOS)
        reports = [o for o in obligations if o["kind"] in ("semester_report", "annual_report")]
        histories = [
            get(client, f"{agreements}/obligations/{o['id']}/submissions", KEMENSOS)
            for o in reports
            if o["status"] == "submitted"
        ]
        assert len(histories) >= 2
        assert all(history[-1]["status"] == "submitted" for history in histories)
        assert any(s["status"] == "returned" and s["comments"] for history in histories for s in history)
        issued = get(client, f"{agreements}/recommendations/{recommendation['data']['recommendation_id']}", KEMENSOS)
        assert (issued["kind"], issued["status"]) == ("visa", "requested")
        # The visa names the expert's assignment in registry's foreign-staff register; the name comes from it.
        assert recommendation["data"]["staff_assignment_id"] is not None
        assert issued["expert_name"] == "Maria Jansen (demo)"

        # Jawa Tengah and Kota Semarang: the MSP, the work plans of their area, the visits announced to them.
        # (A regency's office also sees its province's RKT: it touches its area.)
        for headers in (JATENG, SEMARANG):
            titles = {m["title"] for m in get(client, f"{agreements}/msps", headers)["items"]}
            assert titles == {PLAN_MSP_TITLE, CARE_MSP_TITLE}
            seen = get(client, f"{agreements}/msps/{msp['id']}/obligations", headers)
            assert {o["region_code"] for o in seen if o["kind"] == "work_plan"} == {"33", "3374"}
        rkt = [o for o in get(client, f"{agreements}/msps/{msp['id']}/obligations", SEMARANG) if o["region_code"]]
        assert {"returned", "overdue"} <= {o["status"] for o in rkt}
        for event in visits:
            visit = get(client, f"{agreements}/visits/{event['data']['visit_id']}", SEMARANG)
            assert "3374" in visit["region_codes"]
            assert visit["status"] == "announced"
        assert sorted(date.fromisoformat(e["data"]["arrives_on"]) for e in visits)[-1] > today

        # The story: published, for every reader.
        for headers in (SEMARANG, KEMENSOS, plan_staff):
            stories = get(client, f"{reporting}/stories", headers, status="published")["items"]
            assert STORY_TITLE in {s["title"] for s in stories}
