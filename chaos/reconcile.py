"""Reconciling from outside: what registry committed (its tables and its outbox) against what the outside subscriber
received, what reporting and notifications applied (their event log and inbox) and the mails the SMTP server got.

Nothing may be lost (committed but never seen downstream), applied twice (a second effect of one event) or mailed
twice (one mail per recipient per registration). Redeliveries to the outside subscriber are allowed (at least once)
and counted apart."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

import aio_pika
import asyncpg

from chaos.observers import NGO_PREFIX, MailRecorder, OutsideQueue
from chaos.queries import QUERIES
from mitra_devtools.launcher import CONSUMERS
from mitra_shared.contracts.registry import OrganizationRegistered
from mitra_shared.db import database_name, with_database
from mitra_shared.topology import Names

REGISTERED = OrganizationRegistered.kind


@dataclass
class Reconciliation:
    committed: int = 0  # registrations registry committed
    committed_tokens: set[str] = field(default_factory=set)
    acknowledged_not_committed: int = 0  # answered 2xx to the client, yet not in registry
    committed_twice: int = 0  # NGO names registry holds more than once
    events_committed: int = 0  # events committed by any service since the subscriber bound
    events_unpublished: int = 0  # still in an outbox, not yet relayed
    lost_to_subscriber: int = 0
    redelivered_to_subscriber: int = 0
    lost_to_reporting: int = 0
    applied_twice_reporting: int = 0
    lost_to_notifications: int = 0
    applied_twice_notifications: int = 0
    mails_missing: int = 0
    mailed_twice: int = 0  # registrations a recipient got more than one mail about
    mailed_twice_same_message_id: int = 0  # of those, the same notification's mail sent again (one Message-ID)
    mails_without_token: int = 0
    dead_lettered: dict[str, int] = field(default_factory=dict)

    @property
    def lost(self) -> int:
        downstream = self.lost_to_subscriber + self.lost_to_reporting + self.lost_to_notifications
        return downstream + self.mails_missing + self.acknowledged_not_committed

    @property
    def applied_twice(self) -> int:
        return self.applied_twice_reporting + self.applied_twice_notifications + self.committed_twice

    @property
    def clean(self) -> bool:
        return (
            self.lost == 0
            and self.applied_twice == 0
            and self.mailed_twice == 0
            and not any(self.dead_lettered.values())
        )


def _admin_url(admin_dsn: str, service_url: str) -> str:
    return with_database(admin_dsn, database_name(service_url))


async def database_clock(admin_dsn: str) -> datetime:
    conn = await asyncpg.connect(admin_dsn)
    try:
        now: datetime = await conn.fetchval(QUERIES.database_now)
    finally:
        await conn.close()
    return now


async def reconcile(
    admin_dsn: str,
    database_urls: Mapping[str, str],
    since: datetime,
    subscriber: OutsideQueue,
    mail: MailRecorder,
    mail_to: str,
) -> Reconciliation:
    """One look at everything (call it again until it is clean or the drain's deadline passes)."""
    result = Reconciliation()
    connections = {name: await asyncpg.connect(_admin_url(admin_dsn, url)) for name, url in database_urls.items()}
    try:
        registry, reporting, notifications = (connections[n] for n in ("registry", "reporting", "notifications"))
        names = await registry.fetch(*QUERIES.registered_organizations(prefix=NGO_PREFIX))
        result.committed = len(names)
        result.committed_tokens = {row["legal_name"].removeprefix(NGO_PREFIX) for row in names}
        result.committed_twice = sum(row["copies"] - 1 for row in names)
        for conn in connections.values():
            for row in await conn.fetch(*QUERIES.outbox_events(since=since)):
                result.events_committed += 1
                result.events_unpublished += not row["published"]
                result.lost_to_subscriber += row["id"] not in subscriber.deliveries
        result.redelivered_to_subscriber = sum(n - 1 for n in subscriber.deliveries.values())

        events = {
            row["id"]: row["legal_name"]
            for row in await registry.fetch(*QUERIES.registration_events(routing_key=REGISTERED.routing_key))
            if (row["legal_name"] or "").startswith(NGO_PREFIX)
        }
        log = await reporting.fetch(*QUERIES.reporting_log(event_type=REGISTERED.type))
        logged = {row["event_id"]: row["copies"] for row in log}
        result.lost_to_reporting = sum(1 for event_id in events if event_id not in logged)
        result.applied_twice_reporting = sum(n - 1 for n in logged.values())
        projected = await reporting.fetch(*QUERIES.reporting_organizations(prefix=NGO_PREFIX))
        registry_copies = {row["legal_name"]: row["copies"] for row in names}
        result.applied_twice_reporting += sum(
            max(0, row["copies"] - registry_copies.get(row["legal_name"], 0)) for row in projected
        )

        applied = {r["event_id"] for r in await notifications.fetch(*QUERIES.inbox_events(event_type=REGISTERED.type))}
        result.lost_to_notifications = sum(1 for event_id in events if event_id not in applied)
        made = await notifications.fetch(*QUERIES.notifications_per_event(event_type=REGISTERED.type))
        result.applied_twice_notifications = sum(row["copies"] - 1 for row in made)
    finally:
        for conn in connections.values():
            await conn.close()

    address = mail_to.lower()
    tokens = [name.removeprefix(NGO_PREFIX) for name in events.values()]
    result.mails_missing = sum(1 for token in tokens if mail.by_token_and_recipient[(token, address)] == 0)
    twice = [key for key, count in mail.by_token_and_recipient.items() if count > 1]
    result.mailed_twice = len(twice)
    result.mailed_twice_same_message_id = sum(1 for key in twice if len(mail.message_ids[key]) == 1)
    result.mails_without_token = mail.without_token
    return result


async def dead_lettered(amqp_url: str, namespace: str) -> dict[str, int]:
    """How many messages each consumer gave up on (its dead-letter queue's depth)."""
    names = Names(namespace)
    counts: dict[str, int] = {}
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel()
        for consumer in CONSUMERS:
            with contextlib.suppress(aio_pika.exceptions.ChannelClosed):
                queue = await channel.declare_queue(names.dead_letter_queue(consumer), passive=True)
                counts[consumer] = queue.declaration_result.message_count or 0
    finally:
        await connection.close()
    return counts
