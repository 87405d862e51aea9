"""The compliance-risk score: where a ministry should look first, with the reasons. Pure: no I/O.

Points per finding, capped per kind so that one kind cannot drown the others, and the total capped at 100:

| finding | points | cap |
| --- | --- | --- |
| an obligation overdue (not submitted by its due date) | 25 each | 50 |
| an obligation submitted late | 10 each | 30 |
| no valid principle permit | 30 | |
| principle permit expiring within 90 days | 20 | |
| foreign staff at the limit of 3 | 10 | |
| a visit announced late | 10 each | 20 |
| MSP ends within 180 days (a decision is due) | 10 | |

Levels: high from 50, medium from 25, low below.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal
from uuid import UUID

FOREIGN_STAFF_LIMIT = 3
PERMIT_WARNING_DAYS = 90
MSP_DECISION_DAYS = 180
Level = Literal["low", "medium", "high"]
Per = Literal["msp", "organization"]


@dataclass(frozen=True)
class Reason:
    code: str
    points: int
    detail: str


@dataclass(frozen=True)
class RiskFacts:
    overdue_obligations: int = 0
    late_submissions: int = 0
    principle_permit_valid_until: date | None = None
    active_foreign_staff: int = 0
    late_visits: int = 0
    msp_ends_on: date | None = None


@dataclass(frozen=True)
class Risk:
    score: int
    level: Level
    reasons: list[Reason] = field(default_factory=list)


def assess(facts: RiskFacts, today: date) -> Risk:
    reasons: list[Reason] = []
    if facts.overdue_obligations:
        reasons.append(
            Reason(
                "overdue_obligations",
                min(50, 25 * facts.overdue_obligations),
                f"{facts.overdue_obligations} obligation(s) overdue",
            )
        )
    if facts.late_submissions:
        reasons.append(
            Reason(
                "late_submissions",
                min(30, 10 * facts.late_submissions),
                f"{facts.late_submissions} submission(s) after the due date",
            )
        )
    if facts.principle_permit_valid_until is None or facts.principle_permit_valid_until < today:
        reasons.append(Reason("no_valid_principle_permit", 30, "no valid principle permit"))
    elif (facts.principle_permit_valid_until - today).days <= PERMIT_WARNING_DAYS:
        days = (facts.principle_permit_valid_until - today).days
        reasons.append(Reason("principle_permit_expiring", 20, f"principle permit expires in {days} days"))
    if facts.active_foreign_staff >= FOREIGN_STAFF_LIMIT:
        reasons.append(
            Reason(
                "foreign_staff_at_limit",
                10,
                f"{facts.active_foreign_staff} foreign staff (limit {FOREIGN_STAFF_LIMIT})",
            )
        )
    if facts.late_visits:
        reasons.append(
            Reason(
                "visits_announced_late", min(20, 10 * facts.late_visits), f"{facts.late_visits} visit(s) announced late"
            )
        )
    if facts.msp_ends_on is not None and 0 <= (facts.msp_ends_on - today).days <= MSP_DECISION_DAYS:
        reasons.append(
            Reason("msp_ending", 10, f"MSP ends in {(facts.msp_ends_on - today).days} days: extend or let end")
        )
    score = min(100, sum(reason.points for reason in reasons))
    level: Level = "high" if score >= 50 else "medium" if score >= 25 else "low"
    return Risk(score=score, level=level, reasons=sorted(reasons, key=lambda r: -r.points))


@dataclass(frozen=True)
class Assessed:
    """The risk of one MSP, or of one NGO across its MSPs."""

    key: str
    name: str
    organization_id: UUID
    ministry_codes: list[str]
    risk: Risk


def facts_of(msps: Sequence[Mapping[str, Any]]) -> RiskFacts:
    """What the score weighs, over one or more MSPs of the same NGO (the permit and the staff are the NGO's)."""
    return RiskFacts(
        overdue_obligations=sum(m["overdue_obligations"] for m in msps),
        late_submissions=sum(m["late_submissions"] for m in msps),
        principle_permit_valid_until=msps[0]["principle_permit_valid_until"],
        active_foreign_staff=msps[0]["active_foreign_staff"],
        late_visits=sum(m["late_visits"] for m in msps),
        msp_ends_on=min(m["ends_on"] for m in msps),
    )


def rank(msps: Sequence[Mapping[str, Any]], today: date, *, per: Per) -> list[Assessed]:
    """Each MSP in force (or each NGO, over its MSPs in force) assessed, highest score first.

    `msps`: one mapping per MSP with its `msp_id`, `number`, `title`, `organization_id`, `organization_name`,
    `ministry_code`, `ends_on` and the counts `RiskFacts` names.
    """
    assessed: list[Assessed] = []
    if per == "msp":
        for msp in msps:
            assessed.append(
                Assessed(
                    str(msp["msp_id"]),
                    f"{msp['number'] or msp['title']} ({msp['organization_name']})",
                    msp["organization_id"],
                    [msp["ministry_code"]],
                    assess(facts_of([msp]), today),
                )
            )
    else:
        grouped: dict[UUID, list[Mapping[str, Any]]] = {}
        for msp in msps:
            grouped.setdefault(msp["organization_id"], []).append(msp)
        for organization_id, own in grouped.items():
            assessed.append(
                Assessed(
                    str(organization_id),
                    own[0]["organization_name"],
                    organization_id,
                    sorted({m["ministry_code"] for m in own}),
                    assess(facts_of(own), today),
                )
            )
    return sorted(assessed, key=lambda entry: (-entry.risk.score, entry.name))
