"""HTTP pieces the register's routers share: the clock, the `If-Match` precondition, the documented problems."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from mitra_registry.domain import Clock, parse_version_tag, system_clock
from mitra_registry.services import VersionMismatch
from mitra_shared.http import DomainError, Problem


class PreconditionRequired(DomainError):
    status = 428
    title = "Precondition Required"


def current_clock() -> Clock:
    """The clock use cases read; tests override this dependency to control time."""
    return system_clock


RegisterClock = Annotated[Clock, Depends(current_clock)]


def expected_version(
    if_match: Annotated[
        str | None,
        Header(
            description='The ETag of the version you read, e.g. `"3"`. Required: without it the change is refused '
            "with 428; if the record changed since, with 412.",
            examples=['"3"'],
        ),
    ] = None,
) -> int:
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            'send If-Match with the ETag of the version you read (e.g. "3"), so that no change is overwritten unseen',
            field="header.if-match",
        )
    if if_match.strip() == "*":
        raise PreconditionRequired(
            'If-Match: * would overwrite whatever is there; name the version you read (e.g. "3")',
            field="header.if-match",
        )
    version = parse_version_tag(if_match)
    if version is None:
        raise VersionMismatch(f"If-Match {if_match!r} names no version of this record", field="header.if-match")
    return version


ExpectedVersion = Annotated[int, Depends(expected_version)]


def etag(version: int) -> str:
    return f'"{version}"'


def problems(*statuses: int) -> dict[int | str, dict[str, object]]:
    return {status: {"model": Problem} for status in statuses}
