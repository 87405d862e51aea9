"""The console's settings: its issuer URL, token lifetimes, key rotation, lockout, and the key that encrypts the
signing keys at rest (`MITRA_CONSOLE_KEY_ENCRYPTION_KEY`, refused at its development default outside local and
test runs); for the web pages: session timeouts, the four services' URLs and the SMTP server of its own mail
(password reset), with the same names and defaults as notifications'."""

from __future__ import annotations

from typing import Self

from pydantic import Field, PositiveFloat, PositiveInt, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from mitra_shared.settings import (
    DEVELOPMENT_DATABASE_PASSWORD,
    MINIMUM_SECRET_LENGTH,
    MailingServiceSettings,
    console_issuer,
)

DEVELOPMENT_KEY_ENCRYPTION_KEY = "mitra-console-local-key-encryption-key-change-me"
MAX_TOKEN_MINUTES = 12 * 60


class ConsoleSettings(MailingServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MITRA_", extra="ignore")

    database_url: SecretStr = SecretStr(
        f"postgresql://postgres:{DEVELOPMENT_DATABASE_PASSWORD}@127.0.0.1:5432/mitra_console"
    )
    http_port: int = Field(8000, ge=1, le=65535)

    console_issuer: str | None = Field(
        None,
        description="The `iss` of the console's tokens, the URL the services know it by (e.g. "
        "`https://mitra.example/console`); by default its own base URL.",
    )
    console_key_encryption_key: SecretStr = Field(
        SecretStr(DEVELOPMENT_KEY_ENCRYPTION_KEY),
        description="Encrypts the private signing keys in the database (AES-256-GCM); 32 characters at least.",
    )
    console_access_token_minutes: int = Field(15, ge=1, le=MAX_TOKEN_MINUTES)
    console_client_token_minutes: int = Field(60, ge=1, le=MAX_TOKEN_MINUTES)
    console_key_rotation_days: PositiveFloat = Field(30.0, description="A new signing key this often.")
    console_key_prepublish_hours: PositiveFloat = Field(
        24.0, description="A new key is published in the JWKS this long before it starts signing."
    )
    console_key_rotation_tick_seconds: PositiveFloat = 600.0
    console_lockout_failures: PositiveInt = Field(5, description="Failed logins within the window that lock.")
    console_lockout_window_minutes: PositiveInt = 15
    console_lockout_minutes: PositiveInt = 15

    # The web console (pages for people): sessions, the services it calls for them, its own mail.
    console_session_idle_minutes: PositiveFloat = Field(30.0, description="A session unused this long ends.")
    console_session_hours: PositiveFloat = Field(12.0, description="A session ends this long after login anyway.")
    console_password_reset_minutes: PositiveInt = Field(30, description="How long a password reset link works.")
    registry_url: str = Field("http://127.0.0.1:8001", description="Where the console's pages reach registry.")
    agreements_url: str = "http://127.0.0.1:8002"
    notifications_url: str = "http://127.0.0.1:8003"
    reporting_url: str = "http://127.0.0.1:8004"
    console_api_timeout_seconds: PositiveFloat = 15.0

    @property
    def secure_cookies(self) -> bool:
        """Cookies are `Secure` (HTTPS only) outside local and test runs, which serve plain HTTP."""
        return self.environment not in ("local", "test")

    @property
    def issuer(self) -> str:
        return (self.console_issuer or self.base_url).rstrip("/")

    @property
    def demo_password_allowed(self) -> bool:
        """The demo accounts' well-known password is accepted in local runs (`make run`) only."""
        return self.environment == "local"

    @property
    def insecure_defaults(self) -> list[str]:
        problems = super().insecure_defaults
        key = self.console_key_encryption_key.get_secret_value()
        if key == DEVELOPMENT_KEY_ENCRYPTION_KEY:
            problems.append("MITRA_CONSOLE_KEY_ENCRYPTION_KEY is the development default")
        elif len(key) < MINIMUM_SECRET_LENGTH:
            problems.append(f"MITRA_CONSOLE_KEY_ENCRYPTION_KEY is shorter than {MINIMUM_SECRET_LENGTH} characters")
        return problems

    @model_validator(mode="after")
    def _trust_itself(self) -> Self:
        """Unless told otherwise, the console verifies its own tokens (account management) against its own keys."""
        if "jwt_issuers" not in self.model_fields_set:
            self.jwt_issuers = [console_issuer(self.issuer).model_copy(update={"jwks_url": self._own_jwks_url()})]
        return self

    def _own_jwks_url(self) -> str:
        host = "127.0.0.1" if self.http_host in ("0.0.0.0", "::") else self.http_host
        return f"http://{host}:{self.http_port}/.well-known/jwks.json"
