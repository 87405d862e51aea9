"""A service given a cluster (`MITRA_AMQP_NODES`) whose first node is down still starts and works: its URL names a
node where nothing listens, the other node is this machine's RabbitMQ; registry publishes through it (the relay's
connection), reporting consumes through it (FastStream's). The three-node cluster with a node stopped under load is
chaos's (tests/e2e/test_chaos_short.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from support import eventually
from support.broker import AMQP_URL
from support.services import RunningSystem, running_services
from support.tokens import as_role

from mitra_devtools.launcher import free_port

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    broker = urlsplit(AMQP_URL)
    stopped_node = broker._replace(netloc=f"{broker.username}:{broker.password}@127.0.0.1:{free_port()}").geturl()
    cluster = {"MITRA_AMQP_URL": stopped_node, "MITRA_AMQP_NODES": f"{broker.hostname}:{broker.port or 5672}"}
    with running_services(
        ("registry", "reporting"),
        log_dir=tmp_path_factory.mktemp("any-node-logs"),
        namespace_prefix="e2e-nodes",
        extra_env={"registry": cluster, "reporting": cluster},
    ) as running:
        yield running


async def test_services_whose_first_node_is_down_publish_and_consume_through_another(system: RunningSystem) -> None:
    name = f"Yayasan Tanpa Simpul {uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(timeout=10, headers=as_role("tpoa")) as client:
        created = await client.post(
            f"{system.url('registry')}/organizations",
            json={"legal_name": name, "country_of_origin": "NL", "focus_areas": ["poverty"]},
        )
        assert created.status_code == 201, created.text

        async def listed() -> dict[str, Any] | None:
            page = (await client.get(f"{system.url('reporting')}/organizations", params={"limit": 1000})).json()
            return next((item for item in page["items"] if item["legal_name"] == name), None)

        organization = await eventually(listed, description="reporting listing the NGO registry published")
    assert organization["organization_id"] == created.json()["id"]
