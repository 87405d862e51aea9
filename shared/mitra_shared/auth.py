"""Bearer-token authentication: JWTs verified against the keys of the issuers a service trusts.

Two kinds of issuer:

- **JWKS issuers** (`MITRA_JWT_ISSUERS`): the console (Mitra's own front door, by default `http://127.0.0.1:8000`)
  or an outside OpenID Connect provider such as Keycloak. Their public keys are fetched from the issuer's
  `jwks_url` (httpx, async), cached, and fetched again when a token names a key id (`kid`) the cache does not hold
  (the issuer rotated its keys), at most once per `MITRA_JWT_JWKS_REFETCH_SECONDS`. Only asymmetric algorithms
  are accepted from them. A claim mapping says where an outside provider puts the role and the scope claims
  (`realm_access.roles`, say) and which of its role names are Mitra's.
- **A static key**: `MITRA_JWT_PUBLIC_KEY` (an asymmetric public key, for an issuer without JWKS), or the HS256
  shared secret `MITRA_JWT_SECRET` that tests and local tools (`make token`) sign with; the shared secret is
  refused in staging and production (see `mitra_shared.settings`).

Whatever the issuer, the token must carry `iss`, `aud`, `sub`, `iat` and `exp`, live at most 12 hours, and name
exactly one Mitra role with its scope (`mitra_shared.access.principal_from_claims`).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
import jwt
import structlog

from mitra_shared.access import ROLES, SCOPE_CLAIM, InvalidClaims, principal_from_claims
from mitra_shared.context import Principal
from mitra_shared.settings import JwtIssuer, ServiceSettings

log = structlog.get_logger(__name__)

MAX_TOKEN_HOURS = 12
MAX_TOKEN_LIFETIME_SECONDS = MAX_TOKEN_HOURS * 3600
ASYMMETRIC_ALGORITHMS = frozenset(
    {"EdDSA", "ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
)
REQUIRED_CLAIMS = ["exp", "iss", "aud", "sub", "iat"]
JWKS_LEEWAY_SECONDS = 30
VERIFIED_TOKENS_KEPT = 1024
Fetch = Callable[[str], Awaitable[Mapping[str, Any]]]


class InvalidToken(Exception):
    pass


def claim_at(claims: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path of the claims (`realm_access.roles`); None when any step is missing."""
    value: Any = claims
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def map_claims(claims: Mapping[str, Any], issuer: JwtIssuer) -> dict[str, Any]:
    """The claims as Mitra reads them: `roles` holding only the Mitra roles found where the issuer puts its roles
    (renamed by its `role_map`), and each scope claim taken from where the issuer puts it. Pure."""
    mapped = dict(claims)
    found = claim_at(claims, issuer.roles_claim)
    names = found.split() if isinstance(found, str) else found if isinstance(found, list) else []
    roles = []
    for name in names:
        role = issuer.role_map.get(str(name), str(name))
        if role in ROLES and role not in roles:
            roles.append(role)
    mapped["roles"] = roles
    for claim in SCOPE_CLAIM.values():
        path = issuer.scope_claims.get(claim, claim)
        value = claim_at(claims, path)
        if isinstance(value, list) and len(value) == 1:  # Keycloak user attributes may come as one-item lists
            value = value[0]
        if value is None:
            mapped.pop(claim, None)
        else:
            mapped[claim] = value
    name = claim_at(claims, issuer.name_claim)
    if isinstance(name, str):
        mapped["name"] = name
    return mapped


def principal_of(claims: Mapping[str, Any]) -> Principal:
    """The principal of verified claims: at most 12 hours of life, one role and its scope."""
    issued = claims.get("iat")
    lifetime = claims["exp"] - issued if isinstance(issued, int | float) else None
    if lifetime is None or lifetime > MAX_TOKEN_LIFETIME_SECONDS:
        raise InvalidToken(f"a token must say when it was issued (iat) and live at most {MAX_TOKEN_HOURS} hours")
    try:
        return principal_from_claims(dict(claims))
    except InvalidClaims as error:
        raise InvalidToken(str(error)) from error


