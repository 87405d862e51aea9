"""The chaos run's own PostgreSQL cluster and RabbitMQ node, in a temporary directory, on free loopback ports: the
faults (restarts, dropped connections) never touch the machine's shared PostgreSQL and RabbitMQ.

As root, PostgreSQL runs as the `postgres` OS user and RabbitMQ as `rabbitmq` (through `runuser`), in directories they
own; as anyone else, as that user. The node shares the machine's epmd (port 4369) and its Erlang cookie.
"""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import shutil
import subprocess
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import aio_pika
import asyncpg

from mitra_devtools.launcher import free_port

POSTGRES_BIN = Path(os.environ.get("MITRA_CHAOS_POSTGRES_BIN", "/usr/lib/postgresql/15/bin"))
START_TIMEOUT = 90.0
CLUSTER_CONFIG = Path(__file__).resolve().parent.parent / "deploy" / "rabbitmq" / "cluster.conf"


class InfraError(RuntimeError):
    """A private PostgreSQL or RabbitMQ did not start, stop or answer."""


def _as(user: str) -> list[str]:
    """The prefix that runs a command as `user` when we are root (nothing otherwise)."""
    return ["runuser", "-u", user, "--"] if os.geteuid() == 0 else []


def _own(path: Path, user: str) -> None:
    if os.geteuid() == 0:
        entry = pwd.getpwnam(user)
        for item in [path, *path.rglob("*")]:
            os.chown(item, entry.pw_uid, entry.pw_gid)


def _run(command: list[str], log: Path, timeout: float = START_TIMEOUT) -> None:
    with log.open("ab") as out:
        result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, timeout=timeout, check=False)
    if result.returncode != 0:
        raise InfraError(f"{' '.join(command)} exited with {result.returncode}: see {log}")


