"""What an MSP import knows before it plans (`Facts`), and the rows about MSPs already recorded: those are only
compared with what is recorded (an import does not amend a live MSP, and the rules that admit a new MSP, the NGO's
state or its permit today, do not apply to one already admitted)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from mitra_agreements.domain.imports import MspLine, ObligationLine, Problem, name_key, on_obligations_sheet
from mitra_agreements.domain.registry_facts import KnownOrganization, KnownPartner, KnownPermit
from mitra_shared.errors import RuleBroken

ObligationKey = tuple[str, str, str]


@dataclass(frozen=True)
class RecordedMsp:
    """An MSP already in agreements with this number, as an import compares a row with it."""

    number: str
    title: str
    organization_id: UUID
    ministry_code: str
    focus_areas: list[str]
    forms_of_cooperation: list[str]
    work_location_codes: list[str]
    starts_on: date
    ends_on: date
    signed_on: date | None
    principle_permit_id: UUID | None
    signatories: list[dict[str, str]]
    signed_document_ref: str | None
    received: Mapping[ObligationKey, date | None]  # every obligation's key → its received_outside_on


@dataclass(frozen=True)
class Facts:
    """What agreements knows that the file's rows name, read by the use case in the import's transaction."""

    today: date
    reminder_days: Sequence[int]
    warning_days: Sequence[int]
    caller_ministry: str | None  # a ministry imports its own MSPs only; None: TPOA, every MSP
    organizations: Mapping[UUID, KnownOrganization]
    organizations_by_name: Mapping[tuple[str, str], Sequence[KnownOrganization]]
    ministries: Mapping[str, KnownPartner]
    regions: dict[str, KnownPartner]
    permits: Mapping[UUID, Sequence[KnownPermit]]
    recorded: Mapping[str, RecordedMsp]
    # A ministry imports only MSPs signed before this day (when Mitra began recording MSPs): a later one went, or
    # goes, through TPOA's review. None: no limit (TPOA's import is the review).
    signed_before: date | None = None


def describe(key: ObligationKey) -> str:
    kind, period, region = key
    return " ".join(part for part in (kind, period, f"for region {region}" if region else "") if part)


def _changed(column: str, number: str) -> RuleBroken:
    return RuleBroken(f"file.{column}", f"MSP {number} is already recorded in Mitra; change it there")


def _organization_matches(line: MspLine, recorded: RecordedMsp, facts: Facts) -> bool:
    if line.organization_id is not None:
        return line.organization_id == recorded.organization_id
    named = facts.organizations_by_name.get(name_key(line.organization_name, line.organization_country), ())
    return any(organization.organization_id == recorded.organization_id for organization in named)


def check_recorded(line: MspLine, recorded: RecordedMsp, facts: Facts) -> None:
    """A row about an MSP already recorded is unchanged, or refused at the first column it differs in."""
    if not _organization_matches(line, recorded, facts):
        raise _changed("organization_legal_name" if line.organization_id is None else "organization_id", line.number)
    compared: list[tuple[str, object, object]] = [
        ("title", line.title, recorded.title),
        ("ministry_code", line.ministry_code, recorded.ministry_code),
        ("focus_areas", line.focus_areas, recorded.focus_areas),
        ("forms_of_cooperation", line.forms_of_cooperation, recorded.forms_of_cooperation),
        ("work_locations", line.work_location_codes, recorded.work_location_codes),
        ("starts_on", line.starts_on, recorded.starts_on),
        ("ends_on", line.ends_on, recorded.ends_on),
        ("signed_on", line.signed_on, recorded.signed_on),
    ]
    if line.principle_permit_number:
        permits = facts.permits.get(recorded.organization_id, ())
        named = next((p.permit_id for p in permits if p.number == line.principle_permit_number), None)
        compared.append(("principle_permit_number", named, recorded.principle_permit_id))
    if line.signatories:
        given = [s.model_dump() for s in line.signatories]
        compared.append(("organization_signatory_name", given, recorded.signatories))
    if line.signed_document_ref:
        compared.append(("signed_document_ref", line.signed_document_ref, recorded.signed_document_ref))
    for column, given_value, recorded_value in compared:
        if given_value != recorded_value:
            raise _changed(column, line.number)


def check_recorded_history(
    recorded: RecordedMsp,
    line: MspLine | None,
    overrides: Mapping[ObligationKey, ObligationLine],
    found: list[Problem],
) -> None:
    """The received-outside dates a file gives for an MSP already recorded must be those recorded."""
    changed = f"MSP {recorded.number} is already recorded in Mitra; change it there"
    for key, override in overrides.items():
        if key not in recorded.received:
            found.append(
                on_obligations_sheet((override.line, "period", f"MSP {recorded.number} has no {describe(key)}"))
            )
        elif recorded.received[key] != override.received_on:
            found.append(on_obligations_sheet((override.line, "received_on", changed)))
    if line is not None and line.past_received_on is not None:
        for key, received_on in recorded.received.items():
            if key not in overrides and received_on is not None and received_on != line.past_received_on:
                found.append((line.line, "past_obligations_received_on", changed))
                return
