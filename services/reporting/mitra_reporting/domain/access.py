"""Who reads what in reporting, and who writes and publishes stories. Pure: no I/O.

Every read is FILTERED to the caller's reach, never refused wholesale: the same figures, counted over what the
caller may see (a ministry asking for another ministry's figures gets empty figures, not an error).

| role          | reach (dashboards, lists, compliance, risk, IATI export, annual summary)                          |
| ------------- | --------------------------------------------------------------------------------------------------- |
| `tpoa`, `auditor`, `integration` | everything                                                       |
| `ministry`    | the MSPs whose Mitra Utama is its `ministry_code`, their obligations, visits and NGOs               |
| `region`      | what touches its `region_code`: MSPs working there, the obligations and visits there, their NGOs;   |
|               | a province covers its regencies, and a regency is touched by an MSP working province-wide           |
| `ngo`         | its own organization: its MSPs, obligations, visits, risk                                           |
| `admin`       | nothing: no domain data (refused by the policy of every route)                                     |

The annual summary is a ministry's: a `ministry` asks only for its own (403 otherwise); a region or an NGO gets the
ministry's year counted over its reach. A summary kept as a PDF document records the reach it was counted within,
and is read by whoever would count the same figures: the callers of that reach, those who read everything, and the
ministry itself for its own year counted over everything (the same MSPs); anyone else: as if it did not exist.

Story photos are attached by whoever may revise the story (a draft, within the writer's reach) and read, with their
thumbnails, by whoever reads the story.

Stories (good practices and success stories, documented per region for dissemination):

- published stories are for dissemination: every role but `admin` reads them;
- a draft is read by the roles that read everything and by those whose reach covers it: the NGO it names, the
  ministry of the MSP it names, the region (office) whose area covers its region;
- drafted and revised by `tpoa` (any), a `ministry` (naming one of its MSPs), a `region` (of its area) and an `ngo`
  (naming its own organization, and only its own MSPs); a revision must keep the story within the writer's reach;
- published by `tpoa`, a `ministry` or a `region` within its reach, never by the one who drafted it (four eyes);
  an NGO never decides what is disseminated.

The audit trail (`GET /audit`, every change of every service with the values before and after) is read whole by
`tpoa` and `auditor`, and by no one else.

A single story outside the caller's reach that the caller may not read (another's draft) is answered 404, as if it
did not exist; one the caller may read but not change is answered 403.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from mitra_shared.access import (
    Role,
    has_role,
    ministry_of,
    organization_of,
    reads_everything,
    region_covers,
    region_of,
    require,
    require_not_same_person,
    role_of,
)
from mitra_shared.context import Principal
from mitra_shared.errors import Forbidden


@dataclass(frozen=True)
class Reach:
    """The part of the read model a caller sees: everything (all None), or what belongs to one ministry, touches
    one region, or is one NGO's. The queries take it as `scope_ministry`, `scope_region`, `scope_organization`."""

    ministry: str | None = None
    region: str | None = None
    organization: UUID | None = None

    @property
    def everything(self) -> bool:
        return self.ministry is None and self.region is None and self.organization is None

    def named(self) -> dict[str, Any]:
        return {
            "scope_ministry": self.ministry,
            "scope_region": self.region,
            "scope_organization": self.organization,
        }


EVERYTHING = Reach()


def reach_of(principal: Principal) -> Reach:
    """What the principal reads: everything for TPOA, auditors, integrations and the service itself; its ministry,
    region or organization for a scoped role; nothing (403) for any other."""
    if principal.is_system or reads_everything(principal):
        return EVERYTHING
    role = role_of(principal)
    reach: Reach | None = None
    if role == "ministry" and (ministry := ministry_of(principal)):
        reach = Reach(ministry=ministry)
    elif role == "region" and (region := region_of(principal)):
        reach = Reach(region=region)
    elif role == "ngo" and (organization := organization_of(principal)):
        reach = Reach(organization=organization)
    if reach is None:
        raise Forbidden(None, f"the `{role}` role reads no reporting data")
    return reach


def check_annual_summary(principal: Principal, ministry: str) -> None:
    """A ministry's officer asks for its own ministry's year only."""
    if has_role(principal, "ministry"):
        require(
            ministry_of(principal) == ministry,
            "a ministry reads its own annual summary only",
            field="query.ministry",
        )


