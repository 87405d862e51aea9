"""Command line of every service: `serve`, `migrate`, `asyncapi`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import uvicorn
from pydantic import ValidationError

from mitra_shared import dead_letters
from mitra_shared import logging as mitra_logging
from mitra_shared.service import ServiceRuntime, ServiceSpec, create_app


class _Server(uvicorn.Server):
    """uvicorn re-raises SIGTERM after its graceful shutdown, so the process would end "killed by signal";
    a service that stopped cleanly exits 0 instead. A second signal still forces the exit."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self.handle_exit, sig, None)
        try:
            yield
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)


def settings_problems(error: ValidationError) -> str:
    """What is wrong with the settings, naming each variable and the rule, never the value: a value may be a
    secret (a password in a database URL, a signing key)."""
    lines = []
    for problem in error.errors(include_input=False, include_url=False, include_context=False):
        variable = "MITRA_" + "_".join(str(part) for part in problem["loc"]).upper() if problem["loc"] else "settings"
        lines.append(f"  {variable}: {problem['msg']}")
    return "the service's settings are not valid:\n" + "\n".join(lines)


def main(build_spec: Callable[[], ServiceSpec], argv: list[str] | None = None) -> int:
    try:
        spec = build_spec()
    except ValidationError as error:
        print(settings_problems(error), file=sys.stderr)
        return 2
    parser = argparse.ArgumentParser(description="Run or administer this Mitra service.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="apply migrations, then serve HTTP and consume events until SIGTERM")
    commands.add_parser("migrate", help="create the database if needed and apply pending migrations")
    asyncapi = commands.add_parser("asyncapi", help="print (or write) the AsyncAPI document of this service")
    asyncapi.add_argument("--output", type=Path, help="write to this file instead of standard output")
    dead_letters_command = commands.add_parser(
        "dead-letters", help="list the messages this service gave up on (JSON lines), or replay them"
    )
    dead_letters_command.add_argument("action", nargs="?", choices=["list", "replay"], default="list")
    dead_letters_command.add_argument("--limit", type=int, default=100)
    for name, command in spec.commands.items():
        commands.add_parser(name, help=command.help)
    args = parser.parse_args(argv)

    settings = spec.settings
    mitra_logging.configure(service=spec.name, level=settings.log_level, fmt=settings.log_format)

    if args.command == "migrate":
        applied = asyncio.run(ServiceRuntime(spec).migrate())
        print(f"{spec.name}: {len(applied)} migration(s) applied", file=sys.stderr)
        return 0
    if args.command == "asyncapi":
        document = ServiceRuntime(spec).asyncapi_json()
        if args.output:
            args.output.write_text(document + "\n")
        else:
            print(document)
        return 0
    if args.command in spec.commands:
        print(asyncio.run(spec.commands[args.command].run(settings)))
        return 0
    if args.command == "dead-letters":
        runtime = ServiceRuntime(spec)
        if not spec.consumes:
            print(f"{spec.name} consumes no events, so it has no dead letters", file=sys.stderr)
            return 0
        output = asyncio.run(
            dead_letters.run(
                settings.amqp_url.get_secret_value(), runtime.consumer_topology, action=args.action, limit=args.limit
            )
        )
        if output:
            print(output)
        return 0
    config = uvicorn.Config(
        create_app(spec),
        host=settings.http_host,
        port=settings.http_port,
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
        lifespan="on",
    )
    server = _Server(config)
    server.run()
    # uvicorn swallows a failed start-up (exits the loop, no exception): make the exit status say so.
    return 0 if server.started else 1
