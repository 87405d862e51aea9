"""The set-up scripts (scripts/) as a ministry's IT meets them (issue 17), run against stand-in commands.

Each test runs a script with a PATH of its own: stand-ins for `id`, `sudo`, `apt-get`, `pg_lsclusters`,
`pg_ctlcluster`, `runuser`, `rabbitmq-server`, `rabbitmqctl`... that write down how they were called (and fail the
way the test needs), and links to the few real tools the scripts use (bash, coreutils, sed, grep). Nothing is
installed or started and the machine's PostgreSQL and RabbitMQ are never touched: the ports the scripts look at are
free ones, or a listener of the test's own. docs/operations-install-check.md is the same on a real Debian 12.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from support.paths import REPO
from support.polling import eventually_sync

from mitra_devtools.launcher import free_port

SCRIPTS = REPO / "scripts"
# The real tools the scripts use beside the stand-ins.
REAL_TOOLS = ("bash", "env", "sed", "grep", "tail", "sort", "mktemp", "rm", "dirname", "sleep", "cat", "setsid")
LOCK_TIMEOUT = "DPkg::Lock::Timeout=300"


@dataclass
class Machine:
    """A PATH of stand-ins in a temporary directory, and what they were asked to do."""

    root: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    @property
    def calls(self) -> list[str]:
        log = self.root / "calls"
        return log.read_text().splitlines() if log.exists() else []

    def calls_to(self, name: str) -> list[str]:
        return [call for call in self.calls if call.split(" ", 1)[0] == name]

    def command(self, name: str, body: str = "exit 0") -> None:
        """A stand-in `name` that notes its arguments, then runs `body` (bash)."""
        path = self.bin / name
        path.write_text(f'#!/bin/bash\necho "{name} $*" >> "$MITRA_TEST_CALLS"\n{body}\n')
        path.chmod(0o755)

    def user(self, uid: int) -> None:
        self.command("id", f'case "$1" in -u) echo {uid};; -un) echo {"root" if uid == 0 else "it"};; esac')

    def run(self, script: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SCRIPTS / script), *args],
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@pytest.fixture
def machine(tmp_path: Path) -> Machine:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in REAL_TOOLS:
        real = shutil.which(tool)
        assert real, f"{tool} is missing on this machine"
        (bin_dir / tool).symlink_to(real)
    (tmp_path / "log").mkdir()
    env = {
        "PATH": str(bin_dir),
        "HOME": str(tmp_path),
        "MITRA_TEST_CALLS": str(tmp_path / "calls"),
        "MITRA_SBIN_PATH": "",  # not the real /usr/sbin: its rabbitmq-server would count as installed
        "MITRA_PG_PORT": str(free_port()),
        "MITRA_AMQP_PORT": str(free_port()),
        "RABBITMQ_LOG_BASE": str(tmp_path / "log"),
        "MITRA_CHROMIUM": str(tmp_path / "no-chromium"),
    }
    made = Machine(tmp_path, env)
    made.user(1000)
    made.command("apt-get")
    return made


@pytest.fixture
def postgres_port(machine: Machine) -> Iterator[int]:
    """A listener of the test's own where the scripts look for PostgreSQL: it counts as running."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        port = server.getsockname()[1]
        machine.env["MITRA_PG_PORT"] = str(port)
        yield port


def test_without_root_or_sudo_infra_prints_the_install_line_and_stops(machine: Machine) -> None:
    result = machine.run("ensure-infra.sh")

    assert result.returncode == 2, result
    assert "sudo: command not found" in result.stderr
    assert "    apt-get update && apt-get install -y postgresql rabbitmq-server\n" in result.stderr
    assert machine.calls_to("apt-get") == []


def test_without_root_or_sudo_the_browser_tools_and_caddy_are_listed(machine: Machine) -> None:
    result = machine.run("ensure-browser.sh")

    assert result.returncode == 2, result
    packages = "chromium fonts-dejavu-core fonts-liberation nodejs npm caddy"
    assert f"    apt-get update && apt-get install -y --no-install-recommends {packages}\n" in result.stderr
    assert machine.calls_to("apt-get") == []


