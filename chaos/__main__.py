"""`python -m chaos` (`make chaos`): replicas under faults, reconciled from outside; exits 1 if anything was lost,
applied twice or mailed twice."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from dataclasses import replace

from chaos.faults import KINDS
from chaos.report import lines
from chaos.run import SHORT, Config, run


def parse(argv: list[str] | None = None) -> Config:
    parser = argparse.ArgumentParser(prog="python -m chaos", description=__doc__)
    parser.add_argument("--short", action="store_true", help="the short run of make test (15 s, one fault of each)")
    parser.add_argument("--seconds", type=float, help="seconds of load (default 120, 15 with --short)")
    parser.add_argument("--rate", type=float, help="registrations per second (default 25, 10 with --short)")
    parser.add_argument("--rounds", type=int, help="each fault kind this many times (default 2, 1 with --short)")
    parser.add_argument(
        "--faults", default=",".join(KINDS), help=f"comma-separated kinds among {', '.join(KINDS)} (default: all)"
    )
    parser.add_argument(
        "--cluster",
        action="store_true",
        help="three RabbitMQ nodes clustered as compose's `cluster` profile does; the broker fault stops one at a time",
    )
    parser.add_argument("--drain-seconds", type=float, help="how long the system may take to catch up")
    args = parser.parse_args(argv)
    kinds = tuple(kind for kind in args.faults.split(",") if kind)
    unknown = [kind for kind in kinds if kind not in KINDS]
    if unknown:
        parser.error(f"unknown fault kinds {unknown}; known: {', '.join(KINDS)}")
    config = SHORT if args.short else Config()
    given = {
        "seconds": args.seconds,
        "rate": args.rate,
        "rounds": args.rounds,
        "drain_seconds": args.drain_seconds,
    }
    return replace(
        config,
        faults=kinds,
        cluster=args.cluster,
        **{name: value for name, value in given.items() if value is not None},
    )


def main(argv: list[str] | None = None) -> int:
    # The outside subscriber's reconnection attempts while the broker is down are expected: not worth a line each.
    for name in ("aio_pika", "aiormq"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    outcome = asyncio.run(run(parse(argv)))
    for line in lines(outcome):
        print(line, flush=True)
    return 0 if outcome.passed else 1


if __name__ == "__main__":
    sys.exit(main())
