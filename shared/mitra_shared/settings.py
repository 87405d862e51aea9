"""Settings every service shares, read from `MITRA_*` environment variables.

No `.env` file is read: that file belongs to `docker compose`, and its production secrets must not leak into
services started by hand or by tests from the same directory.

Defaults work on a developer's machine (localhost PostgreSQL and RabbitMQ). Outside `environment=local` the
well-known development secrets are refused, so a deployment cannot start with them by accident.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, Self

from pydantic import BaseModel, EmailStr, Field, PositiveFloat, PositiveInt, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from yarl import URL

from mitra_shared.amqp_nodes import Node, parse_nodes

DEVELOPMENT_JWT_SECRET = "mitra-local-development-secret-change-me"
DEVELOPMENT_DATABASE_PASSWORD = "postgres"
MINIMUM_SECRET_LENGTH = 32
CONSOLE_ISSUER = "http://127.0.0.1:8000"
"""The console's issuer URL under `make run`: the issuer every service trusts unless told otherwise."""
SHARED_SECRET_ENVIRONMENTS = ("local", "test")


class JwtIssuer(BaseModel):
    """An issuer whose tokens a service accepts, with the keys it publishes and where its claims are.

    `MITRA_JWT_ISSUERS='[{"issuer": "https://sso.example/realms/mitra", "jwks_url":
    "https://sso.example/realms/mitra/protocol/openid-connect/certs", "audience": "mitra",
    "roles_claim": "realm_access.roles", "role_map": {"mitra-tpoa": "tpoa"},
    "scope_claims": {"organization_id": "mitra_organization_id"}}]'`
    """

    issuer: str = Field(min_length=1, description="The `iss` of its tokens, exactly.")
    jwks_url: str = Field(pattern=r"^https?://", description="Where its public keys are published (JWKS).")
    audience: str = Field("mitra", min_length=1, description="The `aud` its tokens must name.")
    algorithms: list[str] = Field(
        default_factory=lambda: ["EdDSA", "ES256", "RS256"], min_length=1, description="Signature algorithms."
    )
    roles_claim: str = Field("roles", description="Dotted path of the role names, e.g. `realm_access.roles`.")
    role_map: dict[str, str] = Field(
        default_factory=dict, description="The issuer's role names mapped to Mitra's (`mitra-tpoa` → `tpoa`)."
    )
    scope_claims: dict[str, str] = Field(
        default_factory=dict,
        description="Where each scope claim (`organization_id`, `ministry_code`, `region_code`) is, as a dotted "
        "path; by default under its own name.",
    )
    name_claim: str = Field("name", description="Dotted path of the display name.")


