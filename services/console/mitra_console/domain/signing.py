"""The console's signing keys: when a key signs, when it is published, when the next one is made, and the
cryptography of one key (Ed25519, the private half encrypted at rest). Pure.

A key signs from `active_from` to `retire_at` (`rotate_every` later). The next key is made `prepublish` before the
current one retires, so that it sits in the JWKS before the first token it signs (a verifier that cached the keys
meanwhile fetches them again on the unknown `kid` anyway). A retired key stays published until `publish_until`:
`retire_at` plus the longest token lifetime plus a margin, when every token it signed has expired.
"""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from jwt.algorithms import OKPAlgorithm

ALGORITHM = "EdDSA"
PUBLISH_MARGIN = timedelta(minutes=5)


@dataclass(frozen=True)
class RotationPolicy:
    rotate_every: timedelta = timedelta(days=30)
    prepublish: timedelta = timedelta(hours=24)
    longest_token: timedelta = timedelta(hours=1)


@dataclass(frozen=True)
class KeyWindow:
    kid: str
    active_from: datetime
    retire_at: datetime
    publish_until: datetime


def window(kid: str, active_from: datetime, policy: RotationPolicy) -> KeyWindow:
    retire_at = active_from + policy.rotate_every
    return KeyWindow(kid, active_from, retire_at, retire_at + policy.longest_token + PUBLISH_MARGIN)


def signing_key(keys: Iterable[KeyWindow], now: datetime) -> KeyWindow | None:
    """The key that signs at `now`: active, the newest of those."""
    active = [key for key in keys if key.active_from <= now < key.retire_at]
    return max(active, key=lambda key: key.active_from) if active else None


def published(keys: Iterable[KeyWindow], now: datetime) -> list[KeyWindow]:
    """The keys of the JWKS at `now`: the next one, the signing one, and the retired ones whose tokens may live."""
    return sorted((key for key in keys if now < key.publish_until), key=lambda key: key.active_from)


def next_key_from(keys: Sequence[KeyWindow], now: datetime, policy: RotationPolicy) -> datetime | None:
    """When the key to make now starts signing: `now` if none signs, the current one's `retire_at` if that is
    within `prepublish` and no successor exists yet; None if no key is needed."""
    current = signing_key(keys, now)
    if current is None:
        return now
    if any(key.active_from >= current.retire_at for key in keys):
        return None
    if now >= current.retire_at - policy.prepublish:
        return current.retire_at
    return None


def expired(keys: Iterable[KeyWindow], now: datetime) -> list[str]:
    """The keys no token can still need: to be deleted."""
    return [key.kid for key in keys if key.publish_until <= now]


@dataclass(frozen=True)
class NewKey:
    kid: str
    public_jwk: dict[str, Any]
    private_key_encrypted: bytes


def _cipher(encryption_key: str) -> AESGCM:
    return AESGCM(hashlib.sha256(b"mitra-console-signing-keys\x00" + encryption_key.encode()).digest())


def generate(encryption_key: str) -> NewKey:
    """A new Ed25519 key: its public JWK and its private key in PKCS#8, encrypted (AES-256-GCM, kid as AAD)."""
    kid = uuid.uuid4().hex
    private = Ed25519PrivateKey.generate()
    public_jwk = {**OKPAlgorithm.to_jwk(private.public_key(), as_dict=True), "kid": kid, "alg": ALGORITHM, "use": "sig"}
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    nonce = os.urandom(12)
    return NewKey(kid, public_jwk, nonce + _cipher(encryption_key).encrypt(nonce, pem, kid.encode()))


def decrypt(kid: str, private_key_encrypted: bytes, encryption_key: str) -> Ed25519PrivateKey:
    pem = _cipher(encryption_key).decrypt(private_key_encrypted[:12], private_key_encrypted[12:], kid.encode())
    key = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(key, Ed25519PrivateKey)
    return key


def sign(claims: dict[str, Any], kid: str, private_key: Ed25519PrivateKey) -> str:
    return jwt.encode(claims, private_key, algorithm=ALGORITHM, headers={"kid": kid, "typ": "JWT"})


def secret_token(nbytes: int = 32) -> str:
    """A random secret, URL-safe (an OAuth client secret)."""
    return base64.urlsafe_b64encode(os.urandom(nbytes)).decode().rstrip("=")
