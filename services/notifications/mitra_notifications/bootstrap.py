"""The one place notifications is wired: settings, database, broker, workers, routers, HTTP app."""

from __future__ import annotations

from datetime import timedelta

from mitra_notifications.channels.smtp import SmtpMailer
from mitra_notifications.channels.webhooks import WebhookSender
from mitra_notifications.consumers import HANDLERS
from mitra_notifications.http import ROUTERS
from mitra_notifications.settings import NotificationsSettings
from mitra_notifications.workers.delivery import DeliveryWorker
from mitra_notifications.workers.digest import DigestWorker
from mitra_shared.clock import Clock, system_clock
from mitra_shared.contracts import notifications as contracts
from mitra_shared.db import MigrationSource
from mitra_shared.service import Resources, ServiceSpec


def build_spec(settings: NotificationsSettings | None = None, clock: Clock = system_clock) -> ServiceSpec:
    settings = settings or NotificationsSettings()

    def delivery_worker(resources: Resources) -> DeliveryWorker:
        return DeliveryWorker(
            uow=resources.uow,
            listen_dsn=settings.database_url.get_secret_value(),
            mailer=None if settings.mail_disabled else SmtpMailer(settings, connections=settings.smtp_connections),
            webhooks=WebhookSender(
                timeout=settings.webhook_timeout_seconds, allow_internal=settings.webhook_allow_internal_addresses
            ),
            clock=resources.clock,
            batch_size=settings.delivery_batch_size,
            poll_interval=settings.delivery_poll_interval_seconds,
            give_up_after=timedelta(seconds=settings.delivery_give_up_after_seconds),
            max_backoff=settings.delivery_max_backoff_seconds,
            lease=timedelta(seconds=settings.delivery_lease_seconds),
            linger=settings.delivery_linger_seconds,
        )

    def digest_worker(resources: Resources) -> DigestWorker:
        return DigestWorker(
            uow=resources.uow,
            listen_dsn=settings.database_url.get_secret_value(),
            mailer=None if settings.mail_disabled else SmtpMailer(settings),
            clock=resources.clock,
            send_hour=settings.digest_hour,
        )

    return ServiceSpec(
        name="notifications",
        title="Notifications",
        description="Alerts ministries, TPOA, regional governments and the NGOs of what concerns them, once, "
        "in their language, by e-mail, signed webhooks (Standard Webhooks) and an in-app inbox. Recipients come "
        "from registry's partner events, the console's account events (one per person) and from this API; routing "
        "rules are data.",
        version="0.1.0",
        settings=settings,
        migrations=MigrationSource("notifications", "mitra_notifications", "sql/migrations"),
        routers=ROUTERS,
        consumes=HANDLERS,
        publishes=contracts.EVENTS,
        workers=[delivery_worker, digest_worker],
        openapi_tags=[
            {"name": "recipients", "description": "Offices that receive notifications"},
            {"name": "delivery log", "description": "Every notification and each attempt to deliver it"},
            {"name": "routing rules", "description": "Which audiences hear of which events, on which channels"},
            {"name": "inbox", "description": "Each recipient's in-app inbox"},
            {"name": "me", "description": "A person's own inbox and preferences (the recipient of their account)"},
        ],
        clock=clock,
    )
