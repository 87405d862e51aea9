"""The four services as separate processes against the real PostgreSQL and RabbitMQ, with an SMTP server in the
test process: what a ministry's staff and a subscribing system see."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from e2e_support import (
    DEFAULT_RETRY_DELAYS_MS,
    SERVICES,
    Mailbox,
    System,
    start_service,
    stop_service,
    wait_ready,
)
from support import delete_namespace, drop_database, free_port, unique


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[System]:
    namespace = unique("e2e").replace("_", "-")
    mailbox = Mailbox()
    smtp_port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    log_dir = tmp_path_factory.mktemp("logs")
    services = {
        name: start_service(name, namespace=namespace, smtp_port=smtp_port, log_dir=log_dir, extra_env={})
        for name in SERVICES
    }
    running = System(namespace=namespace, services=services, mailbox=mailbox, smtp_port=smtp_port)
    try:
        for service in services.values():
            wait_ready(service)
        yield running
    finally:
        for name, service in services.items():
            running.exit_codes[name] = stop_service(service)
        controller.stop()

        async def clean() -> None:
            for service in services.values():
                await drop_database(service.database_url)
            await delete_namespace(namespace, SERVICES, DEFAULT_RETRY_DELAYS_MS)

        asyncio.run(clean())
    bad = {name: code for name, code in running.exit_codes.items() if code != 0}
    assert not bad, f"services did not exit cleanly on SIGTERM: {bad}"
