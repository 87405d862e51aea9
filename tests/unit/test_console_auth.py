"""Token verification against the issuers' published keys (mitra_shared.auth): claim mapping for an outside OIDC
provider, the key cache and its refetch on an unknown `kid`, and the refusals; and the settings that go with it."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm
from pydantic import ValidationError

from mitra_console.settings import ConsoleSettings
from mitra_shared.auth import InvalidToken, TokenVerifier, map_claims
from mitra_shared.settings import DEVELOPMENT_JWT_SECRET, JwtIssuer, ServiceSettings

ISSUER = "https://console.mitra.example"
KEYCLOAK = JwtIssuer(
    issuer="https://sso.example/realms/mitra",
    jwks_url="https://sso.example/realms/mitra/protocol/openid-connect/certs",
    audience="mitra",
    roles_claim="realm_access.roles",
    role_map={"mitra-ministry": "ministry"},
    scope_claims={"ministry_code": "attributes.ministry"},
    name_claim="preferred_username",
)


class Keys:
    """An issuer's key set that the test rotates, served through a counting fake fetch."""

    def __init__(self) -> None:
        self.private: dict[str, Ed25519PrivateKey] = {}
        self.fetched: list[str] = []

    def add(self) -> str:
        kid = uuid.uuid4().hex
        self.private[kid] = Ed25519PrivateKey.generate()
        return kid

    async def fetch(self, url: str) -> Mapping[str, Any]:
        self.fetched.append(url)
        return {
            "keys": [
                {**OKPAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": kid, "alg": "EdDSA", "use": "sig"}
                for kid, key in self.private.items()
            ]
        }

    def token(self, kid: str, *, issuer: str = ISSUER, lifetime: int = 900, **claims: Any) -> str:
        now = int(time.time())
        body = {"iss": issuer, "aud": "mitra", "sub": "a1", "iat": now, "exp": now + lifetime, **claims}
        return jwt.encode(body, self.private[kid], algorithm="EdDSA", headers={"kid": kid})


def verifier(keys: Keys, *issuers: JwtIssuer, refetch_seconds: float = 30.0) -> TokenVerifier:
    configured = issuers or (JwtIssuer(issuer=ISSUER, jwks_url=f"{ISSUER}/.well-known/jwks.json"),)
    return TokenVerifier(
        key=DEVELOPMENT_JWT_SECRET, issuers=configured, refetch_seconds=refetch_seconds, fetch=keys.fetch
    )


async def test_a_console_token_is_verified_against_the_fetched_keys_once() -> None:
    keys = Keys()
    kid = keys.add()
    check = verifier(keys)
    token = keys.token(kid, roles=["ministry"], ministry_code="KEMENSOS", name="Dewi")
    principal = await check.authenticate(token)
    assert principal.roles == ("ministry",)
    assert principal.scope == {"ministry_code": "KEMENSOS"}
    assert principal.name == "Dewi"
    await check.authenticate(token)
    assert check.verify(token).subject == "a1"  # the sync path works once the keys are cached
    assert len(keys.fetched) == 1


async def test_an_unknown_kid_fetches_again_but_at_most_once_per_interval() -> None:
    keys = Keys()
    old = keys.add()
    check = verifier(keys, refetch_seconds=30.0)
    now = [1000.0]
    check.sources[ISSUER].clock = lambda: now[0]
    await check.authenticate(keys.token(old, roles=["tpoa"]))
    new = keys.add()  # the issuer rotated
    assert (await check.authenticate(keys.token(new, roles=["tpoa"]))).roles == ("tpoa",)
    assert len(keys.fetched) == 2
    assert (await check.authenticate(keys.token(old, roles=["tpoa"]))).roles == ("tpoa",)  # still published
    forged = Keys()
    stranger = forged.add()
    for _ in range(3):
        with pytest.raises(InvalidToken, match="no key"):
            await check.authenticate(forged.token(stranger, roles=["tpoa"]))
    assert len(keys.fetched) == 2  # within 30 seconds of the last refetch: none
    now[0] += 31
    for _ in range(3):
        with pytest.raises(InvalidToken, match="no key"):
            await check.authenticate(forged.token(stranger, roles=["tpoa"]))
    assert len(keys.fetched) == 3  # one more, then none within the interval


async def test_an_issuer_that_is_down_keeps_its_cached_keys() -> None:
    keys = Keys()
    kid = keys.add()
    check = verifier(keys, refetch_seconds=0.0)
    await check.authenticate(keys.token(kid, roles=["tpoa"]))

    async def down(url: str) -> Mapping[str, Any]:
        raise OSError("connection refused")

    check.sources[ISSUER].fetch = down
    check.sources[ISSUER].cache_seconds = 0.0
    assert (await check.authenticate(keys.token(kid, roles=["tpoa"]))).roles == ("tpoa",)


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"roles": ["tpoa", "admin"]}, "exactly one role"),
        ({"roles": ["ngo"]}, "organization_id"),
        ({"roles": ["tpoa"], "lifetime": 12 * 3600 + 1}, "12 hours"),
        ({"roles": ["tpoa"], "aud": "another-api"}, "(?i)audience"),
    ],
)
async def test_console_tokens_that_do_not_fit_are_refused(claims: dict[str, Any], reason: str) -> None:
    keys = Keys()
    kid = keys.add()
    lifetime = claims.pop("lifetime", 900)
    with pytest.raises(InvalidToken, match=reason):
        await verifier(keys).authenticate(keys.token(kid, lifetime=lifetime, **claims))


