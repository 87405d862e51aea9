"""The console's rules, pure: the password policy and hashing, lockout windows, key rotation windows, token claims,
who manages which account."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from cryptography.exceptions import InvalidTag

from mitra_console.domain import access, clients, lockout, passwords, signing, tokens
from mitra_console.domain.accounts import Account, AccountPatch, AccountScope, patched, update_action
from mitra_console.domain.clients import Client, ClientWithSecret
from mitra_console.domain.lockout import LockoutPolicy, LoginState
from mitra_console.domain.signing import KeyWindow, RotationPolicy
from mitra_shared.context import Principal
from mitra_shared.errors import RuleBroken

NOW = datetime(2030, 1, 2, 2, 0, tzinfo=UTC)


# --- passwords ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short-one", "12 characters"),
        ("x" * 257, "256 characters"),
        ("siti.rahma-2030!", "username"),
        ("abababababababab", "few different"),
        ("Password1234", "well known"),
        ("line\nbreak-in-it-here", "control"),
        ("mitra-demo", "12 characters"),
    ],
)
def test_weak_passwords_are_refused(password: str, reason: str) -> None:
    with pytest.raises(RuleBroken, match=reason):
        passwords.check_password(password, username="siti.rahma")


def test_a_good_password_passes_and_the_demo_one_only_where_allowed() -> None:
    passwords.check_password("kopi tubruk di pagi hari", username="siti.rahma")
    passwords.check_password(passwords.DEMO_PASSWORD, username="plan", allow_demo=True)
    with pytest.raises(RuleBroken):
        passwords.check_password(passwords.DEMO_PASSWORD, username="plan", allow_demo=False)


def test_passwords_are_argon2id_hashes_and_old_parameters_are_rehashed() -> None:
    stored = passwords.hash_password("kopi tubruk di pagi hari")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "kopi tubruk di pagi hari")
    assert not passwords.verify_password(stored, "kopi tubruk di sore hari")
    assert not passwords.needs_rehash(stored)
    weaker = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("kopi tubruk di pagi hari")
    assert passwords.verify_password(weaker, "kopi tubruk di pagi hari")
    assert passwords.needs_rehash(weaker)
    assert not passwords.verify_password("not a hash", "anything")


# --- lockout ------------------------------------------------------------------------------------------------------


LOCKOUT = LockoutPolicy()


def fail(state: LoginState, at: datetime) -> LoginState:
    return lockout.after_failure(state, at, LOCKOUT)


def test_five_failures_within_fifteen_minutes_lock_for_fifteen_minutes() -> None:
    state = LoginState()
    for minute in range(4):
        state = fail(state, NOW + timedelta(minutes=minute * 3))
        assert not lockout.is_locked(state, NOW + timedelta(minutes=minute * 3))
    fifth = NOW + timedelta(minutes=12)
    state = fail(state, fifth)
    assert state.locked_until == fifth + timedelta(minutes=15)
    assert lockout.is_locked(state, fifth + timedelta(minutes=14, seconds=59))
    assert not lockout.is_locked(state, fifth + timedelta(minutes=15))


def test_failures_older_than_the_window_do_not_count() -> None:
    state = LoginState()
    for minute in (0, 1, 2, 3):
        state = fail(state, NOW + timedelta(minutes=minute))
    state = fail(state, NOW + timedelta(minutes=16))  # the first two are out of the window now
    assert state.locked_until is None
    assert len(state.recent_failures) == 3


def test_attempts_while_locked_do_not_extend_the_lock_and_success_clears() -> None:
    state = LoginState()
    for second in range(5):
        state = fail(state, NOW + timedelta(seconds=second))
    locked_until = state.locked_until
    state = fail(state, NOW + timedelta(minutes=10))
    assert state.locked_until == locked_until
    assert lockout.after_success() == LoginState()


# --- signing keys -------------------------------------------------------------------------------------------------

POLICY = RotationPolicy(rotate_every=timedelta(days=30), prepublish=timedelta(days=1), longest_token=timedelta(hours=1))


def test_the_first_key_signs_at_once_and_the_next_is_published_a_day_before_it_signs() -> None:
    assert signing.next_key_from([], NOW, POLICY) == NOW
    first = signing.window("first", NOW, POLICY)
    assert signing.next_key_from([first], NOW + timedelta(days=28), POLICY) is None
    due = signing.next_key_from([first], NOW + timedelta(days=29), POLICY)
    assert due == first.retire_at
    second = signing.window("second", first.retire_at, POLICY)
    keys = [first, second]
    assert signing.next_key_from(keys, NOW + timedelta(days=29, hours=1), POLICY) is None
    before = first.retire_at - timedelta(seconds=1)
    assert signing.signing_key(keys, before) == first
    assert [key.kid for key in signing.published(keys, before)] == ["first", "second"]
    assert signing.signing_key(keys, first.retire_at) == second


def test_a_retired_key_stays_published_until_its_last_token_expired() -> None:
    first = signing.window("first", NOW, POLICY)
    second = signing.window("second", first.retire_at, POLICY)
    keys = [first, second]
    assert first.publish_until == first.retire_at + timedelta(hours=1) + signing.PUBLISH_MARGIN
    still = first.publish_until - timedelta(seconds=1)
    assert [key.kid for key in signing.published(keys, still)] == ["first", "second"]
    assert signing.expired(keys, still) == []
    assert [key.kid for key in signing.published(keys, first.publish_until)] == ["second"]
    assert signing.expired(keys, first.publish_until) == ["first"]


def test_after_a_long_downtime_a_new_key_signs_at_once() -> None:
    old = KeyWindow("old", NOW - timedelta(days=90), NOW - timedelta(days=60), NOW - timedelta(days=59))
    assert signing.signing_key([old], NOW) is None
    assert signing.next_key_from([old], NOW, POLICY) == NOW


def test_the_private_key_is_encrypted_at_rest() -> None:
    key = signing.generate("an encryption key of thirty-two characters or more")
    assert b"PRIVATE KEY" not in key.private_key_encrypted
    assert key.public_jwk["kty"] == "OKP"
    assert key.public_jwk["crv"] == "Ed25519"
    assert key.public_jwk["kid"] == key.kid
    private = signing.decrypt(key.kid, key.private_key_encrypted, "an encryption key of thirty-two characters or more")
    token = signing.sign({"sub": "x"}, key.kid, private)
    assert token.count(".") == 2
    with pytest.raises(InvalidTag):
        signing.decrypt(key.kid, key.private_key_encrypted, "another key entirely, also long enough")


# --- tokens and accounts ------------------------------------------------------------------------------------------


def test_token_claims_name_one_role_its_scope_and_live_at_most_twelve_hours() -> None:
    grant = tokens.Grant(subject="a1", name="Dewi", role="ministry", scope={"ministry_code": "KEMENSOS"})
    claims = tokens.claims(grant, issuer="https://console.example", now=NOW, lifetime=timedelta(minutes=15))
    assert claims["roles"] == ["ministry"]
    assert claims["ministry_code"] == "KEMENSOS"
    assert claims["aud"] == "mitra"
    assert claims["iss"] == "https://console.example"
    assert claims["sub"] == "a1"
    assert claims["exp"] - claims["iat"] == 900
    assert claims["jti"]
    with pytest.raises(ValueError, match="at most"):
        tokens.claims(grant, issuer="x", now=NOW, lifetime=timedelta(hours=12, seconds=1))


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"role": "ministry"}, "ministry_code"),
        ({"role": "region", "region_code": "33", "ministry_code": "KEMENSOS"}, "ministry_code"),
        ({"role": "ngo"}, "organization_id"),
        ({"role": "tpoa", "region_code": "33"}, "region_code"),
    ],
)
def test_an_account_has_the_scope_its_role_needs_and_no_other(fields: dict[str, str], problem: str) -> None:
    with pytest.raises(RuleBroken, match=problem):
        AccountScope.model_validate(fields)


def _account(**fields: object) -> Account:
    base: dict[str, object] = {
        "id": uuid.uuid4(),
        "username": "siti",
        "display_name": "Siti",
        "email": "siti@example.org",
        "role": "ngo",
        "organization_id": uuid.uuid4(),
        "active": True,
        "password_changed_at": NOW,
        "version": 1,
        "created_at": NOW,
        "created_by": "admin",
        "updated_at": NOW,
        "updated_by": "admin",
    }
    return Account.model_validate({**base, **fields})


def test_a_role_change_drops_the_old_scope_and_needs_the_new_one() -> None:
    account = _account()
    changes = patched(account, AccountPatch(role="region", region_code="3374"))
    assert changes == {"role": "region", "region_code": "3374", "organization_id": None}
    with pytest.raises(RuleBroken, match="region_code"):
        patched(account, AccountPatch(role="region"))
    assert patched(account, AccountPatch(display_name="Siti")) == {}


def test_admin_manages_every_account_and_tpoa_only_ngo_staff() -> None:
    admin = Principal("a", roles=("admin",))
    tpoa = Principal("t", roles=("tpoa",))
    ministry = Principal("m", roles=("ministry",), scope={"ministry_code": "KEMENSOS"})
    assert all(access.manages(admin, role) for role in ("admin", "tpoa", "ngo", "ministry"))
    assert access.manages(tpoa, "ngo")
    assert not access.manages(tpoa, "admin")
    assert not access.manages(tpoa, "tpoa")
    assert not access.manages(ministry, "ngo")
    assert access.managed_roles(admin) is None
    assert access.managed_roles(tpoa) == ["ngo"]
    assert access.managed_roles(ministry) == []


# --- the audit trail's names and values -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "unlock", "action"),
    [
        ({"active": False, "display_name": "X"}, False, "account.disabled"),
        ({"active": True}, True, "account.enabled"),
        ({"email": "x@y.example"}, True, "account.updated"),
        ({}, True, "account.unlocked"),
    ],
)
def test_an_account_change_is_named_by_what_says_most(changes: dict[str, object], unlock: bool, action: str) -> None:
    assert update_action(changes, unlock=unlock) == action


def test_a_clients_audit_values_never_carry_its_secret() -> None:
    fields = {
        "client_id": "bappenas-sipd",
        "name": "Bappenas",
        "active": True,
        "version": 1,
        "created_at": NOW,
        "created_by": "admin",
        "updated_at": NOW,
        "updated_by": "admin",
    }
    with_secret = ClientWithSecret(**fields, client_secret="s3cret")
    values = clients.audit_values(with_secret)
    assert "client_secret" not in values
    assert "s3cret" not in str(values)
    disabled = Client(**{**fields, "active": False})
    assert clients.update_action(with_secret, disabled, new_secret=False) == "client.disabled"
    assert clients.update_action(with_secret, disabled, new_secret=True) == "client.secret_replaced"
    assert clients.update_action(disabled, disabled, new_secret=False) == "client.updated"
