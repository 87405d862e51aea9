"""`python -m bench` (`make bench`): one full run; prints the table and writes bench/results/<timestamp>.json."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bench.run import Config, print_profile, print_table, run, write_result


def parse(argv: list[str] | None = None) -> Config:
    defaults = Config()
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--rate", type=float, default=defaults.rate, help="offered/s of the baselines (and of --overload)"
    )
    parser.add_argument("--open-loop-seconds", type=float, default=defaults.open_loop_seconds)
    parser.add_argument("--clients", type=int, default=defaults.clients, help="concurrent clients at saturation")
    parser.add_argument("--closed-loop-seconds", type=float, default=defaults.closed_loop_seconds)
    parser.add_argument("--bare-seconds", type=float, default=defaults.bare_seconds, help="each bare pipeline phase")
    parser.add_argument("--overload", action="store_true", help="also an open loop of registrations at --rate")
    parser.add_argument("--mix-msps", type=int, default=defaults.mix_msps, help="MSPs prepared for the mix")
    parser.add_argument("--mix-seconds", type=float, default=defaults.mix_seconds, help="the command mix's phase")
    parser.add_argument("--console-users", type=int, default=defaults.console_users)
    parser.add_argument("--console-seconds", type=float, default=defaults.console_seconds)
    parser.add_argument("--warm-up-seconds", type=float, default=defaults.warm_up_seconds)
    parser.add_argument("--baseline-events", type=int, default=defaults.baseline_events)
    parser.add_argument("--baseline-rate-seconds", type=float, default=defaults.baseline_rate_seconds)
    parser.add_argument("--scale-organizations", type=int, default=defaults.scale_organizations)
    parser.add_argument("--list-requests", type=int, default=defaults.list_requests)
    parser.add_argument("--drain-seconds", type=float, default=defaults.drain_seconds)
    parser.add_argument("--results-dir", type=Path, default=defaults.results_dir)
    parser.add_argument(
        "--service-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a MITRA_* setting for every service, e.g. MITRA_RELAY_BATCH_SIZE=500 (repeatable)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="sample every service with py-spy during the saturation phase"
    )
    args = parser.parse_args(argv)
    return Config(
        rate=args.rate,
        open_loop_seconds=args.open_loop_seconds,
        clients=args.clients,
        closed_loop_seconds=args.closed_loop_seconds,
        bare_seconds=args.bare_seconds,
        overload=args.overload,
        mix_msps=args.mix_msps,
        mix_seconds=args.mix_seconds,
        console_users=args.console_users,
        console_seconds=args.console_seconds,
        warm_up_seconds=args.warm_up_seconds,
        baseline_events=args.baseline_events,
        baseline_rate_seconds=args.baseline_rate_seconds,
        scale_organizations=args.scale_organizations,
        list_requests=args.list_requests,
        drain_seconds=args.drain_seconds,
        results_dir=args.results_dir,
        profile=args.profile,
        service_env=tuple(_setting(parser, item) for item in args.service_env),
    )


def _setting(parser: argparse.ArgumentParser, item: str) -> tuple[str, str]:
    name, separator, value = item.partition("=")
    if not separator or not name.startswith("MITRA_"):
        parser.error(f"--service-env takes MITRA_NAME=VALUE, not {item!r}")
    return name, value


def main(argv: list[str] | None = None) -> int:
    config = parse(argv)
    try:
        import uvloop
    except ImportError:
        outcome = asyncio.run(run(config))
    else:
        outcome = uvloop.run(run(config))
    path = write_result(outcome["result"], config.results_dir, outcome["stamp"])
    print_table(outcome["rows"], outcome["result"])
    print_profile(outcome["result"]["profile_during_saturation"])
    print(f"result written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
