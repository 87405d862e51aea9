"""Bearer tokens as the local identity provider would issue them (the development secret, issuer and audience)."""

from __future__ import annotations

from mitra_shared.auth import issue_token
from mitra_shared.settings import DEVELOPMENT_JWT_SECRET

JWT_ISSUER = "mitra-local"
JWT_AUDIENCE = "mitra"


def token(subject: str = "tester", roles: list[str] | None = None, **overrides: object) -> str:
    params: dict[str, object] = {
        "secret": DEVELOPMENT_JWT_SECRET,
        "subject": subject,
        "issuer": JWT_ISSUER,
        "audience": JWT_AUDIENCE,
        "roles": roles or [],
    }
    params.update(overrides)
    return issue_token(**params)  # type: ignore[arg-type]


def auth_headers(**kwargs: object) -> dict[str, str]:
    """`Authorization: Bearer ...` with a token made by `token(**kwargs)`."""
    return {"Authorization": f"Bearer {token(**kwargs)}"}  # type: ignore[arg-type]
