"""The audit trail as reporting keeps it: an append-only log whose entries are chained by hashes. Pure: no I/O.

Each entry's `hash` is the sha256 (hex) of the previous entry's hash followed by the canonical JSON of the entry:
every stored field but the two hashes (`seq`, `event_id`, `entry_id`, `at`, `actor`, `action`, `object_type`,
`object_id`, `before`, `after`, `request_id`, `service`, `recorded_at`), with sorted keys, no whitespace, UTF-8,
times in UTC ISO 8601. The first entry's previous hash is 64 zeros. Changing, removing or reordering a stored entry
breaks the chain from that entry on; `verify` names the first entry that does not match.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from mitra_shared.errors import RuleBroken

GENESIS_HASH = "0" * 64
AUDITED_SERVICES = ("registry", "agreements", "notifications", "reporting", "console")
"""The services whose changes reporting keeps in the trail (each publishes `audit.<service>.recorded`)."""


def _text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def canonical(entry: Mapping[str, Any]) -> str:
    """The canonical JSON of one stored entry (a row of `audit_log`): what its hash is computed over."""
    document = {
        "seq": entry["seq"],
        "event_id": _text(entry["event_id"]),
        "entry_id": _text(entry["entry_id"]),
        "at": _text(entry["at"]),
        "actor": {
            "subject": entry["actor_subject"],
            "name": entry["actor_name"],
            "role": entry["actor_role"],
            "scope": entry["actor_scope"],
        },
        "action": entry["action"],
        "object_type": entry["object_type"],
        "object_id": entry["object_id"],
        "before": entry["before"],
        "after": entry["after"],
        "request_id": entry["request_id"],
        "service": entry["service"],
        "recorded_at": _text(entry["recorded_at"]),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(previous_hash: str, entry: Mapping[str, Any]) -> str:
    return hashlib.sha256((previous_hash + canonical(entry)).encode()).hexdigest()


def unchanged_by_jsonb(value: Any) -> bool:
    """Whether JSON values come back from a jsonb column exactly as they went in, so that the hash may be computed
    before they are stored: strings, integers, booleans and null do; a float may not (jsonb keeps numbers as
    decimals: 1.5e20 comes back as the integer 150000000000000000000)."""
    if isinstance(value, dict):
        return all(unchanged_by_jsonb(item) for item in value.values())
    if isinstance(value, list):
        return all(unchanged_by_jsonb(item) for item in value)
    return not isinstance(value, float)


def check_entry_service(routing_service: str, entry_service: str) -> None:
    """An entry says which service recorded it; it must be the one whose routing key it came under."""
    if routing_service != entry_service:
        raise RuleBroken(
            "data.service", f"an entry of `{entry_service}` cannot arrive as `audit.{routing_service}.recorded`"
        )


@dataclass(frozen=True)
class Verdict:
    """What verifying the chain found: how many entries it checked, and the first one that does not match."""

    entries: int
    broken_seq: int | None = None
    reason: str = ""
    entry: Mapping[str, Any] | None = None

    @property
    def intact(self) -> bool:
        return self.broken_seq is None

    def __str__(self) -> str:
        if self.intact:
            return f"{self.entries} entries, chain intact"
        described = ""
        if self.entry is not None:
            described = (
                f" (entry {self.entry['entry_id']}, {self.entry['action']} on {self.entry['object_type']} "
                f"{self.entry['object_id']}, by {self.entry['actor_subject']} at {_text(self.entry['at'])})"
            )
        return f"audit chain BROKEN at entry seq {self.broken_seq}{described}: {self.reason}"


class ChainVerifier:
    """Walks the log in `seq` order, one entry at a time (so a long log need not be in memory)."""

    def __init__(self) -> None:
        self.entries = 0
        self.previous_hash = GENESIS_HASH
        self.broken: Verdict | None = None

    def check(self, entry: Mapping[str, Any]) -> bool:
        """Check the next entry; False (and `broken` set) at the first one that does not match."""
        expected_seq = self.entries + 1
        reason = ""
        if entry["seq"] != expected_seq:
            reason = f"expected entry seq {expected_seq} next: an entry is missing or out of place"
        elif entry["previous_hash"] != self.previous_hash:
            reason = "its previous_hash is not the hash of the entry before it"
        elif chain_hash(self.previous_hash, entry) != entry["hash"]:
            reason = "its stored values do not match its hash (changed after it was recorded)"
        if reason:
            self.broken = Verdict(self.entries, entry["seq"], reason, entry)
            return False
        self.entries += 1
        self.previous_hash = entry["hash"]
        return True

    def verdict(self) -> Verdict:
        return self.broken or Verdict(self.entries)


def verify(entries: Iterable[Mapping[str, Any]]) -> Verdict:
    verifier = ChainVerifier()
    for entry in entries:
        if not verifier.check(entry):
            break
    return verifier.verdict()
