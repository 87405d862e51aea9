from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from mitra_shared.settings import DEVELOPMENT_DATABASE_PASSWORD, ServiceSettings


class ReportingSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MITRA_", extra="ignore")

    database_url: SecretStr = SecretStr(
        f"postgresql://postgres:{DEVELOPMENT_DATABASE_PASSWORD}@127.0.0.1:5432/mitra_reporting"
    )
    http_port: int = Field(8004, ge=1, le=65535)
    public_rate_limit_per_minute: int = Field(
        120, ge=1, description="Requests a client address may make a minute to the open register (`/public/*`)."
    )
    iati_organisation_prefix: str = Field(
        "ID-MITRA", pattern=r"^[A-Za-z0-9-]+$", description="Prefix of the organisation references in the IATI export."
    )
