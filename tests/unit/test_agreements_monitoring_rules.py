"""The rules of monitoring visits and mitigation actions, without I/O: who records and moves what, the status of an
action, its region, and the deadline engine's steps for it."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from mitra_agreements.domain import deadlines, monitoring, monitoring_access
from mitra_agreements.domain.access import MspParties
from mitra_agreements.domain.deadlines import Overdue, Reminder
from mitra_shared.context import Principal
from mitra_shared.errors import Conflict, Forbidden, RuleBroken

NGO_ID = uuid.uuid4()
MSP = MspParties(organization_id=NGO_ID, ministry_code="KEMENSOS", region_codes=("3374", "51"))
TODAY = date(2027, 3, 1)


def principal(role: str, **scope: object) -> Principal:
    return Principal("someone", roles=(role,), scope={claim: str(value) for claim, value in scope.items()})


def action(**fields: object) -> monitoring.OpenMitigationAction:
    return monitoring.OpenMitigationAction.model_validate(
        {"description": "Complete the lists", "owner": "ngo", "due_on": "2027-04-01", **fields}
    )


def test_the_mitra_utama_or_a_region_the_msp_touches_records_monitoring() -> None:
    assert monitoring_access.office_of(principal("ministry", ministry_code="KEMENSOS"), MSP) == ("ministry", "KEMENSOS")
    assert monitoring_access.office_of(principal("region", region_code="33"), MSP) == ("region", "33")
    for outsider in (
        principal("ministry", ministry_code="KEMENLU"),
        principal("region", region_code="52"),
        principal("ngo", organization_id=NGO_ID),
        principal("tpoa"),
    ):
        with pytest.raises(Forbidden):
            monitoring_access.office_of(outsider, MSP)
    jateng = principal("region", region_code="33")
    monitoring_access.check_in_own_area(jateng, "region", "3374", field="body.region_code")
    with pytest.raises(Forbidden) as outside:
        monitoring_access.check_in_own_area(jateng, "region", "51", field="body.region_code")
    assert outside.value.field == "body.region_code"


def test_a_region_reads_the_msp_wide_records_and_those_of_its_area() -> None:
    jateng = principal("region", region_code="33")
    assert monitoring_access.may_read(jateng, MSP, None)
    assert monitoring_access.may_read(jateng, MSP, "3374")
    assert not monitoring_access.may_read(jateng, MSP, "51")
    assert monitoring_access.may_read(principal("ngo", organization_id=NGO_ID), MSP, "51")
    assert not monitoring_access.may_read(principal("ngo", organization_id=uuid.uuid4()), MSP, None)


def test_the_owner_moves_an_action_on_and_the_mitra_utama_may_cancel_it() -> None:
    kemensos = principal("ministry", ministry_code="KEMENSOS")
    the_ngo = principal("ngo", organization_id=NGO_ID)
    monitoring_access.check_status_change(the_ngo, MSP, owner="ngo", owner_region_code=None, status="done")
    monitoring_access.check_status_change(kemensos, MSP, owner="ngo", owner_region_code=None, status="cancelled")
    with pytest.raises(Forbidden):
        monitoring_access.check_status_change(kemensos, MSP, owner="ngo", owner_region_code=None, status="done")
    with pytest.raises(Forbidden):
        monitoring_access.check_status_change(the_ngo, MSP, owner="ministry", owner_region_code=None, status="done")
    for owner in ("ngo", "region"):  # the owner moves it on but does not drop it
        with pytest.raises(Forbidden):
            monitoring_access.check_status_change(
                principal(owner, organization_id=NGO_ID, region_code="3374"),
                MSP,
                owner=owner,
                owner_region_code="3374" if owner == "region" else None,
                status="cancelled",
            )
    semarang = principal("region", region_code="3374")
    monitoring_access.check_status_change(semarang, MSP, owner="region", owner_region_code="3374", status="in_progress")
    jateng = principal("region", region_code="33")
    for other_office, owning_region in ((jateng, "3374"), (semarang, "33")):  # exactly the owning office
        with pytest.raises(Forbidden):
            monitoring_access.check_status_change(
                other_office, MSP, owner="region", owner_region_code=owning_region, status="done"
            )


def test_an_action_moves_forward_once_and_ends_done_or_cancelled() -> None:
    monitoring.check_transition("open", "in_progress")
    monitoring.check_transition("open", "done")
    monitoring.check_transition("in_progress", "cancelled")
    for current, new in (("in_progress", "in_progress"), ("done", "cancelled"), ("cancelled", "done")):
        with pytest.raises(Conflict) as refused:
            monitoring.check_transition(current, new)
        assert refused.value.field == "body.status"


def test_an_actions_owner_region_due_date_and_region() -> None:
    monitoring.check_action(action(), TODAY)
    monitoring.check_action(action(owner="region", owner_region_code="3374"), TODAY)
    for bad, field in (
        (action(owner="region"), "body.owner_region_code"),
        (action(owner_region_code="3374"), "body.owner_region_code"),
        (action(due_on="2027-02-28"), "body.due_on"),
    ):
        with pytest.raises(RuleBroken) as refused:
            monitoring.check_action(bad, TODAY)
        assert refused.value.field == field
    assert monitoring.action_region(action(owner="region", owner_region_code="3374"), "51") == "3374"
    assert monitoring.action_region(action(), "51") == "51"
    assert monitoring.action_region(action(), None) is None
    monitoring.check_region_of_msp("33", MSP.region_codes, field="body.region_code")
    with pytest.raises(RuleBroken):
        monitoring.check_region_of_msp("52", MSP.region_codes, field="body.region_code")
    with pytest.raises(RuleBroken):
        monitoring.check_visited_on(date(2027, 3, 2), TODAY)


def test_the_engine_reminds_of_an_open_or_started_action_and_tells_overdue() -> None:
    due_on = date(2027, 3, 31)
    step = deadlines.action_step(
        status="in_progress", msp_status="active", due_on=due_on, reminder_days=(30, 7, 1), today=date(2027, 3, 25)
    )
    assert (step.notice, step.next_check_on) == (Reminder(7, 6), date(2027, 3, 30))
    late = deadlines.action_step(
        status="open", msp_status="extended", due_on=due_on, reminder_days=(30, 7, 1), today=date(2027, 4, 2)
    )
    assert (late.notice, late.next_check_on) == (Overdue(2), None)
    for finished in ("done", "cancelled"):
        step = deadlines.action_step(
            status=finished, msp_status="active", due_on=due_on, reminder_days=(30,), today=TODAY
        )
        assert (step.notice, step.next_check_on) == (None, None)
    ended = deadlines.action_step(
        status="open", msp_status="terminated", due_on=due_on, reminder_days=(30,), today=TODAY
    )
    assert (ended.notice, ended.next_check_on) == (None, None), "an MSP no longer in force asks nothing more"
