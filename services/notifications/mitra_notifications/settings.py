from typing import Self

from pydantic import Field, PositiveFloat, PositiveInt, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from mitra_shared.settings import DEVELOPMENT_DATABASE_PASSWORD, MailingServiceSettings

DEMO_SMTP_HOSTS = frozenset({"", "mailpit", "localhost", "127.0.0.1", "::1"})
"""SMTP hosts that are no real mail server in production: unset, compose's demo sink, this machine."""


class NotificationsSettings(MailingServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MITRA_", extra="ignore")

    database_url: SecretStr = SecretStr(
        f"postgresql://postgres:{DEVELOPMENT_DATABASE_PASSWORD}@127.0.0.1:5432/mitra_notifications"
    )
    http_port: int = Field(8003, ge=1, le=65535)

    mail_disabled: bool = Field(
        False,
        description="Send no e-mail, on purpose: e-mail notifications are recorded as `skipped` in the delivery log "
        "(and `mitra_notification_deliveries_total`), webhooks and the inbox work as ever. In production, without it, "
        "notifications refuses to start unless MITRA_SMTP_HOST names a real mail server (not unset, `mailpit`, "
        "`localhost` or `127.0.0.1`).",
    )
    delivery_batch_size: PositiveInt = 20
    smtp_connections: PositiveInt = Field(
        4,
        description="SMTP connections the delivery worker keeps (each opened only when the others are busy): mails "
        "go out side by side.",
    )
    delivery_poll_interval_seconds: PositiveFloat = 2.0
    delivery_linger_seconds: float = Field(
        0.02,
        ge=0.0,
        le=1.0,
        description="How long the delivery worker, woken, waits for more notifications to join its pass (fewer "
        "transactions per mail, at this much latency).",
    )
    delivery_give_up_after_seconds: PositiveFloat = Field(
        48 * 3600.0, description="How long a notification is retried before it is marked failed."
    )
    delivery_max_backoff_seconds: PositiveFloat = 900.0
    delivery_lease_seconds: PositiveFloat = Field(
        60.0,
        description="How long a batch of notifications is reserved for the pass that took it: longer than sending a "
        "batch and recording its outcomes; a batch left by a replica that died is sent again after it.",
    )

    digest_hour: int = Field(7, ge=0, le=23, description="Hour (Asia/Jakarta) after which daily digests go out.")

    webhook_timeout_seconds: PositiveFloat = 10.0
    webhook_allow_internal_addresses: bool = Field(
        False,
        description="Let webhooks call private, loopback, link-local, shared (100.64.0.0/10) and 6to4 addresses (a "
        "ministry's intranet).",
    )

    @model_validator(mode="after")
    def _refuse_demo_mail_server_in_production(self) -> Self:
        # Mail sent to a sink nobody reads is lost silently: production says which server, or that there is none.
        if self.environment == "production" and not self.mail_disabled and self.smtp_host_is_demo:
            raise ValueError(
                "refusing to start in production without a real mail server: set MITRA_SMTP_HOST to the ministry's "
                "SMTP server (not unset, mailpit, localhost or 127.0.0.1), or MITRA_MAIL_DISABLED=true to send no "
                "e-mail on purpose"
            )
        return self

    @property
    def smtp_host_is_demo(self) -> bool:
        return self.smtp_host.strip().lower().strip("[]") in DEMO_SMTP_HOSTS
