"""What several of agreements' events share: the kinds, the parties, the places."""

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, Field

RegionKind = Literal["province", "regency"]
ObligationKind = Literal["action_plan", "work_plan", "semester_report", "annual_report", "extension_decision"]
RecommendationKind = Literal["visa", "tax_exemption"]


class OrganizationParty(BaseModel):
    """The foreign NGO that is party to the MSP."""

    organization_id: UUID
    name: str = Field(examples=["Plan International"])


class MinistryParty(BaseModel):
    """The Mitra Utama: the ministry that signs the MSP."""

    partner_id: UUID
    name: str = Field(examples=["Kementerian Sosial"])
    code: str = Field(examples=["KEMENSOS"])


class WorkLocation(BaseModel):
    """A region where the NGO works under the MSP."""

    code: str = Field(description="Kemendagri/BPS region code.", examples=["3374"])
    kind: RegionKind
    name: str = Field(examples=["Kota Semarang"])
    province_code: str = Field(description="The province's code (itself, for a province).", examples=["33"])


class Signatory(BaseModel):
    name: str
    title: str = Field(examples=["Director General of Social Rehabilitation"])
    party: Literal["organization", "ministry"]


class ObligationSummary(BaseModel):
    obligation_id: UUID
    kind: ObligationKind
    period: str = Field(description="The year (`2027`) or semester (`2027-S1`) covered, if any.", examples=["2027"])
    region_code: str | None = Field(None, description="For a work plan: the region it is agreed with.")
    due_on: date
    received_outside_mitra_on: date | None = Field(
        None,
        description="Received on paper before the MSP was recorded in Mitra (by an import); no reminder or overdue "
        "notice follows.",
    )
