"""Settings every service shares, read from `MITRA_*` environment variables.

No `.env` file is read: that file belongs to `docker compose`, and its production secrets must not leak into
services started by hand or by tests from the same directory.

Defaults work on a developer's machine (localhost PostgreSQL and RabbitMQ). Outside `environment=local` the
well-known development secrets are refused, so a deployment cannot start with them by accident.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, PositiveFloat, PositiveInt, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEVELOPMENT_JWT_SECRET = "mitra-local-development-secret-change-me"
DEVELOPMENT_DATABASE_PASSWORD = "postgres"
MINIMUM_SECRET_LENGTH = 32


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MITRA_", extra="ignore")

    environment: Literal["local", "test", "staging", "production"] = "local"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "json"

    database_url: SecretStr = Field(
        SecretStr(f"postgresql://postgres:{DEVELOPMENT_DATABASE_PASSWORD}@127.0.0.1:5432/mitra"),
        description="PostgreSQL DSN of this service's own database; it is created if missing.",
    )
    database_pool_min: PositiveInt = 2
    database_pool_max: PositiveInt = 10
    migrate_on_start: bool = True

    amqp_url: SecretStr = SecretStr("amqp://guest:guest@127.0.0.1:5672/")
    amqp_namespace: str = Field(
        "mitra",
        pattern=r"^[a-z0-9][a-z0-9.-]*$",
        description="Prefix of every exchange and queue name, e.g. `mitra.events`.",
    )
    consumer_prefetch: PositiveInt = 32
    retry_delays_seconds: list[PositiveFloat] = Field(
        default_factory=lambda: [1.0, 5.0, 30.0, 120.0, 600.0],
        min_length=1,
        description="Delay before each retry of a failed message; after the last one it is dead-lettered.",
    )
    relay_batch_size: PositiveInt = 200
    relay_poll_interval_seconds: PositiveFloat = 1.0
    outbox_retention_days: PositiveInt = 7

    http_host: str = "127.0.0.1"
    http_port: int = Field(8000, ge=1, le=65535)
    public_base_url: str | None = Field(None, description="Base URL printed in docs links; defaults to host:port.")

    jwt_secret: SecretStr | None = Field(
        SecretStr(DEVELOPMENT_JWT_SECRET), description="Shared secret for HS256 tokens."
    )
    jwt_public_key: str | None = Field(None, description="PEM public key for RS256/ES256 tokens (instead of a secret).")
    jwt_algorithms: list[str] = Field(default_factory=lambda: ["HS256"])
    jwt_issuer: str = "mitra-local"
    jwt_audience: str = "mitra"

    shutdown_grace_seconds: PositiveFloat = 20.0

    @property
    def insecure_defaults(self) -> list[str]:
        """The well-known development secrets this configuration still uses."""
        problems = []
        if (
            not self.jwt_public_key
            and self.jwt_secret is not None
            and self.jwt_secret.get_secret_value() == DEVELOPMENT_JWT_SECRET
        ):
            problems.append("MITRA_JWT_SECRET is the development default")
        elif (
            not self.jwt_public_key
            and self.jwt_secret is not None
            and len(self.jwt_secret.get_secret_value()) < MINIMUM_SECRET_LENGTH
        ):
            problems.append(f"MITRA_JWT_SECRET is shorter than {MINIMUM_SECRET_LENGTH} characters")
        if f":{DEVELOPMENT_DATABASE_PASSWORD}@" in self.database_url.get_secret_value():
            problems.append("MITRA_DATABASE_URL uses the development password")
        if "guest:guest@" in self.amqp_url.get_secret_value():
            problems.append("MITRA_AMQP_URL uses RabbitMQ's guest account")
        return problems

    @model_validator(mode="after")
    def _refuse_development_secrets(self) -> Self:
        if self.jwt_secret is None and not self.jwt_public_key:
            raise ValueError("set MITRA_JWT_SECRET or MITRA_JWT_PUBLIC_KEY")
        if self.environment in ("local", "test") or not self.insecure_defaults:
            return self
        raise ValueError(f"refusing to start in {self.environment}: {'; '.join(self.insecure_defaults)}")

    @property
    def base_url(self) -> str:
        host = "127.0.0.1" if self.http_host in ("0.0.0.0", "::") else self.http_host
        return self.public_base_url or f"http://{host}:{self.http_port}"
