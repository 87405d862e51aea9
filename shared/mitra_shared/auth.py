"""Bearer-token authentication: JWTs verified with the configured key, issuer and audience."""

from __future__ import annotations

import time
import uuid

import jwt

from mitra_shared.context import Principal
from mitra_shared.settings import ServiceSettings


class InvalidToken(Exception):
    pass


class TokenVerifier:
    def __init__(self, *, key: str, algorithms: list[str], issuer: str, audience: str) -> None:
        self._key = key
        self._algorithms = algorithms
        self._issuer = issuer
        self._audience = audience

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> TokenVerifier:
        if settings.jwt_public_key:
            key = settings.jwt_public_key
        elif settings.jwt_secret is not None:
            key = settings.jwt_secret.get_secret_value()
        else:  # the settings validator refuses this combination; kept for type narrowing
            raise ValueError("no JWT key configured")
        return cls(
            key=key, algorithms=settings.jwt_algorithms, issuer=settings.jwt_issuer, audience=settings.jwt_audience
        )

    def verify(self, token: str) -> Principal:
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=self._algorithms,
                issuer=self._issuer,
                audience=self._audience,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from error
        roles = claims.get("roles", [])
        if isinstance(roles, str):
            roles = roles.split()
        return Principal(subject=str(claims["sub"]), roles=tuple(str(r) for r in roles), claims=claims)


def issue_token(
    *,
    secret: str,
    subject: str,
    issuer: str,
    audience: str,
    roles: list[str] | None = None,
    lifetime_seconds: int = 8 * 3600,
    algorithm: str = "HS256",
) -> str:
    """Mint an HS256 token; for development and tests (production tokens come from the identity provider)."""
    now = int(time.time())
    claims = {
        "sub": subject,
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "nbf": now,
        "exp": now + lifetime_seconds,
        "jti": str(uuid.uuid4()),
        "roles": roles or [],
    }
    return jwt.encode(claims, secret, algorithm=algorithm)
