"""HTTP pieces the register's routers share: the clock (tests override it), and the shared `If-Match` helpers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from mitra_shared.clock import Clock, system_clock
from mitra_shared.http import ExpectedVersion, etag, problems

__all__ = ["ExpectedVersion", "RegisterClock", "current_clock", "etag", "problems"]


def current_clock() -> Clock:
    """The clock use cases read; tests override this dependency to control time."""
    return system_clock


RegisterClock = Annotated[Clock, Depends(current_clock)]
