from typing import Annotated, Any

from pydantic import Field, PositiveFloat, PositiveInt, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from mitra_shared.settings import DEVELOPMENT_DATABASE_PASSWORD, ServiceSettings

DEFAULT_TPOA_MEMBERS = ("KEMENDAGRI", "KEMENKUMHAM", "KEMENSETNEG", "BAPPENAS", "POLRI", "BIN")


class RegistrySettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MITRA_", extra="ignore")

    database_url: SecretStr = SecretStr(
        f"postgresql://postgres:{DEVELOPMENT_DATABASE_PASSWORD}@127.0.0.1:5432/mitra_registry"
    )
    http_port: int = Field(8001, ge=1, le=65535)

    permit_reminder_days: list[PositiveInt] = Field(
        default_factory=lambda: [90, 30],
        min_length=1,
        description="Lead times, in days before a permit's last valid day, of the `registry.permit.expiring` "
        'reminders, e.g. `MITRA_PERMIT_REMINDER_DAYS="[90, 30]"`.',
    )
    permit_expiry_tick_seconds: PositiveFloat = Field(
        300.0, description="How often the expiry scheduler looks for due reminders and expired permits."
    )
    permit_expiry_batch_size: PositiveInt = 200
    sanction_expiry_tick_seconds: PositiveFloat = Field(
        300.0, description="How often the sanction expiry worker ends warnings and freezes past their `ends_on`."
    )

    tpoa_members: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_TPOA_MEMBERS),
        description="Codes of TPOA's member ministries asked to clear or object to each application, comma-separated "
        '(`MITRA_TPOA_MEMBERS="KEMENDAGRI,POLRI"`); an empty value: no member review, TPOA decides alone.',
    )
    tpoa_review_days: PositiveInt = Field(
        14,
        description="Days (at least 1) the members have to answer; after them TPOA may decide without the missing "
        "answers.",
    )

    @field_validator("tpoa_members", mode="before")
    @classmethod
    def _member_codes(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.split(",")
        if isinstance(value, list | tuple):
            return list(dict.fromkeys(str(code).strip().upper() for code in value if str(code).strip()))
        return value

    @field_validator("permit_reminder_days")
    @classmethod
    def _distinct_longest_first(cls, value: list[int]) -> list[int]:
        return sorted(set(value), reverse=True)
