"""The audit log's hash chain (reporting's domain/audit.py): canonical, order-sensitive, and tamper-evident."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from mitra_reporting.domain import audit

START = datetime(2027, 3, 1, 2, 0, tzinfo=UTC)


def chain(count: int) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    previous = audit.GENESIS_HASH
    for seq in range(1, count + 1):
        entry: dict[str, Any] = {
            "seq": seq,
            "event_id": uuid.uuid4(),
            "entry_id": uuid.uuid4(),
            "at": START + timedelta(minutes=seq),
            "actor_subject": "tpoa-1",
            "actor_name": "Ibu Rina",
            "actor_role": "tpoa",
            "actor_scope": {},
            "action": "msp.approved",
            "object_type": "msp",
            "object_id": str(uuid.uuid4()),
            "before": {"status": "submitted", "tags": ["a", "é"]},
            "after": {"status": "approved", "tags": ["a", "é"]},
            "request_id": f"req-{seq}",
            "service": "agreements",
            "recorded_at": START + timedelta(minutes=seq, seconds=1),
            "previous_hash": previous,
        }
        entry["hash"] = previous = audit.chain_hash(previous, entry)
        entries.append(entry)
    return entries


def test_the_canonical_form_sorts_keys_has_no_whitespace_and_times_in_utc() -> None:
    entry = chain(1)[0]
    in_jakarta = {
        **entry,
        "at": entry["at"].astimezone(timezone(timedelta(hours=7))),
        "after": {"tags": ["a", "é"], "status": "approved"},
    }
    assert audit.canonical(in_jakarta) == audit.canonical(entry)
    text = audit.canonical(entry)
    assert ", " not in text
    assert '": ' not in text
    assert '"at":"2027-03-01T02:01:00+00:00"' in text
    assert "é" in text


def test_an_intact_chain_and_each_kind_of_tampering() -> None:
    entries = chain(4)
    assert str(audit.verify(entries)) == "4 entries, chain intact"

    changed = [dict(e) for e in entries]
    changed[2]["after"] = {"status": "rejected", "tags": ["a", "é"]}
    verdict = audit.verify(changed)
    assert (verdict.intact, verdict.broken_seq, verdict.entries) == (False, 3, 2)
    assert "seq 3" in str(verdict)
    assert "msp.approved" in str(verdict)

    rehashed = [dict(e) for e in changed]
    rehashed[2]["hash"] = audit.chain_hash(rehashed[2]["previous_hash"], rehashed[2])
    assert audit.verify(rehashed).broken_seq == 4  # the next entry no longer chains onto it

    assert audit.verify([entries[0], entries[2], entries[3]]).broken_seq == 3  # one removed
    assert audit.verify([entries[1], entries[0]]).broken_seq == 2  # reordered
