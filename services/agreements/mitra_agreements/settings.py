from datetime import date
from typing import Annotated, Any

from pydantic import Field, PositiveFloat, PositiveInt, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from mitra_agreements.domain.letters import Letterhead
from mitra_agreements.domain.policy import (
    DEFAULT_EXPIRY_WARNING_DAYS,
    DEFAULT_REMINDER_DAYS,
    DEFAULT_TPOA_MEMBERS,
    DEFAULT_TPOA_REVIEW_DAYS,
    DEFAULT_VISIT_NOTICE_DAYS,
    Policy,
)
from mitra_shared.settings import DEVELOPMENT_DATABASE_PASSWORD, ServiceSettings


class AgreementsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MITRA_", extra="ignore")

    database_url: SecretStr = SecretStr(
        f"postgresql://postgres:{DEVELOPMENT_DATABASE_PASSWORD}@127.0.0.1:5432/mitra_agreements"
    )
    http_port: int = Field(8002, ge=1, le=65535)

    deadline_tick_seconds: PositiveFloat = Field(
        300.0, description="How often the deadline engine looks for reminders, overdue obligations and MSP ends."
    )
    deadline_batch_size: PositiveInt = Field(500, description="Obligations or MSPs handled per transaction.")
    deadline_lanes: PositiveInt = Field(
        2,
        description="Batches of due obligations the deadline engine works on at once, each in its own transaction on "
        "its own database connection (fewer than MITRA_DATABASE_POOL_MAX).",
    )
    reminder_days: list[PositiveInt] = Field(
        default_factory=lambda: list(DEFAULT_REMINDER_DAYS), description="Reminders this many days before a due date."
    )
    expiry_warning_days: list[PositiveInt] = Field(
        default_factory=lambda: list(DEFAULT_EXPIRY_WARNING_DAYS),
        description="MSP expiry warnings this many days before its end date.",
    )
    visit_notice_days: PositiveInt = Field(
        DEFAULT_VISIT_NOTICE_DAYS,
        description="A foreign visit is announced at least this many days before arrival (later: flagged late).",
    )
    letterheads: dict[str, Letterhead] = Field(
        default_factory=dict,
        description="The ministries' letterheads on recommendation letters, by ministry code, as JSON: "
        '`{"KEMENSOS": {"name": "Kementerian Sosial Republik Indonesia", "address": "...", "city": "Jakarta", '
        '"phone": "..."}}`. A ministry without one gets its name as agreements knows it, and no address.',
    )
    tpoa_members: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_TPOA_MEMBERS),
        description="Comma-separated codes of TPOA's member ministries, who review each submitted MSP and each "
        "extension before TPOA decides. Empty: no member review (TPOA decides alone).",
    )
    tpoa_review_days: PositiveInt = Field(
        DEFAULT_TPOA_REVIEW_DAYS,
        description="Days the TPOA members have to answer; after them TPOA may decide without the missing answers.",
    )
    msp_import_signed_before: date | None = Field(
        None,
        description="A ministry's MSP import takes only MSPs signed before this day (YYYY-MM-DD); a later MSP goes "
        "through TPOA's review (TPOA's own import is not limited). Empty: the day agreements' database was created "
        "(its first migration), when Mitra began recording MSPs.",
    )

    @field_validator("tpoa_members", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [code.strip().upper() for code in value.split(",") if code.strip()]
        return value

    def policy(self) -> Policy:
        """The rules' settings (`domain/policy.py`)."""
        return Policy(
            reminder_days=tuple(self.reminder_days),
            visit_notice_days=self.visit_notice_days,
            tpoa_members=tuple(dict.fromkeys(self.tpoa_members)),
            tpoa_review_days=self.tpoa_review_days,
            expiry_warning_days=tuple(self.expiry_warning_days),
            msp_import_signed_before=self.msp_import_signed_before,
        )
