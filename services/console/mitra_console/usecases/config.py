"""What the console's use cases need to know from its settings, in one value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from mitra_console.domain.lockout import LockoutPolicy
from mitra_console.domain.signing import RotationPolicy
from mitra_console.settings import ConsoleSettings


@dataclass(frozen=True)
class ConsoleConfig:
    issuer: str
    encryption_key: str
    rotation: RotationPolicy
    access_token_lifetime: timedelta
    client_token_lifetime: timedelta
    lockout: LockoutPolicy
    allow_demo_password: bool

    @classmethod
    def from_settings(cls, settings: ConsoleSettings) -> ConsoleConfig:
        access = timedelta(minutes=settings.console_access_token_minutes)
        client = timedelta(minutes=settings.console_client_token_minutes)
        return cls(
            issuer=settings.issuer,
            encryption_key=settings.console_key_encryption_key.get_secret_value(),
            rotation=RotationPolicy(
                rotate_every=timedelta(days=settings.console_key_rotation_days),
                prepublish=timedelta(hours=settings.console_key_prepublish_hours),
                longest_token=max(access, client),
            ),
            access_token_lifetime=access,
            client_token_lifetime=client,
            lockout=LockoutPolicy(
                max_failures=settings.console_lockout_failures,
                window=timedelta(minutes=settings.console_lockout_window_minutes),
                lock_for=timedelta(minutes=settings.console_lockout_minutes),
            ),
            allow_demo_password=settings.demo_password_allowed,
        )
