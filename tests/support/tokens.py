"""Bearer tokens as the local identity provider would issue them (the development secret, issuer and audience)."""

from __future__ import annotations

from mitra_shared.auth import issue_token
from mitra_shared.settings import DEVELOPMENT_JWT_SECRET

JWT_ISSUER = "mitra-local"
JWT_AUDIENCE = "mitra"


def token(
    subject: str = "tester",
    roles: list[str] | None = None,
    *,
    role: str | None = None,
    organization_id: object = None,
    ministry_code: str | None = None,
    region_code: str | None = None,
    **overrides: object,
) -> str:
    """A token of one role (`role="ngo", organization_id=...`; `roles=[...]` to send a malformed list)."""
    scope = {
        claim: str(value)
        for claim, value in (
            ("organization_id", organization_id),
            ("ministry_code", ministry_code),
            ("region_code", region_code),
        )
        if value is not None
    }
    params: dict[str, object] = {
        "secret": DEVELOPMENT_JWT_SECRET,
        "subject": subject,
        "issuer": JWT_ISSUER,
        "audience": JWT_AUDIENCE,
        "roles": roles if roles is not None else ([role] if role else []),
        "scope": scope,
    }
    params.update(overrides)
    return issue_token(**params)  # type: ignore[arg-type]


def auth_headers(**kwargs: object) -> dict[str, str]:
    """`Authorization: Bearer ...` with a token made by `token(**kwargs)`."""
    return {"Authorization": f"Bearer {token(**kwargs)}"}  # type: ignore[arg-type]


def as_role(role: str, subject: str | None = None, **scope: object) -> dict[str, str]:
    """The headers of a caller of that role and scope, e.g. `as_role("ministry", ministry_code="KEMENSOS")`."""
    return auth_headers(subject=subject or f"{role}-tester", role=role, **scope)
