"""The one place notifications is wired: settings, database, broker, workers, routers, HTTP app."""

from datetime import UTC, datetime, timedelta

from mitra_notifications import agreement_events, api, routing
from mitra_notifications.delivery import DeliveryWorker
from mitra_notifications.digest import DigestWorker
from mitra_notifications.mailer import SmtpMailer
from mitra_notifications.settings import NotificationsSettings
from mitra_notifications.webhooks import WebhookSender
from mitra_shared.contracts import notifications as contracts
from mitra_shared.db import MigrationSource
from mitra_shared.service import Resources, ServiceSpec


def build_spec(settings: NotificationsSettings | None = None) -> ServiceSpec:
    settings = settings or NotificationsSettings()

    def delivery_worker(resources: Resources) -> DeliveryWorker:
        return DeliveryWorker(
            pool=resources.pool,
            listen_dsn=settings.database_url.get_secret_value(),
            mailer=SmtpMailer(settings),
            webhooks=WebhookSender(
                timeout=settings.webhook_timeout_seconds, allow_internal=settings.webhook_allow_internal_addresses
            ),
            batch_size=settings.delivery_batch_size,
            poll_interval=settings.delivery_poll_interval_seconds,
            give_up_after=timedelta(seconds=settings.delivery_give_up_after_seconds),
            max_backoff=settings.delivery_max_backoff_seconds,
        )

    def digest_worker(resources: Resources) -> DigestWorker:
        return DigestWorker(
            pool=resources.pool,
            listen_dsn=settings.database_url.get_secret_value(),
            mailer=SmtpMailer(settings),
            clock=lambda: datetime.now(UTC),
            send_hour=settings.digest_hour,
        )

    return ServiceSpec(
        name="notifications",
        title="Notifications",
        description="Alerts ministries, TPOA, regional governments and the NGOs of what concerns them, once, "
        "in their language, by e-mail, signed webhooks (Standard Webhooks) and an in-app inbox. Recipients come "
        "from registry's partner events and from this API; routing rules are data.",
        version="0.1.0",
        settings=settings,
        migrations=MigrationSource("notifications", "mitra_notifications"),
        routers=[api.router],
        consumes={**routing.HANDLERS, **agreement_events.HANDLERS},
        publishes=contracts.EVENTS,
        workers=[delivery_worker, digest_worker],
        openapi_tags=[
            {"name": "recipients", "description": "Offices that receive notifications"},
            {"name": "delivery log", "description": "Every notification and each attempt to deliver it"},
            {"name": "routing rules", "description": "Which audiences hear of which events, on which channels"},
            {"name": "inbox", "description": "Each recipient's in-app inbox"},
        ],
    )