async def fetch_jwks(url: str, *, timeout: float = 5.0) -> Mapping[str, Any]:
    async with httpx.AsyncClient(timeout=timeout, follow_redirects=False) as client:
        response = await client.get(url, headers={"Accept": "application/json"})
        response.raise_for_status()
        document = response.json()
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError(f"{url} is not a JWKS document")
    return document


@dataclass
class JwksKeys:
    """The cached public keys of one JWKS issuer."""

    issuer: JwtIssuer
    refetch_seconds: float = 30.0
    cache_seconds: float = 3600.0
    fetch: Fetch = fetch_jwks
    clock: Callable[[], float] = time.monotonic
    keys: dict[str, jwt.PyJWK] = field(default_factory=dict)
    fetched_at: float | None = None
    failed_at: float | None = None
    unknown_kid_fetch_at: float | None = None
    fetches: int = 0
    _lock: asyncio.Lock | None = None

    def cached(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None:
            return next(iter(self.keys.values())) if len(self.keys) == 1 else None
        return self.keys.get(kid)

    def _stale(self) -> bool:
        return self.fetched_at is None or self.clock() - self.fetched_at > self.cache_seconds

    def _since(self, moment: float | None) -> float:
        return float("inf") if moment is None else self.clock() - moment

    async def key(self, kid: str | None) -> jwt.PyJWK:
        """The key the token names: from the cache, or after a fetch. Keys never fetched or older than
        `cache_seconds` are fetched (after a failed fetch, again `refetch_seconds` later); a `kid` the cache does
        not hold (the issuer rotated its keys, or the token is forged) fetches them again at most once per
        `refetch_seconds`."""
        key = self.cached(kid)
        if key is not None and not self._stale():
            return key
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            key = self.cached(kid)
            if self._stale():
                if self._since(self.failed_at) >= self.refetch_seconds:
                    await self._refresh()
            elif key is None and self._since(self.unknown_kid_fetch_at) >= self.refetch_seconds:
                self.unknown_kid_fetch_at = self.clock()
                await self._refresh()
            key = self.cached(kid)
        if key is None:
            raise InvalidToken(f"no key {kid!r} among the published keys of {self.issuer.issuer}")
        return key

    async def _refresh(self) -> None:
        self.fetches += 1
        try:
            document = await self.fetch(self.issuer.jwks_url)
        except Exception as error:  # an issuer that is down: keep the keys we had, if any
            self.failed_at = self.clock()
            log.warning("could not fetch the issuer's keys", issuer=self.issuer.issuer, error=type(error).__name__)
            return
        keys: dict[str, jwt.PyJWK] = {}
        for entry in document.get("keys", []):
            if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
                continue
            try:
                key = jwt.PyJWK(entry)
            except jwt.PyJWTError:
                continue  # a key type or curve we cannot use is skipped, not fatal
            keys[str(entry.get("kid", ""))] = key
        self.keys = keys
        self.fetched_at = self.clock()
        self.failed_at = None


@dataclass(frozen=True)
class _Verified:
    """A token already verified: its principal, until when it stays valid, and the JWKS key that verified it."""

    principal: Principal
    valid_until: float
    source: JwksKeys | None = None
    kid: str | None = None
    key: jwt.PyJWK | None = None


class TokenVerifier:
    """Verifies a bearer token against the issuer it names: a JWKS issuer, or the static key.

    A client sends the same token with every request until it expires, and parsing and checking it again costs
    more than the rest of a small request's own work; so verified tokens are kept (the last
    `VERIFIED_TOKENS_KEPT`, by their exact text) until their `exp`. Only time can make such a token invalid
    (`nbf` and `iat` only become truer), or its issuer dropping the key that signed it: a kept JWKS token is
    answered only while that very key is still the issuer's for its `kid`.
    """

    def __init__(
        self,
        *,
        key: str | None = None,
        algorithms: Sequence[str] = ("HS256",),
        issuer: str = "mitra-local",
        audience: str = "mitra",
        issuers: Sequence[JwtIssuer] = (),
        refetch_seconds: float = 30.0,
        cache_seconds: float = 3600.0,
        fetch: Fetch = fetch_jwks,
    ) -> None:
        self._key = key
        self._algorithms = list(algorithms)
        self._issuer = issuer
        self._audience = audience
        self.sources = {
            config.issuer: JwksKeys(config, refetch_seconds=refetch_seconds, cache_seconds=cache_seconds, fetch=fetch)
            for config in issuers
        }
        self._verified: dict[str, _Verified] = {}

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> TokenVerifier:
        key: str | None = None
        algorithms = settings.jwt_algorithms
        if settings.jwt_public_key:
            key = settings.jwt_public_key
            algorithms = [name for name in algorithms if name in ASYMMETRIC_ALGORITHMS]
        elif settings.jwt_secret is not None and settings.shared_secret_allowed:
            key = settings.jwt_secret.get_secret_value()
        return cls(
            key=key,
            algorithms=algorithms,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            issuers=settings.jwt_issuers,
            refetch_seconds=settings.jwt_jwks_refetch_seconds,
            cache_seconds=settings.jwt_jwks_cache_seconds,
        )

    def verify(self, token: str) -> Principal:
        """Synchronously: a token of the static key, or of a JWKS issuer whose keys are already cached."""
        source, kid = self._source_of(token)
        if source is None:
            return self._verify_static(token)[0]
        key = source.cached(kid)
        if key is None:
            raise InvalidToken(f"the keys of {source.issuer.issuer} are not loaded yet")
        return self._verify_jwks(token, source.issuer, key)[0]

    async def authenticate(self, token: str) -> Principal:
        """The principal of the token, fetching its issuer's keys when they are not cached (or rotated)."""
        kept = self._verified.get(token)
        if (
            kept is not None
            and time.time() < kept.valid_until
            and (kept.source is None or await kept.source.key(kept.kid) is kept.key)
        ):
            return kept.principal
        self._verified.pop(token, None)
        source, kid = self._source_of(token)
        if source is None:
            principal, expires = self._verify_static(token)
            self._keep(token, _Verified(principal, expires))
            return principal
        key = await source.key(kid)
        principal, expires = self._verify_jwks(token, source.issuer, key)
        self._keep(token, _Verified(principal, expires + JWKS_LEEWAY_SECONDS, source, kid, key))
        return principal

    def _keep(self, token: str, verified: _Verified) -> None:
        if len(self._verified) >= VERIFIED_TOKENS_KEPT:
            del self._verified[next(iter(self._verified))]
        self._verified[token] = verified

    def _source_of(self, token: str) -> tuple[JwksKeys | None, str | None]:
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from error
        source = self.sources.get(str(unverified.get("iss")))
        if source is None:
            return None, None
        if header.get("alg") not in ASYMMETRIC_ALGORITHMS or str(header.get("alg")) not in source.issuer.algorithms:
            if self._key is not None and unverified.get("iss") == self._issuer:
                return None, None  # the local issuer's name is also a JWKS issuer's: the static key decides
            raise InvalidToken(f"algorithm {header.get('alg')!r} is not accepted from {source.issuer.issuer}")
        kid = header.get("kid")
        return source, str(kid) if kid is not None else None

    def _verify_static(self, token: str) -> tuple[Principal, float]:
        """The principal of a token of the static key, and its `exp`."""
        if self._key is None:
            raise InvalidToken("the token's issuer is not one this service trusts")
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=self._algorithms,
                issuer=self._issuer,
                audience=self._audience,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from error
        return principal_of(claims), float(claims["exp"])

    def _verify_jwks(self, token: str, issuer: JwtIssuer, key: jwt.PyJWK) -> tuple[Principal, float]:
        """The principal of a token of a JWKS issuer, and its `exp`."""
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[name for name in issuer.algorithms if name in ASYMMETRIC_ALGORITHMS],
                issuer=issuer.issuer,
                audience=issuer.audience,
                options={"require": REQUIRED_CLAIMS},
                leeway=JWKS_LEEWAY_SECONDS,
            )
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from error
        return principal_of(map_claims(claims, issuer)), float(claims["exp"])


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
