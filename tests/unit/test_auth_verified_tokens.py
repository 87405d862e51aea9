"""Verified tokens are kept (mitra_shared.auth.TokenVerifier): the same token is not parsed and checked again on
every request, yet it is refused as soon as it expires or its issuer drops the key that signed it."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Mapping
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from jwt.algorithms import OKPAlgorithm

from mitra_shared.auth import InvalidToken, TokenVerifier, issue_token
from mitra_shared.settings import DEVELOPMENT_JWT_SECRET, JwtIssuer

ISSUER = "https://console.mitra.example"


def local_token(lifetime_seconds: int = 900) -> str:
    return issue_token(
        secret=DEVELOPMENT_JWT_SECRET,
        subject="tpoa-1",
        issuer="mitra-local",
        audience="mitra",
        roles=["tpoa"],
        lifetime_seconds=lifetime_seconds,
    )


def counting_decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    decode = jwt.decode

    def counted(token: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(token)
        return decode(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counted)
    return calls


async def test_a_token_is_checked_once_and_answered_the_same_afterwards(monkeypatch: pytest.MonkeyPatch) -> None:
    verifier = TokenVerifier(key=DEVELOPMENT_JWT_SECRET)
    decodes = counting_decodes(monkeypatch)
    token = local_token()
    first = await verifier.authenticate(token)
    checked = len(decodes)
    again = await verifier.authenticate(token)
    assert again == first
    assert (again.subject, again.roles) == ("tpoa-1", ("tpoa",))
    assert checked > 0
    assert len(decodes) == checked
    with pytest.raises(InvalidToken):
        await verifier.authenticate(token[:-2] + ("AA" if not token.endswith("AA") else "BB"))


async def test_a_kept_token_is_refused_once_it_expires() -> None:
    verifier = TokenVerifier(key=DEVELOPMENT_JWT_SECRET)
    token = local_token(lifetime_seconds=1)
    await verifier.authenticate(token)
    expires = jwt.decode(token, options={"verify_signature": False})["exp"]
    await asyncio.sleep(max(0.0, expires - time.time()) + 0.05)
    with pytest.raises(InvalidToken, match="expired"):
        await verifier.authenticate(token)


class RotatingKeys:
    """One issuer's key set, which the test rotates; every fetch serves the current set."""

    def __init__(self) -> None:
        self.private: dict[str, Ed25519PrivateKey] = {}

    def add(self) -> str:
        kid = uuid.uuid4().hex
        self.private[kid] = Ed25519PrivateKey.generate()
        return kid

    async def fetch(self, url: str) -> Mapping[str, Any]:
        return {
            "keys": [
                {**OKPAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": kid, "alg": "EdDSA", "use": "sig"}
                for kid, key in self.private.items()
            ]
        }

    def token(self, kid: str) -> str:
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": "mitra", "sub": "a1", "iat": now, "exp": now + 900, "roles": ["tpoa"]}
        return jwt.encode(claims, self.private[kid], algorithm="EdDSA", headers={"kid": kid})


def jwks_verifier(keys: RotatingKeys) -> TokenVerifier:
    # cache_seconds=0: the keys are fetched again on every use, as when the cache has gone stale.
    issuer = JwtIssuer(issuer=ISSUER, jwks_url=f"{ISSUER}/.well-known/jwks.json")
    return TokenVerifier(issuers=[issuer], refetch_seconds=0.0, cache_seconds=0.0, fetch=keys.fetch)


async def test_a_kept_token_is_refused_once_its_issuer_drops_its_key() -> None:
    keys = RotatingKeys()
    old = keys.add()
    verifier = jwks_verifier(keys)
    token = keys.token(old)
    assert (await verifier.authenticate(token)).subject == "a1"
    assert (await verifier.authenticate(token)).subject == "a1"
    keys.add()
    del keys.private[old]
    with pytest.raises(InvalidToken, match="no key"):
        await verifier.authenticate(token)


async def test_a_kept_token_is_refused_once_its_kid_names_another_key() -> None:
    keys = RotatingKeys()
    kid = keys.add()
    verifier = jwks_verifier(keys)
    token = keys.token(kid)
    await verifier.authenticate(token)
    keys.private[kid] = Ed25519PrivateKey.generate()
    with pytest.raises(InvalidToken):
        await verifier.authenticate(token)
