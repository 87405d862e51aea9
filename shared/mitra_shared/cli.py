"""Command line of every service: `serve`, `migrate`, `asyncapi`, `dead-letters`, `queues`, `republish`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import uvicorn
from pydantic import ValidationError

from mitra_shared import dead_letters, republish
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
    queues_command = commands.add_parser(
        "queues", help="print the queue this service consumes from (the `--to` of a republish after its restore)"
    )
    queues_command.add_argument(
        "--routing-keys", action="store_true", help="print the routing keys the queue is bound to instead, one a line"
    )
    _add_republish(commands)
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
    if args.command == "queues":
        return _print_queues(ServiceRuntime(spec), routing_keys=args.routing_keys)
    if args.command == "republish":
        return _republish(spec, args)
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
                settings.amqp_url.get_secret_value(),
                runtime.consumer_topology,
                action=args.action,
                limit=args.limit,
                other_nodes=settings.amqp_other_nodes,
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


def _add_republish(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "republish",
        help="publish again the events this service's outbox still holds, so that a restored service catches up",
        description="Publish again the events this service published from --since on (its outbox keeps them for "
        "MITRA_OUTBOX_RETENTION_DAYS). With --to, only into that queue (the restored service's, see its `queues` "
        "command) through the default exchange: nobody else receives anything. Without --to, to the events exchange: "
        "EVERY subscriber, the other services and outside subscribers, receives them again (consumers skip the "
        "event ids they already applied).",
    )
    command.add_argument("--since", required=True, help="ISO 8601 time with its zone, e.g. 2026-12-05T01:00:00Z")
    command.add_argument("--to", metavar="QUEUE", help="the queue to publish into (default: the events exchange)")
    command.add_argument(
        "--routing-key", action="append", default=[], help="only events with this routing key (repeat for more)"
    )
    command.add_argument(
        "--routing-keys-from",
        type=argparse.FileType("r"),
        help="only the routing keys in this file, one a line ('-': standard input), as `queues --routing-keys` "
        "prints them; needed with --to, whose consumer dead-letters the event types it does not handle",
    )
    command.add_argument("--batch-size", type=int, default=200)
    command.add_argument("--dry-run", action="store_true", help="only count what would be republished")


def _print_queues(runtime: ServiceRuntime, *, routing_keys: bool) -> int:
    if not runtime.spec.consumes:
        print(f"{runtime.spec.name} consumes no events, so it has no queue", file=sys.stderr)
        return 0
    topology = runtime.consumer_topology
    print("\n".join(topology.routing_keys) if routing_keys else topology.queue)
    return 0


def _republish(spec: ServiceSpec, args: argparse.Namespace) -> int:
    settings = spec.settings
    keys = list(args.routing_key)
    if args.routing_keys_from is not None:
        keys += republish.read_routing_keys(args.routing_keys_from)
    try:
        since = republish.parse_since(args.since)
    except ValueError as error:
        print(f"republish: --since: {error}", file=sys.stderr)
        return 2
    if args.batch_size < 1:
        print("republish: --batch-size must be 1 or more", file=sys.stderr)
        return 2
    if args.to and not keys:
        print(
            "republish: --to needs the routing keys its queue is bound to (--routing-keys-from or --routing-key): "
            "its consumer dead-letters event types it does not handle",
            file=sys.stderr,
        )
        return 2
    if warning := republish.retention_warning(since, datetime.now(UTC), settings.outbox_retention_days):
        print(f"republish: {warning}", file=sys.stderr)
    request = republish.Request(
        since=since, to_queue=args.to, routing_keys=keys, batch_size=args.batch_size, dry_run=args.dry_run
    )
    names = ServiceRuntime(spec).names
    database_url, amqp_url = settings.database_url.get_secret_value(), settings.amqp_url.get_secret_value()
    try:
        described = asyncio.run(republish.run(database_url, amqp_url, names, request, settings.amqp_other_nodes))
        print(f"{spec.name}: {described}")
    except republish.Interrupted as error:
        print(f"{spec.name}: republish {error}; running it again is safe", file=sys.stderr)
        return 1
    except Exception as error:  # the kind only: a connection error's text may hold the URL and its password
        print(f"{spec.name}: republish failed before sending anything: {type(error).__name__}", file=sys.stderr)
        return 1
    return 0
