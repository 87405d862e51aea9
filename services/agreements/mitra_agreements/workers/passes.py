"""What the deadline engine's passes are made of: a pass's outcome, a notice owed, the rows' next checks, and the
lanes that run batches at once (workers/deadlines.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar, cast
from uuid import UUID

from mitra_shared.events import EventData

T = TypeVar("T")


@dataclass(frozen=True)
class Pass:
    """One pass of the engine: the rows it looked at, the notices it sent, and whether a batch was full (then more
    may be due)."""

    rows: int
    notices: int
    full: bool


@dataclass(frozen=True)
class Notice:
    """A notice a row is owed today; its event is built only if `deadline_notices` had not recorded it yet."""

    subject_id: UUID
    key: str
    event: Callable[[], EventData]


@dataclass
class Checks:
    """What a batch writes back to its rows, in one statement: a status (or overdue flag) and the next look."""

    ids: list[UUID] = field(default_factory=list)
    states: list[Any] = field(default_factory=list)
    next_check_ons: list[date | None] = field(default_factory=list)

    def add(self, row_id: UUID, state: Any, next_check_on: date | None) -> None:
        self.ids.append(row_id)
        self.states.append(state)
        self.next_check_ons.append(next_check_on)


async def all_lanes(batches: Iterable[Awaitable[T]]) -> list[T]:
    """Run the lanes' batches at once; each commits or fails alone. A failure is raised once every lane has ended,
    so that none is left running behind the error."""
    outcomes = await asyncio.gather(*batches, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return cast(list[T], outcomes)
