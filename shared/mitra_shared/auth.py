"""Bearer-token authentication: JWTs verified with the configured key, issuer and audience."""

from __future__ import annotations

import time
import uuid

import jwt

from mitra_shared.access import InvalidClaims, principal_from_claims
from mitra_shared.context import Principal
from mitra_shared.settings import ServiceSettings

MAX_TOKEN_HOURS = 12
MAX_TOKEN_LIFETIME_SECONDS = MAX_TOKEN_HOURS * 3600


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
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from error
        lifetime = claims["exp"] - claims["iat"] if isinstance(claims.get("iat"), int | float) else None
        if lifetime is None or lifetime > MAX_TOKEN_LIFETIME_SECONDS:
            raise InvalidToken(f"a token must say when it was issued (iat) and live at most {MAX_TOKEN_HOURS} hours")
        try:
            return principal_from_claims(claims)
        except InvalidClaims as error:
            raise InvalidToken(str(error)) from error


def issue_token(
    *,
    secret: str,
    subject: str,
    issuer: str,
    audience: str,
    roles: list[str] | None = None,
    lifetime_seconds: int = 8 * 3600,
    algorithm: str = "HS256",
    name: str | None = None,
    scope: dict[str, str] | None = None,
) -> str:
    """Mint an HS256 token; for development and tests (production tokens come from the console or an OIDC
    provider). `scope` adds the role's scope claim, e.g. `{"organization_id": "..."}`."""
    now = int(time.time())
    claims: dict[str, object] = {
        "sub": subject,
        "iss": issuer,
        "aud": audience,
        "iat": now,
        "nbf": now,
        "exp": now + lifetime_seconds,
        "jti": str(uuid.uuid4()),
        "roles": roles or [],
        **({"name": name} if name else {}),
        **(scope or {}),
    }
    return jwt.encode(claims, secret, algorithm=algorithm)