async def test_a_jwks_issuer_cannot_sign_with_the_shared_secret() -> None:
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": "mitra", "sub": "x", "iat": now, "exp": now + 60, "roles": ["admin"]}
    forged = jwt.encode(claims, DEVELOPMENT_JWT_SECRET, algorithm="HS256")
    with pytest.raises(InvalidToken, match="not accepted"):
        await verifier(Keys()).authenticate(forged)


async def test_a_token_of_an_issuer_nobody_configured_is_refused() -> None:
    keys = Keys()
    kid = keys.add()
    check = TokenVerifier(issuers=[], fetch=keys.fetch)
    with pytest.raises(InvalidToken, match="not one this service trusts"):
        await check.authenticate(keys.token(kid, roles=["tpoa"]))


def test_keycloak_claims_are_mapped_onto_mitra_roles_and_scope() -> None:
    claims = {
        "sub": "kc-1",
        "preferred_username": "dewi",
        "realm_access": {"roles": ["offline_access", "uma_authorization", "mitra-ministry"]},
        "attributes": {"ministry": ["KEMENSOS"]},
    }
    mapped = map_claims(claims, KEYCLOAK)
    assert mapped["roles"] == ["ministry"]
    assert mapped["ministry_code"] == "KEMENSOS"
    assert mapped["name"] == "dewi"
    assert map_claims({"realm_access": {"roles": "tpoa auditor"}}, KEYCLOAK)["roles"] == ["tpoa", "auditor"]
    assert map_claims({}, KEYCLOAK)["roles"] == []


async def test_a_keycloak_token_gives_the_mapped_principal() -> None:
    keys = Keys()
    kid = keys.add()
    token = keys.token(
        kid,
        issuer=KEYCLOAK.issuer,
        realm_access={"roles": ["default-roles-mitra", "mitra-ministry"]},
        attributes={"ministry": ["KEMENSOS"]},
    )
    principal = await verifier(keys, KEYCLOAK).authenticate(token)
    assert principal.roles == ("ministry",)
    assert principal.scope == {"ministry_code": "KEMENSOS"}


def test_the_shared_secret_is_refused_in_production_and_the_console_is_trusted_by_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("MITRA_JWT_SECRET", "MITRA_JWT_ISSUERS", "MITRA_ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    safe = {
        "environment": "production",
        "database_url": "postgresql://mitra:s3cret@db:5432/mitra_registry",
        "amqp_url": "amqp://mitra:s3cret@rabbitmq:5672/",
    }
    settings = ServiceSettings(**safe)  # type: ignore[arg-type]
    assert [issuer.issuer for issuer in settings.jwt_issuers] == ["http://127.0.0.1:8000"]
    assert not settings.shared_secret_allowed
    assert TokenVerifier.from_settings(settings)._key is None
    with pytest.raises(ValidationError, match="shared-secret tokens are for tests and local tools only"):
        ServiceSettings(**safe, jwt_secret="a-real-secret-from-the-vault-0123456789")  # type: ignore[arg-type]
    monkeypatch.setenv("MITRA_JWT_ISSUERS", KEYCLOAK.model_dump_json().join("[]"))
    assert ServiceSettings(**safe).jwt_issuers == [KEYCLOAK]  # type: ignore[arg-type]


def test_the_console_trusts_itself_and_refuses_its_development_key_in_production(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("MITRA_JWT_ISSUERS", "MITRA_CONSOLE_KEY_ENCRYPTION_KEY", "MITRA_CONSOLE_ISSUER"):
        monkeypatch.delenv(name, raising=False)
    settings = ConsoleSettings(environment="test", http_port=8123, console_issuer="https://mitra.example/console/")
    assert settings.issuer == "https://mitra.example/console"
    assert settings.jwt_issuers[0].issuer == "https://mitra.example/console"
    assert settings.jwt_issuers[0].jwks_url == "http://127.0.0.1:8123/.well-known/jwks.json"
    with pytest.raises(ValidationError, match="MITRA_CONSOLE_KEY_ENCRYPTION_KEY is the development default"):
        ConsoleSettings(
            environment="production",
            database_url="postgresql://mitra:s3cret@db:5432/mitra_console",  # type: ignore[arg-type]
            amqp_url="amqp://mitra:s3cret@rabbitmq:5672/",  # type: ignore[arg-type]
        )
    with pytest.raises(ValidationError, match="less than or equal to 720"):
        ConsoleSettings(environment="test", console_access_token_minutes=721)
