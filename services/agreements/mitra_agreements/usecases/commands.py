"""The commands agreements' use cases take, validated and with examples (they are also the HTTP request bodies)."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mitra_agreements.domain.obligations import ObligationRules
from mitra_shared.contracts.agreements import FundingSource, Signatory, Visitor

_EXAMPLE_ORGANIZATION = "6f1c2a4e-8b0d-4c1e-9a57-3d2f0e9b7c11"
_EXAMPLE_MINISTRY = "0b7e6d5c-4a3b-4c2d-8e1f-9a8b7c6d5e4f"
_EXAMPLE_MSP = "a3c1e5f7-2b4d-4f6a-8c0e-1d3f5a7b9c2e"


class _Command(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _distinct(values: list[str]) -> list[str]:
    return list(dict.fromkeys(value.strip() for value in values if value.strip()))


class DraftMsp(_Command):
    """Command: draft an MSP between a foreign NGO and its Mitra Utama ministry."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "organization_id": _EXAMPLE_ORGANIZATION,
                    "ministry_partner_id": _EXAMPLE_MINISTRY,
                    "title": "Kerja sama perlindungan anak dan pengurangan risiko bencana",
                    "focus_areas": ["child_welfare", "disaster_risk_management"],
                    "forms_of_cooperation": ["capacity_building", "knowledge_sharing"],
                    "work_location_codes": ["3374", "33"],
                    "starts_on": "2027-01-01",
                    "ends_on": "2029-12-31",
                }
            ]
        }
    )

    organization_id: UUID = Field(description="The foreign NGO, as registry names it.")
    ministry_partner_id: UUID = Field(description="The Mitra Utama: a ministry among registry's partners.")
    title: str = Field(min_length=3, max_length=500)
    focus_areas: list[str] = Field(default_factory=list, max_length=20, description="Focus-area codes.")
    forms_of_cooperation: list[str] = Field(default_factory=list, max_length=20)
    work_location_codes: list[str] = Field(
        default_factory=list,
        max_length=200,
        description="Province or regency codes where the NGO works (none when it works only with the ministry).",
    )
    starts_on: date
    ends_on: date
    obligation_rules: ObligationRules = Field(
        default_factory=ObligationRules, description="Which obligations signing creates; the defaults if left out."
    )

    _clean = field_validator("focus_areas", "forms_of_cooperation", "work_location_codes")(_distinct)


class Decide(_Command):
    """Command: TPOA approves an MSP (with an optional note)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"note": "Reviewed at the TPOA meeting of 12 March"}]})

    note: str | None = Field(None, max_length=2000)


class Reject(_Command):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "Scope overlaps an existing MSP"}]})

    reason: str = Field(min_length=3, max_length=2000)


class SignMsp(_Command):
    """Command: record that the approved MSP was signed."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "number": "MSP/123/KEMENSOS/2027",
                    "signed_on": "2027-01-05",
                    "signatories": [
                        {"name": "Dra. Sri Wahyuni", "title": "Director General", "party": "ministry"},
                        {"name": "Jane Doe", "title": "Country Director", "party": "organization"},
                    ],
                    "signed_document_ref": "dms://kemensos/msp/2027/123.pdf",
                }
            ]
        }
    )

    number: str = Field(min_length=1, max_length=100)
    signed_on: date | None = Field(None, description="Defaults to today (Asia/Jakarta).")
    signatories: list[Signatory] = Field(min_length=1)
    signed_document_ref: str | None = Field(
        None,
        max_length=1000,
        description="A reference to the signed MSP in another system, kept as given; the file itself is attached "
        "with `POST /msps/{id}/documents` (purpose `signed_msp`).",
    )


class ExtendMsp(_Command):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"ends_on": "2031-12-31", "reason": "TPOA agreed the extension"}]}
    )

    ends_on: date = Field(description="The new end date; not past the principle permit's validity.")
    reason: str = Field(min_length=3, max_length=2000)


class TerminateMsp(_Command):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"reason": "Permit revoked", "terminated_on": "2028-04-30"}]}
    )

    reason: str = Field(min_length=3, max_length=2000)
    terminated_on: date | None = Field(None, description="Defaults to today (Asia/Jakarta).")


