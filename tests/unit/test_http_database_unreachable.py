"""A request that meets a database restart or a dropped session is answered 503 with Retry-After (try again
shortly), not 500: the fault is the moment's, not the request's."""

from __future__ import annotations

import asyncpg
import httpx
import pytest
from fastapi import FastAPI

from mitra_shared.http import RETRY_AFTER_SECONDS, install_problem_handlers

LOST = {
    "refused": ConnectionRefusedError(111, "Connection refused"),
    "terminated": asyncpg.exceptions.AdminShutdownError("terminating connection due to administrator command"),
    "closed": asyncpg.exceptions.ConnectionDoesNotExistError("connection was closed in the middle of operation"),
    "starting": asyncpg.exceptions.CannotConnectNowError("the database system is starting up"),
    "released": asyncpg.exceptions.InterfaceError("cannot call Connection.fetch(): connection has been released"),
    "confused": asyncpg.exceptions.InternalClientError(
        "cannot switch to state 15; another operation (2) is in progress"
    ),
}


def app_meeting(error: Exception) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)

    @app.post("/organizations")
    async def register() -> None:
        raise error

    return app


@pytest.mark.parametrize("kind", sorted(LOST))
async def test_a_lost_database_is_a_503_with_retry_after(kind: str) -> None:
    transport = httpx.ASGITransport(app=app_meeting(LOST[kind]))
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
        answer = await client.post("/organizations")
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    problem = answer.json()
    assert (problem["status"], problem["instance"]) == (503, "/organizations")
    assert "try again" in problem["detail"]


async def test_any_other_database_error_is_still_a_server_error() -> None:
    transport = httpx.ASGITransport(
        app=app_meeting(asyncpg.exceptions.UndefinedTableError("no such table")), raise_app_exceptions=False
    )
    async with httpx.AsyncClient(transport=transport, base_url="http://registry") as client:
        answer = await client.post("/organizations")
    assert answer.status_code == 500