def test_a_sudo_that_wants_a_password_without_a_terminal_is_no_way_to_root(machine: Machine) -> None:
    machine.command("sudo", 'echo "sudo: a password is required" >&2; exit 1')

    result = machine.run("ensure-python.sh")

    assert result.returncode == 2, result
    assert "sudo does not let it act as root here" in result.stderr
    assert "apt-get update && apt-get install -y python3 python3-venv python3-pip" in result.stderr
    assert machine.calls_to("sudo") == ["sudo -n true"]
    assert machine.calls_to("apt-get") == []


def test_apt_goes_through_sudo_and_waits_for_the_lock(machine: Machine) -> None:
    machine.command("sudo", 'if [ "$1" = -n ]; then exit 0; fi; exec "$@"')
    locked = 'echo "E: Could not get lock /var/lib/dpkg/lock-frontend" >&2; exit 100'
    machine.command("apt-get", f'if [[ " $* " == *" install "* ]]; then {locked}; fi')

    result = machine.run("ensure-infra.sh")

    assert result.returncode == 1, result
    assert "Could not get lock" in result.stderr
    assert "apt-get install postgresql rabbitmq-server failed" in result.stderr
    assert machine.calls_to("apt-get") == [
        f"apt-get -o {LOCK_TIMEOUT} update -qq",
        f"apt-get -o {LOCK_TIMEOUT} install -y -qq postgresql rabbitmq-server",
    ]
    assert f"sudo env DEBIAN_FRONTEND=noninteractive apt-get -o {LOCK_TIMEOUT} update -qq" in machine.calls


def clusters(machine: Machine, status: str) -> Path:
    """pg_lsclusters shows one cluster on MITRA_PG_PORT with `status`; its log file, returned, says why it fails."""
    log = machine.root / "log" / "postgresql-15-main.log"
    log.write_text('FATAL:  could not create lock file "/var/run/postgresql/.s.PGSQL.5432.lock": Permission denied\n')
    port = machine.env["MITRA_PG_PORT"]
    machine.command("pg_lsclusters", f'echo "15 main {port} {status} postgres /var/lib/postgresql/15/main {log}"')
    return log


@pytest.mark.parametrize(
    ("pg_ctlcluster", "says"),
    [
        ('echo "Error: could not start server" >&2; exit 1', "Error: could not start server"),
        ("exit 0", "its process is gone"),  # pg_ctlcluster says it started, pg_lsclusters still shows it down
    ],
    ids=["start-fails", "process-gone"],
)
def test_postgres_that_does_not_come_up_shows_its_log_without_waiting_out_the_deadline(
    machine: Machine, pg_ctlcluster: str, says: str
) -> None:
    machine.user(0)
    clusters(machine, "down")
    machine.command("pg_ctlcluster", pg_ctlcluster)
    machine.env["MITRA_PG_WAIT_SECONDS"] = "300"
    started = time.monotonic()

    result = machine.run("ensure-infra.sh")

    assert result.returncode == 1, result
    assert time.monotonic() - started < 30
    assert says in result.stderr
    assert f"PostgreSQL 15/main did not come up on port {machine.env['MITRA_PG_PORT']}" in result.stderr
    assert 'FATAL:  could not create lock file "/var/run/postgresql/.s.PGSQL.5432.lock"' in result.stderr
    assert "pg_ctlcluster --skip-systemctl-redirect 15 main start" in machine.calls


def rabbitmq(machine: Machine, body: str) -> None:
    """rabbitmq-server started as Debian's wrapper is (as the rabbitmq user, through runuser), doing `body`."""
    machine.command("runuser", 'while [ "$1" != -- ]; do shift; done; shift; exec "$@"')
    machine.command("rabbitmq-server", body)


