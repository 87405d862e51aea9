"""Who may do what: the roles of Mitra, the scope each carries, and the questions every service asks of the
principal making a change. Pure: no I/O.

A token names one role. Its scope says which part of the world the role is about:

| role          | scope            | in short                                                                 |
| ------------- | ---------------- | ------------------------------------------------------------------------ |
| `tpoa`        | none             | the register, permits, partners, sanctions, MSP review; reads everything |
| `ministry`    | `ministry_code`  | its MSPs (Mitra Utama): sign, extend, end; decide their submissions      |
| `region`      | `region_code`    | its area (a province covers its regencies): visits, its RKTs             |
| `ngo`         | `organization_id`| its own profile, staff, MSP drafts, submissions, visits; never decides   |
| `auditor`     | none             | reads everything, the audit trail too; writes nothing                    |
| `admin`       | none             | accounts, recipients, routing rules, webhooks; no domain decision        |
| `integration` | none             | another government system: reads                                         |

Each service decides with its own copy of the facts (agreements knows each MSP's NGO, ministry and regions).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Literal, get_args

from mitra_shared.context import Principal
from mitra_shared.errors import Forbidden

Role = Literal["tpoa", "ministry", "region", "ngo", "auditor", "admin", "integration"]
ROLES: tuple[Role, ...] = get_args(Role)
SCOPE_CLAIM: dict[Role, str] = {"ministry": "ministry_code", "region": "region_code", "ngo": "organization_id"}
"""The claim that carries the scope of a scoped role; the other roles have none."""
READ_EVERYTHING: frozenset[Role] = frozenset({"tpoa", "auditor", "integration"})
"""Roles that read every record (each service may add more where the issue says so)."""

PROVINCE_CODE_LENGTH = 2


class InvalidClaims(ValueError):
    """A token whose role or scope claims do not make a Mitra principal."""


def principal_from_claims(claims: dict[str, object]) -> Principal:
    """The principal a verified token names: exactly one known role, and the scope that role needs."""
    roles = claims.get("roles", [])
    if isinstance(roles, str):
        roles = roles.split()
    if not isinstance(roles, list) or len(roles) != 1 or roles[0] not in ROLES:
        raise InvalidClaims(f"the token must name exactly one role of {', '.join(ROLES)} in `roles`")
    role: Role = roles[0]
    scope: dict[str, str] = {}
    claim = SCOPE_CLAIM.get(role)
    if claim is not None:
        value = claims.get(claim)
        if not isinstance(value, str) or not value.strip():
            raise InvalidClaims(f"a `{role}` token needs its `{claim}`")
        if claim == "organization_id":
            try:
                value = str(uuid.UUID(value))
            except ValueError:
                raise InvalidClaims("`organization_id` is not a UUID") from None
        elif not value.isascii() or not value.replace(".", "").isalnum():
            raise InvalidClaims(f"`{claim}` is not a code")
        scope[claim] = value
    name = claims.get("name")
    return Principal(
        subject=str(claims["sub"]),
        roles=(role,),
        claims=dict(claims),
        name=name if isinstance(name, str) else None,
        scope=scope,
    )


def role_of(principal: Principal) -> str:
    return principal.roles[0] if len(principal.roles) == 1 else "none"


def has_role(principal: Principal, *roles: Role) -> bool:
    return role_of(principal) in roles


def organization_of(principal: Principal) -> uuid.UUID | None:
    value = principal.scope.get("organization_id")
    return uuid.UUID(value) if value else None


def ministry_of(principal: Principal) -> str | None:
    return principal.scope.get("ministry_code")


def region_of(principal: Principal) -> str | None:
    return principal.scope.get("region_code")


def region_covers(scope_code: str, region_code: str) -> bool:
    """A province's office covers the province and its regencies and cities (whose codes start with it)."""
    if region_code == scope_code:
        return True
    return len(scope_code) == PROVINCE_CODE_LENGTH and region_code.startswith(scope_code)


def touches_region(principal: Principal, region_codes: Iterable[str]) -> bool:
    """A region's officer is concerned with something that touches one of these regions (a province code among
    them counts for the whole province)."""
    scope = region_of(principal)
    if scope is None:
        return False
    return any(region_covers(scope, code) or region_covers(code, scope) for code in region_codes)


def reads_everything(principal: Principal) -> bool:
    return role_of(principal) in READ_EVERYTHING


def require(allowed: bool, reason: str, *, field: str | None = None) -> None:
    """Refuse with 403 unless `allowed`: the reason says what the caller's role or scope does not cover."""
    if not allowed:
        raise Forbidden(field, reason)


def require_not_same_person(principal: Principal, earlier_subject: str | None, what: str) -> None:
    """Four eyes: whoever drafted or submitted a thing does not approve or accept it."""
    if earlier_subject is not None and earlier_subject == principal.subject:
        raise Forbidden(None, f"you {what} this yourself; someone else must decide it (four eyes)")
