"""`make run`: the whole system on this machine, in the foreground, until Ctrl-C.

Starts a local SMTP sink (unless MITRA_SMTP_HOST names a real server), the four services as separate processes
with their logs interleaved and prefixed, waits until each is ready, loads the demo data, and prints where
everything is. SIGINT or SIGTERM stops everything it started, services first.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from mitra_devtools import demo
from mitra_devtools.token import local_token


@dataclass(frozen=True)
class ServiceProcess:
    name: str
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


SERVICES = [
    ServiceProcess("registry", 8001),
    ServiceProcess("agreements", 8002),
    ServiceProcess("notifications", 8003),
    ServiceProcess("reporting", 8004),
]
READY_TIMEOUT = 90.0
STOP_TIMEOUT = 30.0


async def _pipe(prefix: str, stream: asyncio.StreamReader) -> None:
    while line := await stream.readline():
        sys.stdout.write(f"{prefix:<14}| {line.decode(errors='replace')}")
        sys.stdout.flush()


async def _start(name: str, args: list[str], env: dict[str, str]) -> asyncio.subprocess.Process:
    process = await asyncio.create_subprocess_exec(
        *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, start_new_session=True
    )
    assert process.stdout is not None
    asyncio.get_running_loop().create_task(_pipe(name, process.stdout))
    return process


async def _wait_ready(service: ServiceProcess, process: asyncio.subprocess.Process) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    async with httpx.AsyncClient(timeout=2) as client:
        while time.monotonic() < deadline:
            if process.returncode is not None:
                raise RuntimeError(f"{service.name} exited with status {process.returncode} while starting")
            try:
                if (await client.get(f"{service.url}/health/ready")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.25)
    raise RuntimeError(f"{service.name} was not ready on {service.url} within {READY_TIMEOUT:.0f}s")


async def _stop(processes: dict[str, asyncio.subprocess.Process]) -> None:
    for process in processes.values():
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    for name, process in processes.items():
        try:
            await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
        except TimeoutError:
            print(f"{name} did not stop within {STOP_TIMEOUT:.0f}s; killing it", flush=True)
            process.kill()
            await process.wait()


async def run(mail_directory: Path) -> int:
    base_env = dict(os.environ)
    base_env.setdefault("MITRA_LOG_FORMAT", "console")
    processes: dict[str, asyncio.subprocess.Process] = {}
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    try:
        if not base_env.get("MITRA_SMTP_HOST"):
            sink_port = int(base_env.get("MITRA_SMTP_SINK_PORT", "1025"))
            processes["smtp-sink"] = await _start(
                "smtp-sink",
                [
                    sys.executable,
                    "-m",
                    "mitra_devtools.smtp_sink",
                    "--port",
                    str(sink_port),
                    "--directory",
                    str(mail_directory),
                ],
                base_env,
            )
            base_env.update(
                {"MITRA_SMTP_HOST": "127.0.0.1", "MITRA_SMTP_PORT": str(sink_port), "MITRA_SMTP_SECURITY": "none"}
            )
        for service in SERVICES:
            env = {**base_env, "MITRA_HTTP_PORT": str(service.port)}
            # Each service has its own database: a global MITRA_DATABASE_URL would put all four in one.
            env.pop("MITRA_DATABASE_URL", None)
            if database_url := base_env.get(f"MITRA_{service.name.upper()}_DATABASE_URL"):
                env["MITRA_DATABASE_URL"] = database_url
            processes[service.name] = await _start(
                service.name, [sys.executable, "-m", f"mitra_{service.name}", "serve"], env
            )
        await asyncio.gather(*(_wait_ready(s, processes[s.name]) for s in SERVICES))

        token = local_token(hours=24)
        try:
            loaded = await asyncio.to_thread(
                demo.load, registry_url=SERVICES[0].url, notifications_url=SERVICES[2].url, token=token
            )
        except httpx.HTTPError as error:
            detail = error.response.text if isinstance(error, httpx.HTTPStatusError) else ""
            raise RuntimeError(f"loading the demo data failed: {error} {detail}") from error
        _print_banner(token, loaded, mail_directory if "smtp-sink" in processes else None)

        exited = asyncio.create_task(_first_exit(processes))
        stopped = asyncio.create_task(stop.wait())
        orphaned = asyncio.create_task(_parent_gone())
        done, _ = await asyncio.wait({exited, stopped, orphaned}, return_when=asyncio.FIRST_COMPLETED)
        if exited in done:
            print(f"\n{exited.result()} exited unexpectedly; stopping the rest", flush=True)
            return 1
        print("\nstopping...", flush=True)
        return 0
    except RuntimeError as error:
        print(f"\nmake run failed: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        await _stop({k: v for k, v in processes.items() if k != "smtp-sink"})
        await _stop({k: v for k, v in processes.items() if k == "smtp-sink"})


async def _parent_gone() -> None:
    """`make` does not pass SIGTERM on to its recipe: when it dies, we are re-parented, and stop too."""
    parent = os.getppid()
    while os.getppid() == parent:
        await asyncio.sleep(1)


async def _first_exit(processes: dict[str, asyncio.subprocess.Process]) -> str:
    waits = {asyncio.create_task(p.wait()): name for name, p in processes.items()}
    done, _ = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
    return waits[next(iter(done))]


def _print_banner(token: str, loaded: list[str], mail_directory: Path | None) -> None:
    lines = ["", "=" * 100, "Mitra is running.", ""]
    for service in SERVICES:
        lines.append(
            f"  {service.name:<14} API {service.url}   docs {service.url}/docs   AsyncAPI {service.url}/asyncapi"
        )
    lines += ["", "  Demo data: " + ("; ".join(loaded) if loaded else "already loaded"), ""]
    if mail_directory is not None:
        lines.append(f"  E-mail goes to a local SMTP sink; each message is a file in {mail_directory.resolve()}")
    lines += [
        "",
        "  A token for the APIs (valid 24 hours; `make token` makes another):",
        f"  {token}",
        "",
        "  Try:",
        "    TOKEN=$(make -s token)",
        f'    curl -H "Authorization: Bearer $TOKEN" {SERVICES[3].url}/summary',
        "",
        "Ctrl-C stops everything.",
        "=" * 100,
        "",
    ]
    print("\n".join(lines), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mail-directory", type=Path, default=Path("var/mail"))
    args = parser.parse_args(argv)
    sys.exit(asyncio.run(run(args.mail_directory)))


if __name__ == "__main__":
    main()