class SubmitObligation(_Command):
    """Command: the NGO submits a work plan, report or Action Plan."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "summary": "Semester report January-June 2027: 12 trainings in Semarang",
                    "document_ref": "dms://plan/reports/2027-s1.pdf",
                    "funding": [
                        {
                            "source": "Plan International UK",
                            "amount": 250000000,
                            "currency": "IDR",
                            "use": "Child protection training",
                        }
                    ],
                }
            ]
        }
    )

    summary: str = Field(min_length=3, max_length=20000, description="The text of the work plan or report.")
    document_ref: str | None = Field(
        None,
        max_length=1000,
        description="A reference to the file in another system, kept as given; the file itself is attached with "
        "`POST /submissions/{id}/documents` once submitted.",
    )
    funding: list[FundingSource] = Field(default_factory=list, description="Funding sources, amounts and uses.")


class DecideSubmission(_Command):
    model_config = ConfigDict(json_schema_extra={"examples": [{"comments": "Please add the funding per region"}]})

    comments: str | None = Field(None, max_length=5000)


class AnnounceVisit(_Command):
    """Command: announce a visit of foreign guests to the regions it goes to."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "msp_id": _EXAMPLE_MSP,
                    "visitors": [{"name": "John Smith", "nationality": "GB", "role": "Regional adviser"}],
                    "purpose": "Monitoring of the child protection programme",
                    "arrives_on": "2027-03-01",
                    "departs_on": "2027-03-05",
                    "region_codes": ["3374"],
                    "programme": "Day 1: Kesbangpol; days 2-4: field visits; day 5: debrief",
                }
            ]
        }
    )

    msp_id: UUID
    visitors: list[Visitor] = Field(min_length=1, max_length=100)
    purpose: str = Field(min_length=3, max_length=2000)
    arrives_on: date
    departs_on: date
    region_codes: list[str] = Field(min_length=1, max_length=100, description="Regency or province codes visited.")
    programme: str | None = Field(None, max_length=20000)

    _clean = field_validator("region_codes")(_distinct)


class UpdateVisit(_Command):
    """Command: change an announced visit; only the fields given change."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"departs_on": "2027-03-06"}]})

    visitors: list[Visitor] | None = Field(None, min_length=1, max_length=100)
    purpose: str | None = Field(None, min_length=3, max_length=2000)
    arrives_on: date | None = None
    departs_on: date | None = None
    region_codes: list[str] | None = Field(None, min_length=1, max_length=100)
    programme: str | None = Field(None, max_length=20000)

    @model_validator(mode="after")
    def _something(self) -> UpdateVisit:
        if not self.model_fields_set:
            raise ValueError("give at least one field to change")
        # Only the programme may be removed; the rest of a visit is changed, never emptied (null is refused here
        # rather than by the database or the date rules).
        emptied = [name for name in sorted(self.model_fields_set - {"programme"}) if getattr(self, name) is None]
        if emptied:
            raise ValueError(f"{', '.join(emptied)} may be changed but not removed (null)")
        return self


class CancelVisit(_Command):
    model_config = ConfigDict(json_schema_extra={"examples": [{"reason": "Flight cancelled"}]})

    reason: str = Field(min_length=3, max_length=2000)


class RequestRecommendation(_Command):
    """Command: ask the ministry for a visa/stay-permit recommendation for a foreign expert, or a tax exemption."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "msp_id": _EXAMPLE_MSP,
                    "kind": "visa",
                    "staff_assignment_id": "5f1d2a9e-3c4b-4e8f-a1d2-7b6c5e4f3a21",
                    "purpose": "Technical adviser for disaster risk management, 12 months",
                }
            ]
        }
    )

    msp_id: UUID
    kind: Literal["visa", "tax_exemption"]
    staff_assignment_id: UUID | None = Field(
        None,
        description="Required for a visa recommendation: the expert's assignment to the MSP's NGO in registry's "
        "foreign-staff register (`registry.foreign_staff.assigned`), under way or starting later. Not for a tax "
        "exemption.",
    )
    expert_name: str | None = Field(
        None,
        max_length=300,
        description="Taken from the assignment for a visa recommendation (a value given here is ignored).",
    )
    expert_nationality: str | None = Field(
        None, pattern="^[A-Z]{2}$", description="ISO 3166-1 alpha-2; taken from the assignment for a visa."
    )
    purpose: str = Field(min_length=3, max_length=2000)


class IssueRecommendation(_Command):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"granted": True, "reference_number": "B-123/REK/2027", "note": None}]}
    )

    granted: bool
    reference_number: str = Field(min_length=1, max_length=100)
    note: str | None = Field(None, max_length=2000)
