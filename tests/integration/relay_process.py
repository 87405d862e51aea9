"""One outbox relay in a process of its own, for the tests that kill it.

    python relay_process.py DATABASE_URL AMQP_URL EXCHANGE [POLL_INTERVAL_SECONDS]

Prints `ready` once the relay has started, then runs until SIGTERM (clean stop) or SIGKILL.
"""

from __future__ import annotations

import asyncio
import signal
import sys

from mitra_shared import db, topology
from mitra_shared.outbox import OutboxRelay

READY = "ready"


async def run(dsn: str, amqp_url: str, exchange: str, poll_interval: float) -> None:
    pool = await db.create_pool(dsn, min_size=1, max_size=2)
    amqp = await topology.connect(amqp_url)
    relay = OutboxRelay(pool=pool, listen_dsn=dsn, amqp=amqp, exchange_name=exchange, poll_interval=poll_interval)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await relay.start()
    print(READY, flush=True)
    try:
        await stop.wait()
    finally:
        await relay.aclose()
        await amqp.close()
        await pool.close()


def main(argv: list[str]) -> None:
    if len(argv) not in (3, 4):
        raise SystemExit(__doc__)
    dsn, amqp_url, exchange = argv[:3]
    poll_interval = float(argv[3]) if len(argv) == 4 else 30.0
    asyncio.run(run(dsn, amqp_url, exchange, poll_interval))


if __name__ == "__main__":
    main(sys.argv[1:])
