"""Operations as an IT team sees them: readiness that tells the truth, and a clean stop on SIGTERM."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import aio_pika
import httpx
import pytest
from support.broker import AMQP_URL
from support.polling import eventually
from support.services import RunningService, running_services, stop_service

pytestmark = pytest.mark.e2e


@pytest.fixture
def reporting(tmp_path: Path) -> Iterator[RunningService]:
    # The SIGTERM test checks the exit status itself; the readiness test leaves the service without its queue.
    with running_services(["reporting"], log_dir=tmp_path, namespace_prefix="ops", check_exit=False) as system:
        yield system.services["reporting"]


async def test_readiness_fails_when_the_consumer_is_gone(reporting: RunningService) -> None:
    async with httpx.AsyncClient(timeout=5) as client:
        assert (await client.get(f"{reporting.url}/health/ready")).status_code == 200
        # The AsyncAPI document names the queue the service consumes from.
        channels = (await client.get(f"{reporting.url}/asyncapi.json")).json()["channels"]
        [consumed] = [
            channel["address"] for channel in channels.values() if channel["bindings"]["amqp"]["is"] == "queue"
        ]

        # The queue disappears under the consumer (an operator's mistake, a lost broker node): the broker
        # cancels the consumer, and readiness must say so rather than report a service that takes nothing.
        connection = await aio_pika.connect(AMQP_URL)
        async with connection:
            channel = await connection.channel()
            await channel.queue_delete(consumed)

        async def not_ready() -> httpx.Response | None:
            response = await client.get(f"{reporting.url}/health/ready")
            return response if response.status_code == 503 else None

        response = await eventually(not_ready, description="readiness failing")
        problem = response.json()
        assert response.headers["content-type"] == "application/problem+json"
        assert [error["field"] for error in problem["errors"]] == ["consumer"]
        assert (await client.get(f"{reporting.url}/health/live")).status_code == 200


def test_sigterm_stops_the_service_cleanly(reporting: RunningService) -> None:
    assert stop_service(reporting) == 0
    assert "service stopped" in reporting.log()
