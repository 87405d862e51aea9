"""Mitra's benchmark: the event flow against this machine's own limit. Run `make bench` (or `python -m bench`).

It measures the bare pipeline (the same work as a registration, written with the bare parts: bench/bare.py) and
then starts its own copy of the system (uuid-named databases, its own broker namespace, an SMTP sink in the
benchmark process), drives both the same way over HTTP, watches the events arrive, and prints every figure as a
ratio of its baseline, the targets of issue 16 first. See docs/performance.md.
"""
