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
| the NGO revoked (in the register, or a revocation imposed) | 100 | |
| a freeze in force (the NGO suspended by it; counted once however many) | 40 | |
| the NGO suspended without a freeze in force | 40 | |
| a warning in force | 15 each | 30 |
| a mitigation action open and not yet due | 5 each | 15 |
| a mitigation action open past its due date | 15 each | 30 |

A sanction is in force from the day it starts, through its end date if it has one, until the day it is lifted or
expires. The NGO's status in the register (revoked, suspended) counts only from the day (Asia/Jakarta) it was reached:
a score as of an earlier day does not see it. A mitigation action counts from the day it was opened until the day it
is done or cancelled; an overdue one counts as overdue only, not also as open. The NGO's sanctions and status weigh on
each of its MSPs.

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
FREEZE_POINTS = 40
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
    organization_status: str | None = None
    organization_status_since: date | None = None
    active_revocations: int = 0
    active_freezes: int = 0
    frozen_since: date | None = None
    freeze_categories: tuple[str, ...] = ()
    active_warnings: int = 0
    warning_categories: tuple[str, ...] = ()
    open_mitigation_actions: int = 0
    overdue_mitigation_actions: int = 0


@dataclass(frozen=True)
class Risk:
    score: int
    level: Level
    reasons: list[Reason] = field(default_factory=list)


def assess(facts: RiskFacts, today: date) -> Risk:
    reasons: list[Reason] = []
    reasons.extend(
        _counted("overdue_obligations", facts.overdue_obligations, 25, 50, "obligation(s) overdue")
        + _counted("late_submissions", facts.late_submissions, 10, 30, "submission(s) after the due date")
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
    reasons.extend(_counted("visits_announced_late", facts.late_visits, 10, 20, "visit(s) announced late"))
    if facts.msp_ends_on is not None and 0 <= (facts.msp_ends_on - today).days <= MSP_DECISION_DAYS:
        reasons.append(
            Reason("msp_ending", 10, f"MSP ends in {(facts.msp_ends_on - today).days} days: extend or let end")
        )
    reasons.extend(_sanctions(facts, today))
    reasons.extend(_mitigation(facts))
    score = min(100, sum(reason.points for reason in reasons))
    level: Level = "high" if score >= 50 else "medium" if score >= 25 else "low"
    return Risk(score=score, level=level, reasons=sorted(reasons, key=lambda r: -r.points))


def _counted(code: str, count: int, each: int, cap: int, what: str) -> list[Reason]:
    """A finding that weighs `each` points per occurrence, `cap` at most; none without an occurrence."""
    return [Reason(code, min(cap, each * count), f"{count} {what}")] if count else []


def _named(categories: tuple[str, ...]) -> str:
    return f" ({', '.join(sorted(categories))})" if categories else ""


def status_on(facts: RiskFacts, today: date) -> str | None:
    """The NGO's status in the register as it stood on `today`, as far as known: its current status if reached by
    then (or since an unknown day), else none (the status before is not kept)."""
    if facts.organization_status_since is not None and facts.organization_status_since > today:
        return None
    return facts.organization_status


def _sanctions(facts: RiskFacts, today: date) -> list[Reason]:
    """The NGO's standing in the register: revoked, frozen or suspended, warned."""
    reasons: list[Reason] = []
    status = status_on(facts, today)
    if status == "revoked" or facts.active_revocations:
        reasons.append(Reason("organization_revoked", 100, "the NGO is revoked: its permits and MSPs end"))
    if facts.active_freezes:
        since = f" since {facts.frozen_since.isoformat()}" if facts.frozen_since else ""
        reasons.append(
            Reason("active_freeze", FREEZE_POINTS, f"the NGO is frozen{since}{_named(facts.freeze_categories)}")
        )
    elif status == "suspended":
        reasons.append(Reason("organization_suspended", FREEZE_POINTS, "the NGO is suspended in the register"))
    what = f"warning(s) in force{_named(facts.warning_categories)}"
    return reasons + _counted("active_warnings", facts.active_warnings, 15, 30, what)


def _mitigation(facts: RiskFacts) -> list[Reason]:
    return _counted(
        "overdue_mitigation_actions", facts.overdue_mitigation_actions, 15, 30, "mitigation action(s) overdue"
    ) + _counted("open_mitigation_actions", facts.open_mitigation_actions, 5, 15, "mitigation action(s) open")


@dataclass(frozen=True)
class Assessed:
    """The risk of one MSP, or of one NGO across its MSPs."""

    key: str
    name: str
    organization_id: UUID
    ministry_codes: list[str]
    risk: Risk


def facts_of(msps: Sequence[Mapping[str, Any]]) -> RiskFacts:
    """What the score weighs, over one or more MSPs of the same NGO (the permit, the staff, the NGO's status and its
    sanctions are the NGO's)."""
    ngo = msps[0]
    return RiskFacts(
        overdue_obligations=sum(m["overdue_obligations"] for m in msps),
        late_submissions=sum(m["late_submissions"] for m in msps),
        principle_permit_valid_until=ngo["principle_permit_valid_until"],
        active_foreign_staff=ngo["active_foreign_staff"],
        late_visits=sum(m["late_visits"] for m in msps),
        msp_ends_on=min(m["ends_on"] for m in msps),
        organization_status=ngo["organization_status"],
        organization_status_since=ngo.get("organization_status_since"),
        active_revocations=ngo["active_revocations"],
        active_freezes=ngo["active_freezes"],
        frozen_since=ngo["frozen_since"],
        freeze_categories=tuple(ngo["freeze_categories"] or ()),
        active_warnings=ngo["active_warnings"],
        warning_categories=tuple(ngo["warning_categories"] or ()),
        open_mitigation_actions=sum(m["open_mitigation_actions"] for m in msps),
        overdue_mitigation_actions=sum(m["overdue_mitigation_actions"] for m in msps),
    )


def rank(msps: Sequence[Mapping[str, Any]], today: date, *, per: Per) -> list[Assessed]:
    """Each MSP in force (or each NGO, over its MSPs in force) assessed, highest score first.

    `msps`: one mapping per MSP with its `msp_id`, `number`, `title`, `organization_id`, `organization_name`,
    `ministry_code`, `ends_on` and the facts `RiskFacts` names (`organization_status` and the day it was reached,
    `organization_status_since`, the sanctions in force, the
    open and overdue mitigation actions among them).
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
