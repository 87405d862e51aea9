"""The four services as separate processes against the real PostgreSQL and RabbitMQ, with an SMTP server in the
test process: what a ministry's staff and a subscribing system see."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support.services import SERVICES, RunningSystem, running_services


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    with running_services(SERVICES, log_dir=tmp_path_factory.mktemp("logs"), smtp=True) as running:
        yield running