def console_issuer(base_url: str = CONSOLE_ISSUER) -> JwtIssuer:
    """The console at `base_url` as an issuer: its JWKS at `/.well-known/jwks.json`, audience `mitra`."""
    return JwtIssuer(issuer=base_url, jwks_url=f"{base_url.rstrip('/')}/.well-known/jwks.json")


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MITRA_", extra="ignore")

    # Unset means production: a service started by hand on a server refuses the development secrets rather than
    # run with them. `make run` and the tests say `local` and `test`.
    environment: Literal["local", "test", "staging", "production"] = "production"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["json", "console"] = "json"

    database_url: SecretStr = Field(
        SecretStr(f"postgresql://postgres:{DEVELOPMENT_DATABASE_PASSWORD}@127.0.0.1:5432/mitra"),
        description="PostgreSQL DSN of this service's own database, logged in as its own role; the role and the "
        "database must exist (`make run`, compose's postgres-roles and the tests create them).",
    )
    migration_database_url: SecretStr | None = Field(
        None,
        description="PostgreSQL DSN of the role that owns this service's database and applies its migrations, when "
        "the service runs as a separate runtime role (`MITRA_DATABASE_URL`) that may not change what the owner "
        "keeps append-only (reporting's audit log); unset: `MITRA_DATABASE_URL` migrates too.",
    )
    database_pool_min: PositiveInt = 2
    database_pool_max: PositiveInt = 10
    migrate_on_start: bool = True

    amqp_url: SecretStr = SecretStr("amqp://guest:guest@127.0.0.1:5672/")
    amqp_nodes: str = Field(
        "",
        description="The RabbitMQ cluster's other nodes, `host[:port]` comma-separated (e.g. "
        "`rabbitmq-2:5672,rabbitmq-3:5672`): each connection goes to whichever node of them and the URL's answers "
        "(mitra_shared.amqp_nodes). Empty: the URL's node only.",
    )
    amqp_namespace: str = Field(
        "mitra",
        pattern=r"^[a-z0-9][a-z0-9.-]*$",
        description="Prefix of every exchange and queue name, e.g. `mitra.events`.",
    )
    amqp_publishers: dict[str, str] = Field(
        default_factory=dict,
        description='Each service\'s broker user, e.g. `{"registry": "mitra-registry"}`: a consumer believes a '
        "service's routing keys (and `audit.<service>.*`) only from that user's messages (their validated AMQP "
        "`user_id`). Empty (local runs and tests, one account for all): the publisher check is off.",
    )
    amqp_max_clock_skew_seconds: PositiveFloat = Field(
        120.0, description="How far an event's `time` may lie ahead of the consumer's clock before it is refused."
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
    metrics_host: str = Field(
        "127.0.0.1",
        description="Interface of the metrics listener (Prometheus' `GET /metrics`), apart from the public HTTP port: "
        "loopback by default; compose sets 0.0.0.0 inside its network and publishes nothing.",
    )
    metrics_port: int | None = Field(
        None,
        ge=1,
        le=65535,
        description="Port of the metrics listener (the public port answers `/metrics` with 404); unset: the HTTP "
        "port + 1000 (console 9000, registry 9001, agreements 9002, notifications 9003, reporting 9004).",
    )
    metrics_refresh_seconds: PositiveFloat = Field(
        15.0,
        description="How often the gauges read from the database and the broker (outbox backlog, dead letters, "
        "unrouted events) are refreshed.",
    )

    jwt_secret: SecretStr | None = Field(
        SecretStr(DEVELOPMENT_JWT_SECRET),
        description="Shared secret of HS256 tokens (`make token`, tests): local and test only, refused in staging "
        "and production, where tokens come from the issuers in MITRA_JWT_ISSUERS.",
    )
    jwt_public_key: str | None = Field(
        None, description="PEM public key of an issuer without JWKS (RS256/ES256/EdDSA; instead of the secret)."
    )
    jwt_algorithms: list[str] = Field(default_factory=lambda: ["HS256"])
    jwt_issuer: str = Field("mitra-local", description="The `iss` of the tokens signed with the static key.")
    jwt_audience: str = "mitra"
    jwt_issuers: list[JwtIssuer] = Field(
        default_factory=lambda: [console_issuer()],
        description="The issuers whose tokens are accepted, verified against their published keys (JWKS); the "
        "console's by default.",
    )
    jwt_jwks_refetch_seconds: PositiveFloat = Field(
        30.0, description="A token naming an unknown key fetches the issuer's keys again, at most this often."
    )
    jwt_jwks_cache_seconds: PositiveFloat = Field(3600.0, description="How long fetched keys are kept.")

    shutdown_grace_seconds: PositiveFloat = 20.0

    # Documents (the services with `ServiceSpec(documents=True)`): where the files are kept, and how large they may be.
    documents_store: Literal["local", "s3"] = Field(
        "local", description="Where uploaded and generated files are kept: a local directory or an S3 bucket."
    )
    documents_dir: Path = Field(
        Path("var/documents"), description="Root directory of the local store (`make run` sets an absolute path)."
    )
    documents_max_bytes: PositiveInt = Field(
        25 * 1024 * 1024, description="The largest file accepted (413 beyond); apart from the 1 MB limit of JSON."
    )
    documents_orphan_grace_hours: PositiveFloat = Field(
        24.0, description="How old a stored file that no record names must be before the sweeper deletes it."
    )
    documents_upload_expiry_hours: PositiveFloat = Field(
        24.0, description="How long an unfinished resumable upload is kept after it was created."
    )
    documents_sweep_interval_seconds: PositiveFloat = Field(
        3600.0, description="How often the sweeper looks for orphaned files and expired uploads."
    )
    s3_endpoint_url: str | None = Field(
        None, description="The S3 API's URL (MinIO, Ceph, a provider's); unset: AWS in `MITRA_S3_REGION`."
    )
    s3_bucket: str = Field("mitra-documents", min_length=3, description="The bucket (made at start if missing).")
    s3_region: str = "us-east-1"
    s3_access_key_id: SecretStr | None = None
    s3_secret_access_key: SecretStr | None = None

    @property
    def insecure_defaults(self) -> list[str]:
        """The well-known development secrets this configuration still uses."""
        problems = []
        if not self.shared_secret_allowed:
            if "jwt_secret" in self.model_fields_set and self.jwt_secret is not None:
                problems.append(
                    "MITRA_JWT_SECRET is set, but HS256 shared-secret tokens are for tests and local tools only: "
                    "name the token issuers in MITRA_JWT_ISSUERS"
                )
        elif (
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
        if self.migration_database_url is not None and (
            f":{DEVELOPMENT_DATABASE_PASSWORD}@" in self.migration_database_url.get_secret_value()
        ):
            problems.append("MITRA_MIGRATION_DATABASE_URL uses the development password")
        if "guest:guest@" in self.amqp_url.get_secret_value():
            problems.append("MITRA_AMQP_URL uses RabbitMQ's guest account")
        return problems

    @property
    def shared_secret_allowed(self) -> bool:
        """Whether HS256 tokens of the shared secret are accepted: in local and test runs only."""
        return self.environment in SHARED_SECRET_ENVIRONMENTS

    @field_validator("s3_endpoint_url", "s3_access_key_id", "s3_secret_access_key", "metrics_port", mode="before")
    @classmethod
    def _empty_optional_means_none(cls, value: object) -> object:
        # Compose passes an unset variable as "".
        return None if value == "" else value

    @field_validator("amqp_nodes")
    @classmethod
    def _nodes_are_host_and_port(cls, value: str) -> str:
        parse_nodes(value)
        return value

    @property
    def amqp_other_nodes(self) -> tuple[Node, ...]:
        return parse_nodes(self.amqp_nodes, scheme=URL(self.amqp_url.get_secret_value()).scheme)

    @property
    def metrics_listen_port(self) -> int:
        """The metrics listener's port: `MITRA_METRICS_PORT`, else the HTTP port + 1000."""
        return self.metrics_port if self.metrics_port is not None else self.http_port + 1000

    @model_validator(mode="after")
    def _metrics_apart_from_http(self) -> Self:
        if self.metrics_listen_port > 65535:
            raise ValueError("MITRA_METRICS_PORT is needed: MITRA_HTTP_PORT + 1000 is beyond 65535")
        if self.metrics_listen_port == self.http_port:
            raise ValueError("MITRA_METRICS_PORT must differ from MITRA_HTTP_PORT: /metrics is not served publicly")
        return self

    @model_validator(mode="after")
    def _refuse_incomplete_s3(self) -> Self:
        if self.documents_store != "s3":
            return self
        missing = [
            name
            for name, value in (
                ("MITRA_S3_ACCESS_KEY_ID", self.s3_access_key_id),
                ("MITRA_S3_SECRET_ACCESS_KEY", self.s3_secret_access_key),
            )
            if value is None or not value.get_secret_value()
        ]
        if not self.s3_endpoint_url and not self.s3_region:
            missing.append("MITRA_S3_ENDPOINT_URL or MITRA_S3_REGION")
        if missing:
            raise ValueError(f"MITRA_DOCUMENTS_STORE=s3 needs {', '.join(missing)}")
        return self

    @model_validator(mode="after")
    def _refuse_development_secrets(self) -> Self:
        shared_secret = self.jwt_secret is not None and self.shared_secret_allowed
        if not self.jwt_issuers and not self.jwt_public_key and not shared_secret:
            raise ValueError("no token issuer: set MITRA_JWT_ISSUERS (or MITRA_JWT_PUBLIC_KEY)")
        if self.jwt_public_key and any(name.startswith("HS") for name in self.jwt_algorithms):
            raise ValueError('MITRA_JWT_PUBLIC_KEY needs asymmetric MITRA_JWT_ALGORITHMS, e.g. ["RS256"]')
        if self.environment in ("local", "test") or not self.insecure_defaults:
            return self
        raise ValueError(f"refusing to start in {self.environment}: {'; '.join(self.insecure_defaults)}")

    @property
    def base_url(self) -> str:
        host = "127.0.0.1" if self.http_host in ("0.0.0.0", "::") else self.http_host
        return self.public_base_url or f"http://{host}:{self.http_port}"


class MailingServiceSettings(ServiceSettings):
    """A service that sends mail itself (notifications; the console's password resets): its SMTP server, the same
    `MITRA_SMTP_*` variables for both."""

    smtp_host: str = "127.0.0.1"
    smtp_port: int = Field(1025, ge=1, le=65535)
    smtp_security: Literal["none", "starttls", "tls"] = "none"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_from: EmailStr = "mitra@localhost.localdomain"
    smtp_timeout_seconds: PositiveFloat = 30.0

    @field_validator("smtp_username", "smtp_password", mode="before")
    @classmethod
    def _empty_means_none(cls, value: object) -> object:
        # Compose passes an unset variable as "", which would make aiosmtplib try to log in.
        return None if value == "" else value
