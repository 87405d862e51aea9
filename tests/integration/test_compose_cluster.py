"""The compose `cluster` profile: three RabbitMQ nodes written as the one-node deployment's node, whose cluster
configuration (deploy/rabbitmq/cluster.conf) names exactly the nodes compose runs; the services wait for all three
and are given the other two; the nodes share the Erlang cookie, which deploy/rabbitmq/start-node.sh writes (run
here with a stand-in for the image's entry point). The configuration forming a real three-node cluster, a node of it
stopped under load, is chaos's (tests/e2e/test_chaos_short.py); Docker itself is not on this machine."""

from __future__ import annotations

import os
import re
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest
from support.compose import SERVICES, container_environment, filled_in, interpolate, load_compose
from support.paths import REPO

CLUSTER_CONF = REPO / "deploy" / "rabbitmq" / "cluster.conf"
START_NODE = REPO / "deploy" / "rabbitmq" / "start-node.sh"
NODES = ("rabbitmq", "rabbitmq-2", "rabbitmq-3")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_compose()


def test_cluster_profile_adds_two_nodes_of_the_same_broker(compose: dict[str, Any]) -> None:
    services = compose["services"]
    first = services["rabbitmq"]
    assert "profiles" not in first, "the first node is the one-node deployment's: always there"
    for name in NODES[1:]:
        node = services[name]
        assert node["profiles"] == ["cluster"]
        assert node["hostname"] == name, "the node name rabbit@<hostname> is what the others know it by"
        assert node["image"] == first["image"]
        assert node["command"] == first["command"]
        assert node["depends_on"]["rabbitmq"]["condition"] == "service_healthy", "it joins a running first node"
        assert "./deploy/rabbitmq/cluster.conf:/etc/rabbitmq/conf.d/30-cluster.conf:ro" in node["volumes"]
        assert f"{name}-data:/var/lib/rabbitmq" in node["volumes"], "a data volume of its own"
        assert f"{name}-data" in compose["volumes"]
        shared = {volume for volume in first["volumes"] if "data:" not in volume} - set(node["volumes"])
        assert not shared, f"{name} lacks the first node's {shared}"
        assert node["environment"]["MITRA_RABBITMQ_CLUSTER_NODE"] == "true"
        health = " ".join(node["healthcheck"]["test"])
        assert "check_port_connectivity" in health
        assert '"rabbit@rabbitmq"' in health, "healthy once it joined the first node's cluster"
    cookies = {services[name]["environment"]["MITRA_RABBITMQ_COOKIE"] for name in NODES}
    assert cookies == {"${RABBITMQ_ERLANG_COOKIE:-}"}, "one cookie for the three"


def test_cluster_configuration_names_the_nodes_compose_runs(compose: dict[str, Any]) -> None:
    conf = CLUSTER_CONF.read_text(encoding="utf-8")
    settings = dict(re.findall(r"^([a-z_.0-9]+)\s*=\s*(\S+)$", conf, re.MULTILINE))
    assert settings["cluster_formation.peer_discovery_backend"] == "classic_config"
    listed = {value for key, value in settings.items() if key.startswith("cluster_formation.classic_config.nodes.")}
    assert listed == {f"rabbit@{compose['services'][name]['hostname']}" for name in NODES}
    assert settings["cluster_partition_handling"] == "pause_minority"


@pytest.mark.parametrize("name", SERVICES)
def test_services_wait_for_every_node_and_are_given_the_others(compose: dict[str, Any], name: str) -> None:
    service = compose["services"][name]
    for node in NODES[1:]:
        # Optional: without the profile the two nodes do not exist, and the services start without them.
        assert service["depends_on"][node] == {"condition": "service_healthy", "required": False}
    cluster_env = filled_in(MITRA_AMQP_NODES="rabbitmq-2:5672,rabbitmq-3:5672", RABBITMQ_ERLANG_COOKIE="c" * 40)
    environment = container_environment(service, cluster_env)
    assert environment["MITRA_AMQP_NODES"] == "rabbitmq-2:5672,rabbitmq-3:5672"
    assert environment["RABBITMQ_ERLANG_COOKIE"] == "", "the cookie is the nodes' secret, not the services'"
    assert container_environment(service, filled_in())["MITRA_AMQP_NODES"] == ""


def test_the_cluster_profile_interpolates_as_the_file_does(compose: dict[str, Any]) -> None:
    resolved = interpolate(compose, filled_in(RABBITMQ_ERLANG_COOKIE="c" * 40, MITRA_AMQPS_PUBLISH_2="15681"))
    assert resolved["services"]["rabbitmq-2"]["ports"] == ["15681:5671"]
    assert resolved["services"]["rabbitmq-3"]["ports"] == ["5691:5671"]
    assert resolved["services"]["rabbitmq-2"]["environment"]["MITRA_RABBITMQ_COOKIE"] == "c" * 40


# --- deploy/rabbitmq/start-node.sh -----------------------------------------------------------------------------


def start_node(tmp_path: Path, **environment: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The script as the container runs it, with a stand-in entry point that records what it was given."""
    home = tmp_path / "var-lib-rabbitmq"
    home.mkdir(exist_ok=True)
    entrypoint = tmp_path / "docker-entrypoint.sh"
    entrypoint.write_text('#!/bin/sh\necho "entrypoint $* cookie-variable=${MITRA_RABBITMQ_COOKIE:-unset}"\n')
    entrypoint.chmod(0o755)
    result = subprocess.run(
        ["sh", str(START_NODE)],
        env={
            "PATH": os.environ["PATH"],
            "MITRA_RABBITMQ_HOME": str(home),
            "MITRA_RABBITMQ_ENTRYPOINT": str(entrypoint),
            **environment,
        },
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    return result, home / ".erlang.cookie"


def test_the_cookie_is_written_for_the_owner_only_and_the_node_started(tmp_path: Path) -> None:
    cookie = "k" * 48
    for _ in range(2):  # again over the cookie of the boot before, which is read-only
        result, cookie_file = start_node(tmp_path, MITRA_RABBITMQ_COOKIE=cookie, MITRA_RABBITMQ_CLUSTER_NODE="true")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "entrypoint rabbitmq-server cookie-variable=unset"
        assert cookie_file.read_text() == cookie
        assert stat.S_IMODE(cookie_file.stat().st_mode) == 0o400


def test_a_cluster_node_without_a_cookie_or_with_a_short_one_does_not_start(tmp_path: Path) -> None:
    result, cookie_file = start_node(tmp_path, MITRA_RABBITMQ_CLUSTER_NODE="true")
    assert result.returncode == 1
    assert "RABBITMQ_ERLANG_COOKIE" in result.stderr
    assert "entrypoint" not in result.stdout
    result, _ = start_node(tmp_path, MITRA_RABBITMQ_COOKIE="short")
    assert result.returncode == 1
    assert "too short" in result.stderr
    assert not cookie_file.exists()


def test_the_one_node_deployment_keeps_its_own_cookie_without_one_in_env(tmp_path: Path) -> None:
    result, cookie_file = start_node(tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("entrypoint rabbitmq-server")
    assert not cookie_file.exists(), "the node makes its own at first boot"