def scope_text(reach: Reach) -> str:
    """The reach figures were counted within, as a kept document states it."""
    if reach.everything:
        return "seluruh data / everything"
    if reach.ministry is not None:
        return f"MSP Kementerian/Lembaga {reach.ministry} / the MSPs of {reach.ministry}"
    if reach.region is not None:
        return f"wilayah {reach.region} / what touches region {reach.region}"
    return f"Ormas Asing {reach.organization} / NGO {reach.organization}"


def may_read_annual_summary(principal: Principal, ministry: str, counted_within: Reach) -> bool:
    """Whether the caller reads a kept annual summary of `ministry`'s year counted within `counted_within`: those
    who read everything; a caller of that same reach; the ministry itself, its own year counted over everything."""
    reach = reach_of(principal)
    if reach.everything or reach == counted_within:
        return True
    return reach.ministry == ministry and counted_within.everything


@dataclass(frozen=True)
class StoryFacts:
    """What a story's reach depends on: the NGO and region it names, and the parties of the MSP it names as
    reporting knows them (None when it names none, or one reporting has not heard of)."""

    organization_id: UUID | None
    region_code: str | None
    msp_ministry: str | None = None
    msp_organization: UUID | None = None


def story_within_reach(principal: Principal, facts: StoryFacts) -> bool:
    """Whether the story is the caller's business: any for those who read everything; for a ministry, a story of one
    of its MSPs; for a region, one in its area; for an NGO, one that names it."""
    if principal.is_system or reads_everything(principal):
        return True
    role = role_of(principal)
    if role == "ministry":
        return facts.msp_ministry is not None and facts.msp_ministry == ministry_of(principal)
    if role == "region":
        scope = region_of(principal)
        return scope is not None and facts.region_code is not None and region_covers(scope, facts.region_code)
    if role == "ngo":
        return facts.organization_id is not None and facts.organization_id == organization_of(principal)
    return False


def may_read_story(principal: Principal, status: str, facts: StoryFacts) -> bool:
    """Published stories are for everyone with a domain role; drafts for those whose reach covers them."""
    if status == "published":
        return not has_role(principal, "admin")
    return story_within_reach(principal, facts)


def check_may_write_story(principal: Principal, facts: StoryFacts) -> None:
    """Drafting or revising: the story (as it is, and as it will be) must be within the writer's reach."""
    if principal.is_system or has_role(principal, "tpoa"):
        return
    role = role_of(principal)
    if role == "ministry":
        require(story_within_reach(principal, facts), "a ministry writes stories of its own MSPs", field="body.msp_id")
    elif role == "region":
        require(
            story_within_reach(principal, facts),
            "a region writes stories of its own area (region_code within it)",
            field="body.region_code",
        )
    elif role == "ngo":
        require(
            story_within_reach(principal, facts),
            "an NGO writes stories of its own organization (organization_id)",
            field="body.organization_id",
        )
        require(
            facts.msp_organization is None or facts.msp_organization == organization_of(principal),
            "an NGO names only its own MSPs",
            field="body.msp_id",
        )
    else:
        raise Forbidden(None, f"the `{role}` role does not write stories")


def check_may_publish_story(principal: Principal, facts: StoryFacts, drafted_by: str) -> None:
    """Publishing decides what is disseminated: TPOA, or a ministry or region within its reach; not the drafter."""
    require(
        principal.is_system or has_role(principal, "tpoa", "ministry", "region"),
        f"the `{role_of(principal)}` role does not publish stories",
    )
    require(story_within_reach(principal, facts), "this story is not within your ministry's MSPs or your area")
    require_not_same_person(principal, drafted_by, "drafted")


READERS: tuple[Role, ...] = ("tpoa", "auditor", "integration", "ministry", "region", "ngo")
"""Every role with domain data: all but `admin`."""
READ_NOTE = (
    "filtered to the caller's reach: tpoa, auditor and integration everything; a ministry its MSPs; a region what "
    "touches its area (a province covers its regencies); an NGO its own organization"
)
STORY_WRITERS: tuple[Role, ...] = ("tpoa", "ministry", "region", "ngo")
STORY_PUBLISHERS: tuple[Role, ...] = ("tpoa", "ministry", "region")
AUDIT_READERS: tuple[Role, ...] = ("auditor", "tpoa")
"""Who reads the audit trail (all of it): TPOA and auditors."""
