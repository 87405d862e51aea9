"""Mitra's benchmark: the event flow against this machine's own limit. Run `make bench` (or `python -m bench`).

It starts its own copy of the system (uuid-named databases, its own broker namespace, an SMTP sink in the
benchmark process), drives it over HTTP, watches the events arrive, measures the same work done by the bare parts
(asyncpg, the outbox relay, aio-pika) on the same machine in the same run, and prints every figure as a ratio of
its baseline. See docs/performance.md.
"""
