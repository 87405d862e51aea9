from typing import Literal

from pydantic import EmailStr, Field, PositiveFloat, PositiveInt, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from mitra_shared.settings import DEVELOPMENT_DATABASE_PASSWORD, ServiceSettings


class NotificationsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MITRA_", extra="ignore")

    database_url: SecretStr = SecretStr(
        f"postgresql://postgres:{DEVELOPMENT_DATABASE_PASSWORD}@127.0.0.1:5432/mitra_notifications"
    )
    http_port: int = Field(8003, ge=1, le=65535)

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

    delivery_batch_size: PositiveInt = 20
    delivery_poll_interval_seconds: PositiveFloat = 2.0
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
