from __future__ import annotations

import time

import jwt
import pytest
from pydantic import ValidationError

from mitra_registry.settings import RegistrySettings
from mitra_shared.auth import InvalidToken, TokenVerifier, issue_token
from mitra_shared.settings import DEVELOPMENT_JWT_SECRET, ServiceSettings

PRODUCTION_SAFE = {
    "MITRA_DATABASE_URL": "postgresql://mitra:s3cret@db:5432/mitra_registry",
    "MITRA_AMQP_URL": "amqp://mitra:s3cret@rabbitmq:5672/",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (*PRODUCTION_SAFE, "MITRA_JWT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("MITRA_ENVIRONMENT", "local")
    monkeypatch.chdir("/")  # no stray .env file


def test_a_service_started_without_an_environment_runs_as_production_and_refuses_development_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("MITRA_ENVIRONMENT")
    with pytest.raises(ValidationError, match="refusing to start in production"):
        RegistrySettings()


def test_local_defaults_work_and_name_what_is_insecure(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MITRA_ENVIRONMENT", "local")
    settings = RegistrySettings()
    assert settings.http_port == 8001
    assert settings.database_url.get_secret_value().endswith("/mitra_registry")
    assert len(settings.insecure_defaults) == 3


@pytest.mark.parametrize("leftover", list(PRODUCTION_SAFE))
def test_production_refuses_each_development_secret(monkeypatch: pytest.MonkeyPatch, leftover: str) -> None:
    monkeypatch.setenv("MITRA_ENVIRONMENT", "production")
    for name, value in PRODUCTION_SAFE.items():
        if name != leftover:
            monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match="refusing to start in production"):
        RegistrySettings()


def test_production_starts_with_real_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MITRA_ENVIRONMENT", "production")
    for name, value in PRODUCTION_SAFE.items():
        monkeypatch.setenv(name, value)
    assert RegistrySettings().insecure_defaults == []


def test_a_public_key_replaces_the_shared_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MITRA_JWT_PUBLIC_KEY", "-----BEGIN PUBLIC KEY-----\n...")
    monkeypatch.setenv("MITRA_JWT_ALGORITHMS", '["RS256"]')
    settings = ServiceSettings()
    assert "MITRA_JWT_SECRET is the development default" not in settings.insecure_defaults


def test_retry_delays_are_read_from_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MITRA_RETRY_DELAYS_SECONDS", "[0.5, 2, 10]")
    assert ServiceSettings().retry_delays_seconds == [0.5, 2.0, 10.0]


def _verifier(**overrides: str) -> TokenVerifier:
    params = {"key": DEVELOPMENT_JWT_SECRET, "issuer": "mitra-local", "audience": "mitra"}
    params.update(overrides)
    return TokenVerifier(algorithms=["HS256"], **params)


def _token(**overrides: object) -> str:
    params: dict[str, object] = {
        "secret": DEVELOPMENT_JWT_SECRET,
        "subject": "analyst",
        "issuer": "mitra-local",
        "audience": "mitra",
        "roles": ["ministry"],
        "scope": {"ministry_code": "KEMENSOS"},
        "name": "Dewi Analyst",
    }
    params.update(overrides)
    return issue_token(**params)  # type: ignore[arg-type]


def test_a_valid_token_gives_the_principal() -> None:
    principal = _verifier().verify(_token())
    assert principal.subject == "analyst"
    assert principal.roles == ("ministry",)
    assert principal.name == "Dewi Analyst"
    assert dict(principal.scope) == {"ministry_code": "KEMENSOS"}


@pytest.mark.parametrize(
    ("token_overrides", "reason"),
    [
        ({"issuer": "elsewhere"}, "(?i)issuer"),
        ({"audience": "another-api"}, "(?i)audience"),
        ({"secret": "some-other-secret-of-enough-length-123"}, "Signature"),
        ({"lifetime_seconds": -10}, "expired"),
        ({"lifetime_seconds": 12 * 3600 + 1}, "12 hours"),
        ({"roles": []}, "exactly one role"),
        ({"roles": ["ministry", "tpoa"]}, "exactly one role"),
        ({"scope": {}}, "ministry_code"),
    ],
)
def test_tokens_that_do_not_fit_are_refused(token_overrides: dict[str, object], reason: str) -> None:
    with pytest.raises(InvalidToken, match=reason):
        _verifier().verify(_token(**token_overrides))


def test_unsigned_and_subjectless_tokens_are_refused() -> None:
    now = int(time.time())
    unsigned = jwt.encode({"sub": "x", "iss": "mitra-local", "aud": "mitra", "exp": now + 60}, None, algorithm="none")
    with pytest.raises(InvalidToken):
        _verifier().verify(unsigned)
    no_subject = jwt.encode(
        {"iss": "mitra-local", "aud": "mitra", "exp": now + 60}, DEVELOPMENT_JWT_SECRET, algorithm="HS256"
    )
    with pytest.raises(InvalidToken, match="sub"):
        _verifier().verify(no_subject)
    no_issued_at = jwt.encode(
        {"sub": "x", "iss": "mitra-local", "aud": "mitra", "exp": now + 60, "roles": ["tpoa"]},
        DEVELOPMENT_JWT_SECRET,
        algorithm="HS256",
    )
    with pytest.raises(InvalidToken, match="iat"):
        _verifier().verify(no_issued_at)


def test_production_refuses_a_shared_secret_whatever_its_length(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MITRA_ENVIRONMENT", "production")
    for name, value in PRODUCTION_SAFE.items():
        monkeypatch.setenv(name, value)
    for secret in ("short-but-not-default", "a-real-secret-from-the-vault-0123456789"):
        monkeypatch.setenv("MITRA_JWT_SECRET", secret)
        with pytest.raises(ValidationError, match="HS256 shared-secret tokens are for tests and local tools only"):
            RegistrySettings()


def test_an_empty_smtp_login_means_none(monkeypatch: pytest.MonkeyPatch) -> None:
    from mitra_notifications.settings import NotificationsSettings

    monkeypatch.setenv("MITRA_SMTP_USERNAME", "")
    monkeypatch.setenv("MITRA_SMTP_PASSWORD", "")
    settings = NotificationsSettings()
    assert settings.smtp_username is None
    assert settings.smtp_password is None
