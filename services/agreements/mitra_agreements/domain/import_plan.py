"""What an MSP import records, decided from the file's rows and what agreements knows: each new MSP in the state its
dates give, its obligations planned as signing plans them (those received on paper marked so), the rows equal to
what is recorded (unchanged), and every row refused with its line and column. An MSP already recorded that the file
describes differently is refused: an import does not amend a live MSP."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from mitra_agreements.domain import msps as rules
from mitra_agreements.domain.dates import ONE_DAY
from mitra_agreements.domain.deadlines import DUE, OVERDUE, first_check_of, msp_step
from mitra_agreements.domain.import_recorded import (
    Facts,
    ObligationKey,
    RecordedMsp,
    check_recorded,
    check_recorded_history,
    describe,
)
from mitra_agreements.domain.import_timing import earliest_receipt, reminders_ahead, warnings_ahead
from mitra_agreements.domain.imports import WHAT, MspLine, ObligationLine, Problem, name_key, on_obligations_sheet
from mitra_agreements.domain.obligations import ObligationRules, PlannedObligation, plan_obligations
from mitra_agreements.domain.registry_facts import KnownOrganization, KnownPartner, KnownPermit
from mitra_shared.contracts.agreements import WorkLocation
from mitra_shared.errors import FileRejected, Refused, RuleBroken
from mitra_shared.tabular import MAX_PROBLEMS

__all__ = ["Facts", "ImportPlan", "NewMsp", "ObligationKey", "RecordedMsp", "plan_import", "reminders_ahead"]


@dataclass(frozen=True)
class NewObligation:
    planned: PlannedObligation
    status: str  # pending, received_outside or (its MSP already ended) closed
    received_outside_on: date | None
    next_check_on: date | None


@dataclass(frozen=True)
class NewMsp:
    line: MspLine
    organization: KnownOrganization
    ministry: KnownPartner
    work_locations: list[WorkLocation]
    permit: KnownPermit
    status: rules.MspStatus
    next_check_on: date | None
    obligations: list[NewObligation]

    @property
    def ended(self) -> bool:
        return self.status == "ended"


@dataclass
class ImportPlan:
    rows: int
    added: list[NewMsp] = field(default_factory=list)
    unchanged: int = 0
    obligations_created: int = 0
    received_outside_mitra: int = 0
    reminders_to_follow: int = 0
    overdue_notices_to_follow: int = 0
    expiry_warnings_to_follow: int = 0


def plan_import(
    msp_lines: Sequence[MspLine],
    obligation_lines: Sequence[ObligationLine],
    facts: Facts,
    *,
    rows: int,
    problems: Sequence[Problem] = (),
) -> ImportPlan:
    """The import of the file's rows (`problems`: those the file's reading already found), or `FileRejected`
    naming every bad line."""
    found: list[Problem] = list(problems)
    plan = ImportPlan(rows=rows)
    overrides = _overrides(obligation_lines, msp_lines, facts, found)
    seen: set[str] = set()
    for line in msp_lines:
        if line.number in seen:
            found.append((line.line, "number", f"MSP {line.number} is in the file more than once"))
            continue
        seen.add(line.number)
        try:
            _plan_line(line, overrides.get(line.number, {}), facts, plan, found)
        except Refused as refused:
            found.append((line.line, (refused.field or "file.").removeprefix("file.") or None, refused.reason))
    for number, by_key in overrides.items():
        if number not in seen:
            check_recorded_history(facts.recorded[number], None, by_key, found)
    if found:
        raise FileRejected(WHAT, sorted(found, key=lambda p: (p[0], p[1] or ""))[:MAX_PROBLEMS])
    return plan


def _overrides(
    obligation_lines: Sequence[ObligationLine], msp_lines: Sequence[MspLine], facts: Facts, found: list[Problem]
) -> dict[str, dict[ObligationKey, ObligationLine]]:
    """The obligations sheet's rows by MSP number and obligation; rows naming no MSP, or naming one twice, are
    refused."""
    in_file = {line.number: line for line in msp_lines}
    by_msp: dict[str, dict[ObligationKey, ObligationLine]] = {}
    for line in obligation_lines:
        recorded = facts.recorded.get(line.msp_number)
        if line.msp_number not in in_file and recorded is None:
            found.append(
                on_obligations_sheet((line.line, "msp_number", f"no MSP {line.msp_number} in this file or in Mitra"))
            )
            continue
        ministry = in_file[line.msp_number].ministry_code if recorded is None else recorded.ministry_code
        if facts.caller_ministry is not None and ministry != facts.caller_ministry:
            found.append(
                on_obligations_sheet((line.line, "msp_number", f"MSP {line.msp_number} is not of your ministry"))
            )
            continue
        if line.received_on > facts.today:
            found.append(on_obligations_sheet((line.line, "received_on", f"{line.received_on} is in the future")))
            continue
        mine = by_msp.setdefault(line.msp_number, {})
        if line.key in mine:
            found.append(
                on_obligations_sheet((line.line, None, f"this obligation is already on line {mine[line.key].line}"))
            )
            continue
        mine[line.key] = line
    return by_msp


def _refuse(column: str, reason: str) -> RuleBroken:
    return RuleBroken(f"file.{column}", reason)


def _plan_line(
    line: MspLine,
    overrides: Mapping[ObligationKey, ObligationLine],
    facts: Facts,
    plan: ImportPlan,
    found: list[Problem],
) -> None:
    if facts.caller_ministry is not None and line.ministry_code != facts.caller_ministry:
        raise _refuse("ministry_code", f"a ministry imports only its own MSPs ({facts.caller_ministry})")
    recorded = facts.recorded.get(line.number)
    if recorded is not None:
        # Admitted already: its row is only compared (the NGO's state or its permit today do not matter).
        before = len(found)
        check_recorded(line, recorded, facts)
        check_recorded_history(recorded, line, overrides, found)
        plan.unchanged += len(found) == before
        return
    if facts.signed_before is not None and line.signed_on >= facts.signed_before:
        raise _refuse(
            "signed_on",
            f"a ministry imports only MSPs signed before {facts.signed_before}, when Mitra began recording MSPs: "
            "a later MSP goes through TPOA's review (draft, submit, approval, signing), or TPOA imports it",
        )
    if not line.signatories:
        raise _refuse("organization_signatory_name", "at least one signatory (name and title), as signing requires")
    organization = _organization(line, facts)
    ministry = facts.ministries.get(line.ministry_code)
    if ministry is None:
        raise _refuse("ministry_code", f"{line.ministry_code} is not a ministry agreements knows (registry's partners)")
    try:
        regions = rules.check_work_locations(line.work_location_codes, facts.regions, field="file.work_locations")
    except Refused as refused:
        raise _refuse("work_locations", refused.reason) from refused
    if line.ends_on <= line.starts_on:
        raise _refuse("ends_on", f"the end date {line.ends_on} must be after the start date {line.starts_on}")
    if line.signed_on > facts.today:
        raise _refuse("signed_on", f"{line.signed_on} is in the future")
    if line.signed_on > line.ends_on:
        raise _refuse("signed_on", f"{line.signed_on} is after the MSP's end ({line.ends_on})")
    if line.past_received_on is not None and not line.signed_on <= line.past_received_on <= facts.today:
        raise _refuse("past_obligations_received_on", f"must be between the signing date and today ({facts.today})")
    permit = _permit(line, organization, facts)
    planned = plan_obligations(
        starts_on=line.starts_on,
        ends_on=line.ends_on,
        signed_on=line.signed_on,
        regions=regions,
        rules=ObligationRules(),
    )
    status = rules.signed_status(line.starts_on, facts.today)
    step = msp_step(
        status=status,
        starts_on=line.starts_on,
        ends_on=line.ends_on,
        warning_days=facts.warning_days,
        today=facts.today,
    )
    ended = step.end
    keys = {(o.kind, o.period, o.region_code or "") for o in planned}
    lacking = [
        on_obligations_sheet((o.line, "period", f"MSP {line.number} creates no {describe(k)}"))
        for k, o in overrides.items()
    ]
    if any(key not in keys for key in overrides):
        found += [problem for problem, key in zip(lacking, overrides, strict=True) if key not in keys]
        return
    before = len(found)
    obligations = [_obligation(o, line, overrides, facts, ended=ended, plan=plan, found=found) for o in planned]
    if len(found) > before:
        return
    if not ended:
        plan.expiry_warnings_to_follow += warnings_ahead(
            status, line.starts_on, line.ends_on, facts.warning_days, facts.today
        )
    locations = [
        WorkLocation(
            code=r.code,
            kind=facts.regions[r.code].partner_kind,
            name=facts.regions[r.code].name,
            province_code=r.province_code,
        )
        for r in regions
    ]
    plan.added.append(
        NewMsp(
            line,
            organization,
            ministry,
            locations,
            permit,
            "ended" if ended else status,
            None if ended else facts.today,
            obligations,
        )
    )
    plan.obligations_created += len(obligations)


def _organization(line: MspLine, facts: Facts) -> KnownOrganization:
    if line.organization_id is not None:
        organization = facts.organizations.get(line.organization_id)
        column = "organization_id"
    else:
        candidates = facts.organizations_by_name.get(name_key(line.organization_name, line.organization_country), ())
        if len(candidates) > 1:
            raise _refuse("organization_legal_name", "several NGOs have this name and country: give organization_id")
        organization = candidates[0] if candidates else None
        column = "organization_legal_name"
    if organization is None:
        raise _refuse(
            column,
            "agreements knows no such NGO (it learns of NGOs from registry's events: import the "
            "NGOs on registry first)",
        )
    try:
        rules.check_can_get_msp(organization, organization.organization_id, field=f"file.{column}")
    except Refused as refused:
        raise _refuse(column, refused.reason) from refused
    return organization


def _permit(line: MspLine, organization: KnownOrganization, facts: Facts) -> KnownPermit:
    """The principle permit the MSP rests on: the one the row names, else the NGO's permit valid on the signing date
    that lasts longest. Valid on the signing date by its dates (one expired since then still counts; one revoked,
    i.e. marked expired before its end, does not); the MSP must end within it."""
    permits = facts.permits.get(organization.organization_id, ())

    def valid(permit: KnownPermit) -> bool:
        revoked = permit.expired and permit.valid_until >= facts.today
        return not revoked and permit.issued_on <= line.signed_on <= permit.valid_until

    column = "principle_permit_number"
    if line.principle_permit_number:
        named = [p for p in permits if p.number == line.principle_permit_number]
        if not named:
            raise _refuse(column, f"{organization.legal_name} has no principle permit {line.principle_permit_number}")
        if not valid(named[0]):
            raise _refuse(column, f"principle permit {named[0].number} was not valid on {line.signed_on}")
        permit = named[0]
    else:
        candidates = [p for p in permits if valid(p)]
        if not candidates:
            raise _refuse(
                "signed_on",
                f"{organization.legal_name} has no principle permit (izin prinsip) valid on "
                f"{line.signed_on}: an MSP cannot be signed without one",
            )
        permit = max(candidates, key=lambda p: p.valid_until)
    if line.ends_on > permit.valid_until:
        raise _refuse(
            "ends_on",
            f"the MSP would end on {line.ends_on}, after the principle permit {permit.number} "
            f"(valid until {permit.valid_until})",
        )
    return permit


def _obligation(
    planned: PlannedObligation,
    line: MspLine,
    overrides: Mapping[ObligationKey, ObligationLine],
    facts: Facts,
    *,
    ended: bool,
    plan: ImportPlan,
    found: list[Problem],
) -> NewObligation:
    override = overrides.get((planned.kind, planned.period, planned.region_code or ""))
    received = override.received_on if override else None
    if received is None and line.past_received_on and planned.due_on < facts.today and planned.kind in DUE:
        received = line.past_received_on
    if received is not None:
        earliest, why = earliest_receipt(planned, line.signed_on, line.ends_on)
        if received < earliest:
            key = (planned.kind, planned.period, planned.region_code or "")
            reason = f"{received} is too early for the {describe(key)}: {why}"
            if override is not None:
                found.append(on_obligations_sheet((override.line, "received_on", reason)))
            elif not any(p[:2] == (line.line, "past_obligations_received_on") for p in found):
                found.append((line.line, "past_obligations_received_on", reason))
        plan.received_outside_mitra += 1
        return NewObligation(planned, "received_outside", received, None)
    if ended:
        # An MSP over before it was recorded asks nothing more of the NGO (as the engine closes them at the end).
        return NewObligation(planned, "closed", None, None)
    if planned.kind in OVERDUE and planned.due_on < facts.today:
        plan.overdue_notices_to_follow += 1
    elif planned.kind in DUE:
        plan.reminders_to_follow += reminders_ahead(
            planned.due_on, facts.reminder_days, facts.today, until=line.ends_on + ONE_DAY
        )
    return NewObligation(planned, "pending", None, first_check_of(planned, facts.reminder_days, facts.today))
