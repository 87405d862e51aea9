from pydantic import Field, PositiveFloat, PositiveInt, SecretStr
from pydantic_settings import SettingsConfigDict

from mitra_shared.settings import DEVELOPMENT_DATABASE_PASSWORD, MailingServiceSettings


class NotificationsSettings(MailingServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MITRA_", extra="ignore")

    database_url: SecretStr = SecretStr(
        f"postgresql://postgres:{DEVELOPMENT_DATABASE_PASSWORD}@127.0.0.1:5432/mitra_notifications"
    )
    http_port: int = Field(8003, ge=1, le=65535)

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

    digest_hour: int = Field(7, ge=0, le=23, description="Hour (Asia/Jakarta) after which daily digests go out.")

    webhook_timeout_seconds: PositiveFloat = 10.0
    webhook_allow_internal_addresses: bool = Field(
        False,
        description="Let webhooks call private, loopback, link-local, shared (100.64.0.0/10) and 6to4 addresses (a "
        "ministry's intranet).",
    )
