"""The open register's rules without I/O: the rate limit per client (a token bucket) and weak ETags."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field

MAX_CLIENTS = 10_000
"""Buckets kept at most; past it, the buckets that have filled up again (clients gone quiet) are forgotten."""


@dataclass
class TokenBuckets:
    """Per client: `per_minute` requests in a burst, refilled steadily at `per_minute` a minute. `take` answers 0 when
    a request may go, else the whole seconds until one token is back (for `Retry-After`)."""

    per_minute: int
    buckets: dict[str, tuple[float, float]] = field(default_factory=dict)  # client -> (tokens, at)

    def take(self, client: str, now: float) -> int:
        rate = self.per_minute / 60.0
        tokens, at = self.buckets.get(client, (float(self.per_minute), now))
        tokens = min(float(self.per_minute), tokens + max(0.0, now - at) * rate)
        if tokens >= 1.0:
            self.buckets[client] = (tokens - 1.0, now)
            self._forget_idle(now)
            return 0
        self.buckets[client] = (tokens, now)
        return max(1, math.ceil((1.0 - tokens) / rate))

    def _forget_idle(self, now: float) -> None:
        if len(self.buckets) <= MAX_CLIENTS:
            return
        full_after = 60.0  # an empty bucket is full again after a minute
        self.buckets = {c: (t, at) for c, (t, at) in self.buckets.items() if now - at < full_after}


def weak_etag(body: bytes) -> str:
    return f'W/"{hashlib.sha256(body).hexdigest()[:32]}"'


def none_match(if_none_match: str | None, tag: str) -> bool:
    """Whether `If-None-Match` names this tag (weak comparison) or is `*`: the client's copy is current (304)."""
    if not if_none_match:
        return False
    wanted = tag.removeprefix("W/")
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == wanted:
            return True
    return False