class PrivatePostgres:
    """A cluster made by initdb under `base`, trusting loopback logins, on a free port."""

    def __init__(self, base: Path) -> None:
        self.directory = base / "postgres"
        self.data = self.directory / "data"
        self.log = self.directory / "server.log"
        self.port = free_port()

    @property
    def admin_dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *arguments: str) -> None:
        command = [*_as("postgres"), str(POSTGRES_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w"]
        _run([*command, "-t", str(int(START_TIMEOUT)), *arguments], self.directory / "pg_ctl.log")

    def start(self) -> None:
        self.directory.mkdir(parents=True)
        _own(self.directory, "postgres")
        initdb = [str(POSTGRES_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
        _run([*_as("postgres"), *initdb], self.directory / "initdb.log")
        settings = {
            "port": str(self.port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.directory}'",
            "max_connections": "300",
            # Crash safety is not what is tested here (restarts are clean, `-m fast`); this spares the shared disk.
            "fsync": "off",
            "synchronous_commit": "off",
        }
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())
        self._ctl("start")

    def restart(self) -> None:
        """`pg_ctl restart -m fast`: every session is ended, the server comes back on the same port."""
        self._ctl("-m", "fast", "restart")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._ctl("-m", "fast", "stop")

    async def terminate_backends(self, database_prefix: str) -> int:
        """End every session of the run's databases (the services' connections); how many were ended."""
        conn = await asyncpg.connect(self.admin_dsn)
        try:
            ended = await conn.fetchval(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname LIKE $1 AND pid <> pg_backend_pid()",
                f"{database_prefix}%",
            )
        finally:
            await conn.close()
        return int(ended or 0)


class PrivateRabbit:
    """A RabbitMQ node `chaos-<id>@localhost` with its own data, logs, configuration (no plugins) and free ports."""

    def __init__(self, base: Path, *, folder: str = "rabbitmq", node: str | None = None) -> None:
        self.directory = base / folder
        self.node = node or f"chaos-{uuid.uuid4().hex[:8]}@localhost"
        self.port = free_port()
        self.dist_port = free_port()
        self.log = self.directory / "server.log"
        self.extra_config = ""  # appended to the node's rabbitmq.conf (the cluster's peer discovery)
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def amqp_url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def _environment(self) -> dict[str, str]:
        return {
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.directory / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.directory / "log"),
            "RABBITMQ_CONFIG_FILE": str(self.directory / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.directory / "enabled_plugins"),
            "RABBITMQ_CONF_ENV_FILE": str(self.directory / "rabbitmq-env.conf"),
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        }

    def _command(self, program: str, *arguments: str) -> list[str]:
        variables = [f"{name}={value}" for name, value in self._environment().items()]
        return [*_as("rabbitmq"), "env", *variables, program, *arguments]

    def ctl(self, *arguments: str) -> None:
        _run(self._command("rabbitmqctl", "-n", self.node, *arguments), self.directory / "rabbitmqctl.log")

    def prepare(self) -> None:
        self.directory.mkdir(parents=True)
        for folder in ("mnesia", "log"):
            (self.directory / folder).mkdir()
        (self.directory / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.port}\n{self.extra_config}"
        )
        (self.directory / "enabled_plugins").write_text("[].\n")
        (self.directory / "rabbitmq-env.conf").write_text("")
        _own(self.directory, "rabbitmq")

    def _spawn(self) -> None:
        if not self.directory.exists():
            self.prepare()
        with self.log.open("ab") as out:
            self._process = subprocess.Popen(
                self._command("rabbitmq-server"), stdout=out, stderr=subprocess.STDOUT, start_new_session=True
            )

    async def start(self, *, enable_feature_flags: bool = True) -> None:
        """Start the node and wait until it takes AMQP connections; quorum queues' feature flags enabled."""
        await asyncio.to_thread(self._spawn)
        await self._wait_for_amqp()
        if enable_feature_flags:
            await asyncio.to_thread(self.ctl, "enable_feature_flag", "all")

    async def _wait_for_amqp(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                raise InfraError(f"rabbitmq-server exited ({self._process.returncode}): see {self.directory}/log")
            try:
                connection = await aio_pika.connect(self.amqp_url, timeout=2)
            except (TimeoutError, OSError, aio_pika.exceptions.AMQPError):
                await asyncio.sleep(0.25)
                continue
            await connection.close()
            return
        raise InfraError(f"RabbitMQ node {self.node} not up within {START_TIMEOUT:.0f}s: see {self.directory}/log")

    def stop(self) -> None:
        """Stop the node (`rabbitmqctl stop`) and wait for its process."""
        if self._process is None or self._process.poll() is not None:
            return
        try:
            self.ctl("stop")
        except (InfraError, subprocess.TimeoutExpired):
            self._process.terminate()
        try:
            self._process.wait(START_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def close_all_connections(self) -> None:
        self.ctl("close_all_connections", "chaos: connections dropped")


class PrivateRabbitCluster:
    """Three nodes formed into a cluster by the `cluster` profile's own configuration (deploy/rabbitmq/cluster.conf),
    its node names (rabbit@rabbitmq, -2, -3) swapped for this run's; started as compose starts them: the first, then
    the other two, which join it."""

    SIZE = 3

    def __init__(self, base: Path) -> None:
        run = uuid.uuid4().hex[:8]
        self.nodes = [
            PrivateRabbit(base, folder=f"rabbitmq-{index + 1}", node=f"chaos-{run}-{index + 1}@localhost")
            for index in range(self.SIZE)
        ]
        config = CLUSTER_CONFIG.read_text()
        # Longest first: rabbit@rabbitmq is a prefix of the other two.
        for index in reversed(range(self.SIZE)):
            compose_name = "rabbit@rabbitmq" + (f"-{index + 1}" if index else "")
            config = config.replace(compose_name, self.nodes[index].node)
        for node in self.nodes:
            node.extra_config = config
        self._next_to_stop = 0

    @property
    def amqp_url(self) -> str:
        return self.nodes[0].amqp_url

    @property
    def other_nodes(self) -> str:
        """MITRA_AMQP_NODES for the services: every node but the URL's."""
        return ",".join(f"127.0.0.1:{node.port}" for node in self.nodes[1:])

    async def start(self) -> None:
        await self.nodes[0].start(enable_feature_flags=False)
        await asyncio.gather(*(node.start(enable_feature_flags=False) for node in self.nodes[1:]))
        await asyncio.to_thread(self.nodes[0].ctl, "await_online_nodes", str(self.SIZE))
        await asyncio.to_thread(self.nodes[0].ctl, "enable_feature_flag", "all")

    async def stop_and_start_one(self) -> int:
        """Stop one node (each in turn) and start it again: the other two keep a majority. Its number (1 to 3)."""
        index = self._next_to_stop % self.SIZE
        self._next_to_stop += 1
        node = self.nodes[index]
        await asyncio.to_thread(node.stop)
        await node.start(enable_feature_flags=False)
        await asyncio.to_thread(node.ctl, "await_online_nodes", str(self.SIZE))
        return index + 1

    def close_all_connections(self) -> None:
        for node in self.nodes:
            node.close_all_connections()

    def quorum_queue_members(self) -> dict[str, int]:
        """How many nodes hold a replica of each quorum queue (`rabbitmqctl list_queues name type members`)."""
        return {
            queue["name"]: len(queue.get("members") or [])
            for queue in self._list("list_queues", "name", "type", "members")
            if queue.get("type") == "quorum"
        }

    def connections_by_node(self) -> dict[str, int]:
        """How many AMQP connections each node holds (`rabbitmqctl list_connections port`: a node per port here)."""
        node_of_port = {node.port: node.node.split("@")[0] for node in self.nodes}
        counts = dict.fromkeys(node_of_port.values(), 0)
        for connection in self._list("list_connections", "port"):
            name = node_of_port.get(int(connection["port"]), "another port")
            counts[name] = counts.get(name, 0) + 1
        return counts

    def _list(self, *arguments: str) -> list[dict[str, Any]]:
        command = self.nodes[0]._command("rabbitmqctl", "-n", self.nodes[0].node, "-q")
        result = subprocess.run(
            [*command, *arguments, "--formatter", "json"], capture_output=True, text=True, timeout=60, check=True
        )
        return list(json.loads(result.stdout))

    def stop(self) -> None:
        for node in reversed(self.nodes):
            node.stop()


def workspace() -> Path:
    """A new temporary directory the `postgres` and `rabbitmq` users may enter (their folders are theirs)."""
    base = Path(tempfile.mkdtemp(prefix="mitra-chaos-"))
    base.chmod(0o755)
    return base


def remove(base: Path) -> None:
    shutil.rmtree(base, ignore_errors=True)