def test_rabbitmq_that_dies_while_starting_shows_its_first_errors(machine: Machine, postgres_port: int) -> None:
    machine.user(0)
    (machine.bin / "beam.smp").symlink_to(shutil.which("sleep") or "sleep")  # an Erlang VM that lives two seconds
    startup = machine.root / "log" / "startup_log"
    errors = '[error] <0.132.0>   - \\"not-a-port\\" cannot be converted to a(n) integer'
    rabbitmq(machine, f'echo "{errors}" > "{startup}"; exec beam.smp 2')
    machine.command("rabbitmqctl")
    machine.env["MITRA_AMQP_WAIT_SECONDS"] = "300"
    started = time.monotonic()

    result = machine.run("ensure-infra.sh")

    assert result.returncode == 1, result
    assert time.monotonic() - started < 30
    assert f"RabbitMQ did not come up on port {machine.env['MITRA_AMQP_PORT']}" in result.stderr
    assert '"not-a-port" cannot be converted to a(n) integer' in result.stderr
    assert "runuser -u rabbitmq -- rabbitmq-server" in machine.calls


class Lines:
    """The output of a process, line by line, read by a thread so that a test can wait for a line with a deadline."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.seen: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, args=(process,), daemon=True).start()

    def _read(self, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def until(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.seen):
            line = self._lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            assert line is not None, f"the output ended without {text!r}: {self.seen}"
            self.seen.append(line)


def test_ctrl_c_on_make_run_stops_what_it_started_and_only_that(machine: Machine, postgres_port: int) -> None:
    """PostgreSQL answers before `make run` (it stays up); RabbitMQ does not, so make run starts it and stops it."""
    machine.user(0)
    amqp_port = machine.env["MITRA_AMQP_PORT"]
    listener = f"import socket,time; s=socket.create_server(('127.0.0.1',{amqp_port})); time.sleep(600)"
    rabbitmq(machine, f'echo $$ > "{machine.root}/rabbitmq.pid"; exec "{sys.executable}" -c "{listener}"')
    machine.command("rabbitmqctl", f'if [ "$2" = stop ]; then kill "$(cat "{machine.root}/rabbitmq.pid")"; fi')
    system = machine.bin / "python"
    system.write_text(
        "#!/bin/bash\n"
        """trap 'echo "system stopped"; exit 0' TERM\n"""
        'echo "system running"\n'
        "while :; do sleep 0.2; done\n"
    )
    system.chmod(0o755)
    machine.env["PY"] = str(system)
    process = subprocess.Popen(
        [str(SCRIPTS / "run-system.sh")],
        env=machine.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group, as in a terminal, where Ctrl-C reaches the whole group
    )
    lines = Lines(process)
    try:
        lines.until("system running")
        os.killpg(process.pid, signal.SIGINT)
        lines.until("stopping RabbitMQ")
        assert process.wait(timeout=60) == 130
    except BaseException:
        stop_leftovers(process, machine.root / "rabbitmq.pid", amqp_port)
        raise

    output = "".join(lines.seen)
    assert output.index("system stopped") < output.index("stopping RabbitMQ (make run started it)")
    assert "rabbitmqctl -q stop" in machine.calls
    assert machine.calls_to("pg_ctlcluster") == []
    eventually_sync(lambda: not answers(int(amqp_port)), description="RabbitMQ's port closed")
    assert answers(postgres_port)


def stop_leftovers(process: subprocess.Popen[str], rabbitmq_pid: Path, amqp_port: str) -> None:
    """What a failed run may leave: its process group, and the stand-in RabbitMQ (in a session of its own)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    if rabbitmq_pid.exists():
        pid = int(rabbitmq_pid.read_text())
        with contextlib.suppress(OSError):
            if amqp_port in Path(f"/proc/{pid}/cmdline").read_text():
                os.kill(pid, signal.SIGKILL)


def answers(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=5).close()
    except ConnectionRefusedError:
        return False
    return True
